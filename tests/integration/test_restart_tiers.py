"""Restart tiers on lab hosts: tiers 1, 1 and 2 in one batch, checked against the lab's own boot records (boot
ids, the supervisor's boot count, each host's boot time), not only the report.

When every cycle succeeds, the tier-2 host goes down only after both tier-1 hosts' cycles have ended (their
hosts booted again and their records finished); a before-restart hook on every host runs inside its tier's
turn. When a tier-1 host fails (a health check on a closed port), the tier-2 host is deferred with a reason
naming it (reboot_cycle_tier_on_failure: stop, the default), and is not restarted; the other tier-1 host is.
"""
import datetime
import json

import pytest
import yaml

from test_maintenance import PLAYBOOK, rows  # pylint: disable=import-error

pytestmark = pytest.mark.lab


def _epoch(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def _run(lab, tmp_path, name, hosts, failing=None, extra=None):
    app1, app2, db = hosts
    failing_vars = {"reboot_cycle_health_timeout": 6, "reboot_cycle_health_poll_seconds": 2,
                    "reboot_cycle_health_checks": [{"tcp": 9, "name": "app port"}]}
    inventory = tmp_path / ("%s.yml" % name)
    inventory.write_text(yaml.safe_dump({"all": {"children": {
        "app": {"hosts": dict((host, failing_vars if host == failing else {}) for host in (app1, app2)),
                "vars": {"reboot_cycle_tier": 1}},
        "db": {"hosts": {db: {}}, "vars": {"reboot_cycle_tier": 2}}}}}))
    for host in hosts:
        lab.sophos(host, "reboot-required", delay=2)
    before = dict((host, (lab.boot_id(host), lab.boot_count(host))) for host in hosts)
    variables = {"maintenance_hosts": ":".join(hosts), "maintenance_serial": "100%",
                 "reboot_cycle_settle_minutes": lab.settle_minutes, "reboot_cycle_poll_seconds": 2,
                 "reboot_cycle_reboot_timeout": lab.reboot_timeout, "report_dir": str(tmp_path / name)}
    variables.update(extra or {})
    try:
        res = lab.playbook(PLAYBOOK, "-i", str(inventory), "-f", "3", "-e", json.dumps(variables), check=False)
    finally:
        for host in hosts:   # a host left unrestarted still needs its restart: not for the next run
            lab.sophos(host, "clean")
    report = json.loads((tmp_path / name / "sophos-report.json").read_text())
    after = dict((host, (lab.boot_id(host), lab.boot_count(host))) for host in hosts)
    return res, rows(report), before, after


def test_the_higher_tier_restarts_after_the_lower_tiers_cycles_and_not_after_a_failure(lab, tmp_path):
    hosts = app1, app2, db = lab.hosts[:3]

    # Every cycle succeeds: the tier-2 host goes down only after both tier-1 hosts are back and their cycles ended.
    hook = tmp_path / "drain.yml"
    hook.write_text("- name: Drain the host\n  ansible.builtin.debug:\n    msg: drained {{ inventory_hostname }}\n")
    res, row, before, after = _run(lab, tmp_path, "all-good", hosts,
                                   extra={"reboot_cycle_before_restart_tasks": str(hook)})
    assert res.returncode == 0, res.stdout[-4000:]
    assert all('"msg": "drained %s"' % host in res.stdout for host in hosts), res.stdout[-4000:]
    for host in hosts:
        assert after[host][0] != before[host][0] and after[host][1] == before[host][1] + 1, res.stdout[-4000:]
        assert row[host]["status"] == "rebooted", row[host]
    assert (row[app1]["maintenance"]["tier"], row[db]["maintenance"]["tier"]) == (1, 2)
    assert row[db]["maintenance"]["tier_after"] == sorted([app1, app2])
    boot = row[db]["maintenance"]["boots"][0]
    db_down = _epoch(boot["restarted_at"]) - boot["restart_seconds"]
    for host in (app1, app2):
        assert db_down >= lab.last_boot(host) - 1, (host, boot)            # the record's clock is whole seconds
        assert db_down >= _epoch(row[host]["maintenance"]["finished"]) - 1, (host, row[host]["maintenance"])
    assert row[db]["maintenance"]["tier_wait_seconds"] > 0

    # A tier-1 host fails its health check: the tier-2 host is deferred, naming it, and not restarted.
    res, row, before, after = _run(lab, tmp_path, "app-fails", hosts, failing=app1)
    assert res.returncode != 0   # a failed host fails the job
    assert after[app1][1] == before[app1][1] + 1 and after[app2][1] == before[app2][1] + 1, res.stdout[-4000:]
    assert row[app1]["status"] == "failed", row[app1]
    assert row[app1]["maintenance"]["message"].startswith("health check failed: app port: "), row[app1]
    assert row[app2]["status"] == "rebooted", row[app2]
    assert after[db] == before[db], res.stdout[-4000:]
    assert row[db]["status"] == "deferred", row[db]
    message = row[db]["maintenance"]["message"]
    assert "tier 2 stopped: lower-tier host(s) failed: %s (tier 1): failed: health check failed: app port" % app1 \
        in message, message
    assert app2 not in message.split("stopped:")[1], message


@pytest.mark.parametrize("playbook", ["maintenance", "restart"])
def test_every_problem_of_the_settings_groups_and_tiers_is_named_in_one_run(lab, tmp_path, playbook):
    # A bad tier on each host, a bad notification target and a bad silence: one run names them all, each
    # tier problem with its host, and stops before any host is touched. (The tiers of every host but the
    # first were named only by a second run, after the settings were fixed; the first host's without its name.)
    one, two = lab.hosts[:2]
    inventory = tmp_path / "bad-tiers.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {
        one: {"reboot_cycle_tier": -1, "reboot_cycle_tier_on_failure": "halt"},
        two: {"reboot_cycle_tier": "abc"}}}}))
    before = dict((host, lab.boot_id(host)) for host in (one, two))
    variables = {"maintenance_hosts": "%s:%s" % (one, two), "report_dir": str(tmp_path / "report"),
                 "report_notify": [{"type": "slak", "url": "https://hooks.example.com/SECRET-PATH"}],
                 "reboot_cycle_silence": {"url": "alertmanager:9093"}}
    res = lab.playbook(PLAYBOOK.replace("maintenance.yml", "%s.yml" % playbook), "-i", str(inventory),
                       "-i", lab.inventory, "-e", json.dumps(variables), check=False)
    assert res.returncode != 0
    problems = [line for line in res.stdout.splitlines() if line.startswith("problem: ")]
    assert sorted(problems) == sorted([
        "problem: %s: reboot_cycle_tier must be >= 0, got -1" % one,
        "problem: %s: reboot_cycle_tier_on_failure must be one of stop|continue, got 'halt'" % one,
        "problem: %s: reboot_cycle_tier must be an integer number, got 'abc'" % two,
        "problem: report_notify[0]: unknown type 'slak', expected one of webhook|teams|slack|email",
        "problem: reboot_cycle_silence.url must be an http:// or https:// URL with a host, got 'alertmanager:9093'",
    ]), res.stdout[-4000:]
    assert "5 problem(s) in the settings, each on a 'problem:' line above; no host was touched" in res.stdout
    assert "SECRET-PATH" not in res.stdout
    assert dict((host, lab.boot_id(host)) for host in (one, two)) == before
    assert not (tmp_path / "report").exists()
