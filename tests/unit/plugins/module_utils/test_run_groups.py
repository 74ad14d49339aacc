# -*- coding: utf-8 -*-
"""The run's check of its restart groups (module_utils/_run.py group_problems, the group_check filter)."""

from __future__ import absolute_import, division, print_function

from unittest import mock

from ansible_collections.fleetops.sophos.plugins.filter import cycle as filters
from ansible_collections.fleetops.sophos.plugins.module_utils import _run


def test_members_that_disagree_and_bad_values_are_problems_naming_the_host_and_group():
    hosts = {
        "dc1": {"reboot_cycle_group": "dcs"},                                 # max_down left out: 1
        "dc2": {"reboot_cycle_group": ["dcs"], "reboot_cycle_group_max_down": "2"},
        "sql1": {"reboot_cycle_group": "sql", "reboot_cycle_group_max_down": "50%"},
        "sql2": {"reboot_cycle_group": "sql", "reboot_cycle_group_max_down": "50%"},
        "web1": {"reboot_cycle_group": "web/1"},
        "web2": {"reboot_cycle_group": "web", "reboot_cycle_group_max_down": 0},
        "plain": {},
    }
    assert _run.group_problems(hosts) == [
        "web1: reboot_cycle_group: 'web/1' is not a group name (letters, digits, '.', '_' and '-', not starting "
        "with '.' or '-', at most 100)",
        "web2: reboot_cycle_group_max_down must be an integer >= 1 or a percentage such as 50%, got 0",
        "the members of restart group dcs do not agree on reboot_cycle_group_max_down: 1 on dc1; 2 on dc2; give "
        "the group one value (a group variable)",
    ]


def test_members_that_agree_are_no_problem():
    hosts = dict(("h%d" % n, {"reboot_cycle_group": "pair-%d" % (n // 2), "reboot_cycle_group_max_down": "1"})
                 for n in range(6))
    assert _run.group_problems(hosts) == []


def test_the_filter_prints_problems_and_warns_when_forks_are_fewer_than_the_batch():
    hostvars = dict(("h%d" % n, {"reboot_cycle_group": "pair-%d" % (n // 2)}) for n in range(6))
    hostvars["h5"] = dict(hostvars["h5"], reboot_cycle_group_max_down=2)
    display = mock.MagicMock()
    with mock.patch.object(filters, "Display", return_value=display), \
            mock.patch.object(filters.context, "CLIARGS", {"forks": 4}):
        checked = filters.group_check(sorted(hostvars), hostvars, sorted(hostvars))
    assert checked["errors"] == ["the members of restart group pair-2 do not agree on reboot_cycle_group_max_down: "
                                 "1 on h4; 2 on h5; give the group one value (a group variable)"]
    assert checked["warnings"] == [
        "forks (4) is less than this batch's 6 hosts: a host waiting for a restart group's slot holds a fork, so "
        "hosts of other groups may wait for a fork too; raise forks (-f) to at least 6"]
    display.display.assert_called_once_with("problem: " + checked["errors"][0], color=mock.ANY)
    display.warning.assert_called_once_with(checked["warnings"][0])


def test_without_groups_the_filter_says_nothing():
    with mock.patch.object(filters.context, "CLIARGS", {"forks": 1}):
        assert filters.group_check(["a", "b"], {"a": {}, "b": {}}, ["a", "b"]) == {"errors": [], "warnings": [],
                                                                                "batch": ["a", "b"]}
