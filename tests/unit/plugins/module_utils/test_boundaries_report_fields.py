# -*- coding: utf-8 -*-
"""Each field of a host's reasons and Sophos state read from odd input (module_utils/_report.py): the note
naming the field word for word, and the length a field is cut at."""

from __future__ import absolute_import, division, print_function

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model


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
