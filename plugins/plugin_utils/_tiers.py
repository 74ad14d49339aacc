# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: restart tiers as the play's hosts left them in ``hostvars``.

The reboot_cycle role runs a batch's cycles tier by tier; when a host's tier's turn comes, its cycle action
works out from the other hosts' variables how the lower tiers ended (``hold()``: the action's tier turn).
The rules themselves are ``module_utils/_groups.py``'s; this module only reads the play's variables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _groups, _settings, _time

TIER = _cycle.VAR_PREFIX + "tier"
TIER_ON_FAILURE = _cycle.VAR_PREFIX + "tier_on_failure"
# Set by the reboot_cycle role on a host that reached its cycle (when, and its tier and tier_on_failure as
# the role saw them), read for the tiers above it; a host that did not reach it is read from its variables.
REACHED = "_reboot_cycle_tier_reached"
SINCE = "_reboot_cycle_tier_since"
OWN = {TIER: "_reboot_cycle_tier_own", TIER_ON_FAILURE: "_reboot_cycle_tier_on_failure_own"}


def variable(known, name, default):
    """A host's tier variable: as the role saw it when the host reached its cycle, else its own."""
    if known.get(OWN[name]) not in (None, ""):
        return known.get(OWN[name])
    return known.get(name, default)


def said(value):
    """A flag a play set (a bool, or its word on an ansible-core that templates to text); anything else: no."""
    try:
        return _settings.flag(value, "flag")
    except _settings.SettingError:
        return False


def tiers(hosts, hostvars):
    """``{host: tier}`` of ``hosts`` (a bad tier raises SettingError naming the host)."""
    found = {}
    for host in hosts or []:
        try:
            found[host] = _groups.tier(variable(hostvars[host], TIER, 0), TIER)
        except _settings.SettingError as exc:
            raise _settings.SettingError("%s: %s" % (host, exc))
    return found


def hold(host, hostvars, batch, now):
    """What the cycle of ``host`` needs to know when its tier's turn comes (the action's tier turn).

    ``batch``: the batch's hosts as it started (the maintenance playbook's, else ``ansible_play_batch``).
    Each lower-tier host is judged by _groups.tier_outcome() from what it left in ``hostvars``: whether it
    reached its cycle (``_reboot_cycle_tier_reached``), was deferred (``sophos_reboot_cycle_deferred``),
    and its ``sophos_reboot_cycle`` record. The result adds ``turns`` (the batch's tiers) and ``since``
    (when the host reached its cycle, else ``now``: its wait for the lower tiers is counted from there).
    Raises SettingError naming a host with a bad tier.
    """
    found = tiers(sorted(set(batch or []) | set([host])), hostvars)
    own = hostvars[host]
    on_failure = variable(own, TIER_ON_FAILURE, "stop")
    lower = {}
    for name, value in found.items():
        if name == host or value >= found[host]:
            continue
        known = hostvars[name]
        outcome, detail = _groups.tier_outcome(said(known.get(REACHED)),
                                               said(known.get("sophos_reboot_cycle_deferred")),
                                               known.get("sophos_reboot_cycle"))
        lower[name] = (value, outcome, detail)
    turn = _groups.tier_hold(found[host], on_failure, lower)
    turn["turns"] = _groups.tier_turns(found)
    turn["since"] = own.get(SINCE) or _time.iso(now)
    return turn
