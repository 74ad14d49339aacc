"""The report model's decisions, pinned on built rows: status ranking, attention set, alert age edge.

Only the model (host_row, build_report, sort_rows, summarize) is used, not the renderers.
"""
import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model

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
def test_run_state(result, active, ran, state, message):
    assert model.run_state(result, active=active, ran=ran) == {"state": state, "message": message}
