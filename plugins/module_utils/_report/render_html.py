# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report as one self-contained HTML page: PRIVATE to the collection.

No external assets; the page's only script is allowed by a Content-Security-Policy hash.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import html
import re

from ansible_collections.fleetops.sophos.plugins.module_utils import _report_timeline
from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    ATTENTION_ISSUES, STATUS_LABELS, STATUSES, central_cell, central_note, days_text, first_seen, format_value,
    reason_text)
from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    RUN_KIND_LABELS, health_word, restart_text, silence_text, title_with_run)
from ansible_collections.fleetops.sophos.plugins.module_utils._time import human_seconds

_HTML_SCRIPT = r"""
(function () {
  "use strict";
  var table = document.getElementById("hosts");
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function key(row, col, numeric) {
    var value = row.cells[col].getAttribute("data-sort");
    if (numeric) { return value === "" ? -Infinity : parseFloat(value); }
    return value.toLowerCase();
  }
  Array.prototype.forEach.call(heads, function (head, col) {
    head.addEventListener("click", function () {
      var numeric = head.getAttribute("data-type") === "num";
      var descending = head.getAttribute("aria-sort") === "ascending";
      Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
      head.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, col, numeric), y = key(b, col, numeric);
        var order = x < y ? -1 : (x > y ? 1 : 0);
        if (order === 0) { order = Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index")); }
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  var tiles = document.querySelectorAll("[data-filter]");
  Array.prototype.forEach.call(tiles, function (tile) {
    tile.addEventListener("click", function () {
      var wanted = tile.getAttribute("data-filter");
      Array.prototype.forEach.call(tiles, function (t) { t.classList.toggle("active", t === tile); });
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = wanted !== "all" && row.getAttribute("data-status") !== wanted;
      });
    });
  });
  // "#sort=<column>[-desc]&filter=<status>" makes a sorted or filtered view bookmarkable.
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    var pair = part.split("=");
    if (pair[0] === "sort") {
      var spec = /^(\d+)(-desc)?$/.exec(pair[1] || "");
      if (spec && heads[Number(spec[1])]) {
        heads[Number(spec[1])].click();
        if (spec[2]) { heads[Number(spec[1])].click(); }
      }
    } else if (pair[0] === "filter") {
      var tile = document.querySelector('[data-filter="' + (pair[1] || "").replace(/[^a-z_]/g, "") + '"]');
      if (tile) { tile.click(); }
    }
  });
  document.documentElement.setAttribute("data-ready", "1");
}());
"""

_HTML_STYLE = u"""
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:16px 24px;color:#1d2733;background:#f5f7fa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 8px}
.meta{color:#5b6776;margin-bottom:14px}
.tiles{display:flex;flex-wrap:wrap;gap:8px}
.tile{border:1px solid #d5dbe3;border-left:6px solid var(--c);background:#fff;border-radius:6px;padding:6px 12px;
min-width:92px;cursor:pointer;text-align:left;font:inherit;color:inherit}
.tile.active{box-shadow:0 0 0 2px #1d2733}
.tile .n{display:block;font-size:22px;font-weight:600}.tile .l{font-size:12px;color:#5b6776}
ul.attention{background:#fff;border:1px solid #d5dbe3;border-radius:6px;padding:8px 12px 8px 30px;margin:0}
ul.attention li{margin:3px 0}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d5dbe3}
th,td{padding:5px 8px;border-bottom:1px solid #e4e8ee;text-align:left;vertical-align:top}
th{background:#eef1f5;cursor:pointer;user-select:none;white-space:nowrap;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td .c{max-width:210px;overflow-wrap:break-word}
.scroll{overflow-x:auto}table{font-size:13px}
td:nth-child(8) .c,td:nth-child(9) .c{white-space:nowrap}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;color:#fff;background:var(--c);font-size:12px;white-space:nowrap}
.bar{position:relative;width:130px;height:14px;background:#e4e8ee;border-radius:3px;overflow:hidden}
.bar span{position:absolute;left:0;top:0;bottom:0;background:var(--c)}
.bar i{position:absolute;top:0;bottom:0;width:2px;background:#1d2733;opacity:.5}
.days{font-size:12px;color:#5b6776}
.small{font-size:12px;color:#5b6776}
.issues{margin:2px 0 0;padding-left:16px;font-size:12px;color:#8a1c1c}
.checkrun{display:inline-block;margin-left:10px;padding:2px 10px;border-radius:4px;background:#3b6fb6;color:#fff;
font-size:14px;vertical-align:middle}
td .checkrun{font-size:12px;padding:1px 8px;margin-left:6px}
.runkind{display:inline-block;margin-left:10px;padding:2px 10px;border-radius:4px;border:1px solid #3b6fb6;
color:#3b6fb6;font-size:14px;vertical-align:middle}
.checknote{background:#e8f0fb;border:1px solid #3b6fb6;border-radius:6px;padding:6px 12px;margin:0 0 12px}
svg.timeline{background:#fff;border:1px solid #d5dbe3;border-radius:6px;display:block;max-width:100%;height:auto}
svg text{font:12px system-ui,sans-serif;fill:#1d2733}svg .axis{stroke:#d5dbe3}svg .span{stroke:#9aa3ad;stroke-width:1}
svg text.tl-head{font-weight:600}
.legend{font-size:12px;color:#5b6776;margin:4px 0 0}.legend i{display:inline-block;width:12px;height:10px;margin:0 4px 0 10px}
"""

_STATUS_COLOURS = {
    "unreachable": "#6b2d8c",
    "failed": "#b3261e",
    "still_pending": "#d14900",
    "unhealthy": "#c2185b",
    "alert": "#e07b00",
    "no_data": "#6d7785",
    "unknown": "#8d6e63",
    "not_run": "#9aa3ad",
    "pending": "#c9a100",
    "deferred": "#3b6fb6",
    "rebooted": "#2e7d32",
    "ok": "#4caf50",
}


def _h(value):
    return html.escape(format_value(value), quote=True)


def page_head(title, script, generator):
    """Everything up to ``</head>`` of a report page: the policy allows ``script`` and nothing from outside."""
    return u"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="%s">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="%s">
<title>%s</title>
<style>%s</style>
</head>""" % (_h(content_security_policy(script)), _h(generator), _h(title), _HTML_STYLE)


def content_security_policy(script):
    """The policy of every page of the report: nothing from outside, only the page's own ``script``."""
    return (u"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '%s'; "
            u"base-uri 'none'; form-action 'none'") % _csp_hash(script)


def _csp_hash(text):
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _badge(status):
    return u'<span class="badge" style="--c:%s">%s</span>' % (_STATUS_COLOURS[status], _h(STATUS_LABELS[status]))


def _td(sort, main, small=u""):
    """A cell: ``main`` and ``small`` are HTML already escaped by the caller; ``sort`` is raw text."""
    if small:
        main += u'<div class="small">%s</div>' % small
    return u'<td data-sort="%s"><div class="c">%s</div></td>' % (_h(sort), main)


_NONE = u'<span class="small">\u2013</span>'
_ISO = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?(Z|[+-]00:?00)$")


def _when(value):
    """An ISO date-time in UTC shown short; anything else shown as it came."""
    match = _ISO.match(value or u"")
    if not match:
        return _h(value)
    return u"%s %s<span class=\"small\">Z</span>" % (match.group(1), match.group(2))


def _pending_cell(row, alert_days):
    days = row["pending_days"]
    if days is None:
        return _td(u"0" if row["reboot_required"] else u"",
                   u'<span class="small">age unknown</span>' if row["reboot_required"] else _NONE)
    width = min(100.0, max(0.0, days / (alert_days * 2.0) * 100.0))
    colour = "#b3261e" if days > alert_days else ("#e07b00" if days > alert_days / 2.0 else "#c9a100")
    gauge = (u'<div class="bar" title="%s"><span style="--c:%s;width:%.1f%%"></span><i style="left:50%%"></i></div>'
             % (_h(days_text(days)), colour, width))
    since = {u"central": u" since %s (Sophos Central)",
             u"central_event": u" since %s (Sophos Central's restart-required event)",
             u"central_estimate": u" since about %s (Sophos Central, its two-week alert less 14 days)"}.get(
                 row["pending_since_source"], u"%.0s") % row["pending_since"]
    return _td(u"%.3f" % days, gauge,
               _h(days_text(days)) + (u", since first seen" if first_seen(row) else u"") + _h(since))


def _central_cell(row):
    central = row["central"]
    if not central:
        return _td(u"", _NONE)
    alert = central["restart_alert"]
    small = [u"from the inventory"] if central["source"] == "inventory" else \
        [u"read %s" % central["checked_at"]] if central["checked_at"] else []
    if central["health"]:
        small.append(u"health: %s" % central["health"])
    if not alert:
        return _td(u"", _h(u"no alert"), _list_html(small))
    days = alert["pending_days"]
    return _td(u"%d" % days if days is not None else u"0", _h(central_cell(row)),
               _list_html([alert["type"] or u""] + small))


def _short(text, limit=300):
    """Page cells stay readable; the JSON and CSV keep the text up to report_max_text."""
    return text if len(text) <= limit else text[:limit] + u"\u2026"


def _list_html(items):
    return u"<br>".join(_h(item) for item in items)


def _restarts_html(boots):
    """One short line per restart (when, how long, why); the boot ids behind a disclosure."""
    if not boots:
        return u""
    ids = u"<br>".join(_h(u"restart %s: boot %s \u2192 %s" % (
        boot.get("number") or u"?", boot.get("boot_id_before") or u"?", boot.get("boot_id") or u"?")) for boot in boots)
    return (u"<br>".join(_h(restart_text(boot, boot_ids=False)) for boot in boots)
            + u'<details class="boots"><summary>boot ids</summary>%s</details>' % ids)


def _row_html(index, row, alert_days):
    cycle = row["maintenance"]
    patch = row["patch"]
    sophos = row["sophos"]
    health, health_problems = health_word(row)
    # Pending reasons and restarts have their own columns; everything else wrong is listed by the name.
    notes = [issue["text"] for issue in row["issues"]
             if issue["status"] not in ("pending", "rebooted", "ok") or issue["id"] in ATTENTION_ISSUES]
    notes.extend(u"could not read %s: %s" % (item["source"], item["error"]) for item in row["read_errors"])
    notes.extend(u"odd value ignored: %s" % error for error in row["data_errors"])
    host = _h(row["host"])
    if notes:
        host += u'<ul class="issues">%s</ul>' % u"".join(u"<li>%s</li>" % _h(note) for note in notes)
    cells = [
        _td(row["host"], host),
        _td(u"%d" % STATUSES.index(row["status"]), _badge(row["status"])),
        _pending_cell(row, alert_days),
        _td(u" ".join(reason["id"] for reason in row["reasons"]),
            _list_html(_short(reason_text(reason)) for reason in row["reasons"]) or _NONE),
    ]
    if cycle:
        why = []
        if cycle["reasons_before"]:
            why.append(u"why: " + u", ".join(cycle["reasons_before"]))
        if cycle["reasons_after"]:
            why.append(u"left: " + u", ".join(cycle["reasons_after"]))
        wait = cycle.get("window_start_wait")
        if wait:
            waited = human_seconds(wait["seconds"] or 0)
            why.append(u"waited %s for the window's start (until %s)" % (waited, wait["to"] or u"?"))
        why.extend(u"settle %s%s, %s" % (settle["mode"] or u"?",
                                         u" %d s" % settle["seconds"] if settle["seconds"] is not None else u"",
                                         settle["ended"] or u"?") for settle in cycle["settles"])
        restarts = u"" if cycle["restarts"] is None else u"%d" % cycle["restarts"]
        small = u"<br>".join(part for part in (_list_html(why), _restarts_html(cycle["boots"])) if part)
        cells.append(_td(restarts, _h(restarts or u"?"), small))
        detail = cycle["status"] or u"?"
        if cycle["check_mode"]:
            detail += u" (check mode%s)" % (u", would restart" if cycle["would_reboot"] else u"")
        maintenance = [cycle["message"]] if cycle["message"] else []
        if health == u"unhealthy":
            # The cycle checked the services; the host's health word (here: unhealthy) is the page's.
            maintenance = [text.replace(u"; Sophos healthy", u"; Sophos services running") for text in maintenance]
        if cycle.get("silence"):
            maintenance.append(silence_text(cycle["silence"]))
    else:
        cells.append(_td(u"", _NONE))
        detail, maintenance = None, []
    if patch:
        maintenance.append(u"patch: %s%s" % (patch["status"] or u"?", u", %d change(s)" % len(patch["changes"])
                                             if patch["changes"] else u""))
    if detail is None and not patch:
        cells.append(_td(u"", u'<span class="small">not run</span>'))
    else:
        cells.append(_td(detail or u"", _h(detail or u"\u2013"), _list_html(maintenance)))
    version = u"not installed" if sophos["installed"] is False else (sophos["version"] or u"")
    stopped = [u"%s: %s" % (name, state) for name, state in sorted(sophos["services"].items()) if state != "running"]
    shown = [u"health: %s" % health] + health_problems if health else []
    cells.append(_td(version, _h(version), _list_html([sophos["product"] or u""] + shown + stopped)))
    cells.append(_td(sophos["last_update"], _when(sophos["last_update"]),
                     u"failed" if sophos["last_update_ok"] is False else u""))
    cells.append(_td(row["os"]["last_boot"], _when(row["os"]["last_boot"]), _h(row["os"]["family"])))
    cells.append(_central_cell(row))
    return u'<tr data-index="%d" data-status="%s" data-host="%s">%s</tr>' % (
        index, _h(row["status"]), _h(row["host"]), u"".join(cells))


def to_html(report):
    """One self-contained page: no external assets, works offline, scripts limited by a CSP hash."""
    summary = report["summary"]
    alert_days = report["alert_days"]
    tiles = [u'<button type="button" class="tile active" data-filter="all" style="--c:#1d2733">'
             u'<span class="n">%d</span><span class="l">All hosts</span></button>' % summary["total"]]
    for status in STATUSES:
        count = summary["counts"][status]
        if not count:
            continue  # only the statuses some host has; the table's status column sorts by all of them
        tiles.append(u'<button type="button" class="tile" data-filter="%s" data-count="%d" style="--c:%s">'
                     u'<span class="n">%d</span><span class="l">%s</span></button>' % (
                         status, count, _STATUS_COLOURS[status], count, _h(STATUS_LABELS[status])))
    attention = [row for row in report["hosts"] if row["attention"]]
    if attention:
        items = u"".join(u'<li data-host="%s">%s <b>%s</b>: %s</li>' % (
            _h(row["host"]), _badge(row["status"]), _h(row["host"]),
            _h(u"; ".join(issue["text"] for issue in row["issues"]))) for row in attention)
        attention_html = u'<ul class="attention" id="attention">%s</ul>' % items
    else:
        attention_html = u'<p id="attention">Nothing needs attention.</p>'
    heads = (
        (u"Host", u"text"), (u"Status", u"num"), (u"Pending", u"num"), (u"Reasons", u"text"),
        (u"Restarts", u"num"), (u"Maintenance", u"text"), (u"Sophos", u"text"),
        (u"Last update", u"text"), (u"Last boot", u"text"), (u"Central alert", u"num"),
    )
    head_html = u"".join(u'<th data-type="%s" scope="col">%s</th>' % (kind, _h(label)) for label, kind in heads)
    rows_html = u"\n".join(_row_html(index, row, alert_days) for index, row in enumerate(report["hosts"]))
    check = report.get("check_mode") is True
    kind = (report.get("run") or {}).get("kind")
    head = page_head(title_with_run(report), _HTML_SCRIPT,
                     u"fleetops.sophos.report schema %d" % report["schema_version"])
    return head + u"""
<body>
<h1>%(title)s%(kind_badge)s%(check_badge)s</h1>
%(check_note)s<div class="meta">Generated %(generated)s &middot; %(total)d host(s) &middot; restart alert after %(alert)s
&middot; click a count to filter, a column heading to sort</div>
%(central_note)s
<div class="tiles" id="counts">%(tiles)s</div>
<h2>Needs attention (%(attention_count)d)</h2>
%(attention)s
%(timeline)s<h2>Hosts</h2>
<div class="scroll"><table id="hosts">
<thead><tr>%(heads)s</tr></thead>
<tbody>
%(rows)s
</tbody>
</table></div>
<script>%(script)s</script>
</body>
</html>
""" % {
        "title": _h(report["title"]),
        "generated": _h(report["generated"]),
        "total": summary["total"],
        "alert": _h(days_text(alert_days)),
        "tiles": u"".join(tiles),
        "attention_count": len(attention),
        "attention": attention_html,
        "heads": head_html,
        "rows": rows_html,
        "kind_badge": (u' <span class="runkind" id="run-kind">%s</span>' % _h(RUN_KIND_LABELS[kind])
                       if kind in RUN_KIND_LABELS else u""),
        "check_badge": u' <span class="checkrun" id="check-run">check run</span>' if check else u"",
        "check_note": (u'<p class="checknote">A check run (<code>--check</code>): nothing was changed on the hosts; '
                       u'this is what a real run would do. The latest real report is left as it was.</p>\n'
                       if check else u""),
        "timeline": timeline_html(report["hosts"]),
        "central_note": (u'<p class="meta" id="central-note">%s</p>\n' % _h(central_note(report))
                         if central_note(report) else u""),
        "script": _HTML_SCRIPT,
    }


_SEGMENT_COLOURS = {
    "restart": "#b3261e",
    "evidence": "#2e7d32",
    "interval": "#e07b00",
    "reboot_required": "#6b2d8c",
    "skipped": "#9aa3ad",
}
_ROW_HEIGHT = 26
_LABEL_WIDTH = 190


def timeline_html(rows, width=900.0):
    """Each restarted host's cycle on one time axis (inline SVG); ``u""`` when no host restarted."""
    shape = _report_timeline.geometry(rows, width=width)
    if shape is None:
        return u""
    height = 24 + _ROW_HEIGHT * len(shape["rows"])
    total = _LABEL_WIDTH + width + 10
    parts = [u'<svg class="timeline" id="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
             u'viewBox="0 0 %d %d" width="%d" height="%d">' % (total, height, total, height),
             u"<title>Restart timeline (UTC)</title>"]
    for x, label in shape["ticks"]:
        parts.append(u'<line class="axis" x1="%.1f" y1="14" x2="%.1f" y2="%d"/><text x="%.1f" y="11" '
                     u'text-anchor="middle">%s</text>' % (_LABEL_WIDTH + x, _LABEL_WIDTH + x, height, _LABEL_WIDTH + x,
                                                          _h(label)))
    for index, row in enumerate(shape["rows"]):
        top = 20 + index * _ROW_HEIGHT
        if "header" in row:
            # A tier's or a restart group's rows follow its header, across the whole axis.
            parts.append(u'<g class="tl-section" data-level="%d"><rect x="0" y="%d" width="%d" height="%d" '
                         u'fill="%s"/><text class="tl-head" x="%d" y="%d">%s</text></g>' % (
                             row["level"], top + 1, total, _ROW_HEIGHT - 2, u"#e4e8ee" if row["level"] == 0 else
                             u"#f1f3f6", 4 + 12 * row["level"], top + 16, _h(row["header"])))
            continue
        host = shape["hosts"][row["host"]]
        name = host["host"] if len(host["host"]) <= 26 else host["host"][:25] + u"\u2026"
        parts.append(u'<g class="tl-host" data-host="%s"><text x="4" y="%d">%s</text>' % (
            _h(host["host"]), top + 15, _h(name)))
        parts.append(u'<line class="span" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>' % (
            _LABEL_WIDTH + host["line"][0], top + 11, _LABEL_WIDTH + host["line"][1], top + 11))
        for segment in host["bars"]:
            colour = _SEGMENT_COLOURS.get("restart" if segment["kind"] == "restart" else segment["ended"], "#3b6fb6")
            parts.append(u'<rect class="tl-bar tl-%s" data-kind="%s" data-n="%d" data-ended="%s" x="%.1f" y="%d" '
                         u'width="%.1f" height="16" rx="2" fill="%s"><title>%s</title></rect>' % (
                             segment["kind"], segment["kind"], segment["n"], _h(segment["ended"] or u""), _LABEL_WIDTH + segment["x"],
                             top + 3, segment["w"], colour, _h(segment["label"])))
        parts.append(u"</g>")
    parts.append(u"</svg>")
    legend = u"".join(u'<i style="background:%s"></i>%s' % (_SEGMENT_COLOURS[key], _h(text)) for key, text in (
        ("restart", u"restart (down)"), ("evidence", u"settle: Sophos updated"),
        ("interval", u"settle: time over"), ("reboot_required", u"settle: restart needed again"),
        ("skipped", u"settle skipped")))
    return (u"<h2>Restart timeline (UTC)</h2>\n<div class=\"scroll\">%s</div>\n<div class=\"legend\">%s"
            u" &middot; hover a bar for its times</div>\n" % (u"".join(parts), legend))
