"""Notifications end to end: what each target type receives from a real run, through ansible-runner.

Loopback receivers (tests/notify/receiver.py) record what arrives: HTTP receivers for the webhook, Teams
and Slack targets, one answering 500, one never answering, an HTTPS one whose certificate nobody vouches
for, and a real SMTP server (aiosmtpd) for the e-mail target. The run must stay as green (or as red) as
it is without notifications, every failure is one warning and one entry in the report, and no secret
(the URLs' secret path token, the SMTP password) is anywhere in the play's output, the report files or
the runner's artifacts.

The controller-only runs use local stand-in hosts (the report role alone); the lab run maintains two real
hosts with per-host events.
"""
import json
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".venv", "collections")
sys.path.insert(0, os.path.join(REPO, "tests", "notify"))
import receiver  # noqa: E402  pylint: disable=wrong-import-position

ansible_runner = pytest.importorskip("ansible_runner")
pytest.importorskip("aiosmtpd")

TOKEN = "tok3n5ecretPath9f27"
PASSWORD = "smtp-pa55word-7c1d"
SECRETS = (TOKEN, PASSWORD)

PLAYBOOK = """
- name: Stand-in hosts, then the report
  hosts: all
  gather_facts: false
  tasks:
    - name: Use the recorded facts
      ansible.builtin.set_fact:
        sophos_reboot: {schema: 1, reboot_required: false, reasons: [], os: {family: linux},
                        sophos: {installed: true, health: {overall: good}}}
    - name: Fail one host
      ansible.builtin.assert:
        that: inventory_hostname != 'h-failed'
        fail_msg: simulated failure
    - name: Report
      ansible.builtin.import_role:
        name: fleetops.sophos.report
"""


def _secret_free(*places):
    """Every file under each directory (or each text) holds no secret."""
    for place in places:
        if isinstance(place, str) and os.path.isdir(place):
            for root, _dirs, files in os.walk(place):
                for name in files:
                    with open(os.path.join(root, name), "rb") as handle:
                        content = handle.read()
                    for secret in SECRETS:
                        assert secret.encode() not in content, "%s found in %s" % (secret, os.path.join(root, name))
        else:
            for secret in SECRETS:
                assert secret not in place, "%s found in the output" % secret


@pytest.fixture
def stand_in(tmp_path):
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    inventory = {"all": {"hosts": {"h-ok": local, "h-failed": local}}}
    (tmp_path / "runner").mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "report.yml").write_text(PLAYBOOK)
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    return tmp_path


def _run(where, extravars, cmdline=None):
    return ansible_runner.run(
        private_data_dir=str(where / "runner"), project_dir=str(where / "project"), playbook="report.yml",
        inventory=str(where / "inventory.json"), quiet=True, cmdline=cmdline, timeout=600,
        envvars={"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
                 "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")},
        extravars=dict(extravars, report_dir=str(where / "reports")))


def _url(hook, kind):
    return hook.url("/%s/%s" % (kind, TOKEN))


def test_every_type_receives_the_summary_and_failures_only_warn(stand_in):
    with receiver.Receiver(202) as teams, receiver.Receiver(200) as slack, receiver.Receiver(200) as hook, \
            receiver.Receiver(500) as broken, receiver.Receiver("hang") as silent, \
            receiver.Receiver(tls=True, directory=str(stand_in)) as untrusted, \
            receiver.SmtpSink(username="ops", password=PASSWORD) as smtp:
        targets = [
            {"type": "teams", "url": _url(teams, "teams"), "allow_insecure": True, "name": "ops channel"},
            {"type": "slack", "url": _url(slack, "slack"), "allow_insecure": True},
            {"type": "webhook", "url": _url(hook, "webhook"), "allow_insecure": True},
            {"type": "webhook", "url": _url(broken, "broken"), "allow_insecure": True, "name": "broken"},
            {"type": "webhook", "url": _url(silent, "silent"), "allow_insecure": True, "name": "silent", "timeout": 2},
            {"type": "teams", "url": _url(untrusted, "untrusted"), "name": "untrusted"},
            {"type": "email", "host": "127.0.0.1", "port": smtp.port, "secure": "never", "allow_insecure": True,
             "username": "ops", "password": PASSWORD, "from": "fleetops@example.com", "to": ["oncall@example.com"],
             "subject": "[fleet]"},
            {"type": "email", "host": "127.0.0.1", "port": receiver.free_port(), "secure": "never", "name": "no relay",
             "from": "fleetops@example.com", "to": "oncall@example.com", "timeout": 2},
        ]
        runner = _run(stand_in, {"report_notify": targets, "report_notify_link": "https://reports.example.com/"})
        output = runner.stdout.read()
    # The host that failed fails the run as it would without notifications: nothing else does.
    assert runner.status == "failed" and runner.stats["failures"] == {"h-failed": 1}, output[-3000:]
    assert not runner.stats.get("dark")

    card = teams.requests[0]["json"]["attachments"][0]
    assert len(teams.requests) == 1 and card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    facts = dict((fact["title"], fact["value"]) for fact in card["content"]["body"][1]["facts"])
    assert facts == {"Hosts": "2", "failed": "1", "ok": "1"}
    report_page = card["content"]["actions"][0]["url"]
    assert report_page.startswith("https://reports.example.com/sophos-report-") and report_page.endswith(".html")
    blocks = slack.requests[0]["json"]["blocks"]
    assert [block["type"] for block in blocks] == ["header", "section", "section", "context"]
    body = hook.requests[0]["json"]
    assert body["schema"] == "fleetops.sophos.notify/v1" and body["event"] == "summary"
    assert body["summary"]["counts"] == {"failed": 1, "ok": 1} and body["attention"][0]["host"] == "h-failed"
    assert len(broken.requests) == 1 and len(silent.requests) == 1 and untrusted.requests == []

    assert len(smtp.messages) == 1 and smtp.logins == [("ops", True)]
    mail = smtp.messages[0]
    assert mail["Subject"].startswith("[fleet] Sophos restart report") and mail["To"] == "oncall@example.com"
    parts = [part for part in mail.walk() if not part.is_multipart()]
    assert parts[0].get_content_type() == "text/plain"
    assert "2 host(s): failed 1, ok 1" in parts[0].get_payload(decode=True).decode()
    attached = [part for part in parts if part.get_filename()]
    assert len(attached) == 1 and attached[0].get_filename().endswith(".html")
    assert b"<html" in attached[0].get_payload(decode=True)

    for name in ("broken", "silent", "untrusted", "no relay"):
        assert output.count("notification summary to %s " % name) == 1, name
    report = json.loads((stand_in / "reports" / "sophos-report.json").read_text())
    entries = dict((entry["target"], entry) for entry in report["notifications"])
    assert entries["broken"]["ok"] is False and entries["broken"]["status"] == 500
    assert entries["silent"]["ok"] is False and "timed out" in entries["silent"]["error"]
    assert entries["untrusted"]["ok"] is False and "certificate" in entries["untrusted"]["error"].lower()
    assert entries["ops channel"]["ok"] is True and entries["ops channel"]["status"] == 202
    assert entries["email 127.0.0.1:%d" % smtp.port]["ok"] is True
    assert entries["no relay"]["ok"] is False and "Connection refused" in entries["no relay"]["error"]
    assert len(report["notifications"]) == 8
    # The secrets were given (the runner's input holds them), and went nowhere else.
    assert TOKEN in (stand_in / "runner" / "env" / "extravars").read_text()
    _secret_free(output, str(stand_in / "reports"), str(stand_in / "runner" / "artifacts"))


def test_a_check_run_sends_nothing_unless_asked(stand_in):
    with receiver.Receiver(200) as hook:
        target = {"type": "webhook", "url": _url(hook, "webhook"), "allow_insecure": True}
        quiet = _run(stand_in, {"report_notify": [target]}, cmdline="--check")
        assert quiet.rc == 2 and hook.requests == []
        asked = _run(stand_in, {"report_notify": [target], "report_notify_in_check_mode": True}, cmdline="--check")
        assert asked.rc == 2
    assert len(hook.requests) == 1
    assert hook.requests[0]["json"]["check_mode"] is True
    assert hook.requests[0]["json"]["title"].startswith("[check mode] ")


FAILING_HOOK = """
- name: Refuse the restart (a drain that did not work)
  ansible.builtin.fail:
    msg: the load balancer refused to drain this host
"""


def _maintenance(lab, where, extravars):
    """The maintenance playbook on the lab's first two hosts through ansible-runner: (runner, its output, report)."""
    (where / "runner").mkdir()
    variables = {"maintenance_hosts": ":".join(lab.hosts[:2]), "report_dir": str(where / "reports"),
                 "reboot_cycle_settle_minutes": lab.settle_minutes, "reboot_cycle_poll_seconds": 2,
                 "reboot_cycle_reboot_timeout": lab.reboot_timeout, "patch_enabled": False}
    variables.update(extravars)
    runner = ansible_runner.run(
        private_data_dir=str(where / "runner"), project_dir=REPO, timeout=1200,
        playbook=os.path.join("playbooks", "maintenance.yml"), inventory=lab.inventory, quiet=True,
        envvars={"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS, "FLEETOPS_LAB": lab.name,
                 "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")},
        extravars=variables)
    output = runner.stdout.read()
    report = where / "reports" / "sophos-report.json"
    return runner, output, json.loads(report.read_text()) if report.exists() else None


@pytest.mark.lab
def test_maintenance_tells_the_channel_about_each_host_and_the_run(lab, tmp_path):
    """Two real hosts, one with a restart pending: restarting and restarted for it, then the summary; an
    e-mail with the report attached; a webhook that answers 500 changes nothing."""
    for host in lab.hosts[:2]:
        lab.sophos(host, "clean")
    lab.sophos(lab.hosts[0], "reboot-required")
    with receiver.Receiver(202) as teams, receiver.Receiver(500) as broken, receiver.SmtpSink() as smtp:
        targets = [
            # As an AWX credential gives it: the URL in a variable of its own, the target naming it.
            {"type": "teams", "url": "{{ fleetops_notify_teams_url }}", "allow_insecure": True,
             "events": ["summary", "restarting", "restarted", "failed"]},
            {"type": "webhook", "url": _url(broken, "broken"), "allow_insecure": True, "name": "broken",
             "events": ["summary", "restarted"]},
            {"type": "email", "host": "127.0.0.1", "port": smtp.port, "secure": "never",
             "from": "fleetops@example.com", "to": "oncall@example.com"},
        ]
        runner, output, report = _maintenance(lab, tmp_path, {"report_notify": targets,
                                                              "fleetops_notify_teams_url": _url(teams, "teams")})
    assert runner.status == "successful", output[-4000:]
    statuses = dict((row["host"], row["status"]) for row in report["hosts"])
    assert statuses == {lab.hosts[0]: "rebooted", lab.hosts[1]: "ok"}
    events = [(request["json"]["attachments"][0]["content"]["body"][0]["text"]) for request in teams.requests]
    assert events == ["%s: restarting" % lab.hosts[0], "%s: restarted" % lab.hosts[0], "Sophos restart report"]
    assert len(broken.requests) == 2 and "notification restarted (host %s) to broken" % lab.hosts[0] in output
    assert len(smtp.messages) == 1
    assert [part.get_filename() for part in smtp.messages[0].walk() if part.get_filename()][0].endswith(".html")
    sent = [(entry["event"], entry["host"], entry["target"] == "broken", entry["ok"]) for entry in report["notifications"]]
    assert sorted(sent, key=str) == sorted([
        ("restarting", lab.hosts[0], False, True), ("restarted", lab.hosts[0], False, True),
        ("restarted", lab.hosts[0], True, False), ("summary", None, False, True), ("summary", None, True, False),
        ("summary", None, False, True)], key=str)
    _secret_free(output, str(tmp_path / "reports"), str(tmp_path / "runner" / "artifacts"))


@pytest.mark.lab
def test_a_failure_budget_that_stops_the_run_still_sends_the_summary_once(lab, tmp_path):
    """serial 1, no failure allowed: the first host fails, the run stops before the second, and the summary
    (one failed, one not run) goes out once, from the report that ends the run."""
    for host in lab.hosts[:2]:
        lab.sophos(host, "clean")
    lab.sophos(lab.hosts[0], "reboot-required")
    hook = tmp_path / "refuse.yml"
    hook.write_text(FAILING_HOOK)
    with receiver.Receiver(200) as hook_receiver:
        target = {"type": "webhook", "url": _url(hook_receiver, "webhook"), "allow_insecure": True}
        runner, output, report = _maintenance(lab, tmp_path, {
            "report_notify": [target], "maintenance_serial": 1, "maintenance_max_fail_percentage": 0,
            "reboot_cycle_before_restart_tasks": str(hook)})
    assert runner.status == "failed", output[-4000:]
    assert [request["json"]["event"] for request in hook_receiver.requests] == ["summary"]
    body = hook_receiver.requests[0]["json"]
    assert body["summary"]["counts"] == {"failed": 1, "not_run": 1}
    assert [item["host"] for item in body["attention"]] == [lab.hosts[0]]
    assert [entry["event"] for entry in report["notifications"]] == ["summary"]
