"""Central's strings are never templated, on the ansible-core running the tests (2.19, and 2.16 in the
compatibility stage): every string with a Jinja delimiter is marked, at every depth, keys included."""
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.fleetops.sophos.plugins.plugin_utils._unsafe import make_unsafe

try:  # ansible-core 2.19: only a trusted template is templated (the test's own expressions)
    from ansible.template import trust_as_template
except ImportError:  # 2.16-2.18: every string is
    def trust_as_template(text):
        return text

TRAP = "{{ 6 * 7 }}"


def central_value():
    return {"id": "e1", "hostname": "WEB1", "online": True, "build": 17763, "nothing": None,
            "os": {"name": "Ubuntu " + TRAP, "platform": "linux"},
            "health": {"overall": "good", "services": {"Agent {% if true %}x{% endif %}": "running " + TRAP}},
            "ipv4_addresses": ["10.0.0.1", "10.0.0.2" + TRAP], "pair": ("a", TRAP), "tags": {"{# c #}"},
            "raw": TRAP.encode()}


def rendered(value):
    return Templar(loader=DataLoader(), variables={"central": value}).template(trust_as_template("{{ central }}"))


def test_no_string_of_central_is_templated():
    value = make_unsafe(central_value())
    out = rendered(value)
    assert out["os"]["name"] == "Ubuntu " + TRAP
    assert out["health"]["services"] == {"Agent {% if true %}x{% endif %}": "running " + TRAP}
    assert out["ipv4_addresses"] == ["10.0.0.1", "10.0.0.2" + TRAP]
    assert list(out["pair"]) == ["a", TRAP] and set(out["tags"]) == {"{# c #}"}
    templar = Templar(loader=DataLoader(), variables={"name": value["os"]["name"], "plain": central_value()})
    assert templar.template(trust_as_template("{{ name }}")) == "Ubuntu " + TRAP
    assert str(templar.template(trust_as_template("{{ 6 * 7 }}"))) == "42", "the test's own expression is templated"


def test_containers_are_rebuilt_plain_values_kept():
    original = central_value()
    value = make_unsafe(original)
    assert isinstance(value, dict) and isinstance(value["ipv4_addresses"], list)
    assert isinstance(value["pair"], tuple) and isinstance(value["tags"], set)
    assert value == original, "equal values, nothing dropped or changed"
    assert (value["online"], value["build"], value["nothing"]) == (True, 17763, None)
    # Strings without a brace cannot be templates: they stay plain (AWX imports them as strings).
    assert value["hostname"].__class__ is str and value["ipv4_addresses"][0].__class__ is str
    assert make_unsafe(value) == value
