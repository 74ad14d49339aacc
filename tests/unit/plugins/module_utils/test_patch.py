# -*- coding: utf-8 -*-
"""Unit tests of the patch role's package selection (module_utils/_patch.py)."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _patch

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
