# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: one host's reboot cycle run step by step (the reboot_cycle action's runner).

The decisions are ``module_utils/_cycle.py`` (pure, replayable); the runner reads, restarts, waits and
shows progress, and keeps what a cycle has between its steps, and nothing else: the ``state`` (the
brain's, which holds the normalised settings), the last ``facts`` and the after-restart ``entries``
(Sophos Central update checks). A call that resumes at a hook point builds the runner from what an
earlier call returned (``cycle``): nothing else is carried.

The step loop (run()) asks the brain for the next step and runs it from ``STEPS``; a step the
orchestration adds (wait for a slot, a gate, a wait) is one more entry there and one more step in the
brain's plan.

The host is reached through ``ActionHost`` (the action's connection, its shared action loader for the
``reboot_facts`` reading and the platform's restart action); tests give the runner a recorded one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.fleetops.sophos.plugins.module_utils import _blackouts, _cycle, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _after_restart, _gates
from ansible_collections.fleetops.sophos.plugins.plugin_utils._slots import SHOW_SECONDS
from ansible_collections.fleetops.sophos.plugins.plugin_utils._connection import is_windows

LINUX_RESTART = "ansible.builtin.reboot"
WINDOWS_RESTART = "ansible.windows.win_reboot"
READ_ACTION = "fleetops.sophos.reboot_facts"
HOOK_POINTS = ("before_restart", "after_restart")


class Lost(Exception):
    """The host stopped answering or a step failed: ends this host's cycle (``failed``)."""

    def __init__(self, message, unreachable):
        super(Lost, self).__init__(message)
        self.unreachable = unreachable


class ActionHost(object):
    """The host as the runner sees it, through an action plugin: readings, restarts and modules.

    ``read()`` runs the ``reboot_facts`` action; ``restart()`` the platform's restart action (both from
    the shared action loader, as core's ``template`` runs ``copy``); ``module()`` one module on the host.
    """

    def __init__(self, action, task_vars):
        self._action = action
        self.task_vars = task_vars
        self.windows = is_windows(action._connection)
        self.name = task_vars.get("inventory_hostname") or "host"

    @property
    def address(self):
        """The address the controller reaches the host at (tcp health checks): the connection's, else its name."""
        try:
            address = self._action._connection.get_option("remote_addr")
        except Exception:  # pylint: disable=broad-except
            address = None
        return address if isinstance(address, str) and address and "{{" not in address else self.name

    def _inner(self, name, args):
        action = self._action
        task = action._task.copy()
        task.args = args
        task.async_val = 0
        return action._shared_loader_obj.action_loader.get(
            name, task=task, connection=action._connection, play_context=action._play_context,
            loader=action._loader, templar=action._templar, shared_loader_obj=action._shared_loader_obj)

    def read(self, args):
        """One reading: ``(facts, None)`` or ``(None, (message, lost))``."""
        try:
            reading = self._inner(READ_ACTION, args).run(task_vars=self.task_vars)
        except AnsibleConnectionFailure as exc:
            return None, (str(exc), True)
        if reading.get("unreachable"):
            return None, (reading.get("msg", "no message"), True)
        if reading.get("failed"):
            return None, (reading.get("msg", "no message"), False)
        facts = (reading.get("ansible_facts") or {}).get("sophos_reboot")
        if not isinstance(facts, dict):
            return None, ("reboot_facts returned no sophos_reboot facts", False)
        return facts, None

    def restart(self, args):
        """The platform's restart action's result; a lost connection is an unreachable result."""
        try:
            return self._inner(WINDOWS_RESTART if self.windows else LINUX_RESTART, args).run(task_vars=self.task_vars)
        except AnsibleConnectionFailure as exc:
            return {"unreachable": True, "msg": str(exc)}

    def module(self, name, args):
        """One module run on the host; a lost connection is a failed result (the settle's readings judge the host)."""
        try:
            return self._action._execute_module(module_name=name, module_args=args, task_vars=self.task_vars)
        except AnsibleConnectionFailure as exc:
            return {"failed": True, "unreachable": True, "msg": str(exc)}


class CycleRun(object):
    """One host's cycle: ``state`` (None until the first reading), ``facts`` (the last reading) and
    ``entries`` (the after-restart entries: Central update checks) are its whole state.

    ``options``: the action's checked options (ignore_reasons, test_command, reboot_msg,
    central_update_check, central_options); ``settings``: the normalised cycle settings (the state's,
    once there is one); ``now``/``sleep``/``show``/``warn``: the clock, the wait and the two kinds of line.
    """

    def __init__(self, host, options, settings, now, sleep, show, warn, state=None, facts=None, entries=None,
                 slots=None, silence=None, notify=None):
        self.host = host
        self.options = options
        self.state = state
        # The settings left to the OS (the restart timeout, its expected duration) take the host's here.
        self.settings = state["settings"] if state else _cycle.resolve_by_os(settings, host.windows)
        self.facts = facts
        self.entries = list(entries or [])
        self.now = now
        self.sleep = sleep
        self.show = show
        self.warn = warn
        # The host's restart-group slots (plugin_utils/_slots.py Slots), None without groups; the groups its
        # failure stopped.
        self.slots = slots
        self.stopped = []
        # The host's monitoring silence (plugin_utils/_silence.py Silence), None without one.
        self.silence = silence
        # The per-host notifications (plugin_utils/_notify.py): ``notify(event, record)``, None without targets.
        self.notify = notify
        # The steps of the brain's plan the runner carries out; the others end the call.
        self.steps = {"reboot": self.reboot, "settle": self.settle, "slot": self.take_slots, "wait_start": self.wait_start,
                      "gate_before": lambda: self.gate("before"), "gate": lambda: self.gate("after")}

    # ------------------------------------------------------------ readings

    def read(self):
        """One reading (the last one is its ``previous_facts``): ``(facts, None)`` or ``(None, problem)``."""
        args = {"ignore_reasons": self.options["ignore_reasons"]}
        if isinstance(self.facts, dict):
            args["previous_facts"] = self.facts
        facts, problem = self.host.read(args)
        if problem is None:
            self.facts = facts
        return facts, problem

    def begin(self, prior_restart):
        """The first reading and the new state: None when the host could not be read (``problem`` says why)."""
        facts, problem = self.read()
        if problem is not None:
            return problem
        self.state = _cycle.start(facts, self.settings, self.now(), prior_restart=prior_restart)
        return None

    def read_with_retries(self, what):
        """A reading, tried again after the poll interval up to ``poll_retries`` times in a row."""
        misses = 0
        seconds = self.settings["poll_seconds"]
        while True:
            facts, problem = self.read()
            if problem is None:
                return facts
            message, lost = problem
            misses += 1
            retries = self.settings["poll_retries"]
            if misses > retries:
                raise Lost("%s %s (%d readings in a row, %s s apart): %s"
                           % ("the host stayed unreachable" if lost else "reading the restart state kept failing",
                              what, misses, seconds, message), lost)
            self.show("settle reading failed (%d in a row, %d more tries): %s; reading again in %s s"
                      % (misses, retries - misses + 1, message, seconds))
            self.sleep(max(1, int(math.ceil(seconds))))

    # ------------------------------------------------------------ the step loop

    def plan(self):
        now = self.now()
        return self.held(_cycle.plan(self.facts, self.state, now), now)

    def guard(self):
        """The window guard before any change (patching included), blackouts included: a blackout holds the
        first restart where it can start, at the window's start when that is still ahead (the host is patched
        before it)."""
        now = self.now()
        return self.held(_cycle.guard(self.facts, self.settings, now), _cycle.earliest_restart(self.settings, now),
                         guard=True)

    def held(self, decision, now, guard=False):
        """The brain's decision, deferred in its place when a blackout holds the next restart (_blackouts.hold())."""
        return _blackouts.hold(decision, self.settings["blackouts"], now,
                               _cycle.worst_case(self.settings, self.facts), self.state["restarts"], guard)

    def run(self, stop_at=(), at=None, decision=None):
        """Run the steps until the brain's plan ends the cycle or a hook point in ``stop_at`` is reached.

        ``at``/``decision``: where an earlier call stopped. Returns ``(decision, stopped_at)``,
        ``stopped_at`` None when the cycle ended. Raises Lost when the host is lost or a step failed.
        """
        while True:
            if at == "before_restart":
                # The before-restart hook took its time: a blackout that began meanwhile still holds the restart.
                at, decision = None, self.held(decision, self.now())
            elif at == "after_restart":
                at, decision = None, self.plan()
            else:
                decision = self.plan()
                self.show("%s: %s" % (decision["step"], decision["reason"]))
                if decision["step"] == "reboot" and self.silence is not None:
                    self.silence.create()  # once, before the first restart (and its hook)
                if decision["step"] == "reboot" and "before_restart" in stop_at:
                    return decision, "before_restart"
            step = self.steps.get(decision["step"])
            if step is None:
                return decision, None
            if self.silence is not None:
                self.silence.keep()
            if decision["step"] == "reboot" and self.state["restarts"] == 0 and self.notify is not None:
                self.notify("restarting", {"status": "restarting", "message": decision["reason"], "restarts": 0})
            step()
            if decision["step"] == "reboot" and "after_restart" in stop_at:
                return decision, "after_restart"

    # ------------------------------------------------------------ steps

    def take_slots(self):
        """Wait for a slot in each of the host's restart groups; a stopped group or a slot that comes too late
        for the window is a refusal the brain turns into a deferral."""
        if self.slots is None:
            raise Lost("restart groups %s: no slots to take (the action gives them)"
                       % ", ".join(self.settings["group"]), False)
        refused, waited = self.slots.acquire(
            lambda: _cycle.window_check(self.settings, self.facts, self.now())["fits"])
        if refused is None:
            self.state = _cycle.slot_taken(self.state, waited, self.now())
            self.show("took a slot in restart group(s) %s after %s" % (", ".join(self.settings["group"]),
                                                                       _time.human_seconds(waited)))
        else:
            self.state = _cycle.slot_refused(self.state, waited, refused)

    def wait_start(self):
        """Wait for the window's start (no restart before it): one progress line a minute, the wait recorded, then
        a fresh reading (the host may have changed while it waited)."""
        start = _cycle.window_start_at(self.settings, self.now())
        began = shown = self.now()
        self.show("waiting for the window's start at %s (%s): no restart before it"
                  % (_time.iso(start), _time.human_seconds((start - began).total_seconds())))
        while True:
            now = self.now()
            left = (start - now).total_seconds()
            if left <= 0:
                break
            if (now - shown).total_seconds() >= SHOW_SECONDS:
                shown = now
                self.show("waiting for the window's start at %s: %s left" % (_time.iso(start), _time.human_seconds(left)))
            self.sleep(max(1, int(math.ceil(min(left, SHOW_SECONDS)))))
        self.state = _cycle.start_waited(self.state, began, self.now())
        self.show("the window started at %s after a wait of %s" % (_time.iso(start), _time.human_seconds(
            (self.now() - began).total_seconds())))
        self.read_with_retries("after waiting for the window's start")

    def gate(self, when):
        """The health checks before the first restart or after the last, polled until they pass or time out."""
        checks = self.settings["health_checks_before" if when == "before" else "health_checks"]
        results = _gates.poll(checks, self.host, when, self.settings, self.now, self.sleep, self.show)
        self.state = _cycle.gated(self.state, when, results)
        for result in results:
            verdict = "passed" if result["passed"] else "FAILED"
            self.show("health check %s %s: %s (%s)" % (when, result["check"], verdict, result["observed"]))

    def gates_once(self):
        """Check mode: every health check once (they only read); the record shows what they saw."""
        for when in ("before", "after"):
            checks = self.settings["health_checks_before" if when == "before" else "health_checks"]
            if checks:
                self.state = _cycle.gated(self.state, when, _gates.run_once(checks, self.host, when))

    def end(self, failed, why):
        """The cycle ended: the silence is expired; a member that failed after it took its slots stops its groups;
        the slots are freed."""
        if self.silence is not None:
            self.silence.expire()
        if self.slots is None:
            return
        if failed and ((self.state or {}).get("slot") or {}).get("taken_at"):
            self.slots.stop(why)
            self.stopped = [group for group, _limit in self.slots.needed]
        self.slots.release()

    def reboot(self):
        """Restart, read after it, record it, then the after-restart steps."""
        before = self.facts
        elapsed = self.restart()
        facts = self.read_with_retries("after restart %d" % (self.state["restarts"] + 1))
        self.state = _cycle.restarted(self.state, facts, self.now(), elapsed=elapsed, before=before)
        self.after_restart()

    def restart(self):
        """Restart through the platform's reboot action; returns its elapsed seconds or raises Lost."""
        settings = self.settings
        number = self.state["restarts"] + 1
        args = {"reboot_timeout": int(settings["reboot_timeout"]),
                "pre_reboot_delay": int(settings["pre_reboot_delay"]),
                "post_reboot_delay": int(settings["post_reboot_delay"]),
                "msg": self.options["reboot_msg"]}
        if settings["connect_timeout"] > 0:
            args["connect_timeout"] = settings["connect_timeout"]
        if self.options["test_command"]:
            args["test_command"] = self.options["test_command"]
        restart = self.host.restart(args)
        if not restart.get("unreachable") and not restart.get("failed"):
            return restart.get("elapsed")
        message = restart.get("msg", "no message")
        # Depending on the moment the connection broke, a host that stays away is reported as
        # unreachable or as failed: a failed restart is "did not come back" when the host does
        # not answer afterwards either.
        lost = bool(restart.get("unreachable"))
        if not lost:
            problem = self.read()[1]
            lost = problem is not None and problem[1]
        if lost:
            raise Lost("the host did not come back from restart %d within %d s: %s"
                       % (number, int(settings["reboot_timeout"]), message), True)
        raise Lost("restart %d failed: %s" % (number, message), False)

    def after_restart(self):
        """The steps that belong to every restart, each a helper of _after_restart returning an entry."""
        restarts = self.state["restarts"]
        if self.settings["trigger_update"]:
            outcome = _after_restart.update_trigger(self.host, self.state, self.facts)
            self.state = _cycle.triggered(self.state, outcome)
            line = "update trigger after restart %d: %s" % (restarts, outcome["note"])
            if outcome["warn"]:
                self.warn("%s: reboot_cycle %s" % (self.host.name, line))
            elif outcome["show"]:
                self.show(line)
        if self.options["central_update_check"]:
            entry = _after_restart.central_update_check(
                restarts, self.host.name, self.options["central_options"],
                self.host.task_vars.get("sophos_central"), os.environ, warn=self.warn)
            self.entries.append(entry)
            if entry["status"] == "requested":
                self.show("asked Sophos Central for an update check after restart %d" % restarts)
            else:
                self.warn("%s: Sophos Central update check after restart %d %s: %s"
                          % (self.host.name, restarts, entry["status"], entry["message"]))

    def settle(self):
        """Poll (or wait out) the settle after the current boot: one progress line per reading."""
        state, facts, settings = self.state, self.facts, self.settings
        since = _cycle.settle_since(state)
        started_at = self.now()
        bound = _cycle.settle_polls_bound(settings)
        what = ("after restart %d" % state["restarts"]) if state["restarts"] else "after the earlier restart"
        for poll in range(bound):
            settle = _cycle.settle_state(facts, settings, self.now(), since=since)
            if not settle["wait"]:
                self.show("settle %s (%s) ended: %s" % (what, settle["mode"], settle["reason"]))
                self.state = _cycle.settled(state, settle, started_at=started_at, ended_at=self.now(), readings=poll)
                return
            self.show("settle %s (%s): %s" % (what, settle["mode"], settle["reason"]))
            self.sleep(max(1, int(math.ceil(settle["sleep"]))))
            facts = self.read_with_retries("while settling %s" % what)
        raise Lost("the settle %s did not end after %d readings: the host's clock or boot time does not move"
                   % (what, bound), False)
