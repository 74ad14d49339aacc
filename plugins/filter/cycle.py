# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cycle filters plays use: a failed record for maintenance broken off outside the cycle, the check
of the play's restart groups and tiers before any host is touched, and the tiers' turns (the reboot_cycle
role runs the batch's cycles tier by tier, and asks before each host's cycle how the lower tiers ended).

The cycle itself runs in the fleetops.sophos.reboot_cycle action plugin; the decisions live in
``module_utils/_cycle.py``. ``now`` defaults to the controller's UTC clock; tests pass it explicitly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timezone

from ansible import constants as C, context
from ansible.utils.display import Display
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _groups, _run, _settings, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _tiers
from ansible_collections.fleetops.sophos.plugins.plugin_utils._filters import guard as _guard
from ansible_collections.fleetops.sophos.plugins.plugin_utils._unsafe import make_unsafe


def _now(now):
    if now is None:
        return datetime.now(timezone.utc)
    return _time.parse_time(now, "now")


def cycle_aborted(record, message, facts=None, unreachable=False, check_mode=False, started=None, now=None):
    """A failed record for a host whose maintenance broke off anywhere (see _cycle.aborted)."""
    return _guard("cycle_aborted",
                  lambda: _cycle.aborted(record, message, facts, _now(now), unreachable=unreachable,
                                         check_mode=check_mode, started=started))


def _tier_problems(hosts, hostvars, batch):
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
        if len(turns) > 1 and C.DEFAULT_STRATEGY not in _groups.LOCKSTEP_STRATEGIES:
            tiers = ", ".join(str(value) for value in turns)
            problems.append("%s: the batch has tiers %s, and the strategy %s does not run them in turn; tiers need "
                            "the linear strategy (the default)" % (_tiers.TIER, tiers, C.DEFAULT_STRATEGY))
    return problems


def _hook_problems(hosts, hostvars):
    """Hosts with restart groups and restart hooks (refused together: _groups.HOOKS_REFUSED)."""
    found = {}
    for host in hosts or []:
        known = hostvars[host]
        try:
            groups = _groups.group_names(known.get(_cycle.VAR_PREFIX + "group"), _cycle.VAR_PREFIX + "group")
        except _settings.SettingError:
            continue   # a problem of its own (group_problems)
        found[host] = (groups, dict((name, known.get(name)) for name in _groups.HOOK_VARIABLES))
    return _groups.hook_problems(found)


def group_check(hosts, hostvars, batch=None):
    """The play's restart groups and tiers checked once: ``errors`` (each printed on a ``problem:`` line; the
    play stops before any host is touched), ``warnings`` (a batch with more hosts than forks) and ``batch``
    (this batch's hosts as it starts: the tiers' turns count the hosts lost on the way)."""
    names = (_cycle.VAR_PREFIX + "group", _cycle.VAR_PREFIX + "group_max_down")
    variables = {}
    for host in hosts or []:
        known = hostvars[host]
        variables[host] = dict((name, known[name]) for name in names if name in known)
    errors = _run.group_problems(variables) + _tier_problems(hosts, hostvars, batch) + _hook_problems(hosts, hostvars)
    warnings = []
    if any(_cycle.VAR_PREFIX + "group" in found for found in variables.values()):
        warning = _groups.forks_warning(context.CLIARGS.get("forks") or C.DEFAULT_FORKS,
                                        len(batch if batch is not None else hosts or []))
        warnings = [warning] if warning else []
    display = Display()
    for warning in warnings:
        display.warning(warning)
    for error in errors:
        display.display("problem: %s" % error, color=C.COLOR_ERROR)
    return {"errors": errors, "warnings": warnings, "batch": list(batch if batch is not None else hosts or [])}


def tier_turns(batch, hostvars):
    """The batch's tiers in the order they take their turn (the reboot_cycle role's loop)."""
    return _guard("tier_turns", lambda: _groups.tier_turns(_tiers.tiers(batch, hostvars)))


def tier_hold(host, hostvars, batch, now=None):
    """Deprecated (the reboot_cycle action works out its tier's turn itself, option ``tier_batch``): the action's
    ``tier_turn`` for ``host`` (see _tiers.hold)."""
    return _guard("tier_hold", lambda: make_unsafe(_tiers.hold(host, hostvars, batch, _now(now))))


class FilterModule(object):
    def filters(self):
        return {"cycle_aborted": cycle_aborted, "group_check": group_check, "tier_turns": tier_turns,
                "tier_hold": tier_hold}
