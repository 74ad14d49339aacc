"""The real ansible-rulebook (Java 17, drools) with the shipped rulebook fleetops.sophos.restart_required and the
event source fleetops.sophos.central_events, loaded from the collections path, against the local HTTPS Central
(tests/central/double.py). No lab host: the inventory's hosts point at a closed local port, so the facts
playbook finds them unreachable and still writes the host's row - which is how the test sees for which host
the rule fired.

Three events come in the first poll: a restart-required event of a server that is in the inventory (the rule
fires), an update success of another server and a restart-required event of a laptop (it does not). Then a
fourth, for a second server, comes while the rulebook runs; its report is written only after the first
events were handled (one ruleset handles its events in order), so by then no playbook ran for another host.
Each playbook run leaves its own report file; the test counts those (ansible-rulebook logs a failed run's
output a second time, so PLAY lines do not count runs). The test waits for files, each wait bounded by
FLEETOPS_LAB_WAIT.

The rule also hands the event's time to the playbook (facts_restart_required_at). WIN-SRV0003's facts from
an earlier run - a restart pending, first seen after the event, the last boot before it - are in the
inventory as its sophos_reboot variable (what a fact cache keeps; ansible-runner gives each run a fact cache
of its own), and no alert is in Central yet (it comes after two weeks): its report row's pending_since is the
event's time (pending_since_source central_event).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "central"))
import double  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.join(REPO, ".venv", "bin")
COLLECTIONS = os.path.join(REPO, ".venv", "collections")
WAIT = float(os.environ.get("FLEETOPS_LAB_WAIT") or 300)
REBOOT = "Event::Endpoint::UpdateRebootRequired"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what, check, process):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if process.poll() is not None:
            raise AssertionError("ansible-rulebook ended (rc %s) before %s" % (process.returncode, what))
        time.sleep(0.5)
    raise AssertionError("no %s within %d s" % (what, WAIT))


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def report_rows(path):
    with open(path, encoding="utf-8") as handle:
        return dict((row["host"], row) for row in json.load(handle)["hosts"])


def report_hosts(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return [row["host"] for row in json.load(handle)["hosts"]]
    except (OSError, ValueError, KeyError):
        return None


@pytest.mark.skipif(not os.path.exists(os.path.join(BIN, "ansible-rulebook")),
                    reason="ansible-rulebook is not installed (requirements-test.txt)")
def test_the_rule_runs_the_facts_playbook_for_the_server_of_the_event_and_no_other(tmp_path):
    (tmp_path / "central").mkdir()
    with double.Central(tmp_path / "central") as central:
        model = central.model
        named = double.seed_standard(model)
        now = int(model.now())
        for endpoint, kind in ((named["WIN-SRV0003"], REBOOT), (named["WIN-SRV0004"], "Event::Endpoint::UpdateSuccess"),
                               (named["LAPTOP-01"], REBOOT)):
            model.add_siem(double.TENANT_A, double.make_siem_event(double.TENANT_A, kind, endpoint, when=now - 3600),
                           created=now - 60)
        port = closed_port()
        reports = tmp_path / "reports"
        host = {"ansible_host": "127.0.0.1", "ansible_port": port, "ansible_user": "nobody"}
        inventory = tmp_path / "inventory.yml"
        hosts = dict((name, dict(host)) for name in ("WIN-SRV0001", "WIN-SRV0003", "WIN-SRV0004", "LAPTOP-01"))
        hosts["WIN-SRV0003"]["sophos_reboot"] = {
            "reboot_required": True, "pending_since": iso(now - 600), "pending_since_source": "first_seen",
            "pending_days": 0.0, "checked_at": iso(now - 600), "alert": False,
            "reasons": [{"id": "sophos_reboot_required", "source": "sophos", "strong": True, "detail": "flag"}],
            "os": {"family": "windows", "last_boot": iso(now - 86400)}}
        inventory.write_text(yaml.safe_dump({"all": {
            "hosts": hosts, "vars": {"report_dir": str(reports), "facts_become": False}}}))
        variables = tmp_path / "vars.yml"
        variables.write_text(yaml.safe_dump({"sophos_central_interval": 1,
                                             "sophos_central_state_file": str(tmp_path / "state" / "cursor.json"),
                                             "sophos_central_ca_path": central.ca_path}))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1", HOME=str(tmp_path),
                   PATH=BIN + os.pathsep + os.environ["PATH"], ANSIBLE_HOST_KEY_CHECKING="False",
                   SOPHOS_CENTRAL_CLIENT_ID="tenant-client", SOPHOS_CENTRAL_CLIENT_SECRET=double.SECRETS["tenant"],
                   SOPHOS_CENTRAL_IDENTITY_URL=central.url("identity"), SOPHOS_CENTRAL_GLOBAL_URL=central.url("global"))
        log = tmp_path / "rulebook.log"
        with open(log, "w", encoding="utf-8") as out:
            process = subprocess.Popen(  # pylint: disable=consider-using-with
                [os.path.join(BIN, "ansible-rulebook"), "--rulebook", "fleetops.sophos.restart_required",
                 "-i", str(inventory), "--vars", str(variables), "-v", "--print-events"],
                env=env, cwd=str(tmp_path), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            report = reports / "sophos-report.json"
            first = wait_for("report for WIN-SRV0003", lambda: report_hosts(report), process)
            assert first == ["WIN-SRV0003"], first
            cursor = wait_for("saved cursor", (tmp_path / "state" / "cursor.json").exists, process)
            assert cursor
            model.add_siem(double.TENANT_A, double.make_siem_event(double.TENANT_A, REBOOT, named["WIN-SRV0001"]))
            second = wait_for("report for WIN-SRV0001", lambda: report_hosts(report) == ["WIN-SRV0001"], process)
            assert second
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        text = log.read_text()
        # One report file per playbook run (sophos-report-<time>-<id>.json, beside its .summary.json), in the
        # order of the runs.
        runs = sorted(p for p in os.listdir(reports) if p.startswith("sophos-report-") and p.endswith(".json")
                      and not p.endswith(".summary.json"))
        assert [report_hosts(reports / run) for run in runs] == [["WIN-SRV0003"], ["WIN-SRV0001"]], text[-5000:]
        # The event's time, through the rule's extra variable, is the host's pending_since; first seen is kept.
        row = report_rows(reports / runs[0])["WIN-SRV0003"]
        assert (row["pending_since"], row["pending_since_source"], row["pending_since_local"]) == (
            iso(now - 3600), "central_event", iso(now - 600)), row
        assert row["central"] is None and row["data_errors"] == []
        assert report_rows(reports / runs[1])["WIN-SRV0001"]["pending_since_source"] is None
        # --print-events: the source put exactly these two on the queue (no update success, no laptop).
        printed = [line.split("'")[3] for line in text.splitlines() if "'host': " in line]
        assert printed == ["WIN-SRV0003", "WIN-SRV0001"]
        assert double.SECRETS["tenant"] not in text and not any(token in text for token in model.issued)
        siem = [r for r in model.requests if r["path"] == "/siem/v1/events"]
        assert "from_date" in siem[0]["query"] and all("cursor" in r["query"] for r in siem[1:])
