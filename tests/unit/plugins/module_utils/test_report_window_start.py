# -*- coding: utf-8 -*-
"""The report reads a record's wait for the window's start and shows it (module_utils/_report.py, the text table
and the HTML page)."""

from __future__ import absolute_import, division, print_function

import re

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_html, render_text


def _report_of(*hosts):
    return {"title": "t", "summary": {"total": len(hosts), "counts": dict((s, 0) for s in model.STATUSES),
                                      "attention": []}, "hosts": list(hosts)}


def test_the_wait_for_the_windows_start_is_read_and_shown():
    cycle = {"status": "rebooted", "restarts": 1, "message": "clean after 1 restart(s)",
             "window_start": "2026-12-01T21:00:00Z",
             "window_start_wait": {"seconds": "7205.0", "from": "2026-12-01T19:00:00Z", "to": "2026-12-01T21:00:05Z"}}
    row = model.host_row("web1", facts={}, cycle=cycle)
    assert row["maintenance"]["window_start"] == "2026-12-01T21:00:00Z"
    assert row["maintenance"]["window_start_wait"] == {"seconds": 7205.0, "from": "2026-12-01T19:00:00Z",
                                                       "to": "2026-12-01T21:00:05Z"}
    plain = model.host_row("db1", facts={}, cycle={"status": "ok", "restarts": 0})
    assert (plain["maintenance"]["window_start"], plain["maintenance"]["window_start_wait"]) == (None, None)
    lines = render_text.to_lines(_report_of(row, plain))
    assert lines[-1] == ("waited for the window's start before restarting: web1 2h00m "
                         "(2026-12-01T19:00:00Z to 2026-12-01T21:00:05Z)")


def test_a_check_run_says_the_restart_would_come_after_the_start():
    cycle = {"status": "ok", "restarts": 0, "check_mode": True, "would_reboot": True, "started": "2026-12-01T19:00:00Z",
             "reasons_before": ["os_reboot_required"], "window_start": "2026-12-01T21:00:00Z",
             "message": "check mode: would wait until 2026-12-01T21:00:00Z (the window's start), then restart 1: x"}
    row = model.host_row("web1", facts={}, cycle=cycle)
    assert render_text.why(row) == ("would restart: os_reboot_required after the window's start at "
                                    "2026-12-01T21:00:00Z")


def test_the_html_page_shows_the_wait():
    cycle = {"status": "rebooted", "restarts": 1, "message": "clean after 1 restart(s)", "reasons_before": ["x"],
             "window_start": "2026-12-01T21:00:00Z",
             "window_start_wait": {"seconds": 7205.0, "from": "2026-12-01T19:00:00Z", "to": "2026-12-01T21:00:05Z"}}
    report = model.build_report([{"host": "web-1", "facts": None, "cycle": cycle, "run": {"state": "ok"}}],
                                generated="2026-12-01T22:00:00Z")
    row = re.search(r'<tr data-index="\d+" data-status="\w+" data-host="web-1">.*?</tr>', render_html.to_html(report))
    assert "waited 2h00m for the window&#x27;s start (until 2026-12-01T21:00:05Z)" in row.group(0)
