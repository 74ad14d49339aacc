# -*- coding: utf-8 -*-
"""Sophos Central's view in the report (module_utils/_report.py), word for word and at each edge: the alert's
issue and cell, the lag note, when Central's raised_at becomes pending_since and the age it gives, the
lookup note; and the small texts every renderer shares (run state, one restart's line)."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, text

REBOOT = "Event::Endpoint::UpdateRebootUrgentlyRequired"
ALERT_TEXT = REBOOT + ", raised 2026-11-10T20:10:00Z, 20 days old, restart pending 20 days"
LAG_TAIL = "; Central may lag behind the restart until the endpoint next reports, check it again later"


def central(raised_at="2026-11-10T20:10:00Z", days=20, kind=REBOOT, alert=True):
    return {"id": "e-1", "hostname": "WEB1", "online": True, "last_seen_at": "2026-12-01T08:10:00Z",
            "health": {"overall": "good"},
            "restart_alert": {"id": "a-1", "type": kind, "severity": "high", "raised_at": raised_at, "age_days": days,
                              # Here Central's restart-required event came with the alert (exact).
                              "pending_since": raised_at, "pending_since_source": "event",
                              "pending_days": days} if alert else None}


def pending(source="first_seen", since="2026-11-30T09:00:00Z", days=1.0, last_boot="2026-10-01T00:00:00Z",
            checked_at="2026-12-01T09:00:00Z", required=True):
    facts = {"reboot_required": required, "pending_since": since, "pending_since_source": source,
             "pending_days": days, "alert": False,
             "reasons": [{"id": "sophos_reboot_required", "source": "sophos", "strong": True, "detail": None}],
             "sophos": {"installed": True, "health": {"overall": "good", "services": {}}},
             "os": {"family": "linux", "last_boot": last_boot}}
    if checked_at:
        facts["checked_at"] = checked_at
    return facts


def clean():
    return {"reboot_required": False, "alert": False, "reasons": [],
            "sophos": {"installed": True, "health": {"overall": "good", "services": {}}},
            "os": {"family": "linux", "last_boot": "2026-12-01T08:30:00Z"}}


def row(facts, **kwargs):
    return model.host_row("web1", facts=facts, **kwargs)


def issues(value):
    return [(issue["status"], issue["id"], issue["text"]) for issue in value["issues"]]


# ---------------------------------------------------------------- the alert on a host still pending

def test_centrals_alert_is_an_alert_issue_word_for_word():
    got = row(pending(source="source"), central=central())
    assert issues(got) == [
        ("alert", "central_alert", "Sophos Central alerts: restart required (" + ALERT_TEXT + ")"),
        ("pending", "pending", "restart pending: sophos_reboot_required"),
    ]
    assert got["status"] == "alert" and got["attention"] is True
    assert text.central_cell(got) == "since 2026-11-10T20:10:00Z (20 days old, restart pending 20 days)"


def test_an_alert_without_type_time_or_age_still_reads():
    got = row(pending(source="source"), central=central(raised_at=None, days=None, kind=None))
    assert issues(got)[0] == ("alert", "central_alert", "Sophos Central alerts: restart required "
                                                        "(restart alert, raised at an unknown time, age unknown)")
    assert text.central_cell(got) == "since ? (age unknown)"
    assert got["data_errors"] == []


def test_central_cell_without_central_or_without_alert():
    assert text.central_cell(row(clean())) == ""
    assert text.central_cell(row(clean(), central=central(alert=False))) == "none"
    assert text.central_cell(row(clean(), central={"restart_alert": {}})) == "none"


def test_no_alert_issue_for_a_view_without_alert():
    assert issues(row(pending(source="source"), central=central(alert=False))) == [
        ("pending", "pending", "restart pending: sophos_reboot_required")]


# ---------------------------------------------------------------- clean on the host, alerted in Central

CLEAN_CYCLE = {"status": "rebooted", "restarts": 1, "check_mode": False}


@pytest.mark.parametrize("cycle, source, checked_at, expected", [
    (CLEAN_CYCLE, "lookup", "2026-12-01T09:01:00Z",
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
    got = row(clean(), cycle=cycle, central=central(), central_source=source, central_checked_at=checked_at)
    assert issues(got) == expected
    assert got["status"] == expected[0][0] and got["attention"] is True


def test_no_lag_note_without_facts_or_without_alert():
    assert issues(row(clean(), central=central(alert=False))) == []
    assert not row(clean(), central=central(alert=False))["attention"]
    # Unknown is not clean: Central's alert stands as an alert.
    unknown = dict(clean(), reboot_required=None)
    assert [i[1] for i in issues(row(unknown, central=central()))] == ["central_alert", "restart_state_unknown"]


# ---------------------------------------------------------------- Central's raised_at as pending_since

def since(got):
    return (got["pending_since"], got["pending_since_source"], got["pending_days"], got["pending_since_local"])


@pytest.mark.parametrize("facts, raised_at, expected", [
    # Raised at the local first sighting: not earlier, the host's own time stays.
    (pending(), "2026-11-30T09:00:00Z", ("2026-11-30T09:00:00Z", "first_seen", 1.0, None)),
    # Two hours earlier: Central's time, the age grows by those two hours, kept to 3 decimals.
    (pending(days=3.0), "2026-11-30T07:00:00Z", ("2026-11-30T07:00:00Z", "central", 3.083, "2026-11-30T09:00:00Z")),
    (pending(days=3.0), "2026-11-29T21:00:00Z", ("2026-11-29T21:00:00Z", "central", 3.5, "2026-11-30T09:00:00Z")),
    # Raised exactly at the last boot counts; a second before it is about an earlier boot.
    (pending(last_boot="2026-11-30T07:00:00Z"), "2026-11-30T07:00:00Z",
     ("2026-11-30T07:00:00Z", "central", 1.083, "2026-11-30T09:00:00Z")),
    (pending(last_boot="2026-11-30T07:00:01Z"), "2026-11-30T07:00:00Z",
     ("2026-11-30T09:00:00Z", "first_seen", 1.0, None)),
    # No local time: the age runs to the facts' reading time, never below 0.
    (pending(source=None, since=None, days=None), "2026-11-30T21:00:00Z",
     ("2026-11-30T21:00:00Z", "central", 0.5, None)),
    (pending(source=None, since=None, days=None), "2026-12-01T10:00:00Z",
     ("2026-12-01T10:00:00Z", "central", 0.0, None)),
    # A long wait shows whole days exactly (86400 seconds a day, to 3 decimals).
    (pending(last_boot="2026-08-01T00:00:00Z"), "2026-08-22T09:00:00Z",
     ("2026-08-22T09:00:00Z", "central", 101.0, "2026-11-30T09:00:00Z")),
    (pending(source=None, since=None, days=None, last_boot="2026-08-01T00:00:00Z"), "2026-08-23T09:00:00Z",
     ("2026-08-23T09:00:00Z", "central", 100.0, None)),
    # A local time without an age: counted to the reading time too.
    (pending(days=None), "2026-11-29T21:00:00Z", ("2026-11-29T21:00:00Z", "central", 1.5, "2026-11-30T09:00:00Z")),
    # Neither a local time nor a reading time: Central's own age.
    (pending(source=None, since=None, days=None, checked_at=None), "2026-11-30T21:00:00Z",
     ("2026-11-30T21:00:00Z", "central", 20.0, None)),
    # A time from a source, a restart not pending or unknown: nothing taken.
    (pending(source="source"), "2026-11-01T00:00:00Z", ("2026-11-30T09:00:00Z", "source", 1.0, None)),
    (pending(required=False), "2026-11-01T00:00:00Z", ("2026-11-30T09:00:00Z", "first_seen", 1.0, None)),
    (pending(required=None), "2026-11-01T00:00:00Z", ("2026-11-30T09:00:00Z", "first_seen", 1.0, None)),
])
def test_when_centrals_time_becomes_pending_since(facts, raised_at, expected):
    assert since(row(facts, central=central(raised_at=raised_at))) == expected


def test_without_any_age_central_gives_none():
    facts = pending(source=None, since=None, days=None, checked_at=None)
    assert since(row(facts, central=central(raised_at="2026-11-30T21:00:00Z", days=None))) == (
        "2026-11-30T21:00:00Z", "central", None, None)


# ---------------------------------------------------------------- odd views

def test_odd_central_values_are_named_in_data_errors():
    odd = central(raised_at="last tuesday", days="many")
    odd["online"] = "maybe"
    got = row(clean(), central=odd, central_source="api")
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
    got = row(clean(), central="text")
    assert got["central"] is None and got["data_errors"] == ["sophos_central: expected a mapping, got 'text'"]
    assert row(clean(), central={})["central"] is None
    bad_alert = row(clean(), central=dict(central(), restart_alert="x"))
    assert bad_alert["central"]["restart_alert"] is None
    assert bad_alert["data_errors"] == ["sophos_central.restart_alert: expected a mapping, got 'x'"]


# ---------------------------------------------------------------- the lookup note

def report(entries, lookup=None):
    return model.build_report(entries, generated="2026-12-01T09:05:00Z", central=lookup)


@pytest.mark.parametrize("entries, lookup, note", [
    ([{"host": "a", "facts": clean()}], None, None),
    ([{"host": "a", "facts": clean()}], {"lookup": "done"}, None),
    ([{"host": "a", "facts": clean(), "central": central()}], {"lookup": "no_credentials"},
     "Sophos Central was not asked: no Central credentials are configured."),
    ([{"host": "a", "facts": clean()}], {"lookup": "failed", "message": "HTTP 401: bad client secret"},
     "Sophos Central lookup failed: HTTP 401: bad client secret"),
    ([{"host": "a", "facts": clean()}], {"lookup": "failed"}, "Sophos Central lookup failed: no message"),
    ([{"host": "a", "facts": clean(), "central": central()},
      {"host": "b", "facts": clean(), "central": central(alert=False)},
      {"host": "c", "facts": clean()}], {"lookup": "done"},
     "Sophos Central's view of 2 host(s), 1 with a restart alert; Central may lag behind a restart."),
])
def test_central_note(entries, lookup, note):
    assert text.central_note(report(entries, lookup)) == note


def test_lookup_record_and_alert_list():
    got = report([{"host": "b", "facts": clean(), "central": central()},
                  {"host": "a", "facts": pending(source="source"), "central": central()},
                  {"host": "c", "facts": clean(), "central": central(alert=False)}],
                 {"lookup": "failed", "message": "timeout"})
    assert got["central"] == {"lookup": "failed", "message": "timeout"}
    assert got["summary"]["central_alerts"] == ["a", "b"]
    assert report([], {"lookup": 3})["central"] == {"lookup": "off", "message": None}


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


@pytest.mark.parametrize("boot, expected", [
    ({}, u"restart ? at ?: reason not recorded; boot ? \u2192 ?"),
    ({"number": 2, "restarted_at": "2026-12-01T09:00:00Z", "restart_seconds": 61.26,
      "reasons": [{"id": "sophos_reboot_required", "detail": "flag"}, {"id": "kernel", "detail": None},
                  {"id": None, "detail": "dropped"}],
      "boot_id_before": "b-1", "boot_id": "b-2", "queued_update": True},
     u"restart 2 at 2026-12-01T09:00:00Z (down 61.3 s): sophos_reboot_required (flag); kernel; "
     u"boot b-1 \u2192 b-2; the queued Sophos update's restart"),
    ({"number": 1, "restarted_at": "t", "restart_seconds": 0, "reasons": [], "queued_update": False},
     u"restart 1 at t (down 0 s): reason not recorded; boot ? \u2192 ?"),
])
def test_restart_text(boot, expected):
    assert text.restart_text(boot) == expected


def test_the_reading_time_is_read_up_to_80_characters():
    # 80 characters are a time the age runs to; one more is cut, no time any more, and Central's own age stays.
    for extra, days in ((0, 0.5), (1, 20.0)):
        facts = pending(source=None, since=None, days=None, checked_at="2026-12-01T09:00:00." + "0" * (59 + extra) + "Z")
        assert since(row(facts, central=central(raised_at="2026-11-30T21:00:00Z"))) == (
            "2026-11-30T21:00:00Z", "central", days, None)
