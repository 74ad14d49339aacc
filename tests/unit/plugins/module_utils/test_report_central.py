"""Sophos Central's view in the report: the alert and its age beside the local facts, raised_at as
pending_since where the host only saw the restart first, and attention for a host Central still alerts
for after a clean cycle."""
import csv
import io

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    model, render_csv, render_html, render_markdown)

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
