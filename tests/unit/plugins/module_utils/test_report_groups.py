# -*- coding: utf-8 -*-
"""The report reads a record's restart groups, slot wait and health checks (module_utils/_report.py)."""

from __future__ import absolute_import, division, print_function

from ansible_collections.fleetops.sophos.plugins.module_utils import _report


def test_groups_slot_wait_and_health_checks_are_read_from_the_record():
    cycle = {"status": "failed", "restarts": 1, "message": "health check failed: tcp 1433: refused",
             "groups": ["sql-ag"], "slot_wait_seconds": "42.5",
             "health_checks": [{"check": "tcp 1433", "when": "after", "passed": False, "observed": "refused",
                                "polls": 3}]}
    maintenance = _report.host_row("sql1", facts={}, cycle=cycle)["maintenance"]
    assert (maintenance["groups"], maintenance["slot_wait_seconds"]) == (["sql-ag"], 42.5)
    assert maintenance["health_checks"] == [{"check": "tcp 1433", "when": "after", "passed": False,
                                             "observed": "refused"}]


def test_a_record_without_groups_reads_empty():
    maintenance = _report.host_row("h", facts={}, cycle={"status": "ok", "restarts": 0})["maintenance"]
    assert (maintenance["groups"], maintenance["slot_wait_seconds"], maintenance["health_checks"]) == ([], None, [])
