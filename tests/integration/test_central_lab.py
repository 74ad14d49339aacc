"""The report with Sophos Central's view, on a lab host: the local Central (tests/central/double.py)
alerts for the host, the maintenance playbook restarts it, and the report shows the alert, its age
and the attention line while Central keeps the alert open (the double never clears it by itself).

The lookup is the opt-in of a static inventory (report_central_lookup); the credentials come from the
environment, as the AWX credential type injects them, and appear in no output or report file.
"""
import glob
import json
import os
import sys

import pytest

from conftest import Lab

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "central"))
import double  # noqa: E402  pylint: disable=wrong-import-position

pytestmark = pytest.mark.lab

PLAYBOOK = os.path.join(REPO, "playbooks", "maintenance.yml")
FACTS_PLAYBOOK = os.path.join(REPO, "playbooks", "facts.yml")
RAISED_DAYS = 16.4


@pytest.fixture
def central(tmp_path):
    (tmp_path / "central").mkdir()
    with double.Central(tmp_path / "central") as server:
        yield server


def seed(central, host):
    """Tenant A with the lab host (Central's upper-case short name) and its open restart alert."""
    model = central.model
    model.add_tenant(double.TENANT_A, "Acme EU", "eu01")
    model.add_client("tenant-client", double.SECRETS["tenant"], "tenant", double.TENANT_A, [double.TENANT_A],
                     region="eu01")
    endpoint = double.make_endpoint(double.TENANT_A, host.upper(), model.now(), platform="linux")
    model.endpoints[double.TENANT_A] = [endpoint, double.make_endpoint(double.TENANT_A, "OTHER-01", model.now())]
    alert = double.make_alert(double.TENANT_A, double.REBOOT, endpoint, days_ago=RAISED_DAYS, now=model.now(),
                              description="Reboot required after software update")
    model.alerts[double.TENANT_A] = [alert]
    return endpoint, alert


def variables(central, tmp_path, host, report):
    return {"maintenance_hosts": host, "facts_hosts": host, "patch_enabled": False,
            "reboot_cycle_settle_minutes": 0.4, "reboot_cycle_poll_seconds": 2,
            "reboot_cycle_reboot_timeout": Lab.reboot_timeout,
            "report_dir": str(tmp_path / report), "report_central_lookup": True,
            "report_central_options": {"identity_url": central.url("identity"), "global_url": central.url("global"),
                                       "ca_path": central.ca_path}}


def play(lab, playbook, extra):
    lab.env = dict(lab.env, SOPHOS_CENTRAL_CLIENT_ID="tenant-client",
                   SOPHOS_CENTRAL_CLIENT_SECRET=double.SECRETS["tenant"])
    try:
        return lab.playbook(playbook, "-e", json.dumps(extra), "-v")
    finally:
        for name in ("SOPHOS_CENTRAL_CLIENT_ID", "SOPHOS_CENTRAL_CLIENT_SECRET"):
            lab.env.pop(name)


def row_of(report, host):
    [row] = [row for row in report["hosts"] if row["host"] == host]
    return row


def texts(central, outputs, directories):
    found = list(outputs)
    for directory in directories:
        for name in glob.glob(os.path.join(str(directory), "*")):
            with open(name, encoding="utf-8") as handle:
                found.append(handle.read())
    needles = [double.SECRETS["tenant"]] + list(central.model.issued)
    return [n[:10] for n in needles for text in found if n in text]


def test_central_alert_beside_the_facts_then_the_attention_line_after_the_restart(lab, central, tmp_path):
    host = lab.hosts[0]
    endpoint, alert = seed(central, host)
    lab.sophos(host, "reboot-required")
    boots = lab.boot_count(host)

    # Before: the facts playbook shows Central's alert and its age beside the pending restart.
    facts_run = play(lab, FACTS_PLAYBOOK, variables(central, tmp_path, host, "before"))
    before = json.loads((tmp_path / "before" / "sophos-report.json").read_text())
    row = row_of(before, host)
    assert row["reboot_required"] is True and before["central"]["lookup"] == "done"
    assert row["central"]["source"] == "lookup" and row["central"]["id"] == endpoint["id"]
    assert row["central"]["restart_alert"]["type"] == double.REBOOT
    assert row["central"]["restart_alert"]["age_days"] == int(RAISED_DAYS)
    # Central's two-week alert: the restart has been pending about 14 days longer than the alert.
    assert row["central"]["restart_alert"]["pending_days"] == int(RAISED_DAYS) + 14
    assert "central_alert" in [issue["id"] for issue in row["issues"]] and row["status"] == "alert"
    raised = row["central"]["restart_alert"]["raised_at"]
    # The host only saw the restart first, but it booted minutes ago, after Central raised its alert:
    # that alert is about an earlier pending restart, so it is not taken as this one's start.
    assert row["pending_since_source"] == "first_seen" and row["pending_since_local"] is None
    assert lab.last_boot(host) > double.parse_time(alert["raisedAt"], 0)

    # The cycle restarts the host; Central keeps the alert open: the report says Central may lag.
    central.model.requests[:] = []
    maintenance = play(lab, PLAYBOOK, variables(central, tmp_path, host, "after"))
    assert lab.boot_count(host) == boots + 1
    assert central.model.alerts[double.TENANT_A] == [alert], "the double kept the alert open"
    after = json.loads((tmp_path / "after" / "sophos-report.json").read_text())
    row = row_of(after, host)
    assert row["status"] == "rebooted" and row["reboot_required"] is False
    assert row["attention"] is True and after["summary"]["attention"] == [host]
    [lag] = [issue for issue in row["issues"] if issue["id"] == "central_lag"]
    assert "after a clean cycle (1 restart(s))" in lag["text"] and "Central may lag" in lag["text"]
    assert "%d days" % int(RAISED_DAYS) in lag["text"] and raised in lag["text"]
    # Central was asked after the restart: its lookup is the read of Central's view in this report.
    restarted = lab.last_boot(host)
    lookups = [r for r in central.model.requests if r["path"] == "/endpoint/v1/endpoints"]
    assert lookups and all(r["time"] > restarted for r in lookups)
    assert lookups[0]["query"]["hostnameContains"] == host.lower()

    markdown = (tmp_path / "after" / "sophos-report.md").read_text()
    attention = markdown.split("## Needs attention")[1].split("## Hosts")[0]
    assert "**%s** (Restarted)" % host in attention
    assert "Central may lag" in attention
    ages = (raised, int(RAISED_DAYS), int(RAISED_DAYS) + 14)
    assert "since %s (%d days old, restart pending about %d days)" % ages in markdown
    page = (tmp_path / "after" / "sophos-report.html").read_text()
    assert "Central may lag" in page.split('id="attention"')[1].split("</ul>")[0]
    with open(tmp_path / "after" / "sophos-report.csv", encoding="utf-8") as handle:
        assert "%s,%s,%d" % (double.REBOOT, raised, int(RAISED_DAYS)) in handle.read()

    leaked = texts(central, [facts_run.stdout, facts_run.stderr, maintenance.stdout, maintenance.stderr],
                   [tmp_path / "before", tmp_path / "after"])
    assert not leaked, "secret or token in the output or the report: %s" % leaked


def test_without_credentials_central_is_not_asked(lab, central, tmp_path):
    host = lab.hosts[0]
    seed(central, host)
    lab.sophos(host, "clean")
    lab.playbook(FACTS_PLAYBOOK, "-e", json.dumps(variables(central, tmp_path, host, "plain")))
    report = json.loads((tmp_path / "plain" / "sophos-report.json").read_text())
    assert report["central"]["lookup"] == "no_credentials" and row_of(report, host)["central"] is None
    assert central.model.count() == 0
    assert "no Central credentials" in (tmp_path / "plain" / "sophos-report.md").read_text()


def test_cycle_asks_central_for_an_update_check_after_each_restart(lab, central, tmp_path):
    host = lab.hosts[1]
    endpoint, _alert = seed(central, host)
    lab.sophos(host, "queued-update", delay=5)
    boots = lab.boot_count(host)
    extra = variables(central, tmp_path, host, "nudged")
    extra.update(report_central_lookup=False, reboot_cycle_central_update_check="true",
                 reboot_cycle_central_options=extra["report_central_options"])
    res = play(lab, PLAYBOOK, extra)
    assert lab.boot_count(host) == boots + 2
    report = json.loads((tmp_path / "nudged" / "sophos-report.json").read_text())
    cycle = row_of(report, host)["maintenance"]
    assert cycle["status"] == "rebooted" and cycle["restarts"] == 2
    checks = central.model.update_checks
    assert [c["endpoint"] for c in checks] == [endpoint["id"]] * 2, "one request per restart"
    # each request came after its restart's boot and before the next restart
    asked = [r["time"] for r in central.model.requests if r["path"].endswith("/update-checks")]
    # maintenance.boots: one entry per restart (the boot before the cycle is maintenance.boot_before)
    first_boot, second_boot = (double.parse_time(b["last_boot"], 0) for b in cycle["boots"])
    assert first_boot <= asked[0] < second_boot <= asked[1]
    assert res.stdout.count("asked Sophos Central for an update check after restart") == 2
    assert not texts(central, [res.stdout, res.stderr], [tmp_path / "nudged"])
