# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``index.html`` of the report directory: the runs and their trend. PRIVATE to the collection.

Self-contained like the report page, under the same Content-Security-Policy: the runs as a table
with a link to each run's page, and the trend of hosts pending, alerting and failed as inline SVG.
The data comes from ``history.index_data``; the page's kit (style, script, badge) from ``html_kit``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.sophos.plugins.module_utils._report.html_kit import (
    INDEX_SCRIPT, badge, h, page_head, when)
from ansible_collections.fleetops.sophos.plugins.module_utils._report.model import STATUSES

SERIES = (
    ("pending", u"restart pending", "#c9a100"),
    ("alerting", u"pending over the alert age", "#e07b00"),
    ("failed", u"failed or unreachable", "#b3261e"),
)


def trend_geometry(trend, width=720.0, height=160.0):
    """Points of each series: ``{max, series: {key: [(x, y, value)]}}``, oldest run on the left.

    ``y`` grows downwards from the top margin; the top of the scale is the largest value seen
    (at least 1), so a fleet with no problem draws flat lines on the axis.
    """
    top = max([1] + [point[key] for point in trend for key, _label, _colour in SERIES])
    count = len(trend)
    step = width / (count - 1) if count > 1 else 0.0
    series = {}
    for key, _label, _colour in SERIES:
        series[key] = [(round(index * step if count > 1 else width / 2.0, 1),
                        round(height - point[key] * height / top, 1), point[key])
                       for index, point in enumerate(trend)]
    return {"max": top, "series": series, "width": width, "height": height}


def _trend_svg(trend):
    if not trend:
        return u'<p id="trend">No real run recorded yet.</p>'
    shape = trend_geometry(trend)
    left, top = 40, 12
    total_w, total_h = int(shape["width"] + left + 20), int(shape["height"] + top + 28)
    parts = [u'<svg id="trend" class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 %d %d" '
             u'width="%d" height="%d"><title>Trend across runs</title>' % (total_w, total_h, total_w, total_h),
             u'<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>' % (
                 left, top + shape["height"], left + shape["width"], top + shape["height"]),
             u'<text x="%d" y="%d" text-anchor="end">%d</text><text x="%d" y="%d" text-anchor="end">0</text>' % (
                 left - 4, top + 4, shape["max"], left - 4, top + shape["height"] + 4)]
    for key, label, colour in SERIES:
        points = shape["series"][key]
        parts.append(u'<polyline class="series" data-series="%s" fill="none" stroke="%s" stroke-width="2" '
                     u'points="%s"/>' % (key, colour, u" ".join(u"%.1f,%.1f" % (left + x, top + y)
                                                                for x, y, _v in points)))
        for index, (x, y, value) in enumerate(points):
            parts.append(u'<circle data-series="%s" cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %d %s</title>'
                         u'</circle>' % (key, left + x, top + y, colour, h(trend[index]["started"] or u"?"),
                                         value, h(label)))
    first, last = trend[0]["started"] or u"", trend[-1]["started"] or u""
    parts.append(u'<text x="%d" y="%d">%s</text><text x="%d" y="%d" text-anchor="end">%s</text>' % (
        left, total_h - 6, h(first[:16].replace(u"T", u" ")), left + shape["width"], total_h - 6,
        h(last[:16].replace(u"T", u" "))))
    parts.append(u"</svg>")
    legend = u"".join(u'<i style="background:%s"></i>%s' % (colour, h(label)) for _key, label, colour in SERIES)
    return u"".join(parts) + u'<div class="legend">%s (real runs only)</div>' % legend


def _link(run, names):
    stem = run["file"][:-len(".json")]
    target = stem + ".html" if stem + ".html" in names else run["file"]
    return u'<a href="%s">%s</a>' % (h(target), h(target.rsplit(u".", 1)[-1].upper()))


def to_index_html(index, names=(), title=u"Sophos restart reports", basename=u"sophos-report"):
    """The page; ``names``: the files in the report directory (a run links its HTML page when there is one)."""
    names = set(names)
    rows = []
    for position, run in enumerate(index["runs"]):
        if run["error"]:
            counts = u'<span class="small">%s</span>' % h(run["error"])
        else:
            counts = u" ".join(u'%s&nbsp;%d' % (badge(status), run["counts"][status])
                               for status in STATUSES if run["counts"].get(status)) or u"\u2013"
        kind = u'<span class="checkrun">check run</span>' if run["check_mode"] else u""
        rows.append(u'<tr data-index="%d" data-run="%s" data-check="%s"><td>%s</td><td>%s %s</td><td>%d</td>'
                    u'<td>%s</td><td>%s</td></tr>' % (
                        position, h(run["id"]), u"1" if run["check_mode"] else u"0", when(run["started"]),
                        h(run["playbook"] or u"?"), kind, run["total"], counts, _link(run, names)))
    table = (u'<table id="runs"><thead><tr><th scope="col">Started (UTC)</th><th scope="col">Playbook</th>'
             u'<th scope="col">Hosts</th><th scope="col">Status counts</th><th scope="col">Report</th></tr></thead>'
             u'<tbody>%s</tbody></table>' % u"".join(rows)) if rows else u'<p id="runs">No run recorded.</p>'
    return page_head(title, INDEX_SCRIPT, u"fleetops.sophos.report index") + u"""
<body>
<h1>%(title)s</h1>
<div class="meta">%(count)d run(s), newest first &middot; the latest real run is <a href="%(latest)s">%(latest)s</a></div>
<h2>Trend</h2>
%(trend)s
<h2>Runs</h2>
<div class="scroll">%(table)s</div>
<script>%(script)s</script>
</body>
</html>
""" % {
        "title": h(title),
        "count": len(index["runs"]),
        "latest": h(basename + u".html"),
        "trend": _trend_svg(index["trend"]),
        "table": table,
        "script": INDEX_SCRIPT,
    }
