# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the checks a playbook makes once, before any host is touched.

- Variables that carry a role or playbook prefix but are not known (a typo such as
  ``maintenance_host``), or whose prefix is a near miss of one (``reboot_cylce_window_end``), stop
  the run, each named with the closest known variable: Ansible itself would ignore them, and a host
  selection or a window ignored widens the run. A deliberate extra variable is listed in the
  playbook's ``<playbook>_allow_variables``.
- A host pattern that matches no host fails the run instead of a green job that did nothing.
- The maintenance window is resolved once, against the run's start, so every batch works to the
  same end, and a window that ended before the run started fails the run; so does a time of day
  whose next occurrence is more than ``maintenance_window_max_hours`` away (a relaunched job).
- A host excluded by ``maintenance_exclude`` gets a ``deferred`` record that says so.
- Blackouts (``maintenance_blackouts``, ``maintenance_blackout_calendar``) are resolved once, against the
  run's start, over the run's span (to the window end, else ``maintenance_window_max_hours`` ahead), and
  carried to every host as UTC periods; a malformed period or calendar stops the run.

Pure Python, no Ansible imports, no I/O: the known variables come in as parsed argument specs.
"""

from __future__ import absolute_import, division, print_function

import difflib
from datetime import timedelta

from ansible_collections.fleetops.sophos.plugins.module_utils import _blackouts, _cycle, _groups, _patch, _settings, _time
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model

__metaclass__ = type

PREFIXES = ("reboot_cycle_", "patch_", "report_", "maintenance_", "facts_")

# The run area: the playbooks' own variables (SETTINGS, below): documented in docs/maintenance.md ("Playbook variables")
# and docs/awx.md, asked by the AWX surveys, defaulted in the playbooks; test_settings.py checks every copy.
# A setting's group is the playbooks that take it: fleetops.sophos.restart (a restart-only run) takes
# fleetops.sophos.maintenance's.
PLAYBOOKS = {"maintenance": ("maintenance", "restart"), "facts": ("facts",)}
GROUP_OF_PLAYBOOK = dict((playbook, group) for group, playbooks in PLAYBOOKS.items() for playbook in playbooks)

# A time-of-day window end further than this from the run's start is refused (a relaunched job).
WINDOW_MAX_HOURS_VARIABLE = "maintenance_window_max_hours"

# The facts playbook's time of Sophos Central's restart-required event for its one host (the rulebook's).
EVENT_TIME_VARIABLE = "facts_restart_required_at"

# The playbook variables of blackouts, and the cycle's setting the maintenance playbook sets from them.
BLACKOUTS_VARIABLE = "maintenance_blackouts"
CALENDAR_VARIABLE = "maintenance_blackout_calendar"
CYCLE_BLACKOUTS = _cycle.VAR_PREFIX + "blackouts"

# A window start further than this from the run's start is refused: a run that waits a day is a mistake.
WINDOW_START_MAX_HOURS = 24
# Patching before the window's start (maintenance_patch_before_window): false, the playbook waits for the start first.
PATCH_BEFORE_WINDOW = "maintenance_patch_before_window"

# The reboot_cycle role's hooks: task files a maintenance or restart run checks before any host is touched.
HOOK_VARIABLES = ("reboot_cycle_before_restart_tasks", "reboot_cycle_after_restart_tasks",
                  "reboot_cycle_after_cycle_tasks")

# Where ansible-playbook puts the words of an ``-e key=value`` argument that have no ``key=``: a value
# cut at a space (-e 'reboot_cycle_window_end=06:00 Europe/Berlin').
LEFT_OVER = "_raw_params"

# Variables the playbooks and roles set on hosts while they run; never user input, but prefixed.
RUN_VARIABLES = (
    "maintenance_result", "maintenance_stage", "maintenance_start", "maintenance_run",
    "report_data", "report_run_record", "report_central_views", "report_central_asked", "report_central_state",
    "report_central_run",
)


class RunError(_settings.SettingError):
    """A run that must not start; the message says why."""


def known_variables(argument_specs):
    """Every option of every entry point of the given roles' ``meta/argument_specs.yml`` (parsed)."""
    names = set()
    for spec in argument_specs:
        for entry in ((spec or {}).get("argument_specs") or {}).values():
            names.update((entry or {}).get("options") or {})
    names.update(SETTINGS.names(None))
    names.update(RUN_VARIABLES)
    return names


def _edits(one, other):
    """The edit distance of two strings, a swap of two neighbouring letters counting as one edit."""
    previous, row = None, list(range(len(other) + 1))
    for i, char in enumerate(one, 1):
        before, previous, row = previous, row, [i] + [0] * len(other)
        for j, theirs in enumerate(other, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (char != theirs))
            if before is not None and j > 1 and char == other[j - 2] and one[i - 2] == theirs:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


def _closest(name, candidates, cutoff):
    match = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=cutoff)
    return match[0] if match else None


def near_miss(name, known, prefixes=PREFIXES):
    """The known variable ``name`` is a misspelling of, when its prefix is one: else None.

    Only a name that does not start with a prefix is looked at. Its first word(s), up to an
    underscore, must be within one edit of a prefix (two for the long ``maintenance_`` and
    ``reboot_cycle_``; a swap of two letters is one edit), and the name with the prefix set right
    must be close to a known variable of that prefix (``reprot_dir``, ``pach_enabled``,
    ``reboot_cylce_window_end``). Unrelated names (``patching_group``, ``path_prefix``,
    ``ansible_*``) stay alone.
    """
    if not isinstance(name, str) or name.startswith(("_", "ansible_")) or name.startswith(prefixes):
        return None
    for end in [i + 1 for i, char in enumerate(name) if char == "_"]:
        head, rest = name[:end], name[end:]
        for prefix in prefixes:
            if rest and _edits(head, prefix) <= (2 if len(prefix) > 7 else 1):
                match = _closest(prefix + rest, [k for k in known if k.startswith(prefix)], 0.85)
                if match:
                    return match
    return None


def unknown_variables(names, known, prefixes=PREFIXES, allowed=()):
    """``[(name, closest known name or None)]``, sorted, for each name that is not known and not
    ``allowed`` and either carries a prefix or is a near miss of one (near_miss())."""
    found = []
    for name in sorted(set(names)):
        if not isinstance(name, str) or name in known or name in allowed:
            continue
        if name.startswith(prefixes):
            same_prefix = [k for k in known if k.startswith(tuple(p for p in prefixes if name.startswith(p)))]
            found.append((name, _closest(name, same_prefix, 0.6) or _closest(name, known, 0.6)))
        else:
            near = near_miss(name, known, prefixes)
            if near:
                found.append((name, near))
    return found


def unknown_variable_problems(names, known, allow_variable, allowed=()):
    """One problem line per unknown variable (unknown_variables()), naming the escape hatch."""
    return ["unknown variable %s%s: Ansible would ignore it and the run would go on without it; correct the "
            "name, or list it in %s if it is meant for something else"
            % (name, " (did you mean %s?)" % near if near else "", allow_variable)
            for name, near in unknown_variables(names, known, allowed=allowed)]


def hook_places(value, cwd, playbook_dir):
    """The paths a hook file ``value`` is looked for at, in order: itself when absolute; else relative
    to ``cwd`` (the directory ansible-playbook runs in: an AWX job's project), then to the playbook's
    directory (``playbook_dir``, for a playbook of one's own). Pure: the caller looks."""
    text = value.strip()
    if text.startswith("/"):
        return [text]
    places = [cwd.rstrip("/") + "/" + text]
    if playbook_dir and playbook_dir.rstrip("/") != cwd.rstrip("/"):
        places.append(playbook_dir.rstrip("/") + "/" + text)
    return places


def hook_problem(name, value, places, error=None):
    """The problem line of a hook file that is missing (``error`` None) or is not a task file."""
    if error is None:
        return ("%s %r: no such file; looked at %s (a relative path counts from the directory ansible-playbook runs "
                "in, then from the playbook's directory); give an absolute path"
                % (name, value, " and ".join(places)))
    return "%s %r (%s) is not a task file: %s" % (name, value, places[0], error)


def check_hosts(pattern, matched, variable, required=False, given=()):
    """The host pattern when it matches at least one inventory host; a RunError otherwise.

    ``required``: an unset pattern (None, empty) is a RunError of its own, before any host is
    touched; there is no default of every host. ``given``: the names of the variables set, for
    the message to name a misspelling of ``variable`` among them.
    """
    if required and (pattern is None or (isinstance(pattern, str) and not pattern.strip())):
        near = _closest(variable, [name for name in given if isinstance(name, str) and name != variable], 0.8)
        raise RunError("%s is not set%s: name the hosts or groups to work on (%s=web, %s=web1:web2), or "
                       "%s=all to mean every host of the inventory; nothing was done"
                       % (variable, " (%s is set: a misspelling?)" % near if near else "",
                          variable, variable, variable))
    if matched:
        return pattern
    raise RunError("no host matches %s=%r: nothing would be done; check the pattern against the inventory "
                   "(ansible-inventory --graph)" % (variable, pattern))


# The restart groups' and tiers' settings: host variables that the playbooks check for every host of the play,
# each problem naming its host (fleetops.sophos.group_check); checked here they would be the first host's
# alone, without its name.
HOST_SETTINGS = ("group", "group_max_down", "tier", "tier_on_failure")


def setting_problems(variables, now):
    """Every problem of the cycle, patch and report settings set in ``variables``, one line each.

    ``variables``: name -> value of the variables given (extra and host variables; role defaults
    are good by construction). The rules are the settings tables' (``_cycle.SETTINGS`` with the window
    end resolved against ``now``, the run's start; ``_patch.SETTINGS``, ``model.SETTINGS``), each
    setting on its own.
    """
    cycle = dict((name[len(_cycle.VAR_PREFIX):], value) for name, value in variables.items()
                 if name.startswith(_cycle.VAR_PREFIX) and name[len(_cycle.VAR_PREFIX):] in _cycle.DEFAULTS
                 and name[len(_cycle.VAR_PREFIX):] not in HOST_SETTINGS and name != _cycle.VAR_PREFIX + "run_started")
    cycle["run_started"] = _time.iso(now)
    problems = _cycle.settings_problems(cycle, now)
    for table in (_patch.SETTINGS, model.SETTINGS):
        problems += table.problems(dict((name, variables[table.prefix + name]) for name in table.names()
                                        if table.prefix + name in variables))
    return problems


def _far_time_of_day(window, end, now, max_hours):
    """A problem when the time of day ``window`` next occurs more than ``max_hours`` after ``now``.

    A job relaunched after its window (09:00 for ``06:00 Europe/Berlin``) would otherwise work
    until the next day's 06:00. Only the time-of-day form moves with the run's start this way; of
    the relative forms it alone is written with a colon (a duration never is).
    """
    if not (_time.is_relative(window) and ":" in window):
        return None
    ahead = (_time.parse_time(end, "window end") - now).total_seconds()
    if ahead <= max_hours * 3600:
        return None
    return ("%swindow_end %r is a time of day whose next occurrence, %s, is %s after this run started (%s): "
            "more than maintenance_window_max_hours (%s), as when a job is relaunched after its window; to mean "
            "it, give the end as a date-time (%swindow_end=%s) or a duration (%swindow_end=+%s), or raise "
            "maintenance_window_max_hours"
            % (_cycle.VAR_PREFIX, str(window).strip(), end, _time.human_seconds(ahead), _time.iso(now),
               "%g" % max_hours, _cycle.VAR_PREFIX, end, _cycle.VAR_PREFIX, _time.human_seconds(ahead)))


def _clock_form(given, moment):
    """``22:00`` when ``given`` is a time of day (its zone's clock at ``moment``), else the value as written."""
    return _time.local_clock(given, moment) if _time.is_time_of_day(given) else given


def window_line(started, start=None, end=None, start_given=None, end_given=None, extra=()):
    """The one line printed at play start: the window as written and in UTC, the run's start, then ``extra``
    (more parts, each a short text such as the blackouts'), all joined by ``; ``.

    ``window 22:00\u201302:00 Europe/Berlin = 2026-12-01T21:00:00Z\u20132026-12-02T01:00:00Z; no restart before
    the start (2h00m from now); run started 2026-12-01T19:00:00Z``. ``started``/``start``/``end``: UTC ISO text (None: not set).
    """
    if start is None and end is None:
        parts = ["no maintenance window (%swindow_start, %swindow_end not set)" % (_cycle.VAR_PREFIX, _cycle.VAR_PREFIX)]
    else:
        zones = set(_time.zone_of(given) for given in (start_given, end_given) if given)
        if start_given and end_given and len(zones) == 1 and all(_time.is_time_of_day(g) for g in (start_given, end_given)):
            written = u"%s\u2013%s %s" % (_clock_form(start_given, _time.parse_time(start, "start")),
                                          _clock_form(end_given, _time.parse_time(end, "end")), zones.pop())
        else:
            written = u"%s\u2013%s" % (start_given or "run start", end_given or "no end")
        parts = [u"window %s = %s\u2013%s" % (written, start or started, end or "no end")]
        ahead = (_time.parse_time(start, "start") - _time.parse_time(started, "run started")).total_seconds() if start else 0
        if ahead > 0:
            parts.append("no restart before the start (%s from now)" % _time.human_seconds(ahead))
    parts.append("run started %s" % started)
    return u"; ".join(parts + [part for part in extra if part])


def _start_problems(start, start_given, end, now, given):
    """The problems of a resolved window start (UTC ISO text): more than WINDOW_START_MAX_HOURS away, or
    (patch_win_reboot with patching before the start) a restart Windows Update would make before it."""
    problems = []
    ahead = (_time.parse_time(start, "window start") - now).total_seconds()
    if ahead > WINDOW_START_MAX_HOURS * 3600:
        problems.append("%swindow_start %r is %s, %s after this run started (%s): more than %d hours away; start the "
                        "job nearer its window, or give a nearer start"
                        % (_cycle.VAR_PREFIX, start_given, start, _time.human_seconds(ahead), _time.iso(now),
                           WINDOW_START_MAX_HOURS))
    try:
        before = _settings.flag(given.get(PATCH_BEFORE_WINDOW, True), PATCH_BEFORE_WINDOW)
        win_reboot = _settings.flag(given.get("patch_win_reboot", False), "patch_win_reboot")
    except _settings.SettingError:
        return problems  # named by the setting checks
    if ahead > 0 and before and win_reboot:
        problems.append("patch_win_reboot=true lets Windows Update restart hosts while they are patched, before the "
                        "window's start at %s; set %s=false (patching then waits for the start) or "
                        "patch_win_reboot=false" % (start, PATCH_BEFORE_WINDOW))
    return problems


def event_time(value, hosts, play_hosts):
    """``(time, problem)`` of ``facts_restart_required_at``: the time (ISO 8601 UTC) or None when not set
    (None or empty), and None or the problem line.

    It is the time of Sophos Central's restart-required event for one host, so ``hosts`` (``facts_hosts``)
    must name that host alone: ``play_hosts``, the hosts it matched (None: not known), is just it.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    try:
        at = _time.iso(_time.parse_time(value, EVENT_TIME_VARIABLE))
    except _settings.SettingError as exc:
        return None, ("%s (the time of Sophos Central's restart-required event, as the fleetops.sophos.restart_required "
                      "rulebook passes it)" % exc)
    if play_hosts is not None and (not isinstance(hosts, str) or list(play_hosts) != [hosts.strip()]):
        return None, ("%s is the time a restart became pending on one host, but facts_hosts=%r matches %d host(s): "
                      "set facts_hosts to that host's inventory name alone"
                      % (EVENT_TIME_VARIABLE, hosts, len(play_hosts)))
    return at, None


def blackouts(given, calendar, now, horizon):
    """``(records, problems)`` of the run's blackouts: ``given`` (``maintenance_blackouts``) and ``calendar``
    (None, or ``{"path", "text"}`` / ``{"path", "error"}``: the file of ``maintenance_blackout_calendar`` as the
    caller read it) resolved against ``now`` over [``now``, ``horizon``], merged, as UTC records."""
    text = source = None
    problems = []
    if calendar is not None:
        source = calendar.get("path")
        if calendar.get("error"):
            problems.append("%s %s cannot be read: %s" % (CALENDAR_VARIABLE, source, calendar["error"]))
        else:
            text = calendar.get("text") or ""
    periods, wrong = _blackouts.resolve(given, now, horizon, text, source)
    problems += wrong
    return ([] if problems else _blackouts.records(periods)), problems


class RunProblems(RunError):
    """Several problems of one run setting (a blackout period each), one line each in ``lines``."""

    def __init__(self, lines):
        super(RunProblems, self).__init__("; ".join(lines))
        self.lines = list(lines)


def _as_sent(value, name, context):  # pylint: disable=unused-argument
    return value


def _event_time_kind(value, name, context):  # pylint: disable=unused-argument
    at, problem = event_time(value, context["given"].get("facts_hosts"), context["play_hosts"])
    if problem:
        raise RunError(problem)
    return at


def _blackouts_kind(value, name, context):  # pylint: disable=unused-argument
    """The run's blackouts over its span: to the window's end (``window_end``, when it resolved), else
    ``maintenance_window_max_hours`` (or its default, when that is bad) ahead of the run's start."""
    now = context["now"]
    if context.get("window_end"):
        horizon = _time.parse_time(context["window_end"], "window end")
    else:
        horizon = now + timedelta(hours=context.get(WINDOW_MAX_HOURS_VARIABLE) or WINDOW_MAX_HOURS)
    records, problems = blackouts(value, context.get("calendar_file"), now, horizon)
    if problems:
        raise RunProblems(problems)
    return records


def _setting(name, default, type, kind, group="maintenance", **more):  # pylint: disable=redefined-builtin
    return _settings.Setting(name, default, type, kind=kind, group=group, **more)


# Every playbook variable: name (as written: the table's prefix is empty), default (the playbooks' own, None when
# there is none), public type, and the kind that says which function normalises it (Table.convert(): a kind of its
# own below, or _settings' flag/number/list). Table order is the order check_run() converts
# them in: a setting's function reads those before it (blackouts read the window limit and the calendar). Two kinds
# the play converts itself, and check_run() takes as sent: "pattern" (a host pattern, checked against the inventory
# by check_hosts() as the play starts) and "play" (a play keyword, or a value its tasks read through Jinja).
SETTINGS = _settings.Table("run", "", (
    # fleetops.sophos.maintenance and fleetops.sophos.restart
    _setting("maintenance_hosts", None, "str", "pattern"),  # required: check_hosts()
    _setting("maintenance_serial", "100%", "str", "play"),  # the play's serial
    _setting("maintenance_max_fail_percentage", 100, "int", "play"),  # the play's max_fail_percentage
    _setting("maintenance_become", True, "bool", "play"),  # the play's become, Jinja bool
    _setting("maintenance_exclude", False, "bool", "play"),  # a host variable, Jinja bool
    _setting("maintenance_exclude_reason", "", "str", "play"),  # a host variable: excluded_record()
    _setting("maintenance_allow_variables", [], "list", "list"),  # _settings.text_list()
    _setting(WINDOW_MAX_HOURS_VARIABLE, 12, "float", "number", minimum=0, above=True),  # _settings.number()
    _setting(PATCH_BEFORE_WINDOW, True, "bool", "flag"),  # _settings.flag(); the restart playbook never patches
    _setting(CALENDAR_VARIABLE, None, "path", "calendar"),  # read by the run_check filter, resolved with:
    _setting(BLACKOUTS_VARIABLE, [], "list", "blackouts"),  # blackouts()
    # fleetops.sophos.facts
    _setting("facts_hosts", "all", "str", "pattern", group="facts"),  # check_hosts()
    _setting("facts_become", True, "bool", "play", group="facts"),  # the play's become, Jinja bool
    _setting("facts_allow_variables", [], "list", "list", group="facts"),  # _settings.text_list()
    _setting(EVENT_TIME_VARIABLE, None, "str", "event_time", group="facts"),  # event_time()
), error=RunError, kinds={"pattern": _as_sent, "play": _as_sent, "calendar": _as_sent, "event_time": _event_time_kind,
                          "blackouts": _blackouts_kind})

WINDOW_MAX_HOURS = SETTINGS.by_name[WINDOW_MAX_HOURS_VARIABLE].default
MAINTENANCE_VARIABLES = SETTINGS.names("maintenance")
PLAYBOOK_VARIABLES = dict((playbook, SETTINGS.names(GROUP_OF_PLAYBOOK[playbook])) for playbook in GROUP_OF_PLAYBOOK)
# The variable of each playbook that lists deliberate extra variables under the checked prefixes.
ALLOW_VARIABLES = dict((playbook, next(name for name in names if name.endswith("_allow_variables")))
                       for playbook, names in PLAYBOOK_VARIABLES.items())


def checked_variables(playbook):
    """The playbook variables check_run() converts for ``playbook``: its own, and the window limit on every
    playbook (each checks the cycle's window against it)."""
    names = SETTINGS.names(GROUP_OF_PLAYBOOK[playbook])
    return names + (() if WINDOW_MAX_HOURS_VARIABLE in names else (WINDOW_MAX_HOURS_VARIABLE,))


def run_settings(given, playbook, now, play_hosts=None, calendar=None, window_end=None):
    """``(values, problems)`` of the playbook variables check_run() checks (checked_variables()), each converted
    once by its table function (as given; its default when not given or None): ``problems`` is name -> its
    problem lines, ``values`` name -> the converted value (None for a bad one)."""
    context = {"now": now, "given": given, "play_hosts": play_hosts, "calendar_file": calendar,
               "window_end": window_end}
    values, problems = {}, {}
    checked = checked_variables(playbook)
    for setting in SETTINGS.settings:
        if setting.name not in checked:
            continue
        try:
            value = given.get(setting.name)
            values[setting.name] = SETTINGS.convert(setting, setting.default if value is None else value, context)
        except RunProblems as exc:
            problems[setting.name], values[setting.name] = exc.lines, None
        except RunError as exc:
            problems[setting.name], values[setting.name] = [str(exc)], None
        context[setting.name] = values[setting.name]
    return values, problems


def check_run(names, window, known, now, settings=None, playbook="maintenance", play_hosts=None, calendar=None):
    """What the run starts with: ``errors`` (the run must stop), ``run_started``, ``window_end``
    (UTC, resolved once), ``window_given`` (as written) and, for the facts playbook,
    ``restart_required_at`` (event_time(): ``facts_restart_required_at`` checked against ``facts_hosts``
    and ``play_hosts``, the hosts the play matched); for the maintenance playbook ``blackouts`` (blackouts():
    UTC records) and ``blackouts_line`` (the play-start line's words), ``calendar`` the calendar file as read.

    ``names``: the variable names of the first host (extra variables included); ``window``: its
    ``reboot_cycle_window_end``; ``now``: an aware datetime, the run's start; ``settings``: the
    host's cycle, patch and report variables (name -> value), with the playbook variables it checks
    (checked_variables(), converted by run_settings()) when set. Every problem is an error, one line
    each: an unknown or misspelt variable (unknown_variable_problems()), a bad setting (setting_problems(),
    run_settings()), a window end already over or a time of day too far ahead (a relaunch).
    """
    started = _time.iso(now)
    result = {"errors": [], "run_started": started, "window_end": None, "window_given": None,
              "window_start": None, "window_start_given": None, "patch_before_window": True,
              "restart_required_at": None, "blackouts": [], "blackouts_line": "none",
              "window_line": window_line(started)}
    given = dict(settings or {})
    run_given = dict((name, given.pop(name)) for name in SETTINGS.names(None) if name in given)
    left_over = []
    if LEFT_OVER in given:
        left_over.append("an extra variable was cut at a space: %r was left over without a name (-e 'name=a b' is "
                         "read as name=a); give a value with a space as JSON, e.g. -e '{\"%swindow_end\": \"06:00 "
                         "Europe/Berlin\"}', or quoted inside the argument, -e \"%swindow_end='06:00 Europe/Berlin'\""
                         % (given.pop(LEFT_OVER), _cycle.VAR_PREFIX, _cycle.VAR_PREFIX))
    cycle_blackouts = []
    if playbook in PLAYBOOKS["maintenance"] and CYCLE_BLACKOUTS in given:
        cycle_blackouts.append("%s is set by the maintenance playbook from %s and %s, resolved once for every host; "
                               "give the periods as %s"
                               % (CYCLE_BLACKOUTS, BLACKOUTS_VARIABLE, CALENDAR_VARIABLE, BLACKOUTS_VARIABLE))
        given.pop(CYCLE_BLACKOUTS)
    if window is not None:
        given[_cycle.VAR_PREFIX + "window_end"] = window
    start_given = given.get(_cycle.VAR_PREFIX + "window_start")
    problems = setting_problems(given, now)
    end = start = None
    if not problems:
        try:
            resolved = _cycle.normalize_settings({"window_end": window, "window_start": start_given,
                                                  "run_started": started})
        except _cycle.CycleError as exc:  # a start at or after the end: the two are checked together here
            problems = problems + [str(exc)]
        else:
            end, start = resolved["window_end"], resolved["window_start"]
    # Each playbook variable once, by its table function; its problems in the order the run names them.
    values, wrong = run_settings(run_given, playbook, now, play_hosts, calendar, end)
    allow_variable = ALLOW_VARIABLES[playbook]
    max_hours = values[WINDOW_MAX_HOURS_VARIABLE]
    far = _far_time_of_day(window, end, now, max_hours) if end and max_hours is not None else None
    errors = wrong.pop(allow_variable, [])
    errors += unknown_variable_problems(names, known, allow_variable, values[allow_variable] or [])
    errors += left_over + wrong.pop(WINDOW_MAX_HOURS_VARIABLE, []) + wrong.pop(EVENT_TIME_VARIABLE, [])
    errors += cycle_blackouts + problems + ([far] if far else []) + wrong.pop(BLACKOUTS_VARIABLE, [])
    errors += [line for name in SETTINGS.names(None) for line in wrong.get(name, [])]
    patch_before = values.get(PATCH_BEFORE_WINDOW, True)
    if start:
        errors += _start_problems(start, str(start_given).strip(), end, now,
                                  dict(given, **{PATCH_BEFORE_WINDOW: True if patch_before is None else patch_before}))
    result["errors"] = errors
    if not errors:
        result["restart_required_at"] = values.get(EVENT_TIME_VARIABLE)
        result["patch_before_window"] = patch_before
    if end and not errors:
        result.update(window_end=end, window_given=str(window).strip())
    if start and not errors:
        result.update(window_start=start, window_start_given=str(start_given).strip())
    if not errors:
        periods = values.get(BLACKOUTS_VARIABLE) or []
        result.update(blackouts=periods, blackouts_line=_blackouts.describe(periods))
        result["window_line"] = window_line(started, result["window_start"], result["window_end"],
                                            result["window_start_given"], result["window_given"],
                                            extra=["blackouts: " + result["blackouts_line"]])
    return result


def excluded_record(facts, reason, now, check_mode=False):
    """The ``sophos_reboot_cycle`` record of a host excluded by ``maintenance_exclude``: deferred.

    ``facts`` is the host's ``sophos_reboot`` when it could be read (the report then shows what is
    pending on it), else None.
    """
    reading = facts if isinstance(facts, dict) and "reasons" in facts else {"reasons": []}
    why = "excluded (maintenance_exclude)"
    if isinstance(reason, str) and reason.strip():
        why += ": " + reason.strip()
    state = _cycle.start(reading, _cycle.DEFAULTS, now)
    decision = {"step": "defer", "status": "deferred", "reason": why, "warning": None}
    record = _cycle.result(state, decision, reading, now, check_mode=check_mode)
    record["excluded"] = True
    return record


def group_problems(hosts):
    """Every problem of the play's restart groups, one line each: a bad ``reboot_cycle_group`` or
    ``reboot_cycle_group_max_down`` (naming the host), and members of a group that disagree on max_down.

    ``hosts``: host -> its variables (only the two group variables are read; left out: no group, 1).
    """
    problems = []
    members = {}
    group_var, max_var = _cycle.VAR_PREFIX + "group", _cycle.VAR_PREFIX + "group_max_down"
    for host in sorted(hosts):
        variables = hosts[host] or {}
        try:
            groups = _groups.group_names(variables.get(group_var), group_var)
            allowed = _groups.max_down(variables.get(max_var, 1), max_var)
        except _settings.SettingError as exc:
            problems.append("%s: %s" % (host, exc))
            continue
        if groups:
            members[host] = (groups, allowed)
    return problems + _groups.agreement_problems(members)
