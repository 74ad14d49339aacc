# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cycle filter plays still use: a failed record for maintenance broken off outside the cycle.

The cycle itself runs in the fleetops.sophos.reboot_cycle action plugin; the decisions live in
``module_utils/_cycle.py``. ``now`` defaults to the controller's UTC clock; tests pass it explicitly.
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


def cycle_aborted(record, message, facts=None, unreachable=False, check_mode=False, started=None, now=None):
    """A failed record for a host whose maintenance broke off anywhere (see _cycle.aborted)."""
    return _guard("cycle_aborted",
                  lambda: _cycle.aborted(record, message, facts, _now(now), unreachable=unreachable,
                                         check_mode=check_mode, started=started))


class FilterModule(object):
    def filters(self):
        return {"cycle_aborted": cycle_aborted}
