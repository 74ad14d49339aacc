# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cycle filters plays use: a failed record for maintenance broken off outside the cycle, and the check
of the play's restart groups before any host is touched.

The cycle itself runs in the fleetops.sophos.reboot_cycle action plugin; the decisions live in
``module_utils/_cycle.py``. ``now`` defaults to the controller's UTC clock; tests pass it explicitly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timezone

from ansible import constants as C, context
from ansible.utils.display import Display
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _groups, _run, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils._filters import guard as _guard


def _now(now):
    if now is None:
        return datetime.now(timezone.utc)
    return _time.parse_time(now, "now")


def cycle_aborted(record, message, facts=None, unreachable=False, check_mode=False, started=None, now=None):
    """A failed record for a host whose maintenance broke off anywhere (see _cycle.aborted)."""
    return _guard("cycle_aborted",
                  lambda: _cycle.aborted(record, message, facts, _now(now), unreachable=unreachable,
                                         check_mode=check_mode, started=started))


def group_check(hosts, hostvars, batch=None):
    """The play's restart groups checked once: ``errors`` (each printed on a ``problem:`` line; the play stops
    before any host is touched) and ``warnings`` (a batch with more hosts than forks)."""
    names = (_cycle.VAR_PREFIX + "group", _cycle.VAR_PREFIX + "group_max_down")
    variables = {}
    for host in hosts or []:
        known = hostvars[host]
        variables[host] = dict((name, known[name]) for name in names if name in known)
    errors = _run.group_problems(variables)
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
    return {"errors": errors, "warnings": warnings}


class FilterModule(object):
    def filters(self):
        return {"cycle_aborted": cycle_aborted, "group_check": group_check}
