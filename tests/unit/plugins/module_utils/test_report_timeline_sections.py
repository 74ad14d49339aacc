# -*- coding: utf-8 -*-
"""The HTML timeline's rows by restart tier and group (module_utils/_report_timeline.py sections(), drawn by
render_html.timeline_html()): a header per tier and per group, each member under its group."""

from __future__ import absolute_import, division, print_function

import re

from ansible_collections.fleetops.sophos.plugins.module_utils._report import render_html, timeline


def _row(host, at, groups=(), tier=None):
    boots = [{"boot_id": "b0"}, {"restarted_at": "2026-11-28T02:%02d:00Z" % at, "restart_seconds": 30}]
    return {"host": host, "maintenance": {"started": "2026-11-28T02:00:00Z", "finished": "2026-11-28T02:30:00Z",
                                          "boots": boots, "settles": [], "groups": list(groups), "tier": tier}}


def test_without_tiers_and_groups_one_row_per_host():
    assert timeline.sections([{}, {"groups": []}]) == [{"host": 0}, {"host": 1}]


def test_rows_by_tier_then_group_a_member_of_two_groups_under_each():
    cycles = [{"tier": 2, "groups": ["sql"]}, {"tier": 1, "groups": ["web"]}, {"tier": 1, "groups": ["web", "dc"]},
              {"tier": 1, "groups": []}, {}]
    assert timeline.sections(cycles) == [
        {"header": "tier 1", "level": 0},
        {"header": "restart group dc", "level": 1}, {"host": 2},
        {"header": "restart group web", "level": 1}, {"host": 1}, {"host": 2},
        {"header": "no restart group", "level": 1}, {"host": 3},
        {"header": "tier 2", "level": 0},
        {"header": "restart group sql", "level": 1}, {"host": 0},
        {"header": "no tier", "level": 0},
        {"header": "no restart group", "level": 1}, {"host": 4},
    ]
    assert timeline.sections([{"groups": ["b"]}, {"groups": ["a"]}, {"groups": ["b"]}]) == [
        {"header": "restart group a", "level": 0}, {"host": 1},
        {"header": "restart group b", "level": 0}, {"host": 0}, {"host": 2}]


def test_the_page_draws_the_headers_and_each_member_under_its_group():
    rows = [_row("sql1", 5, ["sql-ag"], 2), _row("web1", 1, ["web"], 1), _row("web2", 3, ["web"], 1),
            _row("sql2", 8, ["sql-ag"], 2), _row("quiet", 0)]
    rows[-1]["maintenance"]["boots"] = [{"boot_id": "b0"}]    # no restart: not on the timeline
    html = render_html.timeline_html(rows)
    drawn = re.findall(r'class="tl-head" x="\d+" y="\d+">([^<]+)<|data-host="([^"]+)"', html)
    assert [head or host for head, host in drawn] == [
        "tier 1", "restart group web", "web1", "web2", "tier 2", "restart group sql-ag", "sql1", "sql2"]
    assert 'height="%d"' % (24 + 26 * 8) in html
