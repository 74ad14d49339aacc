# -*- coding: utf-8 -*-
"""A Linux cycle of two restarts as the report shows it: one report entry per restart (Markdown, HTML, the
queued update's restart named), and the end-of-run table (module_utils/_report*.py). The cycle's and the run's
own parts of issue 16 points 6 and 7 are in cycle/test_cycle_settings.py, cycle/test_cycle_plan.py and
test_run.py."""

from __future__ import absolute_import, division, print_function

from datetime import timedelta

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle
from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    model, render_html, render_markdown, render_text, text)
from ansible_collections.fleetops.sophos.tests.unit.cycle_facts import RUN_START as NOW, linux_facts as facts


# ------------------------------------------------------------ restarts in the report, the table

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
