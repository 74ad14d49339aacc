# -*- coding: utf-8 -*-
"""The maintenance playbooks' once-per-batch decision: a batch's cycles as one task each, or through the role."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.filter import maintenance as filters


@pytest.mark.parametrize("variables, staged", [
    ({}, False),
    ({"reboot_cycle_group": "web", "reboot_cycle_window_end": "+4h"}, False),
    ({"reboot_cycle_before_restart_tasks": ""}, False),          # the role's default: no hook
    ({"reboot_cycle_after_cycle_tasks": "  "}, False),
    ({"reboot_cycle_before_restart_tasks": "drain.yml"}, True),
    ({"reboot_cycle_after_restart_tasks": "check.yml"}, True),
    ({"reboot_cycle_after_cycle_tasks": "notify.yml"}, True),
    ({"reboot_cycle_tier": 0}, True),                            # any tier given: the role decides the turns
    ({"reboot_cycle_tier_on_failure": "continue"}, True),
])
def test_a_batch_is_staged_when_one_host_has_a_tier_or_a_hook(variables, staged):
    hostvars = {"web1": {}, "web2": variables, "web3": {"reboot_cycle_before_restart_tasks": "drain.yml"}}
    assert filters.staged_batch(["web1", "web2"], hostvars) is staged
    assert filters.staged_batch(["web1", "web2", "web3"], hostvars) is True
    assert filters.staged_batch([], hostvars) is False
