# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: blackouts and change freezes, periods in which no restart starts.

A period is given in the maintenance window's forms (``_time.WINDOW_FORMS``), each ``start``/``end``
resolved against the run's start, with an optional ``name``; or it comes from an iCalendar file (its
events, RRULEs and EXDATEs expanded over the run's span). Both are resolved once, at the run's start
(the run check), merged where they overlap or touch, and carried to every host as UTC periods
(``records()``): the cycle then asks ``restart_hold()`` before each restart.

Two times of day (``22:00 Europe/Berlin`` to ``02:00 Europe/Berlin``) are the daily period that holds the
run's start or comes next: the end is its next occurrence after the run's start, the start its last
occurrence before that end, so a run started at 23:00 is inside the period that began at 22:00.

A calendar's all-day events (DATE values) and floating times (no TZID) are read in the calendar's own
zone, ``X-WR-TIMEZONE``; a calendar without one gives them no zone to be read in, so they cover the
day wherever it is: from its 00:00 at UTC+14 to its 24:00 at UTC-12 (unknown is never "no restart").

Pure Python, no Ansible imports, no I/O: the calendar comes in as its text, the clock as an argument.
``icalendar`` and ``recurring-ical-events`` (controller side, requirements.txt) are needed only for a
calendar; without them a calendar is refused naming the missing package.
"""

from __future__ import absolute_import, division, print_function

from datetime import date, datetime, time as clock_time, timedelta, timezone

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _settings, _time

try:
    import icalendar
except ImportError:
    icalendar = None
try:
    import recurring_ical_events
except ImportError:
    recurring_ical_events = None

__metaclass__ = type

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python < 3.9
    ZoneInfo = ZoneInfoNotFoundError = None

# The time helpers, in one place (module_utils/_time.py: the maintenance window's forms).
_at = _time.resolve
_parse = _time.parse_time
iso = _time.iso

KEYS = ("name", "start", "end")
# A line of the text form (an AWX survey's text area): ``[name: ]start to end``.
TEXT_FORM = "one period a line, '[name: ]start to end' (month-end: 2026-11-30T18:00:00+01:00 to 2026-12-02T06:00:00+01:00)"
# Where a calendar's all-day or floating time is read when the calendar names no zone (X-WR-TIMEZONE).
EARLIEST_OFFSET = timedelta(hours=14)
LATEST_OFFSET = timedelta(hours=-12)


class BlackoutError(_settings.SettingError):
    """Blackouts the run cannot work with; the message names every problem."""


_is_time_of_day = _time.is_time_of_day


def _text_periods(value, what):
    """The text form's lines as dicts (name, start, end); a line that is not the form is a problem."""
    periods, problems = [], []
    for number, line in enumerate([line.strip() for line in value.splitlines() if line.strip()], 1):
        name = None
        if ": " in line:
            name, line = [part.strip() for part in line.split(": ", 1)]
        parts = [part.strip() for part in line.split(" to ")]
        if len(parts) != 2 or not all(parts):
            problems.append("%s line %d %r is not %s" % (what, number, line, TEXT_FORM))
            continue
        period = {"start": parts[0], "end": parts[1]}
        if name:
            period["name"] = name
        periods.append(period)
    return periods, problems


def _one(period, label, started):
    """``((start, end, name), problems)`` of one given period; ``label`` names it in messages."""
    problems = []
    if not isinstance(period, dict):
        return None, ["%s must be a mapping with start, end and an optional name, got %s %r"
                      % (label, type(period).__name__, period)]
    unknown = sorted(str(key) for key in period if key not in KEYS)
    if unknown:
        problems.append("%s has unknown key(s) %s (known: %s)" % (label, ", ".join(unknown), ", ".join(KEYS)))
    name = period.get("name")
    if name is not None and not (isinstance(name, str) and name.strip()):
        problems.append("%s name must be a non-empty string, got %r" % (label, name))
    times = {}
    for key in ("start", "end"):
        value = period.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append("%s has no %s" % (label, key))
            continue
        try:
            times[key] = _at(value, started, "%s %s" % (label, key))
        except _settings.SettingError as exc:
            problems.append(str(exc))
    if len(times) == 2 and _is_time_of_day(period["start"]) and _is_time_of_day(period["end"]):
        # The daily period that holds the run's start or comes next: the start's last occurrence before the end.
        times["start"] = _at(period["start"], times["end"] - timedelta(days=1), label + " start")
    if len(times) == 2 and times["end"] <= times["start"]:
        problems.append("%s ends at %s, not after its start %s (%s to %s)"
                        % (label, iso(times["end"]), iso(times["start"]), period["start"], period["end"]))
    if problems:
        return None, problems
    return (times["start"], times["end"], name.strip() if isinstance(name, str) else None), []


def given_periods(value, started, what="maintenance_blackouts"):
    """``(periods, problems)`` of the periods given as a list (or the text form), resolved against ``started``
    (the run's start, an aware datetime): every problem at once, one line each; periods as (start, end, name)."""
    if value is None or (isinstance(value, (str, list, tuple)) and not value):
        return [], []
    problems = []
    if isinstance(value, str):
        value, problems = _text_periods(value, what)
    elif not isinstance(value, (list, tuple)):
        return [], ["%s must be a list of periods (start, end, optional name) or %s, got %s %r"
                    % (what, TEXT_FORM, type(value).__name__, value)]
    periods = []
    for index, period in enumerate(value):
        label = "%s[%d]" % (what, index)
        if isinstance(period, str):
            lines, wrong = _text_periods(period, label)
            if wrong or len(lines) != 1:
                problems += wrong or ["%s %r is not %s" % (label, period, TEXT_FORM)]
                continue
            period = lines[0]
        if isinstance(period, dict) and isinstance(period.get("name"), str) and period["name"].strip():
            label += " (%s)" % period["name"].strip()
        found, wrong = _one(period, label, started)
        problems += wrong
        if found:
            periods.append(found)
    return periods, problems


# ---------------------------------------------------------------- iCalendar

def missing_packages():
    """The Python packages a calendar needs that are not installed (pip names)."""
    return [name for name, module in (("icalendar", icalendar), ("recurring-ical-events", recurring_ical_events))
            if module is None]


def _calendar_zone(calendar):
    name = calendar.get("X-WR-TIMEZONE")
    if not name or ZoneInfo is None:
        return None
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _moment(value, zone, first):
    """An event's start (``first``) or end as an aware UTC datetime; a date is its 00:00; without a zone
    (``zone`` None) a local time is read at the earliest offset for a start and the latest for an end."""
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, clock_time(0, 0))
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc)
    if zone is not None:
        return value.replace(tzinfo=zone).astimezone(timezone.utc)
    return (value - (EARLIEST_OFFSET if first else LATEST_OFFSET)).replace(tzinfo=timezone.utc)


def calendar_periods(text, source, begin, end):
    """``(periods, problems)`` of an iCalendar file's events (RRULEs and EXDATEs expanded) that overlap
    [``begin``, ``end``] (aware datetimes); ``source`` names the file in messages. A file that is not a
    calendar, or an event without a readable start, is a problem; nothing is guessed."""
    missing = missing_packages()
    if missing:
        return [], ["maintenance_blackout_calendar %s needs the Python package(s) %s on the controller (in the "
                    "execution environment for AWX): pip install %s"
                    % (source, " and ".join(missing), " ".join(missing))]
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # pylint: disable=broad-except
        return [], ["maintenance_blackout_calendar %s is not an iCalendar file: %s" % (source, exc)]
    if getattr(calendar, "name", None) != "VCALENDAR":
        return [], ["maintenance_blackout_calendar %s is not an iCalendar file: it holds no VCALENDAR" % source]
    zone = _calendar_zone(calendar)
    try:
        events = recurring_ical_events.of(calendar).between(begin, end)
        periods = []
        for event in events:
            name = str(event.get("SUMMARY") or "calendar").strip() or "calendar"
            start = event.get("DTSTART")
            if start is None:
                return [], ["maintenance_blackout_calendar %s: event %r has no DTSTART" % (source, name)]
            finish = event.get("DTEND")
            first = _moment(start.dt, zone, True)
            if finish is not None:
                last = _moment(finish.dt, zone, False)
            elif event.get("DURATION") is not None:
                last = _moment(start.dt + event.get("DURATION").dt, zone, False)
            elif isinstance(start.dt, datetime):
                last = first
            else:
                last = _moment(start.dt + timedelta(days=1), zone, False)
            if last <= first:
                return [], ["maintenance_blackout_calendar %s: event %r (%s) does not end after its start"
                            % (source, name, iso(first))]
            periods.append((first, last, name))
    except Exception as exc:  # pylint: disable=broad-except
        return [], ["maintenance_blackout_calendar %s: its events cannot be read: %s" % (source, exc)]
    return periods, []


# ---------------------------------------------------------------- periods

def merge(periods):
    """The periods sorted by start, those that overlap or touch made one (their names joined with ' + ')."""
    merged = []
    for start, end, name in sorted(periods, key=lambda period: (period[0], period[1])):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            names = [part for part in (last[2] or "").split(" + ") if part]
            if name and name not in names:
                names.append(name)
            merged[-1] = (last[0], max(last[1], end), " + ".join(names) or None)
        else:
            merged.append((start, end, name))
    return merged


def resolve(given, started, horizon, calendar_text=None, calendar_source=None):
    """``(periods, problems)``: the given periods and the calendar's (when ``calendar_text`` is not None)
    over [``started``, ``horizon``], merged, those over by ``started`` left out; every problem at once."""
    periods, problems = given_periods(given, started)
    if calendar_text is not None:
        found, wrong = calendar_periods(calendar_text, calendar_source, started, horizon)
        periods += found
        problems += wrong
    if problems:
        return [], problems
    return [period for period in merge(periods) if period[1] > started], []


def records(periods):
    """The periods as the run carries them: ``[{name, start, end}]``, ISO 8601 UTC."""
    return [{"name": name, "start": iso(start), "end": iso(end)} for start, end, name in periods]


def from_records(value, name, started):
    """The periods of a setting (``reboot_cycle_blackouts``): records() as carried, or periods in the window's
    forms resolved against ``started``; a BlackoutError names every problem."""
    periods, problems = given_periods(value, started, name)
    if problems:
        raise BlackoutError("; ".join(problems))
    return records(merge(periods))


def _periods(value):
    return [(_parse(period["start"], "blackout start"), _parse(period["end"], "blackout end"), period.get("name"))
            for period in value or []]


def label(period):
    """``blackout 'month-end'`` (``blackout`` alone when it has no name)."""
    return "blackout %r" % str(period[2]) if period[2] else "blackout"


def describe(value):
    """The play-start line's part: ``month-end 2026-11-30T17:00:00Z–2026-12-02T05:00:00Z, …``; ``none``."""
    periods = _periods(value)
    if not periods:
        return "none"
    return ", ".join("%s%s\u2013%s" % (name + " " if name else "", iso(start), iso(end)) for start, end, name in periods)


def active(value, now):
    """The period (start, end, name) ``now`` is in, or None."""
    return next((period for period in _periods(value) if period[0] <= now < period[1]), None)


def next_start(value, now):
    """The first period that starts after ``now``, or None."""
    return next((period for period in _periods(value) if period[0] > now), None)


def restart_hold(value, now, parts):
    """Why no restart may start at ``now`` (None: it may): inside a blackout, or one more restart would reach the
    next blackout's start. ``parts``: what a restart is counted at, in seconds, as the window counts it
    (_cycle.worst_case(): ``reserve``, ``restart``, ``settle``), checked by _cycle.restart_fits()."""
    inside = active(value, now)
    if inside:
        return "%s until %s: no restart starts inside it" % (label(inside), iso(inside[1]))
    coming = next_start(value, now)
    if coming is None:
        return None
    fits, text = _cycle.restart_fits(now, coming[0], parts["reserve"], parts["restart"], parts.get("settle"),
                                     until="%s begins" % label(coming))
    if fits:
        return None
    return "%s from %s until %s: %s" % (label(coming), iso(coming[0]), iso(coming[1]), text)


def hold(decision, value, now, parts, restarts, guard=False):
    """``decision`` (plan()'s, or guard()'s with ``guard``), or a deferral in its place when a blackout holds the
    next restart.

    A decision that would lead to a restart (reboot, slot, gate_before; the guard's go-ahead, which would let
    the host be patched) is deferred; one that ends the cycle or settles after a restart already made is
    kept: a restart is never cut halfway.
    """
    guarding = guard and decision["step"] == "done"
    if decision["step"] not in ("reboot", "slot", "gate_before") and not guarding:
        return decision
    why = restart_hold(value, now, parts)
    if why is None:
        return decision
    if guarding:
        reason = "maintenance deferred: " + why
    else:
        reason = "restart %d deferred: %s" % (restarts + 1, why)
    return dict(decision, step="defer", status="deferred", reason=reason, failed=False, warning=None)
