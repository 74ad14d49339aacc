# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleetops.sophos.patch: one host patched by its family's package manager in one task.

The family is decided once, from the connection (Windows, as every action of the collection decides it)
and the host's ``os_family`` fact (gathered when the play has none); the family's own module runs through
``plugin_utils/_patch_run.py``; a change (or a restart Windows Update made) is followed by a
``reboot_facts`` reading; the record is ``module_utils/_patch.py``'s, the same shape for every family.
One task for every family: a mixed batch patches in the time of its slowest host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.utils.display import Display

from ansible_collections.fleetops.sophos.plugins.module_utils import _patch, _settings, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils._patch_run import PatchHost, PatchRun, StepFailed
from ansible_collections.fleetops.sophos.plugins.plugin_utils._action import Action

display = Display()

# Every option is converted by the settings table (AWX survey strings included), with the role's messages;
# ignore_reasons (taken as sent by the table) is checked by the spec here, before anything changes, and goes
# to reboot_facts.
ARGUMENT_SPEC = dict((setting.name, {"type": "raw"}) for setting in _patch.SETTINGS.settings)
ARGUMENT_SPEC["ignore_reasons"] = {"type": "list", "elements": "str", "default": []}
# How the maintenance playbook calls it, no role variable: the window's start when patching waits for it
# (maintenance_patch_before_window=false); the action waits on the controller until then (check mode says so).
ARGUMENT_SPEC["wait_until"] = {"type": "str", "default": ""}


class ActionModule(Action):
    ASYNC_REFUSED = "fleetops.sophos.patch does not support async"
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result, task_vars = self.begin(tmp, task_vars)
        if result.get("failed"):
            return result
        args = dict(self._task.args)
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(args)
        problems = list(validation.error_messages)
        try:
            settings = _patch.settings(dict((k, v) for k, v in args.items() if k not in ("ignore_reasons", "wait_until")))
        except _patch.PatchError as exc:
            problems.append(str(exc))
        wait = 0
        if not problems and validation.validated_parameters["wait_until"].strip():
            try:
                start = _time.parse_time(validation.validated_parameters["wait_until"], "wait_until")
                wait = max(0, int(math.ceil((start - self._now()).total_seconds())))
            except _settings.SettingError as exc:
                problems.append(str(exc))
        if problems:
            result.update(failed=True, msg="Invalid options for patch: %s" % "; ".join(problems))
            return result
        host = PatchHost(self, task_vars)
        check = bool(self._task.check_mode)
        if wait:
            until = validation.validated_parameters["wait_until"]
            if check:
                display.display("%s: patch check mode: patching would wait until %s (the window's start)"
                                % (host.name, until))
            else:
                display.display("%s: patch waits until %s (the window's start), %s from now"
                                % (host.name, until, _time.human_seconds(wait)))
                self._sleep(wait)
        if not settings["enabled"]:
            return self._done(result, host, _patch.record("skipped", [], False, check_mode=check,
                                                          message="patch_enabled is false"))
        manager = None
        try:
            family = self._family(host, result)
            refusal = _patch.refusal(family, settings)
            if refusal:
                raise StepFailed("Check what the host's family supports", refusal)
            manager = _patch.MANAGERS[family]
            outcome = PatchRun(host, settings, manager, check).run()
            facts = self._read(host, validation.validated_parameters["ignore_reasons"], outcome, check)
        except StepFailed as exc:
            if exc.unreachable:
                result["unreachable"] = True
            return self._done(result, host, _patch.record("failed", [], False, manager=manager, check_mode=check,
                                                          message=str(exc)))
        if facts is not None:
            result.setdefault("ansible_facts", {})["sophos_reboot"] = facts
        else:
            facts = (task_vars.get("ansible_facts") or {}).get("sophos_reboot") or {}
        changes = outcome["changes"]
        result["changed"] = bool(changes or outcome["removed"] or outcome["rebooted"]) and not check
        record = _patch.record(
            "patched" if changes and not check else "unchanged", [] if check else changes,
            facts.get("reboot_required") or outcome["reboot_required"], rebooted=outcome["rebooted"],
            manager=manager, check_mode=check, would_install=changes if check else [],
            removed=outcome["removed"], warnings=outcome["warnings"],
            message=_patch.outcome_message(manager, changes, outcome["removed"], check))
        return self._done(result, host, record)

    def _family(self, host, result):
        """The OS family: Windows from the connection, else the play's ``os_family`` fact, gathered when missing."""
        if host.windows:
            return "Windows"
        family = (host.task_vars.get("ansible_facts") or {}).get("os_family")
        if family:
            return family
        gathered = host.call("ansible.builtin.setup", {"gather_subset": ["min"]})
        if gathered.get("failed") or gathered.get("unreachable"):
            raise StepFailed("Learn the OS family", _patch.manager_error(gathered), bool(gathered.get("unreachable")))
        facts = gathered.get("ansible_facts") or {}
        result["ansible_facts"] = dict(facts)
        return facts.get("ansible_os_family")

    @staticmethod
    def _read(host, ignore_reasons, outcome, check):
        """A new restart reading when the patch changed something (or nothing was read yet), else None."""
        if "sophos_reboot" in (host.task_vars.get("ansible_facts") or {}) and (
                check or not (outcome["changes"] or outcome["removed"] or outcome["rebooted"])):
            return None
        facts, problem = host.read({"ignore_reasons": list(ignore_reasons)})
        if problem is not None:
            raise StepFailed("Read whether the host now wants a restart", problem[0], problem[1])
        return facts

    @staticmethod
    def _done(result, host, record):
        result["sophos_patch"] = record
        result["msg"] = _patch.shown(record)
        for warning in record["warnings"]:
            display.warning("%s: %s" % (host.name, warning))
        display.display("%s: patch %s" % (host.name, result["msg"]))
        return result
