# -*- coding: utf-8 -*-
"""The cycle waiting its turn (module_utils/_cycle.py): the slot step of a restart group (taken before the first
restart and held for the cycle, refused, too late for the window, check mode, the group settings) and a
restart tier's hold (a hold defers before the first restart, the window bounds the wait, the record carries the
tier)."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)


def facts(strong=("os_reboot_required",)):
    return {"schema": 1, "checked_at": _time.iso(NOW), "read_errors": [], "reboot_required": bool(strong),
            "reasons": [{"id": r, "source": "os", "strong": True, "detail": "t"} for r in strong],
            "sophos": {"installed": False}, "os": {"family": "linux", "last_boot": "2026-12-06T02:00:00Z",
                                                   "boot_id": "b0"}}


# ------------------------------------------------------------------ a restart group's slot

def _state(**settings):
    return _cycle.start(facts(), _cycle.normalize_settings(settings, NOW), NOW)


def test_a_host_in_a_group_takes_a_slot_before_its_first_restart():
    state = _state(group="pair-a")
    decision = _cycle.plan(facts(), state, NOW)
    assert (decision["step"], decision["reason"]) == (
        "slot", "restart 1 needs a slot in restart group(s) pair-a (at most 1 down)")
    state = _cycle.slot_taken(state, 42.04, NOW)
    assert _cycle.plan(facts(), state, NOW)["step"] == "reboot"
    assert state["slot"] == {"groups": ["pair-a"], "waited_seconds": 42.0, "taken_at": "2026-12-07T02:00:00Z",
                             "refused": None}
    # the slot is held for the whole cycle: a second restart takes none again
    state = _cycle.restarted(state, facts(), NOW)
    state = _cycle.settled(state, {"wait": False, "mode": "poll", "elapsed": 0.0, "ended": "interval",
                                   "reason": "r"})
    assert _cycle.plan(facts(), state, NOW)["step"] == "reboot"
    record = _cycle.result(state, _cycle.plan(facts(()), state, NOW), facts(()), NOW)
    assert (record["groups"], record["slot_wait_seconds"]) == (["pair-a"], 42.0)


def test_a_refused_slot_defers_the_host_naming_the_group():
    state = _cycle.slot_refused(_state(group=["b", "a"]), 610, "restart group a was stopped (dc1 failed: x)")
    decision = _cycle.plan(facts(), state, NOW)
    assert (decision["step"], decision["status"], decision["failed"]) == ("defer", "deferred", False)
    assert decision["reason"] == "restart 1 deferred (os_reboot_required): restart group a was stopped (dc1 failed: x)"
    record = _cycle.result(state, decision, facts(), NOW)
    assert (record["status"], record["groups"], record["slot_wait_seconds"]) == ("deferred", ["a", "b"], 610)


def test_a_slot_that_came_too_late_is_judged_by_the_window_again():
    state = _cycle.slot_taken(_state(group="g", window_end="2026-12-07T02:20:00Z", restart_expected_minutes=5),
                              900, NOW)
    late = datetime(2026, 12, 7, 2, 16, tzinfo=timezone.utc)
    assert _cycle.plan(facts(), state, late)["step"] == "defer"


def test_without_groups_there_is_no_slot_step_and_no_group_fields():
    state = _state()
    assert _cycle.plan(facts(), state, NOW)["step"] == "reboot"
    record = _cycle.result(state, _cycle.plan(facts(()), state, NOW), facts(()), NOW)
    assert "groups" not in record and "slot_wait_seconds" not in record


def test_check_mode_with_a_group_would_restart():
    state = _state(group="g")
    record = _cycle.result(state, _cycle.plan(facts(), state, NOW), facts(), NOW, check_mode=True)
    assert record["would_reboot"] is True and record["message"].startswith("check mode: would restart now")


@pytest.mark.parametrize("raw, message", [
    ({"group": "a/b"}, "reboot_cycle_group: 'a/b' is not a group name"),
    ({"group_max_down": "0"}, "reboot_cycle_group_max_down must be an integer >= 1 or a percentage"),
    ({"group_gap_seconds": -1}, "reboot_cycle_group_gap_seconds must be >= 0, got -1"),
])
def test_bad_group_settings_name_the_variable(raw, message):
    problems = _cycle.settings_problems(raw, NOW)
    assert len(problems) == 1 and problems[0].startswith(message)


# ---------------------------------------------------------------- restart tiers: a hold defers, the record carries the tier

TIER_NOW = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)


def _facts(strong=("reboot_required_file",)):
    return {"schema": 1, "reboot_required": bool(strong),
            "reasons": [{"id": r, "source": "os", "strong": True, "detail": r} for r in strong],
            "sophos": {"installed": False}, "read_errors": [],
            "os": {"family": "linux", "last_boot": "2026-11-28T01:00:00Z", "boot_id": "a"}}


def _tier_state(turn, **settings):
    state = _cycle.start(_facts(), _cycle.normalize_settings(dict({"tier": 2}, **settings)), TIER_NOW)
    return _cycle.tier_noted(state, turn, TIER_NOW)


def test_a_hold_defers_before_the_first_restart_and_the_record_carries_the_tier():
    turn = {"hold": "tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): failed", "after": ["app1"],
            "failed": ["app2"], "since": "2026-11-28T01:40:00Z"}
    state = _tier_state(turn)
    decision = _cycle.plan(_facts(), state, TIER_NOW)
    assert decision["step"] == "defer" and decision["reason"] == (
        "restart 1 deferred (reboot_required_file): tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): failed")
    record = _cycle.result(state, decision, _facts(), TIER_NOW)
    assert (record["status"], record["tier"], record["tier_after"], record["tier_wait_seconds"]) == \
        ("deferred", 2, ["app1"], 1200.0)
    # without a hold the host restarts; nothing pending, nothing held
    assert _cycle.plan(_facts(), _tier_state(dict(turn, hold=None)), TIER_NOW)["step"] == "reboot"
    assert _cycle.plan(_facts(()), state, TIER_NOW)["step"] == "done"


def test_the_window_bounds_the_wait_and_the_reason_names_who_was_waited_for():
    turn = {"hold": None, "after": ["app1", "app2"], "failed": [], "since": "2026-11-28T01:00:00Z"}
    state = _tier_state(turn, window_end="2026-11-28T02:03:00Z", restart_expected_minutes=5)
    decision = _cycle.plan(_facts(), state, TIER_NOW)
    assert decision["step"] == "defer"
    assert decision["reason"].endswith("(after waiting 1h00m for tier(s) below 2: app1, app2)")


def test_a_record_without_tiers_has_no_tier_fields():
    state = _cycle.start(_facts(()), _cycle.normalize_settings({}), TIER_NOW)
    record = _cycle.result(state, _cycle.plan(_facts(()), state, TIER_NOW), _facts(()), TIER_NOW)
    assert "tier" not in record and "tier_after" not in record


def test_a_turn_long_ago_counts_its_wait():
    since = (TIER_NOW - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    state = _cycle.tier_noted(_cycle.start(_facts(), _cycle.normalize_settings({}), TIER_NOW),
                              {"hold": None, "after": [], "since": since}, TIER_NOW)
    assert state["tier"]["waited_seconds"] == 1800.0
