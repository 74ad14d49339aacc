# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleetops.sophos.reboot_cycle: one host's whole reboot cycle in one task.

read -> plan -> restart -> settle (a Python loop, one progress line per reading) -> re-assess ->
restart again while a strong reason is back (at most ``max_cycles``) -> verify -> record.
The decisions are ``module_utils/_cycle.py`` (pure, replayable); the steps are run by
``plugin_utils/_cycle_run.py``; the options are checked by ``plugin_utils/_cycle_options.py``. This file builds
the runner and shapes the result.

With ``stop_at`` the action returns at a hook point (before/after a restart) with its state in
``cycle``; called again with ``resume`` it carries on from there. The role calls it from a plain
``loop``, so the include depth stays constant however long a settle lasts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.utils.display import Display

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _run, _settings, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _cycle_options, _hooks, _notify as _send, _tiers
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _cycle_parts as _parts
from ansible_collections.fleetops.sophos.plugins.plugin_utils._cycle_options import (
    ARGUMENT_SPEC, ResumeMismatch, carried_state, resumed_state)
from ansible_collections.fleetops.sophos.plugins.plugin_utils._cycle_run import ActionHost, CycleRun, Lost
from ansible_collections.fleetops.sophos.plugins.plugin_utils._action import Action

display = Display()


def _show(host):
    return lambda line: display.display("%s: reboot_cycle %s" % (host, line))


def _warn(line):
    display.warning(line)


class ActionModule(Action):
    ASYNC_REFUSED = ("fleetops.sophos.reboot_cycle does not support async: "
                     "a cycle waits for restarts and settles itself")
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result, task_vars = self.begin(tmp, task_vars)
        self._notifications = None
        if result.get("failed"):
            return result
        options, settings, problems = self._options(dict(self._task.args), task_vars)
        if problems:
            result.update(failed=True, msg="Invalid options for reboot_cycle: %s" % "; ".join(problems))
            return result
        # Every hook file is found once, before the first step, and its path carried in 'cycle': a resume goes on
        # with those paths (a hook file gone since fails its include in the role, which ends the cycle naming it).
        carried = (options.get("resume") or {}).get("hook_files")
        if isinstance(carried, dict):
            result["hook_files"] = carried
        elif options.get("hook_files"):
            result["hook_files"], problems = _hooks.files(options["hook_files"], task_vars.get("playbook_dir"))
            if problems and not options.get("resume"):
                result.update(failed=True, msg="Invalid options for reboot_cycle: %s" % "; ".join(problems))
                return result
        host = ActionHost(self, task_vars)
        if options["exclude"] and not options.get("resume"):
            return self._excluded(result, options, host)
        try:
            return self._cycle(result, options, settings, host)
        except _settings.SettingError as exc:  # the cycle's and the time's (a reading's bad time)
            result.update(failed=True, msg="reboot_cycle: %s" % exc)
            return result

    def _options(self, args, task_vars):
        """``(options, settings, problems)``: see ``_cycle_options.check``; the tier's turn is read from the
        play's variables (``_tiers.hold``)."""
        try:
            strategy = self._task.get_play().strategy
        except AttributeError:
            strategy = None
        now = self._now()
        hostvars = task_vars.get("hostvars") or {}
        host = task_vars.get("inventory_hostname")
        return _cycle_options.check(args, now, strategy,
                                    turn_of=lambda batch: _tiers.hold(host, hostvars, batch, now))

    # The run's id for its slot directory: the ansible-playbook process, every worker's parent.
    @staticmethod
    def _run_id():
        return os.getppid()

    # Extend a silence from a thread while a step blocks (off in the replay tests).
    _silence_heartbeat = True

    def _runner(self, host, options, settings, resume=None):
        show = _show(host.name)
        common = dict(now=self._now, sleep=self._sleep, show=show, warn=_warn)
        common["slots"] = _parts.slots(host, settings, self._run_id(), bool(self._task.check_mode), self._now,
                                       self._sleep, show)
        common["silence"] = _parts.silence(host, options, settings, resume, self._run_id(), self._now, show, _warn,
                                           self._silence_heartbeat)
        notifier = _parts.notifier(host, self._templar, bool(self._task.check_mode), _warn)
        if notifier is not None:
            notifier.entries.extend((resume or {}).get("notifications") or [])
            common["notify"] = lambda event, record: notifier.host_event(
                event, host.name, record, run={"started": settings.get("run_started")})
            self._notifications = notifier
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
                resume = dict(resume, state=resumed_state(resume["state"], settings))
                run = self._runner(host, options, settings, resume)
            except ResumeMismatch as exc:
                result.update(failed=True, msg="Invalid options for reboot_cycle: %s" % exc)
                return result
            except (KeyError, TypeError, ValueError):
                result.update(failed=True, msg="Invalid options for reboot_cycle: resume must be the "
                                               "'cycle' returned by an earlier call")
                return result
            if run.silence is not None:
                run.silence.resume()
            if options.get("abort"):
                return self._abort(result, run, options["abort"])
        else:
            run = self._runner(host, options, settings)
            problem = run.begin(options["prior_restart"])
            if problem is not None:
                return self._unread(result, run, problem)
            turn = options.get("tier_turn")
            if turn and (len(turn["turns"]) > 1 or run.settings["tier"]):
                run.state = _cycle.tier_noted(run.state, turn, self._now())
                noted = run.state["tier"]
                run.show("tier %d's turn after %s (waited %s)%s" % (
                    noted["tier"], ", ".join(noted["after"]) or "no lower-tier host", _time.human_seconds(
                        noted["waited_seconds"]), "; lower-tier host(s) failed: " + ", ".join(noted["failed"])
                    if noted["failed"] else ""))

        if options["guard_only"]:
            return self._finish(result, run, run.guard(), guard=True)
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
            if run.silence is not None:
                run.silence.pause()  # the lease covers the hook
            result["changed"] = run.state["restarts"] > restarts
            return self._stop(result, run, stopped, decision)
        return self._finish(result, run, decision)

    # ------------------------------------------------------------ results

    def _record(self, result, run, record, failed, broken=False, events=None):
        """The ended cycle: ``cycle.failed`` the host fails, ``cycle.broken`` it broke off (lost, failed step)."""
        if run.options["central_update_check"]:
            record["central_update_checks"] = run.entries
        if run.stopped:
            record["stopped_groups"] = list(run.stopped)
        if run.silence is not None and "silence" not in record:
            silence = run.silence.record()
            if silence is not None:
                record["silence"] = silence
        notifier = self._notifications
        if notifier is not None:
            for event in _send.host_events(record) if events is None else events:
                run.notify(event, record)
            record["notifications"] = list(notifier.entries)
        result["sophos_reboot_cycle"] = record
        if run.facts and run.state is not None:
            result["ansible_facts"] = {"sophos_reboot": run.facts}
        result["cycle"] = {"done": True, "failed": bool(failed), "broken": bool(broken)}
        result["msg"] = "%s: %s" % (record["status"], record["message"])
        if failed:
            result["failed"] = True
        return result

    def _abort(self, result, run, why):
        """End a cycle stopped at a hook point whose hook failed: the silence expired, the slots freed, the
        failure told (``failed`` notification); the record says why."""
        run.end(True, why)
        record = _cycle.failure(run.state, why, run.facts, self._now())
        result["changed"] = run.state["restarts"] > 0
        return self._record(result, run, record, failed=True, broken=True)

    def _excluded(self, result, options, host):
        """A host excluded by maintenance_exclude: read (the report shows what is pending on it; a host that
        cannot be read is recorded all the same), never changed, recorded deferred."""
        facts, _problem = host.read({"ignore_reasons": list(options.get("ignore_reasons") or [])})
        record = _run.excluded_record(facts, options["exclude_reason"], self._now(),
                                      check_mode=bool(self._task.check_mode))
        if facts is not None:
            result["ansible_facts"] = {"sophos_reboot": facts}
        result.update(deferred=True, sophos_reboot_cycle=record, cycle={"done": True, "failed": False, "broken": False},
                      msg="%s: %s" % (record["status"], record["message"]))
        _show(host.name)(record["message"])
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
        if check and not guard and run.silence is not None and record["would_reboot"]:
            record["silence"] = run.silence.would_create()  # creates nothing
        events = None
        if guard:
            result["deferred"] = decision["step"] == "defer"
            events = ["deferred"] if result["deferred"] else []
            run.show("window guard: %s" % record["message"])
        elif check:
            result["changed"] = record["would_reboot"]
        else:
            result["changed"] = run.state["restarts"] > 0
        if record.get("warning"):
            display.warning("%s: %s" % (run.host.name, record["warning"]))
        return self._record(result, run, record, failed=bool(decision.get("failed")) and not check, events=events)

    def _stop(self, result, run, at, decision):
        result["cycle"] = {"done": False, "failed": False, "broken": False, "at": at,
                           "restart": run.state["restarts"] + (1 if at == "before_restart" else 0),
                           "state": carried_state(run.state), "facts": run.facts, "decision": decision,
                           "central_update_checks": run.entries}
        if run.silence is not None:
            result["cycle"]["silence"] = run.silence.carry()
        if result.get("hook_files") is not None:
            result["cycle"]["hook_files"] = result["hook_files"]
        notifier = self._notifications
        if notifier is not None:
            result["cycle"]["notifications"] = list(notifier.entries)
        result["ansible_facts"] = {"sophos_reboot": run.facts}
        return result
