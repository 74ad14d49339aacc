# -*- coding: utf-8 -*-
"""The patch action's runner (plugin_utils/_patch_run.py): the task's modes for one call, failed and lost steps,
an rpm lock that could not be tried. Whole runs per family are replayed in tests/unit/plugins/action/test_patch_action.py."""

from __future__ import absolute_import, division, print_function

from unittest import mock

import pytest

from ansible.errors import AnsibleConnectionFailure
from ansible.playbook.task import Task

from ansible_collections.fleetops.sophos.plugins.module_utils import _patch
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _patch_run


def action(execute):
    task = Task()
    task.check_mode, task.diff = True, False
    plugin = mock.MagicMock()
    plugin._task = task
    plugin._connection._shell.SHELL_FAMILY = "sh"
    plugin._connection._shell._IS_WINDOWS = False
    plugin._execute_module.side_effect = lambda module_name, module_args, task_vars: execute(task, module_name)
    return plugin, task


def test_a_call_sets_the_modes_for_itself_only_even_when_it_breaks():
    seen = []

    def execute(task, name):
        seen.append((name, task.check_mode, task.diff))
        if name == "broken":
            raise RuntimeError("the module broke")
        return {}

    plugin, task = action(execute)
    host = _patch_run.PatchHost(plugin, {"inventory_hostname": "srv1"})
    host.call("a", {}, check_mode=False, diff=True)
    host.call("b", {})
    with pytest.raises(RuntimeError):
        host.call("broken", {}, check_mode=False)
    assert seen == [("a", False, True), ("b", True, False), ("broken", False, False)]
    assert (task.check_mode, task.diff) == (True, False)


def test_a_lost_connection_is_an_unreachable_step():
    def execute(task, name):
        raise AnsibleConnectionFailure("Connection reset by peer")

    plugin, _task = action(execute)
    run = _patch_run.PatchRun(_patch_run.PatchHost(plugin, {}), _patch.settings({}), "dnf", False)
    with pytest.raises(_patch_run.StepFailed) as info:
        run.run()
    assert info.value.unreachable is True
    assert str(info.value) == "Wait for the rpm lock failed: Connection reset by peer"


def test_an_rpm_lock_that_cannot_be_tried_is_a_warning_and_the_update_goes_on():
    results = {"fleetops.sophos.rpm_lock_wait": {"free": None, "problem": "cannot try the lock: Permission denied"},
               "ansible.builtin.dnf": {"results": ["Installed: a-2-1.noarch", "Removed: a-1-1.noarch"]}}
    plugin, _task = action(lambda task, name: dict(results[name]))
    outcome = _patch_run.PatchRun(_patch_run.PatchHost(plugin, {}), _patch.settings({}), "dnf", False).run()
    assert outcome["changes"] == ["a 1-1 -> 2-1"]
    assert outcome["warnings"] == ["the rpm lock could not be tried (cannot try the lock: Permission denied); "
                                   "dnf may wait for it without a bound"]


def test_a_failed_apt_plan_names_its_step_and_apt_is_not_run():
    calls = []

    def execute(task, name):
        calls.append(name)
        if name == "ansible.builtin.apt":
            return {"changed": False}
        return {"failed": True, "rc": 100, "msg": "E: Unable to lock"}

    plugin, _task = action(execute)
    with pytest.raises(_patch_run.StepFailed, match="^Let apt plan the upgrade failed: E: Unable to lock$"):
        _patch_run.PatchRun(_patch_run.PatchHost(plugin, {}), _patch.settings({}), "apt", False).run()
    assert calls == ["ansible.builtin.apt", "ansible.builtin.command"]
