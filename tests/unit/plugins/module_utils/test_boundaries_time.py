"""The time helpers of assess, with epochs computed by hand (date -u +%s); the collection's own are in test_time.py."""

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess

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
