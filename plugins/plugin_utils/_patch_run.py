# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: one host patched by its family's package manager (the patch action's runner).

The arguments and the reading of every result are ``module_utils/_patch.py`` (pure); the runner calls the
family's own module on the host - ``ansible.builtin.apt``, ``ansible.builtin.dnf``,
``community.general.zypper`` through the action's ``_execute_module``, ``ansible.windows.win_updates``
through the shared action loader (it is an action plugin: it restarts the host itself when asked) - and
returns what was installed. A module that fails raises ``StepFailed`` naming the step and the manager's
own message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from contextlib import contextmanager

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.fleetops.sophos.plugins.module_utils import _patch
from ansible_collections.fleetops.sophos.plugins.plugin_utils._cycle_run import ActionHost

LOCK_MODULE = "fleetops.sophos.rpm_lock_wait"
WINDOWS_UPDATES = "ansible.windows.win_updates"


class StepFailed(Exception):
    """A step of the patch failed: ``step`` names it, the message is the manager's own; ``unreachable``
    when the host stopped answering."""

    def __init__(self, step, message, unreachable=False):
        super(StepFailed, self).__init__("%s failed: %s" % (step, message))
        self.unreachable = unreachable


class PatchHost(ActionHost):
    """ActionHost with the task's check and diff modes set for one module call (apt's list refresh and plan
    run in check mode too; zypper lists its changes only in its diff)."""

    @contextmanager
    def _modes(self, check_mode, diff):
        task = self._action._task
        saved = task.check_mode, task.diff
        if check_mode is not None:
            task.check_mode = check_mode
        if diff is not None:
            task.diff = diff
        try:
            yield
        finally:
            task.check_mode, task.diff = saved

    def call(self, name, args, check_mode=None, diff=None):
        with self._modes(check_mode, diff):
            return self.module(name, args)

    def run_action(self, name, args):
        """An action plugin's result on the host; a lost connection is an unreachable result."""
        try:
            return self._inner(name, args).run(task_vars=self.task_vars)
        except AnsibleConnectionFailure as exc:
            return {"unreachable": True, "msg": str(exc)}


def _checked(step, result):
    """The result of a step that went through; raises StepFailed with the manager's message when not."""
    result = result if isinstance(result, dict) else {}
    if result.get("unreachable"):
        raise StepFailed(step, result.get("msg") or "the host did not answer", unreachable=True)
    if result.get("failed"):
        raise StepFailed(step, _patch.manager_error(result))
    return result


class PatchRun(object):
    """One host's patch with ``manager`` (``_patch.MANAGERS``): ``run()`` returns ``changes``, ``removed``,
    ``warnings``, ``reboot_required`` (what Windows Update said) and ``rebooted``."""

    def __init__(self, host, settings, manager, check_mode):
        self.host = host
        self.settings = settings
        self.manager = manager
        self.check_mode = bool(check_mode)
        self.outcome = {"changes": [], "removed": [], "warnings": [], "reboot_required": False, "rebooted": False}

    def run(self):
        getattr(self, "_" + self.manager)()
        return self.outcome

    def _apt(self):
        settings = self.settings
        _checked("Refresh the apt package lists",
                 self.host.call("ansible.builtin.apt", _patch.apt_refresh_args(settings), check_mode=False))
        plan = _checked("Let apt plan the upgrade",
                        self.host.call("ansible.builtin.command", {"argv": list(_patch.APT_PLAN_ARGV)},
                                       check_mode=False))
        try:
            candidates = _patch.apt_candidates(plan.get("stdout") or "", settings["security_only"], settings["exclude"])
        except _patch.PatchError as exc:
            raise StepFailed("Pick the packages to upgrade", str(exc))
        if candidates and not self.check_mode:
            _checked("Upgrade the packages with apt",
                     self.host.call("ansible.builtin.apt", _patch.apt_upgrade_args(candidates, settings)))
        self.outcome["changes"] = _patch.describe(candidates)

    def _wait_for_rpm_lock(self):
        timeout = self.settings["lock_timeout"]
        state = _checked("Wait for the rpm lock", self.host.call(LOCK_MODULE, {"path": _patch.RPM_LOCK,
                                                                               "timeout": timeout}))
        if state.get("free") is False:
            holder = ("process %s (%s)" % (state.get("holder_pid"), state.get("holder_command") or "unknown command")
                      if state.get("holder_pid") else "another process")
            raise StepFailed("Wait for the rpm lock", "the rpm database is locked: %s is held by %s, still after "
                             "patch_lock_timeout (%d s); nothing was changed" % (_patch.RPM_LOCK, holder, timeout))
        if state.get("free") is None:
            self.outcome["warnings"].append("the rpm lock could not be tried (%s); %s may wait for it without a bound"
                                            % (state.get("problem") or "no reason given", self.manager))

    def _dnf(self):
        self._wait_for_rpm_lock()
        result = _checked("Upgrade the packages with dnf",
                          self.host.call("ansible.builtin.dnf", _patch.dnf_args(self.settings)))
        self.outcome["changes"], self.outcome["removed"] = _patch.dnf_outcome(result)

    def _zypper(self):
        self._wait_for_rpm_lock()
        names = None
        if self.settings["exclude"]:
            # community.general.zypper has no exclusion: zypper lists its updates, the others go by name.
            listing = self._zypper_checked("List the zypper updates", self.host.call(
                "ansible.builtin.command", {"argv": list(_patch.ZYPPER_PLAN_ARGV)}, check_mode=False))
            try:
                names = [c["name"] for c in _patch.zypper_candidates(listing.get("stdout") or "",
                                                                     self.settings["exclude"])]
            except _patch.PatchError as exc:
                raise StepFailed("Pick the packages to upgrade", str(exc))
            if not names:
                return
        result = self._zypper_checked("Upgrade the packages with zypper", self.host.call(
            "community.general.zypper", _patch.zypper_args(self.settings, names), diff=True))
        self.outcome["changes"], self.outcome["removed"] = _patch.zypper_outcome(result)

    def _zypper_checked(self, step, result):
        """``_checked()``, except that zypper's exit 106 (a repository skipped, the run went on) is a warning."""
        warning = _patch.zypper_skipped_repos(result) if isinstance(result, dict) and not result.get("unreachable") \
            else None
        if warning is None:
            return _checked(step, result)
        if warning not in self.outcome["warnings"]:
            self.outcome["warnings"].append(warning)
        return result

    def _win_updates(self):
        result = _checked("Install Windows updates",
                          self.host.run_action(WINDOWS_UPDATES, _patch.win_args(self.settings)))
        self.outcome["changes"] = _patch.win_update_titles(result.get("updates") or {})
        self.outcome["reboot_required"] = bool(result.get("reboot_required"))
        self.outcome["rebooted"] = bool(result.get("rebooted"))
