# -*- coding: utf-8 -*-
"""The cycle's messages, word for word (module_utils/_cycle.py): a bad window end, a time zone the
controller cannot read, the settings checked one by one, a restart state that cannot be read, the
record of a host whose maintenance broke off."""

from __future__ import absolute_import, division, print_function

import time
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle

# Tuesday 1 December 2026, 08:40 UTC.
START = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)
FORMS = ("an ISO 8601 date-time with a timezone (2026-11-28T06:00:00+01:00), a time of day with a timezone "
         "(06:00+01:00 or 06:00 Europe/Berlin: its next occurrence after the run starts) or a duration from "
         "the run's start (+4h, +1h30m, PT4H)")
SPACE_HINT = ("(a value with a space stays one value on the command line as JSON: "
              "-e '{\"reboot_cycle_window_end\": \"%s Europe/Berlin\"}')")
ISO_HINT = "write e.g. 2026-11-28T06:00:00+01:00 or 2026-11-28T05:00:00Z"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def message(call, *args, **kwargs):
    with pytest.raises(_cycle.CycleError) as info:
        call(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- window ends

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
    assert message(_cycle.window_end_at, value, started) == expected


def test_the_setting_name_is_the_callers():
    assert message(_cycle.window_end_at, "+0h", START, "window_end") == (
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
    assert _cycle.window_end_at(value, START) == expected


def test_a_time_zone_name_without_zoneinfo_is_refused_with_advice(monkeypatch):
    monkeypatch.setattr(_cycle, "ZoneInfo", None)
    assert message(_cycle.window_end_at, "06:00 Europe/Berlin", START) == (
        "reboot_cycle_window_end '06:00 Europe/Berlin' names a time zone, which needs Python 3.9 or later on "
        "the controller; write an offset instead, e.g. 06:00+01:00")
    # Offsets need no zone database.
    assert _cycle.window_end_at("06:00+01:00", START) == utc(2026, 12, 2, 5, 0)


# ---------------------------------------------------------------- window end as a setting

def test_a_window_end_at_or_before_the_run_start_is_refused():
    ends = {"window_end": "2026-12-01T08:40:00Z", "run_started": "2026-12-01T08:40:00Z"}
    assert message(_cycle.normalize_settings, ends) == (
        "reboot_cycle_window_end '2026-12-01T08:40:00Z' ended at 2026-12-01T08:40:00Z, before this run started "
        "(2026-12-01T08:40:00Z): the run would change nothing; give a later end, a time of day "
        "(06:00 Europe/Berlin) or a duration (+4h)")
    later = dict(ends, window_end="2026-12-01T08:40:01Z")
    assert _cycle.normalize_settings(later)["window_end"] == "2026-12-01T08:40:01Z"


def test_without_the_run_start_a_past_end_is_kept_for_the_guard_to_defer():
    settings = _cycle.normalize_settings({"window_end": "2026-12-01T09:40:00+02:00"}, START)
    assert settings["window_end"] == "2026-12-01T07:40:00Z" and settings["run_started"] is None


@pytest.mark.parametrize("raw, now, window_end, run_started", [
    ({"window_end": "+4h"}, START, "2026-12-01T12:40:00Z", None),
    ({"window_end": "+4h", "run_started": "2026-12-01T07:00:00Z"}, START, "2026-12-01T11:00:00Z",
     "2026-12-01T07:00:00Z"),
    ({"window_end": "+4h", "run_started": ""}, START, "2026-12-01T12:40:00Z", None),
    ({"window_end": "+4h", "run_started": "  "}, None, "+4h", None),
    ({"window_end": " 06:00 Europe/Berlin "}, None, "06:00 Europe/Berlin", None),
    ({"window_end": "  "}, START, None, None),
])
def test_window_setting_resolution(raw, now, window_end, run_started):
    settings = _cycle.normalize_settings(raw, now)
    assert (settings["window_end"], settings["run_started"]) == (window_end, run_started)


def test_a_relative_end_without_a_clock_is_still_checked():
    assert message(_cycle.normalize_settings, {"window_end": "+0h"}) == (
        "reboot_cycle_window_end '+0h' is an empty duration; write e.g. +4h or PT4H")
    assert message(_cycle.normalize_settings, {"window_end": "25:00Z"}) == (
        "reboot_cycle_window_end '25:00Z' is not a time of day (00:00 to 23:59)")


def test_window_is_relative():
    assert [_cycle.window_is_relative(v) for v in (" +4h ", "PT4H", "06:00Z", "06:00", "2026-12-01T06:00:00Z",
                                                   "soon", None, 4)] == [
        True, True, True, True, False, False, False, False]


# ---------------------------------------------------------------- every setting problem

def test_settings_problems_are_each_settings_own_in_name_order():
    problems = _cycle.settings_problems({"window_end": "+4h", "settle_mode": "fast", "run_started": "nope",
                                         "max_cycles": 0, "force": "maybe"}, START)
    assert problems == [
        "reboot_cycle_run_started 'nope' is not an ISO 8601 date-time; " + ISO_HINT,
        "reboot_cycle_force must be true or false (also yes/no, on/off, 1/0, any case), got 'maybe'",
        "reboot_cycle_max_cycles must be >= 1, got 0",
        "reboot_cycle_settle_mode must be one of poll|fixed, got 'fast'",
    ]


def test_settings_problems_check_the_window_against_the_run_start():
    raw = {"run_started": "2026-12-01T08:40:00Z", "window_end": "2026-12-01T08:00:00Z"}
    assert _cycle.settings_problems(raw, START + timedelta(hours=-2)) == [
        "reboot_cycle_window_end '2026-12-01T08:00:00Z' ended at 2026-12-01T08:00:00Z, before this run started "
        "(2026-12-01T08:40:00Z): the run would change nothing; give a later end, a time of day "
        "(06:00 Europe/Berlin) or a duration (+4h)"]
    assert _cycle.settings_problems({"bogus": 1, "window_end": "+4h"}) == ["unknown cycle setting(s): bogus"]
    assert _cycle.settings_problems(None) == [] and _cycle.settings_problems({}) == []


# ---------------------------------------------------------------- a restart state that cannot be read

def facts(read_errors=None, reboot_required=None):
    value = {"reasons": [], "reboot_required": reboot_required, "sophos": {"installed": False}}
    if read_errors is not None:
        value["read_errors"] = read_errors
    return value


@pytest.mark.parametrize("read_errors, reason", [
    (None, "cannot read the restart state: no read error reported"),
    ([], "cannot read the restart state: no read error reported"),
    (["registry: access denied", {"source": "rpm", "error": "db locked"}, {"error": "odd"}],
     "cannot read the restart state: registry: access denied; rpm: db locked; None: odd"),
])
def test_an_unreadable_restart_state_fails_and_says_what_was_unread(read_errors, reason):
    state = _cycle.start(facts(read_errors), _cycle.normalize_settings({}, START), START)
    decision = _cycle.plan(facts(read_errors), state, START)
    assert (decision["step"], decision["status"], decision["reason"]) == ("fail", "failed", reason)


def test_read_errors_summary():
    assert _cycle.read_errors_summary({}) == "no read error reported"
    assert _cycle.read_errors_summary({"read_errors": [3, {"source": "wu"}]}) == "3; wu: None"


# ---------------------------------------------------------------- a maintenance that broke off

def test_aborted_record_without_an_earlier_one():
    now = utc(2026, 12, 1, 9, 0, 12) + timedelta(microseconds=340000)
    record = _cycle.aborted(None, "patching failed", None, now, started="2026-12-01T09:00:00Z")
    assert record == {
        "status": "failed", "check_mode": False, "would_reboot": False, "restarts": 0, "max_cycles": None,
        "boots": [], "settles": [], "reasons_before": [], "reasons_after": [], "message": "patching failed",
        "warning": None, "started": "2026-12-01T09:00:00Z", "finished": "2026-12-01T09:00:12Z",
        "duration_seconds": 12.3, "unreachable": False,
    }


def test_aborted_record_keeps_what_the_cycle_knew():
    now = utc(2026, 12, 1, 9, 10, 0) + timedelta(microseconds=160000)
    earlier = {"status": "ok", "check_mode": True, "restarts": 1, "max_cycles": 2, "boots": [{"boot_id": "b"}],
               "settles": [{"mode": "poll"}], "reasons_before": ["kernel"], "started": "2026-12-01T09:00:00Z"}
    got = _cycle.aborted(earlier, "hook failed", {"reasons": [{"id": "sophos", "strong": True}]}, now,
                         unreachable="yes", started="2026-12-01T08:00:00Z")
    assert (got["status"], got["check_mode"], got["restarts"], got["max_cycles"], got["boots"], got["settles"]) == (
        "failed", True, 1, 2, [{"boot_id": "b"}], [{"mode": "poll"}])
    assert (got["reasons_before"], got["reasons_after"], got["started"], got["duration_seconds"]) == (
        ["kernel"], ["sophos"], "2026-12-01T09:00:00Z", 600.2)
    assert got["unreachable"] is True and got["message"] == "hook failed"


def test_aborted_record_whose_start_is_unreadable_is_refused():
    assert message(_cycle.aborted, {"status": "ok", "started": "soon"}, "x", None, START) == (
        "started 'soon' is not an ISO 8601 date-time; " + ISO_HINT)


def test_a_time_of_day_counts_in_its_own_zone_not_the_controllers(monkeypatch):
    monkeypatch.setenv("TZ", "XYZ-01:00")  # the controller an hour east of UTC
    time.tzset()
    try:
        # 05:00 UTC is still 30 November at -10:00: its 20:00 is 06:00 UTC the same morning.
        got = _cycle.window_end_at("20:00-10:00", utc(2026, 12, 1, 5, 0))
        assert got == utc(2026, 12, 1, 6, 0) and got.tzinfo is timezone.utc
        got = _cycle.window_end_at("06:00 Europe/Berlin", START)
        assert got == utc(2026, 12, 2, 5, 0) and got.tzinfo is timezone.utc
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_bad_window_end_with_a_clock_is_named_as_the_role_variable():
    assert message(_cycle.normalize_settings, {"window_end": "tomorrow"}, START) == (
        "reboot_cycle_window_end 'tomorrow' is not a window end; write " + FORMS)
    assert message(_cycle.normalize_settings, {"window_end": "+0h", "run_started": "2026-12-01T08:40:00Z"}) == (
        "reboot_cycle_window_end '+0h' is an empty duration; write e.g. +4h or PT4H")
