"""Readings built by hand that the _assess test modules share (test_assess*.py)."""

import json

from ansible_collections.fleetops.sophos.tests.unit.readings import fixture

NOW = "2026-11-27T08:00:00Z"
BOOT = "2026-11-26T06:00:00Z"  # epoch 1764136800
ALC = "base/mcs/status/ALC_status.xml"
SHS = "base/mcs/status/SHS_status.xml"
INI = "base/VERSION.ini"


INSTALLED = "2025-06-01T10:00:00Z"  # long before BOOT


def spl(files=None, reports=None, markers=None, services=None, install_marker=None):
    chosen = {ALC: "ALC_status.good.xml", SHS: "SHS_status.good.xml", INI: "VERSION.ini"}
    chosen.update(files or {})
    return {
        "dir": "/opt/sophos-spl",
        "files": dict((rel, {"text": fixture("spl", name)}) for rel, name in chosen.items() if name),
        "reports": dict((name, {"text": fixture("spl", recorded)}) for name, recorded in (reports or {}).items()),
        "markers": markers or {},
        "services": services or {},
        "install_marker": install_marker or {"mtime": INSTALLED},
    }


def linux(spl_reading=None, sav=None, os_reading=None, **extra):
    raw = {"family": "linux", "now": NOW, "last_boot": BOOT, "boot_id": "b0", "errors": [],
           "spl": spl_reading, "sav": sav, "os": os_reading or {"kernel_release": "6.1.0-18-amd64"}}
    raw.update(extra)
    return raw


def sav(version="savdstatus-version.txt", status="savdstatus-v.active.txt", last="update.last_update"):
    reading = {"dir": "/opt/sophos-av", "last_update": {"text": fixture("sav", last)} if last else None}
    if version:
        reading["version"] = {"rc": 0, "stdout": fixture("sav", version), "stderr": ""}
    if status:
        reading["status"] = {"rc": 0, "stdout": fixture("sav", status), "stderr": ""}
    return reading


def linux_unread(spl_unread=None, os_reading=None, errors=()):
    return {"family": "linux", "now": "2026-11-27T08:00:00Z", "last_boot": "2026-11-26T06:00:00Z", "boot_id": "b0",
            "errors": list(errors), "spl": spl_unread, "os": os_reading or {"kernel_release": "6.1.0-18-amd64"}}


def spl_unread(**changes):
    reading = {"dir": "/opt/sophos-spl", "files": {ALC: {"text": fixture("spl", "ALC_status.good.xml")}},
               "reports": {}, "reports_dir": None, "markers": {}, "services": {}, "blocked": {},
               "install_marker": {"mtime": "2025-06-01T10:00:00Z"}}
    reading.update(changes)
    return reading


NOW_EPOCH = 1795766400
BOOT_EPOCH = 1795672800
SMR = "base/update/var/updatescheduler/state_machine_raw_data.json"


def iso(epoch):
    # Written out by hand for the few instants used here, not computed by the code under test.
    return {
        NOW_EPOCH: "2026-11-27T08:00:00Z",
        BOOT_EPOCH: "2026-11-26T06:00:00Z",
        BOOT_EPOCH + 1: "2026-11-26T06:00:01Z",
        BOOT_EPOCH - 1: "2026-11-26T05:59:59Z",
        BOOT_EPOCH - 60: "2026-11-26T05:59:00Z",
        BOOT_EPOCH - 61: "2026-11-26T05:58:59Z",
        BOOT_EPOCH - 3600: "2026-11-26T05:00:00Z",
        NOW_EPOCH - 14 * 86400: "2026-11-13T08:00:00Z",
        NOW_EPOCH - 14 * 86400 - 864: "2026-11-13T07:45:36Z",
        NOW_EPOCH - 14 * 86400 + 864: "2026-11-13T08:14:24Z",
        NOW_EPOCH - 30 * 86400: "2026-10-28T08:00:00Z",
        NOW_EPOCH - 30 * 86400 + 864: "2026-10-28T08:14:24Z",
        NOW_EPOCH + 3600: "2026-11-27T09:00:00Z",
        NOW_EPOCH - 864: "2026-11-27T07:45:36Z",
    }[epoch]


def linux_edge(os_reading=None, spl=None, boot=BOOT_EPOCH, boot_id=None, **extra):
    raw = {"family": "linux", "now": iso(NOW_EPOCH), "last_boot": iso(boot), "boot_id": boot_id,
           "os": os_reading or {}}
    if spl is not None:
        raw["spl"] = spl
    raw.update(extra)
    return raw


def spl_state(last_good, markers=None):
    return {"dir": "/opt/sophos-spl", "files": {SMR: {"text": json.dumps({"LastGoodInstallTime": last_good,
                                                                          "InstallState": 0,
                                                                          "DownloadState": 0})}},
            "reports": {}, "markers": markers or {}, "services": {}}


def ids(facts):
    return [r["id"] for r in facts["reasons"]]


REASON = "sophos_installed_since_boot"


def sources(facts):
    return [e["source"] for e in facts["read_errors"]]
