# -*- coding: utf-8 -*-
"""The renderers at their edges, compared with hand-written text: a page cell cut at 300 characters, the
Markdown head of a check run with a Central note, Markdown escaping, every spreadsheet-formula start in CSV."""

from __future__ import absolute_import, division, print_function

import base64
import csv
import hashlib
import io
import re

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    model, render_csv, render_html, render_markdown, text as report_text)


def build(entries, **kwargs):
    return model.build_report(entries, generated="2026-12-01T09:05:00Z", title="Fleet", **kwargs)


def clean():
    return {"reboot_required": False, "reasons": [],
            "sophos": {"installed": True, "health": {"overall": "good", "services": {}}}}


# ---------------------------------------------------------------- HTML: long texts in a cell

def test_a_page_cell_keeps_300_characters_and_cuts_the_301st():
    reasons = [{"id": "x", "strong": True, "detail": "d" * 296},   # "x (" + 296 + ")" = 300 characters
               {"id": "y", "strong": True, "detail": "e" * 297}]   # 301 characters: cut to 300 and "…"
    page = render_html.to_html(build([{"host": "r", "facts": {"reboot_required": True, "reasons": reasons}}]))
    [cell] = re.findall(r'<td data-sort="x y">.*?</td>', page)
    assert cell == (u'<td data-sort="x y"><div class="c">x (' + u"d" * 296 + u')<br>y (' + u"e" * 297
                    + u'\u2026</div></td>')


# ---------------------------------------------------------------- Markdown

def test_markdown_of_a_check_run_with_a_central_note():
    report = build([{"host": u"a\"b'c`d<e", "facts": clean()}], run={"check_mode": True},
                   central={"lookup": "failed", "message": "HTTP 401 from *central*"})
    assert render_markdown.to_markdown(report) == u"\n".join([
        u"# Fleet (check run)",
        u"",
        u"**Check run** (`--check`): nothing was changed on the hosts; the latest real report is left as it was.",
        u"",
        u"Generated 2026-12-01T09:05:00Z; 1 host(s); restart alert after 14.0 days.",
        u"",
        u"Sophos Central lookup failed: HTTP 401 from \\*central\\*",
        u"",
        u"| Status | Hosts |",
        u"|---|---:|",
        u"| OK | 1 |",
        u"",
        u"## Needs attention",
        u"",
        u"Nothing needs attention.",
        u"",
        u"## Hosts",
        u"",
        u"| Host | Status | Pending (days) | Reasons | Restarts | Sophos version | Last update | Health "
        u"| Central alert |",
        u"|---|---|---:|---|---:|---|---|---|---|",
        u"| a\"b'c\\`d&lt;e | OK |  |  |  |  |  | healthy |  |",
    ]) + u"\n"


def test_markdown_of_a_real_run_has_no_check_note():
    text = render_markdown.to_markdown(build([{"host": "a", "facts": clean()}], run={"check_mode": "yes"}))
    assert text.startswith(u"# Fleet\n\nGenerated 2026-12-01T09:05:00Z; 1 host(s); restart alert after 14.0 days.\n\n"
                           u"| Status | Hosts |\n")


# ---------------------------------------------------------------- CSV

def test_every_formula_start_is_quoted_numbers_never():
    entries = [{"host": name} for name in (u"+a", u"-b", u"@c", u"=d", u"\te", u"\rf", u"g")]
    entries.append({"host": u"h", "facts": {"reboot_required": True, "pending_days": -1.0}})
    rows = list(csv.reader(io.StringIO(render_csv.to_csv(build(entries)))))
    assert [row[0] for row in rows] == [
        u"host", u"'\te", u"'\rf", u"'+a", u"'-b", u"'=d", u"'@c", u"g", u"h"]
    assert rows[-1][7] == u"-1"


def test_a_csv_line_of_a_host_without_facts():
    text = render_csv.to_csv(build([{"host": "+a"}]))
    assert text.split(u"\r\n")[1:] == [
        u"'+a,no_data,true,no sophos_reboot facts were gathered for this host,ok" + u"," * 29, u""]


def test_csv_maintenance_columns():
    cycle = {"status": "still_pending", "restarts": 2, "reasons_before": ["kernel", "sophos_reboot_required"],
             "reasons_after": ["sophos_reboot_required"], "message": "still pending"}
    [row] = csv.DictReader(io.StringIO(render_csv.to_csv(build([{"host": "a", "facts": clean(), "cycle": cycle}]))))
    assert (row["restarts"], row["maintenance_status"], row["maintenance_reasons_before"],
            row["maintenance_reasons_after"], row["maintenance_message"]) == (
        u"2", u"still_pending", u"kernel; sophos_reboot_required", u"sophos_reboot_required", u"still pending")


# ---------------------------------------------------------------- HTML: the pending gauge and its note

def cell(page, sort):
    [found] = re.findall(r'<td data-sort="%s">.*?</div></td>' % re.escape(sort), page)
    return found


def gauge(colour, width, days, note):
    return (u'<div class="c"><div class="bar" title="%s"><span style="--c:%s;width:%s"></span>'
            u'<i style="left:50%%"></i></div><div class="small">%s</div></div></td>' % (days, colour, width, note))


def test_pending_cell_says_where_the_age_comes_from():
    central = {"restart_alert": {"type": "T", "raised_at": "2026-11-29T21:00:00Z", "pending_days": 4,
                                 "pending_since": "2026-11-29T21:00:00Z", "pending_since_source": "event"}}
    entries = [
        {"host": "c", "facts": {"reboot_required": True, "pending_since": "2026-11-30T09:00:00Z",
                                "pending_since_source": "first_seen", "pending_days": 3.0,
                                "checked_at": "2026-12-01T09:00:00Z"}, "central": central},
        {"host": "f", "facts": {"reboot_required": True, "pending_since": "2026-11-30T09:00:00Z",
                                "pending_since_source": "first_seen", "pending_days": 1.0}},
        {"host": "z", "facts": {"reboot_required": True, "pending_days": 0.0}},
    ]
    page = render_html.to_html(build(entries))
    assert cell(page, "3.500") == u'<td data-sort="3.500">' + gauge(
        "#c9a100", "12.5%", "3.5 days", "3.5 days since 2026-11-29T21:00:00Z (Sophos Central)")
    assert cell(page, "1.000") == u'<td data-sort="1.000">' + gauge(
        "#c9a100", "3.6%", "1.0 days", "1.0 days, since first seen")
    assert cell(page, "0.000") == u'<td data-sort="0.000">' + gauge("#c9a100", "0.0%", "0.0 days", "0.0 days")


def test_gauge_colour_edges():
    entries = [{"host": str(days), "facts": {"reboot_required": True, "pending_days": days}}
               for days in (7.0, 7.1, 14.0, 14.1)]
    page = render_html.to_html(build(entries))
    colours = dict((days, re.search(r'<span style="--c:(#[0-9a-f]+);', cell(page, "%.3f" % days)).group(1))
                   for days in (7.0, 7.1, 14.0, 14.1))
    assert colours == {7.0: "#c9a100", 7.1: "#e07b00", 14.0: "#e07b00", 14.1: "#b3261e"}


# ---------------------------------------------------------------- HTML: the Central alert cell

REBOOT = "Event::Endpoint::UpdateRebootUrgentlyRequired"


def central_cells(*views):
    entries = [dict(host="h%d" % index, facts={"reboot_required": False}, **view) for index, view in enumerate(views)]
    page = render_html.to_html(build(entries))
    rows = dict(re.findall(r'<tr data-index="\d+" data-status="[a-z_]+" data-host="(h\d+)">(.*?)</tr>', page))
    return [re.findall(r"<td .*?</div></td>", rows["h%d" % index])[-1] for index in range(len(views))]


def test_central_cells():
    alert = {"type": REBOOT, "raised_at": "2026-11-10T20:10:00Z", "age_days": 6, "pending_days": 20,
             "pending_since": "2026-10-27T20:10:00Z", "pending_since_source": "estimate"}
    assert central_cells(
        {"central": {"health": {"overall": "good"}, "restart_alert": alert}, "central_source": "lookup",
         "central_checked_at": "2026-12-01T09:01:00Z"},
        {"central": {"id": "e-1", "restart_alert": None}, "central_source": "inventory",
         "central_checked_at": "2026-12-01T09:01:00Z"},
        {"central": {"id": "e-1"}, "central_source": "lookup"},
        {"central": {"health": {"overall": "bad"}, "restart_alert": {"id": "a-1"}}},
        {},
    ) == [
        u'<td data-sort="20"><div class="c">since 2026-11-10T20:10:00Z (6 days old, restart pending about 20 days)<div class="small">' + REBOOT
        + u'<br>read 2026-12-01T09:01:00Z<br>health: good</div></div></td>',
        u'<td data-sort=""><div class="c">no alert<div class="small">from the inventory</div></div></td>',
        u'<td data-sort=""><div class="c">no alert</div></td>',
        u'<td data-sort="0"><div class="c">since ? (age unknown)<div class="small"><br>health: bad</div></div></td>',
        u'<td data-sort=""><div class="c"><span class="small">\u2013</span></div></td>',
    ]


def test_odd_values_are_noted_by_the_host():
    page = render_html.to_html(build([{"host": "h", "facts": {"reboot_required": False, "alert": "maybe"}}]))
    assert cell(page, "h") == (u'<td data-sort="h"><div class="c">h<ul class="issues"><li>odd value ignored: '
                               u'sophos_reboot.alert: expected a boolean, got &#x27;maybe&#x27;</li></ul></div></td>')


# ---------------------------------------------------------------- Markdown: the restarts section

def test_markdown_restarts_section():
    cycle = {"status": "rebooted", "restarts": 1, "boots": [
        {"boot_id": "b0", "last_boot": "2026-12-01T06:00:00Z"},
        {"boot_id": "b1", "boot_id_before": "b0", "restarted_at": "2026-12-01T09:00:00Z", "restart_seconds": 61.0,
         "reasons": [{"id": "kernel", "detail": None}], "queued_update": False}]}
    text = render_markdown.to_markdown(build([{"host": "web_1", "facts": clean(), "cycle": cycle}]))
    assert text.split(u"|---|---|---:|---|---:|---|---|---|---|\n")[1] == u"\n".join([
        u"| web\\_1 | Restarted |  |  | 1 |  |  | healthy |  |",
        u"",
        u"## Restarts",
        u"",
        u"- **web\\_1**",
        u"  - restart 1 at 2026-12-01T09:00:00Z (down 61 s): kernel; boot b0 \u2192 b1",
    ]) + u"\n"


# ---------------------------------------------------------------- HTML: the page around the table

# Status, tile colour, label: the page's legend, written out by hand.
TILES = [("unreachable", "#6b2d8c", "Unreachable"), ("failed", "#b3261e", "Failed"),
         ("still_pending", "#d14900", "Still pending"), ("unhealthy", "#c2185b", "Sophos unhealthy"),
         ("alert", "#e07b00", "Alert: long / urgent"), ("no_data", "#6d7785", "No data"),
         ("unknown", "#8d6e63", "Restart state unknown"), ("not_run", "#9aa3ad", "Not run yet"),
         ("deferred", "#3b6fb6", "Deferred"), ("pending", "#c9a100", "Restart pending"),
         ("rebooted", "#2e7d32", "Restarted"), ("ok", "#4caf50", "OK")]


def tiles(total, counts):
    html = (u'<button type="button" class="tile active" data-filter="all" style="--c:#1d2733">'
            u'<span class="n">%d</span><span class="l">All hosts</span></button>' % total)
    for status, colour, label in TILES:
        count = counts.get(status, 0)
        if not count:
            continue  # a status no host has gets no tile
        html += (u'<button type="button" class="tile" data-filter="%s" data-count="%d" style="--c:%s">'
                 u'<span class="n">%d</span><span class="l">%s</span></button>'
                 % (status, count, colour, count, label))
    return html


def test_page_top_of_a_check_run():
    report = build([{"host": "good", "facts": clean()},
                    {"host": "bad", "facts": clean(), "patch": {"status": "failed"}},
                    {"host": "worse", "facts": clean(), "run": {"state": "failed", "message": "a <task> failed"}}],
                   run={"check_mode": True}, central={"lookup": "failed", "message": "HTTP 401"})
    page = render_html.to_html(report)
    assert re.search(r"<title>(.*)</title>\n<style>", page).group(1) == u"Fleet (check run)"
    assert u'<meta name="generator" content="fleetops.sophos.report schema 4">' in page
    top = page.split(u"<body>\n")[1].split(u'<div class="scroll"><table id="hosts">')[0]
    assert top == (
        u'<h1>Fleet <span class="checkrun" id="check-run">check run</span></h1>\n'
        u'<p class="checknote">A check run (<code>--check</code>): nothing was changed on the hosts; this is what a '
        u'real run would do. The latest real report is left as it was.</p>\n'
        u'<div class="meta">Generated 2026-12-01T09:05:00Z &middot; 3 host(s) &middot; restart alert after 14.0 days\n'
        u'&middot; click a count to filter, a column heading to sort</div>\n'
        u'<p class="meta" id="central-note">Sophos Central lookup failed: HTTP 401</p>\n\n'
        u'<div class="tiles" id="counts">' + tiles(3, {"failed": 2, "ok": 1}) + u'</div>\n'
        u'<h2>Needs attention (2)</h2>\n'
        u'<ul class="attention" id="attention">'
        u'<li data-host="bad"><span class="badge" style="--c:#b3261e">Failed</span> <b>bad</b>: patching failed</li>'
        u'<li data-host="worse"><span class="badge" style="--c:#b3261e">Failed</span> <b>worse</b>: '
        u'a &lt;task&gt; failed</li></ul>\n'
        u'<h2>Hosts</h2>\n')


def test_page_top_of_a_real_run_with_nothing_to_attend():
    page = render_html.to_html(build([{"host": "good", "facts": clean()}]))
    assert re.search(r"<title>(.*)</title>", page).group(1) == u"Fleet"
    top = page.split(u"<body>\n")[1].split(u'<div class="scroll"><table id="hosts">')[0]
    assert top == (
        u'<h1>Fleet</h1>\n'
        u'<div class="meta">Generated 2026-12-01T09:05:00Z &middot; 1 host(s) &middot; restart alert after 14.0 days\n'
        u'&middot; click a count to filter, a column heading to sort</div>\n\n'
        u'<div class="tiles" id="counts">' + tiles(1, {"ok": 1}) + u'</div>\n'
        u'<h2>Needs attention (0)</h2>\n'
        u'<p id="attention">Nothing needs attention.</p>\n'
        u'<h2>Hosts</h2>\n')


# ---------------------------------------------------------------- HTML: the restart timeline

LEGEND = (u'<i style="background:#b3261e"></i>restart (down)<i style="background:#2e7d32"></i>settle: Sophos updated'
          u'<i style="background:#e07b00"></i>settle: time over<i style="background:#6b2d8c"></i>settle: restart '
          u'needed again<i style="background:#9aa3ad"></i>settle skipped')


def test_timeline_of_two_hosts_by_hand():
    window = {"status": "rebooted", "restarts": 1, "started": "2026-12-01T09:00:00Z",
              "finished": "2026-12-01T09:15:00Z"}
    web1 = dict(window, boots=[{"boot_id": "b0"},
                               {"boot_id": "b1", "restarted_at": "2026-12-01T09:01:00Z", "restart_seconds": 60,
                                "reasons": [{"id": "kernel"}]}],
                settles=[{"mode": "poll", "seconds": 600, "ended": "evidence", "started_at": "2026-12-01T09:01:00Z",
                          "ended_at": "2026-12-01T09:11:00Z"}])
    long_name = "a-very-long-host-name-for-the-axis"
    other = dict(window, boots=[{"boot_id": "c1", "restarted_at": "2026-12-01T09:05:00Z", "queued_update": True,
                                 "reasons": [{"id": "sophos_reboot_required"}]}],
                 settles=[{"seconds": 30, "ended": "weird"}])
    report = build([{"host": "web1", "facts": clean(), "cycle": web1},
                    {"host": long_name, "facts": clean(), "cycle": other},
                    {"host": "quiet", "facts": clean()}])
    # 15 minutes on 900 px: 1 px a second; ticks every 5 minutes; a row is 26 px high.
    assert render_html.timeline_html(report["hosts"]) == (
        u'<h2>Restart timeline (UTC)</h2>\n<div class="scroll">'
        u'<svg class="timeline" id="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
        u'viewBox="0 0 1100 76" width="1100" height="76"><title>Restart timeline (UTC)</title>'
        u'<line class="axis" x1="490.0" y1="14" x2="490.0" y2="76"/><text x="490.0" y="11" '
        u'text-anchor="middle">09:05</text>'
        u'<line class="axis" x1="790.0" y1="14" x2="790.0" y2="76"/><text x="790.0" y="11" '
        u'text-anchor="middle">09:10</text>'
        u'<g class="tl-host" data-host="a-very-long-host-name-for-the-axis"><text x="4" y="35">'
        u'a-very-long-host-name-for\u2026</text>'
        u'<line class="span" x1="190.0" y1="31" x2="1090.0" y2="31"/>'
        u'<rect class="tl-bar tl-restart" data-kind="restart" data-n="1" data-ended="" x="490.0" y="23" '
        u'width="2.0" height="16" rx="2" fill="#b3261e"><title>restart 1: down (time not known), the queued '
        u'Sophos update (sophos_reboot_required)</title></rect>'
        u'<rect class="tl-bar tl-settle" data-kind="settle" data-n="1" data-ended="weird" x="490.0" y="23" '
        u'width="30.0" height="16" rx="2" fill="#3b6fb6"><title>settle ? 30s, weird</title></rect></g>'
        u'<g class="tl-host" data-host="web1"><text x="4" y="61">web1</text>'
        u'<line class="span" x1="190.0" y1="57" x2="1090.0" y2="57"/>'
        u'<rect class="tl-bar tl-restart" data-kind="restart" data-n="1" data-ended="" x="190.0" y="49" '
        u'width="60.0" height="16" rx="2" fill="#b3261e"><title>restart 1: down 1m00s (kernel)</title></rect>'
        u'<rect class="tl-bar tl-settle" data-kind="settle" data-n="1" data-ended="evidence" x="250.0" y="49" '
        u'width="600.0" height="16" rx="2" fill="#2e7d32"><title>settle poll 10m00s, evidence</title></rect></g>'
        u'</svg></div>\n<div class="legend">' + LEGEND + u' &middot; hover a bar for its times</div>\n')
    page = render_html.to_html(report)
    assert u'<p id="attention">Nothing needs attention.</p>\n<h2>Restart timeline (UTC)</h2>\n' in page
    assert render_html.timeline_html(build([{"host": "quiet", "facts": clean()}])["hosts"]) == u""


def test_timeline_at_another_width():
    cycle = {"status": "rebooted", "restarts": 1, "started": "2026-12-01T09:00:00Z",
             "finished": "2026-12-01T09:15:00Z",
             "boots": [{"boot_id": "b1", "restarted_at": "2026-12-01T09:01:00Z", "restart_seconds": 60}]}
    svg = render_html.timeline_html(build([{"host": "h", "facts": clean(), "cycle": cycle}])["hosts"], width=450.0)
    assert u'viewBox="0 0 650 50" width="650" height="50"' in svg
    assert u'x="190.0" y="23" width="30.0" height="16"' in svg and u'x2="640.0" y2="31"' in svg


def row_cells(page, host):
    row = re.search(r'<tr data-index="\d+" data-status="[a-z_]+" data-host="%s">(.*?)</tr>' % re.escape(host),
                    page).group(1)
    return re.findall(r"<td .*?</div></td>", row)


def test_restarts_and_maintenance_cells_with_odd_records():
    report = build([
        {"host": "m", "facts": clean(), "patch": {"status": "nonsense", "changes": ["x"]},
         "cycle": {"status": "ok", "check_mode": True, "would_reboot": False, "restarts": None,
                   "reasons_before": ["a", "b"], "reasons_after": ["c", "d"]}},
        {"host": "n", "facts": clean(), "cycle": {"status": "bogus", "restarts": 2}},
    ])
    page = render_html.to_html(report)
    assert row_cells(page, "m")[4:6] == [
        u'<td data-sort=""><div class="c">?<div class="small">why: a, b<br>left: c, d</div></div></td>',
        u'<td data-sort="ok (check mode)"><div class="c">ok (check mode)<div class="small">patch: ?, 1 change(s)'
        u'</div></div></td>']
    assert row_cells(page, "n")[4:6] == [
        u'<td data-sort="2"><div class="c">2</div></td>', u'<td data-sort="?"><div class="c">?</div></td>']
    assert u'<tbody>\n<tr data-index="0" ' in page and u'</tr>\n<tr data-index="1" ' in page
    assert page.count(u"</tr>\n</tbody>") == 1


def test_timeline_names_and_lines():
    def cycle(restarted_at, seconds, started=None, finished=None):
        value = {"status": "rebooted", "restarts": 1,
                 "boots": [{"boot_id": "x", "restarted_at": restarted_at, "restart_seconds": seconds}]}
        if started:
            value.update(started=started, finished=finished)
        return value
    entries = [
        {"host": "a", "facts": clean(), "cycle": cycle("2026-12-01T09:01:00Z", 60, "2026-12-01T09:00:00Z",
                                                       "2026-12-01T09:15:00Z")},
        {"host": "b" * 26, "facts": clean(), "cycle": cycle("2026-12-01T09:04:00Z", 30, "2026-12-01T09:03:00Z",
                                                            "2026-12-01T09:10:00Z")},
        # Without the cycle's start and end the line runs from its first bar to its last.
        {"host": "c" * 27, "facts": clean(), "cycle": cycle("2026-12-01T09:06:00Z", 60)},
    ]
    svg = render_html.timeline_html(build(entries)["hosts"])
    found = re.findall(r'<g class="tl-host" data-host="(\w+)"><text x="4" y="(\d+)">(.*?)</text>'
                       r'<line class="span" x1="(.*?)" y1="\d+" x2="(.*?)"', svg)
    assert found == [("a", "35", "a", "190.0", "1090.0"),
                     ("b" * 26, "61", "b" * 26, "370.0", "790.0"),
                     ("c" * 27, "87", "c" * 25 + u"\u2026", "490.0", "550.0")]


def test_attention_line_joins_a_hosts_issues():
    page = render_html.to_html(build([{"host": "x", "facts": clean(), "patch": {"status": "failed"},
                                       "run": {"state": "failed", "message": "boom"}}]))
    assert (u'<ul class="attention" id="attention"><li data-host="x"><span class="badge" style="--c:#b3261e">'
            u'Failed</span> <b>x</b>: boom; patching failed</li></ul>') in page


@pytest.mark.parametrize("value, text", [
    (None, u""), (True, u"yes"), (False, u"no"), (0, u"0"), (10.0, u"10"), (1.5, u"1.5"), (0.125, u"0.12"),
    (0.004, u"0"), (-2.25, u"-2.25"), (u"x", u"x"), ([True, 1.50, None, u"a"], u"yes; 1.5; ; a"), ((), u""),
])
def test_format_value(value, text):
    assert report_text.format_value(value) == text


def test_the_page_policy_allows_its_own_script_and_nothing_from_outside():
    page = render_html.to_html(build([]))
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert policy == (u"default-src &#x27;none&#x27;; img-src data:; style-src &#x27;unsafe-inline&#x27;; "
                      u"script-src &#x27;sha256-%s&#x27;; base-uri &#x27;none&#x27;; form-action &#x27;none&#x27;"
                      % digest)
