# -*- coding: utf-8 -*-
"""The cycle filter left for plays: cycle_aborted, a thin wrapper that turns bad input into an AnsibleFilterError."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.sophos.plugins.filter import cycle

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
