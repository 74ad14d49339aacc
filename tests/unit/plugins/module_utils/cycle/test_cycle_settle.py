# -*- coding: utf-8 -*-
"""The settle after a restart (module_utils/_cycle.py settle_state, settled): poll and fixed modes, evidence,
an update still running, the host's clock, and each end condition at, below and above its edge."""

from __future__ import absolute_import, division, print_function

from datetime import timedelta

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
from ansible_collections.fleetops.sophos.tests.unit.cycle_facts import BOOT, T0, edge_facts, facts, settle_after, state


# ------------------------------------------------------------ settle

def test_settle_skipped_without_sophos():
    s = settle_after(facts(installed=False), 0)
    assert (s["wait"], s["ended"]) == (False, "skipped")


def test_settle_poll_waits_and_says_for_what():
    s = settle_after(facts(), 2, settle_minutes=20, poll_seconds=30)
    assert s["wait"] and s["sleep"] == 30 and s["seconds_left"] == 18 * 60
    assert "post-boot update" in s["waiting_for"] and "18m00s left" in s["reason"]


def test_settle_poll_sleep_never_passes_the_interval():
    s = settle_after(facts(), 19.9, settle_minutes=20, poll_seconds=30)
    assert s["wait"] and abs(s["sleep"] - 6) < 1e-6


def test_settle_poll_ends_on_evidence():
    s = settle_after(facts(updated_since_boot=True), 6)
    assert (s["wait"], s["ended"]) == (False, "evidence")


def test_settle_poll_keeps_waiting_while_updating():
    s = settle_after(facts(updated_since_boot=True, updating=True, strong=["sophos_reboot_required"]), 6)
    assert s["wait"] and "running" in s["waiting_for"]


def test_settle_poll_ends_when_restart_required_again():
    s = settle_after(facts(strong=["sophos_reboot_required"]), 7)
    assert (s["wait"], s["ended"]) == (False, "reboot_required")
    assert "sophos_reboot_required" in s["reason"]


def test_settle_weak_reason_does_not_end_poll():
    assert settle_after(facts(weak=["pending_file_rename"]), 7)["wait"]


def test_settle_poll_full_interval_without_evidence():
    s = settle_after(facts(), 20)
    assert (s["wait"], s["ended"]) == (False, "interval")


def test_settle_fixed_ignores_evidence():
    s = settle_after(facts(updated_since_boot=True), 6, settle_mode="fixed")
    assert s["wait"] and "fixed" in s["waiting_for"]
    assert settle_after(facts(updated_since_boot=True), 20, settle_mode="fixed")["ended"] == "interval"


def test_settle_measured_from_last_boot_not_from_now():
    # The host booted 15 minutes before the first reading (a win_updates restart): 5 minutes left.
    f = facts(boot=T0 - timedelta(minutes=15))
    s = _cycle.settle_state(f, _cycle.normalize_settings({}, T0), T0)
    assert s["seconds_left"] == 300


def test_settle_without_boot_time_uses_fallback_start():
    f = facts(boot=None)
    s = _cycle.settle_state(f, _cycle.normalize_settings({}, T0 + timedelta(minutes=5)), T0 + timedelta(minutes=5), since="2026-11-28T02:00:00Z")
    assert s["seconds_left"] == 15 * 60


def test_settle_clock_skew_never_gives_negative_elapsed():
    s = _cycle.settle_state(facts(boot=T0 + timedelta(minutes=3)), _cycle.normalize_settings({}, T0), T0)
    assert s["elapsed"] == 0 and s["seconds_left"] == 1200


@pytest.mark.parametrize("skew_minutes", [-30, -3, 0, 3, 30])
def test_settle_uses_the_host_clock_not_the_controller_clock(skew_minutes):
    """Time since boot is the host's read time minus the host's boot time: a skewed controller
    clock neither shortens nor lengthens the settle."""
    f = facts()
    f["checked_at"] = _time.iso(T0 + timedelta(minutes=5))
    controller_now = T0 + timedelta(minutes=5 + skew_minutes)
    s = _cycle.settle_state(f, _cycle.normalize_settings({"settle_minutes": 20}, controller_now), controller_now)
    assert s["elapsed"] == 300 and s["seconds_left"] == 15 * 60 and s["wait"]
    f["checked_at"] = _time.iso(T0 + timedelta(minutes=20))
    assert _cycle.settle_state(f, _cycle.normalize_settings({"settle_minutes": 20}, controller_now), controller_now)["ended"] == "interval"


def test_settle_with_a_bad_read_time_names_it():
    f = facts()
    f["checked_at"] = "yesterday"
    with pytest.raises(_time.TimeError, match="checked_at"):
        _cycle.settle_state(f, _cycle.normalize_settings({}, T0), T0)


def test_settled_refuses_a_running_settle():
    with pytest.raises(_cycle.CycleError, match="still waiting"):
        _cycle.settled(state(), settle_after(facts(), 1))


def test_settle_without_a_boot_time_counts_from_the_cycle_start():
    """No restart of our own and no readable boot time: the settle counts from the cycle's start."""
    unreadable = facts(boot=None)
    s = _cycle.start(unreadable, _cycle.normalize_settings({"settle_minutes": 1, "settle_mode": "fixed"}, T0), T0, prior_restart=True)
    since = _cycle.settle_since(s)
    assert _cycle.settle_state(unreadable, s["settings"], T0 + timedelta(seconds=30), since=since)["wait"]
    settle = _cycle.settle_state(unreadable, s["settings"], T0 + timedelta(seconds=61), since=since)
    assert not settle["wait"] and settle["ended"] == "interval"


# ------------------------------------------------------------------ settle end conditions

@pytest.mark.parametrize("seconds, wait, ended, left", [
    (20 * 60 - 1, True, None, 1.0),
    (20 * 60, False, "interval", 0.0),
    (20 * 60 + 1, False, "interval", 0.0),
])
def test_settle_interval_edge(seconds, wait, ended, left):
    read_at = BOOT + timedelta(seconds=seconds)
    settle = _cycle.settle_state(edge_facts(read_at=read_at), _cycle.normalize_settings({"settle_minutes": 20, "poll_seconds": 30}, read_at), read_at)
    assert (settle["wait"], settle["ended"], settle["seconds_left"]) == (wait, ended, left)
    assert settle["elapsed"] == float(seconds) and settle["interval"] == 1200.0
    assert settle["since"] == "2026-11-28T02:00:00Z" and settle["mode"] == "poll"


def test_settle_sleep_is_the_poll_or_what_is_left():
    read_at = BOOT + timedelta(seconds=1200 - 31)
    settle = _cycle.settle_state(edge_facts(read_at=read_at), _cycle.normalize_settings({"poll_seconds": 30}, read_at), read_at)
    assert settle["sleep"] == 30.0
    assert settle["reason"] == ("31s left of 20m00s after boot; waiting for Sophos to run and finish its "
                                "post-boot update (none finished since boot)")
    read_at = BOOT + timedelta(seconds=1200 - 29)
    settle = _cycle.settle_state(edge_facts(read_at=read_at), _cycle.normalize_settings({"poll_seconds": 30}, read_at), read_at)
    assert settle["sleep"] == 29.0 and settle["waiting_for"].startswith("Sophos to run and finish")


@pytest.mark.parametrize("updating, updated, strong, mode, expected", [
    (False, True, (), "poll", (False, "evidence")),
    (True, True, (), "poll", (True, None)),           # an update still running: wait
    (False, False, (), "poll", (True, None)),         # nothing finished since boot: wait
    (False, False, ("reboot_required_file",), "poll", (False, "reboot_required")),
    (True, False, ("reboot_required_file",), "poll", (True, None)),
    (False, True, (), "fixed", (True, None)),         # fixed mode ignores the evidence
    (False, False, ("reboot_required_file",), "fixed", (True, None)),
])
def test_settle_poll_ends(updating, updated, strong, mode, expected):
    read_at = BOOT + timedelta(minutes=6)
    f = edge_facts(strong=strong, updating=updating, updated=updated, read_at=read_at)
    settle = _cycle.settle_state(f, _cycle.normalize_settings({"settle_mode": mode}, read_at), read_at)
    assert (settle["wait"], settle["ended"]) == expected
    assert settle["updating"] is updating
    if updating and expected[0]:
        assert settle["waiting_for"] == "Sophos to finish the update it is running"
    if mode == "fixed":
        assert settle["waiting_for"] == "the fixed settle time after boot (Sophos advises 20 minutes)"


def test_settle_reasons_and_fixed_interval_end():
    read_at = BOOT + timedelta(minutes=6)
    assert _cycle.settle_state(edge_facts(updated=True, read_at=read_at), _cycle.normalize_settings({}, read_at), read_at)["reason"] == (
        "Sophos finished an update after this boot (last update 2026-11-28T02:06:00Z) and is not updating")
    assert _cycle.settle_state(edge_facts(strong=("a", "b"), read_at=read_at), _cycle.normalize_settings({}, read_at), read_at)["reason"] == (
        "a restart is required again (a, b) and Sophos is not updating")
    late = BOOT + timedelta(minutes=21)
    assert _cycle.settle_state(edge_facts(read_at=late), _cycle.normalize_settings({"settle_mode": "fixed"}, late), late)["reason"] == (
        "21m00s since boot: the fixed settle time is over")
    assert _cycle.settle_state(edge_facts(read_at=late), _cycle.normalize_settings({}, late), late)["reason"] == (
        "21m00s since boot and no finished Sophos update seen: the settle interval is over")
    skipped = _cycle.settle_state(edge_facts(installed=False, read_at=read_at), _cycle.normalize_settings({}, read_at), read_at)
    assert (skipped["wait"], skipped["ended"], skipped["waiting_for"]) == (False, "skipped", None)


def test_settle_clock_without_boot_or_reading_time():
    now = BOOT + timedelta(minutes=5)
    # No boot time: counted from ``since`` (the restart's return), on the controller clock.
    settle = _cycle.settle_state(edge_facts(boot=None), _cycle.normalize_settings({}, now), now, since=_time.iso(BOOT + timedelta(minutes=1)))
    assert settle["elapsed"] == 240.0 and settle["since"] == "2026-11-28T02:01:00Z"
    settle = _cycle.settle_state(edge_facts(boot=None), _cycle.normalize_settings({}, now), now)
    assert settle["elapsed"] == 0.0
    # No checked_at: the controller clock against the boot time.
    assert _cycle.settle_state(edge_facts(), _cycle.normalize_settings({}, now), now)["elapsed"] == 300.0
    # A reading before the boot (clock skew) is no negative time.
    early = BOOT - timedelta(minutes=1)
    assert _cycle.settle_state(edge_facts(read_at=early), _cycle.normalize_settings({}, now), now)["elapsed"] == 0.0
