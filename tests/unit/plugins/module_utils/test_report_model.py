"""The report model (module_utils/_report/model.py): reading each host's records, statuses and their
ranking, issues, Central's view, not-run hosts, the summary and the report's own fields."""
import copy
import csv
import io
import json

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    model, render_csv, render_html, render_markdown, text as report_text)
from ansible_collections.fleetops.sophos.plugins.filter import report as report_filter
from ansible_collections.fleetops.sophos.tests.unit.report_cases import HOSTILE, row_of


# ----------------------------------------------------------------------------------------------------
# Report building from mixed host results: statuses, attention order, summary, odd values, renderers.

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


def test_json_round_trip(report):
    again = json.loads(json.dumps(report))
    assert again == report
    assert again["schema_version"] == model.SCHEMA_VERSION == 4
    assert again["kind"] == "fleetops.sophos.report"


# ----------------------------------------------------------------------------------------------------
# The report model's decisions, pinned on built rows: status ranking, attention set, alert age edge.
#
# Only the model (host_row, build_report, sort_rows, summarize) is used, not the renderers.

# The ranking, worst first, written out by hand (not read from model.STATUSES).
ORDER = ["unreachable", "failed", "still_pending", "unhealthy", "alert", "no_data", "not_run", "deferred",
         "pending", "rebooted", "ok"]


ATTENTION = {"unreachable", "failed", "still_pending", "unhealthy", "alert", "no_data"}


def facts(required=False, days=None, alert=False, urgent=False, health="good", services=None, update_ok=True,
          installed=True):
    return {"reboot_required": required, "pending_days": days, "alert": alert,
            "reasons": [{"id": "reboot_required_file", "strong": True, "source": "os"}] if required else [],
            "sophos": {"installed": installed, "reboot_urgent": urgent, "last_update_ok": update_ok,
                       "health": {"overall": health, "services": services or {"MCS": "running"}}},
            "os": {"family": "linux"}}


def cycle(status, restarts=0, after=()):
    return {"status": status, "restarts": restarts, "reasons_after": list(after), "message": None}


# Inputs that give one status each, and the status they give on their own.
ONE = {
    "unreachable": dict(facts=facts(), run={"state": "unreachable"}),
    "failed": dict(facts=facts(), cycle=cycle("failed")),
    "still_pending": dict(facts=facts(required=True), cycle=cycle("still_pending", 2, ["x"])),
    "unhealthy": dict(facts=facts(health="bad")),
    "alert": dict(facts=facts(required=True, days=15.0)),
    "no_data": dict(facts=None),
    "not_run": dict(facts=None, run={"state": "not_run"}),
    "deferred": dict(facts=facts(), cycle=cycle("deferred")),
    "pending": dict(facts=facts(required=True, days=1.0)),
    "rebooted": dict(facts=facts(), cycle=cycle("rebooted", 1)),
    "ok": dict(facts=facts()),
}


@pytest.mark.parametrize("status", ORDER)
def test_each_status_alone(status):
    row = model.host_row("h", **ONE[status])
    assert row["status"] == status
    assert row["attention"] is (status in ATTENTION)


@pytest.mark.parametrize("worse, better, inputs", [
    ("unreachable", "failed", dict(run={"state": "unreachable"}, cycle=cycle("failed"), facts=facts())),
    ("failed", "still_pending", dict(cycle=cycle("still_pending", 2), patch={"status": "failed"}, facts=facts())),
    ("failed", "unhealthy", dict(patch={"status": "failed"}, facts=facts(health="bad"))),
    ("still_pending", "unhealthy", dict(cycle=cycle("still_pending", 2),
                                        facts=facts(required=True, health="bad"))),
    ("unhealthy", "alert", dict(facts=facts(required=True, days=20.0, services={"MCS": "stopped"}))),
    ("alert", "pending", dict(facts=facts(required=True, days=20.0))),
    ("alert", "deferred", dict(facts=facts(required=True, urgent=True), cycle=cycle("deferred"))),
    # no_data and not_run never meet on one host (their order across hosts: test_sorting_...).
    ("no_data", "rebooted", dict(facts=None, run={"state": "ok"}, cycle=cycle("rebooted", 1))),
    ("not_run", "deferred", dict(facts=None, run={"state": "not_run"}, cycle=cycle("deferred"))),
    ("deferred", "pending", dict(facts=facts(required=True, days=1.0), cycle=cycle("deferred"))),
    ("pending", "rebooted", dict(facts=facts(required=True, days=1.0), cycle=cycle("rebooted", 1))),
    ("rebooted", "ok", dict(facts=facts(), cycle=cycle("ok", 1))),
])
def test_worse_status_wins(worse, better, inputs):
    row = model.host_row("h", **inputs)
    assert row["status"] == worse
    statuses = [issue["status"] for issue in row["issues"]]
    assert statuses == sorted(statuses, key=ORDER.index)
    if better != "ok":
        assert better in statuses, "the milder status is listed after the worse one"


@pytest.mark.parametrize("days, status", [(13.9, "pending"), (14.0, "pending"), (14.1, "alert")])
def test_alert_age_edge_in_the_report(days, status):
    row = model.host_row("h", facts=facts(required=True, days=days))
    assert row["status"] == status
    if status == "alert":
        assert row["issues"][0] == {"status": "alert", "id": "pending_too_long",
                                    "text": "restart pending for 14.1 days (alert after 14.0 days)"}


@pytest.mark.parametrize("alert_days, status", [(9.9, "alert"), (10.0, "pending"), (10.1, "pending")])
def test_alert_days_setting(alert_days, status):
    assert model.host_row("h", facts=facts(required=True, days=10.0), alert_days=alert_days)["status"] == status
    report = model.build_report([{"host": "h", "facts": facts(required=True, days=10.0)}], alert_days=alert_days)
    assert report["hosts"][0]["status"] == status


def test_alert_flag_and_urgent_without_age():
    row = model.host_row("h", facts=facts(required=True, alert=True))
    assert (row["status"], row["issues"][0]["id"]) == ("alert", "alert")
    urgent = model.host_row("h", facts=facts(required=True, urgent=True, alert=True))
    assert [i["id"] for i in urgent["issues"]] == ["urgent", "pending"]
    # An urgent flag without a pending restart is no alert.
    assert model.host_row("h", facts=facts(urgent=True))["status"] == "ok"


@pytest.mark.parametrize("health, services, update_ok, ids", [
    ("good", {"MCS": "running"}, True, []),
    ("suspicious", {"MCS": "running"}, True, ["sophos_health"]),
    ("bad", {"MCS": "running"}, True, ["sophos_health"]),
    ("unknown", {"MCS": "running"}, True, []),
    ("good", {"MCS": "unknown", "AV": "running"}, True, ["sophos_services"]),
    ("good", {"MCS": "running"}, False, ["sophos_update_failed"]),
    ("good", {"MCS": "running"}, None, []),
])
def test_unhealthy_conditions(health, services, update_ok, ids):
    row = model.host_row("h", facts=facts(health=health, services=services, update_ok=update_ok))
    assert [i["id"] for i in row["issues"]] == ids
    assert row["status"] == ("unhealthy" if ids else "ok")
    if ids == ["sophos_services"]:
        assert row["issues"][0]["text"] == "Sophos services not running: MCS (unknown)"
    # Without Sophos there is nothing to be unhealthy about.
    assert model.host_row("h", facts=facts(health=health, services=services, update_ok=update_ok,
                                           installed=False))["status"] == "ok"


def test_issue_texts():
    assert model.host_row("h", facts=facts(), cycle=cycle("still_pending", 2, ["a", "b"]))["issues"][0] == {
        "status": "still_pending", "id": "still_pending", "text": "still pending after 2 restart(s): a, b"}
    assert model.host_row("h", facts=facts(), cycle=cycle("still_pending", None))["issues"][0]["text"] == (
        "still pending after ? restart(s): unknown reason")
    assert model.host_row("h", facts=facts(), cycle=cycle("rebooted", 2))["issues"] == [
        {"status": "rebooted", "id": "rebooted", "text": "restarted 2 time(s)"}]
    assert model.host_row("h", facts=facts(required=True))["issues"] == [
        {"status": "pending", "id": "pending", "text": "restart pending: reboot_required_file"}]
    assert model.host_row("h", facts=facts(), cycle=cycle("deferred"))["issues"][0]["text"] == (
        "deferred: the maintenance window was too short")
    assert model.host_row("h", facts=facts(), cycle=cycle("failed"))["issues"][0]["text"] == (
        "the reboot cycle failed")
    assert model.host_row("h", facts=facts(), patch={"status": "failed"})["issues"][0] == {
        "status": "failed", "id": "patch_failed", "text": "patching failed"}
    assert model.host_row("h", facts=facts(), run={"state": "failed"})["issues"][0]["text"] == (
        "a task failed on this host")
    assert model.host_row("h", facts=facts(), run={"state": "unreachable", "message": "timed out"})[
        "issues"][0]["text"] == "timed out"
    assert model.host_row("h", facts=facts(), cycle=cycle("ok", 0))["issues"] == []


def test_sorting_and_summary_are_the_hand_written_order():
    entries = [{"host": name, **inputs} for name, inputs in (
        ("b-pending-3", dict(facts=facts(required=True, days=3.0))),
        ("a-ok", dict(facts=facts())),
        ("c-pending-5", dict(facts=facts(required=True, days=5.0))),
        ("d-gone", dict(facts=facts(), run={"state": "unreachable"})),
        ("a-pending-3", dict(facts=facts(required=True, days=3.0))),
        ("e-alert", dict(facts=facts(required=True, days=30.0))),
        ("f-nodata", dict(facts=None)),
        ("g-later", dict(facts=None, run={"state": "not_run"})),
        ("h-rebooted", dict(facts=facts(), cycle=cycle("rebooted", 2))),
    )]
    report = model.build_report(entries, generated="2026-11-27T03:00:00Z")
    assert [row["host"] for row in report["hosts"]] == [
        "d-gone", "e-alert", "f-nodata", "g-later", "c-pending-5", "a-pending-3", "b-pending-3", "h-rebooted",
        "a-ok"]
    summary = report["summary"]
    assert summary["attention"] == ["d-gone", "e-alert", "f-nodata"]
    assert summary["total"] == 9 and summary["restarts"] == 2
    assert summary["reboot_required"] == ["e-alert", "c-pending-5", "a-pending-3", "b-pending-3"]
    assert summary["counts"] == {"unreachable": 1, "failed": 0, "still_pending": 0, "unhealthy": 0, "alert": 1,
                                 "no_data": 1, "unknown": 0, "not_run": 1, "deferred": 0, "pending": 3, "rebooted": 1, "ok": 1}
    assert summary["hosts"]["pending"] == ["c-pending-5", "a-pending-3", "b-pending-3"]


@pytest.mark.parametrize("result, active, ran, state, message", [
    (None, True, True, "ok", None),
    ({"failed": True, "msg": "boom"}, True, True, "failed", "boom"),
    ({"unreachable": True, "failed": True, "msg": "gone"}, True, True, "unreachable", "gone"),
    ({}, False, True, "failed", "the host failed or was unreachable earlier in this run"),
    ({"failed": True}, True, False, "not_run", model.NOT_RUN_MESSAGE),
    ("junk", True, True, "ok", None),
])
def test_run_state_and_message(result, active, ran, state, message):
    assert model.run_state(result, active=active, ran=ran) == {"state": state, "message": message}


# ----------------------------------------------------------------------------------------------------
# How the report model reads untrusted values: each odd value is dropped and named, at its edge.
#
# Through host_row / build_report only (the model), never the renderers.

def row(facts=None, cycle=None, max_text=model.DEFAULT_MAX_TEXT, host="h"):
    return model.host_row(host, facts=facts, cycle=cycle, max_text=max_text)


@pytest.mark.parametrize("value, read, error", [
    (3, 3.0, None), ("2.5", 2.5, None), (" 4 ", 4.0, None), (None, None, None),
    (True, None, "sophos_reboot.pending_days: expected a number, got True"),
    ("soon", None, "sophos_reboot.pending_days: expected a number, got 'soon'"),
    ([1], None, "sophos_reboot.pending_days: expected a number, got [1]"),
    (float("inf"), None, "sophos_reboot.pending_days: expected a finite number, got inf"),
    ("nan", None, "sophos_reboot.pending_days: expected a finite number, got 'nan'"),
])
def test_number(value, read, error):
    got = row({"pending_days": value})
    assert got["pending_days"] == read
    assert got["data_errors"] == ([error] if error else [])


@pytest.mark.parametrize("value, read, error", [
    (0, 0, None), (2, 2, None), ("3", 3, None), (2.0, 2, None),
    (-1, None, "sophos_reboot_cycle.restarts: expected a whole number >= 0, got -1"),
    (1.5, None, "sophos_reboot_cycle.restarts: expected a whole number >= 0, got 1.5"),
])
def test_count(value, read, error):
    got = row({}, cycle={"status": "ok", "restarts": value})
    assert got["maintenance"]["restarts"] == read
    assert got["data_errors"] == ([error] if error else [])


@pytest.mark.parametrize("value, read", [
    (True, True), (False, False), (None, None), (1, True), (0, False), (" Yes ", True), ("TRUE", True),
    ("1", True), ("no", False), ("false", False), ("0", False),
])
def test_flag(value, read):
    got = row({"alert": value})
    assert got["alert"] is read and got["data_errors"] == []


@pytest.mark.parametrize("value", [2, "maybe", [], 0.5])
def test_flag_refuses(value):
    got = row({"alert": value})
    assert got["alert"] is None
    assert got["data_errors"] == ["sophos_reboot.alert: expected a boolean, got %r" % (value,)]


def test_text_limits_and_control_characters():
    got = row({"pending_since": "a\x00b\x1fc\x7fd\te\nf"})
    assert got["pending_since"] == "a\ufffdb\ufffdc\ufffdd\te\nf"
    assert row({"pending_since": "x" * 80})["pending_since"] == "x" * 80
    assert row({"pending_since": "x" * 81})["pending_since"] == "x" * 80 + "\u2026 (1 more characters)"
    assert row({"pending_since": b"2026-\xff"})["pending_since"] == "2026-\ufffd"
    assert row({"pending_since": 5})["pending_since"] == "5"
    dropped = row({"pending_since": {"a": 1}})
    assert dropped["pending_since"] is None
    assert dropped["data_errors"] == ["sophos_reboot.pending_since: expected a string, got {'a': 1}"]
    # The default limit is max_text, for the message of a cycle.
    long = row({}, cycle={"status": "failed", "message": "m" * 21}, max_text=20)
    assert long["maintenance"]["message"] == "m" * 20 + "\u2026 (1 more characters)"
    assert row({}, cycle={"status": "failed", "message": "m" * 20}, max_text=20)["maintenance"]["message"] == "m" * 20


def test_host_name_limit_and_missing_name():
    assert model.host_row("h" * 255)["host"] == "h" * 255
    assert model.host_row("h" * 256)["host"] == "h" * 255 + "\u2026 (1 more characters)"
    nameless = model.host_row(None)
    assert nameless["host"] == "(unnamed host)" and nameless["data_errors"] == ["host: no name given"]
    assert model.host_row("")["host"] == "(unnamed host)"


def test_bad_value_shown_shortened():
    got = row({"alert": "z" * 100})
    shown = repr("z" * 100)[:80] + "\u2026 (%d more characters)" % (len(repr("z" * 100)) - 80)
    assert got["data_errors"] == ["sophos_reboot.alert: expected a boolean, got %s" % shown]


def test_lists_mappings_and_choices():
    many = row({"reasons": [{"id": "r%d" % i, "strong": True} for i in range(201)]})
    assert len(many["reasons"]) == 200
    assert many["data_errors"] == ["sophos_reboot.reasons: 201 entries, only the first 200 kept"]
    assert len(row({"reasons": [{"id": "r", "strong": True}] * 200})["reasons"]) == 200
    assert row({"reasons": [{"id": "r", "strong": True}] * 200})["data_errors"] == []
    assert row({"reasons": "r"})["data_errors"] == ["sophos_reboot.reasons: expected a list, got 'r'"]
    assert row({"reasons": [{}, {"id": None, "strong": False}]})["reasons"] == [
        {"id": "unknown", "source": None, "strong": False, "detail": None}]
    assert row({"os": []})["data_errors"] == ["sophos_reboot.os: expected a mapping, got []"]
    cycle = row({}, cycle={"status": "exploded", "reasons_after": ["a", {"id": "b"}, None, {"x": 1}, ["c"]]})
    assert cycle["maintenance"]["status"] is None
    assert cycle["maintenance"]["reasons_after"] == ["a", "b"]
    assert cycle["data_errors"] == [
        "sophos_reboot_cycle.status: expected one of ok, rebooted, deferred, failed, still_pending, got 'exploded'",
        "sophos_reboot_cycle.reasons_after[4]: expected a string, got ['c']"]
    assert row({}, cycle={})["maintenance"] is None
    settles = row({}, cycle={"status": "ok", "settles": [{"mode": "poll", "seconds": "12.5", "ended": "evidence"}]})
    assert settles["maintenance"]["settles"] == [{"mode": "poll", "seconds": 12.5, "ended": "evidence",
                                                  "reason": None, "started_at": None, "ended_at": None}]


def test_build_report_checks_and_duplicates():
    for alert_days, ok in ((0, False), (-1, False), (True, False), ("14", False), (0.1, True), (14, True)):
        if ok:
            assert model.build_report([], alert_days=alert_days, generated="g")["alert_days"] == float(alert_days)
        else:
            with pytest.raises(ValueError) as info:
                model.build_report([], alert_days=alert_days)
            assert str(info.value) == "alert_days must be a number greater than 0, got %r" % (alert_days,)
    for max_text, ok in ((19, False), (20, True), (True, False), (20.0, False)):
        if ok:
            model.build_report([], max_text=max_text, generated="g")
        else:
            with pytest.raises(ValueError) as info:
                model.build_report([], max_text=max_text)
            assert str(info.value) == "max_text must be a whole number of at least 20, got %r" % (max_text,)
    report = model.build_report([{"host": "a"}, {"host": "a"}], generated="g", title=None)
    assert [r["data_errors"] for r in report["hosts"]] == [[], ["host: listed more than once"]]
    assert (report["schema_version"], report["kind"], report["title"], report["generated"]) == (
        4, "fleetops.sophos.report", "Sophos restart report", "g")
    assert report["statuses"] == ["unreachable", "failed", "still_pending", "unhealthy", "alert", "no_data",
                                  "unknown", "not_run", "deferred", "pending", "rebooted", "ok"]
    stamped = model.build_report([])["generated"]
    assert stamped.endswith("Z") and len(stamped) == len("2026-11-27T03:00:00Z")


def test_every_field_name_in_the_notes():
    got = model.host_row(
        "h", facts={"sophos": {"updating": "x", "last_update": [1], "product": {"p": 1}, "queued_update": [],
                               "health": {"overall": [2], "services": {"a": ["b"]}}},
                    "os": {"last_boot": {"b": 1}}, "reasons": [{"id": ["i"]}]},
        cycle={"status": "ok", "started": [3], "check_mode": "x", "settles": [{"ended": ["e"]}]},
        patch=[], run={"state": "ok", "message": ["m"]})
    assert got["data_errors"] == [
        "sophos_reboot.sophos.health.services: expected a string, got ['b']",
        "sophos_reboot.sophos.queued_update: expected a mapping, got []",
        "sophos_reboot.sophos.product: expected a string, got {'p': 1}",
        "sophos_reboot.sophos.updating: expected a boolean, got 'x'",
        "sophos_reboot.sophos.last_update: expected a string, got [1]",
        "sophos_reboot.sophos.health.overall: expected a string, got [2]",
        "run.message: expected a string, got ['m']",
        "sophos_reboot.os.last_boot: expected a string, got {'b': 1}",
        "sophos_reboot.reasons[0].id: expected a string, got ['i']",
        "sophos_reboot_cycle.settles[0].ended: expected a string, got ['e']",
        "sophos_reboot_cycle.check_mode: expected a boolean, got 'x'",
        "sophos_reboot_cycle.started: expected a string, got [3]",
        "sophos_patch: expected a mapping, got []",
    ]
    assert sorted(got) == sorted(["host", "status", "attention", "issues", "run", "has_facts", "os",
                                  "reboot_required", "reasons", "pending_since", "pending_days", "urgent", "alert",
                                  "sophos", "maintenance", "patch", "read_errors", "data_errors",
                                  "reboot_required_unknown", "unknown_sources", "pending_since_source",
                                  "pending_since_local", "central"])
    assert model.host_row("h", cycle=[1])["data_errors"] == ["sophos_reboot_cycle: expected a mapping, got [1]"]


def test_field_length_limits():
    long = "x" * 90
    got = model.host_row("h", facts={"sophos": {"last_update": long, "product": long,
                                                "health": {"overall": long, "services": {"s": long}}},
                                     "os": {"last_boot": long}},
                         cycle={"status": "ok", "started": long})
    assert got["sophos"]["last_update"] == got["sophos"]["product"] == got["os"]["last_boot"] == \
        got["maintenance"]["started"] == "x" * 80 + "\u2026 (10 more characters)"
    assert got["sophos"]["health"] == got["sophos"]["services"]["s"] == "x" * 40 + "\u2026 (50 more characters)"
    assert got["sophos"]["updating"] is None and got["sophos"]["queued_update_suspected"] is None
    queued = model.host_row("h", facts={"sophos": {"updating": True, "queued_update": {"suspected": True}}})
    assert (queued["sophos"]["updating"], queued["sophos"]["queued_update_suspected"]) == (True, True)


def test_issue_ids_and_default_texts():
    deferred = model.host_row("h", facts={}, cycle={"status": "deferred"})
    assert deferred["issues"] == [{"status": "deferred", "id": "deferred",
                                   "text": "deferred: the maintenance window was too short"}]
    assert model.host_row("h", run={"state": "not_run"})["issues"][0]["text"] == "not run yet"
    assert model.host_row("h", facts={"sophos": {"installed": True, "health": {"overall": "bad"}}})[
        "issues"] == [{"status": "unhealthy", "id": "sophos_health", "text": "Sophos health is bad"}]


@pytest.mark.parametrize("status", [["ok"], {"ok": 1}])
def test_choice_named_a_string_when_not_a_string(status):
    # A list or a mapping given as a status is not a string: it is named so, not as "not one of the choices".
    got = row({}, cycle={"status": status})
    assert got["maintenance"]["status"] is None
    assert got["data_errors"] == ["sophos_reboot_cycle.status: expected a string, got %r" % (status,)]


# ----------------------------------------------------------------------------------------------------
# Each field of a host's reasons and Sophos state read from odd input (module_utils/_report/model.py): the note
# naming the field word for word, and the length a field is cut at.

def more(text, limit):
    return text[:limit] + u"\u2026 (%d more characters)" % (len(text) - limit)


def test_reason_fields():
    row = model.host_row("h", facts={"reasons": [
        {"id": "i" * 121, "source": "s" * 41, "strong": "maybe", "detail": ["d"]},
        {"id": ["x"], "source": {"a": 1}},
        {"id": "i" * 120, "source": "s" * 40, "strong": "yes", "detail": "d" * 30},
    ]}, max_text=25)
    assert row["reasons"] == [
        {"id": more("i" * 121, 120), "source": more("s" * 41, 40), "strong": None, "detail": None},
        {"id": u"unknown", "source": None, "strong": None, "detail": None},
        {"id": "i" * 120, "source": "s" * 40, "strong": True, "detail": more("d" * 30, 25)},
    ]
    assert row["data_errors"] == [
        "sophos_reboot.reasons[0].strong: expected a boolean, got 'maybe'",
        "sophos_reboot.reasons[0].detail: expected a string, got ['d']",
        "sophos_reboot.reasons[1].id: expected a string, got ['x']",
        "sophos_reboot.reasons[1].source: expected a string, got {'a': 1}",
    ]


def test_sophos_fields():
    sophos = {"installed": "maybe", "product": ["p"], "version": ["v"], "reboot_required": "maybe",
              "reboot_urgent": "maybe", "updating": "maybe", "last_update": ["l"], "last_update_ok": "maybe",
              "updated_since_boot": "maybe", "queued_update": {"suspected": "maybe"},
              "health": {"overall": ["o"], "services": {"b" * 201: "running", "a": ["x"], 10: "stopped"}}}
    row = model.host_row("h", facts={"sophos": sophos})
    assert list(row["sophos"]["services"].items()) == [
        ("10", "stopped"), ("a", None), (more("b" * 201, 200), "running")]
    assert row["data_errors"] == [
        "sophos_reboot.sophos.health.services: expected a string, got ['x']",
        "sophos_reboot.sophos.installed: expected a boolean, got 'maybe'",
        "sophos_reboot.sophos.product: expected a string, got ['p']",
        "sophos_reboot.sophos.version: expected a string, got ['v']",
        "sophos_reboot.sophos.reboot_required: expected a boolean, got 'maybe'",
        "sophos_reboot.sophos.reboot_urgent: expected a boolean, got 'maybe'",
        "sophos_reboot.sophos.updating: expected a boolean, got 'maybe'",
        "sophos_reboot.sophos.last_update: expected a string, got ['l']",
        "sophos_reboot.sophos.last_update_ok: expected a boolean, got 'maybe'",
        "sophos_reboot.sophos.updated_since_boot: expected a boolean, got 'maybe'",
        "sophos_reboot.sophos.queued_update.suspected: expected a boolean, got 'maybe'",
        "sophos_reboot.sophos.health.overall: expected a string, got ['o']",
    ]


def test_sophos_parts_that_are_not_mappings():
    row = model.host_row("h", facts={"sophos": {"installed": True, "health": "x", "queued_update": [1]}})
    assert row["data_errors"] == ["sophos_reboot.sophos.health: expected a mapping, got 'x'",
                                  "sophos_reboot.sophos.queued_update: expected a mapping, got [1]"]
    row = model.host_row("h", facts={"sophos": {"health": {"services": "MCS"}}})
    assert row["data_errors"] == ["sophos_reboot.sophos.health.services: expected a mapping, got 'MCS'"]


CLEAN = {"reboot_required": False, "reasons": []}


def central_row(view, **kwargs):
    return model.host_row("h", facts=CLEAN, central=view, **kwargs)


def test_central_fields_of_the_wrong_type_are_named():
    view = {"id": ["i"], "hostname": ["h"], "online": "maybe", "last_seen_at": ["l"], "health": {"overall": ["o"]},
            "restart_alert": {"id": ["a"], "type": ["t"], "severity": ["s"], "raised_at": ["r"], "pending_days": -1}}
    row = central_row(view, central_source="lookup", central_checked_at=["c"])
    assert row["data_errors"] == [
        "sophos_central.restart_alert.raised_at: expected a string, got ['r']",
        "sophos_central.restart_alert.id: expected a string, got ['a']",
        "sophos_central.restart_alert.type: expected a string, got ['t']",
        "sophos_central.restart_alert.severity: expected a string, got ['s']",
        "sophos_central.restart_alert.pending_days: expected a whole number >= 0, got -1",
        "sophos_central.checked_at: expected a string, got ['c']",
        "sophos_central.id: expected a string, got ['i']",
        "sophos_central.hostname: expected a string, got ['h']",
        "sophos_central.online: expected a boolean, got 'maybe'",
        "sophos_central.last_seen_at: expected a string, got ['l']",
        "sophos_central.health.overall: expected a string, got ['o']",
    ]
    assert central_row({"health": "good"})["data_errors"] == ["sophos_central.health: expected a mapping, got 'good'"]


def test_central_field_lengths():
    def view(extra):
        alert = {"id": "a" * (80 + extra), "type": "t" * (120 + extra), "severity": "s" * (40 + extra),
                 "raised_at": "2026-11-10T20:10:00." + "0" * (59 + extra) + "Z", "age_days": 3,
                 "pending_since": "2026-10-27T20:10:00Z", "pending_since_source": "estimate", "pending_days": 17}
        return {"id": "i" * (80 + extra), "hostname": "h" * (255 + extra), "online": True,
                "last_seen_at": "l" * (80 + extra), "health": {"overall": "o" * (40 + extra)}, "restart_alert": alert}

    def shown(value, limit):
        return value if len(value) <= limit else more(value, limit)
    for extra in (0, 1):
        got = central_row(view(extra), central_source="lookup", central_checked_at="c" * (80 + extra))
        given = view(extra)
        assert got["central"] == {
            "source": "lookup", "checked_at": shown("c" * (80 + extra), 80), "id": shown(given["id"], 80),
            "hostname": shown(given["hostname"], 255), "online": True, "last_seen_at": shown(given["last_seen_at"], 80),
            "health": shown("o" * (40 + extra), 40),
            "restart_alert": {"id": shown(given["restart_alert"]["id"], 80),
                              "type": shown(given["restart_alert"]["type"], 120),
                              "severity": shown(given["restart_alert"]["severity"], 40),
                              # 80 characters are read as a time; a longer one is cut and no time any more
                              "raised_at": "2026-11-10T20:10:00Z" if extra == 0 else None, "age_days": 3,
                              "pending_since": "2026-10-27T20:10:00Z", "pending_since_source": "estimate",
                              "pending_days": 17}}
    raised = "2026-11-10T20:10:00." + "0" * 60 + "Z"
    assert central_row(view(1))["data_errors"] == [
        u"sophos_central.restart_alert.raised_at: not an ISO 8601 time: " + more(raised, 80)]


def test_sophos_version_is_cut_at_80():
    assert model.host_row("h", facts={"sophos": {"version": "v" * 80}})["sophos"]["version"] == "v" * 80
    assert model.host_row("h", facts={"sophos": {"version": "v" * 81}})["sophos"]["version"] == more("v" * 81, 80)


def test_the_runs_identity_in_the_report():
    run = {"id": "20261201T090500Z-ab12", "started": "2026-12-01T09:05:00Z", "playbook": "maint.yml",
           "stem": "sophos-report-20261201T090500Z-ab12", "check_mode": False, "other": 1}
    assert model.build_report([], generated="g", run=run)["run"] == {
        "id": "20261201T090500Z-ab12", "started": "2026-12-01T09:05:00Z", "playbook": "maint.yml",
        "stem": "sophos-report-20261201T090500Z-ab12", "kind": None}
    assert model.build_report([], generated="g")["run"] == {"id": None, "started": None, "playbook": None,
                                                            "stem": None, "kind": None}
    # A kind the report does not know is not carried into it.
    assert model.build_report([], generated="g", run=dict(run, kind="<b>"))["run"]["kind"] is None
    assert model.build_report([], generated="g", run=dict(run, kind="restart"))["run"]["kind"] == "restart"


def test_settle_fields():
    cycle = {"settles": [{"mode": "m" * 21, "seconds": "soon", "ended": ["e"]}, {"mode": ["p"]}, {"mode": "m" * 20}]}
    row = model.host_row("h", facts={}, cycle=cycle)
    assert [settle["mode"] for settle in row["maintenance"]["settles"]] == [more("m" * 21, 20), None, "m" * 20]
    assert row["data_errors"] == [
        "sophos_reboot_cycle.settles[0].seconds: expected a number, got 'soon'",
        "sophos_reboot_cycle.settles[0].ended: expected a string, got ['e']",
        "sophos_reboot_cycle.settles[1].mode: expected a string, got ['p']",
    ]


def test_settle_times_are_cut_at_80_and_named():
    cycle = {"settles": [{"started_at": "s" * 80, "ended_at": "e" * 80}, {"started_at": "s" * 81, "ended_at": "e" * 81},
                         {"started_at": ["s"], "ended_at": {"at": "e"}}]}
    row = model.host_row("h", facts={}, cycle=cycle)
    assert [(settle["started_at"], settle["ended_at"]) for settle in row["maintenance"]["settles"]] == [
        ("s" * 80, "e" * 80), (more("s" * 81, 80), more("e" * 81, 80)), (None, None)]
    assert row["data_errors"] == [
        "sophos_reboot_cycle.settles[2].started_at: expected a string, got ['s']",
        "sophos_reboot_cycle.settles[2].ended_at: expected a string, got {'at': 'e'}",
    ]


def test_restart_reason_ids_are_cut_at_120_and_named():
    boots = [{"boot_id": "b0"}, {"boot_id": "b1", "restarted_at": "2026-12-01T09:10:00Z",
                                 "reasons": [{"id": ["x"]}, {"id": "i" * 121}, {"id": "i" * 120}]}]
    row = model.host_row("h", facts={}, cycle={"boots": boots})
    assert [reason["id"] for reason in row["maintenance"]["boots"][0]["reasons"]] == [
        None, more("i" * 121, 120), "i" * 120]
    assert row["data_errors"] == ["sophos_reboot_cycle.boots[1].reasons[0].id: expected a string, got ['x']"]


def test_cycle_duration_of_the_wrong_type_is_named():
    row = model.host_row("h", facts={}, cycle={"status": "ok", "duration_seconds": "long"})
    assert row["maintenance"]["duration_seconds"] is None
    assert row["data_errors"] == ["sophos_reboot_cycle.duration_seconds: expected a number, got 'long'"]


def test_os_family_is_cut_at_40_and_named():
    assert model.host_row("h", facts={"os": {"family": "f" * 40}})["os"]["family"] == "f" * 40
    assert model.host_row("h", facts={"os": {"family": "f" * 41}})["os"]["family"] == more("f" * 41, 40)
    row = model.host_row("h", facts={"os": {"family": ["linux"]}})
    assert row["os"]["family"] is None
    assert row["data_errors"] == ["sophos_reboot.os.family: expected a string, got ['linux']"]


def test_pending_since_source_of_the_wrong_type_is_named():
    row = model.host_row("h", facts={"pending_since_source": {"from": "sophos"}})
    assert row["pending_since_source"] is None
    assert row["data_errors"] == ["sophos_reboot.pending_since_source: expected a string, got {'from': 'sophos'}"]


# ----------------------------------------------------------------------------------------------------
# One report row in full (module_utils/_report/model.py): every field of a host read from hand-written facts and
# records, including the restarts (one entry per restart, the boot before apart) and the settles.

FACTS = {
    "reboot_required": True, "pending_since": "2026-11-20T02:00:00Z", "pending_days": 11.25,
    "pending_since_source": "source", "alert": False, "checked_at": "2026-12-01T08:00:00Z",
    "reasons": [{"id": "kernel", "source": "os", "strong": True, "detail": "6.1 -> 6.2"},
                {"id": "pfr", "source": "windows", "strong": "no", "detail": None}],
    "os": {"family": "debian", "last_boot": "2026-11-01T00:00:00Z", "uptime_days": "30.3", "reboot_required": 1},
    "sophos": {"installed": True, "product": "spl", "version": "2024.3", "reboot_required": False,
               "reboot_urgent": False, "updating": "false", "last_update": "2026-12-01T06:00:00Z",
               "last_update_ok": True, "updated_since_boot": True, "queued_update": {"suspected": False},
               "health": {"overall": "good", "services": {"mcs": "running", "av": "running"}}},
    "read_errors": [{"source": "needrestart", "error": "not installed"}],
    "unknown_sources": [],
}


CYCLE = {
    "status": "deferred", "check_mode": False, "would_reboot": False, "restarts": 1,
    "reasons_before": ["kernel", {"id": "pfr"}], "reasons_after": ["kernel"],
    "settles": [{"mode": "poll", "seconds": 61.5, "ended": "evidence", "reason": "r",
                 "started_at": "2026-12-01T07:01:00Z", "ended_at": "2026-12-01T07:02:01Z"}],
    "boots": [{"boot_id": "b0", "last_boot": "2026-11-01T00:00:00Z"},
              {"boot_id": "b1", "boot_id_before": "b0", "last_boot": "2026-12-01T07:00:30Z",
               "restarted_at": "2026-12-01T07:01:00Z", "restart_seconds": 45,
               "reasons": [{"id": "kernel", "detail": "6.1 -> 6.2"}], "queued_update": False},
              {"boot_id": "bx"}],
    "message": "restart 2 deferred", "started": "2026-12-01T07:00:00Z", "finished": "2026-12-01T07:30:00Z",
    "duration_seconds": "1800",
}


def test_a_full_row():
    row = model.host_row("web1", facts=FACTS, cycle=CYCLE, patch={"status": "patched", "changes": ["a", "b"],
                                                                  "reboot_required": "yes"},
                         run={"state": "ok"})
    assert row == {
        "host": "web1", "status": "deferred", "attention": False,
        "issues": [{"status": "deferred", "id": "deferred", "text": "restart 2 deferred"},
                   {"status": "pending", "id": "pending", "text": "restart pending: kernel"}],
        "run": {"state": "ok", "message": None},
        "has_facts": True,
        "os": {"family": "debian", "last_boot": "2026-11-01T00:00:00Z", "uptime_days": 30.3, "reboot_required": True},
        "reboot_required": True,
        "reasons": [{"id": "kernel", "source": "os", "strong": True, "detail": "6.1 -> 6.2"},
                    {"id": "pfr", "source": "windows", "strong": False, "detail": None}],
        "pending_since": "2026-11-20T02:00:00Z", "pending_days": 11.25, "pending_since_source": "source",
        "pending_since_local": None, "urgent": False, "alert": False,
        "sophos": {"installed": True, "product": "spl", "version": "2024.3", "reboot_required": False,
                   "reboot_urgent": False, "updating": False, "last_update": "2026-12-01T06:00:00Z",
                   "last_update_ok": True, "updated_since_boot": True, "queued_update_suspected": False,
                   "health": "good", "services": {"av": "running", "mcs": "running"}},
        "maintenance": {
            "status": "deferred", "check_mode": False, "would_reboot": False, "restarts": 1,
            "reasons_before": ["kernel", "pfr"], "reasons_after": ["kernel"],
            "settles": [{"mode": "poll", "seconds": 61.5, "ended": "evidence", "reason": "r",
                         "started_at": "2026-12-01T07:01:00Z", "ended_at": "2026-12-01T07:02:01Z"}],
            "boots": [{"number": 1, "boot_id": "b1", "boot_id_before": "b0", "last_boot": "2026-12-01T07:00:30Z",
                       "restarted_at": "2026-12-01T07:01:00Z", "restart_seconds": 45.0,
                       "reasons": [{"id": "kernel", "detail": "6.1 -> 6.2"}], "queued_update": False}],
            "boot_before": {"boot_id": "b0", "last_boot": "2026-11-01T00:00:00Z"},
            "message": "restart 2 deferred", "started": "2026-12-01T07:00:00Z", "finished": "2026-12-01T07:30:00Z",
            "duration_seconds": 1800.0, "window": None, "groups": [], "stopped_groups": [], "slot_wait_seconds": None,
            "window_start": None, "window_start_wait": None,
            "health_checks": [], "silence": None, "expected": None, "tier": None, "tier_after": [], "tier_wait_seconds": None,
        },
        "patch": {"status": "patched", "changes": ["a", "b"], "would_install": [], "reboot_required": True},
        "read_errors": [{"source": "needrestart", "error": "not installed"}],
        "reboot_required_unknown": False,
        "unknown_sources": [],
        "central": None,
        "data_errors": [],
    }
    assert list(row["sophos"]["services"]) == ["av", "mcs"]


def test_boot_before_is_the_first_entry_without_a_restart_only():
    cycle = {"status": "rebooted", "restarts": 2, "boots": [
        {"boot_id": "b1", "restarted_at": "t1"},
        {"boot_id": "late"},                       # no restart, after one: not the boot before
        {"boot_id": "b2", "restarted_at": "t2"}]}
    maintenance = model.host_row("h", facts={}, cycle=cycle)["maintenance"]
    assert maintenance["boot_before"] is None
    assert [(b["number"], b["boot_id"]) for b in maintenance["boots"]] == [(1, "b1"), (2, "b2")]
    cycle["boots"] = [{"boot_id": "b0"}, {"boot_id": "again"}, {"boot_id": "b1", "restarted_at": "t1"}]
    maintenance = model.host_row("h", facts={}, cycle=cycle)["maintenance"]
    assert maintenance["boot_before"] == {"boot_id": "b0", "last_boot": None}
    assert [(b["number"], b["boot_id"]) for b in maintenance["boots"]] == [(1, "b1")]


def test_no_cycle_record_is_no_maintenance():
    assert model.host_row("h", facts={}, cycle={})["maintenance"] is None
    assert model.host_row("h", facts={}, patch={})["patch"] is None
    row = model.host_row("h", facts={}, cycle="done")
    assert row["maintenance"] is None and row["data_errors"] == ["sophos_reboot_cycle: expected a mapping, got 'done'"]


def test_the_expectation_and_its_source_are_carried_and_checked():
    cycle = {"status": "rebooted", "restarts": 1, "expected": {
        "restart_minutes": 6.0, "restart_from": "history", "restart_samples": 10,
        "settle_minutes": 20, "settle_from": "setting", "settle_samples": 0}}
    row = model.host_row("h", facts={}, cycle=cycle)
    assert row["maintenance"]["expected"] == cycle["expected"] and row["data_errors"] == []
    cycle["expected"] = {"restart_minutes": "six", "restart_from": "guess", "settle_samples": -1}
    row = model.host_row("h", facts={}, cycle=cycle)
    assert row["maintenance"]["expected"] == {
        "restart_minutes": None, "restart_from": None, "restart_samples": None,
        "settle_minutes": None, "settle_from": None, "settle_samples": None}
    assert [error.split(":")[0] for error in row["data_errors"]] == [
        "sophos_reboot_cycle.expected.restart_minutes", "sophos_reboot_cycle.expected.restart_from",
        "sophos_reboot_cycle.expected.settle_samples"]


# ----------------------------------------------------------------------------------------------------
# Every issue the report model finds on a host (module_utils/_report/model.py), word for word and in rank order,
# and the twelve statuses with their labels in the order a reader sees them.

def facts_issue(required=False, **extra):
    value = {"reboot_required": required, "alert": False, "reasons": [],
             "sophos": {"installed": True, "health": {"overall": "good", "services": {"MCS": "running"}}},
             "os": {"family": "linux"}}
    value.update(extra)
    return value


def issues(row):
    return [(issue["status"], issue["id"], issue["text"]) for issue in row["issues"]]


def test_every_problem_at_once_worst_first():
    broken = facts_issue(required=True, pending_days=20.0, alert=True,
                         reasons=[{"id": "kernel", "strong": True, "source": "os"}, {"id": "pfr", "strong": False}],
                         sophos={"installed": True, "reboot_urgent": True, "last_update_ok": False,
                                 "health": {"overall": "bad",
                                            "services": {"MCS": "running", "SAV": "unknown", "AV": "stopped"}}})
    row = model.host_row("h", facts=broken, cycle={"status": "failed", "message": "cycle broke", "restarts": 1},
                         patch={"status": "failed"}, run={"state": "failed", "message": "boom"})
    assert issues(row) == [
        ("failed", "run_failed", "boom"),
        ("failed", "maintenance_failed", "cycle broke"),
        ("failed", "patch_failed", "patching failed"),
        ("unhealthy", "sophos_health", "Sophos health is bad"),
        ("unhealthy", "sophos_services", "Sophos services not running: AV (stopped), SAV (unknown)"),
        ("unhealthy", "sophos_update_failed", "the last Sophos update failed"),
        ("alert", "urgent", "Sophos marks the restart as urgent"),
        ("alert", "pending_too_long", "restart pending for 20.0 days (alert after 14.0 days)"),
        ("pending", "pending", "restart pending: kernel"),
    ]
    assert row["status"] == "failed" and row["attention"] is True


@pytest.mark.parametrize("kwargs, expected", [
    (dict(facts=facts_issue(alert=True)), [("alert", "alert", "the host reports an alert")]),
    (dict(facts=facts_issue(required=True, reasons=[{"id": "pfr", "strong": False}])),
     [("pending", "pending", "restart pending: reason not given")]),
    (dict(facts=None, run={"state": "not_run"}), [("not_run", "not_run", "not run yet")]),
    (dict(facts=None, run={"state": "not_run", "message": "batch 3"}), [("not_run", "not_run", "batch 3")]),
    (dict(facts=None, run={"state": "unreachable"}), [("unreachable", "unreachable", "host could not be reached")]),
    (dict(facts=None), [("no_data", "no_facts", "no sophos_reboot facts were gathered for this host")]),
    (dict(facts=facts_issue(required=True), cycle={"status": "still_pending", "restarts": 0, "reasons_after": ["x"]}),
     [("still_pending", "still_pending", "still pending after 0 restart(s): x"),
      ("pending", "pending", "restart pending: reason not given")]),
    (dict(facts=facts_issue(), cycle={"status": "ok", "restarts": 2}), [("rebooted", "rebooted", "restarted 2 time(s)")]),
    (dict(facts=facts_issue(), cycle={"status": "deferred", "message": "10m left, a restart needs 30m"}),
     [("deferred", "deferred", "10m left, a restart needs 30m")]),
])
def test_one_issue_texts(kwargs, expected):
    assert issues(model.host_row("h", **kwargs)) == expected


@pytest.mark.parametrize("extra, text", [
    (dict(unknown_sources=["registry", "wu"], read_errors=[{"source": "rpm", "error": "x"}]),
     "cannot read the restart state: registry, wu"),
    (dict(read_errors=[{"source": None, "error": "x"}, {"source": "wu", "error": "denied"}]),
     "cannot read the restart state: wu"),
    (dict(read_errors=[{"error": "x"}]), "cannot read the restart state: source not given"),
    ({}, "cannot read the restart state: source not given"),
])
def test_an_unknown_restart_state_names_what_was_not_read(extra, text):
    row = model.host_row("h", facts=facts_issue(required=None, **extra), cycle={"status": "deferred"})
    assert issues(row) == [("unknown", "restart_state_unknown", text),
                           ("deferred", "deferred", "deferred: the maintenance window was too short")]
    assert row["status"] == "unknown" and row["attention"] is True


def test_a_known_state_is_not_unknown():
    assert issues(model.host_row("h", facts=facts_issue(required=False, read_errors=[{"source": "wu", "error": "x"}]))) \
        == []
    # A host without facts is "no data", not "unknown".
    assert model.host_row("h", facts=None)["status"] == "no_data"


ONE_OF_EACH = [
    ("k-ok", dict(facts=facts_issue())),
    ("j-rebooted", dict(facts=facts_issue(), cycle={"status": "rebooted", "restarts": 1})),
    ("i-pending", dict(facts=facts_issue(required=True, pending_days=1.0))),
    ("h-deferred", dict(facts=facts_issue(), cycle={"status": "deferred"})),
    ("g-later", dict(facts=None, run={"state": "not_run"})),
    ("f-unknown", dict(facts=facts_issue(required=None))),
    ("e-nodata", dict(facts=None)),
    ("d-alert", dict(facts=facts_issue(alert=True))),
    ("c-unhealthy", dict(facts=facts_issue(sophos={"installed": True, "health": {"overall": "bad"}}))),
    ("b-still", dict(facts=facts_issue(), cycle={"status": "still_pending", "restarts": 2})),
    ("a-failed", dict(facts=facts_issue(), patch={"status": "failed"})),
    ("z-gone", dict(facts=facts_issue(), run={"state": "unreachable"})),
]


def test_the_twelve_statuses_in_order_with_their_labels():
    report = model.build_report([dict(host=name, **kwargs) for name, kwargs in ONE_OF_EACH],
                                generated="2026-12-01T09:05:00Z")
    assert [row["host"] for row in report["hosts"]] == [
        "z-gone", "a-failed", "b-still", "c-unhealthy", "d-alert", "e-nodata", "f-unknown",
        "g-later", "h-deferred", "i-pending", "j-rebooted", "k-ok"]
    assert report["summary"]["attention"] == [
        "z-gone", "a-failed", "b-still", "c-unhealthy", "d-alert", "e-nodata", "f-unknown"]
    table = render_markdown.to_markdown(report).split("|---|---:|\n")[1].split("\n\n")[0]
    assert table.splitlines() == [
        "| Unreachable | 1 |", "| Failed | 1 |", "| Still pending | 1 |", "| Sophos unhealthy | 1 |",
        "| Alert: long / urgent | 1 |", "| No data | 1 |", "| Restart state unknown | 1 |", "| Not run yet | 1 |",
        "| Deferred | 1 |", "| Restart pending | 1 |", "| Restarted | 1 |", "| OK | 1 |"]
    assert report["statuses"] == [
        "unreachable", "failed", "still_pending", "unhealthy", "alert", "no_data", "unknown", "not_run", "deferred",
        "pending", "rebooted", "ok"]


def test_within_a_status_a_known_age_comes_before_an_unknown_one():
    report = model.build_report([{"host": "a", "facts": facts_issue(required=True, pending_days=None)},
                                 {"host": "b", "facts": facts_issue(required=True, pending_days=0.5)},
                                 {"host": "c", "facts": facts_issue(required=True, pending_days=0.0)}], generated="g")
    assert [row["host"] for row in report["hosts"]] == ["b", "a", "c"]


def test_an_entry_that_is_not_a_mapping_is_a_named_host_with_a_note():
    report = model.build_report(["junk", None], generated="g")
    assert [(row["host"], row["status"], row["data_errors"]) for row in report["hosts"]] == [
        ("(entry 0)", "no_data", ["sophos_reboot: expected a mapping, got 'junk'"]),
        ("(entry 1)", "no_data", [])]


# ----------------------------------------------------------------------------------------------------
# Hosts of a later serial batch: the report says ``not_run``, never failed or unreachable.

FILTERS = report_filter.FilterModule().filters()


GENERATED = "2026-11-27T00:00:00Z"


def test_run_state_of_a_host_not_run_yet():
    state = model.run_state(None, active=True, ran=False)
    assert state["state"] == "not_run" and "later batch" in state["message"]
    # A host that ran and then dropped out is still a failure.
    assert model.run_state(None, active=False)["state"] == "failed"


def test_not_run_hosts_in_the_report():
    hostvars = {
        "done": {"sophos_reboot": {"reboot_required": False, "reasons": []},
                 "sophos_reboot_cycle": {"status": "rebooted", "restarts": 1},
                 "maintenance_result": {"failed": False, "unreachable": False}},
        "broke": {"sophos_reboot_cycle": {"status": "failed", "message": "patch: apt failed"},
                  "maintenance_result": {"failed": True, "unreachable": False, "msg": "patch: apt failed"}},
        "lost": {"maintenance_result": {"failed": True, "unreachable": True, "msg": "did not come back"}},
        "later": {},
    }
    entries = FILTERS["report_entries"](sorted(hostvars), hostvars, active=sorted(hostvars),
                                        result_var="maintenance_result", not_run=["later"])
    report = FILTERS["report_build"](entries, generated=GENERATED)
    status = dict((row["host"], row["status"]) for row in report["hosts"])
    assert status == {"done": "rebooted", "broke": "failed", "lost": "unreachable", "later": "not_run"}
    row = [row for row in report["hosts"] if row["host"] == "later"][0]
    assert not row["attention"] and row["run"]["state"] == "not_run"
    assert report["summary"]["hosts"]["not_run"] == ["later"]
    assert report["summary"]["attention"] == ["lost", "broke"]
    assert "Not run yet" in FILTERS["report_html"](report)
    assert "not_run" in FILTERS["report_csv"](report)


def test_not_run_ranks_after_the_problems_and_before_deferred():
    order = model.STATUSES
    assert order.index("no_data") < order.index("not_run") < order.index("deferred")
    assert "not_run" not in model.ATTENTION_STATUSES


def test_unknown_restart_state_needs_attention_and_is_counted():
    facts = {"reboot_required": None, "unknown_sources": ["spl:/opt/sophos-spl"], "reasons": [],
             "read_errors": [{"source": "spl:/opt/sophos-spl", "error": "cannot enter /opt/sophos-spl: permission denied"}],
             "sophos": {"installed": True, "health": {"overall": "unknown"}}, "os": {"family": "linux"}}
    known = dict(facts, reboot_required=False, unknown_sources=[], read_errors=[])
    report = model.build_report([{"host": "a", "facts": facts}, {"host": "b", "facts": known}])
    rows = dict((row["host"], row) for row in report["hosts"])
    assert rows["a"]["status"] == "unknown" and rows["a"]["attention"] is True
    assert rows["a"]["issues"][0]["text"] == "cannot read the restart state: spl:/opt/sophos-spl"
    assert rows["b"]["status"] == "ok"
    assert report["summary"]["counts"]["unknown"] == 1 and report["summary"]["attention"] == ["a"]
    assert "cannot read the restart state" in FILTERS["report_markdown"](report).split("## Needs attention")[1]
    assert "Restart state unknown" in FILTERS["report_html"](report)


# ----------------------------------------------------------------------------------------------------
# The report reads a record's restart groups, slot wait and health checks (module_utils/_report/model.py).

def test_groups_slot_wait_and_health_checks_are_read_from_the_record():
    cycle = {"status": "failed", "restarts": 1, "message": "health check failed: tcp 1433: refused",
             "groups": ["sql-ag"], "slot_wait_seconds": "42.5",
             "health_checks": [{"check": "tcp 1433", "when": "after", "passed": False, "observed": "refused",
                                "polls": 3}]}
    maintenance = model.host_row("sql1", facts={}, cycle=cycle)["maintenance"]
    assert (maintenance["groups"], maintenance["slot_wait_seconds"]) == (["sql-ag"], 42.5)
    assert maintenance["health_checks"] == [{"check": "tcp 1433", "when": "after", "passed": False,
                                             "observed": "refused"}]


def test_a_record_without_groups_reads_empty():
    maintenance = model.host_row("h", facts={}, cycle={"status": "ok", "restarts": 0})["maintenance"]
    assert (maintenance["groups"], maintenance["slot_wait_seconds"], maintenance["health_checks"]) == ([], None, [])


# ----------------------------------------------------------------------------------------------------
# Sophos Central's view in the report: the alert and its age beside the local facts, raised_at as
# pending_since where the host only saw the restart first, and attention for a host Central still alerts
# for after a clean cycle.

REBOOT = "Event::Endpoint::UpdateRebootUrgentlyRequired"


def central(raised_at="2026-11-10T20:10:00Z", days=20, alert=True):
    return {"id": "e-1", "tenant_id": "t-1", "hostname": "WEB1", "type": "server", "online": True,
            "last_seen_at": "2026-12-01T08:10:00Z", "health": {"overall": "good", "services": {}},
            "os": {"platform": "linux"}, "ipv4_addresses": ["10.0.0.1"],
            "restart_alert": {"id": "a-1", "type": REBOOT, "severity": "medium", "raised_at": raised_at,
                              "age_days": days, "pending_since": raised_at, "pending_since_source": "event",
                              "pending_days": days} if alert else None}


def pending(source="first_seen", since="2026-11-30T09:00:00Z", days=1.0, last_boot="2026-10-01T00:00:00Z"):
    return {"reboot_required": True, "pending_since": since, "pending_since_source": source, "pending_days": days,
            "checked_at": "2026-12-01T09:00:00Z", "alert": False,
            "reasons": [{"id": "sophos_reboot_required", "source": "sophos", "strong": True, "detail": "flag"}],
            "sophos": {"installed": True, "reboot_required": True, "health": {"overall": "good", "services": {}}},
            "os": {"family": "linux", "last_boot": last_boot}}


def clean(last_boot="2026-12-01T08:30:00Z"):
    return {"reboot_required": False, "pending_since": None, "pending_since_source": None, "pending_days": None,
            "alert": False, "reasons": [],
            "sophos": {"installed": True, "reboot_required": False, "health": {"overall": "good", "services": {}}},
            "os": {"family": "linux", "last_boot": last_boot}}


CLEAN_CYCLE = {"status": "rebooted", "restarts": 1, "check_mode": False, "reasons_before": ["sophos_reboot_required"],
               "reasons_after": []}


def build(*entries, **kwargs):
    return model.build_report(list(entries), generated="2026-12-01T09:05:00Z", **kwargs)


def only(report):
    [row] = report["hosts"]
    return row


def test_first_seen_takes_centrals_raised_at_with_its_age():
    row = only(build({"host": "web1", "facts": pending(), "central": central(), "central_source": "lookup",
                      "central_checked_at": "2026-12-01T09:01:00Z"}))
    assert row["pending_since"] == "2026-11-10T20:10:00Z" and row["pending_since_source"] == "central"
    assert row["pending_since_local"] == "2026-11-30T09:00:00Z"
    # 1 day seen locally + the 19.53 days between Central's alert and the first local sighting.
    assert abs(row["pending_days"] - (1.0 + (19 * 86400 + 12 * 3600 + 50 * 60) / 86400.0)) < 0.001
    assert row["status"] == "alert" and row["attention"]
    ids = [issue["id"] for issue in row["issues"]]
    assert "pending_too_long" in ids and "central_alert" in ids
    assert row["central"]["restart_alert"]["pending_days"] == 20 and row["central"]["source"] == "lookup"


def test_the_two_week_alert_gives_an_estimate_two_weeks_before_it_never_its_own_time():
    """Central raises its "Reboot required" alert after two weeks pending: the report's pending_since is the
    inventory's estimate (raised_at - 14 days), marked as one, and the alert's own age stays its own."""
    from ansible_collections.fleetops.sophos.plugins.module_utils import _central
    now = 1796115600.0  # 2026-12-01T09:00:00Z
    shaped = _central.shape_endpoint({"id": "e-1", "hostname": "WEB1"},
                                     [{"type": REBOOT, "raisedAt": "2026-11-25T09:00:00Z",
                                       "managedAgent": {"id": "e-1"}}], now)
    row = only(build({"host": "web1", "facts": pending(last_boot="2026-11-01T00:00:00Z"), "central": shaped,
                      "central_source": "inventory"}))
    assert (row["pending_since"], row["pending_since_source"]) == ("2026-11-11T09:00:00Z", "central_estimate")
    assert row["pending_days"] == 20.0 and row["status"] == "alert"
    alert = row["central"]["restart_alert"]
    assert (alert["age_days"], alert["pending_days"], alert["pending_since_source"]) == (6, 20, "estimate")
    assert "since about 2026-11-11T09:00:00Z (Sophos Central, its two-week alert less 14 days)" in \
        render_html.to_html(build({"host": "web1", "facts": pending(last_boot="2026-11-01T00:00:00Z"),
                                   "central": shaped}))


def test_a_view_without_pending_since_gives_none():
    """An older sophos_central (a cached inventory: raised_at, pending_days only) is not read as pending since."""
    old = central()
    for key in ("age_days", "pending_since", "pending_since_source"):
        del old["restart_alert"][key]
    row = only(build({"host": "web1", "facts": pending(), "central": old}))
    assert row["pending_since_source"] == "first_seen" and row["central"]["restart_alert"]["pending_days"] is None


def test_a_source_time_is_kept():
    row = only(build({"host": "web1", "facts": pending(source="source"), "central": central()}))
    assert row["pending_since"] == "2026-11-30T09:00:00Z" and row["pending_since_source"] == "source"
    assert row["pending_since_local"] is None and row["pending_days"] == 1.0
    assert row["status"] == "alert", "Central's alert is an alert even where the host's own age is short"


def test_an_alert_older_than_the_last_boot_is_not_the_current_pending():
    row = only(build({"host": "web1", "facts": pending(last_boot="2026-11-20T00:00:00Z"), "central": central()}))
    assert row["pending_since"] == "2026-11-30T09:00:00Z" and row["pending_since_source"] == "first_seen"


def test_a_later_alert_does_not_move_first_seen():
    row = only(build({"host": "web1", "facts": pending(since="2026-11-01T00:00:00Z", days=30.0),
                      "central": central()}))
    assert row["pending_since"] == "2026-11-01T00:00:00Z" and row["pending_since_source"] == "first_seen"


def test_central_still_alerting_after_a_clean_cycle_needs_attention_status_unchanged():
    report = build({"host": "web1", "facts": clean(), "cycle": CLEAN_CYCLE, "central": central(),
                    "central_source": "lookup", "central_checked_at": "2026-12-01T09:01:00Z"},
                   {"host": "web2", "facts": clean(), "cycle": CLEAN_CYCLE, "central": central(alert=False),
                    "central_source": "lookup"},
                   {"host": "web3", "facts": clean(), "central": None})
    rows = dict((row["host"], row) for row in report["hosts"])
    row = rows["web1"]
    assert row["status"] == "rebooted" and row["attention"] is True
    [lag] = [issue for issue in row["issues"] if issue["id"] == "central_lag"]
    assert "after a clean cycle (1 restart(s))" in lag["text"] and "Central may lag" in lag["text"]
    assert "2026-11-10T20:10:00Z" in lag["text"] and "20 days" in lag["text"] and "read 2026-12-01T09:01:00Z" in lag["text"]
    assert not rows["web2"]["attention"] and not rows["web3"]["attention"]
    assert report["summary"]["attention"] == ["web1"] and report["hosts"][0]["host"] == "web1"
    assert report["summary"]["central_alerts"] == ["web1"]
    assert report["summary"]["counts"]["rebooted"] == 2 and report["summary"]["counts"]["alert"] == 0


def test_inventory_view_says_it_was_read_before_the_run():
    row = only(build({"host": "web1", "facts": clean(), "cycle": CLEAN_CYCLE, "central": central(),
                      "central_source": "inventory"}))
    [lag] = [issue for issue in row["issues"] if issue["id"] == "central_lag"]
    assert "read when the inventory was loaded" in lag["text"]


def test_a_check_run_is_not_a_clean_cycle():
    cycle = dict(CLEAN_CYCLE, status="ok", restarts=0, check_mode=True)
    row = only(build({"host": "web1", "facts": clean(), "cycle": cycle, "central": central()}))
    [lag] = [issue for issue in row["issues"] if issue["id"] == "central_lag"]
    assert "while the host reports no restart pending" in lag["text"]


def test_no_facts_and_a_central_alert_is_listed():
    row = only(build({"host": "web1", "facts": None, "central": central()}))
    assert "central_alert" in [issue["id"] for issue in row["issues"]] and row["attention"]


def test_odd_central_values_are_reported_not_fatal():
    odd = central(raised_at="last tuesday")
    odd["online"] = "maybe"
    odd["restart_alert"]["pending_days"] = "many"
    row = only(build({"host": "web1", "facts": pending(), "central": odd}))
    assert row["central"]["restart_alert"]["raised_at"] is None and row["pending_since_source"] == "first_seen"
    assert any("raised_at" in error for error in row["data_errors"])
    assert any("pending_days" in error for error in row["data_errors"])
    assert any("online" in error for error in row["data_errors"])
    for value in ("text", ["a"], 3):
        assert only(build({"host": "web1", "facts": pending(), "central": value}))["central"] is None


def test_renderers_show_the_alert_its_age_and_the_attention_line():
    report = build({"host": "web1", "facts": clean(), "cycle": CLEAN_CYCLE, "central": central(),
                    "central_source": "lookup", "central_checked_at": "2026-12-01T09:01:00Z"},
                   {"host": "web2", "facts": pending(), "central": central(raised_at="2026-11-20T00:00:00Z", days=11)},
                   central={"lookup": "done"})
    [csv_row] = [r for r in csv.DictReader(io.StringIO(render_csv.to_csv(report))) if r["host"] == "web1"]
    assert csv_row["central_alert"] == REBOOT and csv_row["central_alert_days"] == "20"
    assert csv_row["central_alert_raised_at"] == "2026-11-10T20:10:00Z" and csv_row["central_source"] == "lookup"
    assert csv_row["attention"] == "true"
    [web2] = [r for r in csv.DictReader(io.StringIO(render_csv.to_csv(report))) if r["host"] == "web2"]
    assert web2["pending_since_source"] == "central" and web2["pending_since"] == "2026-11-20T00:00:00Z"
    markdown = render_markdown.to_markdown(report)
    attention = markdown.split("## Needs attention")[1].split("## Hosts")[0]
    [line] = [line for line in attention.splitlines() if line.startswith("- **web1** (Restarted): ")]
    assert "Sophos Central still alerts after a clean cycle" in line and "Central may lag" in line
    assert "since 2026-11-10T20:10:00Z (20 days old, restart pending 20 days)" in markdown.split("## Hosts")[1]
    page = render_html.to_html(report)
    attention_html = page.split('id="attention"')[1].split("</ul>")[0]
    assert 'data-host="web1"' in attention_html and "Central may lag" in attention_html
    assert "since 2026-11-10T20:10:00Z (20 days old, restart pending 20 days)" in page and 'id="central-note"' in page
    assert "(Sophos Central)" in page, "the pending age says where its start came from"
    assert report["central"] == {"lookup": "done", "message": None}


def test_lookup_state_is_checked_and_shown():
    report = build({"host": "web1", "facts": clean()}, central={"lookup": "no_credentials"})
    assert "no Central credentials" in render_markdown.to_markdown(report)
    assert build({"host": "web1"}, central={"lookup": "bogus"})["central"]["lookup"] == "off"
    assert build({"host": "web1"})["central"] == {"lookup": "off", "message": None}


# The time of Central's restart-required event, handed to the facts run by the rulebook
# (facts_restart_required_at): right after the event Central has no alert yet, so the time stands alone.
EVENT_AT = "2026-11-29T21:00:00Z"


def event_row(facts, at=EVENT_AT, **entry):
    return only(build(dict({"host": "web1", "facts": facts, "restart_required_at": at}, **entry)))


def test_the_event_time_before_first_seen_and_after_the_boot_is_pending_since_without_an_alert():
    row = event_row(pending())
    assert (row["pending_since"], row["pending_since_source"]) == (EVENT_AT, "central_event")
    assert row["pending_since_local"] == "2026-11-30T09:00:00Z" and row["central"] is None
    assert row["pending_days"] == 1.5  # 1 day seen locally + the 12 hours between the event and first seen
    assert row["data_errors"] == []
    assert "since %s (Sophos Central&#x27;s restart-required event)" % EVENT_AT in render_html.to_html(
        build({"host": "web1", "facts": pending(), "restart_required_at": EVENT_AT}))


def test_the_event_time_counts_to_the_reading_without_a_local_age():
    row = event_row(pending(days=None))
    assert (row["pending_since"], row["pending_since_source"], row["pending_days"]) == (EVENT_AT, "central_event", 1.5)


def test_an_event_time_before_the_last_boot_is_about_a_restart_that_boot_made():
    row = event_row(pending(last_boot="2026-11-30T00:00:00Z"))
    assert (row["pending_since"], row["pending_since_source"]) == ("2026-11-30T09:00:00Z", "first_seen")
    assert row["pending_since_local"] is None and row["pending_days"] == 1.0
    # The boot itself is not "before": an event at the boot's second is this boot's restart.
    assert event_row(pending(last_boot=EVENT_AT))["pending_since_source"] == "central_event"


def test_an_event_time_later_than_first_seen_does_not_move_it():
    for at in ("2026-11-30T09:00:00Z", "2026-11-30T10:00:00Z"):
        row = event_row(pending(), at=at)
        assert (row["pending_since"], row["pending_since_source"]) == ("2026-11-30T09:00:00Z", "first_seen")


def test_the_event_time_is_not_taken_for_a_host_not_pending_or_with_its_own_time():
    row = event_row(clean(last_boot="2026-11-01T00:00:00Z"))
    assert (row["pending_since"], row["pending_since_source"], row["pending_days"]) == (None, None, None)
    row = event_row(pending(source="source"))
    assert (row["pending_since"], row["pending_since_source"]) == ("2026-11-30T09:00:00Z", "source")
    row = event_row(None)
    assert row["pending_since"] is None and row["pending_since_source"] is None


def test_a_bad_event_time_is_a_data_error_and_not_taken():
    row = event_row(pending(), at="yesterday")
    assert (row["pending_since"], row["pending_since_source"]) == ("2026-11-30T09:00:00Z", "first_seen")
    assert row["data_errors"] == ["restart_required_at: not an ISO 8601 time: yesterday"]


def test_an_exact_time_wins_over_the_estimate_and_the_earlier_of_two_exact_ones():
    estimate = central(raised_at="2026-11-28T09:00:00Z")
    estimate["restart_alert"].update(pending_since="2026-11-14T09:00:00Z", pending_since_source="estimate")
    row = event_row(pending(), central=estimate)
    assert (row["pending_since"], row["pending_since_source"]) == (EVENT_AT, "central_event")
    row = event_row(pending(), central=central(raised_at="2026-11-29T20:00:00Z"))
    assert (row["pending_since"], row["pending_since_source"]) == ("2026-11-29T20:00:00Z", "central")
    row = event_row(pending(), central=central(raised_at="2026-11-29T22:00:00Z"))
    assert (row["pending_since"], row["pending_since_source"]) == (EVENT_AT, "central_event")
    # An event time that is not taken (before the boot) leaves Central's alert to decide.
    row = event_row(pending(last_boot="2026-11-29T21:30:00Z"), central=central(raised_at="2026-11-29T22:00:00Z"))
    assert (row["pending_since"], row["pending_since_source"]) == ("2026-11-29T22:00:00Z", "central")


def test_report_entries_give_the_event_time_to_its_host_only():
    from ansible_collections.fleetops.sophos.plugins.filter import report as report_filters
    hostvars = {"web1": {"sophos_reboot": pending()}, "web2": {"sophos_reboot": pending()}}
    entries = report_filters.report_entries(["web1", "web2"], hostvars, restart_required_at={"web1": EVENT_AT})
    assert [entry["restart_required_at"] for entry in entries] == [EVENT_AT, None]
    rows = dict((row["host"], row) for row in model.build_report(entries)["hosts"])
    assert (rows["web1"]["pending_since_source"], rows["web2"]["pending_since_source"]) == ("central_event", "first_seen")


# ----------------------------------------------------------------------------------------------------
# Sophos Central's view in the report (module_utils/_report/model.py), word for word and at each edge: the alert's
# issue and cell, the lag note, when Central's raised_at becomes pending_since and the age it gives, the
# lookup note; and the small texts every renderer shares (run state, one restart's line).

ALERT_TEXT = REBOOT + ", raised 2026-11-10T20:10:00Z, 20 days old, restart pending 20 days"


LAG_TAIL = "; Central may lag behind the restart until the endpoint next reports, check it again later"


def central_edge(raised_at="2026-11-10T20:10:00Z", days=20, kind=REBOOT, alert=True):
    return {"id": "e-1", "hostname": "WEB1", "online": True, "last_seen_at": "2026-12-01T08:10:00Z",
            "health": {"overall": "good"},
            "restart_alert": {"id": "a-1", "type": kind, "severity": "high", "raised_at": raised_at, "age_days": days,
                              # Here Central's restart-required event came with the alert (exact).
                              "pending_since": raised_at, "pending_since_source": "event",
                              "pending_days": days} if alert else None}


def pending_edge(source="first_seen", since="2026-11-30T09:00:00Z", days=1.0, last_boot="2026-10-01T00:00:00Z",
                 checked_at="2026-12-01T09:00:00Z", required=True):
    facts = {"reboot_required": required, "pending_since": since, "pending_since_source": source,
             "pending_days": days, "alert": False,
             "reasons": [{"id": "sophos_reboot_required", "source": "sophos", "strong": True, "detail": None}],
             "sophos": {"installed": True, "health": {"overall": "good", "services": {}}},
             "os": {"family": "linux", "last_boot": last_boot}}
    if checked_at:
        facts["checked_at"] = checked_at
    return facts


def clean_edge():
    return {"reboot_required": False, "alert": False, "reasons": [],
            "sophos": {"installed": True, "health": {"overall": "good", "services": {}}},
            "os": {"family": "linux", "last_boot": "2026-12-01T08:30:00Z"}}


def row_edge(facts, **kwargs):
    return model.host_row("web1", facts=facts, **kwargs)


def issues_edge(value):
    return [(issue["status"], issue["id"], issue["text"]) for issue in value["issues"]]


# ---------------------------------------------------------------- the alert on a host still pending
def test_centrals_alert_is_an_alert_issue_word_for_word():
    got = row_edge(pending_edge(source="source"), central=central_edge())
    assert issues_edge(got) == [
        ("alert", "central_alert", "Sophos Central alerts: restart required (" + ALERT_TEXT + ")"),
        ("pending", "pending", "restart pending: sophos_reboot_required"),
    ]
    assert got["status"] == "alert" and got["attention"] is True
    assert report_text.central_cell(got) == "since 2026-11-10T20:10:00Z (20 days old, restart pending 20 days)"


def test_an_alert_without_type_time_or_age_still_reads():
    got = row_edge(pending_edge(source="source"), central=central_edge(raised_at=None, days=None, kind=None))
    assert issues_edge(got)[0] == ("alert", "central_alert", "Sophos Central alerts: restart required "
                                   "(restart alert, raised at an unknown time, age unknown)")
    assert report_text.central_cell(got) == "since ? (age unknown)"
    assert got["data_errors"] == []


def test_central_cell_without_central_or_without_alert():
    assert report_text.central_cell(row_edge(clean_edge())) == ""
    assert report_text.central_cell(row_edge(clean_edge(), central=central_edge(alert=False))) == "none"
    assert report_text.central_cell(row_edge(clean_edge(), central={"restart_alert": {}})) == "none"


def test_no_alert_issue_for_a_view_without_alert():
    assert issues_edge(row_edge(pending_edge(source="source"), central=central_edge(alert=False))) == [
        ("pending", "pending", "restart pending: sophos_reboot_required")]


# ---------------------------------------------------------------- clean on the host, alerted in Central
CLEAN_CYCLE_EDGE = {"status": "rebooted", "restarts": 1, "check_mode": False}


@pytest.mark.parametrize("cycle, source, checked_at, expected", [
    (CLEAN_CYCLE_EDGE, "lookup", "2026-12-01T09:01:00Z",
     [("rebooted", "rebooted", "restarted 1 time(s)"),
      ("rebooted", "central_lag", "Sophos Central still alerts after a clean cycle (1 restart(s)): " + ALERT_TEXT
       + " (read 2026-12-01T09:01:00Z)" + LAG_TAIL)]),
    (None, "inventory", "2026-12-01T09:01:00Z",
     [("ok", "central_lag", "Sophos Central still alerts while the host reports no restart pending: " + ALERT_TEXT
       + " (read when the inventory was loaded, before this run)" + LAG_TAIL)]),
    ({"status": "ok", "restarts": 0, "check_mode": False}, None, None,
     [("ok", "central_lag", "Sophos Central still alerts after a clean cycle (0 restart(s)): " + ALERT_TEXT
       + LAG_TAIL)]),
    ({"status": "ok", "restarts": 0, "check_mode": True}, "lookup", None,
     [("ok", "central_lag", "Sophos Central still alerts while the host reports no restart pending: " + ALERT_TEXT
       + LAG_TAIL)]),
])
def test_central_lag_note(cycle, source, checked_at, expected):
    got = row_edge(clean_edge(), cycle=cycle, central=central_edge(), central_source=source, central_checked_at=checked_at)
    assert issues_edge(got) == expected
    assert got["status"] == expected[0][0] and got["attention"] is True


def test_no_lag_note_without_facts_or_without_alert():
    assert issues_edge(row_edge(clean_edge(), central=central_edge(alert=False))) == []
    assert not row_edge(clean_edge(), central=central_edge(alert=False))["attention"]
    # Unknown is not clean: Central's alert stands as an alert.
    unknown = dict(clean_edge(), reboot_required=None)
    assert [i[1] for i in issues_edge(row_edge(unknown, central=central_edge()))] == ["central_alert", "restart_state_unknown"]


# ---------------------------------------------------------------- Central's raised_at as pending_since
def since(got):
    return (got["pending_since"], got["pending_since_source"], got["pending_days"], got["pending_since_local"])


@pytest.mark.parametrize("facts, raised_at, expected", [
    # Raised at the local first sighting: not earlier, the host's own time stays.
    (pending_edge(), "2026-11-30T09:00:00Z", ("2026-11-30T09:00:00Z", "first_seen", 1.0, None)),
    # Two hours earlier: Central's time, the age grows by those two hours, kept to 3 decimals.
    (pending_edge(days=3.0), "2026-11-30T07:00:00Z", ("2026-11-30T07:00:00Z", "central", 3.083, "2026-11-30T09:00:00Z")),
    (pending_edge(days=3.0), "2026-11-29T21:00:00Z", ("2026-11-29T21:00:00Z", "central", 3.5, "2026-11-30T09:00:00Z")),
    # Raised exactly at the last boot counts; a second before it is about an earlier boot.
    (pending_edge(last_boot="2026-11-30T07:00:00Z"), "2026-11-30T07:00:00Z",
     ("2026-11-30T07:00:00Z", "central", 1.083, "2026-11-30T09:00:00Z")),
    (pending_edge(last_boot="2026-11-30T07:00:01Z"), "2026-11-30T07:00:00Z",
     ("2026-11-30T09:00:00Z", "first_seen", 1.0, None)),
    # No local time: the age runs to the facts' reading time, never below 0.
    (pending_edge(source=None, since=None, days=None), "2026-11-30T21:00:00Z",
     ("2026-11-30T21:00:00Z", "central", 0.5, None)),
    (pending_edge(source=None, since=None, days=None), "2026-12-01T10:00:00Z",
     ("2026-12-01T10:00:00Z", "central", 0.0, None)),
    # A long wait shows whole days exactly (86400 seconds a day, to 3 decimals).
    (pending_edge(last_boot="2026-08-01T00:00:00Z"), "2026-08-22T09:00:00Z",
     ("2026-08-22T09:00:00Z", "central", 101.0, "2026-11-30T09:00:00Z")),
    (pending_edge(source=None, since=None, days=None, last_boot="2026-08-01T00:00:00Z"), "2026-08-23T09:00:00Z",
     ("2026-08-23T09:00:00Z", "central", 100.0, None)),
    # A local time without an age: counted to the reading time too.
    (pending_edge(days=None), "2026-11-29T21:00:00Z", ("2026-11-29T21:00:00Z", "central", 1.5, "2026-11-30T09:00:00Z")),
    # Neither a local time nor a reading time: Central's own age.
    (pending_edge(source=None, since=None, days=None, checked_at=None), "2026-11-30T21:00:00Z",
     ("2026-11-30T21:00:00Z", "central", 20.0, None)),
    # A time from a source, a restart not pending or unknown: nothing taken.
    (pending_edge(source="source"), "2026-11-01T00:00:00Z", ("2026-11-30T09:00:00Z", "source", 1.0, None)),
    (pending_edge(required=False), "2026-11-01T00:00:00Z", ("2026-11-30T09:00:00Z", "first_seen", 1.0, None)),
    (pending_edge(required=None), "2026-11-01T00:00:00Z", ("2026-11-30T09:00:00Z", "first_seen", 1.0, None)),
])
def test_when_centrals_time_becomes_pending_since(facts, raised_at, expected):
    assert since(row_edge(facts, central=central_edge(raised_at=raised_at))) == expected


def test_without_any_age_central_gives_none():
    facts = pending_edge(source=None, since=None, days=None, checked_at=None)
    assert since(row_edge(facts, central=central_edge(raised_at="2026-11-30T21:00:00Z", days=None))) == (
        "2026-11-30T21:00:00Z", "central", None, None)


# ---------------------------------------------------------------- odd views
def test_odd_central_values_are_named_in_data_errors():
    odd = central_edge(raised_at="last tuesday", days="many")
    odd["online"] = "maybe"
    got = row_edge(clean_edge(), central=odd, central_source="api")
    assert got["data_errors"] == [
        "sophos_central.restart_alert.age_days: expected a number, got 'many'",
        "sophos_central.restart_alert.pending_days: expected a number, got 'many'",
        "sophos_central.restart_alert.raised_at: not an ISO 8601 time: last tuesday",
        "sophos_central.restart_alert.pending_since: not an ISO 8601 time: last tuesday",
        "sophos_central.online: expected a boolean, got 'maybe'",
    ]
    view = got["central"]
    assert (view["source"], view["online"], view["restart_alert"]["raised_at"], view["restart_alert"]["pending_days"]) \
        == (None, None, None, None)


def test_a_view_that_is_not_a_mapping_is_none_and_named():
    got = row_edge(clean_edge(), central="text")
    assert got["central"] is None and got["data_errors"] == ["sophos_central: expected a mapping, got 'text'"]
    assert row_edge(clean_edge(), central={})["central"] is None
    bad_alert = row_edge(clean_edge(), central=dict(central_edge(), restart_alert="x"))
    assert bad_alert["central"]["restart_alert"] is None
    assert bad_alert["data_errors"] == ["sophos_central.restart_alert: expected a mapping, got 'x'"]


# ---------------------------------------------------------------- the lookup note
def report_edge(entries, lookup=None):
    return model.build_report(entries, generated="2026-12-01T09:05:00Z", central=lookup)


@pytest.mark.parametrize("entries, lookup, note", [
    ([{"host": "a", "facts": clean_edge()}], None, None),
    ([{"host": "a", "facts": clean_edge()}], {"lookup": "done"}, None),
    ([{"host": "a", "facts": clean_edge(), "central": central_edge()}], {"lookup": "no_credentials"},
     "Sophos Central was not asked: no Central credentials are configured."),
    ([{"host": "a", "facts": clean_edge()}], {"lookup": "failed", "message": "HTTP 401: bad client secret"},
     "Sophos Central lookup failed: HTTP 401: bad client secret"),
    ([{"host": "a", "facts": clean_edge()}], {"lookup": "failed"}, "Sophos Central lookup failed: no message"),
    ([{"host": "a", "facts": clean_edge(), "central": central_edge()},
      {"host": "b", "facts": clean_edge(), "central": central_edge(alert=False)},
      {"host": "c", "facts": clean_edge()}], {"lookup": "done"},
     "Sophos Central's view of 2 host(s), 1 with a restart alert; Central may lag behind a restart."),
])
def test_central_note(entries, lookup, note):
    assert report_text.central_note(report_edge(entries, lookup)) == note


def test_lookup_record_and_alert_list():
    got = report_edge([{"host": "b", "facts": clean_edge(), "central": central_edge()},
                       {"host": "a", "facts": pending_edge(source="source"), "central": central_edge()},
                       {"host": "c", "facts": clean_edge(), "central": central_edge(alert=False)}],
                      {"lookup": "failed", "message": "timeout"})
    assert got["central"] == {"lookup": "failed", "message": "timeout"}
    assert got["summary"]["central_alerts"] == ["a", "b"]
    assert report_edge([], {"lookup": 3})["central"] == {"lookup": "off", "message": None}


# ---------------------------------------------------------------- shared small texts
@pytest.mark.parametrize("args, kwargs, expected", [
    ((), {}, {"state": "ok", "message": None}),
    (({"changed": True, "msg": "All items completed"},), {}, {"state": "ok", "message": None}),
    (({"failed": True, "msg": "boom"},), {}, {"state": "failed", "message": "boom"}),
    (({"unreachable": True, "failed": True, "msg": "ssh"},), {}, {"state": "unreachable", "message": "ssh"}),
    (({"msg": "fine"},), {"active": False},
     {"state": "failed", "message": "the host failed or was unreachable earlier in this run"}),
    ((None,), {"active": False, "ran": False}, {"state": "not_run", "message": model.NOT_RUN_MESSAGE}),
])
def test_run_state_defaults_and_messages(args, kwargs, expected):
    assert model.run_state(*args, **kwargs) == expected


def test_the_reading_time_is_read_up_to_80_characters():
    # 80 characters are a time the age runs to; one more is cut, no time any more, and Central's own age stays.
    for extra, days in ((0, 0.5), (1, 20.0)):
        facts = pending_edge(source=None, since=None, days=None, checked_at="2026-12-01T09:00:00." + "0" * (59 + extra) + "Z")
        assert since(row_edge(facts, central=central_edge(raised_at="2026-11-30T21:00:00Z"))) == (
            "2026-11-30T21:00:00Z", "central", days, None)


# ----------------------------------------------------------------------------------------------------
# The report reads a record's Alertmanager silence (sophos_reboot_cycle.silence) and every rendering shows it.

def test_no_silence_is_null():
    assert model.build_report([{"host": "h", "facts": None, "cycle": {"status": "ok", "restarts": 0}}],
                              generated="g")["hosts"][0]["maintenance"]["silence"] is None


# ----------------------------------------------------------------------------------------------------
# Every part of a maintenance, patch and facts record of the wrong type (module_utils/_report/model.py): what the
# row keeps of it and the note naming the field word for word; the lengths the record's times are cut at.

def test_a_malformed_cycle_record_names_each_field_and_keeps_the_rest():
    cycle = {"status": "ok", "restarts": 1, "message": ["m"],
             "boots": [{"boot_id": ["b0"], "last_boot": {"at": 1}},
                       {"restarted_at": "2026-12-01T09:10:00Z", "boot_id": ["b1"], "last_boot": "2026-12-01T09:11:00Z",
                        "reasons": [{"id": "kernel", "detail": ["d"]}]}],
             "tier": "first", "tier_after": "sql", "tier_wait_seconds": "12.5",
             "health_checks": ["tcp 1433", {"check": "tcp 1433", "when": ["after"], "passed": "perhaps"}],
             "window_start_wait": {"seconds": "soon", "from": ["a"], "to": ["b"]},
             "silence": {"status": "active", "id": "s1", "to": ["t"], "warning": {"w": 1}}}
    row = model.host_row("h", facts={"reboot_required": False, "unknown_sources": "registry",
                                     "read_errors": [{"source": ["wu"], "error": "x"}]},
                         cycle=cycle, patch={"status": "patched", "reboot_required": "perhaps"},
                         restart_required_at=["2026-12-01"])
    maintenance = row["maintenance"]
    assert maintenance["message"] is None
    assert maintenance["boot_before"] == {"boot_id": None, "last_boot": None}
    assert maintenance["boots"] == [{"number": 1, "boot_id": None, "boot_id_before": None,
                                     "last_boot": "2026-12-01T09:11:00Z", "restarted_at": "2026-12-01T09:10:00Z",
                                     "restart_seconds": None, "reasons": [{"id": "kernel", "detail": None}],
                                     "queued_update": None}]
    assert (maintenance["tier"], maintenance["tier_after"], maintenance["tier_wait_seconds"]) == (None, [], 12.5)
    # A health check that is not a mapping is kept as an empty one, so the count of checks stays true.
    assert maintenance["health_checks"] == [{"check": None, "when": None, "passed": None, "observed": None},
                                            {"check": "tcp 1433", "when": None, "passed": None, "observed": None}]
    assert maintenance["window_start_wait"] == {"seconds": None, "from": None, "to": None}
    assert maintenance["silence"] == {"status": "active", "id": "s1", "from": None, "to": None, "warning": None}
    assert row["patch"]["reboot_required"] is None
    assert (row["unknown_sources"], row["read_errors"]) == ([], [{"source": None, "error": "x"}])
    assert row["data_errors"] == [
        "sophos_reboot.read_errors[0].source: expected a string, got ['wu']",
        "sophos_reboot_cycle.boots[0].boot_id: expected a string, got ['b0']",
        "sophos_reboot_cycle.boots[0].last_boot: expected a string, got {'at': 1}",
        "sophos_reboot_cycle.boots[1].boot_id: expected a string, got ['b1']",
        "sophos_reboot_cycle.boots[1].reasons[0].detail: expected a string, got ['d']",
        "sophos_reboot_cycle.message: expected a string, got ['m']",
        "sophos_reboot_cycle.window_start_wait.seconds: expected a number, got 'soon'",
        "sophos_reboot_cycle.window_start_wait.from: expected a string, got ['a']",
        "sophos_reboot_cycle.window_start_wait.to: expected a string, got ['b']",
        "sophos_reboot_cycle.tier: expected a number, got 'first'",
        "sophos_reboot_cycle.tier_after: expected a list, got 'sql'",
        "sophos_reboot_cycle.health_checks[0]: expected a mapping, got 'tcp 1433'",
        "sophos_reboot_cycle.health_checks[1].when: expected a string, got ['after']",
        "sophos_reboot_cycle.health_checks[1].passed: expected a boolean, got 'perhaps'",
        "sophos_reboot_cycle.silence.to: expected a string, got ['t']",
        "sophos_reboot_cycle.silence.warning: expected a string, got {'w': 1}",
        "sophos_patch.reboot_required: expected a boolean, got 'perhaps'",
        "sophos_reboot.unknown_sources: expected a list, got 'registry'",
        "restart_required_at: expected a string, got ['2026-12-01']",
    ]


def test_the_tier_and_its_wait_are_read_from_the_record():
    maintenance = model.host_row("h", facts={}, cycle={"status": "ok", "restarts": 0, "tier": 2,
                                                       "tier_after": ["web"], "tier_wait_seconds": 30})["maintenance"]
    assert (maintenance["tier"], maintenance["tier_after"], maintenance["tier_wait_seconds"]) == (2, ["web"], 30.0)
    assert isinstance(maintenance["tier_wait_seconds"], float)


def test_restart_window_wait_and_silence_times_are_cut_at_80():
    row = model.host_row("h", facts={}, cycle={
        "status": "ok", "boots": [{"boot_id": "b0"}, {"restarted_at": "2026-12-01T09:10:00Z", "last_boot": "l" * 81}],
        "window_start_wait": {"seconds": 60, "from": "f" * 80, "to": "t" * 81},
        "silence": {"status": "expired", "id": "s1", "from": "f" * 81, "to": "t" * 81}})
    maintenance = row["maintenance"]
    assert maintenance["boots"][0]["last_boot"] == more("l" * 81, 80)
    assert maintenance["window_start_wait"] == {"seconds": 60.0, "from": "f" * 80, "to": more("t" * 81, 80)}
    assert (maintenance["silence"]["from"], maintenance["silence"]["to"]) == (more("f" * 81, 80), more("t" * 81, 80))
    assert row["data_errors"] == []


def test_centrals_pending_since_that_is_no_time_is_named_cut_at_80():
    alert = {"type": "t", "raised_at": "2026-11-10T20:10:00Z", "pending_since": "x" * 81,
             "pending_since_source": "event", "pending_days": 3}
    row = model.host_row("h", facts={}, central={"id": "e", "restart_alert": alert})
    restart = row["central"]["restart_alert"]
    # a pending age without its time is not taken: no days, no source
    assert (restart["pending_since"], restart["pending_since_source"], restart["pending_days"]) == (None, None, None)
    assert row["data_errors"] == [
        "sophos_central.restart_alert.pending_since: not an ISO 8601 time: " + more("x" * 81, 80)]


def test_centrals_pending_since_from_an_unknown_source_is_not_taken():
    # Only event, estimate and alert are sources the report knows: any other drops the time and its age.
    alert = {"type": "t", "raised_at": "2026-11-10T20:10:00Z", "age_days": 20,
             "pending_since": "2026-11-10T20:10:00Z", "pending_since_source": "central", "pending_days": 3}
    facts = {"reboot_required": True, "reasons": [{"id": "x", "strong": True}], "pending_since_source": "first_seen",
             "pending_since": "2026-11-30T00:00:00Z", "pending_days": 1.0}
    row = model.host_row("h", facts=facts, central={"id": "e", "restart_alert": alert})
    restart = row["central"]["restart_alert"]
    assert (restart["pending_since"], restart["pending_since_source"], restart["pending_days"]) == (None, None, None)
    assert (restart["raised_at"], restart["age_days"]) == ("2026-11-10T20:10:00Z", 20)
    assert (row["pending_since"], row["pending_since_source"], row["pending_days"]) == (
        "2026-11-30T00:00:00Z", "first_seen", 1.0)


def test_notification_records_of_the_wrong_type_are_read_as_nothing_and_cut():
    found = model.notifications([[
        {"type": ["teams"], "target": "ops", "event": "failed", "host": ["db1"], "ok": "yes", "status": True},
        {"type": "slack", "target": "t", "event": "summary", "host": "h" * 201, "ok": True, "status": 200},
        {"type": "email", "target": "m", "event": "restarted", "host": "h" * 200, "ok": False, "status": None}]])
    assert found == [
        {"type": None, "target": "ops", "event": "failed", "host": None, "ok": False, "status": None, "error": None},
        {"type": "slack", "target": "t", "event": "summary", "host": more("h" * 201, 200), "ok": True,
         "status": 200, "error": None},
        {"type": "email", "target": "m", "event": "restarted", "host": "h" * 200, "ok": False, "status": None,
         "error": None}]


def test_a_hosts_malformed_notification_records_are_named_in_its_row():
    cycle = {"status": "rebooted", "restarts": 1, "notifications": [
        {"type": ["teams"], "target": "ops", "event": "restarted", "host": "db1", "ok": True, "status": 200},
        "not a mapping"]}
    report = model.build_report([{"host": "db1", "facts": {}, "cycle": cycle}, {"host": "web1", "facts": {}}])
    rows = dict((row["host"], row) for row in report["hosts"])
    assert [note for note in rows["db1"]["data_errors"] if "notifications" in note] == [
        "sophos_reboot_cycle.notifications[0].type: expected a string, got ['teams']",
        "sophos_reboot_cycle.notifications[1]: expected a mapping, got 'not a mapping'"]
    assert not [note for note in rows["web1"]["data_errors"] if "notifications" in note]
    assert [(item["type"], item["host"]) for item in report["notifications"]] == [(None, "db1"), (None, None)]
