# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the checks a playbook makes once, before any host is touched.

- Variables that carry a role or playbook prefix but are not known (a typo such as
  ``reboot_cycle_max_cycle``) are named with the closest known variable: Ansible itself ignores them.
- A host pattern that matches no host fails the run instead of a green job that did nothing.
- The maintenance window is resolved once, against the run's start, so every batch works to the
  same end, and a window that ended before the run started fails the run.
- A host excluded by ``maintenance_exclude`` gets a ``deferred`` record that says so.

Pure Python, no Ansible imports, no I/O: the known variables come in as parsed argument specs.
"""

from __future__ import absolute_import, division, print_function

import difflib

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _groups, _patch, _report, _settings

__metaclass__ = type

PREFIXES = ("reboot_cycle_", "patch_", "report_", "maintenance_")

# The playbooks' own variables, documented in README.md and docs/awx.md (a unit test checks both).
PLAYBOOK_VARIABLES = {
    "maintenance": (
        "maintenance_hosts", "maintenance_serial", "maintenance_max_fail_percentage", "maintenance_become",
        "maintenance_exclude", "maintenance_exclude_reason",
    ),
    "facts": ("facts_hosts", "facts_become"),
}

# Variables the playbooks and roles set on hosts while they run; never user input, but prefixed.
RUN_VARIABLES = (
    "maintenance_result", "maintenance_stage", "maintenance_run", "maintenance_run_started",
    "report_data",
)


class RunError(_settings.SettingError):
    """A run that must not start; the message says why."""


def known_variables(argument_specs):
    """Every option of every entry point of the given roles' ``meta/argument_specs.yml`` (parsed)."""
    names = set()
    for spec in argument_specs:
        for entry in ((spec or {}).get("argument_specs") or {}).values():
            names.update((entry or {}).get("options") or {})
    for playbook in PLAYBOOK_VARIABLES.values():
        names.update(playbook)
    names.update(RUN_VARIABLES)
    return names


def unknown_variables(names, known, prefixes=PREFIXES):
    """``[(name, closest known name or None)]`` for each prefixed name that is not known, sorted."""
    found = []
    for name in sorted(set(names)):
        if not isinstance(name, str) or not name.startswith(prefixes) or name in known:
            continue
        same_prefix = sorted(k for k in known if k.startswith(tuple(p for p in prefixes if name.startswith(p))))
        match = difflib.get_close_matches(name, same_prefix, n=1, cutoff=0.6) or \
            difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        found.append((name, match[0] if match else None))
    return found


def unknown_variable_warnings(names, known):
    return ["unknown variable %s is ignored%s" % (name, " (did you mean %s?)" % near if near else "")
            for name, near in unknown_variables(names, known)]


def check_hosts(pattern, matched, variable):
    """The host pattern when it matches at least one inventory host; a RunError otherwise."""
    if matched:
        return pattern
    raise RunError("no host matches %s=%r: nothing would be done; check the pattern against the inventory "
                   "(ansible-inventory --graph)" % (variable, pattern))


def setting_problems(variables, now):
    """Every problem of the cycle, patch and report settings set in ``variables``, one line each.

    ``variables``: name -> value of the variables given (extra and host variables; role defaults
    are good by construction). The rules are the settings tables' (``_cycle.SETTINGS`` with the window
    end resolved against ``now``, the run's start; ``_patch.SETTINGS``, ``_report.SETTINGS``), each
    setting on its own.
    """
    cycle = dict((name[len(_cycle.VAR_PREFIX):], value) for name, value in variables.items()
                 if name.startswith(_cycle.VAR_PREFIX) and name[len(_cycle.VAR_PREFIX):] in _cycle.DEFAULTS
                 and name != _cycle.VAR_PREFIX + "run_started")
    cycle["run_started"] = _cycle.iso(now)
    problems = _cycle.settings_problems(cycle, now)
    for table in (_patch.SETTINGS, _report.SETTINGS):
        problems += table.problems(dict((name, variables[table.prefix + name]) for name in table.names()
                                        if table.prefix + name in variables))
    return problems


def check_run(names, window, known, now, settings=None):
    """What the run starts with: ``warnings`` (unknown variables), ``errors`` (the run must stop),
    ``run_started``, ``window_end`` (UTC, resolved once) and ``window_given`` (as written).

    ``names``: the variable names of the first host (extra variables included); ``window``: its
    ``reboot_cycle_window_end``; ``now``: an aware datetime, the run's start; ``settings``: the
    host's cycle, patch and report variables (name -> value). Every bad setting is an error, one
    line each (setting_problems()), a window end already over included.
    """
    started = _cycle.iso(now)
    result = {"warnings": unknown_variable_warnings(names, known), "errors": [], "run_started": started,
              "window_end": None, "window_given": None}
    given = dict(settings or {})
    if window is not None:
        given[_cycle.VAR_PREFIX + "window_end"] = window
    result["errors"] = setting_problems(given, now)
    if result["errors"]:
        return result
    end = _cycle.normalize_settings({"window_end": window, "run_started": started})["window_end"]
    if end:
        result.update(window_end=end, window_given=str(window).strip())
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
