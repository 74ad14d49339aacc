"""Report building from mixed host results: statuses, attention order, summary, odd values, renderers."""
import copy
import csv
import io
import json
import os

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    html_kit, model, render_csv, render_html, render_markdown)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "report")
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def entries():
    with open(os.path.join(FIXTURES, "mixed_fleet.json")) as handle:
        return json.load(handle)


@pytest.fixture
def report(entries):
    return model.build_report(entries, generated="2026-11-27T03:00:00Z")


def row_of(report, host):
    matches = [row for row in report["hosts"] if row["host"] == host]
    assert len(matches) == 1, host
    return matches[0]


@pytest.mark.parametrize("host, status", [
    ("lin-ok", "ok"),
    ("win-pending", "pending"),
    ("win-old", "alert"),
    ("lin-urgent", "alert"),
    ("lin-still", "still_pending"),
    ("lin-rebooted", "rebooted"),
    ("lin-deferred", "deferred"),
    ("win-cyclefail", "failed"),
    ("lin-sick", "unhealthy"),
    ("lin-nodata", "no_data"),
    ("win-gone", "unreachable"),
    ("lin-odd", "pending"),
    (HOSTILE, "pending"),
    ("lin-nosophos", "ok"),
])
def test_status_of_each_host(report, host, status):
    assert row_of(report, host)["status"] == status


def test_no_host_is_dropped(entries, report):
    assert sorted(row["host"] for row in report["hosts"]) == sorted(entry["host"] for entry in entries)
    assert report["summary"]["total"] == len(entries)
    assert sum(report["summary"]["counts"].values()) == len(entries)


def test_attention_hosts_come_first_worst_first(report):
    # Written out by hand: worst status first, then the longest pending, then the name.
    assert [(row["host"], row["status"]) for row in report["hosts"]] == [
        ("win-gone", "unreachable"), ("win-cyclefail", "failed"), ("lin-still", "still_pending"),
        ("lin-sick", "unhealthy"), ("win-old", "alert"), ("lin-urgent", "alert"), ("lin-nodata", "no_data"),
        ("lin-deferred", "deferred"), (HOSTILE, "pending"), ("win-pending", "pending"), ("lin-odd", "pending"),
        ("lin-rebooted", "rebooted"), ("lin-nosophos", "ok"), ("lin-ok", "ok")]
    attention = [row["attention"] for row in report["hosts"]]
    assert attention == sorted(attention, reverse=True), "an attention host follows a quiet one"
    assert report["summary"]["attention"] == [row["host"] for row in report["hosts"] if row["attention"]]
    assert report["summary"]["attention"][0] == "win-gone"
    assert set(report["summary"]["attention"]) == {
        "win-gone", "win-cyclefail", "lin-still", "lin-sick", "win-old", "lin-urgent", "lin-nodata"}


def test_longest_pending_first_within_a_status(entries):
    for index, days in enumerate((2.0, 9.5, 4.25)):
        entries[index]["facts"] = copy.deepcopy(entries[1]["facts"])
        entries[index]["facts"]["pending_days"] = days
        entries[index]["facts"]["alert"] = False
    rows = model.build_report(entries[:3])["hosts"]
    assert [row["pending_days"] for row in rows] == [9.5, 4.25, 2.0]


def test_summary_lists_hosts_by_status(report):
    summary = report["summary"]
    assert set(summary["counts"]) == set(model.STATUSES) == set(summary["hosts"])
    for status, hosts in summary["hosts"].items():
        assert summary["counts"][status] == len(hosts)
        assert all(row_of(report, host)["status"] == status for host in hosts)
    assert summary["hosts"]["alert"] == ["win-old", "lin-urgent"]
    assert summary["restarts"] == 2 + 2 + 1 + 0
    assert "win-gone" not in summary["reboot_required"]
    assert "lin-still" in summary["reboot_required"]


def test_a_host_can_have_several_issues_worst_first(report):
    row = row_of(report, "lin-still")
    assert [issue["status"] for issue in row["issues"]] == ["still_pending", "pending"]
    assert "sophos_reboot_required" in row["issues"][0]["text"]
    sick = row_of(report, "lin-sick")
    assert {issue["id"] for issue in sick["issues"]} == {"sophos_health", "sophos_services"}
    assert "sophos-spl (stopped)" in sick["issues"][1]["text"]


def test_alert_threshold_is_a_setting(entries):
    report = model.build_report(entries, alert_days=3)
    assert row_of(report, "win-pending")["status"] == "alert"
    report = model.build_report(entries, alert_days=30)
    assert row_of(report, "win-old")["status"] == "alert", "the host's own alert flag still counts"
    entries[2]["facts"]["alert"] = False
    assert row_of(model.build_report(entries, alert_days=30), "win-old")["status"] == "pending"


def test_unreachable_and_failed_runs_keep_last_known_facts(entries):
    entries[0]["run"] = {"state": "failed", "message": "permission denied"}
    row = row_of(model.build_report(entries), "lin-ok")
    assert row["status"] == "failed"
    assert row["issues"][0]["text"] == "permission denied"
    assert row["sophos"]["version"] == "2024.3.1.2"


def test_odd_values_are_reported_not_fatal(report):
    row = row_of(report, "lin-odd")
    assert row["pending_days"] is None
    assert row["alert"] is None
    assert row["reasons"] == []
    assert row["sophos"]["version"] is None
    assert row["os"]["uptime_days"] == 12.5, "a number given as a string is still a number"
    errors = "\n".join(row["data_errors"])
    for field in ("sophos_reboot.pending_days", "sophos_reboot.alert", "sophos_reboot.reasons",
                  "sophos_reboot.sophos.version"):
        assert field in errors


@pytest.mark.parametrize("facts, named", [
    ("a string", "sophos_reboot: expected a mapping"), (42, "sophos_reboot: expected a mapping"),
    (["a", "list"], "sophos_reboot: expected a mapping"),
    ({"reboot_required": "sometimes"}, "sophos_reboot.reboot_required: expected a boolean"),
    ({"sophos": "none"}, "sophos_reboot.sophos: expected a mapping"),
    ({"reasons": [None, 3, {"id": None}, {"strong": "yes"}]}, "sophos_reboot.reasons[1]: expected a mapping"),
    ({"os": {"uptime_days": float("nan")}}, "sophos_reboot.os.uptime_days: expected a finite number"),
    ({"pending_days": True}, "sophos_reboot.pending_days: expected a number"),
    ({"sophos": {"health": {"services": ["x"]}}}, "sophos_reboot.sophos.health.services: expected a mapping"),
    ({}, None),
])
def test_garbage_facts_never_crash(facts, named):
    report = model.build_report([{"host": "h", "facts": facts, "cycle": facts, "patch": facts}])
    row = report["hosts"][0]
    assert row["status"] in model.STATUSES
    if named:
        assert any(error.startswith(named) for error in row["data_errors"]), row["data_errors"]
    # Every renderer shows the one host with its status (not merely the letter h somewhere).
    label = model.STATUS_LABELS[row["status"]]
    rows = list(csv.DictReader(io.StringIO(render_csv.to_csv(report))))
    assert [(r["host"], r["status"]) for r in rows] == [("h", row["status"])]
    markdown_rows = [line for line in render_markdown.to_markdown(report).splitlines() if line.startswith("| h |")]
    assert markdown_rows and all(line.startswith("| h | %s |" % label) for line in markdown_rows)
    assert '<span class="badge" style="--c:' in render_html.to_html(report) and label in render_html.to_html(report)
    json.dumps(report)


def test_garbage_entries_never_crash():
    report = model.build_report(["not a mapping", {"host": None}, {"host": 7, "run": {"state": "exploded"}}])
    hosts = [row["host"] for row in report["hosts"]]
    assert "(unnamed host)" in hosts and "7" in hosts and "(entry 0)" in hosts
    seven = [row for row in report["hosts"] if row["host"] == "7"][0]
    assert any("run.state" in error for error in seven["data_errors"])


def test_duplicate_host_is_flagged():
    report = model.build_report([{"host": "a"}, {"host": "a"}])
    assert len(report["hosts"]) == 2
    assert any("more than once" in error for row in report["hosts"] for error in row["data_errors"])


def test_huge_strings_are_cut(entries):
    entries[0]["facts"]["reasons"] = [{"id": "os_reboot_required", "source": "os", "strong": True,
                                       "detail": "x" * 50000}]
    entries[0]["facts"]["reboot_required"] = True
    entries[0]["cycle"] = {"status": "failed", "message": "y" * 100000, "restarts": 1}
    report = model.build_report(entries, max_text=500)
    row = row_of(report, "lin-ok")
    assert len(row["reasons"][0]["detail"]) < 600
    assert row["reasons"][0]["detail"].endswith("(49500 more characters)")
    assert len(row["maintenance"]["message"]) < 600
    assert len(render_html.to_html(report)) < 200000


def test_control_characters_are_replaced():
    row = model.host_row("a\x00b\x1b[31m", facts={"reasons": [{"id": "x\x07", "strong": True}]})
    assert "\x00" not in row["host"] and "\x1b" not in row["host"]
    assert row["reasons"][0]["id"] == "x\ufffd"


def test_long_lists_are_capped():
    row = model.host_row("a", patch={"status": "patched", "changes": ["pkg%d" % i for i in range(5000)]})
    assert len(row["patch"]["changes"]) == model.MAX_ITEMS
    assert any("sophos_patch.changes" in error for error in row["data_errors"])


@pytest.mark.parametrize("kwargs", [{"alert_days": 0}, {"alert_days": "14"}, {"alert_days": True},
                                    {"max_text": 5}, {"max_text": 2.5}])
def test_bad_settings_are_named(kwargs):
    with pytest.raises(ValueError) as error:
        model.build_report([], **kwargs)
    assert list(kwargs)[0] in str(error.value)


@pytest.mark.parametrize("result, active, expected", [
    (None, True, "ok"),
    (None, False, "failed"),
    ({"unreachable": True, "msg": "timeout"}, True, "unreachable"),
    ({"unreachable": True, "msg": "timeout"}, False, "unreachable"),
    ({"failed": True, "msg": "boom"}, True, "failed"),
    ({"changed": False}, True, "ok"),
    ("garbage", True, "ok"),
])
def test_run_state(result, active, expected):
    assert model.run_state(result, active)["state"] == expected


def test_empty_fleet():
    report = model.build_report([])
    assert report["summary"]["total"] == 0
    assert "Nothing needs attention" in render_html.to_html(report)
    assert "Nothing needs attention" in render_markdown.to_markdown(report)
    assert render_csv.to_csv(report).strip() == ",".join(render_csv.CSV_COLUMNS)


def test_json_round_trip(report):
    again = json.loads(json.dumps(report))
    assert again == report
    assert again["schema_version"] == model.SCHEMA_VERSION == 4
    assert again["kind"] == "fleetops.sophos.report"


def test_csv_reads_back(report):
    rows = list(csv.DictReader(io.StringIO(render_csv.to_csv(report), newline="")))
    assert [row["host"] for row in rows] == [row["host"] for row in report["hosts"]]
    by_host = dict((row["host"], row) for row in rows)
    assert by_host["win-old"]["status"] == "alert"
    assert float(by_host["win-old"]["pending_days"]) == 21.7
    assert by_host["lin-rebooted"]["restarts"] == "2"
    assert by_host["lin-rebooted"]["maintenance_reasons_before"] == "sophos_reboot_required; os_reboot_required"
    assert by_host["lin-ok"]["reboot_required"] == "false"
    assert by_host["win-gone"]["run_state"] == "unreachable"
    assert by_host[HOSTILE]["reasons"].startswith("pending_file_rename (<script>")


def test_csv_defuses_spreadsheet_formulas():
    report = model.build_report([{"host": "=cmd|' /C calc'!A0", "facts": {
        "reboot_required": True, "pending_days": -1, "reasons": [{"id": "@SUM(1)", "strong": True}]}}])
    row = next(csv.DictReader(io.StringIO(render_csv.to_csv(report), newline="")))
    assert row["host"] == "'=cmd|' /C calc'!A0"
    assert row["reasons"] == "'@SUM(1)"
    assert row["pending_days"] == "-1", "numbers keep their sign"


def test_markdown_escapes_host_text(report):
    text = render_markdown.to_markdown(report)
    assert HOSTILE not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<script>" not in text
    table = [line for line in text.splitlines() if line.startswith("| ") and "Pending" not in line]
    assert all(line.count(" | ") == 8 for line in table[len(model.STATUSES):] if "lin-" in line or "win-" in line)


def test_markdown_pipes_and_newlines_cannot_break_the_table():
    report = model.build_report([{"host": "a|b\nc", "facts": {"sophos": {"version": "1|2"}}}])
    line = [line for line in render_markdown.to_markdown(report).splitlines() if line.startswith("| a")][0]
    assert line.replace("\\|", "").count("|") == 10


def test_html_escapes_host_text(report):
    page = render_html.to_html(report)
    assert HOSTILE not in page
    assert "<script>document" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert page.count("<script") == 1, "only the page's own script"


def test_html_is_self_contained(report):
    page = render_html.to_html(report)
    for marker in ("http://", "https://", "src=\"", "<link", "@import", "url("):
        assert marker not in page.replace(html_kit.h(HOSTILE), "")
    assert html_kit._csp_hash(html_kit.REPORT_SCRIPT) in page


def test_html_has_a_row_and_a_count_per_host(report):
    page = render_html.to_html(report)
    assert page.count("<tr data-index=") == len(report["hosts"])
    for status, count in report["summary"]["counts"].items():
        # Only the statuses some host has get a tile.
        assert ('data-filter="%s" data-count="%d"' % (status, count) in page) is (count > 0)


def test_renderers_reject_non_reports():
    with pytest.raises((KeyError, TypeError)):
        render_html.to_html({"hosts": []})
