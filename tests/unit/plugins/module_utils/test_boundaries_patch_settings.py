"""Edges of the patch role's pure helpers and of the shared setting parsers, with hand-written answers."""
import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _patch, _settings

SIMULATION = """NOTE: This is only a simulation!
Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst bash [5.2.15-2] (5.2.15-2+b2 Debian:12.8/stable [amd64])
Inst linux-image-6.1.0-27-amd64 (6.1.115-1 Debian-Security:12/stable-security [amd64])
Conf libssl3 (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
  Inst tzdata [2024a-0+deb12u1] (2024b-0+deb12u1 Debian:12.8/stable-updates [all])
"""


def test_apt_candidates_every_field():
    assert _patch.apt_candidates(SIMULATION) == [
        {"name": "libssl3", "old": "3.0.11-1~deb12u1", "new": "3.0.11-1~deb12u2",
         "origin": "Debian-Security:12/stable-security", "security": True},
        {"name": "bash", "old": "5.2.15-2", "new": "5.2.15-2+b2", "origin": "Debian:12.8/stable", "security": False},
        {"name": "tzdata", "old": "2024a-0+deb12u1", "new": "2024b-0+deb12u1",
         "origin": "Debian:12.8/stable-updates", "security": False},
    ]


def test_apt_candidates_security_only_and_exclude():
    assert [c["name"] for c in _patch.apt_candidates(SIMULATION, security_only=True)] == ["libssl3"]
    assert [c["name"] for c in _patch.apt_candidates(SIMULATION, exclude=["lib*", "tz?ata"])] == ["bash"]
    # Globs are case-sensitive, like package names.
    assert [c["name"] for c in _patch.apt_candidates(SIMULATION, exclude=["BASH"])] == ["libssl3", "bash", "tzdata"]
    assert _patch.apt_candidates("Inst x [1] (2 [all])\n") == [
        {"name": "x", "old": "1", "new": "2", "origin": "", "security": False}]


@pytest.mark.parametrize("simulation, exclude, message", [
    (None, (), "apt simulation output must be text, got NoneType"),
    (b"Inst", (), "apt simulation output must be text, got bytes"),
    ("", [" "], "patch_exclude entries must be package names or glob patterns, got ' '"),
    ("", [3], "patch_exclude entries must be package names or glob patterns, got 3"),
])
def test_apt_candidates_refuses(simulation, exclude, message):
    with pytest.raises(_patch.PatchError) as info:
        _patch.apt_candidates(simulation, exclude=exclude)
    assert str(info.value) == message


def test_describe_and_titles():
    assert _patch.describe([{"name": "bash", "old": "1", "new": "2"}]) == ["bash 1 -> 2"]
    assert _patch.win_update_titles({"z": {"title": "Two KBs", "kb": ["1", 2]}, "y": {"kb": []},
                                     "x": {"title": "", "kb": ["7"]}}) == [
        "x (KB7)", "y", "Two KBs (KB1, KB2)"]
    assert _patch.win_update_titles(None) == []
    # An entry that is not a dict is skipped; the ones sorted after it still count.
    assert _patch.win_update_titles({"a": None, "b": {"title": "Cumulative", "kb": [5040000]}, "c": "x",
                                     "d": {"title": "Defender"}}) == ["Cumulative (KB5040000)", "Defender"]


def test_record_every_field():
    assert _patch.record("skipped", None, 0) == {
        "status": "skipped", "changes": [], "would_install": [], "reboot_required": False, "rebooted": False,
        "manager": None, "check_mode": False, "message": "", "removed": [], "warnings": []}
    assert _patch.record("patched", ("a",), "yes", rebooted=1, manager="apt", check_mode=1,
                         would_install=("b",), message="m", removed=("c",), warnings=("w",)) == {
        "status": "patched", "changes": ["a"], "would_install": ["b"], "reboot_required": True, "rebooted": True,
        "manager": "apt", "check_mode": True, "message": "m", "removed": ["c"], "warnings": ["w"]}
    for status in ("patched", "unchanged", "skipped", "failed"):
        assert _patch.record(status, [], False)["status"] == status
    with pytest.raises(_patch.PatchError) as info:
        _patch.record("done", [], False)
    assert str(info.value) == "unknown patch status 'done'"


def test_settings_defaults_and_conversions():
    assert _patch.settings(None) == {
        "enabled": True, "security_only": False, "win_reboot": False, "exclude": [], "win_categories": [],
        "win_accept_list": [], "win_reject_list": [], "apt_cache_valid_time": 0, "win_reboot_timeout": 1200, "lock_timeout": 120}
    got = _patch.settings({"enabled": "no", "exclude": "a\nb,c", "apt_cache_valid_time": "0",
                           "win_reboot_timeout": "1", "win_accept_list": [5040000]})
    assert (got["enabled"], got["exclude"], got["apt_cache_valid_time"], got["win_reboot_timeout"],
            got["win_accept_list"]) == (False, ["a", "b", "c"], 0, 1, ["5040000"])


@pytest.mark.parametrize("raw, message", [
    ({"bogus": 1, "also": 2}, "unknown patch setting(s): also, bogus"),
    ({"win_reboot_timeout": 0}, "patch_win_reboot_timeout must be > 0, got 0"),
    ({"apt_cache_valid_time": -1}, "patch_apt_cache_valid_time must be >= 0, got -1"),
    ({"apt_cache_valid_time": "1.5"}, "patch_apt_cache_valid_time must be an integer, got '1.5'"),
    ({"win_reboot_timeout": "1.5"}, "patch_win_reboot_timeout must be an integer, got '1.5'"),
    ({"win_reboot_timeout": 600.5}, "patch_win_reboot_timeout must be an integer, got 600.5"),
    ({"security_only": "maybe"}, "patch_security_only must be true or false"),
    ({"exclude": {"a": 1}}, "patch_exclude must be a list of strings or one string with an entry per line, "
                            "got dict {'a': 1}"),
])
def test_settings_refuse_naming_the_variable(raw, message):
    with pytest.raises(_patch.PatchError) as info:
        _patch.settings(raw)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (" Yes ", True), ("ON", True), ("y", True),
    ("t", True), ("1", True), ("No", False), ("off", False), ("n", False), ("F", False), ("0", False),
    ("true", True), ("false", False),
])
def test_flag_words(value, expected):
    assert _settings.flag(value, "v") is expected


@pytest.mark.parametrize("value", [2, -1, "maybe", None, [], "", 0.5])
def test_flag_refuses(value):
    with pytest.raises(_settings.SettingError) as info:
        _settings.flag(value, "patch_enabled")
    assert str(info.value) == ("patch_enabled must be true or false (also yes/no, on/off, 1/0, any case), got %r"
                               % (value,))


@pytest.mark.parametrize("value, kwargs, expected", [
    ("2.0", {"integer": True}, 2), (" 3 ", {}, 3.0), (5, {"minimum": 5}, 5.0), (0, {"minimum": 0, "integer": True}, 0),
    (0.5, {"minimum": 0, "above": True}, 0.5), ("7", {"integer": True, "minimum": 1, "above": True}, 7),
])
def test_number_accepts(value, kwargs, expected):
    got = _settings.number(value, "n", **kwargs)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("value, kwargs, message", [
    (True, {}, "n must be a number, got True"),
    (None, {}, "n must be a number, got None"),
    ([1], {}, "n must be a number, got [1]"),
    ("x", {}, "n must be a number, got 'x'"),
    ("x", {"integer": True}, "n must be an integer number, got 'x'"),
    ("nan", {}, "n must be a finite number, got 'nan'"),
    (float("inf"), {}, "n must be a finite number, got inf"),
    (1.5, {"integer": True}, "n must be an integer, got 1.5"),
    (4, {"minimum": 5}, "n must be >= 5, got 4"),
    (4.99, {"minimum": 5}, "n must be >= 5, got 4.99"),
    (5, {"minimum": 5, "above": True}, "n must be > 5, got 5"),
    (0, {"minimum": 0, "above": True, "integer": True}, "n must be > 0, got 0"),
])
def test_number_refuses_at_the_edge(value, kwargs, message):
    with pytest.raises(_settings.SettingError) as info:
        _settings.number(value, "n", **kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize("value, expected", [
    (None, []), ("", []), ("a", ["a"]), (" a ,\r\n b,,\n", ["a", "b"]), ("a\rb", ["a", "b"]),
    (["x ", 5040000, 1.5], ["x", "5040000", "1.5"]), (("t",), ["t"]), ([], []),
])
def test_text_list(value, expected):
    assert _settings.text_list(value, "l") == expected


@pytest.mark.parametrize("value, message", [
    (5, "l must be a list of strings or one string with an entry per line, got int 5"),
    ({"a": 1}, "l must be a list of strings or one string with an entry per line, got dict {'a': 1}"),
    (["ok", " "], "l entries must be non-empty strings, got ' '"),
    ([True], "l entries must be non-empty strings, got True"),
    ([None], "l entries must be non-empty strings, got None"),
])
def test_text_list_refuses(value, message):
    with pytest.raises(_settings.SettingError) as info:
        _settings.text_list(value, "l")
    assert str(info.value) == message
