"""What the platforms share (_assess_collector.py): Sophos stamps, the collector, the health rule."""

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess, _time
from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess
from ansible_collections.fleetops.sophos.tests.unit.assess_readings import linux_edge, spl_state


# ============================================================================
# Times: the platforms read them with _time's one parser and formatter (its edges are in test_time.py);
# the Sophos report stamps are the collector's own.

# date -u -d 2026-11-27T08:00:00Z +%s
NOW = 1795766400


def test_the_platforms_read_times_with_the_one_time_module():
    assert _assess.iso_to_epoch is _time.iso_to_epoch and _assess.epoch_to_iso is _time.epoch_to_iso
    assert _assess.iso_to_epoch("2026-11-27T10:00:00+02:00") == NOW
    assert _assess.iso_to_epoch("27/11/2026") is None


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
