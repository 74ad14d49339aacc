"""What the platforms share (_assess_collector.py): the time helpers."""

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess
from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess
from ansible_collections.fleetops.sophos.tests.unit.assess_readings import linux_edge, spl_state


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


# ------------------------------------------------------------------ updated since boot


@pytest.mark.parametrize("value, last_update", [
    (946684799, None), (946684800, "2000-01-01T00:00:00Z"), (4102444800, "2100-01-01T00:00:00Z"),
    (4102444801, None), (410244480000, None), (410244480001, None),
    (1795672801000, "2026-11-26T06:00:01Z"),  # milliseconds
])
def test_plausible_epoch_edges(value, last_update):
    assert assess(linux_edge(spl=spl_state(value)))["sophos"]["last_update"] == last_update
