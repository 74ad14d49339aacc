# -*- coding: utf-8 -*-
"""Issue 21 point 8: the HTML page says one word per host for Sophos' health, shows each restart as a short
line with its boot ids behind a disclosure, and has a status tile only for the statuses some host has."""
from __future__ import absolute_import, division, print_function

import re
from datetime import datetime, timedelta, timezone

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_html

NOW = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)


def facts(strong=(), last_update_ok=True, boot_id="b-1"):
    return {
        "reboot_required": bool(strong),
        "reasons": [{"id": r, "source": "os", "strong": True, "detail": "because %s" % r} for r in strong],
        "sophos": {"installed": True, "updating": False, "updated_since_boot": True, "product": "spl",
                   "last_update": "2026-12-01T06:00:00Z", "last_update_ok": last_update_ok,
                   "health": {"overall": "good", "services": {"sophos-spl": "running"}}},
        "os": {"family": "debian", "last_boot": _time.iso(NOW - timedelta(days=3)), "boot_id": boot_id},
        "read_errors": [],
    }


def update_failed_page():
    """A host whose last Sophos update failed, after a cycle that found nothing pending ("Sophos healthy")."""
    reading = facts(last_update_ok=False)
    state = _cycle.start(reading, _cycle.normalize_settings({}, NOW), NOW)
    decision = _cycle.plan(reading, state, NOW)
    record = _cycle.result(state, decision, reading, NOW)
    assert "Sophos healthy" in record["message"]  # the cycle checked the services only
    report = model.build_report([{"host": "web-1", "facts": reading, "cycle": record, "run": {"state": "ok"}}],
                                generated="2026-12-01T09:00:00Z")
    return render_html.to_html(report)


def row_of(page, host):
    return re.search(r'<tr data-index="\d+" data-status="\w+" data-host="%s">.*?</tr>' % host, page).group(0)


def test_an_update_failed_host_is_unhealthy_in_every_cell():
    row = row_of(update_failed_page(), "web-1")
    assert "Sophos unhealthy</span>" in row  # the badge
    assert "health: unhealthy<br>the last Sophos update failed" in row  # the Sophos cell
    assert "healthy" not in row.replace("unhealthy", "")
    assert "health: good" not in row
    assert "Sophos services running" in row  # what the cycle did check, in the maintenance cell


def test_a_healthy_host_says_healthy():
    reading = facts()
    report = model.build_report([{"host": "web-2", "facts": reading, "cycle": None, "run": {"state": "ok"}}],
                                generated="2026-12-01T09:00:00Z")
    row = row_of(render_html.to_html(report), "web-2")
    assert "health: healthy" in row and "unhealthy" not in row


def test_restarts_are_short_lines_with_the_boot_ids_behind_a_disclosure():
    first = facts(strong=["os_reboot_required"], boot_id="b-0")
    state = _cycle.start(first, _cycle.normalize_settings({}, NOW), NOW)
    second = facts(boot_id="4d1c6f1e-0000-4000-8000-000000000001")
    state = _cycle.restarted(state, second, NOW + timedelta(minutes=2), elapsed=41.5, before=first)
    state = _cycle.settled(state, {"mode": "poll", "elapsed": 60.0, "ended": "evidence", "reason": "done"})
    decision = _cycle.plan(second, state, NOW + timedelta(minutes=4))
    record = _cycle.result(state, decision, second, NOW + timedelta(minutes=4))
    report = model.build_report([{"host": "web-1", "facts": second, "cycle": record, "run": {"state": "ok"}}],
                                generated="2026-12-01T09:00:00Z")
    row = row_of(render_html.to_html(report), "web-1")
    before_details, details = row.split('<details class="boots"><summary>boot ids</summary>')
    assert "4d1c6f1e" not in before_details
    assert "restart 1 at 2026-12-01T08:42:00Z (down 41.5 s): os_reboot_required" in before_details
    assert details.startswith("restart 1: boot b-0 \u2192 4d1c6f1e-0000-4000-8000-000000000001</details>")


def test_only_the_statuses_some_host_has_get_a_tile():
    page = update_failed_page()
    tiles = re.findall(r'data-filter="(\w+)"', re.search(r'<div class="tiles" id="counts">.*?</div>', page).group(0))
    assert tiles == ["all", "unhealthy"]


def test_the_markdown_says_the_same_health_word_and_would_in_a_check_run():
    from ansible_collections.fleetops.sophos.plugins.module_utils._report import render_markdown
    failed = facts(last_update_ok=False)
    pending = facts(strong=["os_reboot_required"])
    state = _cycle.start(pending, _cycle.normalize_settings({}, NOW), NOW)
    record = _cycle.result(state, _cycle.plan(pending, state, NOW), pending, NOW, check_mode=True)
    assert record["would_reboot"] is True
    report = model.build_report([{"host": "web-1", "facts": failed, "cycle": None, "run": {"state": "ok"}},
                                 {"host": "web-2", "facts": pending, "cycle": record, "run": {"state": "ok"}}],
                                generated="2026-12-01T09:00:00Z", run={"check_mode": True})
    rows = dict((line.split(" | ")[0][2:].replace("\\", ""), line.split(" | "))
                for line in render_markdown.to_markdown(report).splitlines() if line.startswith("| web"))
    assert rows["web-1"][7] == "unhealthy", rows
    assert rows["web-2"][4] == "would" and rows["web-2"][7] == "healthy", rows
