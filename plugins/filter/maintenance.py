# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the fleetops.sophos playbooks: ``hosts_matched`` (a play's host pattern checked), and deprecated
thin wrappers over ``plugin_utils/_run_start.py`` (``run_check``, ``learned_durations``, ``staged_batch``: the
playbooks call the fleetops.sophos.run_start action) and ``_hooks.py`` (``hook_file``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime, timezone

from ansible import context
from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display
from ansible_collections.fleetops.sophos.plugins.module_utils import _run, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _hooks, _run_start
from ansible_collections.fleetops.sophos.plugins.plugin_utils._filters import guard as _guard


def _now(now):
    if now is None:
        return datetime.now(timezone.utc)
    return _time.parse_time(now, "now")


def hook_file(value, playbook_dir=None, variable="hook"):
    """The path a hook file is included from (hook_places()), or a clear failure saying where it looked."""
    if not isinstance(value, str) or not value.strip():
        raise AnsibleFilterError("fleetops.sophos.hook_file: %s must be a task file path, got %r" % (variable, value))
    found, problem = _hooks.find(variable, value, playbook_dir)
    if found is None:
        raise AnsibleFilterError("fleetops.sophos.hook_file: %s" % problem)
    return found


def run_check(variables, now=None, playbook="maintenance", playbook_dir=None, play_hosts=None):
    """Deprecated (the playbooks call the fleetops.sophos.run_start action): the run check of
    ``_run_start.check``, each problem printed on a ``problem:`` line."""
    checked = _guard("run_check", lambda: _run_start.check(variables, _now(now), playbook, playbook_dir, play_hosts))
    _run_start.show(Display(), errors=checked["errors"])
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


def learned_durations(hosts, report_dir=None, basename="sophos-report", enabled=True):
    """Deprecated (the fleetops.sophos.run_start action reads them): each host's own expected restart and settle
    from the runs kept in ``report_dir`` (``_run_start.durations``), each warning printed."""
    learned, warnings = _guard("learned_durations", _run_start.durations, hosts, report_dir, basename, enabled)
    _run_start.show(Display(), warnings=warnings)
    return learned


def staged_batch(batch, hostvars):
    """Deprecated (the fleetops.sophos.run_start action decides it): whether a batch needs the reboot_cycle
    role's steps (``_run_start.staged``)."""
    return _guard("staged_batch", _run_start.staged, batch, hostvars)


class FilterModule(object):
    def filters(self):
        return {
            "run_check": run_check,
            "hook_file": hook_file,
            "hosts_matched": hosts_matched,
            "learned_durations": learned_durations,
            "staged_batch": staged_batch,
        }
