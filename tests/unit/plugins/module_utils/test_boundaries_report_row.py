# -*- coding: utf-8 -*-
"""One report row in full (module_utils/_report.py): every field of a host read from hand-written facts and
records, including the restarts (one entry per restart, the boot before apart) and the settles."""

from __future__ import absolute_import, division, print_function

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model

FACTS = {
    "reboot_required": True, "pending_since": "2026-11-20T02:00:00Z", "pending_days": 11.25,
    "pending_since_source": "source", "alert": False, "checked_at": "2026-12-01T08:00:00Z",
    "reasons": [{"id": "kernel", "source": "os", "strong": True, "detail": "6.1 -> 6.2"},
                {"id": "pfr", "source": "windows", "strong": "no", "detail": None}],
    "os": {"family": "debian", "last_boot": "2026-11-01T00:00:00Z", "uptime_days": "30.3", "reboot_required": 1},
    "sophos": {"installed": True, "product": "spl", "version": "2024.3", "reboot_required": False,
               "reboot_urgent": False, "updating": "false", "last_update": "2026-12-01T06:00:00Z",
               "last_update_ok": True, "updated_since_boot": True, "queued_update": {"suspected": False},
               "health": {"overall": "good", "services": {"mcs": "running", "av": "running"}}},
    "read_errors": [{"source": "needrestart", "error": "not installed"}],
    "unknown_sources": [],
}

CYCLE = {
    "status": "deferred", "check_mode": False, "would_reboot": False, "restarts": 1,
    "reasons_before": ["kernel", {"id": "pfr"}], "reasons_after": ["kernel"],
    "settles": [{"mode": "poll", "seconds": 61.5, "ended": "evidence", "reason": "r",
                 "started_at": "2026-12-01T07:01:00Z", "ended_at": "2026-12-01T07:02:01Z"}],
    "boots": [{"boot_id": "b0", "last_boot": "2026-11-01T00:00:00Z"},
              {"boot_id": "b1", "boot_id_before": "b0", "last_boot": "2026-12-01T07:00:30Z",
               "restarted_at": "2026-12-01T07:01:00Z", "restart_seconds": 45,
               "reasons": [{"id": "kernel", "detail": "6.1 -> 6.2"}], "queued_update": False},
              {"boot_id": "bx"}],
    "message": "restart 2 deferred", "started": "2026-12-01T07:00:00Z", "finished": "2026-12-01T07:30:00Z",
    "duration_seconds": "1800",
}


def test_a_full_row():
    row = model.host_row("web1", facts=FACTS, cycle=CYCLE, patch={"status": "patched", "changes": ["a", "b"],
                                                                  "reboot_required": "yes"},
                         run={"state": "ok"})
    assert row == {
        "host": "web1", "status": "deferred", "attention": False,
        "issues": [{"status": "deferred", "id": "deferred", "text": "restart 2 deferred"},
                   {"status": "pending", "id": "pending", "text": "restart pending: kernel"}],
        "run": {"state": "ok", "message": None},
        "has_facts": True,
        "os": {"family": "debian", "last_boot": "2026-11-01T00:00:00Z", "uptime_days": 30.3, "reboot_required": True},
        "reboot_required": True,
        "reasons": [{"id": "kernel", "source": "os", "strong": True, "detail": "6.1 -> 6.2"},
                    {"id": "pfr", "source": "windows", "strong": False, "detail": None}],
        "pending_since": "2026-11-20T02:00:00Z", "pending_days": 11.25, "pending_since_source": "source",
        "pending_since_local": None, "urgent": False, "alert": False,
        "sophos": {"installed": True, "product": "spl", "version": "2024.3", "reboot_required": False,
                   "reboot_urgent": False, "updating": False, "last_update": "2026-12-01T06:00:00Z",
                   "last_update_ok": True, "updated_since_boot": True, "queued_update_suspected": False,
                   "health": "good", "services": {"av": "running", "mcs": "running"}},
        "maintenance": {
            "status": "deferred", "check_mode": False, "would_reboot": False, "restarts": 1,
            "reasons_before": ["kernel", "pfr"], "reasons_after": ["kernel"],
            "settles": [{"mode": "poll", "seconds": 61.5, "ended": "evidence", "reason": "r",
                         "started_at": "2026-12-01T07:01:00Z", "ended_at": "2026-12-01T07:02:01Z"}],
            "boots": [{"number": 1, "boot_id": "b1", "boot_id_before": "b0", "last_boot": "2026-12-01T07:00:30Z",
                       "restarted_at": "2026-12-01T07:01:00Z", "restart_seconds": 45.0,
                       "reasons": [{"id": "kernel", "detail": "6.1 -> 6.2"}], "queued_update": False}],
            "boot_before": {"boot_id": "b0", "last_boot": "2026-11-01T00:00:00Z"},
            "message": "restart 2 deferred", "started": "2026-12-01T07:00:00Z", "finished": "2026-12-01T07:30:00Z",
            "duration_seconds": 1800.0, "window": None, "groups": [], "stopped_groups": [], "slot_wait_seconds": None,
            "window_start": None, "window_start_wait": None,
            "health_checks": [], "silence": None, "expected": None, "tier": None, "tier_after": [], "tier_wait_seconds": None,
        },
        "patch": {"status": "patched", "changes": ["a", "b"], "would_install": [], "reboot_required": True},
        "read_errors": [{"source": "needrestart", "error": "not installed"}],
        "reboot_required_unknown": False,
        "unknown_sources": [],
        "central": None,
        "data_errors": [],
    }
    assert list(row["sophos"]["services"]) == ["av", "mcs"]


def test_boot_before_is_the_first_entry_without_a_restart_only():
    cycle = {"status": "rebooted", "restarts": 2, "boots": [
        {"boot_id": "b1", "restarted_at": "t1"},
        {"boot_id": "late"},                       # no restart, after one: not the boot before
        {"boot_id": "b2", "restarted_at": "t2"}]}
    maintenance = model.host_row("h", facts={}, cycle=cycle)["maintenance"]
    assert maintenance["boot_before"] is None
    assert [(b["number"], b["boot_id"]) for b in maintenance["boots"]] == [(1, "b1"), (2, "b2")]
    cycle["boots"] = [{"boot_id": "b0"}, {"boot_id": "again"}, {"boot_id": "b1", "restarted_at": "t1"}]
    maintenance = model.host_row("h", facts={}, cycle=cycle)["maintenance"]
    assert maintenance["boot_before"] == {"boot_id": "b0", "last_boot": None}
    assert [(b["number"], b["boot_id"]) for b in maintenance["boots"]] == [(1, "b1")]


def test_no_cycle_record_is_no_maintenance():
    assert model.host_row("h", facts={}, cycle={})["maintenance"] is None
    assert model.host_row("h", facts={}, patch={})["patch"] is None
    row = model.host_row("h", facts={}, cycle="done")
    assert row["maintenance"] is None and row["data_errors"] == ["sophos_reboot_cycle: expected a mapping, got 'done'"]


def test_the_expectation_and_its_source_are_carried_and_checked():
    cycle = {"status": "rebooted", "restarts": 1, "expected": {
        "restart_minutes": 6.0, "restart_from": "history", "restart_samples": 10,
        "settle_minutes": 20, "settle_from": "setting", "settle_samples": 0}}
    row = model.host_row("h", facts={}, cycle=cycle)
    assert row["maintenance"]["expected"] == cycle["expected"] and row["data_errors"] == []
    cycle["expected"] = {"restart_minutes": "six", "restart_from": "guess", "settle_samples": -1}
    row = model.host_row("h", facts={}, cycle=cycle)
    assert row["maintenance"]["expected"] == {
        "restart_minutes": None, "restart_from": None, "restart_samples": None,
        "settle_minutes": None, "settle_from": None, "settle_samples": None}
    assert [error.split(":")[0] for error in row["data_errors"]] == [
        "sophos_reboot_cycle.expected.restart_minutes", "sophos_reboot_cycle.expected.restart_from",
        "sophos_reboot_cycle.expected.settle_samples"]
