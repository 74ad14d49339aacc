# -*- coding: utf-8 -*-
"""Unit tests of the patch role's pure helpers (module_utils/_patch.py): package selection, settings, records, what
each package manager said, and their edges with hand-written answers."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _patch
from ansible_collections.fleetops.sophos.tests.unit import fixture_files

SIMULATION = """NOTE: This is only a simulation!
Reading package lists...
Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst linux-image-6.1.0-27-amd64 (6.1.115-1 Debian-Security:12/stable-security [amd64])
Inst linux-image-amd64 [6.1.112-1] (6.1.115-1 Debian-Security:12/stable-security [amd64])
Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.15/oldstable, Debian-Security:12/stable-security [all])
Conf libssl3 (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
"""


def names(entries):
    return [e["name"] for e in entries]


def test_all_upgrades_of_installed_packages():
    picked = _patch.apt_candidates(SIMULATION)
    assert names(picked) == ["libssl3", "linux-image-amd64", "bash", "tzdata"]
    assert _patch.describe(picked)[0] == "libssl3 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2"


def test_security_only():
    assert names(_patch.apt_candidates(SIMULATION, security_only=True)) == ["libssl3", "linux-image-amd64", "tzdata"]


def test_exclusions_are_globs():
    picked = _patch.apt_candidates(SIMULATION, exclude=["linux-image-*", "bash"])
    assert names(picked) == ["libssl3", "tzdata"]


@pytest.mark.parametrize("exclude", [[""], [None], ["  "]])
def test_bad_exclusions_are_refused(exclude):
    with pytest.raises(_patch.PatchError, match="patch_exclude entries"):
        _patch.apt_candidates(SIMULATION, exclude=exclude)


def test_simulation_must_be_text():
    with pytest.raises(_patch.PatchError, match="must be text"):
        _patch.apt_candidates(None)


def test_win_update_titles():
    updates = {"b": {"title": "2026-11 Cumulative Update", "kb": ["5040000"]}, "a": {"title": "Defender"},
               "c": "junk"}
    assert _patch.win_update_titles(updates) == ["Defender", "2026-11 Cumulative Update (KB5040000)"]


def test_record_refuses_unknown_status():
    with pytest.raises(_patch.PatchError, match="unknown patch status 'done'"):
        _patch.record("done", [], False)
    assert _patch.record("patched", ["x"], True)["reboot_required"] is True


# ------------------------------------------------------------ settings as AWX surveys send them


def test_settings_defaults():
    assert _patch.settings({}) == {
        "enabled": True, "security_only": False, "exclude": [], "apt_cache_valid_time": 0,
        "win_categories": [], "win_accept_list": [], "win_reject_list": [], "win_reboot": False,
        "win_reboot_timeout": 1200, "lock_timeout": 120}


@pytest.mark.parametrize("text,expected", [("true", True), ("False", False), ("yes", True), ("NO", False),
                                           ("1", True), ("0", False), (True, True), (0, False)])
def test_survey_flags(text, expected):
    s = _patch.settings({"enabled": text, "security_only": text, "win_reboot": text})
    assert (s["enabled"], s["security_only"], s["win_reboot"]) == (expected, expected, expected)


@pytest.mark.parametrize("text,expected", [
    ("linux-image-*\nbash", ["linux-image-*", "bash"]),            # AWX text area, one per line
    ("linux-image-*\r\nbash\r\n\r\n", ["linux-image-*", "bash"]),  # browser line ends, empty lines
    ("linux-image-*, bash,", ["linux-image-*", "bash"]),            # -e patch_exclude=a,b
    ("", []),
    ("bash", ["bash"]),
    (["bash", " zsh "], ["bash", "zsh"]),
    ([5034441], ["5034441"]),                                      # a KB number written without quotes
])
def test_exclude_from_a_text_area(text, expected):
    assert _patch.settings({"exclude": text})["exclude"] == expected


def test_survey_numbers():
    s = _patch.settings({"apt_cache_valid_time": "3600", "win_reboot_timeout": "600.0"})
    assert s["apt_cache_valid_time"] == 3600 and s["win_reboot_timeout"] == 600


@pytest.mark.parametrize("raw,message", [
    ({"enabled": "maybe"}, "patch_enabled must be true or false"),
    ({"security_only": 2}, "patch_security_only must be true or false"),
    ({"exclude": {"bash": 1}}, "patch_exclude must be a list of strings"),
    ({"exclude": ["bash", ""]}, "patch_exclude entries must be non-empty strings"),
    ({"apt_cache_valid_time": "soon"}, "patch_apt_cache_valid_time must be an integer"),
    ({"apt_cache_valid_time": -1}, "patch_apt_cache_valid_time must be >= 0"),
    ({"win_reboot_timeout": 0}, "patch_win_reboot_timeout must be > 0"),
    ({"win_categories": 3}, "patch_win_categories must be a list"),
    ({"exlude": []}, "unknown patch setting"),
])
def test_bad_settings_name_the_variable(raw, message):
    with pytest.raises(_patch.PatchError, match=message):
        _patch.settings(raw)


# What community.general.zypper returned on a lab host with a repository whose metadata does not parse.
ZYPPER_FAILED = {
    "msg": "Zypper run failed.", "rc": 106,
    "stdout": "<?xml version='1.0'?>\n<stream>\n<message type=\"error\">Repository &apos;fleetops lab (broken "
              "metadata)&apos; is invalid.\n[fleetops-broken|dir:/srv/fleetops-repo/rpm/broken] Valid metadata not "
              "found at specified URL\n</message>\n<message type=\"warning\">Skipping repository.</message>\n"
              "<message type=\"error\">Some of the repositories have not been refreshed because of an error."
              "</message>\n</stream>\n",
}


def test_manager_error_gives_zyppers_own_words():
    text = _patch.manager_error(ZYPPER_FAILED)
    assert text.startswith("Zypper run failed. Repository 'fleetops lab (broken metadata)' is invalid.")
    assert "[fleetops-broken|dir:/srv/fleetops-repo/rpm/broken] Valid metadata not found" in text
    assert "Skipping" not in text and text.endswith("because of an error.")


def test_manager_error_other_managers_and_bad_input():
    dnf = {"msg": "Failed to download metadata for repo 'fleetops-broken'", "rc": 1, "results": []}
    assert _patch.manager_error(dnf) == dnf["msg"]
    assert _patch.manager_error({"msg": "", "stdout": None}) == "no message"
    assert _patch.manager_error(None) == "no message"
    assert _patch.manager_error({"msg": ["not text"], "stdout": 3}) == "no message"


# ---------------------------------------------------------------- one step for every family: what each module said

def recorded(name):
    return fixture_files.load("patch", name + ".json")


def test_dnf_counts_installed_and_pairs_the_removed_versions_of_an_upgrade():
    # ansible.builtin.dnf on the lab's el host: 4 "Installed:" lines (3 upgrades, an install-only kernel)
    # and 3 "Removed:" lines (the versions the upgrades replaced). 4 changes, nothing removed.
    changes, removed = _patch.dnf_outcome(recorded("dnf_upgrade"))
    assert changes == ["fleetops-sec 1.0-1 -> 2.0-1", "kernel 2.0-1", "fleetops-demo 1.0-1 -> 2.0-1",
                       "fleetops-held 1.0-1 -> 2.0-1"]
    assert removed == []
    assert _patch.dnf_outcome(recorded("dnf_check")) == (changes, [])


def test_dnf_reports_a_package_removed_apart():
    result = {"results": ["Installed: bash-1:5.1.8-6.el9.x86_64", "Removed: bash-1:5.1.8-4.el9.x86_64",
                          "Removed: oldlib-0.9-1.el9.i686", "Installed: odd", "not a result line", 42]}
    assert _patch.dnf_outcome(result) == (["bash 1:5.1.8-4.el9 -> 1:5.1.8-6.el9", "odd"], ["oldlib 0.9-1.el9"])
    assert _patch.dnf_outcome({"msg": "Nothing to do", "results": []}) == ([], [])
    assert _patch.dnf_outcome(None) == ([], [])


def test_zypper_changes_from_its_diff():
    assert _patch.zypper_outcome(recorded("zypper_skipped_repo")) == (
        ["fleetops-demo 1.0-1 -> 2.0-1", "fleetops-held 1.0-1 -> 2.0-1", "fleetops-sec 1.0-1 -> 2.0-1",
         "kernel 1.0-1 -> 2.0-1"], [])
    diff = {"diff": {"prepared": "installed: kernel-default\nremoved: old-tool, other\nupgraded: a (1 => 2)\n"}}
    assert _patch.zypper_outcome(diff) == (["kernel-default", "a 1 -> 2"], ["old-tool", "other"])
    assert _patch.zypper_outcome({}) == ([], [])


def test_zypper_exit_106_is_done_with_a_warning_naming_the_skipped_repository():
    warning = _patch.zypper_skipped_repos(recorded("zypper_skipped_repo"))
    assert warning.startswith("zypper skipped 'fleetops lab (broken metadata)' it could not read and updated from "
                              "the others (exit 106): Repository 'fleetops lab (broken metadata)' is invalid.")
    assert "Skipping repository 'fleetops lab (broken metadata)' because of the above error." in warning
    # Any other exit is a failure, not a warning.
    assert _patch.zypper_skipped_repos(dict(recorded("zypper_skipped_repo"), rc=4)) is None
    assert _patch.zypper_skipped_repos({"rc": 106}) == ("zypper skipped a repository (zypper named none) it could "
                                                        "not read and updated from the others (exit 106)")
    assert _patch.zypper_skipped_repos(None) is None


def test_module_arguments_of_each_family():
    settings = _patch.settings({"security_only": True, "exclude": ["a*"], "lock_timeout": 7,
                                "win_accept_list": ["KB1"], "win_reject_list": ["KB2"]})
    assert _patch.dnf_args(settings) == {"name": "*", "state": "latest", "update_only": True, "security": True,
                                         "exclude": ["a*"], "lock_timeout": 7}
    assert _patch.zypper_args(settings) == {"name": "*", "state": "latest", "type": "patch",
                                            "extra_args": "--category security"}
    assert _patch.win_args(settings) == {"category_names": ["SecurityUpdates", "CriticalUpdates"],
                                         "state": "installed", "reboot": False, "reboot_timeout": 1200,
                                         "accept_list": ["KB1"], "reject_list": ["KB2", "a*"]}
    assert _patch.win_args(_patch.settings({"win_categories": "Drivers"}))["category_names"] == ["Drivers"]
    assert _patch.win_args(_patch.settings({}))["category_names"] == ["*"]
    assert _patch.apt_refresh_args(settings) == {"update_cache": True, "cache_valid_time": 0, "lock_timeout": 7}


def test_refusals_and_messages():
    settings = _patch.settings({})
    assert _patch.refusal("Debian", settings) is None and _patch.refusal("Windows", settings) is None
    assert _patch.refusal("Gentoo", settings) == "fleetops.sophos.patch does not support the OS family Gentoo"
    assert _patch.refusal("Suse", _patch.settings({"exclude": "x"})) is None
    assert "patch_exclude with patch_security_only is not supported on SUSE" in _patch.refusal(
        "Suse", _patch.settings({"exclude": "x", "security_only": True}))
    assert _patch.outcome_message("dnf", ["a", "b"], ["c"], False) == "installed 2 update(s) with dnf; removed 1 package(s)"
    assert _patch.outcome_message("zypper", ["a"], [], True) == "would install 1 update(s) with zypper"
    assert _patch.outcome_message("apt", [], [], False) == "no update to install with apt"
    assert _patch.shown(_patch.record("patched", ["a"], False, message="m", removed=["r"])) == "m: a (removed: r)"


@pytest.mark.parametrize("value", ["-1", "soon", 1.5])
def test_lock_timeout_is_a_whole_number_of_seconds(value):
    with pytest.raises(_patch.PatchError, match="patch_lock_timeout"):
        _patch.settings({"lock_timeout": value})


# ---------------------------------------------------------------- edges of the pure helpers, with hand-written answers

EDGE_SIMULATION = """NOTE: This is only a simulation!
Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst bash [5.2.15-2] (5.2.15-2+b2 Debian:12.8/stable [amd64])
Inst linux-image-6.1.0-27-amd64 (6.1.115-1 Debian-Security:12/stable-security [amd64])
Conf libssl3 (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
  Inst tzdata [2024a-0+deb12u1] (2024b-0+deb12u1 Debian:12.8/stable-updates [all])
"""


def test_apt_candidates_every_field():
    assert _patch.apt_candidates(EDGE_SIMULATION) == [
        {"name": "libssl3", "old": "3.0.11-1~deb12u1", "new": "3.0.11-1~deb12u2",
         "origin": "Debian-Security:12/stable-security", "security": True},
        {"name": "bash", "old": "5.2.15-2", "new": "5.2.15-2+b2", "origin": "Debian:12.8/stable", "security": False},
        {"name": "tzdata", "old": "2024a-0+deb12u1", "new": "2024b-0+deb12u1",
         "origin": "Debian:12.8/stable-updates", "security": False},
    ]


def test_apt_candidates_security_only_and_exclude():
    assert [c["name"] for c in _patch.apt_candidates(EDGE_SIMULATION, security_only=True)] == ["libssl3"]
    assert [c["name"] for c in _patch.apt_candidates(EDGE_SIMULATION, exclude=["lib*", "tz?ata"])] == ["bash"]
    # Globs are case-sensitive, like package names.
    assert [c["name"] for c in _patch.apt_candidates(EDGE_SIMULATION, exclude=["BASH"])] == ["libssl3", "bash", "tzdata"]
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


def test_zypper_candidates_from_its_update_list_after_excludes():
    """zypper --xmlout list-updates as a lab SUSE host printed it (four package updates)."""
    listing = fixture_files.load("patch", "zypper_list_updates.json")["stdout"]
    everything = _patch.zypper_candidates(listing)
    assert [(c["name"], c["old"], c["new"]) for c in everything] == [
        ("fleetops-demo", "1.0-1", "2.0-1"), ("fleetops-held", "1.0-1", "2.0-1"), ("fleetops-sec", "1.0-1", "2.0-1"),
        ("kernel", "1.0-1", "2.0-1")]
    assert [c["name"] for c in _patch.zypper_candidates(listing, ["fleetops-held", "fleetops-d*"])] == [
        "fleetops-sec", "kernel"]
    assert _patch.zypper_candidates(listing, ["*"]) == []


def test_zypper_candidates_read_defensively():
    patch_entry = ('<stream><update-status version="0.6"><update-list>'
                   '<update kind="patch" name="SUSE-2026-1" edition="1"></update>'
                   '<update name="a&amp;b" edition="2" edition-old="1" kind="package"></update>'
                   '<update kind="package" edition="3"></update></update-list></update-status></stream>')
    assert _patch.zypper_candidates(patch_entry) == [{"name": "a&b", "old": "1", "new": "2"}]
    assert _patch.zypper_candidates('<update-status version="0.6"><update-list/></update-status>') == []
    with pytest.raises(_patch.PatchError, match=r"no update list \(System management is locked\.\)"):
        _patch.zypper_candidates('<stream><message type="error">System management is locked.</message></stream>')
    with pytest.raises(_patch.PatchError, match="must be text"):
        _patch.zypper_candidates(None)
    with pytest.raises(_patch.PatchError, match="patch_exclude entries must be"):
        _patch.zypper_candidates("<update-status/>", [""])


def test_zypper_arguments_by_name_when_excludes_leave_some_out():
    settings = _patch.settings({"exclude": ["fleetops-held"]})
    assert _patch.zypper_args(settings, ["fleetops-sec", "kernel"]) == {
        "name": ["fleetops-sec", "kernel"], "state": "latest", "type": "package"}
    assert _patch.zypper_args(settings)["name"] == "*"
