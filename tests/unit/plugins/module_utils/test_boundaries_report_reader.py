"""How the report model reads untrusted values: each odd value is dropped and named, at its edge.

Through host_row / build_report only (the model), never the renderers.
"""
import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model


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
