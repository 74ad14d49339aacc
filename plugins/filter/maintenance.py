# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the fleetops.sophos playbooks: thin wrappers over module_utils/_run.py.

The known variables are read from the roles' ``meta/argument_specs.yml`` in this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
from datetime import datetime, timezone

import yaml

from ansible import constants as C, context
from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _durations, _run, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _hooks, _silence
from ansible_collections.fleetops.sophos.plugins.plugin_utils._filters import guard as _guard
from ansible_collections.fleetops.sophos.plugins.plugin_utils._unsafe import make_unsafe

_SETTING_PREFIXES = (_cycle.VAR_PREFIX, "patch_", "report_")
_COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _known():
    specs = []
    for path in sorted(glob.glob(os.path.join(_COLLECTION, "roles", "*", "meta", "argument_specs.yml"))):
        try:
            with open(path) as handle:
                specs.append(yaml.safe_load(handle))
        except (OSError, yaml.YAMLError) as exc:
            raise AnsibleFilterError("fleetops.sophos.run_check: cannot read %s: %s" % (path, exc))
    return _run.known_variables(specs)


def _now(now):
    if now is None:
        return datetime.now(timezone.utc)
    return _time.parse_time(now, "now")


def _calendar(value, playbook_dir):
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


def hook_file(value, playbook_dir=None, variable="hook"):
    """The path a hook file is included from (hook_places()), or a clear failure saying where it looked."""
    if not isinstance(value, str) or not value.strip():
        raise AnsibleFilterError("fleetops.sophos.hook_file: %s must be a task file path, got %r" % (variable, value))
    found, problem = _hooks.find(variable, value, playbook_dir)
    if found is None:
        raise AnsibleFilterError("fleetops.sophos.hook_file: %s" % problem)
    return found


def run_check(variables, now=None, playbook="maintenance", playbook_dir=None, play_hosts=None):
    """Check the run once: unknown or misspelt variables, bad settings, the window, (maintenance, restart) the
    hook files and the blackouts (the calendar file read here) and (facts) ``facts_restart_required_at``;
    one ``problem:`` line each.

    ``playbook`` (maintenance, restart, facts) names the variable that lists deliberate extra variables;
    ``playbook_dir``, the playbook's directory, is the second place a relative hook file is looked for;
    ``play_hosts``, the hosts the play matched, the one host ``facts_restart_required_at`` is for.
    """
    if not hasattr(variables, "keys"):
        raise AnsibleFilterError("fleetops.sophos.run_check: expects a host's variables (hostvars[inventory_hostname])")
    if playbook not in _run.ALLOW_VARIABLES:
        raise AnsibleFilterError("fleetops.sophos.run_check: playbook must be one of %s, got %r"
                                 % ("|".join(sorted(_run.ALLOW_VARIABLES)), playbook))
    names = list(variables.keys())
    window = variables.get(_cycle.VAR_PREFIX + "window_end") if _cycle.VAR_PREFIX + "window_end" in names else None
    passed = _run.checked_variables(playbook) + (_run.LEFT_OVER,)
    settings = dict((name, variables.get(name)) for name in names
                    if isinstance(name, str) and (name.startswith(_SETTING_PREFIXES) or name in passed)
                    and name not in _run.RUN_VARIABLES)
    calendar = _calendar(variables.get(_run.CALENDAR_VARIABLE) if _run.CALENDAR_VARIABLE in names else None,
                         playbook_dir) if playbook in ("maintenance", "restart") else None
    checked = _guard("run_check", _run.check_run, names, window, _known(), _now(now), settings, playbook,
                     [str(host) for host in play_hosts] if play_hosts is not None else None, calendar=calendar)
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
    # One short line per problem, once; the play's fail task then stops the run before any host is touched.
    display = Display()
    for error in checked["errors"]:
        display.display("problem: %s" % error, color=C.COLOR_ERROR)
    return checked


def hosts_matched(pattern, matched, variable, required=False, given=()):
    """The play's host pattern, or a clear failure when it matches no inventory host, or, ``required``,
    when it is not set (None or empty; ``given``, the names of the variables set, names a misspelling).

    ``ansible-playbook --syntax-check`` (ansible-lint runs it without an inventory) runs nothing, so
    there the pattern passes unchecked.
    """
    if context.CLIARGS.get("syntax"):
        return pattern or "all"
    return _guard("hosts_matched", _run.check_hosts, pattern, matched, variable, required=required,
                  given=given)


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


def learned_durations(hosts, report_dir=None, basename="sophos-report", enabled=True):
    """Each host's own expected restart and settle from the runs kept in ``report_dir``, read once at the run's
    start: ``{hosts: {host: durations}, line}``; ``line`` says which hosts use their own and how many the defaults.

    A file that cannot be read or is not a report is a warning naming it, never a failed run: its hosts keep the
    defaults as far as the other files do not say more.
    """
    def learn():
        names = [str(host) for host in hosts or []]
        on = _cycle.check_flag(enabled, "learn_durations")
        if not on:
            return {"hosts": {}, "line": _durations.plan_line({}, names, enabled=False)}
        files, warnings = _report_files(report_dir, str(basename))
        records, more = _durations.history_records(files, str(basename))
        display = Display()
        for warning in warnings + more:
            display.warning(u"report history: " + warning)
        learned = _durations.learn(records, names)
        return {"hosts": learned, "line": _durations.plan_line(learned, names)}
    return _guard("learned_durations", learn)


# What makes a batch run its cycles through the reboot_cycle role's tier loop and hook stops, not as one task.
_STAGED_VARIABLES = (_cycle.VAR_PREFIX + "tier", _cycle.VAR_PREFIX + "tier_on_failure") + tuple(_run.HOOK_VARIABLES)


def staged_batch(batch, hostvars):
    """Whether a batch needs the reboot_cycle role's steps: a host of it has a tier or a hook (any of the
    variables set, a hook not empty). Decided once per batch: without them each host's cycle is one task."""
    def decide():
        for host in batch or []:
            known = hostvars[host]
            for name in _STAGED_VARIABLES:
                if name not in known:
                    continue
                value = known[name]
                if name in _run.HOOK_VARIABLES and (value is None or (isinstance(value, str) and not value.strip())):
                    continue
                return True
        return False
    return _guard("staged_batch", decide)


class FilterModule(object):
    def filters(self):
        return {
            "run_check": run_check,
            "hook_file": hook_file,
            "hosts_matched": hosts_matched,
            "learned_durations": learned_durations,
            "staged_batch": staged_batch,
        }
