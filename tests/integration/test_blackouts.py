"""Blackouts on lab hosts (fleetops.sophos.maintenance): a run that starts inside one reads every host, patches
and restarts none (the lab's boot records say so), reports them deferred with the blackout named, and is green;
its check mode says the same; a malformed calendar stops the run before any host is touched."""
import datetime
import json

import pytest

from test_maintenance import rows, run

pytestmark = pytest.mark.lab


def _month_end():
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return [{"name": "month-end", "start": (now - datetime.timedelta(hours=1)).isoformat(),
             "end": (now + datetime.timedelta(hours=2)).isoformat()}]


def test_a_run_inside_a_blackout_restarts_nothing_and_is_green(lab, tmp_path):
    pending, clean = lab.hosts[0], lab.hosts[1]
    lab.sophos(pending, "os-reboot-required")
    lab.sophos(clean, "clean")
    boots = {host: (lab.boot_count(host), lab.boot_id(host)) for host in (pending, clean)}
    try:
        # One host a batch: the second batch works with the blackouts the run resolved at its start.
        res, report = run(lab, tmp_path, [pending, clean], {"maintenance_blackouts": _month_end(),
                                                            "maintenance_serial": 1})
    finally:
        lab.sophos(pending, "clean")
    assert {host: (lab.boot_count(host), lab.boot_id(host)) for host in (pending, clean)} == boots
    assert "; blackouts: month-end " in res.stdout
    assert "fleetops.sophos.patch : Refresh the apt package lists" not in res.stdout
    for host in (pending, clean):
        row = rows(report)[host]
        assert row["status"] == "deferred", row
        assert row["maintenance"]["message"].startswith("maintenance deferred: blackout 'month-end' until "), row
        assert row["maintenance"]["restarts"] == 0
    # The pending host is reported as read: its reason is there.
    assert rows(report)[pending]["reboot_required"] is True


def test_check_mode_of_a_run_inside_a_blackout_says_it_would_defer(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    try:
        res, _report = run(lab, tmp_path, [host], {"maintenance_blackouts": _month_end()}, args=("--check",))
    finally:
        lab.sophos(host, "clean")
    assert lab.boot_id(host) == before
    report = json.loads((tmp_path / "report" / "sophos-report-check.json").read_text())
    row = rows(report)[host]
    assert row["status"] == "deferred" and "blackout 'month-end'" in row["maintenance"]["message"], row
    assert "; blackouts: month-end " in res.stdout


def test_a_malformed_calendar_stops_the_run_before_any_host_is_touched(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    calendar = tmp_path / "freeze.ics"
    calendar.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:freeze\nEND:VCALENDAR\n")
    try:
        res, report = run(lab, tmp_path, [host], {"maintenance_blackout_calendar": str(calendar)}, check=False)
    finally:
        lab.sophos(host, "clean")
    assert res.returncode != 0 and report is None
    assert "problem: maintenance_blackout_calendar %s is not an iCalendar file" % calendar in res.stdout
    assert "no host was touched" in res.stdout
    assert lab.boot_id(host) == before
