"""The report page (module_utils/_report/render_html.py): cells, tiles, the timeline and the policy."""
import base64
import hashlib
import re
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import html_kit, model, render_html
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
from ansible_collections.fleetops.sophos.tests.unit.report_cases import HOSTILE, TWO_RESTARTS, build, clean, row_of


# ----------------------------------------------------------------------------------------------------
# Report building from mixed host results: statuses, attention order, summary, odd values, renderers.

def test_huge_strings_are_cut(entries):
    entries[0]["facts"]["reasons"] = [{"id": "os_reboot_required", "source": "os", "strong": True,
                                       "detail": "x" * 50000}]
    entries[0]["facts"]["reboot_required"] = True
    entries[0]["cycle"] = {"status": "failed", "message": "y" * 100000, "restarts": 1}
    report = model.build_report(entries, max_text=500)
    row = row_of(report, "lin-ok")
    assert len(row["reasons"][0]["detail"]) < 600
    assert row["reasons"][0]["detail"].endswith("(49500 more characters)")
    assert len(row["maintenance"]["message"]) < 600
    assert len(render_html.to_html(report)) < 200000


def test_html_escapes_host_text(report):
    page = render_html.to_html(report)
    assert HOSTILE not in page
    assert "<script>document" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert page.count("<script") == 1, "only the page's own script"


def test_html_is_self_contained(report):
    page = render_html.to_html(report)
    for marker in ("http://", "https://", "src=\"", "<link", "@import", "url("):
        assert marker not in page.replace(html_kit.h(HOSTILE), "")
    assert html_kit._csp_hash(html_kit.REPORT_SCRIPT) in page


def test_html_has_a_row_and_a_count_per_host(report):
    page = render_html.to_html(report)
    assert page.count("<tr data-index=") == len(report["hosts"])
    for status, count in report["summary"]["counts"].items():
        # Only the statuses some host has get a tile.
        assert ('data-filter="%s" data-count="%d"' % (status, count) in page) is (count > 0)


def test_renderers_reject_non_reports():
    with pytest.raises((KeyError, TypeError)):
        render_html.to_html({"hosts": []})


# ----------------------------------------------------------------------------------------------------
# Issue 21 point 8: the HTML page says one word per host for Sophos' health, shows each restart as a short
# line with its boot ids behind a disclosure, and has a status tile only for the statuses some host has.

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


def row_of_html_cells(page, host):
    return re.search(r'<tr data-index="\d+" data-status="\w+" data-host="%s">.*?</tr>' % host, page).group(0)


def test_an_update_failed_host_is_unhealthy_in_every_cell():
    row = row_of_html_cells(update_failed_page(), "web-1")
    assert "Sophos unhealthy</span>" in row  # the badge
    assert "health: unhealthy<br>the last Sophos update failed" in row  # the Sophos cell
    assert "healthy" not in row.replace("unhealthy", "")
    assert "health: good" not in row
    assert "Sophos services running" in row  # what the cycle did check, in the maintenance cell


def test_a_healthy_host_says_healthy():
    reading = facts()
    report = model.build_report([{"host": "web-2", "facts": reading, "cycle": None, "run": {"state": "ok"}}],
                                generated="2026-12-01T09:00:00Z")
    row = row_of_html_cells(render_html.to_html(report), "web-2")
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
    row = row_of_html_cells(render_html.to_html(report), "web-1")
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


# ----------------------------------------------------------------------------------------------------
# The renderers at their edges, compared with hand-written text: a page cell cut at 300 characters, the
# Markdown head of a check run with a Central note, Markdown escaping, every spreadsheet-formula start in CSV.

# ---------------------------------------------------------------- HTML: long texts in a cell
def test_a_page_cell_keeps_300_characters_and_cuts_the_301st():
    reasons = [{"id": "x", "strong": True, "detail": "d" * 296},   # "x (" + 296 + ")" = 300 characters
               {"id": "y", "strong": True, "detail": "e" * 297}]   # 301 characters: cut to 300 and "…"
    page = render_html.to_html(build([{"host": "r", "facts": {"reboot_required": True, "reasons": reasons}}]))
    [cell] = re.findall(r'<td data-sort="x y">.*?</td>', page)
    assert cell == (u'<td data-sort="x y"><div class="c">x (' + u"d" * 296 + u')<br>y (' + u"e" * 297
                    + u'\u2026</div></td>')


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


def test_the_page_policy_allows_its_own_script_and_nothing_from_outside():
    page = render_html.to_html(build([]))
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert policy == (u"default-src &#x27;none&#x27;; img-src data:; style-src &#x27;unsafe-inline&#x27;; "
                      u"script-src &#x27;sha256-%s&#x27;; base-uri &#x27;none&#x27;; form-action &#x27;none&#x27;"
                      % digest)


# ----------------------------------------------------------------------------------------------------
# The report reads a record's wait for the window's start and shows it (module_utils/_report/model.py, the text table
# and the HTML page).

def test_the_html_page_shows_the_wait():
    cycle = {"status": "rebooted", "restarts": 1, "message": "clean after 1 restart(s)", "reasons_before": ["x"],
             "window_start": "2026-12-01T21:00:00Z",
             "window_start_wait": {"seconds": 7205.0, "from": "2026-12-01T19:00:00Z", "to": "2026-12-01T21:00:05Z"}}
    report = model.build_report([{"host": "web-1", "facts": None, "cycle": cycle, "run": {"state": "ok"}}],
                                generated="2026-12-01T22:00:00Z")
    row = re.search(r'<tr data-index="\d+" data-status="\w+" data-host="web-1">.*?</tr>', render_html.to_html(report))
    assert "waited 2h00m for the window&#x27;s start (until 2026-12-01T21:00:05Z)" in row.group(0)


# ----------------------------------------------------------------------------------------------------
# Report history: run names, pruning, the index data and page, check runs, and the cycle timeline.

def test_timeline_on_the_page():
    report = model.build_report([{"host": "web-1", "cycle": TWO_RESTARTS, "facts": {"reboot_required": False}},
                                 {"host": "db-1", "facts": {"reboot_required": False}}])
    page = render_html.to_html(report)
    assert page.count('class="tl-bar tl-restart"') == 2 and page.count('class="tl-bar tl-settle"') == 2
    assert 'data-host="web-1"><text' in page and 'data-host="db-1"><text' not in page
    plain = model.build_report([{"host": "db-1", "facts": {"reboot_required": False}}])
    assert 'id="timeline"' not in render_html.to_html(plain)


# ----------------------------------------------------------------------------------------------------
# The HTML timeline's rows by restart tier and group (module_utils/_report/timeline.py sections(), drawn by
# render_html.timeline_html()): a header per tier and per group, each member under its group.

def _row(host, at, groups=(), tier=None):
    boots = [{"boot_id": "b0"}, {"restarted_at": "2026-11-28T02:%02d:00Z" % at, "restart_seconds": 30}]
    return {"host": host, "maintenance": {"started": "2026-11-28T02:00:00Z", "finished": "2026-11-28T02:30:00Z",
                                          "boots": boots, "settles": [], "groups": list(groups), "tier": tier}}


def test_the_page_draws_the_headers_and_each_member_under_its_group():
    rows = [_row("sql1", 5, ["sql-ag"], 2), _row("web1", 1, ["web"], 1), _row("web2", 3, ["web"], 1),
            _row("sql2", 8, ["sql-ag"], 2), _row("quiet", 0)]
    rows[-1]["maintenance"]["boots"] = [{"boot_id": "b0"}]    # no restart: not on the timeline
    html = render_html.timeline_html(rows)
    drawn = re.findall(r'class="tl-head" x="\d+" y="\d+">([^<]+)<|data-host="([^"]+)"', html)
    assert [head or host for head, host in drawn] == [
        "tier 1", "restart group web", "web1", "web2", "tier 2", "restart group sql-ag", "sql1", "sql2"]
    assert 'height="%d"' % (24 + 26 * 8) in html
