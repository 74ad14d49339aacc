# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: time as the collection reads, writes and counts it.

- One ISO 8601 parser: parse_time() (strict: a timezone is required, the error names the variable)
  and iso_to_epoch() (lenient, for recorded data: no zone is UTC, anything else None).
- One formatter: iso() (UTC, seconds, a Z suffix) and epoch_to_iso(); human_seconds() for people.
- The window's forms (WINDOW_FORMS): resolve() turns an ISO date-time, a time of day with a zone
  (an offset or an IANA name, read with zoneinfo) or a duration into a moment, for a window's start
  and its end alike.

Pure Python, no Ansible imports, no I/O: the clock is always passed in.
"""

from __future__ import absolute_import, division, print_function

import calendar
import math
import re
from datetime import datetime, time as clock_time, timedelta, timezone

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # Python < 3.9: time zone names are refused with a message, offsets still work
    ZoneInfo = None
    ZoneInfoNotFoundError = KeyError

from ansible_collections.fleetops.sophos.plugins.module_utils import _settings

__metaclass__ = type

_OFFSET = r"Z|z|[+-]\d{2}:?\d{2}"
_ISO_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?P<fraction>\.\d+)?)?)"
    r"(?P<tz>%s)?$" % _OFFSET
)
# A time of day with a zone: 06:00+01:00, 06:00:30Z, 06:00 Europe/Berlin (IANA name).
_TIME_OF_DAY_RE = re.compile(
    r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s*(?P<offset>%s)|\s+(?P<zone>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*))?$" % _OFFSET
)
# A duration from the run's start: ISO 8601 (PT4H, PT1H30M, P1DT2H) or the short form +4h, +1h30m, +90m.
_ISO_DURATION_RE = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$", re.I)
_SHORT_DURATION_RE = re.compile(
    r"^\+\s*(?:(?P<days>\d+(?:\.\d+)?)d)?\s*(?:(?P<hours>\d+(?:\.\d+)?)h)?\s*"
    r"(?:(?P<minutes>\d+(?:\.\d+)?)m(?:in)?)?\s*(?:(?P<seconds>\d+(?:\.\d+)?)s)?$", re.I)

WINDOW_FORMS = ("an ISO 8601 date-time with a timezone (2026-11-28T06:00:00+01:00), a time of day with a "
                "timezone (06:00+01:00 or 06:00 Europe/Berlin: its next occurrence after the run starts) "
                "or a duration from the run's start (+4h, +1h30m, PT4H)")


class TimeError(_settings.SettingError):
    """A time the collection cannot work with; the message names the variable or field."""


# ---------------------------------------------------------------- parse and format

def _offset(tz, what, value):
    """A fixed timezone from ``Z`` or ``+01:00`` / ``-0500``."""
    if tz in ("Z", "z"):
        return timezone.utc
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise TimeError("%s %r has an impossible timezone offset %s" % (what, value, tz))
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_match(match, zone, what, value):
    """The aware UTC datetime of an _ISO_RE match read in ``zone``."""
    clock = match.group("time")
    if clock.count(":") == 1:
        clock += ":00"
    fraction = match.group("fraction")
    if fraction:
        clock = clock[:-len(fraction)] + fraction[:7]
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if fraction else "%Y-%m-%dT%H:%M:%S"
    try:
        naive = datetime.strptime("%sT%s" % (match.group("date"), clock), fmt)
    except ValueError as exc:
        raise TimeError("%s %r is not a valid date-time: %s" % (what, value, exc))
    return naive.replace(tzinfo=zone).astimezone(timezone.utc)


def parse_time(value, what):
    """Parse an ISO 8601 date-time that carries a timezone; return an aware UTC datetime.

    A time without an offset is refused: a maintenance window read in the
    controller's local time on one machine and the host's on another would
    silently move by hours.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TimeError("%s %r has no timezone" % (what, value.isoformat()))
        return value.astimezone(timezone.utc)
    if not isinstance(value, str):
        raise TimeError("%s must be an ISO 8601 date-time string, got %s %r"
                        % (what, type(value).__name__, value))
    text = value.strip()
    match = _ISO_RE.match(text)
    if not match or (match.group("fraction") and len(match.group("fraction")) > 7):
        raise TimeError(
            "%s %r is not an ISO 8601 date-time; write e.g. 2026-11-28T06:00:00+01:00 "
            "or 2026-11-28T05:00:00Z" % (what, value))
    if not match.group("tz"):
        raise TimeError(
            "%s %r has no timezone offset; add one, e.g. %s+01:00 or %sZ"
            % (what, value, text, text))
    return _from_match(match, _offset(match.group("tz"), what, value), what, value)


def iso_to_epoch(value):
    """Recorded data's ISO 8601 time (``YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+01:00]``, no zone = UTC) as epoch
    seconds, or None when it is not one: a report shows what it can of a record and never fails on it."""
    if not isinstance(value, str):
        return None
    match = _ISO_RE.match(value.strip())
    if not match:
        return None
    try:
        zone = _offset(match.group("tz"), "time", value) if match.group("tz") else timezone.utc
        moment = _from_match(match, zone, "time", value)
    except TimeError:
        return None
    epoch = calendar.timegm(moment.utctimetuple())
    return epoch + moment.microsecond / 1e6 if moment.microsecond else epoch


def iso(moment):
    """UTC ISO 8601 with a Z suffix, seconds precision (the schema's time format)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def epoch_to_iso(epoch):
    """iso() of epoch seconds (cut to the second); None stays None."""
    if epoch is None:
        return None
    return iso(datetime.fromtimestamp(int(epoch), timezone.utc))


def human_seconds(seconds):
    """'1h02m', '3m05s', '12s': for progress lines people read in a job log."""
    seconds = int(math.ceil(max(0.0, seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return "%dh%02dm" % (hours, minutes)
    if minutes:
        return "%dm%02ds" % (minutes, secs)
    return "%ds" % secs


def minutes(seconds):
    """Time left for the arithmetic people check: whole minutes, rounded down ('31 min'); under a minute in
    seconds ('45 s')."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "%d s" % int(seconds)
    return "%d min" % int(seconds // 60)


# ---------------------------------------------------------------- the window's forms

def _zone(name, what, value):
    if ZoneInfo is None:
        raise TimeError("%s %r names a time zone, which needs Python 3.9 or later on the controller; "
                        "write an offset instead, e.g. 06:00+01:00" % (what, value))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeError("%s %r: unknown time zone %r; use an IANA name such as Europe/Berlin or an "
                        "offset such as +01:00" % (what, value, name))


def _duration(match):
    parts = match.groupdict()
    if not any(parts.values()):
        return None
    return timedelta(days=float(parts["days"] or 0), hours=float(parts["hours"] or 0),
                     minutes=float(parts["minutes"] or 0), seconds=float(parts["seconds"] or 0))


def is_relative(value):
    """True for the forms that count from the run's start (a time of day, a duration)."""
    text = value.strip() if isinstance(value, str) else value
    return isinstance(text, str) and bool(
        _TIME_OF_DAY_RE.match(text) or _ISO_DURATION_RE.match(text) or _SHORT_DURATION_RE.match(text))


def is_time_of_day(value):
    """True for the time-of-day form (``22:00 Europe/Berlin``), the one that names a clock reading."""
    return isinstance(value, str) and bool(_TIME_OF_DAY_RE.match(value.strip()))


def zone_of(value):
    """The zone a time of day is written in (``Europe/Berlin``, ``+01:00``), else None."""
    match = _TIME_OF_DAY_RE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    return match.group("zone") or match.group("offset")


def occurrence(hour, minute, second, zone, after=None, before=None):
    """The first moment strictly after ``after`` or the last strictly before ``before`` (aware datetimes)
    whose clock in ``zone`` reads hour:minute:second.

    The zone's rules decide (zoneinfo, PEP 495): a reading the clock passes twice (02:30 on the autumn
    change in Europe/Berlin) is its first pass, the one in summer time; a reading the clock skips
    (02:30 on the spring change) is taken with the offset before the change, 02:30+01:00, which is
    03:30 summer time, 01:30 UTC.
    """
    anchor = after if after is not None else before
    local = anchor.astimezone(zone)
    days = (0, 1, 2) if after is not None else (0, -1, -2)
    for day in days:
        candidate = datetime.combine(local.date() + timedelta(days=day), clock_time(hour, minute, second),
                                     tzinfo=zone).astimezone(timezone.utc)
        if (after is not None and candidate > after) or (after is None and candidate < before):
            return candidate
    return None


def resolve(value, started, what, before=None):
    """A window's start or end as an aware UTC datetime; None when no value is set.

    Three forms (``WINDOW_FORMS``): an ISO 8601 date-time with a timezone; a time of day with a
    timezone, whose next occurrence strictly after ``started`` it is (``06:00 Europe/Berlin``
    follows daylight saving time, ``06:00+01:00`` does not), or, with ``before`` (a window's end), its
    last occurrence before that end, so that a run launched inside 22:00-02:00 is inside its window;
    a duration counted from ``started``, ISO 8601 (``PT4H``, ``PT1H30M``, ``P1D``) or short (``+4h``,
    ``+1h30m``, ``+90m``). ``started`` is the start of the run (an aware datetime); the relative
    forms need it. ``what`` names the variable in messages.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        return parse_time(value, what)
    text = value.strip()
    if _ISO_RE.match(text):
        return parse_time(text, what)
    duration_match = _ISO_DURATION_RE.match(text) or _SHORT_DURATION_RE.match(text)
    day_match = _TIME_OF_DAY_RE.match(text)
    if not duration_match and not day_match:
        kind = ("window start" if what.endswith("start") else "window end") if "window" in what else "time"
        raise TimeError("%s %r is not a %s; write %s" % (what, value, kind, WINDOW_FORMS))
    if started is None:
        raise TimeError("%s %r counts from the run's start, which is not known here" % (what, value))
    started = parse_time(started, "run start")
    if duration_match:
        duration = _duration(duration_match)
        if duration is None or duration <= timedelta(0):
            raise TimeError("%s %r is an empty duration; write e.g. +4h or PT4H" % (what, value))
        return started + duration
    hour, minute = int(day_match.group("hour")), int(day_match.group("minute"))
    second = int(day_match.group("second") or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise TimeError("%s %r is not a time of day (00:00 to 23:59)" % (what, value))
    if day_match.group("offset"):
        zone = _offset(day_match.group("offset"), what, value)
    elif day_match.group("zone"):
        zone = _zone(day_match.group("zone"), what, value)
    else:
        raise TimeError("%s %r has no timezone; add one, e.g. %s+01:00, %sZ or %s Europe/Berlin (a value with a "
                        "space stays one value on the command line as JSON: -e '{\"%s\": \"%s Europe/Berlin\"}')"
                        % (what, value, text, text, text, what, text))
    if before is not None:
        found = occurrence(hour, minute, second, zone, before=parse_time(before, "window end"))
    else:
        found = occurrence(hour, minute, second, zone, after=started)
    if found is None:
        raise TimeError("%s %r: no occurrence found" % (what, value))
    return found


def local_clock(value, moment):
    """``moment`` on the clock of the zone ``value`` (a time of day) is written in, ``22:00``; else None."""
    zone = zone_of(value)
    if zone is None:
        return None
    tz = _offset(zone, "zone", value) if re.match(r"^(%s)$" % _OFFSET, zone) else _zone(zone, "zone", value)
    return moment.astimezone(tz).strftime("%H:%M")
