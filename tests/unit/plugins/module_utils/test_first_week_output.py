# -*- coding: utf-8 -*-
"""Issue 16 points 6, 7, 9: every setting problem at once, a health check when nothing is pending,
the end-of-run table, one report entry per restart."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _run, _time
from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    model, render_html, render_markdown, render_text, text)

NOW = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)


def facts(strong=(), services=None, health="good", boot_id="b-1"):
    return {
        "reboot_required": bool(strong),
        "reasons": [{"id": r, "source": "os", "strong": True, "detail": "because %s" % r} for r in strong],
        "sophos": {"installed": True, "updating": False, "updated_since_boot": True,
                   "health": {"overall": health, "services": services or {"sophos-spl": "running"}}},
        "os": {"family": "debian", "last_boot": _time.iso(NOW - timedelta(days=3)), "boot_id": boot_id},
        "read_errors": [],
    }


# ------------------------------------------------------------ 6: every problem, once, one line each

def test_every_cycle_problem_is_listed_one_line_each():
    problems = _cycle.settings_problems({"settle_mode": "fast", "max_cycles": 0, "poll_seconds": "x",
                                         "window_end": "2025-12-01T06:00:00+01:00",
                                         "run_started": _time.iso(NOW)})
    assert len(problems) == 4, problems
    assert any("settle_mode must be one of poll|fixed, got 'fast'" in p for p in problems)
    assert any("reboot_cycle_max_cycles" in p for p in problems)
    assert any("reboot_cycle_poll_seconds" in p for p in problems)
    assert any("before this run started" in p for p in problems)
    assert all("\n" not in p and len(p) < 300 for p in problems)


def test_good_settings_have_no_problem_and_the_rules_are_normalize_settings():
    raw = {"settle_mode": "fixed", "max_cycles": "3", "window_end": "+4h", "run_started": _time.iso(NOW)}
    assert _cycle.settings_problems(raw) == []
    _cycle.normalize_settings(raw)  # the same rules accept the same values
    with pytest.raises(_cycle.CycleError) as one:
        _cycle.normalize_settings({"max_cycles": 0})
    assert _cycle.settings_problems({"max_cycles": 0}) == [str(one.value)]


def test_run_check_lists_cycle_patch_and_report_problems():
    settings = {"reboot_cycle_settle_mode": "fast", "patch_enabled": "maybe", "patch_win_reboot_timeout": 0,
                "report_alert_days": 0, "report_formats": ["json", "pdf"], "report_dir": "/tmp/x",
                "patch_exclude": ["a*"], "reboot_cycle_max_cycles": 2}
    known = set(settings) | {"reboot_cycle_window_end"}
    result = _run.check_run(list(settings) + ["reboot_cycle_window_end"], "nonsense", known, NOW, settings)
    errors = result["errors"]
    assert len(errors) == 6, errors
    for name in ("reboot_cycle_settle_mode", "reboot_cycle_window_end", "patch_enabled", "patch_win_reboot_timeout",
                 "report_alert_days", "report_formats"):
        assert sum(name in error for error in errors) == 1, (name, errors)
    assert result["window_end"] is None


def test_run_check_with_good_settings_resolves_the_window():
    result = _run.check_run(["reboot_cycle_window_end"], "+2h", {"reboot_cycle_window_end"}, NOW,
                            {"patch_enabled": "false", "report_keep": "5"})
    assert result["errors"] == [] and result["window_end"] == "2026-12-01T10:40:00Z"


# ------------------------------------------------------------ 7: health checked when nothing is pending

@pytest.mark.parametrize("fail", [True, False])
def test_nothing_pending_but_sophos_stopped(fail):
    reading = facts(services={"sophos-spl": "stopped"}, health="bad")
    state = _cycle.start(reading, _cycle.normalize_settings({"fail_when_unhealthy": fail}, NOW), NOW)
    decision = _cycle.plan(reading, state, NOW)
    if fail:
        assert (decision["step"], decision["status"], decision["failed"]) == ("fail", "failed", True)
        assert "nothing pending, but Sophos health is bad; Sophos service(s) not running: sophos-spl" \
            in decision["reason"]
        record = _cycle.result(state, decision, reading, NOW)
        assert record["status"] == "failed" and "sophos-spl" in record["message"]
    else:
        # Not asked to fail: no check, as before (the report still shows the host unhealthy).
        assert (decision["step"], decision["status"]) == ("done", "ok")
        assert decision["health_checked"] is False


def test_nothing_pending_and_healthy_says_health_was_checked():
    reading = facts()
    decision = _cycle.plan(reading, _cycle.start(reading, _cycle.normalize_settings({}, NOW), NOW), NOW)
    assert (decision["step"], decision["status"]) == ("done", "ok")
    assert decision["reason"] == "no restart needed: nothing pending; Sophos healthy"


# ------------------------------------------------------------ 9 and 7: restarts in the report, the table

def restarted_report():
    first = facts(strong=["os_reboot_required"], boot_id="b-0")
    state = _cycle.start(first, _cycle.normalize_settings({}, NOW), NOW)
    second = facts(strong=["sophos_reboot_required"], boot_id="b-1")
    state = _cycle.restarted(state, second, NOW + timedelta(minutes=2), elapsed=41.5, before=first)
    state = _cycle.settled(state, {"mode": "poll", "elapsed": 60.0, "ended": "reboot_required", "reason": "back"})
    state = dict(state, prior_restart=False)
    third = facts(boot_id="b-2")
    state = _cycle.restarted(state, third, NOW + timedelta(minutes=9), elapsed=38, before=second)
    state = _cycle.settled(state, {"mode": "poll", "elapsed": 30.0, "ended": "evidence", "reason": "done"})
    decision = _cycle.plan(third, state, NOW + timedelta(minutes=10))
    record = _cycle.result(state, decision, third, NOW + timedelta(minutes=10))
    entries = [{"host": "web-1", "facts": third, "cycle": record, "run": {"state": "ok"}},
               {"host": "web-2", "facts": facts(), "cycle": None, "run": {"state": "ok"}}]
    return model.build_report(entries, generated="2026-12-01T09:00:00Z")


def test_the_report_has_one_entry_per_restart():
    report = restarted_report()
    assert report["schema_version"] == 4
    row = dict((r["host"], r) for r in report["hosts"])["web-1"]
    boots = row["maintenance"]["boots"]
    assert row["maintenance"]["boot_before"] == {"boot_id": "b-0", "last_boot": facts()["os"]["last_boot"]}
    assert [(b["number"], b["restarted_at"], b["boot_id_before"], b["boot_id"], b["queued_update"]) for b in boots] \
        == [(1, "2026-12-01T08:42:00Z", "b-0", "b-1", False), (2, "2026-12-01T08:49:00Z", "b-1", "b-2", False)]
    assert boots[0]["reasons"] == [{"id": "os_reboot_required", "detail": "because os_reboot_required"}]
    assert boots[1]["reasons"][0]["id"] == "sophos_reboot_required"
    assert boots[0]["restart_seconds"] == 41.5


def test_markdown_and_html_list_every_restart():
    report = restarted_report()
    line = ("restart 1 at 2026-12-01T08:42:00Z (down 41.5 s): os_reboot_required (because os_reboot_required); "
            "boot b-0 \u2192 b-1")
    markdown = render_markdown.to_markdown(report)
    assert "## Restarts" in markdown
    assert ("  - " + line.replace("_", "\\_")) in markdown
    assert "restart 2 at 2026-12-01T08:49:00Z" in markdown
    page = render_html.to_html(report)
    # The page: the restart as a short line, its boot ids behind a disclosure.
    short, ids = line.split("; boot ")
    assert short + "<br>" in page and line not in page
    assert '<details class="boots"><summary>boot ids</summary>restart 1: boot ' + ids in page


def test_the_queued_update_restart_is_named():
    boot = {"number": 2, "restarted_at": "2026-12-01T08:49:00Z", "restart_seconds": None,
            "reasons": [{"id": "sophos_reboot_required", "detail": None}], "boot_id_before": "b-1",
            "boot_id": "b-2", "queued_update": True}
    assert text.restart_text(boot) == ("restart 2 at 2026-12-01T08:49:00Z: sophos_reboot_required; "
                                       "boot b-1 \u2192 b-2; the queued Sophos update's restart")


def test_the_table_has_one_row_per_host():
    lines = render_text.to_lines(restarted_report(), location="/srv/r/sophos-report-x.{json,html}")
    assert lines[0] == "Sophos restart report: 2 host(s), rebooted=1, ok=1; needs attention: none"
    assert lines[1].split() == ["HOST", "STATUS", "RESTARTS", "WHY"]
    assert lines[2].split(None, 3) == ["web-1", "rebooted", "2",
                                       "restarted 2 time(s): os_reboot_required; sophos_reboot_required"]
    assert lines[3].split(None, 3) == ["web-2", "ok", "-", "no restart pending"]
    assert lines[-1] == "report: /srv/r/sophos-report-x.{json,html}"
    assert len(lines) == 5
    # Columns line up.
    assert lines[1].index("STATUS") == lines[2].index("rebooted") == lines[3].index("ok")


def test_the_table_cuts_a_long_why_to_one_line():
    report = restarted_report()
    report["hosts"][1]["issues"] = [{"status": "failed", "id": "x", "text": "a\nb " * 200}]
    line = render_text.to_lines(report)[3]
    assert "\n" not in line and len(line.split(None, 3)[3]) == render_text.WHY_LIMIT
