"""Helpers shared by the report's unit tests (tests/unit/plugins/module_utils/test_report_*.py)."""
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model

# A host name every rendering must escape.
HOSTILE = "<img src=x onerror=alert(1)>"


def row_of(report, host):
    matches = [row for row in report["hosts"] if row["host"] == host]
    assert len(matches) == 1, host
    return matches[0]


def build(entries, **kwargs):
    return model.build_report(entries, generated="2026-12-01T09:05:00Z", title="Fleet", **kwargs)


def clean():
    return {"reboot_required": False, "reasons": [],
            "sophos": {"installed": True, "health": {"overall": "good", "services": {}}}}


# A cycle record with two restarts (the second the queued Sophos update's) and two settles.
TWO_RESTARTS = {
    "status": "rebooted", "restarts": 2, "started": "2026-11-28T02:00:00Z", "finished": "2026-11-28T02:20:00Z",
    "boots": [
        {"boot_id": "b0", "last_boot": "2026-11-20T00:00:00Z"},
        {"boot_id": "b1", "last_boot": "2026-11-28T02:02:40Z", "restarted_at": "2026-11-28T02:03:00Z",
         "restart_seconds": 90},
        {"boot_id": "b2", "last_boot": "2026-11-28T02:11:30Z", "restarted_at": "2026-11-28T02:12:00Z",
         "restart_seconds": 60, "queued_update": True, "reasons": [{"id": "sophos_reboot_required"}]},
    ],
    "settles": [{"mode": "poll", "seconds": 300, "ended": "reboot_required"},
                {"mode": "poll", "seconds": 420, "ended": "evidence"}],
}
