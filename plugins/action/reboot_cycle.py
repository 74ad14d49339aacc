# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleetops.sophos.reboot_cycle: one host's whole reboot cycle in one task.

read -> plan -> restart -> settle (a Python loop, one progress line per reading) -> re-assess ->
restart again while a strong reason is back (at most ``max_cycles``) -> verify -> record.
The decisions are ``module_utils/_cycle.py`` (pure, replayable); this file only reads, restarts,
waits and shows progress. Restarts go through the ``ansible.builtin.reboot`` /
``ansible.windows.win_reboot`` action plugins and readings through the ``reboot_facts`` action,
all loaded from the shared action loader (the way core's ``template`` action runs ``copy``).

With ``stop_at`` the action returns at a hook point (before/after a restart) with its state in
``cycle``; called again with ``resume`` it carries on from there. The role calls it from a plain
``loop``, so the include depth stays constant however long a settle lasts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import time
from datetime import datetime, timezone

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.fleetops.sophos.plugins.action.reboot_facts import _is_powershell
from ansible_collections.fleetops.sophos.plugins.module_utils import _central, _cycle

display = Display()

LINUX_RESTART = "ansible.builtin.reboot"
WINDOWS_RESTART = "ansible.windows.win_reboot"
READ_ACTION = "fleetops.sophos.reboot_facts"
# The update trigger (trigger_update): the unit is read with a command, started with systemd_service.
UNIT_READ = "ansible.builtin.command"
UNIT_START = "ansible.builtin.systemd_service"
WINDOWS_TRIGGER = "fleetops.sophos.win_sophos_update_now"
HOOK_POINTS = ("before_restart", "after_restart")
# The connection options of the central_* modules (their environment variables apply when left out).
CENTRAL_OPTIONS = dict(
    (name, dict((key, value) for key, value in spec.items() if key in ("type", "elements", "no_log")))
    for name, spec in _central.MODULE_ARGS.items() if name not in ("hostnames", "ids"))

# Cycle settings arrive as sent (AWX survey strings included) and are checked by
# _cycle.normalize_settings with the role's messages; the spec checks names and shapes.
ARGUMENT_SPEC = dict(
    dict((key, {"type": "raw"}) for key in _cycle.DEFAULTS),
    prior_restart={"type": "raw", "default": False},
    ignore_reasons={"type": "list", "elements": "str", "default": []},
    test_command={"type": "str", "default": ""},
    reboot_msg={"type": "str", "default": "Restart by fleetops.sophos.reboot_cycle (OS and Sophos maintenance)"},
    guard_only={"type": "bool", "default": False},
    stop_at={"type": "list", "elements": "str", "choices": list(HOOK_POINTS), "default": []},
    resume={"type": "dict"},
    central_update_check={"type": "raw", "default": False},
    # No default: the validator fills a default dict's suboptions in place, a shared default would carry them.
    central_options={"type": "dict", "options": CENTRAL_OPTIONS},
)


class _Lost(Exception):
    """The host stopped answering or a step failed: ends this host's cycle (``failed``)."""

    def __init__(self, message, unreachable):
        super(_Lost, self).__init__(message)
        self.unreachable = unreachable


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    # The clock and the sleep, replaced in the replay tests.
    @staticmethod
    def _now():
        return datetime.now(timezone.utc)

    @staticmethod
    def _sleep(seconds):
        time.sleep(seconds)

    # ------------------------------------------------------------ entry

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        result["changed"] = False
        if self._task.async_val:
            result.update(failed=True, msg="fleetops.sophos.reboot_cycle does not support async: "
                                           "a cycle waits for restarts and settles itself")
            return result

        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(self._task.args))
        if validation.error_messages:
            result.update(failed=True, msg="Invalid options for reboot_cycle: %s"
                          % "; ".join(validation.error_messages))
            return result
        options = validation.validated_parameters
        raw = dict((key, options[key]) for key in _cycle.DEFAULTS if options.get(key) is not None)
        # Every bad setting at once, on one line (the brain's rules, each setting on its own).
        problems = _cycle.settings_problems(raw)
        for flag in ("prior_restart", "central_update_check"):
            try:
                _cycle.check_flag(options[flag], flag)
            except _cycle.CycleError as exc:
                problems.append(str(exc))
        if problems:
            result.update(failed=True, msg="Invalid options for reboot_cycle: %s" % "; ".join(problems))
            return result
        settings = _cycle.normalize_settings(raw)
        prior_restart = _cycle.check_flag(options["prior_restart"], "prior_restart")
        self._central_nudge = _cycle.check_flag(options["central_update_check"], "central_update_check")

        self._options = options
        self._central_checks = []
        self._settings = settings
        self._task_vars = task_vars
        self._windows = _is_powershell(self._connection)
        self._host = task_vars.get("inventory_hostname") or "host"
        try:
            return self._cycle(result, options, settings, prior_restart)
        except _cycle.CycleError as exc:
            result.update(failed=True, msg="reboot_cycle: %s" % exc)
            return result

    def _cycle(self, result, options, settings, prior_restart):
        resume = options.get("resume")
        if resume:
            try:
                state, facts, at = resume["state"], resume["facts"], resume["at"]
                decision = resume.get("decision")
                self._central_checks = list(resume.get("central_update_checks") or [])
                # A relative window end (+4h, 06:00 Europe/Berlin) counts from the cycle's start, not this call.
                state = dict(state, settings=_cycle.normalize_settings(settings, _cycle.parse_time(state["started"], "started")))
                self._facts = facts  # the next reading's previous_facts
            except (KeyError, TypeError):
                result.update(failed=True, msg="Invalid options for reboot_cycle: resume must be the "
                                               "'cycle' returned by an earlier call")
                return result
        else:
            at, decision = None, None
            facts = self._read_first(result)
            if facts is None:
                return result
            state = _cycle.start(facts, settings, self._now(), prior_restart=prior_restart)

        if options["guard_only"]:
            decision = _cycle.guard(facts, settings, self._now())
            return self._finish(result, state, decision, facts, guard=True)

        if self._task.check_mode:
            decision = _cycle.plan(facts, state, self._now())
            return self._finish(result, state, decision, facts)

        stop_at = options["stop_at"]
        try:
            while True:
                if at == "before_restart":
                    at = None
                elif at == "after_restart":
                    at, decision = None, _cycle.plan(facts, state, self._now())
                else:
                    decision = _cycle.plan(facts, state, self._now())
                    self._show("%s: %s" % (decision["step"], decision["reason"]))
                    if decision["step"] == "reboot" and "before_restart" in stop_at:
                        return self._stop(result, "before_restart", state, facts, decision)
                if decision["step"] == "reboot":
                    before = facts
                    elapsed = self._restart(state)
                    facts = self._read_after_restart(state)
                    state = _cycle.restarted(state, facts, self._now(), elapsed=elapsed, before=before)
                    result["changed"] = True
                    facts = self._after_restart(state, facts)
                    if "after_restart" in stop_at:
                        return self._stop(result, "after_restart", state, facts, decision)
                elif decision["step"] == "settle":
                    state, facts = self._settle(state, facts)
                else:
                    break
        except _Lost as lost:
            record = _cycle.failure(state, str(lost), facts, self._now(), unreachable=lost.unreachable)
            result["changed"] = result["changed"] or state["restarts"] > 0
            return self._record(result, record, facts, failed=True, broken=True)
        return self._finish(result, state, decision, facts)

    # ------------------------------------------------------------ results

    def _record(self, result, record, facts, failed, broken=False):
        """The ended cycle: ``cycle.failed`` the host fails, ``cycle.broken`` it broke off (lost, failed step)."""
        if getattr(self, "_central_nudge", False):
            record["central_update_checks"] = self._central_checks
        result["sophos_reboot_cycle"] = record
        if facts:
            result["ansible_facts"] = {"sophos_reboot": facts}
        result["cycle"] = {"done": True, "failed": bool(failed), "broken": bool(broken)}
        result["msg"] = "%s: %s" % (record["status"], record["message"])
        if failed:
            result["failed"] = True
        return result

    def _finish(self, result, state, decision, facts, guard=False):
        check = bool(self._task.check_mode)
        record = _cycle.result(state, decision, facts, self._now(), check_mode=check and not guard)
        if guard:
            result["deferred"] = decision["step"] == "defer"
        elif check:
            result["changed"] = record["would_reboot"]
        else:
            result["changed"] = state["restarts"] > 0
        if record.get("warning"):
            display.warning("%s: %s" % (self._host, record["warning"]))
        return self._record(result, record, facts, failed=bool(decision.get("failed")) and not check)

    def _stop(self, result, at, state, facts, decision):
        result["cycle"] = {"done": False, "failed": False, "broken": False, "at": at, "restart": state["restarts"] + (1 if at == "before_restart" else 0),
                           "state": state, "facts": facts, "decision": decision,
                           "central_update_checks": self._central_checks}
        result["ansible_facts"] = {"sophos_reboot": facts}
        return result

    def _show(self, line):
        display.display("%s: reboot_cycle %s" % (self._host, line))

    # ------------------------------------------------------------ inner actions

    def _inner(self, name, args):
        task = self._task.copy()
        task.args = args
        task.async_val = 0
        return self._shared_loader_obj.action_loader.get(
            name, task=task, connection=self._connection, play_context=self._play_context,
            loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)

    def _read(self):
        """One reading through the reboot_facts action: ``(facts, None)`` or ``(None, (message, lost))``."""
        args = {"ignore_reasons": self._options["ignore_reasons"]}
        previous = getattr(self, "_facts", None)
        if isinstance(previous, dict):
            args["previous_facts"] = previous
        try:
            reading = self._inner(READ_ACTION, args).run(task_vars=self._task_vars)
        except AnsibleConnectionFailure as exc:
            return None, (str(exc), True)
        if reading.get("unreachable"):
            return None, (reading.get("msg", "no message"), True)
        if reading.get("failed"):
            return None, (reading.get("msg", "no message"), False)
        facts = (reading.get("ansible_facts") or {}).get("sophos_reboot")
        if not isinstance(facts, dict):
            return None, ("reboot_facts returned no sophos_reboot facts", False)
        self._facts = facts
        return facts, None

    def _read_first(self, result):
        self._facts = (self._task_vars.get("ansible_facts") or {}).get("sophos_reboot")
        facts, problem = self._read()
        if problem is None:
            return facts
        message, lost = problem
        prefix = "the host could not be reached: " if lost else "reading the restart state failed: "
        record = _cycle.aborted(None, prefix + message, None, self._now(), unreachable=lost,
                                check_mode=bool(self._task.check_mode))
        self._record(result, record, None, failed=True, broken=True)
        return None

    def _read_with_retries(self, what):
        """A reading, tried again after the poll interval up to ``poll_retries`` times in a row."""
        misses = 0
        while True:
            facts, problem = self._read()
            if problem is None:
                return facts
            message, lost = problem
            misses += 1
            retries = self._settings["poll_retries"]
            if misses > retries:
                raise _Lost("%s %s (%d readings in a row, %s s apart): %s"
                            % ("the host stayed unreachable" if lost else "reading the restart state kept failing",
                               what, misses, self._settings["poll_seconds"], message), lost)
            self._show("settle reading failed (%d in a row, %d more tries): %s; reading again in %s s"
                       % (misses, retries - misses + 1, message, self._settings["poll_seconds"]))
            self._sleep(max(1, int(math.ceil(self._settings["poll_seconds"]))))

    def _restart(self, state):
        """Restart through the platform's reboot action; returns its elapsed seconds or raises _Lost."""
        settings = self._settings
        number = state["restarts"] + 1
        args = {"reboot_timeout": int(settings["reboot_timeout"]),
                "pre_reboot_delay": int(settings["pre_reboot_delay"]),
                "post_reboot_delay": int(settings["post_reboot_delay"]),
                "msg": self._options["reboot_msg"]}
        if settings["connect_timeout"] > 0:
            args["connect_timeout"] = settings["connect_timeout"]
        if self._options["test_command"]:
            args["test_command"] = self._options["test_command"]
        name = WINDOWS_RESTART if self._windows else LINUX_RESTART
        try:
            restart = self._inner(name, args).run(task_vars=self._task_vars)
        except AnsibleConnectionFailure as exc:
            restart = {"unreachable": True, "msg": str(exc)}
        if not restart.get("unreachable") and not restart.get("failed"):
            return restart.get("elapsed")
        message = restart.get("msg", "no message")
        # Depending on the moment the connection broke, a host that stays away is reported as
        # unreachable or as failed: a failed restart is "did not come back" when the host does
        # not answer afterwards either.
        lost = bool(restart.get("unreachable"))
        if not lost:
            problem = self._read()[1]
            lost = problem is not None and problem[1]
        if lost:
            raise _Lost("the host did not come back from restart %d within %d s: %s"
                        % (number, int(settings["reboot_timeout"]), message), True)
        raise _Lost("restart %d failed: %s" % (number, message), False)

    def _read_after_restart(self, state):
        return self._read_with_retries("after restart %d" % (state["restarts"] + 1))

    def _after_restart(self, state, facts):
        """Work done after each restart, before the settle; returns the facts the settle starts from.

        The place for steps that belong to every restart (a Sophos update trigger, a nudge to
        Sophos Central), each in a helper of its own.
        """
        self._trigger_update(state, facts)
        self._central_update_check(state)
        return facts

    def _central_update_check(self, state):
        """Opt-in: ask Sophos Central for an update check of this host right after a restart, so a queued
        Sophos update starts sooner. From the controller, as the central_* modules do.

        Never fails the cycle: no credentials, a host Central does not know or a failed call is a
        warning and an entry in the record (``central_update_checks``).
        """
        if not self._central_nudge:
            return
        entry = {"restart": state["restarts"], "status": "requested", "endpoint_id": None, "id": None,
                 "message": None}
        options = _central.controller_options(self._options["central_options"] or {}, os.environ)
        if not _central.has_credentials(options):
            entry.update(status="skipped", message="no Sophos Central credentials (central_options or %s / %s)"
                         % (_central.ENV["client_id"], _central.ENV["client_secret"]))
        else:
            try:
                client = _central.client_from(options, warn=display.warning)
                endpoint_id, answer = _central.update_check_for(
                    client, self._host, known=self._task_vars.get("sophos_central"),
                    tenant_ids=options.get("tenant_ids"))
                entry.update(endpoint_id=endpoint_id, id=answer.get("id"))
            except _central.CentralError as exc:
                entry.update(status="failed", message=str(exc))
            except Exception as exc:  # pylint: disable=broad-except
                # An answer Central was not expected to give: still only a warning for this restart.
                entry.update(status="failed", message="Sophos Central update-checks: %s: %s"
                             % (type(exc).__name__, exc))
        self._central_checks.append(entry)
        if entry["status"] == "requested":
            self._show("asked Sophos Central for an update check after restart %d" % state["restarts"])
        else:
            display.warning("%s: Sophos Central update check after restart %d %s: %s"
                            % (self._host, state["restarts"], entry["status"], entry["message"]))

    # ------------------------------------------------------------ update trigger

    def _trigger_update(self, state, facts):
        """With ``trigger_update``: start Sophos' post-boot update now, so the settle ends on its evidence
        without Sophos' own wait after boot. Records the outcome in the current boot entry of ``state``
        (the entry ``_cycle.restarted()`` just made); a failed trigger is a warning, never a failed cycle."""
        if not self._settings["trigger_update"]:
            return
        outcome = _cycle.trigger_skip(state, facts)
        if outcome is None:
            outcome = self._trigger_windows() if self._windows else self._trigger_linux()
        state["boots"][-1].update(_cycle.trigger_entry(outcome))
        line = "update trigger after restart %d: %s" % (state["restarts"], outcome["note"])
        if outcome["warn"]:
            display.warning("%s: reboot_cycle %s" % (self._host, line))
        elif outcome["show"]:
            self._show(line)

    def _module(self, name, args):
        """One module run on the host; a lost connection is a failed result (the settle's readings judge the host)."""
        try:
            return self._execute_module(module_name=name, module_args=args, task_vars=self._task_vars)
        except AnsibleConnectionFailure as exc:
            return {"failed": True, "unreachable": True, "msg": str(exc)}

    def _trigger_linux(self):
        reading = self._module(UNIT_READ, {"argv": ["systemctl", "show", "--property=LoadState,ActiveState",
                                                    _cycle.UPDATE_UNIT]})
        outcome = _cycle.unit_reading(reading)
        if outcome is not None:
            return outcome
        return _cycle.unit_started(self._module(UNIT_START, {"name": _cycle.UPDATE_UNIT, "state": "started",
                                                             "no_block": True}))

    def _trigger_windows(self):
        return _cycle.tool_started(self._module(WINDOWS_TRIGGER, {}))

    # ------------------------------------------------------------ settle

    def _settle(self, state, facts):
        """Poll (or wait out) the settle after the current boot: one progress line per reading."""
        settings = self._settings
        since = _cycle.settle_since(state)
        started_at = self._now()
        bound = _cycle.settle_polls_bound(settings)
        what = ("after restart %d" % state["restarts"]) if state["restarts"] else "after the earlier restart"
        for _poll in range(bound):
            settle = _cycle.settle_state(facts, settings, self._now(), since=since)
            if not settle["wait"]:
                self._show("settle %s (%s) ended: %s" % (what, settle["mode"], settle["reason"]))
                return _cycle.settled(state, settle, started_at=started_at, ended_at=self._now()), facts
            self._show("settle %s (%s): %s" % (what, settle["mode"], settle["reason"]))
            self._sleep(max(1, int(math.ceil(settle["sleep"]))))
            facts = self._read_with_retries("while settling %s" % what)
        raise _Lost("the settle %s did not end after %d readings: the host's clock or boot time does not move"
                    % (what, bound), False)
