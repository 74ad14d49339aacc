# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the fleetops.sophos playbooks: thin wrappers over module_utils/_run.py.

The known variables are read from the roles' ``meta/argument_specs.yml`` in this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import math
import os
from datetime import datetime, timezone

import yaml

from ansible import constants as C, context
from ansible.errors import AnsibleError, AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.utils.display import Display
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _run, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils._filters import guard as _guard

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


def _hook(name, value, playbook_dir):
    """(path, problem) of one hook file: the path it is run from, or the problem line (missing, not tasks)."""
    places = _run.hook_places(value, os.getcwd(), playbook_dir)
    found = next((place for place in places if os.path.isfile(place)), None)
    if found is None:
        return None, _run.hook_problem(name, value, places)
    try:
        tasks = DataLoader().load_from_file(found)
    except AnsibleError as exc:
        return found, _run.hook_problem(name, value, [found], str(exc).splitlines()[0])
    if tasks is not None and not (isinstance(tasks, list) and all(hasattr(task, "keys") for task in tasks)):
        return found, _run.hook_problem(name, value, [found], "not a YAML list of tasks")
    return found, None


def hook_file(value, playbook_dir=None, variable="hook"):
    """The path a hook file is included from (hook_places()), or a clear failure saying where it looked."""
    if not isinstance(value, str) or not value.strip():
        raise AnsibleFilterError("fleetops.sophos.hook_file: %s must be a task file path, got %r" % (variable, value))
    found, problem = _hook(variable, value, playbook_dir)
    if found is None:
        raise AnsibleFilterError("fleetops.sophos.hook_file: %s" % problem)
    return found


def run_check(variables, now=None, playbook="maintenance", playbook_dir=None, play_hosts=None):
    """Check the run once: unknown or misspelt variables, bad settings, the window, (maintenance) the
    hook files and (facts) ``facts_restart_required_at``; one ``problem:`` line each.

    ``playbook`` (maintenance, facts) names the variable that lists deliberate extra variables;
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
    passed = ("maintenance_window_max_hours", _run.ALLOW_VARIABLES[playbook], _run.LEFT_OVER)
    if playbook == "maintenance":
        passed += (_run.PATCH_BEFORE_WINDOW,)
    if playbook == "facts":
        passed += (_run.EVENT_TIME_VARIABLE, "facts_hosts")
    settings = dict((name, variables.get(name)) for name in names
                    if isinstance(name, str) and (name.startswith(_SETTING_PREFIXES) or name in passed)
                    and name not in _run.RUN_VARIABLES)
    checked = _guard("run_check", _run.check_run, names, window, _known(), _now(now), settings, playbook,
                     [str(host) for host in play_hosts] if play_hosts is not None else None)
    if playbook == "maintenance":
        for name in _run.HOOK_VARIABLES:
            value = variables.get(name) if name in names else None
            if isinstance(value, str) and value.strip():
                problem = _hook(name, value, playbook_dir)[1]
                if problem:
                    checked["errors"].append(problem)
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


def seconds_until(moment, now=None):
    """Whole seconds from now until ``moment`` (ISO 8601 with a timezone), 0 when it has come or is empty."""
    if moment is None or (isinstance(moment, str) and not moment.strip()):
        return 0
    return _guard("seconds_until", lambda: max(0, int(math.ceil(
        (_time.parse_time(moment, "moment") - _now(now)).total_seconds()))))


def maintenance_excluded(facts, reason=None, check_mode=False, now=None):
    """The deferred record of a host excluded by maintenance_exclude."""
    return _guard("maintenance_excluded", lambda: _run.excluded_record(facts, reason, _now(now), check_mode=check_mode))


class FilterModule(object):
    def filters(self):
        return {
            "run_check": run_check,
            "hook_file": hook_file,
            "hosts_matched": hosts_matched,
            "maintenance_excluded": maintenance_excluded,
            "seconds_until": seconds_until,
        }
