# -*- coding: utf-8 -*-
"""Time as the collection reads and counts it (module_utils/_time.py): the ISO 8601 parser and formatter,
the window's forms (absolute, time of day, duration) for its start and its end, zones and their clock
changes."""

from __future__ import absolute_import, division, print_function

import time
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _time

# Tuesday 1 December 2026, 08:40 UTC = 09:40 in Berlin (CET, +01:00).
START = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)
SUMMER = datetime(2026, 7, 1, 8, 40, tzinfo=timezone.utc)  # 10:40 in Berlin (CEST, +02:00)
END = "reboot_cycle_window_end"
FORMS = ("an ISO 8601 date-time with a timezone (2026-11-28T06:00:00+01:00), a time of day with a timezone "
         "(06:00+01:00 or 06:00 Europe/Berlin: its next occurrence after the run starts) or a duration from "
         "the run's start (+4h, +1h30m, PT4H)")
SPACE_HINT = ("(a value with a space stays one value on the command line as JSON: "
              "-e '{\"reboot_cycle_window_end\": \"%s Europe/Berlin\"}')")
ISO_HINT = "write e.g. 2026-11-28T06:00:00+01:00 or 2026-11-28T05:00:00Z"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def end_at(value, started, what=END):
    return _time.resolve(value, started, what)


def message(call, *args, **kwargs):
    with pytest.raises(_time.TimeError) as info:
        call(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- parse and format

@pytest.mark.parametrize("text, moment", [
    ("2026-11-28T06:00Z", datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00z", datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00+23:59", datetime(2026, 11, 27, 6, 1, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00-00:30", datetime(2026, 11, 28, 6, 30, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00.123456+00:00", datetime(2026, 11, 28, 6, 0, 0, 123456, tzinfo=timezone.utc)),
    (" 2026-11-28T06:00:00Z ", datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)),
])
def test_parse_time(text, moment):
    assert _time.parse_time(text, "t") == moment


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
    with pytest.raises(_time.TimeError) as info:
        _time.parse_time(value, "w")
    assert str(info.value) == message


def test_parse_time_of_an_aware_datetime_and_iso():
    local = datetime(2026, 11, 28, 7, 0, tzinfo=timezone(timedelta(hours=1)))
    assert _time.parse_time(local, "t") == datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)
    assert _time.iso(local) == "2026-11-28T06:00:00Z"
    assert _time.iso(datetime(2026, 11, 28, 6, 0, 0, 999999, tzinfo=timezone.utc)) == "2026-11-28T06:00:00Z"


@pytest.mark.parametrize("text,expected", [
    ("2026-11-28T06:00:00Z", datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)),
    ("2026-11-28T06:00:00+01:00", datetime(2026, 11, 28, 5, 0, tzinfo=timezone.utc)),
    ("2026-11-28T06:00-0230", datetime(2026, 11, 28, 8, 30, tzinfo=timezone.utc)),
    ("2026-11-28 06:00:00.250z", datetime(2026, 11, 28, 6, 0, 0, 250000, tzinfo=timezone.utc)),
])
def test_parse_time_accepts_offsets(text, expected):
    assert _time.parse_time(text, "window_end") == expected


@pytest.mark.parametrize("text,message", [
    ("2026-11-28T06:00:00", "has no timezone offset"),
    ("tomorrow 6am", "is not an ISO 8601 date-time"),
    ("2026-13-28T06:00:00Z", "is not a valid date-time"),
    ("2026-11-28T06:00:00+25:00", "impossible timezone offset"),
    ("", "is not an ISO 8601"),
])
def test_parse_time_refuses_bad_windows(text, message):
    with pytest.raises(_time.TimeError, match=message) as err:
        _time.parse_time(text, "window_end")
    assert "window_end" in str(err.value)


def test_parse_time_refuses_non_strings():
    with pytest.raises(_time.TimeError, match="must be an ISO 8601 date-time string"):
        _time.parse_time(1234, "window_end")
    with pytest.raises(_time.TimeError, match="has no timezone"):
        _time.parse_time(datetime(2026, 1, 1), "window_end")


@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (0.2, "1s"), (59, "59s"), (60, "1m00s"), (61, "1m01s"), (3599, "59m59s"), (3600, "1h00m"),
    (3661, "1h01m"), (-5, "0s"),
])
def test_human_seconds(seconds, text):
    assert _time.human_seconds(seconds) == text


def test_parse_time_returns_utc_whatever_the_local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "XYZ-01:00")
    time.tzset()
    try:
        local = datetime(2026, 11, 28, 7, 0, tzinfo=timezone(timedelta(hours=1)))
        assert _time.parse_time(local, "t").utcoffset() == timedelta(0)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# date -u -d 2026-11-27T08:00:00Z +%s
EPOCH = 1795766400


@pytest.mark.parametrize("text, epoch", [
    ("2026-11-27T08:00:00Z", EPOCH),
    ("2026-11-27 08:00:00", EPOCH),                   # no zone: UTC (recorded data)
    ("2026-11-27T08:00:00+00:00", EPOCH),
    ("2026-11-27T09:30:00+01:30", EPOCH),
    ("2026-11-27T06:15:00-0145", EPOCH),
    ("2026-11-27T08:00:00.5Z", EPOCH + 0.5),
    ("2026-11-27T08:00:00.1234567Z", EPOCH + 0.123456),  # Windows' seven digits, cut to microseconds
    ("2026-11-27T08:00Z", EPOCH),
    (" 2026-11-27T08:00:00Z ", EPOCH),
])
def test_iso_to_epoch(text, epoch):
    assert _time.iso_to_epoch(text) == pytest.approx(epoch, abs=1e-6)


@pytest.mark.parametrize("text", [None, 5, "", "2026-11-27", "2026-13-27T08:00:00Z", "2026-11-27T08:00:00+24:00",
                                  "2026-11-27T08:00:00 UTC", "x2026-11-27T08:00:00Z"])
def test_iso_to_epoch_refuses(text):
    assert _time.iso_to_epoch(text) is None


def test_epoch_to_iso_truncates_to_the_second():
    assert _time.epoch_to_iso(EPOCH + 0.999) == "2026-11-27T08:00:00Z"
    assert _time.epoch_to_iso(0) == "1970-01-01T00:00:00Z"
    assert _time.epoch_to_iso(None) is None
    assert isinstance(_time.iso_to_epoch("2026-11-27T08:00:00Z"), int)


# ---------------------------------------------------------------- the window's forms

@pytest.mark.parametrize("text,expected", [
    ("2026-12-01T12:00:00+01:00", utc(2026, 12, 1, 11, 0)),
    ("+4h", utc(2026, 12, 1, 12, 40)),
    ("+1h30m", utc(2026, 12, 1, 10, 10)),
    ("+90m", utc(2026, 12, 1, 10, 10)),
    ("+45min", utc(2026, 12, 1, 9, 25)),
    ("+1d", utc(2026, 12, 2, 8, 40)),
    (" PT4H ", utc(2026, 12, 1, 12, 40)),
    ("PT1H30M", utc(2026, 12, 1, 10, 10)),
    ("pt90m", utc(2026, 12, 1, 10, 10)),
    ("P1DT2H", utc(2026, 12, 2, 10, 40)),
    # A time of day: its next occurrence after the start; already past today -> tomorrow.
    ("10:00 Europe/Berlin", utc(2026, 12, 1, 9, 0)),
    ("06:00 Europe/Berlin", utc(2026, 12, 2, 5, 0)),
    ("06:00+01:00", utc(2026, 12, 2, 5, 0)),
    ("09:00Z", utc(2026, 12, 1, 9, 0)),
    ("09:00:30 +00:00", utc(2026, 12, 1, 9, 0, 30)),
    ("08:40Z", utc(2026, 12, 2, 8, 40)),  # exactly the start is not "after" it
    ("23:59 UTC", utc(2026, 12, 1, 23, 59)),
])
def test_window_forms(text, expected):
    assert end_at(text, START) == expected


def test_time_zone_names_follow_daylight_saving_time():
    assert end_at("12:00 Europe/Berlin", SUMMER) == utc(2026, 7, 1, 10, 0)
    assert end_at("12:00+01:00", SUMMER) == utc(2026, 7, 1, 11, 0)


@pytest.mark.parametrize("text,message", [
    ("06:00", "has no timezone; add one, e.g. 06:00\\+01:00, 06:00Z or 06:00 Europe/Berlin"),
    ("24:00Z", "is not a time of day"),
    ("06:61Z", "is not a time of day"),
    ("06:00 Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
    ("06:00+25:00", "impossible timezone offset"),
    ("+0h", "empty duration"),
    ("PT", "empty duration"),
    ("+4 hours", "is not a window end; write an ISO 8601 date-time"),
    ("tomorrow", "is not a window end"),
    ("2026-12-01T06:00:00", "has no timezone offset"),
])
def test_bad_window_ends_are_named(text, message):
    with pytest.raises(_time.TimeError, match="reboot_cycle_window_end '%s'.*%s" % (text.replace("+", "\\+"), message)):
        end_at(text, START)


def test_relative_forms_need_the_run_start():
    with pytest.raises(_time.TimeError, match="counts from the run's start"):
        end_at("+4h", None)


@pytest.mark.parametrize("value, started, expected", [
    ("tomorrow", START, "reboot_cycle_window_end 'tomorrow' is not a window end; write " + FORMS),
    ("+4h", None, "reboot_cycle_window_end '+4h' counts from the run's start, which is not known here"),
    ("06:00Z", "yesterday", "run start 'yesterday' is not an ISO 8601 date-time; " + ISO_HINT),
    ("+0h", START, "reboot_cycle_window_end '+0h' is an empty duration; write e.g. +4h or PT4H"),
    ("+", START, "reboot_cycle_window_end '+' is an empty duration; write e.g. +4h or PT4H"),
    ("P0D", START, "reboot_cycle_window_end 'P0D' is an empty duration; write e.g. +4h or PT4H"),
    ("24:00Z", START, "reboot_cycle_window_end '24:00Z' is not a time of day (00:00 to 23:59)"),
    ("23:60Z", START, "reboot_cycle_window_end '23:60Z' is not a time of day (00:00 to 23:59)"),
    ("23:59:60Z", START, "reboot_cycle_window_end '23:59:60Z' is not a time of day (00:00 to 23:59)"),
    ("06:00", START, "reboot_cycle_window_end '06:00' has no timezone; add one, e.g. 06:00+01:00, 06:00Z or "
                     "06:00 Europe/Berlin " + SPACE_HINT % "06:00"),
    (" 06:00 ", START, "reboot_cycle_window_end ' 06:00 ' has no timezone; add one, e.g. 06:00+01:00, 06:00Z or "
                       "06:00 Europe/Berlin " + SPACE_HINT % "06:00"),
    ("06:00+24:00", START, "reboot_cycle_window_end '06:00+24:00' has an impossible timezone offset +24:00"),
    ("06:00+01:60", START, "reboot_cycle_window_end '06:00+01:60' has an impossible timezone offset +01:60"),
    ("06:00 Mars/Olympus", START, "reboot_cycle_window_end '06:00 Mars/Olympus': unknown time zone 'Mars/Olympus'; "
                                  "use an IANA name such as Europe/Berlin or an offset such as +01:00"),
    (5, START, "reboot_cycle_window_end must be an ISO 8601 date-time string, got int 5"),
    (datetime(2026, 12, 1, 12, 0), START, "reboot_cycle_window_end '2026-12-01T12:00:00' has no timezone"),
])
def test_bad_window_end_messages(value, started, expected):
    assert message(end_at, value, started) == expected


def test_the_setting_name_is_the_callers():
    assert message(end_at, "+0h", START, "window_end") == (
        "window_end '+0h' is an empty duration; write e.g. +4h or PT4H")


@pytest.mark.parametrize("value, expected", [
    (None, None),
    ("", None),
    ("   ", None),
    ("+1s", utc(2026, 12, 1, 8, 40, 1)),
    ("PT0.5M", utc(2026, 12, 1, 8, 40, 30)),
    ("23:59:59Z", utc(2026, 12, 1, 23, 59, 59)),
    ("00:00:59Z", utc(2026, 12, 2, 0, 0, 59)),
    # 06:00 at +23:59 is 06:01 UTC of the day before: 2026-12-01 06:01 UTC has passed, the next is the 2nd's.
    ("06:00+23:59", utc(2026, 12, 2, 6, 1)),
    ("08:40:01Z", utc(2026, 12, 1, 8, 40, 1)),
    ("08:39:59Z", utc(2026, 12, 2, 8, 39, 59)),
    ("11:40-0300", utc(2026, 12, 1, 14, 40)),
    (datetime(2026, 12, 1, 12, 0, tzinfo=timezone(timedelta(hours=1))), utc(2026, 12, 1, 11, 0)),
])
def test_window_end_edges(value, expected):
    assert end_at(value, START) == expected


def test_a_time_zone_name_without_zoneinfo_is_refused_with_advice(monkeypatch):
    monkeypatch.setattr(_time, "ZoneInfo", None)
    assert message(end_at, "06:00 Europe/Berlin", START) == (
        "reboot_cycle_window_end '06:00 Europe/Berlin' names a time zone, which needs Python 3.9 or later on "
        "the controller; write an offset instead, e.g. 06:00+01:00")
    # Offsets need no zone database.
    assert end_at("06:00+01:00", START) == utc(2026, 12, 2, 5, 0)


def test_window_is_relative():
    assert [_time.is_relative(v) for v in (" +4h ", "PT4H", "06:00Z", "06:00", "2026-12-01T06:00:00Z",
                                           "soon", None, 4)] == [
        True, True, True, True, False, False, False, False]


def test_a_time_of_day_counts_in_its_own_zone_not_the_controllers(monkeypatch):
    monkeypatch.setenv("TZ", "XYZ-01:00")  # the controller an hour east of UTC
    time.tzset()
    try:
        # 05:00 UTC is still 30 November at -10:00: its 20:00 is 06:00 UTC the same morning.
        got = end_at("20:00-10:00", utc(2026, 12, 1, 5, 0))
        assert got == utc(2026, 12, 1, 6, 0) and got.tzinfo is timezone.utc
        got = end_at("06:00 Europe/Berlin", START)
        assert got == utc(2026, 12, 2, 5, 0) and got.tzinfo is timezone.utc
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# ---------------------------------------------------------------- zones, clock changes, a window's start

def test_a_window_across_the_autumn_change_is_an_hour_longer():
    # Saturday 24 October 2026, 20:00 in Berlin (CEST, +02:00); the clocks go back at 03:00 CEST on the 25th.
    launched = utc(2026, 10, 24, 18, 0)
    end = end_at("06:00 Europe/Berlin", launched)
    start = _time.resolve("22:00 Europe/Berlin", launched, "reboot_cycle_window_start", before=end)
    assert (start, end) == (utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 5, 0))  # 22:00 CEST, 06:00 CET
    assert end - start == timedelta(hours=9)


def test_a_clock_reading_passed_twice_is_its_first_pass():
    # 02:30 happens twice on 25 October 2026 in Berlin: the first, in summer time (00:30 UTC), is taken.
    assert end_at("02:30 Europe/Berlin", utc(2026, 10, 24, 22, 0)) == utc(2026, 10, 25, 0, 30)


def test_a_clock_reading_the_spring_change_skips_takes_the_offset_before_it():
    # 29 March 2026 in Berlin: 02:00 CET jumps to 03:00 CEST, there is no 02:30. It is read with the offset
    # before the change, 02:30+01:00 = 01:30 UTC = 03:30 CEST (documented in docs/maintenance.md, "Window start").
    launched = utc(2026, 3, 28, 23, 0)  # 00:00 CET on the 29th
    assert _time.resolve("02:30 Europe/Berlin", launched, "reboot_cycle_window_start") == utc(2026, 3, 29, 1, 30)
    # The fixed offset form has no clock change: 02:30+01:00 is the same moment.
    assert _time.resolve("02:30+01:00", launched, "reboot_cycle_window_start") == utc(2026, 3, 29, 1, 30)


@pytest.mark.parametrize("launched, start, end", [
    # 20:00 in Berlin (CET): the window 22:00-02:00 opens in two hours and closes after midnight.
    (utc(2026, 12, 1, 19, 0), utc(2026, 12, 1, 21, 0), utc(2026, 12, 2, 1, 0)),
    # 23:00, inside the window: its start has passed (no wait), its end is 02:00 the same night.
    (utc(2026, 12, 1, 22, 0), utc(2026, 12, 1, 21, 0), utc(2026, 12, 2, 1, 0)),
    # 01:00 the next morning: still inside it.
    (utc(2026, 12, 2, 0, 0), utc(2026, 12, 1, 21, 0), utc(2026, 12, 2, 1, 0)),
])
def test_a_window_across_midnight(launched, start, end):
    got_end = end_at("02:00 Europe/Berlin", launched)
    got_start = _time.resolve("22:00 Europe/Berlin", launched, "reboot_cycle_window_start", before=got_end)
    assert (got_start, got_end) == (start, end)


def test_a_time_of_day_without_an_end_is_its_next_occurrence():
    assert _time.resolve("22:00 Europe/Berlin", utc(2026, 12, 1, 22, 0), "s") == utc(2026, 12, 2, 21, 0)


def test_the_local_clock_of_a_time_of_day():
    assert _time.local_clock("22:00 Europe/Berlin", utc(2026, 12, 2, 1, 0)) == "02:00"
    assert _time.local_clock(" 06:00+01:00 ", utc(2026, 12, 2, 1, 0)) == "02:00"
    assert _time.local_clock("+4h", utc(2026, 12, 2, 1, 0)) is None
    assert _time.zone_of("22:00 Europe/Berlin") == "Europe/Berlin" and _time.zone_of("PT4H") is None
    assert _time.zone_of(None) is None
