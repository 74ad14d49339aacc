"""fleetops.sophos.maintenance end to end on lab hosts: guard -> patch -> cycle -> report."""
import datetime
import json
import os
import re
import signal

import pytest

pytestmark = pytest.mark.lab

PLAYBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "playbooks", "maintenance.yml")
FACTS_PLAYBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "playbooks", "facts.yml")

# A before-restart hook that fails: a host that needs a restart then fails in the cycle, fast and
# without restarting.
FAILING_HOOK = """
- name: Refuse the restart (a drain that did not work)
  ansible.builtin.fail:
    msg: the load balancer refused to drain this host
"""


def run(lab, tmp_path, hosts, extra=None, check=True, args=()):
    # The settle ends on Sophos' evidence; its interval and the restart timeout are generous bounds.
    variables = {"maintenance_hosts": ":".join(hosts), "maintenance_serial": 2,
                 "reboot_cycle_settle_minutes": lab.settle_minutes, "reboot_cycle_poll_seconds": 2,
                 "reboot_cycle_reboot_timeout": lab.reboot_timeout, "report_dir": str(tmp_path / "report")}
    variables.update(extra or {})
    report = tmp_path / "report" / "sophos-report.json"
    if report.exists():
        report.unlink()
    res = lab.playbook(PLAYBOOK, "-e", json.dumps(variables), *args, check=check)
    return res, (json.loads(report.read_text()) if report.exists() else None)


def rows(report):
    assert report is not None, "no report was written"
    return dict((row["host"], row) for row in report["hosts"])


def changed(res, host):
    match = re.search(r"^%s\s*:\s*ok=\d+\s+changed=(\d+)" % re.escape(host), res.stdout, re.M)
    assert match, res.stdout[-3000:]
    return int(match.group(1))


def failing_hook(tmp_path):
    hook = tmp_path / "refuse.yml"
    hook.write_text(FAILING_HOOK)
    return str(hook)


def tasks_run(res, host):
    """The tasks the recap counts for the host: ok + changed + skipped (ok already counts the changed ones)."""
    match = re.search(r"^%s\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=\d+\s+skipped=(\d+)"
                      % re.escape(host), res.stdout, re.M)
    assert match, res.stdout[-3000:]
    return sum(int(count) for count in match.groups())


def test_queued_update_end_to_end_then_nothing(lab, tmp_path):
    queued, clean = lab.hosts[0], lab.hosts[1]
    lab.sophos(queued, "queued-update", delay=5)
    lab.sophos(clean, "clean")
    boots = {h: lab.boot_count(h) for h in (queued, clean)}
    # The clean host comes first in the play: it runs the run's once-per-batch tasks, the queued one does not.
    res, report = run(lab, tmp_path, [clean, queued])
    assert lab.boot_count(queued) == boots[queued] + 2
    assert lab.boot_count(clean) == boots[clean]
    assert rows(report)[queued]["status"] == "rebooted" and rows(report)[clean]["status"] == "ok"
    # A host's steps are few tasks on the controller: a patched host restarted twice runs at most 8.
    assert tasks_run(res, queued) <= 8, res.stdout[-4000:]
    # The second run finds nothing to do on either host.
    res, report = run(lab, tmp_path, [queued, clean])
    assert lab.boot_count(queued) == boots[queued] + 2
    assert changed(res, queued) == 0 and changed(res, clean) == 0, res.stdout[-4000:]


def test_fresh_install_is_restarted_once(lab, tmp_path):
    """Sophos installed after the last boot: one restart, then settled and clean; the report says why."""
    host = lab.hosts[1]
    lab.sophos(host, "fresh-install", delay=2)
    before = lab.boot_id(host)
    boots = lab.boot_count(host)
    lab.playbook(FACTS_PLAYBOOK, "-e", json.dumps({"facts_hosts": host, "report_dir": str(tmp_path / "before")}))
    assert lab.boot_id(host) == before
    row = rows(json.loads((tmp_path / "before" / "sophos-report.json").read_text()))[host]
    [reason] = [r for r in row["reasons"] if r["id"] == "sophos_installed_since_boot"]
    assert reason["strong"] is True and "before this reading" in reason["detail"]
    assert row["pending_days"] is not None and row["pending_since"] is not None
    res, report = run(lab, tmp_path, [host], {"patch_enabled": False})
    assert lab.boot_count(host) == boots + 1 and lab.boot_id(host) != before
    row = rows(report)[host]
    assert row["status"] == "rebooted", res.stdout[-3000:]
    assert row["maintenance"]["restarts"] == 1
    assert row["maintenance"]["reasons_before"] == ["sophos_installed_since_boot"]
    assert row["maintenance"]["reasons_after"] == [] and row["reasons"] == []


@pytest.mark.parametrize("extra,message", [
    # maintenance_hosts misspelt: without it the run has no hosts and stops, naming the misspelling.
    ({"maintenance_host": "{first}"}, "maintenance_hosts is not set (maintenance_host is set: a misspelling?)"),
    # Not given at all: no default of every host.
    ({}, "maintenance_hosts is not set: name the hosts or groups to work on"),
    # A near miss of a prefix: the window would be ignored.
    ({"maintenance_hosts": "{first}", "reboot_cylce_window_end": "+1h"},
     "problem: unknown variable reboot_cylce_window_end (did you mean reboot_cycle_window_end?)"),
    # A known prefix with a typo after it.
    ({"maintenance_hosts": "{first}", "maintenance_serail": 1},
     "problem: unknown variable maintenance_serail (did you mean maintenance_serial?)"),
], ids=["maintenance_host", "no-maintenance_hosts", "reboot_cylce_window_end", "maintenance_serail"])
def test_a_typo_never_widens_the_run_and_touches_no_host(lab, tmp_path, extra, message):
    """Every host needs a restart: a run that went ahead would patch and restart them all."""
    hosts = lab.hosts[:2]
    for host in hosts:
        lab.sophos(host, "os-reboot-required")
    before = {h: lab.boot_id(h) for h in hosts}
    variables = dict((k, v.format(first=hosts[0]) if isinstance(v, str) else v) for k, v in extra.items())
    variables["report_dir"] = str(tmp_path / "report")
    try:
        res = lab.playbook(PLAYBOOK, "-e", json.dumps(variables), check=False)
    finally:
        for host in hosts:
            lab.sophos(host, "clean")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out[-3000:]
    assert message in out, out[-3000:]
    assert {h: lab.boot_id(h) for h in hosts} == before
    # Nothing ran on a host: no patch, no restart, no report.
    assert "fleetops.sophos.patch" not in out and "fleetops.sophos.reboot_cycle" not in out, out[-3000:]
    assert not (tmp_path / "report").exists()


def test_a_hook_that_cannot_be_found_stops_the_run_before_patching(lab, tmp_path):
    """A relative hook counts from the working directory (this repository for the test runs): one that is
    not there stops the run at its start, saying where it looked; nothing is patched or restarted."""
    host = lab.hosts[0]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    try:
        res, report = run(lab, tmp_path, [host], {"reboot_cycle_before_restart_tasks": "hooks/before.yml"},
                          check=False)
    finally:
        lab.sophos(host, "clean")
    out = res.stdout + res.stderr
    assert res.returncode == 2, out[-3000:]
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert ("problem: reboot_cycle_before_restart_tasks 'hooks/before.yml': no such file; looked at %s/hooks/before.yml"
            " and %s/playbooks/hooks/before.yml" % (repo, repo)) in out, out[-3000:]
    assert lab.boot_id(host) == before
    assert "fleetops.sophos.patch" not in out and report is None


def test_a_relative_hook_runs_from_the_working_directory(lab, tmp_path):
    """The same hook as the failing-hook test, named relative to the directory ansible-playbook runs in."""
    host = lab.hosts[1]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    hook = os.path.relpath(failing_hook(tmp_path), repo)
    try:
        res, report = run(lab, tmp_path, [host], {"patch_enabled": False, "reboot_cycle_before_restart_tasks": hook},
                          check=False)
    finally:
        lab.sophos(host, "clean")
    assert res.returncode == 2, res.stdout[-3000:]
    assert lab.boot_id(host) == before
    row = rows(report)[host]
    assert row["status"] == "failed"
    # The report says which hook failed, at which task, and why: the cycle the hook stopped was ended by the
    # cycle action with that message (its silence expired, its failure told).
    assert row["maintenance"]["message"] == (
        "reboot_cycle_before_restart_tasks (%s) failed at its task 'Refuse the restart (a drain that "
        "did not work)': the load balancer refused to drain this host" % hook), row["maintenance"]
    # Why the hook failed is printed by the hook's own task only; the task that fails the host names the hook.
    out = res.stdout + res.stderr
    telling = [task for task in out.split("\nTASK [") if "the load balancer refused to drain this host" in task]
    assert len(telling) == 1 and telling[0].startswith("fleetops.sophos.reboot_cycle : Refuse the restart"), out[-4000:]
    assert ("reboot_cycle_before_restart_tasks (%s) failed at its task 'Refuse the restart (a drain that did not "
            "work)' (its error is printed above)" % hook) in out, out[-4000:]


def test_a_failing_after_cycle_hook_is_named_in_the_report(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "clean")
    hook = failing_hook(tmp_path)
    res, report = run(lab, tmp_path, [host], {"patch_enabled": False, "reboot_cycle_after_cycle_tasks": hook},
                      check=False)
    assert res.returncode == 2, res.stdout[-3000:]
    assert rows(report)[host]["maintenance"]["message"] == (
        "reboot cycle: reboot_cycle_after_cycle_tasks (%s) failed at its task 'Refuse the restart (a drain that "
        "did not work)': the load balancer refused to drain this host" % hook), rows(report)[host]


def test_window_guard_defers_before_patching(lab, tmp_path):
    host = lab.hosts[2]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    # 10 minutes left (more than any start-up of the run takes); a restart is expected to take 15 plus
    # the settle.
    end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)).isoformat()
    res, report = run(lab, tmp_path, [host], {"reboot_cycle_window_end": end,
                                              "reboot_cycle_restart_expected_minutes": 15})
    assert lab.boot_id(host) == before
    assert "maintenance deferred" in res.stdout
    assert "fleetops.sophos.patch : Refresh the apt package lists" not in res.stdout
    assert rows(report)[host]["status"] == "deferred"


def test_limit_reports_only_the_limited_hosts(lab, tmp_path):
    """A job Limit that does not match localhost still writes the report, with the limited hosts only."""
    for host in lab.hosts:
        lab.sophos(host, "clean")
    res, report = run(lab, tmp_path, ["lab"], {"patch_enabled": False}, args=("--limit", lab.hosts[0]))
    assert list(rows(report)) == [lab.hosts[0]], res.stdout[-3000:]
    assert rows(report)[lab.hosts[0]]["status"] == "ok"
    assert report["summary"]["total"] == 1


def test_every_host_failing_still_writes_the_report_and_fails_the_job(lab, tmp_path):
    hosts = lab.hosts[:2]
    for host in hosts:
        lab.sophos(host, "os-reboot-required")
    before = {h: lab.boot_id(h) for h in hosts}
    try:
        res, report = run(lab, tmp_path, hosts, {"patch_enabled": False,
                                                 "reboot_cycle_before_restart_tasks": failing_hook(tmp_path)},
                          check=False)
    finally:
        for host in hosts:
            lab.sophos(host, "clean")
    assert res.returncode == 2, res.stdout[-3000:]
    for host in hosts:
        row = rows(report)[host]
        assert row["status"] == "failed" and row["run"]["state"] == "failed", row
        assert row["maintenance"]["status"] == "failed"
        assert "the load balancer refused to drain this host" in row["maintenance"]["message"]
        assert lab.boot_id(host) == before[host]
        assert re.search(r"^%s\s*:.*failed=1" % re.escape(host), res.stdout, re.M), res.stdout[-2000:]
    assert report["summary"]["counts"]["failed"] == 2


def test_failure_budget_stops_the_run_and_later_hosts_are_not_run(lab, tmp_path):
    first, second = lab.hosts[:2]
    lab.sophos(first, "os-reboot-required")
    lab.sophos(second, "os-reboot-required")
    before = lab.boot_id(second)
    try:
        res, report = run(lab, tmp_path, [first, second],
                          {"maintenance_serial": 1, "maintenance_max_fail_percentage": 0, "patch_enabled": False,
                           "reboot_cycle_before_restart_tasks": failing_hook(tmp_path)}, check=False)
    finally:
        lab.sophos(first, "clean")
        lab.sophos(second, "clean")
    assert res.returncode == 2, res.stdout[-3000:]
    assert lab.boot_id(second) == before, "the second batch must not have run"
    assert rows(report)[first]["status"] == "failed"
    assert rows(report)[second]["status"] == "not_run"
    assert rows(report)[second]["run"]["state"] == "not_run"
    assert report["summary"]["attention"] == [first]
    # The budget ended the run after the first batch: its table lists the host that never ran.
    lines = shown_table(res.stdout)
    assert lines[0].startswith("Sophos restart report (maintenance run): 2 host(s), failed=1, not_run=1;"), lines
    assert any(line.split()[:2] == [second, "not_run"] for line in lines), lines
    assert lines[-1].startswith("report: "), lines


def test_serial_one_over_two_hosts_reports_both(lab, tmp_path):
    clean, pending = lab.hosts[0], lab.hosts[1]
    lab.sophos(clean, "clean")
    lab.sophos(pending, "os-reboot-required")
    before = lab.boot_id(pending)
    res, report = run(lab, tmp_path, [clean, pending], {"maintenance_serial": 1, "patch_enabled": False})
    assert lab.boot_id(pending) != before
    status = dict((host, row["status"]) for host, row in rows(report).items())
    assert status == {clean: "ok", pending: "rebooted"}, res.stdout[-3000:]
    # The first batch's report showed the second host as not run yet, not as failed.
    # The table is printed once, after the last batch, with both hosts.
    tables = re.findall(r"Sophos restart report \(maintenance run\): 2 host\(s\), ([^;]*);", res.stdout)
    assert tables == ["rebooted=1, ok=1"], res.stdout[-3000:]


def test_survey_style_strings(lab, tmp_path):
    """What an AWX survey sends: yes/no as strings, numbers as strings, a text area as one string."""
    host = lab.hosts[2]
    # The lab repo offers an upgrade of two packages; the text area's second line excludes one of them.
    upgraded, excluded = "fleetops-survey-demo", "fleetops-held-demo"
    for package in (upgraded, excluded):
        lab.unpublish_debs(package)
        lab.publish_deb(package, "1.0", tmp_path)
    res = lab.ssh(host, "apt-get update -qq && apt-get install -y -qq %s %s" % (upgraded, excluded), timeout=120)
    assert res.returncode == 0, res.stderr
    for package in (upgraded, excluded):
        lab.publish_deb(package, "2.0", tmp_path)
    try:
        lab.sophos(host, "os-reboot-required")
        before = lab.boot_id(host)
        survey = {"maintenance_serial": "1", "maintenance_max_fail_percentage": "0",
                  "reboot_cycle_force": "false", "reboot_cycle_fail_when_still_pending": "true",
                  "reboot_cycle_settle_minutes": "%g" % lab.settle_minutes, "reboot_cycle_poll_seconds": "2",
                  "reboot_cycle_max_cycles": "2", "patch_enabled": "true", "patch_security_only": "False",
                  "patch_exclude": "linux-image-*\nfleetops-held-*\n"}
        res, report = run(lab, tmp_path, [host], survey)
        assert lab.boot_id(host) != before
        assert rows(report)[host]["status"] == "rebooted"
        assert rows(report)[host]["patch"]["status"] == "patched", rows(report)[host]["patch"]
        assert lab.installed_version(host, upgraded) == "2.0"
        assert lab.installed_version(host, excluded) == "1.0", "the text area's second line was not applied"
    finally:
        lab.ssh(host, "apt-get purge -y -qq %s %s" % (upgraded, excluded), timeout=120)
        for package in (upgraded, excluded):
            lab.unpublish_debs(package)
    # patch_enabled "false" skips patching; a value that is neither fails naming the variable,
    # before anything is changed, and the report still says so.
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    res, report = run(lab, tmp_path, [host], dict(survey, patch_enabled="false", reboot_cycle_force="sometimes"),
                      check=False)
    assert res.returncode == 2
    assert lab.boot_id(host) == before
    # A bad setting stops the run at its start, named on one line, before any host is touched.
    assert re.search(r"^problem: reboot_cycle_force must be true or false.*'sometimes'", res.stdout, re.M), \
        res.stdout[-3000:]
    assert report is None
    lab.sophos(host, "clean")


def shown_table(stdout):
    """The lines of the run's table (the report role's 'Show the run' task); it must be printed once."""
    shown = re.findall(r"TASK \[fleetops\.sophos\.report : Show the run\].*?\n.*?=> (\{.*?\n\})", stdout, re.S)
    assert len(shown) == 1, stdout[-3000:]
    return json.loads(shown[0])["msg"]


def test_a_batch_where_every_host_failed_still_ends_with_the_table(lab, tmp_path):
    """Ansible ends the playbook after a batch whose hosts all failed: the table comes before that."""
    first, second = lab.hosts[:2]
    lab.sophos(first, "os-reboot-required")
    before = lab.boot_id(second)
    try:
        res, report = run(lab, tmp_path, [first, second],
                          {"maintenance_serial": 1, "patch_enabled": False,
                           "reboot_cycle_before_restart_tasks": failing_hook(tmp_path)}, check=False)
    finally:
        lab.sophos(first, "clean")
    assert res.returncode == 2, res.stdout[-3000:]
    assert lab.boot_id(second) == before, "the second batch must not have run"
    assert rows(report)[second]["status"] == "not_run"
    lines = shown_table(res.stdout)
    assert lines[0].startswith("Sophos restart report (maintenance run): 2 host(s), failed=1, not_run=1;"), lines
    by_host = dict((line.split()[0], line.split(None, 3)) for line in lines[2:] if line.split()[0] in (first, second))
    assert by_host[first][1] == "failed" and "reboot_cycle_before_restart_tasks" in by_host[first][3], lines
    assert by_host[second][1:3] == ["not_run", "-"] and by_host[second][3].startswith("not run:"), lines
    assert any(line.startswith("next, not run (%s): " % second) for line in lines), lines
    assert any(line.startswith("next, failed (%s): " % first) for line in lines), lines
    assert lines[-1].startswith("report: " + str(tmp_path / "report")), lines
    # Quiet by default (the checkout's ansible.cfg), and the one batch that ran is labelled.
    assert "skipping:" not in res.stdout
    assert "\nbatch 1: %s (1 of 2 host(s), 0 done before it)\n" % first in res.stdout, res.stdout[:3000]
    assert "batch 2:" not in res.stdout
    # The reason is printed where it failed and in the table, not again by the task that fails the host.
    after_table = res.stdout.split("TASK [fleetops.sophos.report : Show the run]")[1].split("\n}\n", 1)[1]
    assert "the load balancer refused" not in after_table, after_table
    assert "failed: the reason is in the table above" in after_table, after_table


def test_a_check_run_says_what_it_would_do(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    try:
        res, _report = run(lab, tmp_path, [host], {"patch_enabled": False, "reboot_cycle_window_end": "+4h"},
                           args=("--check",))
    finally:
        lab.sophos(host, "clean")
    assert lab.boot_id(host) == before
    report = json.loads((tmp_path / "report" / "sophos-report-check.json").read_text())
    row = [line for line in shown_table(res.stdout) if line.split()[0] == host]
    assert len(row) == 1 and row[0].split(None, 3)[2] == "would", row
    cycle = rows(report)[host]["maintenance"]
    reasons = cycle["reasons_before"]
    # The window's arithmetic, as a real run would work with it, in the record, the report and the table.
    assert re.match(r"fits: 3h5\dm left, needs \d+m\d\ds$", cycle["window"] or ""), cycle
    assert re.search(r"; window: needs \d+ min reserve \+ \d+ min restart \+ \d+ min settle = \d+ min; 2[34]\d min "
                     r"left before the window ends at ", cycle["message"]), cycle
    assert reasons and row[0].split(None, 3)[3].startswith(
        "would restart (%s): %s" % (cycle["window"], ", ".join(reasons))[:90]), row


def test_a_run_interrupted_while_settling_still_writes_its_report_and_table(lab, tmp_path):
    """Ctrl-C (SIGINT to ansible-playbook) while a host settles after its restart:
    Ansible stops at once; the callback fleetops.sophos.interrupted (enabled by the repository's
    ansible.cfg) writes the report with what was known and prints the table. The signal is sent on the
    settle's first line (an event); the fixed settle is far longer than the run, so it cannot end first."""
    settling, clean, later = lab.hosts[0], lab.hosts[1], lab.hosts[2]
    lab.sophos(settling, "os-reboot-required")
    lab.sophos(clean, "clean")
    lab.sophos(later, "clean")
    boots = lab.boot_count(settling)
    variables = {"maintenance_hosts": ":".join([settling, clean, later]), "maintenance_serial": 2,
                 "patch_enabled": False, "reboot_cycle_settle_mode": "fixed", "reboot_cycle_settle_minutes": 30,
                 "reboot_cycle_poll_seconds": 2, "reboot_cycle_reboot_timeout": lab.reboot_timeout,
                 "report_dir": str(tmp_path / "report")}
    try:
        # The table's last line is the report's path: then the operator's second Ctrl-C, for ansible-core can
        # block in its own clean-up after the first (a worker killed while writing to its results queue keeps
        # the queue's lock); the report is written at the first.
        res, fired = lab.watch_playbook(
            PLAYBOOK, "-e", json.dumps(variables),
            interrupt_on=r"^%s: reboot_cycle settle after restart 1 \(fixed\): " % re.escape(settling),
            interrupt_again_on=r"^report: ")
    finally:
        lab.sophos(settling, "clean")
    out = res.stdout + res.stderr
    assert len(fired) == 2 and res.returncode in (99, -signal.SIGINT), out[-4000:]
    assert lab.boot_count(settling) == boots + 1
    report = json.loads((tmp_path / "report" / "sophos-report.json").read_text())
    found = rows(report)
    assert found[settling]["status"] == "failed", found[settling]
    assert found[settling]["run"]["message"].startswith(
        "the run ended while this host's batch was running, in its task 'fleetops.sophos.reboot_cycle : Restart, "
        "settle and verify'"), found[settling]
    assert found[clean]["status"] == "ok" and found[later]["status"] == "not_run", report["summary"]
    # The table and the report's path end the output, as after any other run.
    assert "The run ended early; the report has what was known when it stopped:" in res.stdout, out[-4000:]
    assert re.search(r"^%s\s+failed\s" % re.escape(settling), res.stdout, re.M), res.stdout[-3000:]
    assert re.search(r"^%s\s+not_run\s" % re.escape(later), res.stdout, re.M), res.stdout[-3000:]
    assert "report: %s/%s.{json,csv,md,html}" % (tmp_path / "report", report["run"]["stem"]) in res.stdout
