# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleetops.sophos.reboot_cycle: one host's whole reboot cycle in one task.

read -> plan -> restart -> settle (a Python loop, one progress line per reading) -> re-assess ->
restart again while a strong reason is back (at most ``max_cycles``) -> verify -> record.
The decisions are ``module_utils/_cycle.py`` (pure, replayable); the steps are run by
``plugin_utils/_cycle_run.py``. This file checks the options, builds the runner and shapes the result.

With ``stop_at`` the action returns at a hook point (before/after a restart) with its state in
``cycle``; called again with ``resume`` it carries on from there. The role calls it from a plain
``loop``, so the include depth stays constant however long a settle lasts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time
from datetime import datetime, timezone

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.fleetops.sophos.plugins.module_utils import _central, _cycle, _groups, _settings
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _slots
from ansible_collections.fleetops.sophos.plugins.plugin_utils._cycle_run import HOOK_POINTS, ActionHost, CycleRun, Lost

display = Display()

# The connection options of the central_* modules (their environment variables apply when left out).
CENTRAL_OPTIONS = dict(
    (name, dict((key, value) for key, value in spec.items() if key in ("type", "elements", "no_log")))
    for name, spec in _central.MODULE_ARGS.items() if name not in ("hostnames", "ids"))


def _option_spec(setting):
    """The action's spec of one row of the cycle's settings table (_cycle.SETTINGS)."""
    if setting.kind in ("text", "dict", "as_sent"):
        # Taken as sent by the table: the spec checks it.
        spec = {"type": setting.type, "default": setting.default}
        if setting.type == "list":
            spec["elements"] = "str"
        return spec
    # Converted by the table from what was sent (AWX survey strings included), with the role's messages.
    if setting.group == "action":
        return {"type": "raw", "default": setting.default}
    return {"type": "raw"}  # a cycle setting left out takes the table's default


ARGUMENT_SPEC = dict(
    dict((setting.name, _option_spec(setting)) for setting in _cycle.SETTINGS.settings),
    guard_only={"type": "bool", "default": False},
    stop_at={"type": "list", "elements": "str", "choices": list(HOOK_POINTS), "default": []},
    resume={"type": "dict"},
    # No default: the validator fills a default dict's suboptions in place, a shared default would carry them.
    central_options={"type": "dict", "options": CENTRAL_OPTIONS},
)
# The action's flags the table converts.
_TABLE_FLAGS = ("prior_restart", "central_update_check")


def _show(host):
    return lambda line: display.display("%s: reboot_cycle %s" % (host, line))


def _warn(line):
    display.warning(line)


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
        options, settings, problems = self._options(dict(self._task.args))
        if problems:
            result.update(failed=True, msg="Invalid options for reboot_cycle: %s" % "; ".join(problems))
            return result
        host = ActionHost(self, task_vars)
        try:
            return self._cycle(result, options, settings, host)
        except _settings.SettingError as exc:  # the cycle's and the time's (a reading's bad time)
            result.update(failed=True, msg="reboot_cycle: %s" % exc)
            return result

    def _options(self, args):
        """``(options, settings, problems)``: the checked options, the normalised cycle settings, and every
        bad option at once, on one line (the table's rules, each setting on its own)."""
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(args)
        if validation.error_messages:
            return None, None, list(validation.error_messages)
        options = validation.validated_parameters
        raw = dict((key, options[key]) for key in _cycle.DEFAULTS if options.get(key) is not None)
        now = self._now()
        problems = _cycle.settings_problems(raw, now)
        for name in _TABLE_FLAGS:
            try:
                options[name] = _cycle.check_flag(options[name], name)
            except _cycle.CycleError as exc:
                problems.append(str(exc))
        if problems:
            return None, None, problems
        options["central_options"] = options["central_options"] or {}
        settings = _cycle.normalize_settings(raw, now)
        if settings["group"] and options["stop_at"]:
            return None, None, ["reboot_cycle_group cannot be combined with restart hooks (stop_at: %s): a restart "
                                "group's slot is held by one task" % ", ".join(options["stop_at"])]
        return options, settings, []

    # The run's id for its slot directory: the ansible-playbook process, every worker's parent.
    @staticmethod
    def _run_id():
        return os.getppid()

    def _slots(self, host, settings):
        """The host's restart-group slots (None without groups): the limits count each group's hosts in the play."""
        if not settings["group"] or self._task.check_mode:
            return None
        task_vars = host.task_vars
        hostvars = task_vars.get("hostvars") or {}
        members = {}
        for name in task_vars.get("ansible_play_hosts_all") or [host.name]:
            if name == host.name:
                members[name] = settings["group"]
                continue
            try:
                members[name] = _groups.group_names(hostvars[name].get(_cycle.VAR_PREFIX + "group"), "group")
            except (KeyError, _settings.SettingError):
                members[name] = []
        needed = _groups.slots(settings["group"], settings["group_max_down"], members)
        directory = _slots.run_directory(settings["run_started"], self._run_id())
        return _slots.Slots(directory, host.name, needed, now=self._now, sleep=self._sleep, show=_show(host.name),
                            gap_seconds=settings["group_gap_seconds"])

    def _runner(self, host, options, settings, resume=None):
        common = dict(now=self._now, sleep=self._sleep, show=_show(host.name), warn=_warn)
        common["slots"] = self._slots(host, settings)
        if resume is None:
            previous = (host.task_vars.get("ansible_facts") or {}).get("sophos_reboot")
            return CycleRun(host, options, settings, facts=previous, **common)
        return CycleRun(host, options, settings, state=resume["state"], facts=resume["facts"],
                        entries=resume.get("central_update_checks"), **common)

    def _cycle(self, result, options, settings, host):
        resume = options.get("resume")
        at = decision = None
        if resume:
            try:
                at, decision = resume["at"], resume.get("decision")
                if set(resume["state"]["settings"]) != set(_cycle.DEFAULTS):
                    raise KeyError("settings")
                run = self._runner(host, options, settings, resume)
            except (KeyError, TypeError):
                result.update(failed=True, msg="Invalid options for reboot_cycle: resume must be the "
                                               "'cycle' returned by an earlier call")
                return result
        else:
            run = self._runner(host, options, settings)
            problem = run.begin(options["prior_restart"])
            if problem is not None:
                return self._unread(result, run, problem)

        if options["guard_only"]:
            return self._finish(result, run, _cycle.guard(run.facts, run.settings, self._now()), guard=True)
        if self._task.check_mode:
            run.gates_once()
            return self._finish(result, run, run.plan())
        restarts = run.state["restarts"]
        try:
            decision, stopped = run.run(options["stop_at"], at, decision)
        except Lost as lost:
            run.end(True, str(lost))
            record = _cycle.failure(run.state, str(lost), run.facts, self._now(), unreachable=lost.unreachable)
            result["changed"] = run.state["restarts"] > 0
            return self._record(result, run, record, failed=True, broken=True)
        except BaseException:
            run.end(False, None)
            raise
        if not stopped:
            run.end(bool(decision.get("failed")), decision["reason"])
        if stopped:
            result["changed"] = run.state["restarts"] > restarts
            return self._stop(result, run, stopped, decision)
        return self._finish(result, run, decision)

    # ------------------------------------------------------------ results

    def _record(self, result, run, record, failed, broken=False):
        """The ended cycle: ``cycle.failed`` the host fails, ``cycle.broken`` it broke off (lost, failed step)."""
        if run.options["central_update_check"]:
            record["central_update_checks"] = run.entries
        if run.stopped:
            record["stopped_groups"] = list(run.stopped)
        result["sophos_reboot_cycle"] = record
        if run.facts and run.state is not None:
            result["ansible_facts"] = {"sophos_reboot": run.facts}
        result["cycle"] = {"done": True, "failed": bool(failed), "broken": bool(broken)}
        result["msg"] = "%s: %s" % (record["status"], record["message"])
        if failed:
            result["failed"] = True
        return result

    def _unread(self, result, run, problem):
        """The host could not be read at the start: a failed record, nothing changed."""
        message, lost = problem
        prefix = "the host could not be reached: " if lost else "reading the restart state failed: "
        record = _cycle.aborted(None, prefix + message, None, self._now(), unreachable=lost,
                                check_mode=bool(self._task.check_mode))
        return self._record(result, run, record, failed=True, broken=True)

    def _finish(self, result, run, decision, guard=False):
        check = bool(self._task.check_mode)
        record = _cycle.result(run.state, decision, run.facts, self._now(), check_mode=check and not guard)
        if guard:
            result["deferred"] = decision["step"] == "defer"
        elif check:
            result["changed"] = record["would_reboot"]
        else:
            result["changed"] = run.state["restarts"] > 0
        if record.get("warning"):
            display.warning("%s: %s" % (run.host.name, record["warning"]))
        return self._record(result, run, record, failed=bool(decision.get("failed")) and not check)

    def _stop(self, result, run, at, decision):
        result["cycle"] = {"done": False, "failed": False, "broken": False, "at": at,
                           "restart": run.state["restarts"] + (1 if at == "before_restart" else 0),
                           "state": run.state, "facts": run.facts, "decision": decision,
                           "central_update_checks": run.entries}
        result["ansible_facts"] = {"sophos_reboot": run.facts}
        return result
