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
