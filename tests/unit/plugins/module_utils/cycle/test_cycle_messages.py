# -*- coding: utf-8 -*-
"""The cycle's messages, word for word (module_utils/_cycle.py): a window end as a setting, the settings
checked one by one, a restart state that cannot be read, the record of a host whose maintenance broke off
(the time forms' own messages are in test_time.py)."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time

# Tuesday 1 December 2026, 08:40 UTC.
START = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)
FORMS = ("an ISO 8601 date-time with a timezone (2026-11-28T06:00:00+01:00), a time of day with a timezone "
         "(06:00+01:00 or 06:00 Europe/Berlin: its next occurrence after the run starts) or a duration from "
         "the run's start (+4h, +1h30m, PT4H)")
ISO_HINT = "write e.g. 2026-11-28T06:00:00+01:00 or 2026-11-28T05:00:00Z"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def message(call, *args, **kwargs):
    with pytest.raises(_cycle.CycleError) as info:
        call(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- window ends


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
    with pytest.raises(_time.TimeError) as info:
        _cycle.aborted({"status": "ok", "started": "soon"}, "x", None, START)
    assert str(info.value) == "started 'soon' is not an ISO 8601 date-time; " + ISO_HINT


def test_a_bad_window_end_with_a_clock_is_named_as_the_role_variable():
    assert message(_cycle.normalize_settings, {"window_end": "tomorrow"}, START) == (
        "reboot_cycle_window_end 'tomorrow' is not a window end; write " + FORMS)
    assert message(_cycle.normalize_settings, {"window_end": "+0h", "run_started": "2026-12-01T08:40:00Z"}) == (
        "reboot_cycle_window_end '+0h' is an empty duration; write e.g. +4h or PT4H")
