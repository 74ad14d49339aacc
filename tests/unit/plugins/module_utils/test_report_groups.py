# -*- coding: utf-8 -*-
"""The report reads a record's restart groups, slot wait and health checks (module_utils/_report.py)."""

from __future__ import absolute_import, division, print_function

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_text


def test_groups_slot_wait_and_health_checks_are_read_from_the_record():
    cycle = {"status": "failed", "restarts": 1, "message": "health check failed: tcp 1433: refused",
             "groups": ["sql-ag"], "slot_wait_seconds": "42.5",
             "health_checks": [{"check": "tcp 1433", "when": "after", "passed": False, "observed": "refused",
                                "polls": 3}]}
    maintenance = model.host_row("sql1", facts={}, cycle=cycle)["maintenance"]
    assert (maintenance["groups"], maintenance["slot_wait_seconds"]) == (["sql-ag"], 42.5)
    assert maintenance["health_checks"] == [{"check": "tcp 1433", "when": "after", "passed": False,
                                             "observed": "refused"}]


def test_a_record_without_groups_reads_empty():
    maintenance = model.host_row("h", facts={}, cycle={"status": "ok", "restarts": 0})["maintenance"]
    assert (maintenance["groups"], maintenance["slot_wait_seconds"], maintenance["health_checks"]) == ([], None, [])


def test_the_end_of_run_table_names_the_stopped_groups():
    hosts = [model.host_row("sql1", facts={}, cycle={"status": "failed", "restarts": 1, "groups": ["sql-ag", "site"],
                                                     "stopped_groups": ["site", "sql-ag"],
                                                     "message": "health check failed: tcp 1433: refused"}),
             model.host_row("sql2", facts={}, cycle={"status": "deferred", "restarts": 0, "groups": ["sql-ag"],
                                                     "message": "restart group sql-ag was stopped"})]
    report = {"title": "t", "summary": {"total": 2, "counts": dict((s, 0) for s in model.STATUSES),
                                        "attention": []}, "hosts": hosts}
    lines = render_text.to_lines(report)
    assert lines[-1] == ("stopped restart groups (members not restarted were deferred): site (sql1 failed), "
                         "sql-ag (sql1 failed)")
