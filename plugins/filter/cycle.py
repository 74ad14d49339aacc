# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the reboot_cycle role: thin wrappers over module_utils/_cycle.py.

The role keeps one host's cycle as a state dict (a host fact) and lets these
filters decide; the decisions themselves live in ``_cycle`` and are unit-tested
there. ``now`` defaults to the controller's UTC clock; tests pass it explicitly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timezone

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle
from ansible_collections.fleetops.sophos.plugins.plugin_utils._filters import guard as _guard


def _now(now):
    if now is None:
        return datetime.now(timezone.utc)
    return _cycle.parse_time(now, "now")


def cycle_settings(settings):
    """Checked settings with defaults; fails naming the bad setting."""
    return _guard("cycle_settings", _cycle.normalize_settings, settings)


def cycle_start(facts, settings, prior_restart=False, now=None):
    return _guard("cycle_start", lambda: _cycle.start(facts, settings, _now(now), prior_restart=prior_restart))


def reboot_plan(state, facts, now=None):
    return _guard("reboot_plan", lambda: _cycle.plan(facts, state, _now(now)))


def cycle_restarted(state, facts, elapsed=None, now=None):
    return _guard("cycle_restarted", lambda: _cycle.restarted(state, facts, _now(now), elapsed=elapsed))


def settle_state(state, facts, now=None):
    """Settle progress for the current boot; the restart time is the fallback start.

    Without a restart of our own (``win_updates`` restarted the host) the cycle's start is the fallback:
    a settle must have a fixed start, or an unreadable boot time would make it wait for ever.
    """
    since = (state["boots"][-1].get("restarted_at") if state.get("boots") else None) or state.get("started")
    return _guard("settle_state",
                  lambda: _cycle.settle_state(facts, state["settings"], _now(now), since=since))


def cycle_settled(state, settle):
    return _guard("cycle_settled", _cycle.settled, state, settle)


def cycle_result(state, decision, facts, check_mode=False, now=None):
    return _guard("cycle_result",
                  lambda: _cycle.result(state, decision, facts, _now(now), check_mode=check_mode))


def cycle_failed(state, message, facts, unreachable=False, now=None):
    return _guard("cycle_failed",
                  lambda: _cycle.failure(state, message, facts, _now(now), unreachable=unreachable))


def cycle_aborted(record, message, facts=None, unreachable=False, check_mode=False, started=None, now=None):
    """A failed record for a host whose maintenance broke off anywhere (see _cycle.aborted)."""
    return _guard("cycle_aborted",
                  lambda: _cycle.aborted(record, message, facts, _now(now), unreachable=unreachable,
                                         check_mode=check_mode, started=started))


def window_guard(facts, settings, now=None):
    return _guard("window_guard", lambda: _cycle.guard(facts, settings, _now(now)))


class FilterModule(object):
    def filters(self):
        return {
            "cycle_settings": cycle_settings,
            "cycle_start": cycle_start,
            "reboot_plan": reboot_plan,
            "cycle_restarted": cycle_restarted,
            "settle_state": settle_state,
            "cycle_settled": cycle_settled,
            "cycle_result": cycle_result,
            "cycle_failed": cycle_failed,
            "cycle_aborted": cycle_aborted,
            "window_guard": window_guard,
        }
