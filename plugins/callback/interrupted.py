# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report and the table of a run that ends early (Ctrl-C)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: interrupted
type: notification
short_description: Write the report and print the table of a run that ends early
description:
  - When C(ansible-playbook) is interrupted with Ctrl-C (SIGINT), Ansible stops at once in its own process;
    no task, handler or later play runs, so the collection's report role cannot write the report. This
    callback, enabled, does it from the controller's own process at the interrupt, before Ansible's own
    handling of it (ansible-core can then block in its clean-up, when it killed a worker that was writing to
    its results queue; a second Ctrl-C ends it, the report already written), or as the process exits.
  - At the interrupt it first passes it on to the run's worker processes, as Ansible's own handler does, so
    that no host's task (a restart, a settle's polling) goes on after C(ansible-playbook) has ended, even
    when a second Ctrl-C ends it before Ansible's handler has run.
  - A process that is killed cannot do that. AWX's Cancel and ansible-runner's cancel kill the job's
    processes (SIGKILL to its process group), and SIGTERM ends C(ansible-playbook) without its exit handlers;
    after those, the last batch's report stays, and C(fleetops.sophos.facts) reads where each host stands.
  - It writes the report files of the run (the same names, formats and directory the report role uses, made
    the latest report) with what was known when the run stopped, and prints the end-of-run table and the
    report's path.
  - Hosts whose batch had finished keep their rows, and so do hosts of the running batch whose reboot cycle
    had ended. The other hosts of that batch are C(failed), with the task each was in (or had last finished)
    and how to read where it stands now; hosts of batches not started are C(not_run).
  - It acts only for the collection's playbooks (C(fleetops.sophos.maintenance) and the others that import
    the report role's C(plan) tasks at their start) and only when the run ends without Ansible's
    end-of-play statistics; a run that finishes, or fails in the usual way, is left to the report role.
  - The playbook's exit status stays Ansible's (99 for an interrupted run).
version_added: 0.3.0
requirements:
  - Enabled in C(ansible.cfg) (C(callbacks_enabled = fleetops.sophos.interrupted), as this collection's own
    C(ansible.cfg) does) or with C(ANSIBLE_CALLBACKS_ENABLED).
"""

import atexit
import multiprocessing
import os
import signal
from datetime import datetime, timezone

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.callback import CallbackBase

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_text
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _report_files

# The host variables a report row is built from (report_entries reads the same).
ROW_FACTS = ("sophos_reboot", "sophos_reboot_cycle", "sophos_patch")
EXTENSIONS = _report_files.EXTENSIONS
INTERRUPTED = (u"the run ended while this host's batch was running, %s its task '%s' (Ctrl-C): where it "
               u"stands now is unknown; read it with ansible-playbook fleetops.sophos.facts -e facts_hosts=%s")


def _plain(value):
    """Plain data from what a result holds (ansible-core's tagged and unsafe strings become str)."""
    if isinstance(value, dict):
        return dict((to_text(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return to_text(value)


class RunMemory:
    """What the run has shown so far, and the report of it if it stopped now. No I/O; the clock is passed in."""

    def __init__(self):
        self.plan = None
        self.record = None
        self.variables = {}
        self.current = {}
        self.running = set()
        self.seen = set()
        self.reported = set()
        self.finished = False
        self.reported_early = False  # the report of an early end was written (once)

    def task_started(self, host, task_name):
        self.seen.add(host)
        self.current[host] = task_name
        self.running.add(host)

    def result(self, host, result):
        """A task's result for ``host`` (ok, failed, skipped or unreachable)."""
        self.seen.add(host)
        self.running.discard(host)
        if not isinstance(result, dict):
            return
        cycle = result.get("cycle")
        if isinstance(result.get("sophos_reboot_cycle"), dict) and isinstance(cycle, dict) and cycle.get("done"):
            # The reboot_cycle action's last result: the host's cycle is over (the role records it next).
            self.variables.setdefault(host, {})["sophos_reboot_cycle"] = _plain(result["sophos_reboot_cycle"])
        report = result.get("report")
        if isinstance(report, dict) and report.get("kind") == "fleetops.sophos.report":
            # The report action wrote the report of every host seen so far: those rows are final.
            self.reported |= self.seen
        facts = result.get("ansible_facts")
        if not isinstance(facts, dict):
            return
        if isinstance(facts.get("report_plan"), dict):
            self.plan = _plain(facts["report_plan"])
        if isinstance(facts.get("report_run_record"), dict):
            self.record = _plain(facts["report_run_record"])
        if "_ansible_delegated_vars" in result:
            return  # a delegated task's facts (delegate_facts): never the task host's row
        wanted = ROW_FACTS + ((self.plan or {}).get("result_var") or "maintenance_result",)
        for name in wanted:
            if name in facts:
                self.variables.setdefault(host, {})[name] = _plain(facts[name])

    def report(self, now):
        """The report of the run if it stopped at ``now``, or None when there is nothing to write."""
        if self.finished or not self.plan or not self.record:
            return None
        result_var = self.plan.get("result_var") or "maintenance_result"
        entries = []
        for host in self.plan.get("hosts") or []:
            variables = self.variables.get(host, {})
            if host not in self.seen:
                run = model.run_state(ran=False)
            elif host in self.reported or (host not in self.running and "sophos_reboot_cycle" in variables):
                # Its batch was reported, or its cycle ended and it waits for the others: what is known is final.
                run = model.run_state(variables.get(result_var))
            else:
                run = {"state": "failed", "message": INTERRUPTED % (
                    u"in" if host in self.running else u"after", self.current.get(host, u"(none)"), host)}
            entries.append({"host": host, "facts": variables.get("sophos_reboot"),
                            "cycle": variables.get("sophos_reboot_cycle"), "patch": variables.get("sophos_patch"),
                            "run": run})
        generated = now.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return model.build_report(entries, alert_days=float(self.plan.get("alert_days") or 14),
                                  generated=generated, title=self.plan.get("title"),
                                  max_text=int(self.plan.get("max_text") or model.DEFAULT_MAX_TEXT),
                                  run=self.record)


def write_report(report, plan, record):
    """Write the report's files (and the latest copies) as the report action does; returns the table's location text."""
    directory = plan["dir"]
    formats = [name for name in plan.get("formats") or [] if name in _report_files.RENDERERS]
    _report_files.write_files(report, directory, record["stem"], record["latest"], formats, plan.get("mode") or "0644")
    return u"%s/%s.{%s}%s" % (directory, record["stem"], u",".join(EXTENSIONS[name] for name in formats),
                              u" (check run)" if record.get("check_mode") else u"")


def stop_workers(signum):
    """Pass SIGINT on to the run's worker processes, as Ansible's own handler does after this callback's.

    Each worker is the leader of a session of its own, so the terminal's Ctrl-C does not reach it; a worker
    that is not told goes on with its task (a reboot cycle: restarts and polls for its whole settle) after
    ansible-playbook has ended. Ansible's handler does it too, but only after the report is written, and a
    second Ctrl-C before that would end the process first."""
    for worker in multiprocessing.active_children():
        try:
            os.kill(worker.pid, signum)
        except OSError:
            pass  # ended already


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "fleetops.sophos.interrupted"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.memory = RunMemory()
        self.previous_handler = None
        self.interrupted = False
        atexit.register(self.at_exit)

    def v2_playbook_on_start(self, playbook):
        """Take SIGINT first (Ansible's handler, installed by its task queue manager, runs right after).

        The report is written at the interrupt itself, not only at exit: after a Ctrl-C, ansible-core can
        block for good in its own clean-up (a worker it kills while that worker writes to the results queue
        keeps the queue's lock), and the operator's second Ctrl-C then ends the process without exit handlers.
        """
        handler = signal.getsignal(signal.SIGINT)
        if handler != self.on_interrupt:  # pylint: disable=comparison-with-callable
            self.previous_handler = handler
            signal.signal(signal.SIGINT, self.on_interrupt)

    def on_interrupt(self, signum, frame):
        """The first Ctrl-C stops the run's workers, writes the report, then hands over to Ansible's handler
        (which leaves the next Ctrl-C to the default action: the process ends). A second Ctrl-C that comes
        while this handler still runs (the operator's answer to the table, printed before the hand-over) ends
        the process at once too; the workers were stopped first, so none goes on with its host."""
        stop_workers(signum)
        if self.interrupted:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
            return None
        self.interrupted = True
        self.at_exit()
        previous = self.previous_handler
        if callable(previous):
            return previous(signum, frame)
        raise KeyboardInterrupt()

    def v2_runner_on_start(self, host, task):
        self.memory.task_started(host.get_name(), task.get_name())

    def _result(self, result):
        self.memory.result(result._host.get_name(), result._result)

    def v2_runner_on_ok(self, result):
        self._result(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result)

    def v2_runner_on_skipped(self, result):
        self._result(result)

    def v2_runner_on_unreachable(self, result):
        self._result(result)

    def v2_playbook_on_stats(self, stats):
        self.memory.finished = True

    def at_exit(self):
        """Write the report and print the table, once (at the interrupt, else at exit)."""
        if self.memory.reported_early:
            return
        try:
            report = self.memory.report(datetime.now(timezone.utc))
            if report is None:
                return
            self.memory.reported_early = True
            location = write_report(report, self.memory.plan, self.memory.record)
            lines = render_text.to_lines(report, location=location)
        except Exception as exc:  # pylint: disable=broad-except
            # The controller is exiting: say why the report is missing rather than print a traceback.
            self._display.warning(u"the run ended early and its report could not be written: %s" % to_text(exc))
            return
        self._display.display(u"The run ended early; the report has what was known when it stopped:")
        for line in lines:
            self._display.display(line)
