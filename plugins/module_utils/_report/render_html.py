# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report as one self-contained HTML page: PRIVATE to the collection.

No external assets; the page's only script is allowed by a Content-Security-Policy hash. The style, the
script and the helpers it shares with ``index.html`` are in ``html_kit``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.sophos.plugins.module_utils._report import timeline
from ansible_collections.fleetops.sophos.plugins.module_utils._report.html_kit import (
    REPORT_SCRIPT, STATUS_COLOURS, badge, h, page_head, when)
from ansible_collections.fleetops.sophos.plugins.module_utils._report.model import (
    ATTENTION_ISSUES, STATUS_LABELS, STATUSES)
from ansible_collections.fleetops.sophos.plugins.module_utils._report.text import (
    RUN_KIND_LABELS, central_cell, central_note, days_text, first_seen, health_word, reason_text, restart_text,
    silence_text, title_with_run)
from ansible_collections.fleetops.sophos.plugins.module_utils._time import human_seconds


def _td(sort, main, small=u""):
    """A cell: ``main`` and ``small`` are HTML already escaped by the caller; ``sort`` is raw text."""
    if small:
        main += u'<div class="small">%s</div>' % small
    return u'<td data-sort="%s"><div class="c">%s</div></td>' % (h(sort), main)


_NONE = u'<span class="small">\u2013</span>'


def _pending_cell(row, alert_days):
    days = row["pending_days"]
    if days is None:
        return _td(u"0" if row["reboot_required"] else u"",
                   u'<span class="small">age unknown</span>' if row["reboot_required"] else _NONE)
    width = min(100.0, max(0.0, days / (alert_days * 2.0) * 100.0))
    colour = "#b3261e" if days > alert_days else ("#e07b00" if days > alert_days / 2.0 else "#c9a100")
    gauge = (u'<div class="bar" title="%s"><span style="--c:%s;width:%.1f%%"></span><i style="left:50%%"></i></div>'
             % (h(days_text(days)), colour, width))
    since = {u"central": u" since %s (Sophos Central)",
             u"central_event": u" since %s (Sophos Central's restart-required event)",
             u"central_estimate": u" since about %s (Sophos Central, its two-week alert less 14 days)"}.get(
                 row["pending_since_source"], u"%.0s") % row["pending_since"]
    return _td(u"%.3f" % days, gauge,
               h(days_text(days)) + (u", since first seen" if first_seen(row) else u"") + h(since))


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
        return _td(u"", h(u"no alert"), _list_html(small))
    days = alert["pending_days"]
    return _td(u"%d" % days if days is not None else u"0", h(central_cell(row)),
               _list_html([alert["type"] or u""] + small))


def _short(text, limit=300):
    """Page cells stay readable; the JSON and CSV keep the text up to report_max_text."""
    return text if len(text) <= limit else text[:limit] + u"\u2026"


def _list_html(items):
    return u"<br>".join(h(item) for item in items)


def _restarts_html(boots):
    """One short line per restart (when, how long, why); the boot ids behind a disclosure."""
    if not boots:
        return u""
    ids = u"<br>".join(h(u"restart %s: boot %s \u2192 %s" % (
        boot.get("number") or u"?", boot.get("boot_id_before") or u"?", boot.get("boot_id") or u"?")) for boot in boots)
    return (u"<br>".join(h(restart_text(boot, boot_ids=False)) for boot in boots)
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
    host = h(row["host"])
    if notes:
        host += u'<ul class="issues">%s</ul>' % u"".join(u"<li>%s</li>" % h(note) for note in notes)
    cells = [
        _td(row["host"], host),
        _td(u"%d" % STATUSES.index(row["status"]), badge(row["status"])),
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
        cells.append(_td(restarts, h(restarts or u"?"), small))
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
        cells.append(_td(detail or u"", h(detail or u"\u2013"), _list_html(maintenance)))
    version = u"not installed" if sophos["installed"] is False else (sophos["version"] or u"")
    stopped = [u"%s: %s" % (name, state) for name, state in sorted(sophos["services"].items()) if state != "running"]
    shown = [u"health: %s" % health] + health_problems if health else []
    cells.append(_td(version, h(version), _list_html([sophos["product"] or u""] + shown + stopped)))
    cells.append(_td(sophos["last_update"], when(sophos["last_update"]),
                     u"failed" if sophos["last_update_ok"] is False else u""))
    cells.append(_td(row["os"]["last_boot"], when(row["os"]["last_boot"]), h(row["os"]["family"])))
    cells.append(_central_cell(row))
    return u'<tr data-index="%d" data-status="%s" data-host="%s">%s</tr>' % (
        index, h(row["status"]), h(row["host"]), u"".join(cells))


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
                         status, count, STATUS_COLOURS[status], count, h(STATUS_LABELS[status])))
    attention = [row for row in report["hosts"] if row["attention"]]
    if attention:
        items = u"".join(u'<li data-host="%s">%s <b>%s</b>: %s</li>' % (
            h(row["host"]), badge(row["status"]), h(row["host"]),
            h(u"; ".join(issue["text"] for issue in row["issues"]))) for row in attention)
        attention_html = u'<ul class="attention" id="attention">%s</ul>' % items
    else:
        attention_html = u'<p id="attention">Nothing needs attention.</p>'
    heads = (
        (u"Host", u"text"), (u"Status", u"num"), (u"Pending", u"num"), (u"Reasons", u"text"),
        (u"Restarts", u"num"), (u"Maintenance", u"text"), (u"Sophos", u"text"),
        (u"Last update", u"text"), (u"Last boot", u"text"), (u"Central alert", u"num"),
    )
    head_html = u"".join(u'<th data-type="%s" scope="col">%s</th>' % (kind, h(label)) for label, kind in heads)
    rows_html = u"\n".join(_row_html(index, row, alert_days) for index, row in enumerate(report["hosts"]))
    check = report.get("check_mode") is True
    kind = (report.get("run") or {}).get("kind")
    head = page_head(title_with_run(report), REPORT_SCRIPT,
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
        "title": h(report["title"]),
        "generated": h(report["generated"]),
        "total": summary["total"],
        "alert": h(days_text(alert_days)),
        "tiles": u"".join(tiles),
        "attention_count": len(attention),
        "attention": attention_html,
        "heads": head_html,
        "rows": rows_html,
        "kind_badge": (u' <span class="runkind" id="run-kind">%s</span>' % h(RUN_KIND_LABELS[kind])
                       if kind in RUN_KIND_LABELS else u""),
        "check_badge": u' <span class="checkrun" id="check-run">check run</span>' if check else u"",
        "check_note": (u'<p class="checknote">A check run (<code>--check</code>): nothing was changed on the hosts; '
                       u'this is what a real run would do. The latest real report is left as it was.</p>\n'
                       if check else u""),
        "timeline": timeline_html(report["hosts"]),
        "central_note": (u'<p class="meta" id="central-note">%s</p>\n' % h(central_note(report))
                         if central_note(report) else u""),
        "script": REPORT_SCRIPT,
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
    shape = timeline.geometry(rows, width=width)
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
                                                          h(label)))
    for index, row in enumerate(shape["rows"]):
        top = 20 + index * _ROW_HEIGHT
        if "header" in row:
            # A tier's or a restart group's rows follow its header, across the whole axis.
            parts.append(u'<g class="tl-section" data-level="%d"><rect x="0" y="%d" width="%d" height="%d" '
                         u'fill="%s"/><text class="tl-head" x="%d" y="%d">%s</text></g>' % (
                             row["level"], top + 1, total, _ROW_HEIGHT - 2, u"#e4e8ee" if row["level"] == 0 else
                             u"#f1f3f6", 4 + 12 * row["level"], top + 16, h(row["header"])))
            continue
        host = shape["hosts"][row["host"]]
        name = host["host"] if len(host["host"]) <= 26 else host["host"][:25] + u"\u2026"
        parts.append(u'<g class="tl-host" data-host="%s"><text x="4" y="%d">%s</text>' % (
            h(host["host"]), top + 15, h(name)))
        parts.append(u'<line class="span" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>' % (
            _LABEL_WIDTH + host["line"][0], top + 11, _LABEL_WIDTH + host["line"][1], top + 11))
        for segment in host["bars"]:
            colour = _SEGMENT_COLOURS.get("restart" if segment["kind"] == "restart" else segment["ended"], "#3b6fb6")
            parts.append(u'<rect class="tl-bar tl-%s" data-kind="%s" data-n="%d" data-ended="%s" x="%.1f" y="%d" '
                         u'width="%.1f" height="16" rx="2" fill="%s"><title>%s</title></rect>' % (
                             segment["kind"], segment["kind"], segment["n"], h(segment["ended"] or u""), _LABEL_WIDTH + segment["x"],
                             top + 3, segment["w"], colour, h(segment["label"])))
        parts.append(u"</g>")
    parts.append(u"</svg>")
    legend = u"".join(u'<i style="background:%s"></i>%s' % (_SEGMENT_COLOURS[key], h(text)) for key, text in (
        ("restart", u"restart (down)"), ("evidence", u"settle: Sophos updated"),
        ("interval", u"settle: time over"), ("reboot_required", u"settle: restart needed again"),
        ("skipped", u"settle skipped")))
    return (u"<h2>Restart timeline (UTC)</h2>\n<div class=\"scroll\">%s</div>\n<div class=\"legend\">%s"
            u" &middot; hover a bar for its times</div>\n" % (u"".join(parts), legend))
