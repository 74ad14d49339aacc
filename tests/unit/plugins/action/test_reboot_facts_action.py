"""The reboot_facts action plugin: option validation, dispatch by shell, recorded probe output."""
from unittest import mock

import pytest

from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.fleetops.sophos.plugins.action.reboot_facts import ActionModule
from ansible_collections.fleetops.sophos.tests.unit.readings import probe


def recorded(name):
    return probe(name)


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


# ---------------------------------------------------------------- issue 23: recorded readings through the action, then plan()

def windows_facts(name, **changes):
    """A recorded probe result through the real action: the facts the cycle would read."""
    return run(action({}, "powershell", dict(recorded(name), **changes)))["ansible_facts"]["sophos_reboot"]


def after_restart(facts, settle_ended=True):
    """plan()'s decision on a reading taken after one restart of the cycle and its settle."""
    from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
    now = _time.parse_time(facts["checked_at"], "now")
    state = _cycle.restarted(_cycle.start(facts, _cycle.normalize_settings({}), now), facts, now)
    state["settled"] = settle_ended
    return _cycle.plan(facts, state, now)


def settle(facts):
    from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
    return _cycle.settle_state(facts, _cycle.normalize_settings({}), _time.parse_time(facts["checked_at"], "now"))


def test_a_service_that_never_starts_after_the_restart_is_not_clean():
    """Point 1: 6 min after boot, inside the start-up grace, a stopped Automatic service reads ``starting``;
    the settle no longer ends on Sophos' finished update while it does, and the check refuses it."""
    facts = windows_facts("after-restart-scanner-stopped")
    assert facts["sophos"]["health"]["services"]["Sophos File Scanner Service"] == "starting"
    assert facts["sophos"]["updated_since_boot"] is True
    state = settle(facts)
    assert state["wait"] and state["waiting_for"] == "Sophos services to start: Sophos File Scanner Service"
    decision = after_restart(facts)
    assert (decision["step"], decision["status"]) == ("fail", "failed")
    assert decision["reason"] == ("after 1 restart(s): Sophos service(s) not running yet (starting): "
                                  "Sophos File Scanner Service")
    # Past the grace the same service is stopped, and health bad.
    later = windows_facts("after-restart-scanner-stopped", now="2026-11-27T08:20:00Z")
    assert later["sophos"]["health"]["overall"] == "bad"
    assert after_restart(later)["reason"] == ("after 1 restart(s): Sophos health is bad; Sophos service(s) not "
                                              "running: Sophos File Scanner Service")


def test_a_stopped_manual_service_is_no_failure_after_a_clean_restart():
    """Point 2: the cycle used to fail on any stopped service; assess() and the cycle share one rule now."""
    facts = windows_facts("after-restart-autoupdate-manual-stopped")
    assert facts["sophos"]["health"]["services"]["Sophos AutoUpdate Service"] == "stopped"
    assert facts["sophos"]["health"]["start_modes"]["Sophos AutoUpdate Service"] == "manual"
    assert facts["sophos"]["health"]["overall"] == "good"
    decision = after_restart(facts)
    assert (decision["step"], decision["status"]) == ("done", "rebooted")
    assert decision["reason"] == "clean after 1 restart(s), Sophos services running"


def test_sophos_health_lagging_after_boot_does_not_beat_the_live_services():
    """Point 5: right after boot Health\\Status still says bad and a service stopped that runs."""
    facts = windows_facts("after-restart-health-lagging")
    health = facts["sophos"]["health"]
    assert health["services"]["Sophos MCS Agent"] == "running"
    assert (health["detail"]["health"], health["overall"]) == ("bad", "unknown")
    state = settle(facts)
    assert state["wait"] and "Sophos Health" in state["waiting_for"]
    # A check made this early says what is not confirmed, not "bad".
    assert after_restart(facts)["reason"] == ("after 1 restart(s): Sophos Health still reports bad (it lags the "
                                              "services after boot)")
    # Past the grace Sophos Health's bad counts again.
    late = windows_facts("after-restart-health-lagging", now="2026-11-27T08:16:00Z")
    assert late["sophos"]["health"]["overall"] == "bad"
    assert after_restart(late)["reason"] == "after 1 restart(s): Sophos health is bad"


def test_health_and_is_updating_are_read_from_the_view_that_holds_them():
    """Point 6: health and IsUpdating in the other registry view than the newest LastUpdateTime."""
    facts = windows_facts("health-native-view")
    sophos = facts["sophos"]
    assert sophos["registry_view"] == "WOW6432Node" and sophos["last_update"] == "2025-11-24T16:00:00Z"
    assert sophos["health"]["detail"]["health"] == "bad" and sophos["health"]["overall"] == "bad"
    assert sophos["updating"] is True
    assert after_restart(facts)["step"] == "fail"


def test_a_restart_flag_of_a_form_not_understood_hides_the_reason():
    """Point 7: a read error used to leave the verdict false."""
    probe = recorded("reboot-dword")
    flags = probe["sophos"][0]["keys"]["AutoUpdate\\UpdateStatus\\VolatileFlags"]["values"]
    for value in ({"type": "String", "value": "0x1"}, {"type": "MultiString", "value": ["1"]}):
        flags["RebootRequired"] = value
        facts = run(action({}, "powershell", probe))["ansible_facts"]["sophos_reboot"]
        assert (facts["reboot_required"], facts["sophos"]["reboot_required"]) == (None, None)
        decision = after_restart(facts)
        assert decision["step"] == "fail" and decision["reason"].startswith("cannot read the restart state")
    flags["RebootRequired"] = {"type": "Binary", "value": [1, 0, 0, 0]}
    facts = run(action({}, "powershell", probe))["ansible_facts"]["sophos_reboot"]
    assert facts["reboot_required"] is True and facts["read_errors"] == []


def test_a_first_install_on_the_boot_day_is_unknown_and_dated_otherwise():
    """Points 4 and 8: the boot day is unknown, not "no"; a later date gives the reason a since."""
    probe = recorded("fresh-install")
    for root in probe["uninstall"].values():
        for child in root["children"].values():
            child["values"]["InstallDate"] = {"type": "String", "value": "20261130"}
    facts = run(action({}, "powershell", probe))["ansible_facts"]["sophos_reboot"]
    assert facts["reboot_required"] is None and facts["sophos"]["installed_since_boot"] is None
    fresh = windows_facts("fresh-install")
    assert (fresh["pending_since"], fresh["pending_since_source"]) == ("2026-11-30T10:00:00Z", "source")


def test_other_sophos_products_are_not_the_endpoint():
    """Point 10: Sophos Connect or STAS neither make the endpoint installed nor date its first install."""
    only = windows_facts("sophos-connect-only")
    assert only["sophos"]["installed"] is False and only["reboot_required"] is False
    assert only["read_errors"] == [] and only["sophos"]["health"]["services"] == {}
    beside = windows_facts("fresh-install-beside-sophos-connect")
    assert [r["id"] for r in beside["reasons"]] == ["sophos_installed_since_boot"]
    assert "Sophos Connect" not in beside["sophos"]["installed_at_source"]


def test_an_sccm_client_that_did_not_answer_is_unknown_not_no():
    """Point 11: a ReturnValue other than 0 and null properties used to read "no"."""
    facts = windows_facts("sccm-no-answer")
    source = "cim:ROOT\\ccm\\ClientSDK:CCM_ClientUtilities.DetermineIfRebootPending"
    assert (facts["reboot_required"], facts["unknown_sources"]) == (None, [source])
    assert facts["read_errors"] == [{"source": source, "error": "ReturnValue 2147749890: the client did not answer"}]
    answered = windows_facts("sccm-no-answer", sccm={"return_value": 0, "reboot_pending": None,
                                                     "hard_reboot_pending": False})
    assert answered["reboot_required"] is None and "not booleans" in answered["read_errors"][0]["error"]
    clean = windows_facts("sccm-no-answer", sccm={"return_value": 0, "reboot_pending": False,
                                                  "hard_reboot_pending": False})
    assert (clean["reboot_required"], clean["read_errors"]) == (False, [])


@pytest.mark.parametrize("key, value", [
    ("SOFTWARE\\Microsoft\\ServerManager", "CurrentRebootAttempts"),
    ("SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache", "RestartRequired")])
def test_a_server_manager_value_of_another_type_is_unknown(key, value):
    """Point 11: a value that is not a number gave neither a reason nor an error."""
    probe = recorded("endpoint-clean")
    probe["os_keys"][key]["values"][value] = {"type": "String", "value": "yes"}
    facts = run(action({}, "powershell", probe))["ansible_facts"]["sophos_reboot"]
    assert facts["reboot_required"] is None
    assert facts["read_errors"] == [{"source": "registry:HKLM\\%s\\%s" % (key, value), "error": "unexpected value 'yes'"}]


def test_an_upgrade_after_the_boot_is_not_a_first_install():
    """Point 3: an upgrade rewrites every InstallDate; the services' creation (event 7045) does not move."""
    facts = windows_facts("upgraded-after-boot")
    assert facts["reasons"] == [] and facts["reboot_required"] is False
    sophos = facts["sophos"]
    assert sophos["installed_since_boot"] is False
    assert sophos["installed_at_source"].startswith("eventlog:System:7045: ")
    assert "the System log reaches back to 2025-01-04T03:00:00Z" in sophos["installed_at_source"]


def test_a_first_install_is_timed_by_its_services_creation():
    """Point 3 (and 8): the earliest creation of the endpoint's services is the install instant."""
    facts = windows_facts("fresh-install-events")
    assert [r["id"] for r in facts["reasons"]] == ["sophos_installed_since_boot"]
    assert facts["sophos"]["installed_at"] == "2026-12-01T07:10:00Z"
    assert (facts["pending_since"], facts["pending_since_source"]) == ("2026-12-01T07:10:00Z", "source")


def test_a_wrapped_system_log_leaves_the_answer_to_the_install_dates():
    """The log reaches back only to after the boot and one service has no event: 7045 cannot tell."""
    probe = recorded("upgraded-after-boot")
    probe["service_installs"] = {"oldest": "2026-11-15T00:00:00Z", "events": [], "complete": True}
    facts = run(action({}, "powershell", probe))["ansible_facts"]["sophos_reboot"]
    assert facts["sophos"]["installed_since_boot"] is True  # InstallDate 20261120, after the boot
    probe["service_installs"] = {"error": "The RPC server is unavailable"}
    facts = run(action({}, "powershell", probe))["ansible_facts"]["sophos_reboot"]
    assert {"source": "eventlog:System:7045", "error": "The RPC server is unavailable"} in facts["read_errors"]
    assert facts["sophos"]["installed_since_boot"] is True


def test_services_created_after_the_boot_beside_an_older_install_date_is_unknown():
    probe = recorded("fresh-install-events")
    for root in probe["uninstall"].values():
        for child in root["children"].values():
            child["values"]["InstallDate"] = {"type": "String", "value": "20250310"}
    facts = run(action({}, "powershell", probe))["ansible_facts"]["sophos_reboot"]
    assert facts["reboot_required"] is None and facts["unknown_sources"] == ["eventlog:System:7045"]
    assert "cannot tell" in facts["sophos"]["installed_since_boot_note"]


def test_the_version_comes_from_the_other_view_when_the_chosen_one_lacks_it():
    """Point 6: the version was read from the chosen view only."""
    probe = recorded("health-native-view")
    wow, native = probe["sophos"][0]["keys"], probe["sophos"][1]["keys"]
    wow["AutoUpdate\\UpdateStatus\\Details"]["values"].pop("Version", None)
    wow["AutoUpdate"] = {"exists": False}
    version = {"ProductVersion": {"type": "String", "value": "3.1.2"}}
    native["AutoUpdate"] = {"exists": True, "subkeys": [], "values": version}
    facts = run(action({}, "powershell", probe))["ansible_facts"]["sophos_reboot"]
    assert (facts["sophos"]["registry_view"], facts["sophos"]["version"]) == ("WOW6432Node", "3.1.2")
