# -*- coding: utf-8 -*-
"""Every issue the report model finds on a host (module_utils/_report.py), word for word and in rank order,
and the twelve statuses with their labels in the order a reader sees them."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_markdown


def facts(required=False, **extra):
    value = {"reboot_required": required, "alert": False, "reasons": [],
             "sophos": {"installed": True, "health": {"overall": "good", "services": {"MCS": "running"}}},
             "os": {"family": "linux"}}
    value.update(extra)
    return value


def issues(row):
    return [(issue["status"], issue["id"], issue["text"]) for issue in row["issues"]]


def test_every_problem_at_once_worst_first():
    broken = facts(required=True, pending_days=20.0, alert=True,
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
    (dict(facts=facts(alert=True)), [("alert", "alert", "the host reports an alert")]),
    (dict(facts=facts(required=True, reasons=[{"id": "pfr", "strong": False}])),
     [("pending", "pending", "restart pending: reason not given")]),
    (dict(facts=None, run={"state": "not_run"}), [("not_run", "not_run", "not run yet")]),
    (dict(facts=None, run={"state": "not_run", "message": "batch 3"}), [("not_run", "not_run", "batch 3")]),
    (dict(facts=None, run={"state": "unreachable"}), [("unreachable", "unreachable", "host could not be reached")]),
    (dict(facts=None), [("no_data", "no_facts", "no sophos_reboot facts were gathered for this host")]),
    (dict(facts=facts(required=True), cycle={"status": "still_pending", "restarts": 0, "reasons_after": ["x"]}),
     [("still_pending", "still_pending", "still pending after 0 restart(s): x"),
      ("pending", "pending", "restart pending: reason not given")]),
    (dict(facts=facts(), cycle={"status": "ok", "restarts": 2}), [("rebooted", "rebooted", "restarted 2 time(s)")]),
    (dict(facts=facts(), cycle={"status": "deferred", "message": "10m left, a restart needs 30m"}),
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
    row = model.host_row("h", facts=facts(required=None, **extra), cycle={"status": "deferred"})
    assert issues(row) == [("unknown", "restart_state_unknown", text),
                           ("deferred", "deferred", "deferred: the maintenance window was too short")]
    assert row["status"] == "unknown" and row["attention"] is True


def test_a_known_state_is_not_unknown():
    assert issues(model.host_row("h", facts=facts(required=False, read_errors=[{"source": "wu", "error": "x"}]))) \
        == []
    # A host without facts is "no data", not "unknown".
    assert model.host_row("h", facts=None)["status"] == "no_data"


ONE_OF_EACH = [
    ("k-ok", dict(facts=facts())),
    ("j-rebooted", dict(facts=facts(), cycle={"status": "rebooted", "restarts": 1})),
    ("i-pending", dict(facts=facts(required=True, pending_days=1.0))),
    ("h-deferred", dict(facts=facts(), cycle={"status": "deferred"})),
    ("g-later", dict(facts=None, run={"state": "not_run"})),
    ("f-unknown", dict(facts=facts(required=None))),
    ("e-nodata", dict(facts=None)),
    ("d-alert", dict(facts=facts(alert=True))),
    ("c-unhealthy", dict(facts=facts(sophos={"installed": True, "health": {"overall": "bad"}}))),
    ("b-still", dict(facts=facts(), cycle={"status": "still_pending", "restarts": 2})),
    ("a-failed", dict(facts=facts(), patch={"status": "failed"})),
    ("z-gone", dict(facts=facts(), run={"state": "unreachable"})),
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
    report = model.build_report([{"host": "a", "facts": facts(required=True, pending_days=None)},
                                 {"host": "b", "facts": facts(required=True, pending_days=0.5)},
                                 {"host": "c", "facts": facts(required=True, pending_days=0.0)}], generated="g")
    assert [row["host"] for row in report["hosts"]] == ["b", "a", "c"]


def test_an_entry_that_is_not_a_mapping_is_a_named_host_with_a_note():
    report = model.build_report(["junk", None], generated="g")
    assert [(row["host"], row["status"], row["data_errors"]) for row in report["hosts"]] == [
        ("(entry 0)", "no_data", ["sophos_reboot: expected a mapping, got 'junk'"]),
        ("(entry 1)", "no_data", [])]
