# -*- coding: utf-8 -*-
"""plugins/callback/interrupted.py: the report of a run that ends early, from what the run showed.

The callback is driven with the results a maintenance run hands callbacks (the report plan, facts read,
the cycle action's last result, set_fact results), then asked for the report as the controller exits.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import stat
from datetime import datetime, timezone

from ansible_collections.fleetops.sophos.plugins.callback import interrupted
from ansible_collections.fleetops.sophos.plugins.module_utils._report import history

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=timezone.utc)
HOSTS = ["web1", "web2", "web3"]
PENDING = {"reboot_required": True, "reasons": [{"id": "sophos_update_queued", "source": "sim", "detail": "x"}],
           "os": {"family": "Debian", "last_boot": "2026-11-01T00:00:00Z", "uptime_days": 36.1,
                  "reboot_required": False},
           "checked_at": "2026-12-07T02:01:00Z"}
CLEAN = dict(PENDING, reboot_required=False, reasons=[])
CYCLE = {"status": "ok", "restarts": 0, "boots": [], "settles": [], "message": "nothing pending",
         "started": "2026-12-07T02:02:00Z", "finished": "2026-12-07T02:02:01Z"}


def plan(tmp_path, formats=("json", "csv", "markdown", "html")):
    return {"hosts": HOSTS, "dir": str(tmp_path / "reports"), "formats": list(formats), "title": "Night run",
            "alert_days": 14.0, "max_text": 1000, "mode": "0640", "result_var": "maintenance_result"}


def started_run(tmp_path, **kwargs):
    """A memory that saw the plan, then batch 1 (web1, web2) start: both read, both past patching."""
    memory = interrupted.RunMemory()
    record = history.new_run("2026-12-07T02:00:00Z", "abcd1234", playbook="fleetops.sophos.maintenance")
    memory.task_started("web1", "Plan the run's report")
    memory.result("web1", {"ansible_facts": {"report_plan": plan(tmp_path, **kwargs), "report_run_record": record},
                           "_ansible_delegated_vars": {"ansible_host": "localhost"}})
    for host, facts in (("web1", PENDING), ("web2", CLEAN)):
        memory.task_started(host, "Guard the maintenance window")
        result = {"failed": False, "unreachable": False, "msg": None}
        memory.result(host, {"ansible_facts": {"maintenance_result": result}})
        memory.task_started(host, "fleetops.sophos.reboot_cycle : Read the host")
        memory.result(host, {"ansible_facts": {"sophos_reboot": facts}})
    return memory, record


def test_a_run_stopped_mid_cycle_reports_each_host_as_far_as_known(tmp_path):
    memory, record = started_run(tmp_path)
    # web2's cycle ended (nothing pending); web1 is still in its cycle (settling) when the run stops.
    memory.task_started("web1", "fleetops.sophos.reboot_cycle : Restart, settle and verify")
    memory.task_started("web2", "fleetops.sophos.reboot_cycle : Restart, settle and verify")
    memory.result("web2", {"sophos_reboot_cycle": CYCLE, "cycle": {"done": True, "failed": False}})
    report = memory.report(NOW)
    rows = dict((row["host"], row) for row in report["hosts"])
    assert rows["web1"]["status"] == "failed"
    assert rows["web1"]["run"]["message"] == (
        "the run ended while this host's batch was running, in its task 'fleetops.sophos.reboot_cycle : Restart, "
        "settle and verify' (Ctrl-C): where it stands now is unknown; read it with "
        "ansible-playbook fleetops.sophos.facts -e facts_hosts=web1")
    assert rows["web2"]["status"] == "ok" and rows["web2"]["maintenance"]["message"] == "nothing pending"
    assert rows["web3"]["status"] == "not_run"
    assert report["generated"] == "2026-12-07T02:30:00Z" and report["title"] == "Night run"
    assert report["run"]["stem"] == record["stem"]


def test_a_host_waiting_between_tasks_is_said_to_be_after_its_task(tmp_path):
    memory, _record = started_run(tmp_path)
    memory.task_started("web2", "fleetops.sophos.patch : Upgrade the packages")
    memory.result("web2", {"changed": True})
    rows = dict((row["host"], row) for row in memory.report(NOW)["hosts"])
    assert "after its task 'fleetops.sophos.patch : Upgrade the packages'" in rows["web2"]["run"]["message"]


def test_hosts_of_a_reported_batch_keep_their_rows(tmp_path):
    memory, _record = started_run(tmp_path)
    failed = {"failed": True, "unreachable": False, "msg": "patch: apt failed"}
    memory.result("web1", {"ansible_facts": {"maintenance_result": failed}})
    memory.task_started("web1", "fleetops.sophos.report : Write the report")
    # The report action's result (run once, delegated to the controller): no fact is set for the report.
    memory.result("web1", {"report": {"kind": "fleetops.sophos.report", "hosts": []}, "_ansible_delegated_vars": {}})
    memory.task_started("web3", "Guard the maintenance window")
    rows = dict((row["host"], row) for row in memory.report(NOW)["hosts"])
    assert rows["web1"]["status"] == "failed" and rows["web1"]["run"]["message"] == "patch: apt failed"
    assert rows["web2"]["run"]["state"] == "ok"
    assert "in its task 'Guard the maintenance window'" in rows["web3"]["run"]["message"]


def test_facts_set_for_another_host_are_not_the_task_hosts(tmp_path):
    memory, _record = started_run(tmp_path)
    memory.result("web2", {"ansible_facts": {"sophos_reboot": PENDING}, "_ansible_delegated_vars": {}})
    rows = dict((row["host"], row) for row in memory.report(NOW)["hosts"])
    assert rows["web2"]["reboot_required"] is False


def test_a_finished_run_or_one_without_a_plan_writes_nothing(tmp_path):
    memory, _record = started_run(tmp_path)
    memory.finished = True
    assert memory.report(NOW) is None
    bare = interrupted.RunMemory()
    bare.task_started("web1", "Gather")
    bare.result("web1", {"ansible_facts": {"sophos_reboot": PENDING}})
    assert bare.report(NOW) is None


def test_the_files_are_the_report_roles_names_and_the_latest(tmp_path):
    memory, record = started_run(tmp_path, formats=("json", "markdown"))
    memory.task_started("web1", "fleetops.sophos.reboot_cycle : Restart, settle and verify")
    report = memory.report(NOW)
    location = interrupted.write_report(report, memory.plan, record)
    directory = tmp_path / "reports"
    assert location == "%s/%s.{json,md}" % (directory, record["stem"])
    assert sorted(os.listdir(directory)) == sorted(
        ["%s.json" % record["stem"], "%s.md" % record["stem"], "sophos-report.json", "sophos-report.md",
         "%s.summary.json" % record["stem"]])
    assert json.loads((directory / "sophos-report.json").read_text()) == report
    assert stat.S_IMODE(os.stat(directory / "sophos-report.md").st_mode) == 0o640


class _Named:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class _Result:
    def __init__(self, host, result):
        self._host = _Named(host)
        self._result = result


class _Display:
    def __init__(self):
        self.lines, self.warnings = [], []

    def display(self, msg, **_kwargs):
        self.lines.append(msg)

    def warning(self, msg, **_kwargs):
        self.warnings.append(msg)


def test_the_callback_prints_the_table_and_the_report_path_at_exit(tmp_path, monkeypatch):
    monkeypatch.setattr(interrupted.atexit, "register", lambda function: None)
    callback = interrupted.CallbackModule()
    callback._display = _Display()
    memory, record = started_run(tmp_path)
    callback.memory = memory
    callback.v2_runner_on_start(_Named("web1"), _Named("fleetops.sophos.reboot_cycle : Restart, settle and verify"))
    callback.v2_runner_on_ok(_Result("web2", {"sophos_reboot_cycle": CYCLE, "cycle": {"done": True}}))
    callback.at_exit()
    text = "\n".join(callback._display.lines)
    assert callback._display.lines[0] == "The run ended early; the report has what was known when it stopped:"
    assert "web1" in text and "not_run" in text
    assert "report: %s/%s.{json,csv,md,html}" % (tmp_path / "reports", record["stem"]) in text


def test_a_report_that_cannot_be_written_is_one_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(interrupted.atexit, "register", lambda function: None)
    callback = interrupted.CallbackModule()
    callback._display = _Display()
    callback.memory, _record = started_run(tmp_path)
    (tmp_path / "reports").write_text("a file where the directory should be")
    callback.at_exit()
    assert callback._display.lines == []
    assert len(callback._display.warnings) == 1
    assert callback._display.warnings[0].startswith("the run ended early and its report could not be written: ")


def test_after_the_statistics_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(interrupted.atexit, "register", lambda function: None)
    callback = interrupted.CallbackModule()
    callback._display = _Display()
    callback.memory, _record = started_run(tmp_path)
    callback.v2_playbook_on_stats(None)
    callback.at_exit()
    assert callback._display.lines == [] and not (tmp_path / "reports").exists()


def _callback(tmp_path, monkeypatch, installed):
    """A callback of a started run whose signal handlers go to ``installed`` (no exit handler registered)."""
    monkeypatch.setattr(interrupted.atexit, "register", lambda function: None)
    monkeypatch.setattr(interrupted.signal, "getsignal", lambda signum: installed.get(signum, "ansible's"))
    monkeypatch.setattr(interrupted.signal, "signal", installed.__setitem__)
    callback = interrupted.CallbackModule()
    callback._display = _Display()
    callback.memory, _record = started_run(tmp_path)
    return callback


def test_ctrl_c_writes_the_report_at_once_then_hands_over_to_ansible(tmp_path, monkeypatch):
    """The report is written in the SIGINT handler itself (ansible-core may block in its clean-up after it),
    then Ansible's own handler runs; the exit handler does not write it again."""
    installed = {}
    callback = _callback(tmp_path, monkeypatch, installed)
    handed = []
    callback.v2_playbook_on_start(None)
    assert installed[interrupted.signal.SIGINT] == callback.on_interrupt
    callback.previous_handler = lambda signum, frame: handed.append(signum)
    callback.v2_playbook_on_start(None)  # a second playbook of the run keeps the first handler to hand over to
    assert installed[interrupted.signal.SIGINT] == callback.on_interrupt and callable(callback.previous_handler)
    installed[interrupted.signal.SIGINT](interrupted.signal.SIGINT, None)
    assert handed == [interrupted.signal.SIGINT]
    assert callback._display.lines[0].startswith("The run ended early")
    printed = len(callback._display.lines)
    (tmp_path / "reports" / "sophos-report.json").unlink()
    callback.at_exit()
    assert len(callback._display.lines) == printed and not (tmp_path / "reports" / "sophos-report.json").exists()


def test_a_second_ctrl_c_before_the_hand_over_ends_the_process_at_once(tmp_path, monkeypatch):
    """The table's last line can reach the operator (or the lab test) before Ansible's handler has set the
    default action: a second SIGINT then comes to this handler again, and must end the process, not be
    handed to Ansible's handler a second time (which left ansible-playbook blocked in its clean-up)."""
    installed, killed, handed = {}, [], []
    monkeypatch.setattr(interrupted.os, "kill", lambda pid, signum: killed.append((pid, signum)))
    callback = _callback(tmp_path, monkeypatch, installed)
    callback.v2_playbook_on_start(None)
    callback.previous_handler = lambda signum, frame: (
        handed.append(signum), installed[interrupted.signal.SIGINT](signum, frame))  # the second, mid-hand-over
    callback.on_interrupt(interrupted.signal.SIGINT, None)
    assert handed == [interrupted.signal.SIGINT]
    assert installed[interrupted.signal.SIGINT] == interrupted.signal.SIG_DFL
    assert killed == [(interrupted.os.getpid(), interrupted.signal.SIGINT)]
    assert callback._display.lines[0].startswith("The run ended early")


def _sleep_until_signalled(ready):
    """A worker: like ansible-core's WorkerProcess it sets its own SIGINT handler (so an ignored SIGINT
    inherited from the shell that started the tests does not matter), which ends it; then says it is ready."""
    import signal
    import time
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(3))
    ready.set()
    while True:
        time.sleep(1)


def test_ctrl_c_stops_the_workers_before_anything_else(tmp_path, monkeypatch):
    """Ansible's workers each lead a session of their own (the terminal's Ctrl-C does not reach them) and are
    told by Ansible's handler, which runs after the report is written: a second Ctrl-C before it ended the
    process and left a worker going on with its host. The callback tells them first; a real child process
    stands for a worker, and it ends on the signal."""
    import multiprocessing
    installed, handed = {}, []
    # The worker first: it sets its handler with the real signal.signal, which is replaced below.
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    worker = context.Process(target=_sleep_until_signalled, args=(ready,))
    worker.start()
    try:
        assert ready.wait(120), "the worker did not start"
        callback = _callback(tmp_path, monkeypatch, installed)
        callback.v2_playbook_on_start(None)
        callback.previous_handler = lambda signum, frame: handed.append(worker.is_alive() or worker.exitcode)
        callback.on_interrupt(interrupted.signal.SIGINT, None)
        worker.join(120)  # an event: the worker's end (the bound only keeps a broken build from hanging)
        assert worker.exitcode == 3, "the worker was not told of the Ctrl-C (exit code %s)" % worker.exitcode
        assert len(handed) == 1 and callback._display.lines[0].startswith("The run ended early")
    finally:
        if worker.is_alive():
            worker.kill()
            worker.join()
