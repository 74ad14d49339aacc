"""The time parsers and formatters of assess and the cycle, with epochs computed by hand (date -u +%s)."""
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess, _cycle

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


@pytest.mark.parametrize("text, moment", [
    ("2026-11-28T06:00Z", datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00z", datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00+23:59", datetime(2026, 11, 27, 6, 1, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00-00:30", datetime(2026, 11, 28, 6, 30, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00.123456+00:00", datetime(2026, 11, 28, 6, 0, 0, 123456, tzinfo=timezone.utc)),
    (" 2026-11-28T06:00:00Z ", datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)),
])
def test_parse_time(text, moment):
    assert _cycle.parse_time(text, "t") == moment


@pytest.mark.parametrize("value, message", [
    ("2026-11-28T06:00:00+24:00", "w '2026-11-28T06:00:00+24:00' has an impossible timezone offset +24:00"),
    ("2026-11-28T06:00:00+01:60", "w '2026-11-28T06:00:00+01:60' has an impossible timezone offset +01:60"),
    ("2026-11-28T06:00", "w '2026-11-28T06:00' has no timezone offset; add one, e.g. 2026-11-28T06:00+01:00 "
                         "or 2026-11-28T06:00Z"),
    ("soon", "w 'soon' is not an ISO 8601 date-time; write e.g. 2026-11-28T06:00:00+01:00 or 2026-11-28T05:00:00Z"),
    (5, "w must be an ISO 8601 date-time string, got int 5"),
    (datetime(2026, 11, 28, 6, 0), "w '2026-11-28T06:00:00' has no timezone"),
    ("2026-02-30T06:00:00Z", "w '2026-02-30T06:00:00Z' is not a valid date-time: day is out of range for month"),
])
def test_parse_time_refuses(value, message):
    with pytest.raises(_cycle.CycleError) as info:
        _cycle.parse_time(value, "w")
    assert str(info.value) == message


def test_parse_time_of_an_aware_datetime_and_iso():
    local = datetime(2026, 11, 28, 7, 0, tzinfo=timezone(timedelta(hours=1)))
    assert _cycle.parse_time(local, "t") == datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)
    assert _cycle.iso(local) == "2026-11-28T06:00:00Z"
    assert _cycle.iso(datetime(2026, 11, 28, 6, 0, 0, 999999, tzinfo=timezone.utc)) == "2026-11-28T06:00:00Z"
