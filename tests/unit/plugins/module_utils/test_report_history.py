"""Report history (module_utils/_report/history.py): run names, pruning, index entries, summaries."""
import json
import re

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    history, html_kit, model, render_html, render_index, render_markdown)
from ansible_collections.fleetops.sophos.plugins.module_utils._report.history import (
    index_data, index_entry, new_run, runs_in, to_prune)


# ----------------------------------------------------------------------------------------------------
# Report history: run names, pruning, the index data and page, check runs, and the cycle timeline.

def _run(started="2026-11-28T02:00:00Z", token="ab12", check=False):
    return history.new_run(started, token, check_mode=check, playbook="fleetops.sophos.maintenance")


def test_run_names():
    run = _run()
    assert run["id"] == "20261128T020000Z-ab12"
    assert run["stem"] == "sophos-report-20261128T020000Z-ab12" and run["latest"] == "sophos-report"
    check = _run(check=True)
    assert check["stem"] == "sophos-report-20261128T020000Z-ab12-check" and check["latest"] == "sophos-report-check"
    assert history.parse_name(run["stem"] + ".html") == (run["id"], False, "html")
    assert history.parse_name(check["stem"] + ".md") == (run["id"], True, "md")
    for other in ("sophos-report.json", "sophos-report-check.json", "index.html", "sophos-report-x.json",
                  "other-20261128T020000Z-ab12.json", run["stem"] + ".pdf"):
        assert history.parse_name(other) is None, other


def test_same_second_runs_differ_by_token():
    assert _run(token="ab12")["stem"] != _run(token="ab13")["stem"]


@pytest.mark.parametrize("started", ["2026-11-28T02:00:00", "2026-11-28T03:00:00+01:00", "soon", ""])
def test_run_start_must_be_utc(started):
    with pytest.raises(ValueError, match="UTC"):
        _run(started=started)


@pytest.mark.parametrize("token", ["AB12", "ab", "../x", 12])
def test_run_token_checked(token):
    with pytest.raises(ValueError, match="token"):
        history.new_run("2026-11-28T02:00:00Z", token)


def test_basename_cannot_leave_the_directory():
    with pytest.raises(ValueError, match="report_basename"):
        history.new_run("2026-11-28T02:00:00Z", "ab12", basename="../etc/x")


def _names(*runs):
    return ["%s.%s" % (run["stem"], ext) for run in runs for ext in ("json", "html")] + [
        "sophos-report.json", "index.html", "notes.txt"]


def test_prune_keeps_the_newest_and_the_current():
    runs = [_run("2026-11-%02dT02:00:00Z" % day) for day in (1, 2, 3, 4)]
    names = _names(*runs)
    pruned = history.to_prune(names, 2, current=runs[3])
    assert pruned == sorted(_names(runs[0], runs[1])[:4])
    assert history.to_prune(names, 0, current=runs[3]) == []
    # The current run counts even when it is the oldest name (a clock set back): never removed.
    pruned = history.to_prune(names, 1, current=runs[0])
    assert not any(name.startswith(runs[0]["stem"]) for name in pruned)
    assert len(pruned) == 6


def test_prune_counts_check_runs_and_leaves_other_files():
    real, check = _run("2026-11-01T02:00:00Z"), _run("2026-11-02T02:00:00Z", check=True)
    pruned = history.to_prune(_names(real, check), 1, current=check)
    assert pruned == [real["stem"] + ".html", real["stem"] + ".json"]


@pytest.mark.parametrize("keep", [-1, "3", True, 2.5])
def test_prune_needs_a_count(keep):
    with pytest.raises(ValueError, match="report_keep"):
        history.to_prune([], keep)


def _report_json(run, entries):
    return json.dumps(model.build_report(entries, generated=run["started"], run=run))


def test_index_data_runs_and_trend():
    first, second = _run("2026-11-27T02:00:00Z"), _run("2026-11-28T02:00:00Z")
    check = _run("2026-11-29T02:00:00Z", check=True)
    entries = [
        {"host": "a", "facts": {"reboot_required": True, "pending_days": 20.0}},
        {"host": "b", "facts": {"reboot_required": True, "pending_days": 2.0}},
        {"host": "c", "run": {"state": "failed", "message": "x"}},
        {"host": "d", "run": {"state": "unreachable"}},
    ]
    files = [(check["stem"] + ".json", _report_json(check, entries[:1])),
             (first["stem"] + ".json", _report_json(first, entries)),
             (second["stem"] + ".json", _report_json(second, entries[1:2])),
             ("sophos-report-20261126T020000Z-dead.json", "{not json")]
    index = history.index_data(files)
    assert [run["id"] for run in index["runs"]] == [check["id"], second["id"], first["id"], "20261126T020000Z-dead"]
    assert index["runs"][0]["check_mode"] is True and index["runs"][0]["playbook"] == "fleetops.sophos.maintenance"
    assert index["runs"][-1]["error"].startswith("not JSON")
    oldest = index["runs"][2]
    assert (oldest["pending"], oldest["alerting"], oldest["failed"]) == (2, 1, 2)
    assert oldest["counts"]["alert"] == 1 and oldest["total"] == 4
    assert [(point["id"], point["pending"], point["alerting"], point["failed"]) for point in index["trend"]] == [
        (first["id"], 2, 1, 2), (second["id"], 1, 0, 0)]

    page = render_index.to_index_html(index, names=[second["stem"] + ".html"])
    assert page.count("<tr data-index=") == 4
    assert 'href="%s.html"' % second["stem"] in page and 'href="%s.json"' % first["stem"] in page
    assert page.count('<polyline class="series"') == 3
    assert html_kit.content_security_policy(html_kit.INDEX_SCRIPT) in page.replace("&#x27;", "'")
    assert "<script src" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


ENTRIES = [
    {"host": "a", "facts": {"reboot_required": True, "pending_days": 20.0}},
    {"host": "b", "facts": {"reboot_required": True, "pending_days": 2.0}},
    {"host": "c", "run": {"state": "failed", "message": "x"}},
    {"host": "d", "run": {"state": "unreachable"}},
]


def test_the_index_from_summaries_is_the_index_from_the_reports():
    runs = [_run("2026-11-27T02:00:00Z"), _run("2026-11-28T02:00:00Z", "cd34"), _run("2026-11-29T02:00:00Z", check=True)]
    files = [(run["stem"] + ".json", _report_json(run, ENTRIES[:index + 2])) for index, run in enumerate(runs)]
    summaries = [(name, json.dumps(history.summary_of(name, json.loads(text)))) for name, text in files]
    from_summaries = history.index_from_entries(
        history.entry_from_summary(name, text) for name, text in summaries)
    assert from_summaries == history.index_data(files)
    summary = json.loads(summaries[1][1])
    assert summary["attention"] == ["c", "a"]
    assert (summary["total"], summary["pending"], summary["alerting"], summary["failed"]) == (3, 2, 1, 1)
    summary = json.loads(summaries[0][1])
    assert (summary["id"], summary["started"], summary["check_mode"], summary["playbook"]) == (
        runs[0]["id"], runs[0]["started"], False, "fleetops.sophos.maintenance")
    assert len(summaries[-1][1]) < 1000, "a summary holds no host rows"


def test_a_summary_of_another_run_or_version_or_broken_is_not_used():
    run = _run()
    name = run["stem"] + ".json"
    summary = history.summary_of(name, json.loads(_report_json(run, ENTRIES)))
    assert history.entry_from_summary(name, json.dumps(summary))["total"] == 4
    for other in (dict(summary, version=2), dict(summary, file="sophos-report-20261128T020000Z-ffff.json"),
                  dict(summary, kind="other"), dict((key, value) for key, value in summary.items() if key != "counts")):
        assert history.entry_from_summary(name, json.dumps(other)) is None
    assert history.entry_from_summary(name, "{half") is None
    assert history.summary_of(name, {"kind": "something else"}) is None
    assert history.summary_name(name) == run["stem"] + ".summary.json"


def test_summaries_whose_run_is_gone_are_orphans():
    kept, gone = _run(), _run("2026-11-20T02:00:00Z", "dead")
    names = [kept["stem"] + ".json", kept["stem"] + ".summary.json", gone["stem"] + ".summary.json",
             gone["stem"] + ".html", "notes.summary.json", "index.html"]
    assert history.orphan_summaries(names) == [gone["stem"] + ".summary.json"]
    # The summaries are never runs themselves: the prune counts runs by their report files only.
    assert history.runs_in([gone["stem"] + ".summary.json"]) == []


def test_check_run_marked_everywhere():
    entries = [{"host": "a", "facts": {"reboot_required": False}}]
    report = model.build_report(entries, run=_run(check=True))
    assert report["check_mode"] is True and report["run"]["stem"].endswith("-check")
    assert 'id="check-run"' in render_html.to_html(report)
    assert render_markdown.to_markdown(report).startswith("# Sophos restart report (maintenance run, check run)\n")
    real = model.build_report(entries, run=_run())
    assert real["check_mode"] is False and 'id="check-run"' not in render_html.to_html(real)
    assert "check run" not in render_markdown.to_markdown(real)


# ----------------------------------------------------------------------------------------------------
# Report history, pinned exactly: error messages, defaults, pruning counts, index entries read defensively.
#
# Inputs are hand-written file names and JSON texts; every expected value is written out by hand.

A = "sophos-report-20261101T020000Z-aaaa"


B = "sophos-report-20261102T020000Z-bbbb"


C = "sophos-report-20261103T020000Z-cccc"


D = "sophos-report-20261104T020000Z-dddd"


def _files(*stems):
    return ["%s.%s" % (stem, ext) for stem in stems for ext in ("html", "json")]


def test_error_messages_name_the_problem():
    with pytest.raises(ValueError, match="^" + re.escape(
            "report_basename must be a file name of letters, digits, '.', '_' and '-' (no directory), "
            "got '../x'") + "$"):
        new_run("2026-11-28T02:00:00Z", "ab12", basename="../x")
    with pytest.raises(ValueError, match="^" + re.escape(
            "the run's start must be an ISO 8601 date-time in UTC (ending in Z), got 'soon'") + "$"):
        new_run("soon", "ab12")
    with pytest.raises(ValueError, match="^" + re.escape(
            "the run token must be 4 to 16 lower-case hex digits, got 'AB12'") + "$"):
        new_run("2026-11-28T02:00:00Z", "AB12")
    with pytest.raises(ValueError, match="^" + re.escape(
            "report_keep must be a whole number >= 0 (0 keeps every run), got -1") + "$"):
        to_prune([], -1)


def test_new_run_defaults_to_a_real_run_without_playbook():
    assert new_run(" 2026-11-28T02:00:00+00:00 ", "ab12") == {
        "id": "20261128T020000Z-ab12", "started": "2026-11-28T02:00:00+00:00", "check_mode": False,
        "playbook": None, "kind": None, "stem": "sophos-report-20261128T020000Z-ab12", "latest": "sophos-report"}
    assert new_run("2026-11-28T02:00:00Z", "ab12", check_mode=1, playbook="site.yml", basename="eu.fleet") == {
        "id": "20261128T020000Z-ab12", "started": "2026-11-28T02:00:00Z", "check_mode": True,
        "playbook": "site.yml", "kind": None, "stem": "eu.fleet-20261128T020000Z-ab12-check",
        "latest": "eu.fleet-check"}
    assert new_run("2026-11-28T02:00:00Z", "ab12", playbook="fleetops.sophos.restart")["kind"] == "restart"


def test_runs_in_reads_every_name_newest_first():
    names = ["notes.txt", A + ".json", "index.html", B + "-check.md", B + ".json", A + ".html",
             "eu-20261105T020000Z-eeee.json"]
    assert runs_in(names) == [
        {"id": "20261102T020000Z-bbbb", "check_mode": True, "files": [B + "-check.md"]},
        {"id": "20261102T020000Z-bbbb", "check_mode": False, "files": [B + ".json"]},
        {"id": "20261101T020000Z-aaaa", "check_mode": False, "files": [A + ".html", A + ".json"]},
    ]
    assert runs_in(names, basename="eu") == [
        {"id": "20261105T020000Z-eeee", "check_mode": False, "files": ["eu-20261105T020000Z-eeee.json"]}]


def test_prune_without_current_keeps_exactly_keep_runs():
    names = _files(A, B, C, D) + ["index.html", "sophos-report.json"]
    assert to_prune(names, 3) == _files(A)
    assert to_prune(names, 1) == _files(A, B, C)
    assert to_prune(names, 4) == [] and to_prune(names, 5) == []


def test_prune_current_not_among_the_names_takes_no_place():
    # The current run has no file in the directory (yet): the ``keep`` newest files' runs all stay.
    current = {"id": "20261105T020000Z-eeee", "check_mode": False}
    assert to_prune(_files(A, B, C, D), 2, current=current) == _files(A, B)


def test_prune_never_removes_the_current_check_run_even_when_oldest():
    real = _files(B)
    check = [A + "-check.html", A + "-check.json"]
    current = {"id": "20261101T020000Z-aaaa", "check_mode": True}
    assert to_prune(real + check + _files(A), 1, current=current) == _files(A, B)


def test_prune_with_another_basename():
    names = ["eu-20261101T020000Z-aaaa.json", "eu-20261102T020000Z-bbbb.json"] + _files(A)
    assert to_prune(names, 1, basename="eu") == ["eu-20261101T020000Z-aaaa.json"]


def _entry(**changes):
    entry = {"id": None, "file": "notes.json", "check_mode": False, "started": None, "generated": None,
             "playbook": None, "total": 0, "counts": {}, "pending": 0, "alerting": 0, "failed": 0, "error": None}
    entry.update(changes)
    return entry


def test_index_entry_of_files_that_are_not_reports():
    assert index_entry("notes.json", "[1, 2]") == _entry(error="not a fleetops.sophos report")
    assert index_entry("notes.json", '{"kind": "other"}') == _entry(error="not a fleetops.sophos report")
    assert index_entry(A + "-check.json", "{x") == _entry(
        id="20261101T020000Z-aaaa", file=A + "-check.json", check_mode=True,
        error="not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")
    # Another basename's file is not one of this index's runs.
    assert index_entry("eu-20261101T020000Z-aaaa.json", "{}")["id"] is None
    assert index_entry("eu-20261101T020000Z-aaaa.json", "{}", basename="eu")["id"] == "20261101T020000Z-aaaa"


def test_index_entry_reads_odd_fields_defensively():
    text = json.dumps({"kind": "fleetops.sophos.report", "run": "x", "summary": [1], "hosts": {"a": 1},
                       "alert_days": "14", "generated": 5})
    assert index_entry(A + ".json", text) == _entry(id="20261101T020000Z-aaaa", file=A + ".json")
    text = json.dumps({"kind": "fleetops.sophos.report", "run": {"started": 7, "playbook": 3},
                       "summary": {"total": 2, "counts": "many"}, "alert_days": "14",
                       "hosts": [{"reboot_required": True, "pending_days": 30}, "junk"]})
    assert index_entry(A + ".json", text) == _entry(id="20261101T020000Z-aaaa", file=A + ".json", total=2, pending=1)


def test_index_entry_counts_and_alert_age_boundary():
    hosts = [
        {"reboot_required": True, "pending_days": 14},       # at the alert age: not over it
        {"reboot_required": True, "pending_days": 14.5},     # over it
        {"reboot_required": True, "pending_days": True},     # not a number of days
        {"reboot_required": False, "pending_days": 40},      # no restart pending: never alerting
        {"reboot_required": None, "pending_days": 40},
        {"reboot_required": True},
    ]
    text = json.dumps({
        "kind": "fleetops.sophos.report", "generated": "2026-11-01T02:30:00Z", "alert_days": 14,
        "run": {"started": "2026-11-01T02:00:00Z", "playbook": "site.yml"},
        "summary": {"total": 6, "counts": {"failed": 2, "unreachable": 1, "ok": -1, "alert": True, "pending": 2.5,
                                           "rebooted": "3", "deferred": 0}},
        "hosts": hosts})
    assert index_entry(A + ".json", text) == _entry(
        id="20261101T020000Z-aaaa", file=A + ".json", started="2026-11-01T02:00:00Z",
        generated="2026-11-01T02:30:00Z", playbook="site.yml", total=6,
        counts={"failed": 2, "unreachable": 1, "ok": 0, "alert": 0, "pending": 0, "rebooted": 0, "deferred": 0},
        pending=4, alerting=1, failed=3)
    # Without an alert age no host is alerting; invalid totals count as 0.
    text = json.dumps({"kind": "fleetops.sophos.report", "summary": {"total": True, "counts": {"failed": -2}},
                       "hosts": hosts})
    entry = index_entry(A + ".json", text)
    assert (entry["total"], entry["alerting"], entry["failed"], entry["pending"]) == (0, 0, 0, 4)


def test_index_entry_check_mode_from_the_report_over_the_name():
    report = {"kind": "fleetops.sophos.report"}
    assert index_entry(A + ".json", json.dumps(dict(report, check_mode=True)))["check_mode"] is True
    assert index_entry(A + "-check.json", json.dumps(dict(report, check_mode="yes")))["check_mode"] is False
    assert index_entry(A + "-check.json", json.dumps(report))["check_mode"] is True
    assert index_entry(A + ".json", json.dumps(report))["check_mode"] is False


def _report(started, **extra):
    return json.dumps(dict({"kind": "fleetops.sophos.report", "run": {"started": started}}, **extra))


def test_index_data_orders_by_start_then_id():
    files = [
        ("notes.json", "{x"),                                              # no id, no start
        (A + ".json", _report("2026-11-20T02:00:00Z")),                    # started later than its name says
        (B + ".json", _report("2026-11-10T02:00:00Z")),
        (C + ".json", _report("2026-11-10T02:00:00Z")),                    # same start as B: larger id first
        (D + ".json", "{x"),                                               # an id but no start
        ("sophos-report-20261106T020000Z-ffff.json", _report("1970-01-01T00:00:00.5Z")),
    ]
    index = index_data(files)
    assert [run["file"] for run in index["runs"]] == [
        A + ".json", C + ".json", B + ".json", "sophos-report-20261106T020000Z-ffff.json", D + ".json",
        "notes.json"]
    assert [point["id"] for point in index["trend"]] == [
        "20261106T020000Z-ffff", "20261102T020000Z-bbbb", "20261103T020000Z-cccc", "20261101T020000Z-aaaa"]
    eu = index_data([("eu-20261101T020000Z-aaaa.json", _report("2026-11-01T02:00:00Z"))], basename="eu")
    assert eu["runs"][0]["id"] == "20261101T020000Z-aaaa"
