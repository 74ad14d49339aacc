# -*- coding: utf-8 -*-
"""Replay tests of the patch action: the REAL action class patches a host of each family.

Only what lies beyond the controller is replaced: each module's result as the module returned it on a lab
host (tests/unit/fixtures/patch/*.json: ansible.builtin.dnf's upgrade and check run, community.general.zypper's
run past a broken repository, exit 106), the restart reading (the real reboot_facts action over a recorded
module result) and the win_updates action's result. Every module call is kept with the check and diff modes
the task had when it was made.
"""

from __future__ import absolute_import, division, print_function

import copy
from datetime import datetime, timezone
from unittest import mock

import pytest

from ansible.errors import AnsibleConnectionFailure
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.fleetops.sophos.plugins.action import patch as patch_action
from ansible_collections.fleetops.sophos.plugins.action.patch import ActionModule
from ansible_collections.fleetops.sophos.plugins.action.reboot_facts import ActionModule as FactsAction
from ansible_collections.fleetops.sophos.tests.unit import fixture_files
from ansible_collections.fleetops.sophos.tests.unit.readings import probe

SIMULATION = """NOTE: This is only a simulation!
Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
Conf libssl3 (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
"""
WIN_UPDATES = {"7f1c": {"title": "2026-11 Cumulative Update for Windows Server 2022", "kb": ["5046616"]}}


def recorded(name):
    return fixture_files.load("patch", name + ".json")


def reading(reboot_required, reasons=()):
    return {"schema": 1, "reboot_required": reboot_required,
            "reasons": [{"id": r, "source": "os", "strong": True, "detail": "replay"} for r in reasons],
            "sophos": {"installed": True}, "os": {"family": "linux", "boot_id": "boot-0"}, "read_errors": []}


class Host:
    """A lab-less host: each module's recorded result; ``after`` is the reading once it has changed."""

    def __init__(self, family, results=None, after=None, lost=()):
        self.family = family
        self.results = dict(results or {})
        self.after = after if after is not None else reading(False)
        self.lost = set(lost)
        self.calls = []  # (module, args, check mode, diff) as the task had them
        self.reads = []

    def module(self, task, name, args):
        self.calls.append((name, copy.deepcopy(args), task.check_mode, task.diff))
        if name in self.lost:
            raise AnsibleConnectionFailure("Failed to connect to the host via ssh: Connection reset by peer")
        if name == "fleetops.sophos.reboot_facts":
            self.reads.append(copy.deepcopy(args))
            return {"changed": False, "ansible_facts": {"sophos_reboot": copy.deepcopy(self.after)}}
        if name == "fleetops.sophos.win_reboot_probe":  # a Windows reading: a recorded probe, assessed for real
            self.reads.append(copy.deepcopy(args))
            return probe("endpoint-clean")
        assert name in self.results, "the action ran %s, which this host has no result for" % name
        return copy.deepcopy(self.results[name])

    def names(self):
        return [call[0] for call in self.calls]


class Loader:
    """The shared action loader: the real reboot_facts action, a recorded win_updates action."""

    def __init__(self, host):
        self.host = host

    def get(self, name, task, connection, play_context, loader, templar, shared_loader_obj):
        if name == "fleetops.sophos.reboot_facts":
            plugin = FactsAction(task, connection, play_context, loader=None, templar=None, shared_loader_obj=None)
            plugin._execute_module = lambda module_name, module_args, task_vars: self.host.module(
                task, module_name, module_args)
            return plugin
        inner = mock.MagicMock()
        inner.run.side_effect = lambda task_vars=None: self.host.module(task, name, task.args)
        return inner


def run(host, args=None, check_mode=False, facts=None, async_val=0):
    """The action's result and the lines it showed, for HOST with task ARGS and the play's FACTS."""
    task = Task()
    task.args = dict(args or {})
    task.check_mode = check_mode
    task.diff = False
    task.async_val = async_val
    connection = mock.MagicMock()
    windows = host.family == "Windows"
    connection._shell.SHELL_FAMILY = "powershell" if windows else "sh"
    connection._shell._IS_WINDOWS = windows
    shared = mock.MagicMock()
    shared.action_loader = Loader(host)
    plugin = ActionModule(task, connection, PlayContext(), loader=None, templar=None, shared_loader_obj=shared)
    plugin._shared_loader_obj = shared
    plugin._execute_module = lambda module_name, module_args, task_vars: host.module(task, module_name, module_args)
    if facts is None:
        facts = {"os_family": host.family} if host.family in ("Debian", "RedHat", "Suse", "Solaris") else {}
    lines, warnings = [], []
    display = mock.MagicMock()
    display.display.side_effect = lambda msg, *a, **k: lines.append(msg)
    display.warning.side_effect = lambda msg, *a, **k: warnings.append(msg)
    with mock.patch("ansible.plugins.action.ActionBase.run", side_effect=lambda *a, **k: {}), \
            mock.patch.object(patch_action, "display", display):
        result = plugin.run(task_vars={"inventory_hostname": "srv1", "ansible_facts": facts})
    # the task's modes are the play's again after the action
    assert task.check_mode is check_mode and task.diff is False
    return result, lines, warnings


def lock_free():
    return {"changed": False, "free": True, "waited": 0.0, "holder_pid": None, "holder_command": None, "problem": None}


# ---------------------------------------------------------------- every family, one record shape

def test_debian_upgrades_what_apt_planned_and_reads_the_restart_state():
    host = Host("Debian", {"ansible.builtin.apt": {"changed": True},
                           "ansible.builtin.command": {"rc": 0, "stdout": SIMULATION}},
                after=reading(True, ["reboot_required_file"]))
    result, lines, _warnings = run(host, {"exclude": "bash", "lock_timeout": "30", "ignore_reasons": "pending_file_rename"},
                                   facts={"os_family": "Debian", "sophos_reboot": reading(False)})
    record = result["sophos_patch"]
    assert record["status"] == "patched" and record["manager"] == "apt"
    assert record["changes"] == ["libssl3 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2"]
    assert record["reboot_required"] is True and result["changed"] is True
    assert host.names() == ["ansible.builtin.apt", "ansible.builtin.command", "ansible.builtin.apt",
                            "fleetops.sophos.reboot_facts"]
    refresh, plan, upgrade = host.calls[:3]
    assert refresh[1] == {"update_cache": True, "cache_valid_time": 0, "lock_timeout": 30}
    assert plan[1] == {"argv": ["env", "LC_ALL=C", "apt-get", "--simulate", "-o", "Debug::NoLocking=true",
                                "dist-upgrade"]}
    assert upgrade[1] == {"name": ["libssl3"], "state": "latest", "only_upgrade": True, "lock_timeout": 30}
    assert result["ansible_facts"]["sophos_reboot"]["reboot_required"] is True
    assert host.reads == [{"ignore_reasons": ["pending_file_rename"], "previous_facts": reading(False)}]
    assert lines == ["srv1: patch installed 1 update(s) with apt: libssl3 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2"]


def test_debian_check_mode_refreshes_and_plans_for_real_and_installs_nothing():
    host = Host("Debian", {"ansible.builtin.apt": {"changed": False},
                           "ansible.builtin.command": {"rc": 0, "stdout": SIMULATION}})
    result, _lines, _warnings = run(host, check_mode=True, facts={"os_family": "Debian", "sophos_reboot": reading(False)})
    record = result["sophos_patch"]
    assert record["status"] == "unchanged" and record["check_mode"] is True and record["changes"] == []
    assert len(record["would_install"]) == 2 and record["message"] == "would install 2 update(s) with apt"
    # the refresh and the plan ran outside check mode; no upgrade, no new reading
    assert [(name, check) for name, _args, check, _diff in host.calls] == [
        ("ansible.builtin.apt", False), ("ansible.builtin.command", False)]
    assert result["changed"] is False


def test_dnf_counts_what_it_installed_and_not_the_versions_it_replaced():
    host = Host("RedHat", {"fleetops.sophos.rpm_lock_wait": lock_free(),
                           "ansible.builtin.dnf": recorded("dnf_upgrade")},
                after=reading(True, ["needs_restarting"]))
    result, _lines, _warnings = run(host, {"security_only": "yes", "exclude": ["fleetops-held"]})
    record = result["sophos_patch"]
    # ansible.builtin.dnf listed 4 "Installed:" and 3 "Removed:" lines: 3 upgrades and an install-only kernel
    assert record["changes"] == ["fleetops-sec 1.0-1 -> 2.0-1", "kernel 2.0-1", "fleetops-demo 1.0-1 -> 2.0-1",
                                 "fleetops-held 1.0-1 -> 2.0-1"]
    assert record["removed"] == [] and record["message"] == "installed 4 update(s) with dnf"
    assert record["status"] == "patched" and record["reboot_required"] is True
    assert host.names() == ["fleetops.sophos.rpm_lock_wait", "ansible.builtin.dnf", "fleetops.sophos.reboot_facts"]
    assert host.calls[0][1] == {"path": "/var/lib/rpm/.rpm.lock", "timeout": 120}
    assert host.calls[1][1] == {"name": "*", "state": "latest", "update_only": True, "security": True,
                                "exclude": ["fleetops-held"], "lock_timeout": 120}


def test_dnf_check_mode_lists_what_it_would_install():
    host = Host("RedHat", {"fleetops.sophos.rpm_lock_wait": lock_free(), "ansible.builtin.dnf": recorded("dnf_check")})
    record = run(host, check_mode=True, facts={"os_family": "RedHat", "sophos_reboot": reading(False)})[0]["sophos_patch"]
    assert record["status"] == "unchanged" and record["changes"] == [] and len(record["would_install"]) == 4
    assert host.calls[1][2] is True  # dnf itself ran in check mode
    assert "fleetops.sophos.reboot_facts" not in host.names()


def test_a_held_rpm_lock_fails_the_host_naming_the_lock_and_changes_nothing():
    held = {"changed": False, "free": False, "waited": 5.0, "holder_pid": 4242, "holder_command": "python3",
            "problem": None}
    host = Host("RedHat", {"fleetops.sophos.rpm_lock_wait": held})
    result, lines, _warnings = run(host, {"lock_timeout": 5})
    record = result["sophos_patch"]
    assert record["status"] == "failed" and record["manager"] == "dnf" and record["changes"] == []
    assert record["message"] == ("Wait for the rpm lock failed: the rpm database is locked: /var/lib/rpm/.rpm.lock is "
                                 "held by process 4242 (python3), still after patch_lock_timeout (5 s); nothing was "
                                 "changed")
    assert host.names() == ["fleetops.sophos.rpm_lock_wait"]  # dnf never ran
    assert result["changed"] is False and lines[0].startswith("srv1: patch Wait for the rpm lock failed")


def test_zypper_past_a_skipped_repository_is_done_with_a_warning_naming_it():
    host = Host("Suse", {"fleetops.sophos.rpm_lock_wait": lock_free(),
                         "community.general.zypper": recorded("zypper_skipped_repo")},
                after=reading(True, ["zypper_needs_rebooting"]))
    result, _lines, warnings = run(host)
    record = result["sophos_patch"]
    assert record["status"] == "patched" and not result.get("failed")
    assert record["changes"] == ["fleetops-demo 1.0-1 -> 2.0-1", "fleetops-held 1.0-1 -> 2.0-1",
                                 "fleetops-sec 1.0-1 -> 2.0-1", "kernel 1.0-1 -> 2.0-1"]
    assert len(record["warnings"]) == 1 and "'fleetops lab (broken metadata)'" in record["warnings"][0]
    assert "exit 106" in record["warnings"][0]
    assert warnings == ["srv1: " + record["warnings"][0]]
    # zypper lists its changes only in its diff: asked for whatever the play says
    zypper = host.calls[1]
    assert zypper[0] == "community.general.zypper" and zypper[3] is True
    assert zypper[1] == {"name": "*", "state": "latest", "type": "package"}


def test_zypper_failing_otherwise_fails_with_its_own_words():
    failed = {"failed": True, "rc": 4, "msg": "Zypper run failed.",
              "stdout": '<stream><message type="error">Problem retrieving files from &apos;lab&apos;.</message></stream>'}
    host = Host("Suse", {"fleetops.sophos.rpm_lock_wait": lock_free(), "community.general.zypper": failed})
    result = run(host, {"security_only": True})[0]
    record = result["sophos_patch"]
    assert record["status"] == "failed"
    assert record["message"] == "Upgrade the packages with zypper failed: Zypper run failed. Problem retrieving files from 'lab'."
    assert host.calls[1][1] == {"name": "*", "state": "latest", "type": "patch", "extra_args": "--category security"}


def test_suse_refuses_an_exclusion_of_security_patches_before_anything_runs():
    host = Host("Suse")
    record = run(host, {"exclude": "fleetops-held", "security_only": True})[0]["sophos_patch"]
    assert record["status"] == "failed"
    assert "patch_exclude with patch_security_only is not supported on SUSE" in record["message"]
    assert host.calls == []


def test_suse_keeps_an_exclusion_upgrading_the_other_packages_by_name():
    """community.general.zypper has no exclusion: zypper lists its updates (read-only, whatever the play's check
    mode), the excluded ones are left out, the others upgraded by name (results recorded on a lab SUSE host)."""
    results = {"fleetops.sophos.rpm_lock_wait": lock_free(), "ansible.builtin.command": recorded("zypper_list_updates"),
               "community.general.zypper": recorded("zypper_upgrade_named")}
    host = Host("Suse", results, after=reading(True, ["zypper_needs_rebooting"]))
    record = run(host, {"exclude": "fleetops-held\nfleetops-demo"})[0]["sophos_patch"]
    assert record["status"] == "patched", record
    assert record["changes"] == ["fleetops-sec 1.0-1 -> 2.0-1", "kernel 1.0-1 -> 2.0-1"]
    listing, upgrade = host.calls[1], host.calls[2]
    assert listing == ("ansible.builtin.command", {"argv": ["zypper", "--non-interactive", "--xmlout", "list-updates"]},
                       False, False)
    assert upgrade[:2] == ("community.general.zypper", {"name": ["fleetops-sec", "kernel"], "state": "latest",
                                                        "type": "package"}) and upgrade[3] is True
    # Check mode: the list is read all the same, zypper runs in check mode.
    checked = Host("Suse", results)
    record = run(checked, {"exclude": "fleetops-held"}, check_mode=True)[0]["sophos_patch"]
    assert [(c[0], c[2]) for c in checked.calls[1:3]] == [("ansible.builtin.command", False),
                                                          ("community.general.zypper", True)]
    assert record["status"] == "unchanged" and record["check_mode"]


def test_suse_with_every_update_excluded_runs_no_upgrade():
    host = Host("Suse", {"fleetops.sophos.rpm_lock_wait": lock_free(),
                         "ansible.builtin.command": recorded("zypper_list_updates")})
    record = run(host, {"exclude": ["fleetops-*", "kernel"]})[0]["sophos_patch"]
    assert record["status"] == "unchanged" and record["changes"] == []
    assert "community.general.zypper" not in host.names()


def test_suse_whose_update_list_fails_fails_naming_the_step():
    failed = {"failed": True, "rc": 7, "msg": "non-zero return code",
              "stdout": '<stream><message type="error">System management is locked.</message></stream>'}
    host = Host("Suse", {"fleetops.sophos.rpm_lock_wait": lock_free(), "ansible.builtin.command": failed})
    record = run(host, {"exclude": "x"})[0]["sophos_patch"]
    assert record["status"] == "failed"
    assert record["message"] == ("List the zypper updates failed: non-zero return code System management is locked.")
    assert "community.general.zypper" not in host.names()


def test_windows_through_the_win_updates_action():
    host = Host("Windows", {"ansible.windows.win_updates": {
        "changed": True, "updates": WIN_UPDATES, "reboot_required": True, "rebooted": False}})
    result = run(host, {"security_only": "true", "exclude": ["KB5040000"], "win_reboot_timeout": "900"})[0]
    record = result["sophos_patch"]
    assert record["changes"] == ["2026-11 Cumulative Update for Windows Server 2022 (KB5046616)"]
    assert record["manager"] == "win_updates" and record["reboot_required"] is True
    assert host.calls[0][1] == {"category_names": ["SecurityUpdates", "CriticalUpdates"], "state": "installed",
                                "reboot": False, "reboot_timeout": 900, "reject_list": ["KB5040000"]}


def test_nothing_to_do_keeps_the_reading_the_play_has():
    host = Host("RedHat", {"fleetops.sophos.rpm_lock_wait": lock_free(),
                           "ansible.builtin.dnf": {"changed": False, "msg": "Nothing to do", "rc": 0, "results": []}})
    result = run(host, facts={"os_family": "RedHat", "sophos_reboot": reading(False)})[0]
    record = result["sophos_patch"]
    assert record["status"] == "unchanged" and record["message"] == "no update to install with dnf"
    assert record["reboot_required"] is False and "ansible_facts" not in result
    assert "fleetops.sophos.reboot_facts" not in host.names()


def test_the_family_is_gathered_when_the_play_has_none():
    host = Host("", {"ansible.builtin.setup": {"ansible_facts": {"ansible_os_family": "Debian"}},
                     "ansible.builtin.apt": {"changed": False},
                     "ansible.builtin.command": {"rc": 0, "stdout": ""}})
    result = run(host, facts={})[0]
    assert host.calls[0][:2] == ("ansible.builtin.setup", {"gather_subset": ["min"]})
    assert result["sophos_patch"]["manager"] == "apt" and result["ansible_facts"]["ansible_os_family"] == "Debian"
    # no reading yet: one is made though nothing changed
    assert host.names()[-1] == "fleetops.sophos.reboot_facts"


def test_an_unknown_family_fails_naming_it():
    host = Host("Solaris")
    record = run(host)[0]["sophos_patch"]
    assert record["status"] == "failed" and record["manager"] is None
    assert "does not support the OS family Solaris" in record["message"] and host.calls == []


# ---------------------------------------------------------------- options, a disabled host, a lost host

def test_survey_strings_are_taken_and_a_bad_value_fails_naming_the_variable():
    host = Host("Debian")
    result = run(host, {"enabled": "sometimes", "lock_timeout": "-1"})[0]
    assert result["failed"] and "sophos_patch" not in result and host.calls == []
    assert result["msg"].startswith("Invalid options for patch: patch_enabled must be true or false")
    result = run(host, {"nonsense": 1})[0]
    assert result["failed"] and "nonsense" in result["msg"]
    # ignore_reasons reaches reboot_facts only after a change: it is checked before anything runs
    result = run(host, {"ignore_reasons": {"not": "a list"}})[0]
    assert result["failed"] and "ignore_reasons" in result["msg"] and host.calls == []


def test_disabled_is_skipped_without_touching_the_host():
    host = Host("Debian")
    result = run(host, {"enabled": "false"})[0]
    assert result["sophos_patch"]["status"] == "skipped" and result["sophos_patch"]["message"] == "patch_enabled is false"
    assert host.calls == [] and not result.get("failed")


def test_a_host_lost_while_patching_is_unreachable_with_a_failed_record():
    host = Host("RedHat", {"fleetops.sophos.rpm_lock_wait": lock_free()}, lost={"ansible.builtin.dnf"})
    result = run(host)[0]
    assert result["unreachable"] is True and result["sophos_patch"]["status"] == "failed"
    assert "Connection reset by peer" in result["sophos_patch"]["message"]


def test_async_is_refused():
    result = run(Host("Debian"), async_val=60)[0]
    assert result["failed"] and "async" in result["msg"]


@pytest.mark.parametrize("family", ["Debian", "RedHat", "Suse", "Windows"])
def test_every_family_gives_the_same_record_shape(family):
    results = {"ansible.builtin.apt": {}, "ansible.builtin.command": {"stdout": ""},
               "fleetops.sophos.rpm_lock_wait": lock_free(), "ansible.builtin.dnf": {"results": []},
               "community.general.zypper": {}, "ansible.windows.win_updates": {"updates": {}}}
    record = run(Host(family, results))[0]["sophos_patch"]
    assert sorted(record) == ["changes", "check_mode", "manager", "message", "reboot_required", "rebooted",
                              "removed", "status", "warnings", "would_install"]
    assert record["status"] == "unchanged"


# ---------------------------------------------------------------- waiting for the window's start (wait_until)

NOW = datetime(2026, 11, 28, 1, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("check_mode", [False, True])
def test_patching_waits_for_the_window_start_on_the_controller_and_check_mode_only_says_so(check_mode):
    """maintenance_patch_before_window=false: the step waits until the start, then patches; no separate task."""
    host = Host("Debian", {})
    slept = []
    with mock.patch.object(ActionModule, "_now", staticmethod(lambda: NOW)), \
            mock.patch.object(ActionModule, "_sleep", staticmethod(slept.append)):
        result, lines, _warnings = run(host, {"enabled": False, "wait_until": "2026-11-28T01:02:00.5Z"},
                                       check_mode=check_mode)
    assert result["sophos_patch"]["status"] == "skipped" and not result.get("failed")
    if check_mode:
        assert slept == [] and ("srv1: patch check mode: patching would wait until 2026-11-28T01:02:00.5Z "
                                "(the window's start)") in lines
    else:
        assert slept == [121] and lines[0] == ("srv1: patch waits until 2026-11-28T01:02:00.5Z (the window's "
                                               "start), 2m01s from now")


@pytest.mark.parametrize("moment", ["", "2026-11-28T00:59:59Z"])
def test_a_start_that_has_come_does_not_wait(moment):
    host = Host("Debian", {})
    slept = []
    with mock.patch.object(ActionModule, "_now", staticmethod(lambda: NOW)), \
            mock.patch.object(ActionModule, "_sleep", staticmethod(slept.append)):
        result, lines, _warnings = run(host, {"enabled": False, "wait_until": moment})
    assert slept == [] and not any("wait" in line for line in lines) and not result.get("failed")


def test_a_bad_wait_until_fails_before_anything_changes():
    host = Host("Debian", {})
    result, _lines, _warnings = run(host, {"wait_until": "tomorrow"})
    assert result["failed"] and result["msg"].startswith("Invalid options for patch: wait_until 'tomorrow'")
    assert "sophos_patch" not in result and host.calls == []
