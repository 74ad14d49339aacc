# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleetops.sophos.run_start: the start of a run of the collection's playbooks and of each batch.

Runs on the controller, once per batch (``run_once``), and touches no host. The first batch checks the run
(``plugin_utils/_run_start.py``: typos, settings, the window, hook files, blackouts) and reads the hosts' own
durations from the kept reports; every batch checks the play's restart groups and tiers, decides whether the
batch needs the reboot_cycle role's steps, and says which batch it is. Its only state is explicit: what the
batches so far found comes back as ``start``, which the playbook keeps on localhost (set_fact: a fact cache never
keeps it for the next run) and passes to the next batch's call as ``earlier``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible import context
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.utils.display import Display

from ansible_collections.fleetops.sophos.plugins.module_utils import _settings
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _run_start
from ansible_collections.fleetops.sophos.plugins.plugin_utils._action import Action

display = Display()

ARGUMENT_SPEC = {
    "playbook": {"type": "str", "required": True, "choices": list(_run_start.PLAYBOOKS)},
    "report_dir": {"type": "path"},
    "report_basename": {"type": "str", "default": "sophos-report"},
    "learn_durations": {"type": "raw", "default": True},
    "earlier": {"type": "dict"},
}
RESTART_ONLY = ("restart-only run: nothing is patched; a host restarts only when a restart is pending on it "
                "(or reboot_cycle_force is set), a host with nothing pending is left alone")
EARLIER_KEYS = ("run", "run_started", "batch", "hosts_started", "durations")


class ActionModule(Action):
    ASYNC_REFUSED = "fleetops.sophos.run_start does not support async: it checks the run before any host is touched"
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result, task_vars = self.begin(tmp, task_vars)
        if result.get("failed"):
            return result
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(self._task.args))
        problems = list(validation.error_messages)
        options = validation.validated_parameters
        earlier = options.get("earlier")
        if earlier is not None and (not all(key in earlier for key in EARLIER_KEYS) or earlier.get("playbook")
                                    != options.get("playbook")):
            problems.append("earlier must be the start an earlier batch's call returned (its 'start'), got keys %s"
                            % ", ".join(sorted(str(key) for key in earlier)))
        if problems:
            result.update(failed=True, msg="Invalid options for run_start: %s" % "; ".join(problems))
            return result
        try:
            return self._start(result, options, task_vars)
        except _settings.SettingError as exc:
            result.update(failed=True, msg="run_start: %s" % exc)
            return result

    def _start(self, result, options, task_vars):
        playbook, earlier = options["playbook"], options.get("earlier")
        hostvars = task_vars.get("hostvars") or {}
        play_hosts = list(task_vars.get("ansible_play_hosts_all") or [])
        batch = list(task_vars.get("ansible_play_batch") or play_hosts)
        warnings, lines = [], []
        if earlier is None:
            checked = _run_start.check(hostvars[task_vars["inventory_hostname"]], self._now(), playbook,
                                       task_vars.get("playbook_dir"),
                                       play_hosts if playbook == "facts" else None)
            start = {"playbook": playbook, "run": checked, "run_started": checked["run_started"], "batch": 1,
                     "hosts_started": 0, "durations": None}
            errors = list(checked["errors"])
        else:
            start = dict(earlier, batch=int(earlier["batch"]) + 1)
            errors = []
        if playbook == "facts":
            return self._end(result, start, errors, warnings, lines, {})
        try:
            strategy = self._task.get_play().strategy
        except AttributeError:
            strategy = None
        groups = _run_start.groups(play_hosts, hostvars, batch, forks=context.CLIARGS.get("forks"), strategy=strategy)
        errors.extend(groups["errors"])
        warnings.extend(groups["warnings"])
        if earlier is None and not errors:
            start["durations"], more = _run_start.durations(play_hosts, options.get("report_dir"),
                                                            options["report_basename"], options["learn_durations"])
            warnings.extend(more)
        if start["batch"] == 1 and not errors:
            lines.append(start["durations"]["line"])
            if playbook == "restart":
                lines.append(RESTART_ONLY)
            lines.append(start["run"]["window_line"])
        lines.append("batch %d: %s (%d of %d host(s), %d done before it)" % (
            start["batch"], ", ".join(batch), len(batch), len(play_hosts), start["hosts_started"]))
        start["hosts_started"] = int(start["hosts_started"]) + len(batch)
        return self._end(result, start, errors, warnings, lines,
                         {"staged": _run_start.staged(batch, hostvars), "batch_hosts": groups["batch"]})

    @staticmethod
    def _end(result, start, errors, warnings, lines, batch):
        """Print what the run start found (each problem on a ``problem:`` line) and fail on any problem."""
        _run_start.show(display, errors, warnings)
        if errors:
            # The problems once, on their lines: not again in the failed result, which Ansible prints too.
            result.update(failed=True, msg="%d problem(s) in the settings, each on a 'problem:' line above; no host "
                                           "was touched" % len(errors))
            return result
        for line in lines:
            display.display(line)
        result.update(batch, start=start, run=start["run"], lines=lines)
        return result
