"""The report role end to end on the controller, and the HTML page rendered in headless Chromium.

No lab needed: the hosts are local connections whose facts come from module output (slurp), so host
text is as untrusted as real facts. The lab-backed runs are in test_runner.py.
"""
import csv
import html.parser
import json
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".venv", "collections")
OUTPUT = os.path.join(REPO, "tests", "output", "report")
CHROMIUM = "/usr/bin/chromium"
FIXTURE = os.path.join(REPO, "tests", "unit", "fixtures", "report", "mixed_fleet.json")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (  # noqa: E402
    history as report_history, model, render_html, render_index)

ansible_runner = pytest.importorskip("ansible_runner")

INJECTION = "{{ lookup('ansible.builtin.pipe', 'touch %s') }}"
SCRIPT = "<script>document.title='pwned'</script>"


class _Dom(html.parser.HTMLParser):
    """Rows, tiles and the tags present in a DOM dump."""

    def __init__(self):
        super().__init__()
        self.tags = set()
        self.root = {}
        self.rows = []
        self.tiles = {}
        self._row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "html":
            self.root = attrs
        if tag == "tr" and "data-index" in attrs:
            self._row = dict(attrs, text="")
            self.rows.append(self._row)
        if tag == "button" and "data-count" in attrs:
            self.tiles[attrs["data-filter"]] = attrs

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._row is not None:
            self._row["text"] += data


def _chromium(args, profile, timeout=120):
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--user-data-dir=%s" % profile] + args
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("%s not found: install the Debian package chromium (make setup does)" % CHROMIUM)
    with open(FIXTURE) as handle:
        entries = json.load(handle)
    entries.append({"host": "lin-long-detail", "facts": {"reboot_required": True, "pending_days": 28.0, "reasons": [
        {"id": "os_reboot_required", "source": "os", "strong": True, "detail": "x" * 20000}]}})
    report = model.build_report(entries, generated="2026-11-27T03:00:00Z")
    os.makedirs(OUTPUT, exist_ok=True)
    path = os.path.join(OUTPUT, "report.html")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render_html.to_html(report))
    return {"path": path, "report": report, "profile": str(tmp_path_factory.mktemp("chromium"))}


def _dump(page, fragment=""):
    dom = _Dom()
    dom.feed(_chromium(["--dump-dom", "file://%s%s" % (page["path"], fragment)], page["profile"]))
    assert dom.root.get("data-ready") == "1", "the page's script did not run to its end"
    return dom


def test_rendered_rows_and_counts(page):
    dom = _dump(page)
    report = page["report"]
    assert [row["data-host"] for row in dom.rows] == [row["host"] for row in report["hosts"]]
    assert int(dom.tiles["alert"]["data-count"]) == report["summary"]["counts"]["alert"] == 3
    assert int(dom.tiles["unreachable"]["data-count"]) == 1
    assert sum(int(tile["data-count"]) for tile in dom.tiles.values()) == len(report["hosts"])
    assert dom.rows[0]["data-status"] == "unreachable"


def test_host_text_stays_text(page):
    dom = _dump(page)
    assert "img" not in dom.tags, "a hostname became an element"
    hostile = [row for row in dom.rows if row["data-host"] == "<img src=x onerror=alert(1)>"]
    assert len(hostile) == 1
    assert SCRIPT in hostile[0]["text"], "the detail is shown as text"
    title = _chromium(["--dump-dom", "file://%s" % page["path"]], page["profile"])
    assert "<title>Sophos restart report</title>" in title


def test_sorting_by_pending_age(page):
    dom = _dump(page, "#sort=2-desc")
    days = [row["pending_days"] for row in page["report"]["hosts"] if row["pending_days"] is not None]
    first = [row for row in page["report"]["hosts"] if row["pending_days"] == max(days)][0]["host"]
    assert dom.rows[0]["data-host"] == first == "lin-long-detail"
    assert [row["data-host"] for row in dom.rows] != [row["host"] for row in page["report"]["hosts"]]


def test_filter_by_status(page):
    dom = _dump(page, "#filter=alert")
    shown = [row["data-host"] for row in dom.rows if "hidden" not in row]
    assert sorted(shown) == sorted(page["report"]["summary"]["hosts"]["alert"])


def test_screenshot(page):
    shot = os.path.join(OUTPUT, "report.png")
    if os.path.exists(shot):
        os.remove(shot)
    _chromium(["--screenshot=%s" % shot, "--window-size=1400,1000", "file://%s" % page["path"]], page["profile"])
    with open(shot, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(shot) > 20000, "the screenshot looks empty"


# --- history: the index and the cycle timeline, rendered -------------------------------------

TWO_RESTARTS = {
    "status": "rebooted", "restarts": 2, "started": "2026-11-28T02:00:00Z", "finished": "2026-11-28T02:20:00Z",
    "reasons_before": ["sophos_reboot_required"],
    "boots": [{"boot_id": "b0", "last_boot": "2026-11-20T00:00:00Z"},
              {"boot_id": "b1", "restarted_at": "2026-11-28T02:03:00Z", "restart_seconds": 90},
              {"boot_id": "b2", "restarted_at": "2026-11-28T02:12:00Z", "restart_seconds": 60, "queued_update": True}],
    "settles": [{"mode": "poll", "seconds": 300, "ended": "reboot_required"},
                {"mode": "poll", "seconds": 420, "ended": "evidence"}],
}
ONE_RESTART = {
    "status": "rebooted", "restarts": 1, "started": "2026-11-28T02:01:00Z", "finished": "2026-11-28T02:09:00Z",
    "boots": [{"boot_id": "c0"}, {"boot_id": "c1", "restarted_at": "2026-11-28T02:02:30Z", "restart_seconds": 70}],
    "settles": [{"mode": "fixed", "seconds": 240, "ended": "interval", "started_at": "2026-11-28T02:02:30Z",
                 "ended_at": "2026-11-28T02:06:30Z"}],
}


class _SvgDom(html.parser.HTMLParser):
    """Timeline bars by host and the runs of the index, from a DOM dump."""

    def __init__(self):
        super().__init__()
        self.root, self.bars, self.runs, self.series, self._host = {}, {}, [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.root = attrs
        if tag == "g" and "tl-host" in (attrs.get("class") or ""):
            self._host = attrs["data-host"]
            self.bars[self._host] = []
        if tag == "rect" and self._host and "tl-bar" in (attrs.get("class") or ""):
            self.bars[self._host].append((attrs["data-kind"], int(attrs["data-n"]), float(attrs["x"])))
        if tag == "tr" and "data-run" in attrs:
            self.runs.append((attrs["data-run"], attrs["data-check"]))
        if tag == "polyline":
            self.series.append(attrs["data-series"])

    def handle_endtag(self, tag):
        if tag == "g":
            self._host = None


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("%s not found: install the Debian package chromium (make setup does)" % CHROMIUM)
    os.makedirs(OUTPUT, exist_ok=True)
    files, names = [], []
    for day, check in ((25, False), (26, False), (27, True), (28, False)):
        run = report_history.new_run("2026-11-%02dT02:00:00Z" % day, "%04x" % day, check_mode=check,
                                     playbook="fleetops.sophos.maintenance")
        entries = [{"host": "web-1", "cycle": TWO_RESTARTS, "facts": {"reboot_required": False}},
                   {"host": "web-2", "cycle": ONE_RESTART, "facts": {"reboot_required": False}},
                   {"host": "db-1", "facts": {"reboot_required": True, "pending_days": 10.0 + day - 25}},
                   {"host": "db-2", "facts": {"reboot_required": day < 28, "pending_days": 14.0 + day - 25}}]
        report = model.build_report(entries, generated="2026-11-%02dT02:30:00Z" % day, run=run)
        files.append((run["stem"] + ".json", json.dumps(report)))
        names.append(run["stem"] + ".html")
    page = os.path.join(OUTPUT, "timeline.html")
    with open(page, "w", encoding="utf-8") as handle:
        handle.write(render_html.to_html(report))
    index = report_history.index_data(files)
    index_page = os.path.join(OUTPUT, "index.html")
    with open(index_page, "w", encoding="utf-8") as handle:
        handle.write(render_index.to_index_html(index, names=names))
    return {"page": page, "index_page": index_page, "index": index,
            "profile": str(tmp_path_factory.mktemp("chromium-history"))}


def _svg_dump(path, profile):
    dom = _SvgDom()
    dom.feed(_chromium(["--dump-dom", "file://%s" % path], profile))
    assert dom.root.get("data-ready") == "1", "the page's script did not run to its end (CSP?)"
    return dom


def _screenshot(path, shot, profile, size="1400,900"):
    if os.path.exists(shot):
        os.remove(shot)
    _chromium(["--screenshot=%s" % shot, "--window-size=%s" % size, "file://%s" % path], profile)
    with open(shot, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(shot) > 20000, "the screenshot looks empty"


def test_timeline_rendered(history):
    dom = _svg_dump(history["page"], history["profile"])
    assert sorted(dom.bars) == ["web-1", "web-2"], "only restarted hosts have a timeline"
    two = dom.bars["web-1"]
    assert [(kind, n) for kind, n, _x in sorted(two, key=lambda bar: bar[2])] == [
        ("restart", 1), ("settle", 1), ("restart", 2), ("settle", 2)]
    assert [(kind, n) for kind, n, _x in sorted(dom.bars["web-2"], key=lambda bar: bar[2])] == [
        ("restart", 1), ("settle", 1)]
    # One axis: web-2 restarted 30 s before web-1's first restart came back.
    assert dom.bars["web-2"][0][2] < two[0][2]
    _screenshot(history["page"], os.path.join(OUTPUT, "timeline.png"), history["profile"])


def test_index_rendered(history):
    dom = _svg_dump(history["index_page"], history["profile"])
    assert dom.runs == [(run["id"], "1" if run["check_mode"] else "0") for run in history["index"]["runs"]]
    assert [run_id[:8] for run_id, _check in dom.runs] == ["20261128", "20261127", "20261126", "20261125"]
    assert dom.runs[1][1] == "1", "the check run is marked"
    assert dom.series == ["pending", "alerting", "failed"]
    assert [point["alerting"] for point in history["index"]["trend"]] == [0, 1, 0]
    _screenshot(history["index_page"], os.path.join(OUTPUT, "index.png"), history["profile"], size="1200,700")


# --- the role through ansible-runner, on local stand-in hosts ---------------------------------

PLAYBOOK = """
- name: Stand-in hosts whose facts come from module output
  hosts: all
  gather_facts: false
  tasks:
    - name: Reach the host
      ansible.builtin.ping:
      register: sophos_reboot_facts_result
    - name: Read the recorded facts
      ansible.builtin.slurp:
        src: "{{ facts_dir }}/{{ inventory_hostname }}.json"
      register: recorded
      when: inventory_hostname in recorded_hosts
    - name: Use them as sophos_reboot
      ansible.builtin.set_fact:
        sophos_reboot: "{{ recorded.content | b64decode | from_json }}"
      when: inventory_hostname in recorded_hosts
    - name: Fail one host
      ansible.builtin.fail:
        msg: simulated failure
      when: inventory_hostname == 'h-failed'
    - name: Report
      ansible.builtin.import_role:
        name: fleetops.sophos.report
"""

LOCALHOST_PLAYBOOK = """
- name: Report from a play on the controller
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Report
      ansible.builtin.import_role:
        name: fleetops.sophos.report
      vars:
        report_hosts: [h-ok, h-other]
        report_active_hosts: [h-ok]
        report_formats: [json]
"""


def _facts(pending_days, detail):
    return {"schema": 1, "reboot_required": pending_days is not None,
            "reasons": [{"id": "os_reboot_required", "source": "os", "strong": True, "detail": detail}],
            "sophos": {"installed": True, "product": "spl", "version": "1.2.3", "health": {"overall": "good"}},
            "os": {"family": "linux"}, "pending_days": pending_days, "alert": False}


@pytest.fixture
def stand_in(tmp_path):
    marker = tmp_path / "injected"
    facts_dir = tmp_path / "facts"
    facts_dir.mkdir()
    (facts_dir / "h-ok.json").write_text(json.dumps(_facts(None, "none")))
    (facts_dir / "h-pending.json").write_text(json.dumps(_facts(20.5, SCRIPT + INJECTION % marker)))
    (facts_dir / "h-failed.json").write_text(json.dumps(_facts(None, "none")))
    fake_ssh = tmp_path / "fake-ssh"
    fake_ssh.write_text("#!/bin/sh\necho 'ssh: connect to host h-unreach port 22: Connection refused' >&2\nexit 255\n")
    fake_ssh.chmod(0o755)
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    inventory = {"all": {"hosts": {
        "h-ok": local, "h-pending": local, "h-failed": local, "h-nodata": local,
        "h-unreach": {"ansible_connection": "ssh", "ansible_ssh_executable": str(fake_ssh),
                      "ansible_ssh_retries": 0, "ansible_python_interpreter": sys.executable},
    }, "vars": {"facts_dir": str(facts_dir), "recorded_hosts": ["h-ok", "h-pending", "h-failed"]}}}
    (tmp_path / "runner").mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "report.yml").write_text(PLAYBOOK)
    (project / "localhost.yml").write_text(LOCALHOST_PLAYBOOK)
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    return {"dir": tmp_path, "marker": marker, "reports": tmp_path / "reports"}


def _run(stand_in, playbook, **kwargs):
    return ansible_runner.run(
        private_data_dir=str(stand_in["dir"] / "runner"), project_dir=str(stand_in["dir"] / "project"),
        playbook=playbook, inventory=str(stand_in["dir"] / "inventory.json"), quiet=True,
        envvars={"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS, "ANSIBLE_HOST_KEY_CHECKING": "False",
                 "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")},
        extravars={"report_dir": str(stand_in["reports"])}, **kwargs)


def _stats_data(runner):
    stats = [event for event in runner.events if event.get("event") == "playbook_on_stats"]
    assert len(stats) == 1
    return stats[0]["event_data"].get("artifact_data", {})


def test_role_reports_every_host(stand_in):
    runner = _run(stand_in, "report.yml")
    assert runner.status == "failed" and runner.rc == 4, runner.stdout.read()[-3000:]
    assert runner.stats["failures"] == {"h-failed": 1}
    assert runner.stats["dark"] == {"h-unreach": 1}
    assert not runner.stats["changed"], "writing the report counts as a change"

    with open(str(stand_in["reports"] / "sophos-report.json")) as handle:
        report = json.load(handle)
    assert report["schema_version"] == 4 and report["check_mode"] is False
    statuses = dict((row["host"], row["status"]) for row in report["hosts"])
    assert statuses == {"h-ok": "ok", "h-pending": "alert", "h-failed": "failed", "h-nodata": "no_data",
                        "h-unreach": "unreachable"}
    unreach = [row for row in report["hosts"] if row["host"] == "h-unreach"][0]
    assert "Connection refused" in unreach["run"]["message"]
    assert [row["host"] for row in report["hosts"]][:3] == ["h-unreach", "h-failed", "h-pending"]

    pending = [row for row in report["hosts"] if row["host"] == "h-pending"][0]
    assert pending["reasons"][0]["detail"] == SCRIPT + INJECTION % stand_in["marker"]
    assert not stand_in["marker"].exists(), "a host string was templated on the controller"

    with open(str(stand_in["reports"] / "sophos-report.csv"), newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["host"] for row in rows] == [row["host"] for row in report["hosts"]]
    assert {row["host"]: row["status"] for row in rows} == statuses
    assert float([row for row in rows if row["host"] == "h-pending"][0]["pending_days"]) == 20.5

    page = (stand_in["reports"] / "sophos-report.html").read_text()
    assert SCRIPT not in page and "&lt;script&gt;" in page
    markdown = (stand_in["reports"] / "sophos-report.md").read_text()
    assert "| Unreachable | 1 |" in markdown

    data = _stats_data(runner)["sophos_report"]
    assert data["total"] == 5
    assert data["counts"]["unreachable"] == 1 and data["counts"]["no_data"] == 1
    assert data["hosts"]["failed"] == ["h-failed"]
    assert data["attention"] == ["h-unreach", "h-failed", "h-pending", "h-nodata"]
    assert data["report_dir"] == str(stand_in["reports"])


def test_role_in_a_controller_play_in_check_mode(stand_in):
    runner = _run(stand_in, "localhost.yml", cmdline="--check")
    assert runner.status == "successful", runner.stdout.read()[-3000:]
    with open(str(stand_in["reports"] / "sophos-report-check.json")) as handle:
        report = json.load(handle)
    assert {row["host"]: row["status"] for row in report["hosts"]} == {"h-ok": "no_data", "h-other": "failed"}
    assert report["check_mode"] is True and report["run"]["stem"].endswith("-check")
    assert sorted(os.listdir(str(stand_in["reports"]))) == sorted(
        ["sophos-report-check.json", report["run"]["stem"] + ".json", report["run"]["stem"] + ".summary.json"])
    stats = _stats_data(runner)["sophos_report"]
    assert stats["counts"]["failed"] == 1 and stats["check_mode"] is True


FORMATS = """-e '{"report_formats": ["json", "markdown", "html"]}'"""


def _names(directory):
    return sorted(os.listdir(str(directory)))


def test_history_check_runs_and_pruning(stand_in):
    """Real run, check run, then real runs with report_keep=2: the latest real report survives the check
    run, each run has its own set of files, the oldest runs are pruned and the index lists what is kept."""
    reports = stand_in["reports"]
    first = _run(stand_in, "localhost.yml", cmdline=FORMATS)
    assert first.status == "successful", first.stdout.read()[-3000:]
    real = json.loads((reports / "sophos-report.json").read_text())
    assert real["check_mode"] is False and (reports / (real["run"]["stem"] + ".html")).exists()

    check = _run(stand_in, "localhost.yml", cmdline="--check " + FORMATS)
    assert check.status == "successful", check.stdout.read()[-3000:]
    assert json.loads((reports / "sophos-report.json").read_text())["run"] == real["run"], \
        "a check run replaced the latest real report"
    checked = json.loads((reports / "sophos-report-check.json").read_text())
    assert checked["check_mode"] is True and checked["run"]["id"] != real["run"]["id"]
    assert (reports / "sophos-report-check.md").read_text().startswith("# Sophos restart report (check run)")
    assert "check run</span></h1>" in (reports / "sophos-report-check.html").read_text()
    assert "**Check run**" not in (reports / "sophos-report.md").read_text()

    for _run_number in range(2):
        again = _run(stand_in, "localhost.yml", cmdline=FORMATS + " -e report_keep=2")
        assert again.status == "successful", again.stdout.read()[-3000:]
    latest = json.loads((reports / "sophos-report.json").read_text())
    runs = sorted(set(name.split(".")[0] for name in _names(reports)
                      if name.startswith("sophos-report-2")))
    assert len(runs) == 2 and latest["run"]["stem"] in runs
    assert real["run"]["stem"] not in runs and checked["run"]["stem"] not in runs, "old runs were not pruned"
    index = (reports / "index.html").read_text()
    for stem in runs:
        assert 'href="%s.html"' % stem in index
    assert index.count('<tr data-index=') == 2


def test_role_rejects_bad_variables(stand_in):
    runner = _run(stand_in, "localhost.yml", cmdline="-e report_alert_days=soon -e report_formats=[pdf]")
    assert runner.status == "failed"
    out = runner.stdout.read()
    assert "report_alert_days" in out and "report_formats" in out
    assert not stand_in["reports"].exists(), "nothing is written after a validation error"


def teardown_module(module):
    shutil.rmtree(os.path.join(OUTPUT, "..", "report-tmp"), ignore_errors=True)
