# -*- coding: utf-8 -*-
"""module_utils/_groups.py: restart groups' and restart tiers' pure rules (the cycle's slot step and tier hold are in
cycle/test_cycle_turns.py)."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _groups, _settings


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


# ------------------------------------------------------------------ restart tiers: the pure rules

FAILED = {"status": "failed", "message": "health check failed: tcp 1433: refused"}


DONE = {"status": "rebooted", "message": "clean after 1 restart(s)"}


DEFERRED = {"status": "deferred", "message": "maintenance deferred: the maintenance window ended"}


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


@pytest.mark.parametrize("reached, deferred, record, detail", [
    (False, True, DEFERRED, DEFERRED["message"]),
    (False, True, None, "deferred"),
    (True, False, DEFERRED, DEFERRED["message"]),
    (True, False, {"status": "deferred"}, "deferred"),
])
def test_a_deferred_lower_tier_host_says_why(reached, deferred, record, detail):
    assert _groups.tier_outcome(reached, deferred, record) == ("deferred", detail)


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
