"""The report's shared words (module_utils/_report/text.py): the run's kind, the silence, a first-seen age,
Central's cell and note and one restart's line, the same in every rendering."""
import csv
import io
import json
import re

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    history, model, render_csv, render_html, render_markdown, render_text, text as report_text)


# ----------------------------------------------------------------------------------------------------
# Report building from mixed host results: statuses, attention order, summary, odd values, renderers.

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


def test_empty_fleet():
    report = model.build_report([])
    assert report["summary"]["total"] == 0
    assert "Nothing needs attention" in render_html.to_html(report)
    assert "Nothing needs attention" in render_markdown.to_markdown(report)
    assert render_csv.to_csv(report).strip() == ",".join(render_csv.CSV_COLUMNS)


# ----------------------------------------------------------------------------------------------------
# Sophos Central's view in the report (module_utils/_report/model.py), word for word and at each edge: the alert's
# issue and cell, the lag note, when Central's raised_at becomes pending_since and the age it gives, the
# lookup note; and the small texts every renderer shares (run state, one restart's line).

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
    assert report_text.restart_text(boot) == expected


# ----------------------------------------------------------------------------------------------------
# The kind of run a report is of (run.kind): a restart-only run says so in every rendering.

ENTRIES = [{"host": "web1", "facts": {"reboot_required": False},
            "cycle": {"status": "ok", "restarts": 0, "message": "no restart needed: nothing pending"}},
           {"host": "web2", "facts": {"reboot_required": False},
            "cycle": {"status": "rebooted", "restarts": 1, "message": "clean after 1 restart(s)"}}]


def report_run_kind(playbook, check=False):
    run = history.new_run("2026-12-12T21:00:00Z", "ab12", check_mode=check, playbook=playbook)
    return model.build_report(ENTRIES, generated="2026-12-12T22:00:00Z", run=run)


@pytest.mark.parametrize("playbook,kind", [
    ("fleetops.sophos.restart", "restart"), ("fleetops.sophos.maintenance", "maintenance"),
    ("fleetops.sophos.facts", "facts"), ("site.yml", None), (None, None)])
def test_the_run_kind_comes_from_the_playbook(playbook, kind):
    assert report_run_kind(playbook)["run"]["kind"] == kind


def test_a_restart_only_run_says_so_in_the_table_markdown_and_html():
    restart = report_run_kind("fleetops.sophos.restart")
    assert render_text.to_lines(restart)[0].startswith(u"Sophos restart report (restart-only run): 2 host(s)")
    assert render_markdown.to_markdown(restart).startswith(u"# Sophos restart report (restart-only run)\n")
    page = render_html.to_html(restart)
    assert re.search(r"<title>(.*)</title>", page).group(1) == u"Sophos restart report (restart-only run)"
    assert u'<span class="runkind" id="run-kind">restart-only run</span>' in page


def test_a_check_run_of_the_restart_playbook_says_both():
    check = report_run_kind("fleetops.sophos.restart", check=True)
    assert render_text.to_lines(check)[0].startswith(u"Sophos restart report (restart-only run, check run):")
    assert render_markdown.to_markdown(check).startswith(u"# Sophos restart report (restart-only run, check run)\n")
    page = render_html.to_html(check)
    assert 'id="run-kind"' in page and 'id="check-run"' in page


def test_a_maintenance_run_says_so_and_a_play_of_ones_own_says_nothing():
    assert render_text.to_lines(report_run_kind("fleetops.sophos.maintenance"))[0].startswith(
        u"Sophos restart report (maintenance run): ")
    for playbook in ("site.yml", "fleetops.sophos.facts"):
        own = report_run_kind(playbook)
        assert render_text.to_lines(own)[0].startswith(u"Sophos restart report: ")
        assert 'id="run-kind"' not in render_html.to_html(own)


# ----------------------------------------------------------------------------------------------------
# The report reads a record's Alertmanager silence (sophos_reboot_cycle.silence) and every rendering shows it.

BOOT = {"boot_id": "b1", "boot_id_before": "b0", "last_boot": "2026-12-07T02:01:30Z",
        "restarted_at": "2026-12-07T02:02:00Z", "restart_seconds": 40, "reasons": [{"id": "kernel", "detail": "x"}]}


def _cycle(silence):
    return {"status": "rebooted", "restarts": 1, "message": "restarted once", "boots": [{"boot_id": "b0"}, BOOT],
            "silence": silence}


def _report_of(silence):
    return model.build_report([{"host": "web1", "facts": None, "cycle": _cycle(silence)}], generated="g")


def test_an_expired_silence_is_read_and_shown_from_to():
    silence = {"status": "expired", "id": "5f0c", "from": "2026-12-07T02:00:00.000Z",
               "to": "2026-12-07T02:09:00.000Z", "extensions": 3, "warning": None,
               "matchers": [{"name": "instance", "value": "web1(:.*)?", "isRegex": True, "isEqual": True}],
               "lease_minutes": 30}
    report = _report_of(silence)
    assert report["hosts"][0]["maintenance"]["silence"] == {
        "status": "expired", "id": "5f0c", "from": "2026-12-07T02:00:00.000Z", "to": "2026-12-07T02:09:00.000Z",
        "warning": None}
    line = u"silenced 2026-12-07T02:00:00.000Z \u2013 2026-12-07T02:09:00.000Z (5f0c)"
    assert line in render_markdown.to_markdown(report)
    assert line in render_html.to_html(report)


def test_a_silence_that_failed_shows_the_warning():
    report = _report_of({"status": "failed", "id": None, "warning": "could not create the silence: POST x answered 500"})
    text = u"silence: not created (could not create the silence: POST x answered 500)"
    assert text in render_markdown.to_markdown(report) and text in render_html.to_html(report)


def test_a_lapsing_silence_says_it_ends_by_itself_and_odd_values_are_noted():
    report = _report_of({"status": "lapsing", "id": "9a", "from": "a", "to": "b", "warning": "DELETE failed"})
    assert u"silenced a \u2013 b (9a), not expired: it ends by itself" in render_markdown.to_markdown(report)
    odd = _report_of({"status": "sleeping", "id": ["x"]})
    row = odd["hosts"][0]
    assert row["maintenance"]["silence"]["status"] is None and row["maintenance"]["silence"]["id"] is None
    assert any("sophos_reboot_cycle.silence.status" in error for error in row["data_errors"])


# ----------------------------------------------------------------------------------------------------
# The report says when a pending age counts only from the first run that saw the restart pending.

def facts(source):
    return {"reboot_required": True, "reasons": [{"id": "sophos_reboot_required", "strong": True}],
            "pending_since": "2026-11-30T08:00:00Z", "pending_days": 1.5, "pending_since_source": source}


@pytest.mark.parametrize("source,said", [("first_seen", True), ("source", False), (None, False)])
def test_first_seen_ages_are_marked(source, said):
    report = model.build_report([{"host": "h1", "facts": facts(source), "run": {"state": "ok"}}],
                                generated="2026-12-01T20:00:00Z")
    row = report["hosts"][0]
    assert row["pending_since_source"] == source
    assert ("| 1.5 (since first seen) |" in render_markdown.to_markdown(report)) is said
    assert ("since first seen" in render_html.to_html(report)) is said


def test_a_strange_source_never_marks_the_age():
    report = model.build_report([{"host": "h1", "facts": dict(facts(None), pending_since_source=["x"])}])
    assert "since first seen" not in render_markdown.to_markdown(report)


# ----------------------------------------------------------------------------------------------------
# The renderers at their edges, compared with hand-written text: a page cell cut at 300 characters, the
# Markdown head of a check run with a Central note, Markdown escaping, every spreadsheet-formula start in CSV.

@pytest.mark.parametrize("value, text", [
    (None, u""), (True, u"yes"), (False, u"no"), (0, u"0"), (10.0, u"10"), (1.5, u"1.5"), (0.125, u"0.12"),
    (0.004, u"0"), (-2.25, u"-2.25"), (u"x", u"x"), ([True, 1.50, None, u"a"], u"yes; 1.5; ; a"), ((), u""),
])
def test_format_value(value, text):
    assert report_text.format_value(value) == text


@pytest.mark.parametrize("silence, line", [
    ({"status": "active", "id": "5f0c", "from": "a", "to": "b", "warning": "extension failed"},
     u"silenced a \u2013 b (5f0c); extension failed"),
    ({"status": "expired", "id": "5f0c", "from": "a", "to": "b", "warning": None}, u"silenced a \u2013 b (5f0c)"),
    ({"status": "expired", "to": "b"}, u"silenced ? \u2013 b (?)"),
    ({"status": "active", "id": "5f0c", "from": "a"}, u"silenced a \u2013 ? (5f0c)"),
    ({"status": "lapsing", "id": "9a", "from": "a", "to": "b", "warning": "DELETE failed"},
     u"silenced a \u2013 b (9a), not expired: it ends by itself"),
])
def test_silence_text_with_missing_times_and_a_warning(silence, line):
    assert report_text.silence_text(silence) == line
