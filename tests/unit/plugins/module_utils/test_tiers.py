# -*- coding: utf-8 -*-
"""Restart tiers: the pure rules (module_utils/_groups.py tier_*), the brain's deferral and record
(_cycle.py), the role's filters (tier_turns, tier_hold; group_check's tier problems) and the action's
turn (a hold defers before anything is restarted; tiers refused under a strategy that does not take turns)."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest

from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible_collections.fleetops.sophos.plugins.filter import cycle as filters
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _groups, _settings
from ansible_collections.fleetops.sophos.tests.unit.replay import Replay


try:  # ansible-core 2.19: only a trusted template is templated (the test's own expressions)
    from ansible.template import trust_as_template
except ImportError:  # 2.16-2.18: every string is
    def trust_as_template(text):
        return text

NOW = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)
FAILED = {"status": "failed", "message": "health check failed: tcp 1433: refused"}
DONE = {"status": "rebooted", "message": "clean after 1 restart(s)"}
DEFERRED = {"status": "deferred", "message": "maintenance deferred: the maintenance window ended"}


# ---------------------------------------------------------------- the pure rules

def test_a_tier_is_an_integer_of_at_least_zero():
    assert [_groups.tier(value, "t") for value in (None, "", 0, "2", 3.0)] == [0, 0, 0, 2, 3]
    for bad in (-1, "one", 1.5, True):
        with pytest.raises(_settings.SettingError, match="^t must be"):
            _groups.tier(bad, "t")
    assert _groups.tier_turns({"a": 2, "b": 0, "c": 2}) == [0, 2] and _groups.tier_turns({}) == [0]


@pytest.mark.parametrize("reached, deferred, record, outcome", [
    (True, False, DONE, "finished"),
    (True, False, FAILED, "failed"),
    (True, False, {"status": "still_pending", "message": "x"}, "failed"),
    (True, False, None, "failed"),              # reached its cycle and left no record: it failed or was lost in it
    (True, False, DEFERRED, "deferred"),        # its cycle deferred it (the window, a stopped group)
    (False, True, DEFERRED, "deferred"),        # the window guard or maintenance_exclude
    (False, False, None, "not_reached"),        # failed in patch, lost: it never comes
    (False, False, FAILED, "failed"),
])
def test_the_outcome_of_a_lower_tier_host(reached, deferred, record, outcome):
    assert _groups.tier_outcome(reached, deferred, record)[0] == outcome


def test_the_barrier_goes_on_after_finished_and_deferred_lower_tiers():
    turn = _groups.tier_hold(2, "stop", {"app1": (1, "finished", "rebooted"), "app2": (1, "deferred", "x"),
                                         "db2": (2, "failed", "same tier: not below"), "web": (3, "failed", "above")})
    assert turn == {"tier": 2, "hold": None, "after": ["app1"], "failed": []}


def test_a_lower_tier_host_failed_in_patch_never_blocks_and_stop_defers_naming_it():
    lower = {"app1": (1, "finished", "rebooted"), "app2": (0, "not_reached", "it did not reach its restart")}
    stop = _groups.tier_hold(2, "stop", lower)
    assert stop["hold"] == ("tier 2 stopped: lower-tier host(s) failed: app2 (tier 0): it did not reach its restart "
                            "(reboot_cycle_tier_on_failure: stop)")
    assert stop["failed"] == ["app2"] and stop["after"] == ["app1"]
    go = _groups.tier_hold(2, "continue", lower)
    assert go["hold"] is None and go["failed"] == ["app2"]
    with pytest.raises(_settings.SettingError, match="tier_on_failure must be one of stop|continue"):
        _groups.tier_hold(2, "pause", lower)


# ---------------------------------------------------------------- the brain

def _facts(strong=("reboot_required_file",)):
    return {"schema": 1, "reboot_required": bool(strong),
            "reasons": [{"id": r, "source": "os", "strong": True, "detail": r} for r in strong],
            "sophos": {"installed": False}, "read_errors": [],
            "os": {"family": "linux", "last_boot": "2026-11-28T01:00:00Z", "boot_id": "a"}}


def _state(turn, **settings):
    state = _cycle.start(_facts(), _cycle.normalize_settings(dict({"tier": 2}, **settings)), NOW)
    return _cycle.tier_noted(state, turn, NOW)


def test_a_hold_defers_before_the_first_restart_and_the_record_carries_the_tier():
    turn = {"hold": "tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): failed", "after": ["app1"],
            "failed": ["app2"], "since": "2026-11-28T01:40:00Z"}
    state = _state(turn)
    decision = _cycle.plan(_facts(), state, NOW)
    assert decision["step"] == "defer" and decision["reason"] == (
        "restart 1 deferred (reboot_required_file): tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): failed")
    record = _cycle.result(state, decision, _facts(), NOW)
    assert (record["status"], record["tier"], record["tier_after"], record["tier_wait_seconds"]) == \
        ("deferred", 2, ["app1"], 1200.0)
    # without a hold the host restarts; nothing pending, nothing held
    assert _cycle.plan(_facts(), _state(dict(turn, hold=None)), NOW)["step"] == "reboot"
    assert _cycle.plan(_facts(()), state, NOW)["step"] == "done"


def test_the_window_bounds_the_wait_and_the_reason_names_who_was_waited_for():
    turn = {"hold": None, "after": ["app1", "app2"], "failed": [], "since": "2026-11-28T01:00:00Z"}
    state = _state(turn, window_end="2026-11-28T02:03:00Z", restart_expected_minutes=5)
    decision = _cycle.plan(_facts(), state, NOW)
    assert decision["step"] == "defer"
    assert decision["reason"].endswith("(after waiting 1h00m for tier(s) below 2: app1, app2)")


def test_a_record_without_tiers_has_no_tier_fields():
    state = _cycle.start(_facts(()), _cycle.normalize_settings({}), NOW)
    record = _cycle.result(state, _cycle.plan(_facts(()), state, NOW), _facts(()), NOW)
    assert "tier" not in record and "tier_after" not in record


# ---------------------------------------------------------------- the filters

def _hostvars():
    return {
        "app1": {"reboot_cycle_tier": 1, "_reboot_cycle_tier_reached": True, "sophos_reboot_cycle": DONE},
        "app2": {"reboot_cycle_tier": "1", "maintenance_stage": "patch"},        # failed in patch: rescue later
        "app3": {"reboot_cycle_tier": 1, "sophos_reboot_cycle_deferred": "True", "sophos_reboot_cycle": DEFERRED},
        "db1": {"_reboot_cycle_tier_own": "2", "_reboot_cycle_tier_reached": True,
                "_reboot_cycle_tier_since": "2026-11-28T01:50:00Z"},
    }


def test_tier_hold_reads_the_batch_a_host_failed_in_patch_is_a_failure_not_a_wait():
    turn = filters.tier_hold("db1", _hostvars(), ["app1", "app2", "app3", "db1"], now="2026-11-28T02:00:00Z")
    assert turn["turns"] == [1, 2] and turn["after"] == ["app1"] and turn["failed"] == ["app2"]
    assert turn["since"] == "2026-11-28T01:50:00Z"
    assert turn["hold"].startswith("tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): it did not reach")
    hostvars = _hostvars()
    hostvars["db1"]["_reboot_cycle_tier_on_failure_own"] = "continue"
    assert filters.tier_hold("db1", hostvars, ["app1", "app2", "app3", "db1"])["hold"] is None
    hostvars["app3"]["sophos_reboot_cycle_deferred"] = "False"     # the word, as ansible-core 2.16 may template it
    assert filters.tier_hold("db1", hostvars, sorted(hostvars))["failed"] == ["app2", "app3"]
    # the lower tier's own turn: nobody below it
    assert filters.tier_hold("app1", _hostvars(), sorted(_hostvars()))["hold"] is None
    assert filters.tier_turns(sorted(_hostvars()), _hostvars()) == [1, 2]


def test_what_a_lower_tier_host_wrote_is_never_templated():
    hostvars = _hostvars()
    hostvars["app1"]["sophos_reboot_cycle"] = {"status": "failed", "message": "boom {{ 6 * 7 }}"}
    turn = filters.tier_hold("db1", hostvars, sorted(hostvars))
    templar = Templar(loader=DataLoader(), variables={"turn": turn})
    assert "boom {{ 6 * 7 }}" in templar.template(trust_as_template("{{ turn.hold }}"))


def test_a_bad_tier_is_a_filter_error_and_a_problem_naming_the_host():
    hostvars = {"a": {"reboot_cycle_tier": "first"}, "b": {"reboot_cycle_tier_on_failure": "pause"}}
    with pytest.raises(AnsibleFilterError, match="tier_turns: a: reboot_cycle_tier must be an integer"):
        filters.tier_turns(["a", "b"], hostvars)
    with mock.patch.object(filters.context, "CLIARGS", {"forks": 5}):
        checked = filters.group_check(["a", "b"], hostvars, ["a", "b"])
    assert checked["errors"] == ["a: reboot_cycle_tier must be an integer number, got 'first'",
                                 "b: reboot_cycle_tier_on_failure must be one of stop|continue, got 'pause'"]


def test_tiers_under_the_free_strategy_are_a_problem_before_any_host_is_touched():
    hostvars = {"a": {"reboot_cycle_tier": 1}, "b": {"reboot_cycle_tier": 2}}
    with mock.patch.object(filters.context, "CLIARGS", {"forks": 5}), \
            mock.patch.object(filters.C, "DEFAULT_STRATEGY", "free"):
        assert filters.group_check(["a", "b"], hostvars, ["a", "b"])["errors"] == [
            "reboot_cycle_tier: the batch has tiers 1, 2, and the strategy free does not run them in turn; tiers "
            "need the linear strategy (the default)"]
        assert filters.group_check(["a", "b"], {"a": {}, "b": {}}, ["a", "b"])["errors"] == []


# ---------------------------------------------------------------- the action

FIXTURE = {"family": "linux", "restart_seconds": 40,
           "settings": {"settle_mode": "poll", "settle_minutes": 5, "poll_seconds": 30, "poll_retries": 3, "tier": 2},
           "boots": [[{"after": 0, "strong": ["reboot_required_file"]}],
                     [{"after": 0}, {"after": 200, "updated_since_boot": True}]]}


def _play(strategy):
    play = mock.MagicMock()
    play.strategy = strategy
    return mock.patch("ansible.playbook.task.Task.get_play", return_value=play)


def test_the_action_defers_a_held_host_and_restarts_nothing():
    replay = Replay(FIXTURE)
    turn = {"tier": 2, "hold": "tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): failed", "after": [],
            "failed": ["app2"], "turns": [1, 2], "since": "2026-11-28T01:55:00Z"}
    with _play("linear"):
        result = replay.run(tier_turn=turn)
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "deferred" and not result.get("failed") and replay.host.restarts == []
    assert record["message"].endswith("tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): failed")
    assert record["tier"] == 2 and record["tier_wait_seconds"] >= 300
    assert any("tier 2's turn after no lower-tier host" in line and "failed: app2" in line for line in replay.lines)


def test_the_action_restarts_a_host_whose_lower_tiers_finished():
    replay = Replay(FIXTURE)
    turn = {"tier": 2, "hold": None, "after": ["app1"], "failed": [], "turns": [1, 2],
            "since": "2026-11-28T02:00:00Z"}
    with _play("ansible.builtin.linear"):
        record = replay.run(tier_turn=turn)["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and record["tier_after"] == ["app1"] and len(replay.host.restarts) == 1


def test_the_action_refuses_tiers_under_a_strategy_that_does_not_take_turns():
    replay = Replay(FIXTURE)
    turn = {"tier": 2, "hold": None, "after": [], "failed": [], "turns": [1, 2], "since": "2026-11-28T02:00:00Z"}
    with _play("free"):
        result = replay.run(tier_turn=turn)
    assert result["failed"] and "the strategy free does not run them in turn" in result["msg"]
    assert replay.host.restarts == [] and "sophos_reboot_cycle" not in result
    with _play("free"):   # one tier: nothing to take turns for
        assert replay.run(tier_turn=dict(turn, turns=[2]))["sophos_reboot_cycle"]["status"] == "rebooted"


def test_a_turn_long_ago_counts_its_wait():
    since = (NOW - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    state = _cycle.tier_noted(_cycle.start(_facts(), _cycle.normalize_settings({}), NOW),
                              {"hold": None, "after": [], "since": since}, NOW)
    assert state["tier"]["waited_seconds"] == 1800.0


# ---------------------------------------------------------------- restart groups and hooks

def test_groups_with_restart_hooks_are_a_problem_before_any_host_is_touched():
    hostvars = {"dc1": {"reboot_cycle_group": "dcs", "reboot_cycle_before_restart_tasks": "drain.yml"},
                "dc2": {"reboot_cycle_group": "dcs", "reboot_cycle_after_cycle_tasks": "notify.yml"},
                "app": {"reboot_cycle_tier": 1, "reboot_cycle_after_restart_tasks": "check.yml"}}
    with mock.patch.object(filters.context, "CLIARGS", {"forks": 5}):
        errors = filters.group_check(sorted(hostvars), hostvars, sorted(hostvars))["errors"]
    assert errors == ["dc1: reboot_cycle_group cannot be combined with restart hooks "
                      "(reboot_cycle_before_restart_tasks): a restart group's slot is held by the cycle's task, and a "
                      "member waiting for it in that task would keep the holder's hook (the next task) from starting; "
                      "use reboot_cycle_after_cycle_tasks, or tiers (reboot_cycle_tier)"]
