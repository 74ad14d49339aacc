"""The reboot_facts action plugin: option validation, dispatch by shell, recorded probe output."""
import json
import os
from unittest import mock

import pytest

from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.fleetops.sophos.plugins.action.reboot_facts import ActionModule

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "reboot_facts", "windows")


def recorded(name):
    with open(os.path.join(FIXTURES, "probe.%s.json" % name), encoding="utf-8") as handle:
        return json.load(handle)


def action(args, shell_family, module_result):
    task = Task()
    task.args = args
    task.check_mode = False
    connection = mock.MagicMock()
    connection._shell.SHELL_FAMILY = shell_family
    connection._shell._IS_WINDOWS = shell_family == "powershell"
    plugin = ActionModule(task, connection, PlayContext(), loader=None, templar=None, shared_loader_obj=None)
    plugin._execute_module = mock.MagicMock(return_value=module_result)
    return plugin


def run(plugin, task_vars=None):
    with mock.patch("ansible.plugins.action.ActionBase.run", return_value={}):
        return plugin.run(task_vars=task_vars or {})


def test_windows_runs_the_probe_once_and_assesses_on_the_controller():
    plugin = action({"pending_file_rename": "strong"}, "powershell", recorded("os-reasons"))
    result = run(plugin)
    plugin._execute_module.assert_called_once()
    call = plugin._execute_module.call_args.kwargs
    assert call["module_name"] == "fleetops.sophos.win_reboot_probe"
    assert call["module_args"] == {"sophos_registry_roots": ["SOFTWARE\\WOW6432Node\\Sophos", "SOFTWARE\\Sophos"]}
    facts = result["ansible_facts"]["sophos_reboot"]
    assert result["changed"] is False and not result.get("failed")
    assert facts["os"]["family"] == "windows" and facts["reboot_required"] is True
    assert [r["strong"] for r in facts["reasons"] if r["id"] == "pending_file_rename"] == [True]


def test_windows_previous_facts_from_task_vars_give_queued_evidence():
    before = run(action({}, "powershell", dict(recorded("reboot-dword"), last_boot="2026-10-01T00:00:00Z")))
    previous = before["ansible_facts"]["sophos_reboot"]
    after = run(action({}, "powershell", recorded("reboot-dword")), {"ansible_facts": {"sophos_reboot": previous}})
    evidence = after["ansible_facts"]["sophos_reboot"]["sophos"]["queued_update"]["evidence"]
    assert evidence == ["Sophos reboot flag set again after a restart (previous boot 2026-10-01T00:00:00Z)"]


def test_windows_probe_failure_is_reported():
    plugin = action({}, "powershell", {"failed": True, "msg": "Access is denied", "module_stderr": "boom"})
    result = run(plugin)
    assert result["failed"] is True and result["msg"] == "Windows probe failed: Access is denied"
    assert result["module_stderr"] == "boom" and "ansible_facts" not in result


def test_linux_runs_the_module_with_previous_facts():
    module_result = {"changed": False, "ansible_facts": {"sophos_reboot": {"schema": 1}}}
    plugin = action({"alert_days": 7}, "sh", module_result)
    previous = {"schema": 1, "reboot_required": True}
    result = run(plugin, {"ansible_facts": {"sophos_reboot": previous}})
    call = plugin._execute_module.call_args.kwargs
    assert call["module_name"] == "fleetops.sophos.reboot_facts"
    assert call["module_args"] == {"alert_days": 7, "previous_facts": previous}
    assert result["ansible_facts"] == module_result["ansible_facts"] and result["changed"] is False


@pytest.mark.parametrize("args,message", [
    ({"alert_days": 0}, "alert_days must be greater than 0, got 0"),
    ({"alert_days": "soon"}, "alert_days"),
    ({"pending_file_rename": "maybe"}, "pending_file_rename must be one of: weak, strong, ignore"),
    ({"ignore_reasons": ["reboot_pending"]}, "ignore_reasons must be one or more of"),
    ({"sophos_dir": "relative/dir"}, "sophos_dir must be an absolute path"),
    ({"sophos_registry_roots": ["HKLM:\\SOFTWARE\\Sophos"]}, "sophos_registry_roots entries are key paths"),
    ({"unknown_option": 1}, "unknown_option"),
])
@pytest.mark.parametrize("family", ["sh", "powershell"])
def test_invalid_options_fail_before_anything_runs(args, message, family):
    plugin = action(args, family, {})
    result = run(plugin)
    assert result["failed"] is True and message in result["msg"]
    assert result["msg"].startswith("Invalid options for reboot_facts")
    plugin._execute_module.assert_not_called()


def test_windows_probe_warnings_reach_the_task_result():
    probe = dict(recorded("read-failures"), warnings=["os:last_boot: Access denied"])
    result = run(action({}, "powershell", probe))
    assert result["warnings"] == ["os:last_boot: Access denied"]
    assert "warnings" not in run(action({}, "powershell", recorded("endpoint-clean")))


def test_windows_probe_sccm_and_uninstall_readings_reach_assess():
    with mock.patch("ansible_collections.fleetops.sophos.plugins.action.reboot_facts.assess", return_value={}) as assess:
        run(action({}, "powershell", recorded("os-reasons")))
    raw = assess.call_args.args[0]
    assert raw["sccm"] == {"reboot_pending": True, "hard_reboot_pending": False}
    assert set(raw["uninstall"]) == {"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
                                     "SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"}
