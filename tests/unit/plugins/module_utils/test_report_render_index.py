"""index.html of the report directory (module_utils/_report/render_index.py)."""
from ansible_collections.fleetops.sophos.plugins.module_utils._report import html_kit, render_index


# ----------------------------------------------------------------------------------------------------
# index.html of the report directory: the exact page for small hand-written indexes, and the trend's geometry.
#
# Every expected value below is written out by hand (780 x 200 = the 720 x 160 plot, 40 px left margin,
# 20 right, 12 top, 28 bottom), so any change to what a reader of the page sees fails here.

SCRIPT = u'document.documentElement.setAttribute("data-ready", "1");'


INDEX = {
    "runs": [
        {"id": "20261128T020000Z-ab12", "file": "sophos-report-20261128T020000Z-ab12.json", "check_mode": False,
         "started": "2026-11-28T02:00:00Z", "playbook": "site.yml", "total": 3,
         "counts": {"ok": 2, "pending": 0, "failed": 1}, "error": None},
        {"id": "20261127T020000Z-cd34", "file": "sophos-report-20261127T020000Z-cd34-check.json",
         "check_mode": True, "started": "2026-11-27T02:00:00Z", "playbook": None, "total": 0, "counts": {},
         "error": None},
        {"id": "20261126T020000Z-dead", "file": "sophos-report-20261126T020000Z-dead.json", "check_mode": False,
         "started": None, "playbook": "maint.yml", "total": 0, "counts": {"ok": 5},
         "error": "not JSON: Expecting ',' delimiter"},
    ],
    "trend": [
        {"id": "20261127T020000Z-x", "started": "2026-11-27T02:00:00Z", "pending": 2, "alerting": 1, "failed": 0},
        {"id": "20261128T020000Z-ab12", "started": "2026-11-28T02:00:00Z", "pending": 4, "alerting": 0,
         "failed": 1},
    ],
}


TREND_SVG = (
    u'<svg id="trend" class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 780 200" '
    u'width="780" height="200"><title>Trend across runs</title>'
    u'<line class="axis" x1="40" y1="172" x2="760" y2="172"/>'
    u'<text x="36" y="16" text-anchor="end">4</text><text x="36" y="176" text-anchor="end">0</text>'
    u'<polyline class="series" data-series="pending" fill="none" stroke="#c9a100" stroke-width="2" '
    u'points="40.0,92.0 760.0,12.0"/>'
    u'<circle data-series="pending" cx="40.0" cy="92.0" r="3" fill="#c9a100">'
    u'<title>2026-11-27T02:00:00Z: 2 restart pending</title></circle>'
    u'<circle data-series="pending" cx="760.0" cy="12.0" r="3" fill="#c9a100">'
    u'<title>2026-11-28T02:00:00Z: 4 restart pending</title></circle>'
    u'<polyline class="series" data-series="alerting" fill="none" stroke="#e07b00" stroke-width="2" '
    u'points="40.0,132.0 760.0,172.0"/>'
    u'<circle data-series="alerting" cx="40.0" cy="132.0" r="3" fill="#e07b00">'
    u'<title>2026-11-27T02:00:00Z: 1 pending over the alert age</title></circle>'
    u'<circle data-series="alerting" cx="760.0" cy="172.0" r="3" fill="#e07b00">'
    u'<title>2026-11-28T02:00:00Z: 0 pending over the alert age</title></circle>'
    u'<polyline class="series" data-series="failed" fill="none" stroke="#b3261e" stroke-width="2" '
    u'points="40.0,172.0 760.0,132.0"/>'
    u'<circle data-series="failed" cx="40.0" cy="172.0" r="3" fill="#b3261e">'
    u'<title>2026-11-27T02:00:00Z: 0 failed or unreachable</title></circle>'
    u'<circle data-series="failed" cx="760.0" cy="132.0" r="3" fill="#b3261e">'
    u'<title>2026-11-28T02:00:00Z: 1 failed or unreachable</title></circle>'
    u'<text x="40" y="194">2026-11-27 02:00</text><text x="760" y="194" text-anchor="end">2026-11-28 02:00</text>'
    u'</svg>'
)


LEGEND = (u'<div class="legend"><i style="background:#c9a100"></i>restart pending'
          u'<i style="background:#e07b00"></i>pending over the alert age'
          u'<i style="background:#b3261e"></i>failed or unreachable (real runs only)</div>')


TABLE = (
    u'<table id="runs"><thead><tr><th scope="col">Started (UTC)</th><th scope="col">Playbook</th>'
    u'<th scope="col">Hosts</th><th scope="col">Status counts</th><th scope="col">Report</th></tr></thead><tbody>'
    u'<tr data-index="0" data-run="20261128T020000Z-ab12" data-check="0">'
    u'<td>2026-11-28 02:00<span class="small">Z</span></td><td>site.yml </td><td>3</td>'
    u'<td><span class="badge" style="--c:#b3261e">Failed</span>&nbsp;1 '
    u'<span class="badge" style="--c:#4caf50">OK</span>&nbsp;2</td>'
    u'<td><a href="sophos-report-20261128T020000Z-ab12.html">HTML</a></td></tr>'
    u'<tr data-index="1" data-run="20261127T020000Z-cd34" data-check="1">'
    u'<td>2026-11-27 02:00<span class="small">Z</span></td><td>? <span class="checkrun">check run</span></td>'
    u'<td>0</td><td>\u2013</td>'
    u'<td><a href="sophos-report-20261127T020000Z-cd34-check.json">JSON</a></td></tr>'
    u'<tr data-index="2" data-run="20261126T020000Z-dead" data-check="0">'
    u'<td></td><td>maint.yml </td><td>0</td>'
    u'<td><span class="small">not JSON: Expecting &#x27;,&#x27; delimiter</span></td>'
    u'<td><a href="sophos-report-20261126T020000Z-dead.json">JSON</a></td></tr>'
    u'</tbody></table>'
)


def _body(page, title, generator):
    head = html_kit.page_head(title, SCRIPT, generator)
    assert page.startswith(head)
    return page[len(head):]


def test_index_page_exact():
    names = ["sophos-report-20261128T020000Z-ab12.html", "sophos-report-20261126T020000Z-dead.html.bak", "index.html"]
    page = render_index.to_index_html(INDEX, names=names)
    assert _body(page, u"Sophos restart reports", u"fleetops.sophos.report index") == (
        u'\n<body>\n<h1>Sophos restart reports</h1>\n'
        u'<div class="meta">3 run(s), newest first &middot; the latest real run is '
        u'<a href="sophos-report.html">sophos-report.html</a></div>\n'
        u'<h2>Trend</h2>\n' + TREND_SVG + LEGEND + u'\n'
        u'<h2>Runs</h2>\n<div class="scroll">' + TABLE + u'</div>\n'
        u'<script>document.documentElement.setAttribute("data-ready", "1");</script>\n</body>\n</html>\n')


def test_index_page_empty_with_own_title_and_basename():
    page = render_index.to_index_html({"runs": [], "trend": []}, title=u"Nightly <EU>", basename=u"eu.fleet")
    assert _body(page, u"Nightly <EU>", u"fleetops.sophos.report index") == (
        u'\n<body>\n<h1>Nightly &lt;EU&gt;</h1>\n'
        u'<div class="meta">0 run(s), newest first &middot; the latest real run is '
        u'<a href="eu.fleet.html">eu.fleet.html</a></div>\n'
        u'<h2>Trend</h2>\n<p id="trend">No real run recorded yet.</p>\n'
        u'<h2>Runs</h2>\n<div class="scroll"><p id="runs">No run recorded.</p></div>\n'
        u'<script>document.documentElement.setAttribute("data-ready", "1");</script>\n</body>\n</html>\n')


def test_index_link_names_the_last_extension_of_a_dotted_basename():
    run = {"id": "20261128T020000Z-ab12", "file": "eu.fleet-20261128T020000Z-ab12.json", "check_mode": False,
           "started": "2026-11-28T02:00:00Z", "playbook": "p", "total": 0, "counts": {}, "error": None}
    with_html = render_index.to_index_html({"runs": [run], "trend": []},
                                           names=["eu.fleet-20261128T020000Z-ab12.html"])
    assert u'<td><a href="eu.fleet-20261128T020000Z-ab12.html">HTML</a></td></tr>' in with_html
    json_only = render_index.to_index_html({"runs": [run], "trend": []}, names=["eu.fleet.html"])
    assert u'<td><a href="eu.fleet-20261128T020000Z-ab12.json">JSON</a></td></tr>' in json_only


def test_single_run_trend_sits_in_the_middle_and_unknown_start_shows_a_question_mark():
    trend = [{"id": "x", "started": None, "pending": 0, "alerting": 0, "failed": 0}]
    svg = render_index._trend_svg(trend)
    # A fleet with nothing pending still has a scale of 1; the one run is drawn at the middle of the axis.
    assert u'<text x="36" y="16" text-anchor="end">1</text>' in svg
    assert u'points="400.0,172.0"/>' in svg
    assert svg.count(u'<circle ') == 3
    assert u'<circle data-series="failed" cx="400.0" cy="172.0" r="3" fill="#b3261e">' \
        u'<title>?: 0 failed or unreachable</title></circle>' in svg
    assert u'<text x="40" y="194"></text><text x="760" y="194" text-anchor="end"></text></svg>' in svg


def test_trend_geometry_exact_with_fractions():
    trend = [{"pending": 1, "alerting": 0, "failed": 3}, {"pending": 2, "alerting": 1, "failed": 0},
             {"pending": 0, "alerting": 0, "failed": 0}, {"pending": 3, "alerting": 2, "failed": 1}]
    shape = render_index.trend_geometry(trend, width=100.0, height=40.0)
    assert shape == {"max": 3, "width": 100.0, "height": 40.0, "series": {
        "pending": [(0.0, 26.7, 1), (33.3, 13.3, 2), (66.7, 40.0, 0), (100.0, 0.0, 3)],
        "alerting": [(0.0, 40.0, 0), (33.3, 26.7, 1), (66.7, 40.0, 0), (100.0, 13.3, 2)],
        "failed": [(0.0, 0.0, 3), (33.3, 40.0, 0), (66.7, 40.0, 0), (100.0, 26.7, 1)],
    }}
    assert render_index.trend_geometry([], width=100.0, height=40.0) == {
        "max": 1, "width": 100.0, "height": 40.0, "series": {"pending": [], "alerting": [], "failed": []}}
    one = render_index.trend_geometry([{"pending": 0, "alerting": 0, "failed": 0}], width=100.0, height=40.0)
    assert one["max"] == 1 and one["series"]["pending"] == [(50.0, 40.0, 0)]


# ----------------------------------------------------------------------------------------------------
# Report history: run names, pruning, the index data and page, check runs, and the cycle timeline.

def test_trend_geometry_scales_to_the_largest_value():
    trend = [{"pending": 4, "alerting": 1, "failed": 0}, {"pending": 2, "alerting": 2, "failed": 1}]
    shape = render_index.trend_geometry(trend, width=100.0, height=40.0)
    assert shape["max"] == 4
    assert shape["series"]["pending"] == [(0.0, 0.0, 4), (100.0, 20.0, 2)]
    assert shape["series"]["failed"] == [(0.0, 40.0, 0), (100.0, 30.0, 1)]
