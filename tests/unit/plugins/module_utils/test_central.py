"""The Central client's pure pieces, and its retry / token / tenancy logic over a scripted transport."""
import json

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _central as central

NOW = 1764576000.0  # 2025-12-01T08:00:00Z


def endpoint(**extra):
    item = {"id": "e1", "type": "server", "tenant": {"id": "t1"}, "hostname": "WIN-CEAESQ7V08E",
            "health": {"overall": "good", "services": {"serviceDetails": [
                {"name": "Sophos MCS Agent", "status": "running"},
                {"name": "Sophos File Scanner", "status": "stopped"}]}},
            "os": {"isServer": True, "platform": "windows", "name": "Windows Server 2019", "build": 17763},
            "ipv4Addresses": ["192.168.66.10"], "lastSeenAt": "2025-11-30T10:09:56.722Z", "online": True}
    item.update(extra)
    return item


def alert(kind, raised="2025-11-11T08:00:00.000Z", agent="e1", **extra):
    item = {"id": "a-" + kind, "type": kind, "severity": "medium", "raisedAt": raised}
    if agent:
        item["managedAgent"] = {"id": agent, "type": "server"}
    item.update(extra)
    return item


def test_next_key_stops_without_next_key_and_on_a_repeated_key():
    assert central.next_key({"nextKey": "k2", "fromKey": "k1"}, "k1") == "k2"
    assert central.next_key({"fromKey": "k1"}, "k1") is None
    assert central.next_key({"nextKey": ""}, None) is None
    assert central.next_key({"nextKey": "k1"}, "k1") is None
    assert central.next_key(None, None) is None


def test_next_page_number_counts_from_one_to_total():
    assert central.next_page_number({"current": 1, "total": 3}, 1) == 2
    assert central.next_page_number({"current": 3, "total": 3}, 3) is None
    assert central.next_page_number({"current": 1}, 1) is None


@pytest.mark.parametrize("kind, expected", [
    ("Event::Endpoint::UpdateRebootUrgentlyRequired", True),
    ("Event::Endpoint::UpdateRebootRequired", True),
    ("Event::Endpoint::UpdateFailure::RESTART_NEEDED", True),
    ("Event::Endpoint::UpdateSuccess", False),
    ("Event::Endpoint::OutOfDate", False),
    (None, False),
])
def test_restart_alert_classification(kind, expected):
    assert central.is_restart_alert({"type": kind}) is expected


def test_shape_endpoint_with_urgent_alert_preferred_and_its_age():
    alerts = [alert("Event::Endpoint::UpdateRebootRequired", raised="2025-10-01T08:00:00Z"),
              alert("Event::Endpoint::UpdateRebootUrgentlyRequired", raised="2025-11-11T07:00:00.123")]
    shaped = central.shape_endpoint(endpoint(), alerts, NOW)
    assert shaped == {
        "id": "e1", "tenant_id": "t1", "hostname": "WIN-CEAESQ7V08E", "type": "server", "online": True,
        "last_seen_at": "2025-11-30T10:09:56Z",
        "health": {"overall": "good", "services": {"Sophos MCS Agent": "running", "Sophos File Scanner": "stopped"}},
        "os": {"platform": "windows", "name": "Windows Server 2019", "is_server": True, "build": 17763},
        "ipv4_addresses": ["192.168.66.10"],
        "restart_alert": {"id": "a-Event::Endpoint::UpdateRebootUrgentlyRequired",
                          "type": "Event::Endpoint::UpdateRebootUrgentlyRequired", "severity": "medium",
                          "raised_at": "2025-11-11T07:00:00Z", "pending_days": 20},
    }
    assert central.groups_of(shaped) == ["sophos_central_restart_alert"]


def test_shape_endpoint_unknowns_stay_unknown():
    shaped = central.shape_endpoint({"id": "e2", "online": "True", "health": "odd"},
                                    [alert("Event::Endpoint::UpdateRebootRequired", raised="yesterday")], NOW)
    assert shaped["online"] is None and shaped["last_seen_at"] is None
    assert shaped["health"] == {"overall": None, "services": {}}
    assert shaped["restart_alert"]["raised_at"] is None and shaped["restart_alert"]["pending_days"] is None
    assert central.groups_of(shaped) == ["sophos_central_restart_alert"]
    assert central.groups_of(central.shape_endpoint(endpoint(online=False, health={"overall": "bad"}), [], NOW)) \
        == ["sophos_central_health_bad", "sophos_central_offline"]


def test_alerts_join_on_managed_agent_and_orphans_warned_once():
    joined, orphans = central.alerts_by_endpoint([alert("A"), alert("B", agent=None), alert("C", agent="e9"),
                                                  {"type": "D", "managedAgent": {"type": "server"}}])
    assert sorted(joined) == ["e1", "e9"] and len(orphans) == 2
    assert central.orphan_warning(orphans).startswith("2 Sophos Central alert(s) name no endpoint")
    assert central.orphan_warning([]) is None


def test_match_names_exact_short_name_case_insensitive():
    items = [endpoint(id="e1", hostname="WEB1"), endpoint(id="e2", hostname="web10"),
             endpoint(id="e3", hostname="db1"), endpoint(id="e4", hostname="DB1")]
    found = central.match_names(["web1.example.com", "Web1", "db1", "nope"], items)
    assert [e["id"] for e in found["web1.example.com"]] == ["e1"]
    assert [e["id"] for e in found["Web1"]] == ["e1"]
    assert sorted(e["id"] for e in found["db1"]) == ["e3", "e4"]
    assert found["nope"] == []


def good_options(**extra):
    options = dict(central.DEFAULTS, client_id="id", client_secret="s3cret")
    options.update(extra)
    return options


@pytest.mark.parametrize("extra, option", [
    ({"client_secret": None}, "client_secret"), ({"client_id": ""}, "client_id"),
    ({"global_url": "api.central.sophos.com"}, "global_url"), ({"identity_url": "ftp://x"}, "identity_url"),
    ({"page_size": 501}, "page_size"), ({"page_size": 0}, "page_size"), ({"timeout": 0}, "timeout"),
    ({"endpoint_type": "laptop"}, "endpoint_type"),
])
def test_check_options_names_the_option(extra, option):
    problems = central.check_options(good_options(**extra))
    assert len(problems) == 1 and problems[0].startswith(option), problems
    assert "s3cret" not in problems[0]


def test_check_options_accepts_defaults():
    assert central.check_options(good_options()) == []


def test_defaults_match_the_documentation():
    """The DOCUMENTATION of the plugins repeats DEFAULTS: they must agree."""
    import yaml
    from ansible_collections.fleetops.sophos.plugins.inventory import central as inventory
    from ansible_collections.fleetops.sophos.plugins.doc_fragments import central as fragment
    for text in (inventory.DOCUMENTATION, fragment.ModuleDocFragment.DOCUMENTATION):
        options = yaml.safe_load(text)["options"]
        for name, value in central.DEFAULTS.items():
            if name in options:
                assert options[name].get("default") == value, (name, text[:40])


class Script:
    """A transport that answers from a list of (status, headers, body) and records the requests."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = []

    def __call__(self, method, url, headers, data, timeout, validate_certs, ca_path):
        self.sent.append({"method": method, "url": url, "headers": headers, "data": data})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, headers, body = answer
        return status, headers, json.dumps(body).encode() if not isinstance(body, bytes) else body


TOKEN = (200, {}, {"access_token": "tok-1", "expires_in": 3600})
TOKEN2 = (200, {}, {"access_token": "tok-2", "expires_in": 3600})
WHO = (200, {}, {"id": "t1", "idType": "tenant", "apiHosts": {"dataRegion": "https://eu.example"}})


def client(script, clock=lambda: NOW, warn=None):
    sleeps = []
    made = central.Client("id", "s3cret", "https://id.example", "https://api.example", transport=script,
                          clock=clock, sleep=sleeps.append, warn=warn)
    return made, sleeps


def test_retry_after_is_honoured_and_5xx_backs_off_within_bounds():
    script = Script([TOKEN, (429, {"Retry-After": "7"}, {}), (503, {}, {}), (429, {}, {}), WHO])
    made, sleeps = client(script)
    assert made.whoami()["id"] == "t1"
    assert sleeps == [7.0, 2.0, 4.0]


def test_retries_are_bounded_and_the_error_names_call_and_request_id():
    body = {"error": "internalServerError", "message": "Internal Server Error.", "requestId": "r-42"}
    script = Script([TOKEN] + [(500, {}, body)] * 4)
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.whoami()
    text = str(caught.value)
    assert "whoami" in text and "r-42" in text and "after 4 attempts" in text and "HTTP 500" in text
    assert "tok-1" not in text and "s3cret" not in text
    assert len(script.sent) == 5


def test_a_401_renews_the_token_once_then_fails():
    script = Script([TOKEN, (401, {}, {"error": "Unauthorized"}), TOKEN2, WHO])
    made, _sleeps = client(script)
    made.whoami()
    assert script.sent[-1]["headers"]["Authorization"] == "Bearer tok-2"
    script = Script([TOKEN, (401, {}, {}), TOKEN2, (401, {}, {"error": "Unauthorized", "requestId": "r-1"})])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError, match="HTTP 401.*r-1"):
        made.whoami()


def test_token_is_renewed_before_it_expires():
    now = [NOW]
    script = Script([TOKEN, WHO, TOKEN2, (200, {}, {"items": []})])
    made, _sleeps = client(script, clock=lambda: now[0])
    made.whoami()
    now[0] += 3600 - 100  # inside the renewal margin
    made.call("x", "GET", "https://eu.example/x")
    assert [s["url"].split("/")[-1] for s in script.sent] == ["token", "v1", "token", "x"]
    assert script.sent[-1]["headers"]["Authorization"] == "Bearer tok-2"
    assert "client_secret=s3cret" in script.sent[0]["data"] and "scope=token" in script.sent[0]["data"]


def test_wrong_secret_names_the_identity_error():
    script = Script([(401, {}, {"errorCode": "oauth.invalid_client_secret", "message": "Unauthorized",
                                "trackingId": "tr-9"})])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.token()
    assert "oauth.invalid_client_secret" in str(caught.value) and "tr-9" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_partner_tenants_paged_and_a_403_tenant_skipped_with_a_warning():
    who = (200, {}, {"id": "p1", "idType": "partner", "apiHosts": {"global": "https://api.example"}})
    page1 = (200, {}, {"pages": {"current": 1, "total": 2}, "items": [
        {"id": "t1", "showAs": "One", "apiHost": "https://eu.example"}]})
    page2 = (200, {}, {"pages": {"current": 2, "total": 2}, "items": [
        {"id": "t2", "showAs": "Two", "apiHost": "https://us.example"}]})
    forbidden = (403, {}, {"error": "forbidden", "message": "Forbidden", "requestId": "r-403"})
    endpoints = (200, {}, {"pages": {"nextKey": "k2"}, "items": [endpoint()]})
    last = (200, {}, {"pages": {"fromKey": "k2"}, "items": [endpoint(id="e2", hostname="B")]})
    alerts = (200, {}, {"pages": {}, "items": [alert("Event::Endpoint::UpdateRebootUrgentlyRequired")]})
    script = Script([TOKEN, who, page1, page2, forbidden, endpoints, last, alerts])
    warnings = []
    made, _sleeps = client(script, warn=warnings.append)
    hosts, orphans = made.fleet(now=NOW)
    assert [h["id"] for h in hosts] == ["e1", "e2"] and orphans == []
    assert hosts[0]["restart_alert"]["pending_days"] == 20
    assert len(warnings) == 1 and "One (t1)" in warnings[0] and "r-403" in warnings[0]
    sent = script.sent
    assert sent[2]["headers"]["X-Partner-ID"] == "p1" and "page=1" in sent[2]["url"]
    assert "page=2" in sent[3]["url"]
    assert sent[5]["url"].startswith("https://us.example/endpoint/v1/endpoints?")
    assert sent[5]["headers"]["X-Tenant-ID"] == "t2"
    assert "pageFromKey=k2" in sent[6]["url"] and "view=full" in sent[6]["url"]


def test_tenant_ids_limit_and_unknown_ids_are_named():
    script = Script([TOKEN, WHO])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError, match="tenant_ids.*t-other"):
        made.tenants(["t-other"])


def test_api_host_must_be_https():
    with pytest.raises(central.CentralError, match="https apiHost"):
        central.check_api_host({"id": "t", "name": "T", "api_host": "http://evil.example"})
    central.check_api_host({"id": "t", "name": "T", "api_host": "https://api-eu01.central.sophos.com"})


def test_awx_credential_type_injects_what_the_plugins_read():
    import os
    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
    with open(os.path.join(root, "docs", "awx", "sophos-central-credential-type.json")) as handle:
        kind = json.load(handle)
    fields = dict((f["id"], f) for f in kind["inputs"]["fields"])
    assert fields["client_secret"]["secret"] is True and kind["kind"] == "cloud"
    assert kind["injectors"]["env"] == dict((central.ENV[name], "{{ %s }}" % name) for name in central.ENV)
    for name in ("identity_url", "global_url"):
        assert fields[name]["default"] == central.DEFAULTS[name]
    with open(os.path.join(root, "docs", "awx", "sophos-central-inventory-source.json")) as handle:
        source = json.load(handle)
    assert source["source_path"].endswith("sophos_central.yml")
    assert os.path.isfile(os.path.join(root, source["source_path"]))
