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
    with pytest.raises(_patch.PatchError):
        _patch.record("done", [], False)
    assert _patch.record("patched", ["x"], True)["reboot_required"] is True
