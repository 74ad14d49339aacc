"""What the platforms share (_assess_collector.py): the time helpers."""

import json

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess
from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess


# ============================================================================
# assess() over Linux readings: SPL files, legacy SAV, and the OS restart checks, in their real formats.

def test_iso_parsing_and_local_stamps():
    assert _assess.iso_to_epoch("2026-11-27T08:00:00.123Z") == pytest.approx(1795766400.123)
    assert _assess.iso_to_epoch("2026-11-27T10:00:00+02:00") == 1795766400
    assert _assess.iso_to_epoch("27/11/2026") is None
    assert _assess.stamp_to_epoch("20261127 080000", {"20261127 080000": "2026-11-27T07:00:00Z"}) == 1795762800


# ============================================================================
# assess()'s edges, each at, below and above, from minimal readings with hand-computed answers.
#
# Times: NOW 2026-11-27T08:00:00Z = epoch 1795766400; BOOT 2026-11-26T06:00:00Z = epoch 1795672800 (date -u +%s).
# A day is 86400 s; 0.01 day is 864 s (pending_days and uptime_days are rounded to 0.01).

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


def linux(os_reading=None, spl=None, boot=BOOT_EPOCH, boot_id=None, **extra):
    raw = {"family": "linux", "now": iso(NOW_EPOCH), "last_boot": iso(boot), "boot_id": boot_id,
           "os": os_reading or {}}
    if spl is not None:
        raw["spl"] = spl
    raw.update(extra)
    return raw


# ------------------------------------------------------------------ updated since boot

def spl_state(last_good, markers=None):
    return {"dir": "/opt/sophos-spl", "files": {SMR: {"text": json.dumps({"LastGoodInstallTime": last_good,
                                                                          "InstallState": 0,
                                                                          "DownloadState": 0})}},
            "reports": {}, "markers": markers or {}, "services": {}}


@pytest.mark.parametrize("value, last_update", [
    (946684799, None), (946684800, "2000-01-01T00:00:00Z"), (4102444800, "2100-01-01T00:00:00Z"),
    (4102444801, None), (410244480000, None), (410244480001, None),
    (1795672801000, "2026-11-26T06:00:01Z"),  # milliseconds
])
def test_plausible_epoch_edges(value, last_update):
    assert assess(linux(spl=spl_state(value)))["sophos"]["last_update"] == last_update
