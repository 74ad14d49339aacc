# -*- coding: utf-8 -*-
"""Blackouts and change freezes (module_utils/_blackouts.py): periods in the window's forms, iCalendar files,
the merge, and the decision that holds a restart; and the run check that resolves them once (_run.py)."""

from __future__ import absolute_import, division, print_function

import os
from datetime import datetime, timedelta, timezone

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.fleetops.sophos.plugins.module_utils import _blackouts, _cycle, _run, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _run_start
from ansible_collections.fleetops.sophos.tests.unit import fixture_files
from ansible_collections.fleetops.sophos.tests.unit.run_start import run_check

try:  # ansible-core 2.19: only a trusted template is templated (the test's own expressions)
    from ansible.template import trust_as_template
except ImportError:  # 2.16-2.18: every string is
    def trust_as_template(text):
        return text

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = timezone.utc
NOW = datetime(2026, 12, 1, 8, 40, tzinfo=UTC)
KNOWN = _run_start.known()


def _at(text):
    return _time.parse_time(text, "test")


def _calendar(name):
    return fixture_files.raw("blackouts", name)


def _resolved(given, started=NOW, horizon=None, **calendar):
    periods, problems = _blackouts.resolve(given, started, horizon or started + timedelta(days=40), **calendar)
    assert problems == []
    return _blackouts.records(periods)


# ---------------------------------------------------------------- periods as given

def test_overlapping_and_touching_periods_are_merged_sorted_and_named_together():
    assert _resolved([
        {"name": "incident", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T14:00:00Z"},
        {"name": "month-end", "start": "2026-11-30T18:00:00+01:00", "end": "2026-12-02T06:00:00+01:00"},
        {"name": "backup", "start": "2026-12-02T04:00:00Z", "end": "2026-12-02T10:00:00Z"},
        {"start": "2026-12-05T00:00:00Z", "end": "2026-12-05T01:00:00Z"},
    ]) == [
        {"name": "month-end + backup + incident", "start": "2026-11-30T17:00:00Z", "end": "2026-12-02T14:00:00Z"},
        {"name": None, "start": "2026-12-05T00:00:00Z", "end": "2026-12-05T01:00:00Z"},
    ]


def test_a_period_over_before_the_run_started_is_left_out():
    assert _resolved([{"name": "old", "start": "2026-11-01T00:00:00Z", "end": "2026-11-02T00:00:00Z"}]) == []


@pytest.mark.parametrize("started, expect", [
    # 23:00 in Berlin: inside the period that began at 22:00, not tomorrow's.
    ("2026-12-01T22:00:00Z", ("2026-12-01T21:00:00Z", "2026-12-02T01:00:00Z")),
    # 20:00 in Berlin: tonight's period comes next.
    ("2026-12-01T19:00:00Z", ("2026-12-01T21:00:00Z", "2026-12-02T01:00:00Z")),
    # 03:00 in Berlin: last night's is over, tonight's comes next.
    ("2026-12-02T02:00:00Z", ("2026-12-02T21:00:00Z", "2026-12-03T01:00:00Z")),
])
def test_two_times_of_day_across_midnight_are_the_daily_period_holding_the_run_or_next(started, expect):
    run = _at(started)
    records = _resolved([{"name": "backups", "start": "22:00 Europe/Berlin", "end": "02:00 Europe/Berlin"}], run)
    assert [(r["start"], r["end"]) for r in records] == [expect]
    assert (_blackouts.active(records, run) is not None) is (expect[0] <= started)


@pytest.mark.parametrize("started, expect, hours", [
    # Autumn change, 25 October 2026: 01:00 CEST to 04:00 CET is four hours.
    ("2026-10-24T20:00:00Z", ("2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z"), 4),
    # Spring change, 29 March 2026: 01:00 CET to 04:00 CEST is two hours.
    ("2026-03-28T20:00:00Z", ("2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z"), 2),
])
def test_a_period_across_a_dst_change_follows_the_zone(started, expect, hours):
    records = _resolved([{"start": "01:00 Europe/Berlin", "end": "04:00 Europe/Berlin"}], _at(started))
    assert [(r["start"], r["end"]) for r in records] == [expect]
    assert _at(expect[1]) - _at(expect[0]) == timedelta(hours=hours)


def test_a_blackout_across_midnight_on_the_autumn_change_lasts_its_extra_hour():
    """22:00 CEST on the 24th to 03:00 CET on the 25th: six hours, not five."""
    records = _resolved([{"start": "22:00 Europe/Berlin", "end": "03:00 Europe/Berlin"}], _at("2026-10-24T12:00:00Z"))
    assert [(r["start"], r["end"]) for r in records] == [("2026-10-24T20:00:00Z", "2026-10-25T02:00:00Z")]


def test_the_text_form_of_a_survey_is_read_line_by_line():
    text = ("month-end: 2026-11-30T18:00:00+01:00 to 2026-12-02T06:00:00+01:00\n\n"
            "  +30h to +31h  \n")
    assert _resolved(text) == [
        {"name": "month-end", "start": "2026-11-30T17:00:00Z", "end": "2026-12-02T05:00:00Z"},
        {"name": None, "start": "2026-12-02T14:40:00Z", "end": "2026-12-02T15:40:00Z"},
    ]


def test_every_problem_of_the_list_is_named_at_once():
    periods, problems = _blackouts.given_periods([
        {"name": "month-end", "start": "2026-11-30T18:00:00+01:00"},
        {"name": "backwards", "start": "2026-12-02T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
        {"start": "+1h", "end": "+2h", "reason": "typo of name"},
        {"start": "tomorrow", "end": "2026-12-02T06:00:00"},
        "not a period",
        42,
    ], NOW)
    assert periods == []
    assert problems == [
        "maintenance_blackouts[0] (month-end) has no end",
        "maintenance_blackouts[1] (backwards) ends at 2026-12-01T00:00:00Z, not after its start "
        "2026-12-02T00:00:00Z (2026-12-02T00:00:00Z to 2026-12-01T00:00:00Z)",
        "maintenance_blackouts[2] has unknown key(s) reason (known: name, start, end)",
        "maintenance_blackouts[3] start 'tomorrow' is not a time; write " + _time.WINDOW_FORMS,
        "maintenance_blackouts[3] end '2026-12-02T06:00:00' has no timezone offset; add one, e.g. "
        "2026-12-02T06:00:00+01:00 or 2026-12-02T06:00:00Z",
        "maintenance_blackouts[4] line 1 'not a period' is not " + _blackouts.TEXT_FORM,
        "maintenance_blackouts[5] must be a mapping with start, end and an optional name, got int 42",
    ]


def test_a_value_that_is_no_list_is_refused():
    assert _blackouts.given_periods({"start": "+1h"}, NOW)[1] == [
        "maintenance_blackouts must be a list of periods (start, end, optional name) or %s, got dict "
        "{'start': '+1h'}" % _blackouts.TEXT_FORM]


# ---------------------------------------------------------------- iCalendar

def test_a_calendar_with_a_weekly_rrule_and_an_exdate_and_an_all_day_event_in_its_zone():
    records = _resolved(None, _at("2026-11-01T00:00:00Z"), _at("2026-12-10T00:00:00Z"),
                        calendar_text=_calendar("weekly-berlin.ics"), calendar_source="weekly-berlin.ics")
    assert records == [
        {"name": "backups", "start": "2026-11-02T21:00:00Z", "end": "2026-11-03T01:00:00Z"},
        # 9 November is the exception date: no period that week.
        {"name": "backups", "start": "2026-11-16T21:00:00Z", "end": "2026-11-17T01:00:00Z"},
        {"name": "backups", "start": "2026-11-23T21:00:00Z", "end": "2026-11-24T01:00:00Z"},
        # The all-day month-end (30 November and 1 December) in Berlin (X-WR-TIMEZONE), merged with the
        # backups of Monday 30 November.
        {"name": "month-end + backups", "start": "2026-11-29T23:00:00Z", "end": "2026-12-01T23:00:00Z"},
        {"name": "backups", "start": "2026-12-07T21:00:00Z", "end": "2026-12-08T01:00:00Z"},
    ]


def test_an_all_day_event_of_a_calendar_without_a_zone_covers_its_date_everywhere():
    records = _resolved(None, _at("2026-11-28T00:00:00Z"), _at("2026-12-03T00:00:00Z"),
                        calendar_text=_calendar("weekly.ics"), calendar_source="weekly.ics")
    # From 30 November 00:00 at UTC+14 to 2 December 00:00 at UTC-12.
    assert records == [
        {"name": "month-end + backups", "start": "2026-11-29T10:00:00Z", "end": "2026-12-02T12:00:00Z"}]


def test_the_calendar_is_expanded_over_the_runs_span_only():
    records = _resolved(None, _at("2026-11-10T00:00:00Z"), _at("2026-11-17T00:00:00Z"),
                        calendar_text=_calendar("weekly-berlin.ics"), calendar_source="c")
    assert records == [{"name": "backups", "start": "2026-11-16T21:00:00Z", "end": "2026-11-17T01:00:00Z"}]


def _ics(zone, *events):
    """A calendar's text: ``zone`` its X-WR-TIMEZONE (None: none), each event its own lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fleetops//blackout test//EN"]
    lines += ["X-WR-TIMEZONE:" + zone] if zone else []
    for number, event in enumerate(events):
        lines += ["BEGIN:VEVENT", "UID:event%d@example.com" % number, "DTSTAMP:20261101T000000Z"] + list(event)
        lines += ["END:VEVENT"]
    return ("\r\n".join(lines + ["END:VCALENDAR"]) + "\r\n").encode()


# A floating time with a DURATION, and an all-day event with neither DTEND nor DURATION (one day) and a blank SUMMARY.
EVENTS = (["SUMMARY:patch night", "DTSTART:20261201T220000", "DURATION:PT3H"],
          ["SUMMARY:   ", "DTSTART;VALUE=DATE:20261204"])


class _AsWritten(object):
    """recurring-ical-events as a version that hands the events as the file writes them (a DURATION, no DTEND)
    would: the module reads their end itself (the installed version writes each occurrence's DTEND)."""

    def __init__(self, calendar):
        self.calendar = calendar

    of = classmethod(lambda cls, calendar: cls(calendar))

    def between(self, begin, end):
        return self.calendar.walk("VEVENT")


@pytest.mark.parametrize("expander", ["installed", "as written"])
@pytest.mark.parametrize("zone, expect", [
    # In the calendar's zone: 22:00 to 01:00 in Berlin; 4 December, 00:00 to 24:00 in Berlin.
    ("Europe/Berlin", [{"name": "patch night", "start": "2026-12-01T21:00:00Z", "end": "2026-12-02T00:00:00Z"},
                       {"name": "calendar", "start": "2026-12-03T23:00:00Z", "end": "2026-12-04T23:00:00Z"}]),
    # No zone: from the start at UTC+14 to the end at UTC-12, the duration's end too.
    (None, [{"name": "patch night", "start": "2026-12-01T08:00:00Z", "end": "2026-12-02T13:00:00Z"},
            {"name": "calendar", "start": "2026-12-03T10:00:00Z", "end": "2026-12-05T12:00:00Z"}]),
])
def test_an_events_duration_or_its_single_day_ends_it_in_the_calendars_zone(zone, expect, expander, monkeypatch):
    if expander == "as written":
        monkeypatch.setattr(_blackouts, "recurring_ical_events", _AsWritten)
    records = _resolved(None, _at("2026-11-28T00:00:00Z"), _at("2026-12-10T00:00:00Z"),
                        calendar_text=_ics(zone, *EVENTS), calendar_source="c.ics")
    assert records == expect


def test_periods_of_the_same_span_are_one_named_in_the_order_given():
    span = {"start": "2026-12-02T00:00:00Z", "end": "2026-12-02T02:00:00Z"}
    assert _resolved([dict(span, name="freeze"), dict(span), dict(span, name="backups")]) == [
        dict(span, name="freeze + backups")]


@pytest.mark.parametrize("name, problem", [
    ("malformed.ics", "maintenance_blackout_calendar malformed.ics is not an iCalendar file: "),
    ("bad-date.ics", "maintenance_blackout_calendar bad-date.ics: its events cannot be read: "),
])
def test_a_malformed_calendar_is_a_clear_problem(name, problem):
    periods, problems = _blackouts.resolve(None, NOW, NOW + timedelta(hours=12), _calendar(name), name)
    assert periods == [] and len(problems) == 1 and problems[0].startswith(problem)


def test_a_calendar_without_its_packages_names_the_missing_one(monkeypatch):
    monkeypatch.setattr(_blackouts, "recurring_ical_events", None)
    assert _blackouts.resolve(None, NOW, NOW, b"BEGIN:VCALENDAR\nEND:VCALENDAR\n", "/srv/freeze.ics")[1] == [
        "maintenance_blackout_calendar /srv/freeze.ics needs the Python package(s) recurring-ical-events on the "
        "controller (in the execution environment for AWX): pip install recurring-ical-events"]
    monkeypatch.setattr(_blackouts, "icalendar", None)
    assert "needs the Python package(s) icalendar and recurring-ical-events" in _blackouts.resolve(
        None, NOW, NOW, b"", "/srv/freeze.ics")[1][0]


# ---------------------------------------------------------------- the decision

BLACKOUTS = [{"name": "month-end", "start": "2026-12-01T10:00:00Z", "end": "2026-12-01T12:00:00Z"},
             {"name": None, "start": "2026-12-01T14:00:00Z", "end": "2026-12-01T15:00:00Z"}]
REBOOT = {"step": "reboot", "status": None, "reason": "restart 2 of at most 2: x", "failed": False, "warning": None}


def test_active_and_next_start():
    assert _blackouts.active(BLACKOUTS, _at("2026-12-01T09:59:59Z")) is None
    assert _blackouts.active(BLACKOUTS, _at("2026-12-01T10:00:00Z"))[2] == "month-end"
    assert _blackouts.active(BLACKOUTS, _at("2026-12-01T12:00:00Z")) is None
    assert _blackouts.next_start(BLACKOUTS, _at("2026-12-01T10:30:00Z"))[0] == _at("2026-12-01T14:00:00Z")
    assert _blackouts.next_start(BLACKOUTS, _at("2026-12-01T14:00:00Z")) is None
    assert _blackouts.describe(BLACKOUTS) == (u"month-end 2026-12-01T10:00:00Z\u20132026-12-01T12:00:00Z, "
                                              u"2026-12-01T14:00:00Z\u20132026-12-01T15:00:00Z")
    assert _blackouts.describe([]) == "none"


# What one more restart is counted at (_cycle.worst_case()), in seconds: 10 minutes in all.
PARTS = {"reserve": 0.0, "restart": 300.0, "settle": 300.0}


def test_no_restart_starts_inside_a_blackout():
    held = _blackouts.hold(REBOOT, BLACKOUTS, _at("2026-12-01T11:00:00Z"), PARTS, 1)
    assert held["step"] == "defer" and held["status"] == "deferred"
    assert held["reason"] == ("restart 2 deferred: blackout 'month-end' until 2026-12-01T12:00:00Z: no restart starts "
                              "inside it")


def test_a_restart_that_would_run_into_the_next_blackout_is_held_with_the_arithmetic():
    """The window's arithmetic (_cycle.restart_fits()): reserve + expected restart + settle before the blackout."""
    parts = {"reserve": 10 * 60.0, "restart": 5 * 60.0, "settle": 20 * 60.0}
    held = _blackouts.hold(REBOOT, BLACKOUTS, _at("2026-12-01T09:30:00Z"), parts, 1)
    assert held["reason"] == ("restart 2 deferred: blackout 'month-end' from 2026-12-01T10:00:00Z until "
                              "2026-12-01T12:00:00Z: needs 10 min reserve + 5 min restart + 20 min settle = 35 min; "
                              "30 min left before blackout 'month-end' begins at 2026-12-01T10:00:00Z")
    # Exactly enough time: the restart goes ahead.
    assert _blackouts.hold(REBOOT, BLACKOUTS, _at("2026-12-01T09:25:00Z"), parts, 1) is REBOOT
    assert _blackouts.hold(REBOOT, [], _at("2026-12-01T11:00:00Z"), parts, 1) is REBOOT
    # Without Sophos nothing settles: the settle is not counted.
    assert _blackouts.hold(REBOOT, BLACKOUTS, _at("2026-12-01T09:40:00Z"), dict(parts, settle=None), 1) is REBOOT


@pytest.mark.parametrize("step", ["settle", "done", "fail", "gate"])
def test_a_restart_already_made_is_never_cut(step):
    decision = dict(REBOOT, step=step)
    assert _blackouts.hold(decision, BLACKOUTS, _at("2026-12-01T11:00:00Z"), PARTS, 1) is decision


@pytest.mark.parametrize("step", ["slot", "gate_before"])
def test_the_steps_that_lead_to_a_restart_are_held_too(step):
    assert _blackouts.hold(dict(REBOOT, step=step), BLACKOUTS, _at("2026-12-01T11:00:00Z"), PARTS, 0)["step"] == "defer"


def test_the_guard_defers_every_host_inside_a_blackout_pending_or_not():
    done = {"step": "done", "status": "ok", "reason": "the cycle fits the window: no maintenance window end set",
            "failed": False, "warning": None}
    held = _blackouts.hold(done, BLACKOUTS, _at("2026-12-01T11:00:00Z"), PARTS, 0, guard=True)
    assert held["reason"] == ("maintenance deferred: blackout 'month-end' until 2026-12-01T12:00:00Z: no restart "
                              "starts inside it")
    assert _blackouts.hold(done, BLACKOUTS, _at("2026-12-01T11:00:00Z"), PARTS, 0) is done


def test_the_cycle_setting_takes_the_runs_records_and_the_window_forms():
    settings = _cycle.normalize_settings({"run_started": "2026-12-01T08:40:00Z", "blackouts": BLACKOUTS + [
        {"name": "soon", "start": "+30m", "end": "+1h"}]})
    assert settings["blackouts"][0] == {"name": "soon", "start": "2026-12-01T09:10:00Z", "end": "2026-12-01T09:40:00Z"}
    assert settings["blackouts"][1:] == BLACKOUTS
    with pytest.raises(_cycle.CycleError, match=r"^reboot_cycle_blackouts\[0\] has no end$"):
        _cycle.normalize_settings({"blackouts": [{"start": "+1h"}]}, NOW)


# ---------------------------------------------------------------- the run check

def test_the_run_check_resolves_the_blackouts_once_for_the_play_start_line():
    given = [{"name": "month-end", "start": "2026-11-30T18:00:00+01:00", "end": "2026-12-02T06:00:00+01:00"}]
    result = _run.check_run(["maintenance_blackouts"], None, KNOWN, NOW, {"maintenance_blackouts": given})
    assert result["errors"] == []
    assert result["blackouts"] == [{"name": "month-end", "start": "2026-11-30T17:00:00Z", "end": "2026-12-02T05:00:00Z"}]
    assert result["blackouts_line"] == u"month-end 2026-11-30T17:00:00Z\u20132026-12-02T05:00:00Z"


def test_a_malformed_period_or_calendar_stops_the_run_with_every_problem():
    result = _run.check_run(
        ["maintenance_blackouts", "maintenance_blackout_calendar"], None, KNOWN, NOW,
        {"maintenance_blackouts": [{"start": "+1h"}], "maintenance_blackout_calendar": "m.ics"},
        calendar={"path": "m.ics", "text": _calendar("malformed.ics")})
    assert result["errors"][0] == "maintenance_blackouts[0] has no end"
    assert result["errors"][1].startswith("maintenance_blackout_calendar m.ics is not an iCalendar file")
    assert len(result["errors"]) == 2 and result["blackouts"] == []
    missing = _run.check_run(["maintenance_blackout_calendar"], None, KNOWN, NOW,
                             {"maintenance_blackout_calendar": "x.ics"}, calendar={"path": "x.ics", "error": "no such file"})
    assert missing["errors"] == ["maintenance_blackout_calendar x.ics cannot be read: no such file"]


def test_the_role_variable_is_the_playbooks_to_set():
    result = _run.check_run(["reboot_cycle_blackouts"], None, KNOWN, NOW, {"reboot_cycle_blackouts": []})
    assert result["errors"] == [
        "reboot_cycle_blackouts is set by the maintenance playbook from maintenance_blackouts and "
        "maintenance_blackout_calendar, resolved once for every host; give the periods as maintenance_blackouts"]


def test_the_calendar_is_expanded_to_the_window_end_else_max_hours_ahead():
    calendar = {"path": "c.ics", "text": _calendar("weekly-berlin.ics")}
    names = ["maintenance_blackout_calendar"]
    monday = _at("2026-11-16T12:00:00Z")
    # No window end: 12 hours ahead reach Monday's 22:00 in Berlin.
    assert len(_run.check_run(names, None, KNOWN, monday, {}, calendar=calendar)["blackouts"]) == 1
    # A window that ends before it does not.
    assert _run.check_run(names, "+4h", KNOWN, monday, {}, calendar=calendar)["blackouts"] == []
    assert _run.check_run(names, None, KNOWN, monday, {"maintenance_window_max_hours": 6},
                          calendar=calendar)["blackouts"] == []


def test_the_filter_reads_the_calendar_relative_to_the_playbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "freeze.ics").write_bytes(_calendar("weekly-berlin.ics"))
    variables = {"maintenance_blackout_calendar": "freeze.ics"}
    result = run_check(variables, now="2026-11-16T20:00:00Z", playbook_dir=str(playbooks))
    assert result["errors"] == []
    assert result["blackouts"] == [{"name": "backups", "start": "2026-11-16T21:00:00Z", "end": "2026-11-17T01:00:00Z"}]
    result = run_check({"maintenance_blackout_calendar": "nowhere.ics"}, now="2026-11-16T20:00:00Z",
                       playbook_dir=str(playbooks))
    assert result["errors"] == ["maintenance_blackout_calendar nowhere.ics cannot be read: no such file; looked at "
                                "%s/nowhere.ics and %s/nowhere.ics" % (tmp_path, playbooks)]


def test_a_calendars_event_names_are_never_templated(tmp_path):
    ics = _calendar("weekly-berlin.ics").replace(b"SUMMARY:backups", b"SUMMARY:{{ 6 * 7 }}")
    path = tmp_path / "t.ics"
    path.write_bytes(ics)
    result = run_check({"maintenance_blackout_calendar": str(path)}, now="2026-11-16T20:00:00Z")
    templar = Templar(loader=DataLoader(), variables={"run": result})
    out = templar.template(trust_as_template("{{ run }}"))
    assert out["blackouts"][0]["name"] == "{{ 6 * 7 }}"
    assert out["blackouts_line"].startswith("{{ 6 * 7 }} 2026-11-16T21:00:00Z")


def test_the_tables_next_step_for_deferred_hosts_does_not_blame_the_window_alone():
    from ansible_collections.fleetops.sophos.plugins.module_utils._report import render_text
    assert "blackout" in render_text.NEXT_STEPS["deferred"]
    assert "did not fit the window" not in render_text.NEXT_STEPS["deferred"]
