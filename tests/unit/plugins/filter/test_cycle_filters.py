# -*- coding: utf-8 -*-
"""The cycle filters left for plays (filter/cycle.py): cycle_aborted, a thin wrapper that turns bad input into an
AnsibleFilterError; tier_turns and the deprecated tier_hold over the batch's hostvars; group_check's tier and hook
problems."""

from __future__ import absolute_import, division, print_function

from unittest import mock

import pytest

from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible_collections.fleetops.sophos.plugins.filter import cycle
from ansible_collections.fleetops.sophos.tests.unit.tier_vars import hostvars

try:  # ansible-core 2.19: only a trusted template is templated (the test's own expressions)
    from ansible.template import trust_as_template
except ImportError:  # 2.16-2.18: every string is
    def trust_as_template(text):
        return text

FACTS = {"schema": 1, "reboot_required": True,
         "reasons": [{"id": "reboot_required_file", "source": "os", "strong": True, "detail": "x"}],
         "sophos": {"installed": True, "updating": False, "updated_since_boot": False, "health": {}},
         "os": {"family": "linux", "last_boot": "2026-11-28T02:00:00Z", "boot_id": "a"}, "read_errors": []}
NOW = "2026-11-28T03:00:00Z"


def test_only_cycle_aborted_the_group_check_and_the_tiers_are_left():
    assert set(cycle.FilterModule().filters()) == {"cycle_aborted", "group_check", "tier_turns", "tier_hold"}


def test_aborted_records():
    record = cycle.cycle_aborted(None, "patch: apt failed", FACTS, now=NOW)
    assert record["status"] == "failed" and record["message"] == "patch: apt failed"
    assert record["reasons_before"] == ["reboot_required_file"] and not record["unreachable"]
    lost = cycle.cycle_aborted(None, "gone", None, unreachable=True, now=NOW)
    assert lost["unreachable"] and lost["status"] == "failed" and lost["reasons_after"] == []
    with pytest.raises(AnsibleFilterError, match="cycle_aborted: reboot_cycle_unreachable must be true or false"):
        cycle.cycle_aborted(None, "x", FACTS, unreachable="perhaps", now=NOW)


# ---------------------------------------------------------------- the tiers and the group check

def test_the_deprecated_tier_hold_is_the_actions_tier_turn_and_tier_turns_the_batchs_tiers():
    # the rules are tested with _tiers.hold (test_tiers.py); the filter adds the clock and the unsafe marking
    turn = cycle.tier_hold("db1", hostvars(), ["app1", "app2", "app3", "db1"], now="2026-11-28T02:00:00Z")
    assert turn["turns"] == [1, 2] and turn["after"] == ["app1"] and turn["failed"] == ["app2"]
    assert cycle.tier_turns(sorted(hostvars()), hostvars()) == [1, 2]


def test_what_a_lower_tier_host_wrote_is_never_templated():
    found = hostvars()
    found["app1"]["sophos_reboot_cycle"] = {"status": "failed", "message": "boom {{ 6 * 7 }}"}
    turn = cycle.tier_hold("db1", found, sorted(found))
    templar = Templar(loader=DataLoader(), variables={"turn": turn})
    assert "boom {{ 6 * 7 }}" in templar.template(trust_as_template("{{ turn.hold }}"))


def test_a_bad_tier_is_a_filter_error_and_a_problem_naming_the_host():
    hostvars = {"a": {"reboot_cycle_tier": "first"}, "b": {"reboot_cycle_tier_on_failure": "pause"}}
    with pytest.raises(AnsibleFilterError, match="tier_turns: a: reboot_cycle_tier must be an integer"):
        cycle.tier_turns(["a", "b"], hostvars)
    with mock.patch.object(cycle.context, "CLIARGS", {"forks": 5}):
        checked = cycle.group_check(["a", "b"], hostvars, ["a", "b"])
    assert checked["errors"] == ["a: reboot_cycle_tier must be an integer number, got 'first'",
                                 "b: reboot_cycle_tier_on_failure must be one of stop|continue, got 'pause'"]


def test_tiers_under_the_free_strategy_are_a_problem_before_any_host_is_touched():
    hostvars = {"a": {"reboot_cycle_tier": 1}, "b": {"reboot_cycle_tier": 2}}
    with mock.patch.object(cycle.context, "CLIARGS", {"forks": 5}), \
            mock.patch.object(cycle.C, "DEFAULT_STRATEGY", "free"):
        assert cycle.group_check(["a", "b"], hostvars, ["a", "b"])["errors"] == [
            "reboot_cycle_tier: the batch has tiers 1, 2, and the strategy free does not run them in turn; tiers "
            "need the linear strategy (the default)"]
        assert cycle.group_check(["a", "b"], {"a": {}, "b": {}}, ["a", "b"])["errors"] == []


def test_groups_with_restart_hooks_are_a_problem_before_any_host_is_touched():
    hostvars = {"dc1": {"reboot_cycle_group": "dcs", "reboot_cycle_before_restart_tasks": "drain.yml"},
                "dc2": {"reboot_cycle_group": "dcs", "reboot_cycle_after_cycle_tasks": "notify.yml"},
                "app": {"reboot_cycle_tier": 1, "reboot_cycle_after_restart_tasks": "check.yml"}}
    with mock.patch.object(cycle.context, "CLIARGS", {"forks": 5}):
        errors = cycle.group_check(sorted(hostvars), hostvars, sorted(hostvars))["errors"]
    assert errors == ["dc1: reboot_cycle_group cannot be combined with restart hooks "
                      "(reboot_cycle_before_restart_tasks): a restart group's slot is held by the cycle's task, and a "
                      "member waiting for it in that task would keep the holder's hook (the next task) from starting; "
                      "use reboot_cycle_after_cycle_tasks, or tiers (reboot_cycle_tier)"]
