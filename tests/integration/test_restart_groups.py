"""Restart groups on lab hosts: two pairs, at most one member of a pair down, checked against the lab's own
boot records (boot ids, the supervisor's boot count, each host's boot time), not only the report.

Pair A restarts one member after the other; pair B runs beside it, and a health check that fails on its first
member (a closed port) stops the pair: its partner is deferred, unrestarted. Four hosts keep it short.
"""
import datetime
import json

import pytest
import yaml

from test_maintenance import PLAYBOOK, rows  # pylint: disable=import-error

pytestmark = pytest.mark.lab


def _epoch(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def test_pairs_restart_one_member_at_a_time_and_a_failed_check_stops_its_pair(lab, tmp_path):
    a1, a2, b1, b2 = lab.hosts[:4]
    inventory = tmp_path / "groups.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {
        "pair_a": {"hosts": {a1: {}, a2: {}}, "vars": {"reboot_cycle_group": "pair-a"}},
        "pair_b": {"hosts": {b1: {}, b2: {}}, "vars": {
            "reboot_cycle_group": "pair-b", "reboot_cycle_health_timeout": 6, "reboot_cycle_health_poll_seconds": 2,
            "reboot_cycle_health_checks": [{"tcp": 9, "name": "app port"}]}}}}}))
    hosts = [a1, a2, b1, b2]
    for host in hosts:
        lab.sophos(host, "reboot-required", delay=2)
    before = dict((host, (lab.boot_id(host), lab.boot_count(host))) for host in hosts)
    variables = {"maintenance_hosts": ":".join(hosts), "maintenance_serial": "100%",
                 "reboot_cycle_settle_minutes": lab.settle_minutes, "reboot_cycle_poll_seconds": 2,
                 "reboot_cycle_reboot_timeout": lab.reboot_timeout, "report_dir": str(tmp_path / "report")}

    # Pair A's post-boot updates are held until pair B's first member has failed its check: A's first member
    # settles (and holds its pair's slot) until then, so "B failed while A's second member still waited" is
    # made by the run's events, not by how fast the machine restarts the hosts side by side.
    def release(_line):
        for host in (a1, a2):
            lab.hold_update(host, "")

    for host in (a1, a2):
        lab.hold_update(host, "start")
    try:
        res, fired = lab.watch_playbook(PLAYBOOK, "-i", str(inventory), "-f", "4", "-e", json.dumps(variables),
                                        on_line=[(r"reboot_cycle health check after app port: FAILED", release)])
    finally:
        release(None)
        for host in hosts:   # the partner left unrestarted still needs its restart: not for the next test
            lab.sophos(host, "clean")
    assert fired, "pair B's check never failed:\n" + res.stdout[-4000:]
    report = json.loads((tmp_path / "report" / "sophos-report.json").read_text())
    row = rows(report)
    after = dict((host, (lab.boot_id(host), lab.boot_count(host))) for host in hosts)
    restarted = dict((host, after[host][0] != before[host][0]) for host in hosts)

    # Pair A: both restarted once (the lab's boot ids and boot counts), never both down at once: the second
    # member went down only after the first was back up (its boot time on the host).
    for host in (a1, a2):
        assert restarted[host] and after[host][1] == before[host][1] + 1, res.stdout[-4000:]
        assert row[host]["status"] == "rebooted" and row[host]["maintenance"]["groups"] == ["pair-a"]
    booted = dict((host, lab.last_boot(host)) for host in (a1, a2, b1, b2))
    first, second = sorted((a1, a2), key=booted.get)
    boot = row[second]["maintenance"]["boots"][0]
    second_down = _epoch(boot["restarted_at"]) - boot["restart_seconds"]
    assert second_down >= booted[first] - 1, (boot, booted)   # the record's clock is whole seconds
    assert row[second]["maintenance"]["slot_wait_seconds"] > 0

    # Pair B beside pair A: exactly one member restarted, while pair A's second member was still waiting.
    assert sorted(restarted[host] for host in (b1, b2)) == [False, True], res.stdout[-4000:]
    failed, partner = (b1, b2) if restarted[b1] else (b2, b1)
    assert after[failed][1] == before[failed][1] + 1 and after[partner] == before[partner]
    assert booted[failed] < second_down
    assert row[failed]["status"] == "failed"
    assert row[failed]["maintenance"]["message"].startswith("health check failed: app port: "), row[failed]
    assert [(c["check"], c["passed"]) for c in row[failed]["maintenance"]["health_checks"]] == [("app port", False)]
    assert row[partner]["status"] == "deferred"
    assert ("restart group pair-b was stopped (%s failed: health check failed: app port" % failed
            in row[partner]["maintenance"]["message"]), row[partner]
    assert res.returncode != 0   # a failed host fails the job
