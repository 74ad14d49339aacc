"""fleetops.sophos.restart (a restart-only run) on lab hosts: exactly the pending hosts restart, nothing is patched."""
import json
import os

import pytest

pytestmark = pytest.mark.lab

PLAYBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "playbooks", "restart.yml")


def run(lab, tmp_path, hosts, check=False):
    variables = {"maintenance_hosts": ":".join(hosts), "reboot_cycle_settle_minutes": lab.settle_minutes,
                 "reboot_cycle_poll_seconds": 2, "reboot_cycle_reboot_timeout": lab.reboot_timeout,
                 "report_dir": str(tmp_path / "report")}
    res = lab.playbook(PLAYBOOK, "-e", json.dumps(variables), *(["--check"] if check else []))
    latest = tmp_path / "report" / ("sophos-report-check.json" if check else "sophos-report.json")
    return res, json.loads(latest.read_text())


def test_the_restart_playbook_restarts_exactly_the_pending_hosts(lab, tmp_path):
    sophos, os_need, clean = lab.hosts[0], lab.hosts[1], lab.hosts[2]
    lab.sophos(sophos, "reboot-required")
    lab.sophos(os_need, "os-reboot-required")
    lab.sophos(clean, "clean")
    hosts = [sophos, os_need, clean]
    boots = {host: lab.boot_count(host) for host in hosts}

    # Check mode restarts none and says which it would restart.
    res, report = run(lab, tmp_path, hosts, check=True)
    assert {host: lab.boot_count(host) for host in hosts} == boots
    rows = dict((row["host"], row) for row in report["hosts"])
    assert [host for host in hosts if rows[host]["maintenance"]["would_reboot"]] == [sophos, os_need]
    assert report["run"]["kind"] == "restart" and report["check_mode"] is True
    assert "Sophos restart report (restart-only run, check run):" in res.stdout, res.stdout[-3000:]
    # No run kept yet: every host is expected to take the defaults.
    assert "expected restart and settle from history (the 90th percentile of the last 10 measured): none; " \
           "3 host(s) on the defaults" in res.stdout, res.stdout[-3000:]

    res, report = run(lab, tmp_path, hosts)
    assert {host: lab.boot_count(host) - boots[host] for host in hosts} == {sophos: 1, os_need: 1, clean: 0}
    rows = dict((row["host"], row) for row in report["hosts"])
    assert [rows[host]["status"] for host in hosts] == ["rebooted", "rebooted", "ok"], res.stdout[-3000:]
    assert rows[clean]["maintenance"]["restarts"] == 0
    # Nothing was patched: no host has a patch record.
    assert [rows[host]["patch"] for host in hosts] == [None, None, None]
    assert report["run"]["kind"] == "restart" and report["run"]["playbook"] == "fleetops.sophos.restart"
    assert "restart-only run: nothing is patched" in res.stdout
    assert "Sophos restart report (restart-only run):" in res.stdout, res.stdout[-3000:]


def kept_report(day, host, restart_seconds, settle_seconds):
    """A real run's JSON report as the report role keeps it, with one restart and one settle of HOST."""
    return json.dumps({"kind": "fleetops.sophos.report", "check_mode": False,
                       "run": {"started": "2026-11-%02dT21:00:00Z" % day},
                       "hosts": [{"host": host, "maintenance": {
                           "boots": [{"boot_id": "b0"}, {"restarted_at": "2026-11-%02dT21:01:00Z" % day,
                                                         "restart_seconds": restart_seconds}],
                           "settles": [{"seconds": settle_seconds, "ended": "evidence"}]}}]})


def test_a_host_with_history_is_expected_to_take_its_own_time(lab, tmp_path):
    """Three kept runs of one host (and a corrupt file): the run says it, the record counts its own durations."""
    own, other = lab.hosts[0], lab.hosts[1]
    for host in (own, other):
        lab.sophos(host, "reboot-required")
    reports = tmp_path / "report"
    reports.mkdir()
    for day, restart, settle in ((1, 100, 200), (2, 180, 240), (3, 120, 300)):
        (reports / ("sophos-report-202611%02dT210000Z-ab12.json" % day)).write_text(kept_report(day, own, restart,
                                                                                                 settle))
    (reports / "sophos-report-20261104T210000Z-cd34.json").write_text('{"kind": "fleetops.sophos.report", "ho')
    boots = {host: lab.boot_count(host) for host in (own, other)}
    try:
        res, report = run(lab, tmp_path, [own, other], check=True)
    finally:
        for host in (own, other):
            lab.sophos(host, "clean")
    assert {host: lab.boot_count(host) for host in (own, other)} == boots
    assert ("expected restart and settle from history (the 90th percentile of the last 10 measured): %s restart "
            "3 min (3 restarts), settle 5 min (3 settles); 1 host(s) on the defaults" % own) in res.stdout, \
        res.stdout[-3000:]
    assert "sophos-report-20261104T210000Z-cd34.json is not JSON" in res.stdout + res.stderr
    rows = dict((row["host"], row) for row in report["hosts"])
    assert rows[own]["maintenance"]["expected"] == {
        "restart_minutes": 3.0, "restart_from": "history", "restart_samples": 3,
        "settle_minutes": 5.0, "settle_from": "history", "settle_samples": 3}
    assert rows[other]["maintenance"]["expected"]["restart_from"] == "setting"
    assert rows[other]["maintenance"]["expected"]["restart_minutes"] == 5  # Linux's default
