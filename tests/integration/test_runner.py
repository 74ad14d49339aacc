"""The playbooks as AWX runs them: through ansible-runner, against lab hosts.

Checks what an AWX job and a workflow see: the run status, the per-host summary (``stats``) and the
``set_stats`` data in the ``playbook_on_stats`` event (``artifact_data``), plus the report files.
An extra inventory host whose SSH client always fails stands for a host that is down, without any
traffic leaving the lab.
"""
import json
import os
import sys

import pytest

ansible_runner = pytest.importorskip("ansible_runner")

pytestmark = pytest.mark.lab

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".venv", "collections")


def fast(lab):
    """Readings every 2 s; the settle (it ends on Sophos' evidence) and restart bounds from the lab."""
    return {"reboot_cycle_settle_minutes": lab.settle_minutes, "reboot_cycle_poll_seconds": 2,
            "reboot_cycle_reboot_timeout": lab.reboot_timeout}


@pytest.fixture
def runner_dirs(lab, tmp_path):
    fake_ssh = tmp_path / "down-ssh"
    fake_ssh.write_text("#!/bin/sh\necho 'ssh: connect to host down-host port 22: No route to host' >&2\nexit 255\n")
    fake_ssh.chmod(0o755)
    extra = tmp_path / "down.yml"
    extra.write_text(json.dumps({"all": {"children": {"lab": {"hosts": {"down-host": {
        "ansible_ssh_executable": str(fake_ssh), "ansible_ssh_retries": 0}}}}}}))
    (tmp_path / "runner").mkdir()
    for host in lab.hosts:
        lab.sophos(host, "clean")
    yield {"dir": tmp_path, "extra": extra, "reports": tmp_path / "reports"}
    for host in lab.hosts:
        lab.sophos(host, "clean")


def run(lab, dirs, playbook, extravars, limit=None):
    env = {"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS, "FLEETOPS_LAB": lab.name,
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    variables = dict(extravars, report_dir=str(dirs["reports"]))
    return ansible_runner.run(private_data_dir=str(dirs["dir"] / "runner"), project_dir=REPO,
                              playbook=os.path.join("playbooks", playbook), inventory=lab.inventory,
                              cmdline="-i %s" % dirs["extra"], extravars=variables, envvars=env,
                              limit=limit, quiet=True, timeout=900)


def stats_data(runner):
    events = [event for event in runner.events if event.get("event") == "playbook_on_stats"]
    assert len(events) == 1
    return events[0]["event_data"]["artifact_data"]["sophos_report"]


def read_report(dirs):
    with open(str(dirs["reports"] / "sophos-report.json")) as handle:
        return json.load(handle)


def test_facts_playbook(lab, runner_dirs):
    pending, sick = lab.hosts[1], lab.hosts[2]
    lab.sophos(pending, "reboot-required")
    lab.sophos(sick, "service-stopped")
    boots = dict((host, lab.boot_id(host)) for host in lab.hosts)

    runner = run(lab, runner_dirs, "facts.yml", {})
    output = runner.stdout.read()
    assert runner.status == "failed", "a host that is down must fail the job:\n" + output[-3000:]
    # Counted as unreachable (AWX: "unreachable"), not as failed.
    assert runner.stats["dark"] == {"down-host": 1} and not runner.stats.get("failures")
    assert not runner.stats["changed"], "the facts playbook changed something"
    assert set(runner.stats["ok"]) == set(lab.hosts) | {"down-host"}
    assert boots == dict((host, lab.boot_id(host)) for host in lab.hosts)

    data = stats_data(runner)
    assert data["total"] == len(lab.hosts) + 1
    assert data["hosts"]["unreachable"] == ["down-host"]
    assert data["hosts"]["pending"] == [pending]
    assert data["hosts"]["unhealthy"] == [sick]
    assert data["attention"] == ["down-host", sick]
    assert set(data["hosts"]["ok"]) == set(lab.hosts) - {pending, sick}

    report = read_report(runner_dirs)
    rows = dict((row["host"], row) for row in report["hosts"])
    assert "No route to host" in rows["down-host"]["run"]["message"]
    assert rows[pending]["reasons"][0]["source"] == "sophos"
    assert rows[lab.hosts[0]]["sophos"]["version"]
    for extension in ("csv", "md", "html"):
        assert (runner_dirs["reports"] / ("sophos-report." + extension)).stat().st_size > 200


def test_facts_playbook_with_limit(lab, runner_dirs):
    runner = run(lab, runner_dirs, "facts.yml", {}, limit=lab.hosts[0])
    assert runner.status == "successful", runner.stdout.read()[-3000:]
    assert stats_data(runner)["total"] == 1
    assert [row["host"] for row in read_report(runner_dirs)["hosts"]] == [lab.hosts[0]]


def test_maintenance_playbook(lab, runner_dirs):
    if not os.path.exists(os.path.join(REPO, "playbooks", "maintenance.yml")):
        raise AssertionError("playbooks/maintenance.yml is missing")
    pending = lab.hosts[1]
    lab.sophos(pending, "reboot-required")
    boots = dict((host, lab.boot_id(host)) for host in lab.hosts)

    runner = run(lab, runner_dirs, "maintenance.yml",
                 dict(fast(lab), maintenance_hosts="lab:!down-host", patch_enabled=False))
    assert runner.status == "successful", runner.stdout.read()[-5000:]
    assert set(runner.stats["ok"]) >= set(lab.hosts)
    assert not runner.stats.get("failures") and not runner.stats.get("dark")
    after = dict((host, lab.boot_id(host)) for host in lab.hosts)
    assert [host for host in lab.hosts if after[host] != boots[host]] == [pending]

    data = stats_data(runner)
    assert data["hosts"]["rebooted"] == [pending]
    assert data["restarts"] == 1
    assert data["attention"] == []
    row = [row for row in read_report(runner_dirs)["hosts"] if row["host"] == pending][0]
    assert row["maintenance"]["restarts"] == 1
    assert "sophos_reboot_required" in row["maintenance"]["reasons_before"]


def test_restart_playbook(lab, runner_dirs):
    """The restart-only job: the pending host alone restarts, the job is green and says what kind of run it was."""
    pending = lab.hosts[0]
    lab.sophos(pending, "reboot-required")
    boots = dict((host, lab.boot_id(host)) for host in lab.hosts)

    runner = run(lab, runner_dirs, "restart.yml", dict(fast(lab), maintenance_hosts="lab:!down-host"))
    assert runner.status == "successful", runner.stdout.read()[-5000:]
    after = dict((host, lab.boot_id(host)) for host in lab.hosts)
    assert [host for host in lab.hosts if after[host] != boots[host]] == [pending]
    data = stats_data(runner)
    assert data["hosts"]["rebooted"] == [pending] and data["restarts"] == 1
    assert sorted(data["hosts"]["ok"]) == sorted(lab.hosts[1:])
    report = read_report(runner_dirs)
    assert report["run"]["kind"] == "restart" and report["run"]["playbook"] == "fleetops.sophos.restart"


def test_maintenance_with_a_limit_and_a_host_down(lab, runner_dirs):
    """An AWX job Limit that does not match localhost: the report is still written, lists only the
    limited hosts, shows the host that is down as unreachable, and the job fails for it."""
    host = lab.hosts[0]
    boot = lab.boot_id(host)
    runner = run(lab, runner_dirs, "maintenance.yml", dict(fast(lab), maintenance_hosts="all", patch_enabled="false"),
                 limit="%s,down-host" % host)
    output = runner.stdout.read()
    assert runner.status == "failed", output[-3000:]
    # Counted as unreachable (AWX: "unreachable"), not as failed.
    assert runner.stats["dark"] == {"down-host": 1} and not runner.stats.get("failures")
    assert lab.boot_id(host) == boot

    data = stats_data(runner)
    assert data["total"] == 2
    assert data["hosts"]["unreachable"] == ["down-host"]
    assert data["hosts"]["ok"] == [host]
    rows = dict((row["host"], row) for row in read_report(runner_dirs)["hosts"])
    assert set(rows) == {host, "down-host"}
    assert rows["down-host"]["maintenance"]["status"] == "failed"
    assert "could not be reached" in rows["down-host"]["maintenance"]["message"]
