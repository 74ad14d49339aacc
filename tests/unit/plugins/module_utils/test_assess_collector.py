"""What the platforms share (_assess_collector.py): the time helpers."""

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess
from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess
from ansible_collections.fleetops.sophos.tests.unit.assess_readings import linux_edge, spl_state


# ============================================================================
# The time helpers.

def test_iso_parsing_and_local_stamps():
    assert _assess.iso_to_epoch("2026-11-27T08:00:00.123Z") == pytest.approx(1795766400.123)
    assert _assess.iso_to_epoch("2026-11-27T10:00:00+02:00") == 1795766400
    assert _assess.iso_to_epoch("27/11/2026") is None
    assert _assess.stamp_to_epoch("20261127 080000", {"20261127 080000": "2026-11-27T07:00:00Z"}) == 1795762800


# ------------------------------------------------------------------ the time helpers at their edges
# Epochs computed by hand (date -u +%s); the collection's own time (_time.py) is in test_time.py.

# date -u -d 2026-11-27T08:00:00Z +%s
NOW = 1795766400


@pytest.mark.parametrize("text, epoch", [
    ("2026-11-27T08:00:00Z", NOW),
    ("2026-11-27 08:00:00", NOW),                   # no zone: UTC
    ("2026-11-27T08:00:00+00:00", NOW),
    ("2026-11-27T09:30:00+01:30", NOW),
    ("2026-11-27T06:15:00-0145", NOW),
    ("2026-11-27T08:00:00.5Z", NOW + 0.5),
    (" 2026-11-27T08:00:00Z ", NOW),
])
def test_iso_to_epoch(text, epoch):
    assert _assess.iso_to_epoch(text) == epoch


@pytest.mark.parametrize("text", [None, 5, "", "2026-11-27", "2026-11-27T08:00Z", "2026-13-27T08:00:00Z",
                                  "2026-11-27T08:00:00 UTC", "x2026-11-27T08:00:00Z"])
def test_iso_to_epoch_refuses(text):
    assert _assess.iso_to_epoch(text) is None


def test_epoch_to_iso_truncates_to_the_second():
    assert _assess.epoch_to_iso(NOW + 0.999) == "2026-11-27T08:00:00Z"
    assert _assess.epoch_to_iso(NOW) == "2026-11-27T08:00:00Z"
    assert _assess.epoch_to_iso(0) == "1970-01-01T00:00:00Z"
    assert _assess.epoch_to_iso(None) is None


def test_stamp_to_epoch():
    assert _assess.stamp_to_epoch("20261127 080000", None) == NOW
    assert _assess.stamp_to_epoch("20261127 090000", {"20261127 090000": "2026-11-27T08:00:00Z"}) == NOW
    assert _assess.stamp_to_epoch(" 20261127 080000 ", {}) == NOW
    for bad in (None, 20261127, "2026-11-27 08:00", "20261127080000"):
        assert _assess.stamp_to_epoch(bad, {}) is None


# ============================================================================
# assess()'s edges, each at, below and above, from minimal readings with hand-computed answers.
#
# Times: NOW 2026-11-27T08:00:00Z = epoch 1795766400; BOOT 2026-11-26T06:00:00Z = epoch 1795672800 (date -u +%s).
# A day is 86400 s; 0.01 day is 864 s (pending_days and uptime_days are rounded to 0.01).


# ------------------------------------------------------------------ updated since boot


@pytest.mark.parametrize("value, last_update", [
    (946684799, None), (946684800, "2000-01-01T00:00:00Z"), (4102444800, "2100-01-01T00:00:00Z"),
    (4102444801, None), (410244480000, None), (410244480001, None),
    (1795672801000, "2026-11-26T06:00:01Z"),  # milliseconds
])
def test_plausible_epoch_edges(value, last_update):
    assert assess(linux_edge(spl=spl_state(value)))["sophos"]["last_update"] == last_update
