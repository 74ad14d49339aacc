# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report pages' HTML kit: PRIVATE to the collection.

The style and the scripts of the report page (``render_html``) and of ``index.html`` (``render_index``),
the colour of each status, and what both pages share: escaping (``h``), the status badge, a short UTC
date-time, and the page head with its Content-Security-Policy (the pages' only script is allowed by its hash;
nothing from outside).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import html
import re

from ansible_collections.fleetops.sophos.plugins.module_utils._report.model import STATUS_LABELS
from ansible_collections.fleetops.sophos.plugins.module_utils._report.text import format_value

REPORT_SCRIPT = r"""
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

# The script of index.html (render_index): it only marks the page ready.
INDEX_SCRIPT = u'document.documentElement.setAttribute("data-ready", "1");'

STYLE = u"""
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

STATUS_COLOURS = {
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


def h(value):
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
</head>""" % (h(content_security_policy(script)), h(generator), h(title), STYLE)


def content_security_policy(script):
    """The policy of every page of the report: nothing from outside, only the page's own ``script``."""
    return (u"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '%s'; "
            u"base-uri 'none'; form-action 'none'") % _csp_hash(script)


def _csp_hash(text):
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def badge(status):
    return u'<span class="badge" style="--c:%s">%s</span>' % (STATUS_COLOURS[status], h(STATUS_LABELS[status]))


_ISO = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?(Z|[+-]00:?00)$")


def when(value):
    """An ISO date-time in UTC shown short; anything else shown as it came."""
    match = _ISO.match(value or u"")
    if not match:
        return h(value)
    return u"%s %s<span class=\"small\">Z</span>" % (match.group(1), match.group(2))
