# -*- coding: utf-8 -*-
"""module_utils/_groups.py and the brain's slot step (module_utils/_cycle.py): restart groups' pure rules."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _groups, _settings, _time

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)


def facts(strong=("os_reboot_required",)):
    return {"schema": 1, "checked_at": _time.iso(NOW), "read_errors": [], "reboot_required": bool(strong),
            "reasons": [{"id": r, "source": "os", "strong": True, "detail": "t"} for r in strong],
            "sophos": {"installed": False}, "os": {"family": "linux", "last_boot": "2026-12-06T02:00:00Z",
                                                   "boot_id": "b0"}}


@pytest.mark.parametrize("value, names", [
    ("dc-pair", ["dc-pair"]), (["sql", "dc", "sql"], ["dc", "sql"]), ("b, a\nc", ["a", "b", "c"]), (None, []),
    ([], []),
])
def test_group_names(value, names):
    assert _groups.group_names(value, "reboot_cycle_group") == names


@pytest.mark.parametrize("value", ["../etc", "a/b", ".hidden", "-x", "dc pair", "x" * 101])
def test_a_group_name_that_cannot_be_a_file_name_is_refused(value):
    with pytest.raises(_settings.SettingError, match="reboot_cycle_group: .* is not a group name"):
        _groups.group_names(value, "reboot_cycle_group")


@pytest.mark.parametrize("value, allowed", [(1, 1), ("2", 2), ("3.0", 3), ("50%", "50%"), (" 33.5 % ", "33.5%"),
                                            ("100%", "100%")])
def test_max_down(value, allowed):
    assert _groups.max_down(value, "reboot_cycle_group_max_down") == allowed


@pytest.mark.parametrize("value", [0, -1, "0", "1.5", "0%", "101%", "half", True, None])
def test_a_bad_max_down_is_refused(value):
    with pytest.raises(_settings.SettingError, match="^reboot_cycle_group_max_down must be"):
        _groups.max_down(value, "reboot_cycle_group_max_down")


@pytest.mark.parametrize("allowed, members, slots", [
    (1, 2, 1), (3, 2, 3), ("50%", 2, 1), ("50%", 6, 3), ("50%", 5, 2), ("10%", 3, 1), ("100%", 4, 4),
    ("33%", 3, 1), ("34%", 3, 1), ("67%", 3, 2),
])
def test_the_limit_of_a_percentage_counts_the_group_s_hosts_and_is_at_least_one(allowed, members, slots):
    assert _groups.limit(allowed, members) == slots


def test_slots_are_taken_in_name_order_with_each_group_s_limit():
    hosts = {"a": ["web", "dc"], "b": ["web"], "c": ["web"], "d": ["web"]}
    assert _groups.slots(["web", "dc"], "50%", hosts) == [("dc", 1), ("web", 2)]


def test_members_that_disagree_are_one_problem_per_group():
    hosts = {"dc1": (["dcs"], 1), "dc2": (["dcs"], 2), "sql1": (["sql"], "50%"), "sql2": (["sql"], "50%"),
             "web1": (["dcs", "web"], 1)}
    assert _groups.agreement_problems(hosts) == [
        "the members of restart group dcs do not agree on reboot_cycle_group_max_down: 1 on dc1, web1; 2 on dc2; "
        "give the group one value (a group variable)"]


def test_forks_warning():
    assert _groups.forks_warning(5, 5) is None and _groups.forks_warning(None, 9) is None
    assert _groups.forks_warning("5", 6).startswith("forks (5) is less than this batch's 6 hosts")


# ------------------------------------------------------------------ the brain's slot step

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
