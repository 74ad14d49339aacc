"""fleetops.sophos.maintenance end to end on lab hosts: guard -> patch -> cycle -> report."""
import datetime
import json
import os
import re

import pytest

pytestmark = pytest.mark.lab

PLAYBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "playbooks", "maintenance.yml")


def run(lab, tmp_path, hosts, extra=None, check=True):
    variables = {"maintenance_hosts": ":".join(hosts), "maintenance_serial": 2,
                 "reboot_cycle_settle_minutes": 0.4, "reboot_cycle_poll_seconds": 2,
                 "reboot_cycle_reboot_timeout": 60, "report_dir": str(tmp_path / "report")}
    variables.update(extra or {})
    res = lab.playbook(PLAYBOOK, "-e", json.dumps(variables), check=check)
    report = tmp_path / "report" / "sophos-report.json"
    return res, (json.loads(report.read_text()) if report.exists() else None)


def changed(res, host):
    match = re.search(r"^%s\s*:\s*ok=\d+\s+changed=(\d+)" % re.escape(host), res.stdout, re.M)
    assert match, res.stdout[-3000:]
    return int(match.group(1))


def test_queued_update_end_to_end_then_nothing(lab, tmp_path):
    queued, clean = lab.hosts[0], lab.hosts[1]
    lab.sophos(queued, "queued-update", delay=5)
    lab.sophos(clean, "clean")
    boots = {h: lab.boot_count(h) for h in (queued, clean)}
    res, report = run(lab, tmp_path, [queued, clean])
    assert lab.boot_count(queued) == boots[queued] + 2
    assert lab.boot_count(clean) == boots[clean]
    assert report is not None
    text = json.dumps(report)
    assert queued in text and clean in text
    # The second run finds nothing to do on either host.
    res, _ = run(lab, tmp_path, [queued, clean])
    assert lab.boot_count(queued) == boots[queued] + 2
    assert changed(res, queued) == 0 and changed(res, clean) == 0, res.stdout[-4000:]


def test_window_guard_defers_before_patching(lab, tmp_path):
    host = lab.hosts[2]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    # 45 s left; a restart may take 60 s plus 24 s of settle.
    end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=45)).isoformat()
    res, report = run(lab, tmp_path, [host], {"reboot_cycle_window_end": end})
    assert lab.boot_id(host) == before
    assert "maintenance deferred" in res.stdout
    assert "fleetops.sophos.patch : Refresh the apt package lists" not in res.stdout
    assert '"deferred"' in json.dumps(report)
