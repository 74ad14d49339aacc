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
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _groups, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _run_start, _tiers
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


def group_check(hosts, hostvars, batch=None):
    """Deprecated (the playbooks call the fleetops.sophos.run_start action): the play's restart groups and tiers
    checked once (``_run_start.groups``), each warning and problem printed."""
    checked = _guard("group_check", _run_start.groups, hosts, hostvars, batch,
                     forks=context.CLIARGS.get("forks"), strategy=C.DEFAULT_STRATEGY)
    _run_start.show(Display(), checked["errors"], checked["warnings"])
    return checked


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
