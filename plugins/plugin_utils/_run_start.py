# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the start of a run and of each batch of the collection's playbooks, on the controller.

The run check (typos, settings, the window, the hook files, the blackouts and their calendar), the restart
groups and tiers of the play, whether a batch needs the reboot_cycle role's steps, and each host's own restart
and settle durations from the kept reports. Used by the ``fleetops.sophos.run_start`` action; the deprecated
filters ``run_check``, ``group_check``, ``staged_batch`` and ``learned_durations`` are thin wrappers over it.
The rules themselves are ``module_utils/_run.py``'s, ``_groups.py``'s and ``_durations.py``'s; this module reads
the controller's files and the play's variables. Every function raises SettingError naming a bad value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

import yaml

from ansible import constants as C
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _durations, _groups, _run, _settings
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _hooks, _silence, _tiers
from ansible_collections.fleetops.sophos.plugins.plugin_utils._unsafe import make_unsafe

SETTING_PREFIXES = (_cycle.VAR_PREFIX, "patch_", "report_")
COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = tuple(sorted(_run.ALLOW_VARIABLES))


def show(display, errors=(), warnings=()):
    """Print what a run start found: each warning, then each problem on a ``problem:`` line (the action's and the
    deprecated filters' one way of saying it)."""
    for warning in warnings:
        display.warning(warning)
    for error in errors:
        display.display("problem: %s" % error, color=C.COLOR_ERROR)


def known():
    """The variables the collection knows: those of its roles' argument specs (and the run's own)."""
    specs = []
    for path in sorted(glob.glob(os.path.join(COLLECTION, "roles", "*", "meta", "argument_specs.yml"))):
        try:
            with open(path) as handle:
                specs.append(yaml.safe_load(handle))
        except (OSError, yaml.YAMLError) as exc:
            raise _settings.SettingError("cannot read %s: %s" % (path, exc))
    return _run.known_variables(specs)


def calendar(value, playbook_dir):
    """The blackout calendar file as _run.blackouts() takes it: None when not set; ``{"path", "text"}`` when read
    (found as a hook file is, hook_places()), ``{"path", "error"}`` when it cannot be."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        return {"path": repr(value), "error": "it must be a path to an iCalendar (.ics) file, got %s" % type(value).__name__}
    places = _run.hook_places(value, os.getcwd(), playbook_dir)
    found = next((place for place in places if os.path.isfile(place)), None)
    if found is None:
        return {"path": value.strip(), "error": "no such file; looked at %s" % " and ".join(places)}
    try:
        with open(found, "rb") as handle:
            return {"path": found, "text": handle.read()}
    except OSError as exc:
        return {"path": found, "error": str(exc)}


def check(variables, now, playbook="maintenance", playbook_dir=None, play_hosts=None):
    """Check the run once: unknown or misspelt variables, bad settings, the window, (maintenance, restart) the
    hook files and the blackouts (the calendar file read here) and (facts) ``facts_restart_required_at``. The
    result's ``errors`` are the problems, one line each (the caller prints them and stops the run).

    ``variables``: the first host's variables (``hostvars[inventory_hostname]``); ``playbook`` (maintenance,
    restart, facts) names the variable that lists deliberate extra variables; ``playbook_dir``, the playbook's
    directory, is the second place a relative hook file is looked for; ``play_hosts``, the hosts the play
    matched, the one host ``facts_restart_required_at`` is for.
    """
    if not hasattr(variables, "keys"):
        raise _settings.SettingError("expects a host's variables (hostvars[inventory_hostname])")
    if playbook not in _run.ALLOW_VARIABLES:
        raise _settings.SettingError("playbook must be one of %s, got %r" % ("|".join(PLAYBOOKS), playbook))
    names = list(variables.keys())
    window = variables.get(_cycle.VAR_PREFIX + "window_end") if _cycle.VAR_PREFIX + "window_end" in names else None
    passed = _run.checked_variables(playbook) + (_run.LEFT_OVER,)
    settings = dict((name, variables.get(name)) for name in names
                    if isinstance(name, str) and (name.startswith(SETTING_PREFIXES) or name in passed)
                    and name not in _run.RUN_VARIABLES)
    found = calendar(variables.get(_run.CALENDAR_VARIABLE) if _run.CALENDAR_VARIABLE in names else None,
                     playbook_dir) if playbook in ("maintenance", "restart") else None
    checked = _run.check_run(names, window, known(), now, settings, playbook,
                             [str(host) for host in play_hosts] if play_hosts is not None else None, calendar=found)
    if playbook in ("maintenance", "restart"):
        for name in _run.HOOK_VARIABLES:
            value = variables.get(name) if name in names else None
            if isinstance(value, str) and value.strip():
                problem = _hooks.find(name, value, playbook_dir)[1]
                if problem:
                    checked["errors"].append(problem)
        # The Alertmanager silence is an option of the cycle's action, not a setting of the table: its
        # problems are named here too, not first by each host's cycle.
        if _silence.NAME in names:
            checked["errors"].extend(_silence.option_problems(variables.get(_silence.NAME)))
    # A calendar's event names are the file's words: never templated.
    for key in ("blackouts", "blackouts_line"):
        checked[key] = make_unsafe(checked[key])
    return checked


def _tier_problems(hosts, hostvars, batch, strategy):
    """Bad tiers or tier_on_failure values, and tiers with a strategy that does not run them in turn."""
    problems = []
    for host in hosts or []:
        try:
            _tiers.tiers([host], hostvars)
        except _settings.SettingError as exc:
            problems.append(str(exc))
        value = _tiers.variable(hostvars[host], _tiers.TIER_ON_FAILURE, "stop")
        if value not in _groups.ON_FAILURE:
            problems.append("%s: %s must be one of %s, got %r" % (
                host, _tiers.TIER_ON_FAILURE, "|".join(_groups.ON_FAILURE), value))
    if not problems:
        turns = _groups.tier_turns(_tiers.tiers(batch if batch is not None else hosts, hostvars))
        if len(turns) > 1 and strategy not in _groups.LOCKSTEP_STRATEGIES:
            tiers = ", ".join(str(value) for value in turns)
            problems.append("%s: the batch has tiers %s, and the strategy %s does not run them in turn; tiers need "
                            "the linear strategy (the default)" % (_tiers.TIER, tiers, strategy))
    return problems


def _hook_problems(hosts, hostvars):
    """Hosts with restart groups and restart hooks (refused together: _groups.HOOKS_REFUSED)."""
    found = {}
    for host in hosts or []:
        known_vars = hostvars[host]
        try:
            groups = _groups.group_names(known_vars.get(_cycle.VAR_PREFIX + "group"), _cycle.VAR_PREFIX + "group")
        except _settings.SettingError:
            continue   # a problem of its own (group_problems)
        found[host] = (groups, dict((name, known_vars.get(name)) for name in _groups.HOOK_VARIABLES))
    return _groups.hook_problems(found)


def groups(hosts, hostvars, batch=None, forks=None, strategy=None):
    """The play's restart groups and tiers checked once: ``errors`` (one line each; the play stops before any
    host is touched), ``warnings`` (a batch with more hosts than ``forks``) and ``batch`` (this batch's hosts as
    it starts: the tiers' turns count the hosts lost on the way). ``strategy``: the play's (default: the
    configured one)."""
    names = (_cycle.VAR_PREFIX + "group", _cycle.VAR_PREFIX + "group_max_down")
    variables = {}
    for host in hosts or []:
        known_vars = hostvars[host]
        variables[host] = dict((name, known_vars[name]) for name in names if name in known_vars)
    errors = (_run.group_problems(variables)
              + _tier_problems(hosts, hostvars, batch, strategy or C.DEFAULT_STRATEGY)
              + _hook_problems(hosts, hostvars))
    warnings = []
    if any(_cycle.VAR_PREFIX + "group" in found for found in variables.values()):
        warning = _groups.forks_warning(forks or C.DEFAULT_FORKS, len(batch if batch is not None else hosts or []))
        warnings = [warning] if warning else []
    return {"errors": errors, "warnings": warnings, "batch": list(batch if batch is not None else hosts or [])}


# What makes a batch run its cycles through the reboot_cycle role's tier loop and hook stops, not as one task.
STAGED_VARIABLES = (_cycle.VAR_PREFIX + "tier", _cycle.VAR_PREFIX + "tier_on_failure") + tuple(_run.HOOK_VARIABLES)


def staged(batch, hostvars):
    """Whether a batch needs the reboot_cycle role's steps: a host of it has a tier or a hook (any of the
    variables set, a hook not empty). Decided once per batch: without them each host's cycle is one task."""
    for host in batch or []:
        known_vars = hostvars[host]
        for name in STAGED_VARIABLES:
            if name not in known_vars:
                continue
            value = known_vars[name]
            if name in _run.HOOK_VARIABLES and (value is None or (isinstance(value, str) and not value.strip())):
                continue
            return True
    return False


def _report_files(report_dir, basename):
    """``([(name, text)], warnings)``: the JSON files of the runs kept in ``report_dir`` (none: no history yet)."""
    if not report_dir or not os.path.isdir(report_dir):
        return [], []
    files, warnings = [], []
    for name in sorted(os.listdir(report_dir)):
        if not name.endswith(".json") or _durations.run_file(name, basename) is None:
            continue
        try:
            with open(os.path.join(report_dir, name), "rb") as handle:
                files.append((name, handle.read().decode("utf-8", "replace")))
        except OSError as exc:
            warnings.append(u"%s cannot be read (%s): its restart and settle durations are not used" % (name, exc))
    return files, warnings


def durations(hosts, report_dir=None, basename="sophos-report", enabled=True):
    """Each host's own expected restart and settle from the runs kept in ``report_dir``, read once at the run's
    start: ``({hosts: {host: durations}, line}, warnings)``; ``line`` says which hosts use their own and how
    many the defaults. A file that cannot be read or is not a report is a warning naming it, never a failed run:
    its hosts keep the defaults as far as the other files do not say more."""
    names = [str(host) for host in hosts or []]
    if not _cycle.check_flag(enabled, "learn_durations"):
        return {"hosts": {}, "line": _durations.plan_line({}, names, enabled=False)}, []
    files, warnings = _report_files(report_dir, str(basename))
    records, more = _durations.history_records(files, str(basename))
    learned = _durations.learn(records, names)
    return {"hosts": learned, "line": _durations.plan_line(learned, names)}, [
        u"report history: " + warning for warning in warnings + more]
