# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the steps the reboot cycle takes after each restart, before its settle.

Each step is one function that does its work through the ``host`` the runner gives it (see
``_cycle_run.ActionHost``) and returns an entry saying what happened; the runner records the entry
and shows it. A step never fails the cycle: what goes wrong is in its entry (and a warning).

- update_trigger(): start Sophos' post-boot update now (``trigger_update``); the outcome shapes of
  ``module_utils/_cycle.py`` (``unit_reading``, ``unit_started``, ``tool_started``).
- central_update_check(): ask Sophos Central for an update check of the host (``central_update_check``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.sophos.plugins.module_utils import _central, _cycle

# The update trigger: the unit is read with a command and started with systemd_service (Linux),
# the Windows tool runs from a module of the collection.
UNIT_READ = "ansible.builtin.command"
UNIT_START = "ansible.builtin.systemd_service"
WINDOWS_TRIGGER = "fleetops.sophos.win_sophos_update_now"


def update_trigger(host, state, facts):
    """Start Sophos' post-boot update now, so the settle ends on its evidence without Sophos' own wait
    after boot. Returns the outcome (``_cycle.trigger_skip`` and friends: ``triggered``, ``note``,
    ``show``, ``warn``) for the current boot entry."""
    outcome = _cycle.trigger_skip(state, facts)
    if outcome is not None:
        return outcome
    if host.windows:
        return _cycle.tool_started(host.module(WINDOWS_TRIGGER, {}))
    reading = host.module(UNIT_READ, {"argv": ["systemctl", "show", "--property=LoadState,ActiveState",
                                               _cycle.UPDATE_UNIT]})
    outcome = _cycle.unit_reading(reading)
    if outcome is not None:
        return outcome
    return _cycle.unit_started(host.module(UNIT_START, {"name": _cycle.UPDATE_UNIT, "state": "started",
                                                        "no_block": True}))


def central_update_check(restart, hostname, central_options, known, environ, warn=None):
    """Ask Sophos Central for an update check of ``hostname`` right after restart ``restart``, so a queued
    Sophos update starts sooner; from the controller, as the central_* modules do.

    Returns the entry for the record's ``central_update_checks``: ``status`` requested, skipped (no
    credentials) or failed (a host Central does not know, a failed call), with ``message``.
    ``central_options``: the action's (its values first, then ``environ``); ``known``: the host's
    ``sophos_central`` from the inventory, if any.
    """
    entry = {"restart": restart, "status": "requested", "endpoint_id": None, "id": None, "message": None}
    options = _central.controller_options(central_options or {}, environ)
    if not _central.has_credentials(options):
        entry.update(status="skipped", message="no Sophos Central credentials (central_options or %s / %s)"
                     % (_central.ENV["client_id"], _central.ENV["client_secret"]))
        return entry
    try:
        client = _central.client_from(options, warn=warn)
        endpoint_id, answer = _central.update_check_for(client, hostname, known=known,
                                                        tenant_ids=options.get("tenant_ids"))
        entry.update(endpoint_id=endpoint_id, id=answer.get("id"))
    except Exception as exc:  # pylint: disable=broad-except
        # only a warning for this restart
        entry.update(status="failed", message=_central.failure_message(exc, options, "Sophos Central update-checks"))
    return entry
