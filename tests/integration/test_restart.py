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
