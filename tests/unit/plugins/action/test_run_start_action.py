# -*- coding: utf-8 -*-
"""The fleetops.sophos.run_start action (plugins/action/run_start.py) through its real class: the first batch checks the
run and names every problem at once; later batches take back what the first found (``earlier``) and check only the
groups and tiers; what it prints; the facts playbook's check."""

from __future__ import absolute_import, division, print_function

import json
from datetime import datetime, timezone
from unittest import mock

import pytest

from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.fleetops.sophos.plugins.action import run_start as action
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _run_start

NOW = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)
HOSTS = ("web1", "web2", "db1")


class Shown(object):
    def __init__(self):
        self.lines, self.warnings = [], []

    def display(self, line, color=None):
        self.lines.append(line)

    def warning(self, line):
        self.warnings.append(line)


@pytest.fixture
def shown(monkeypatch):
    screen = Shown()
    monkeypatch.setattr(action, "display", screen)
    return screen


def call(args, hostvars, batch=None, hosts=HOSTS, first=None):
    task = Task()
    task.args = args
    plugin = action.ActionModule(task, mock.MagicMock(), PlayContext(), loader=None, templar=None,
                                 shared_loader_obj=None)
    plugin._now = lambda: NOW
    task_vars = {"hostvars": hostvars, "ansible_play_hosts_all": list(hosts),
                 "ansible_play_batch": list(batch if batch is not None else hosts),
                 "inventory_hostname": first or (batch or hosts)[0], "playbook_dir": "/nowhere"}
    with mock.patch("ansible.plugins.action.ActionBase.run", return_value={}):
        return plugin.run(task_vars=task_vars)


def fleet(**extra):
    return dict((host, dict({"reboot_cycle_window_end": "PT4H", "maintenance_hosts": "all"}, **extra))
                for host in HOSTS)


def test_the_first_batch_checks_the_run_and_says_the_window_and_the_batch(shown, tmp_path):
    result = call({"playbook": "maintenance", "report_dir": str(tmp_path)}, fleet(), batch=HOSTS[:2])
    assert not result.get("failed"), result.get("msg")
    start = result["start"]
    assert start["run_started"] == "2026-12-01T08:40:00Z" and start["run"]["window_end"] == "2026-12-01T12:40:00Z"
    assert (start["batch"], start["hosts_started"], start["playbook"]) == (1, 2, "maintenance")
    assert result["run"] is start["run"] and result["staged"] is False
    assert result["batch_hosts"] == ["web1", "web2"]
    assert shown.lines == result["lines"] == [
        start["durations"]["line"], start["run"]["window_line"], "batch 1: web1, web2 (2 of 3 host(s), 0 done before it)"]
    assert start["durations"]["line"].endswith("none; 3 host(s) on the defaults")
    # what the playbook keeps on localhost goes back through a template and JSON
    assert json.loads(json.dumps(start)) == start


def test_a_restart_only_run_says_so_once(shown):
    result = call({"playbook": "restart"}, fleet())
    assert action.RESTART_ONLY in result["lines"] and result["lines"].index(action.RESTART_ONLY) == 1
    later = call({"playbook": "restart", "earlier": result["start"]}, fleet())
    assert action.RESTART_ONLY not in later["lines"]


def test_a_later_batch_takes_back_the_first_batchs_check_and_counts_on(shown, monkeypatch):
    first = call({"playbook": "maintenance"}, fleet(), batch=HOSTS[:2])
    monkeypatch.setattr(_run_start, "check", lambda *args: pytest.fail("the run was checked again"))
    monkeypatch.setattr(_run_start, "durations", lambda *args: pytest.fail("the durations were read again"))
    shown.lines[:] = []
    second = call({"playbook": "maintenance", "earlier": first["start"]}, fleet(), batch=HOSTS[2:])
    assert not second.get("failed"), second.get("msg")
    assert second["start"]["run"] == first["start"]["run"] and second["start"]["durations"] == first["start"]["durations"]
    assert (second["start"]["batch"], second["start"]["hosts_started"]) == (2, 3)
    assert shown.lines == ["batch 2: db1 (1 of 3 host(s), 2 done before it)"]


def test_every_problem_of_the_settings_groups_and_tiers_is_named_at_once_and_nothing_is_returned_to_go_on(shown):
    hostvars = fleet(reboot_cycle_max_cycle=3)
    hostvars["web1"].update(reboot_cycle_group="pair", reboot_cycle_group_max_down=1)
    hostvars["web2"].update(reboot_cycle_group="pair", reboot_cycle_group_max_down=2)
    hostvars["db1"].update(reboot_cycle_tier="high")
    result = call({"playbook": "maintenance"}, hostvars)
    assert result["failed"] and result["msg"] == (
        "3 problem(s) in the settings, each on a 'problem:' line above; no host was touched")
    problems = [line[len("problem: "):] for line in shown.lines]
    assert shown.lines == ["problem: " + problem for problem in problems]
    assert [problem.split(" ")[0] for problem in problems] == ["unknown", "the", "db1:"]
    assert "reboot_cycle_max_cycles" in problems[0] and "pair" in problems[1]
    # each named once: the failed result, which Ansible prints, does not repeat them
    assert not any(problem in json.dumps(result) for problem in problems)
    assert "start" not in result and "staged" not in result


def test_a_later_batch_still_checks_the_groups(shown):
    first = call({"playbook": "maintenance"}, fleet())
    hostvars = fleet()
    hostvars["db1"]["reboot_cycle_tier_on_failure"] = "maybe"
    later = call({"playbook": "maintenance", "earlier": first["start"]}, hostvars)
    assert later["failed"] and shown.lines[-1] == (
        "problem: db1: reboot_cycle_tier_on_failure must be one of stop|continue, got 'maybe'")


@pytest.mark.parametrize("variables", [{"reboot_cycle_tier": 1}, {"reboot_cycle_after_cycle_tasks": "/nowhere.yml"}])
def test_a_batch_with_a_tier_or_a_hook_runs_the_role(shown, variables, tmp_path):
    if "reboot_cycle_after_cycle_tasks" in variables:
        hook = tmp_path / "hook.yml"
        hook.write_text("- ansible.builtin.debug:\n    msg: hi\n")
        variables = {"reboot_cycle_after_cycle_tasks": str(hook)}
    hostvars = fleet()
    hostvars["web2"].update(variables)
    result = call({"playbook": "maintenance"}, hostvars)
    assert not result.get("failed"), result.get("msg")
    assert result["staged"] is True
    assert call({"playbook": "maintenance"}, hostvars, batch=["web1"])["staged"] is False


def test_the_forks_warning_is_printed(shown):
    hostvars = dict((host, {"reboot_cycle_group": "all-of-them"}) for host in HOSTS)
    with mock.patch.object(action.context, "CLIARGS", {"forks": 2}):
        result = call({"playbook": "restart"}, hostvars)
    assert not result.get("failed") and len(shown.warnings) == 1 and "forks (2)" in shown.warnings[0]


def test_the_facts_playbook_checks_the_event_time_for_its_one_host(shown):
    variables = {"facts_hosts": "web1", "facts_restart_required_at": "2026-12-01T08:39:00+01:00"}
    result = call({"playbook": "facts"}, {"web1": variables}, hosts=["web1"])
    assert not result.get("failed"), result.get("msg")
    assert result["run"]["restart_required_at"] == "2026-12-01T07:39:00Z" and "staged" not in result
    bad = call({"playbook": "facts"}, {"web1": variables, "web2": {}}, hosts=["web1", "web2"])
    assert bad["failed"] and shown.lines[-1].startswith("problem: facts_restart_required_at"), shown.lines


@pytest.mark.parametrize("args, message", [
    ({}, "missing required arguments: playbook"),
    ({"playbook": "site"}, "value of playbook must be one of: facts, maintenance, restart, got: site"),
    ({"playbook": "maintenance", "earlier": {"batch": 1}}, "earlier must be the start an earlier batch's call returned"),
    ({"playbook": "maintenance", "bogus": 1}, "bogus"),
])
def test_bad_options_are_named(shown, args, message):
    result = call(args, fleet())
    assert result["failed"] and message in result["msg"], result["msg"]
    assert shown.lines == []


def test_an_earlier_start_of_another_playbook_is_refused(shown):
    first = call({"playbook": "facts"}, fleet())
    result = call({"playbook": "maintenance", "earlier": first["start"]}, fleet())
    assert result["failed"] and "earlier must be the start" in result["msg"]
