# -*- coding: utf-8 -*-
"""The renderers at their edges, compared with hand-written text: a page cell cut at 300 characters, the
Markdown head of a check run with a Central note, Markdown escaping, every spreadsheet-formula start in CSV."""

from __future__ import absolute_import, division, print_function

import csv
import io
import re

from ansible_collections.fleetops.sophos.plugins.module_utils import _report, _report_csv, _report_html, _report_markdown


def build(entries, **kwargs):
    return _report.build_report(entries, generated="2026-12-01T09:05:00Z", title="Fleet", **kwargs)


def clean():
    return {"reboot_required": False, "reasons": [],
            "sophos": {"installed": True, "health": {"overall": "good", "services": {}}}}


# ---------------------------------------------------------------- HTML: long texts in a cell

def test_a_page_cell_keeps_300_characters_and_cuts_the_301st():
    reasons = [{"id": "x", "strong": True, "detail": "d" * 296},   # "x (" + 296 + ")" = 300 characters
               {"id": "y", "strong": True, "detail": "e" * 297}]   # 301 characters: cut to 300 and "…"
    page = _report_html.to_html(build([{"host": "r", "facts": {"reboot_required": True, "reasons": reasons}}]))
    [cell] = re.findall(r'<td data-sort="x y">.*?</td>', page)
    assert cell == (u'<td data-sort="x y"><div class="c">x (' + u"d" * 296 + u')<br>y (' + u"e" * 297
                    + u'\u2026</div></td>')


# ---------------------------------------------------------------- Markdown

def test_markdown_of_a_check_run_with_a_central_note():
    report = build([{"host": u"a\"b'c`d<e", "facts": clean()}], run={"check_mode": True},
                   central={"lookup": "failed", "message": "HTTP 401 from *central*"})
    assert _report_markdown.to_markdown(report) == u"\n".join([
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
        u"| Host | Status | Pending (days) | Reasons | Restarts | Sophos version | Last update | Health | Central alert |",
        u"|---|---|---:|---|---:|---|---|---|---|",
        u"| a\"b'c\\`d&lt;e | OK |  |  |  |  |  | good |  |",
    ]) + u"\n"


def test_markdown_of_a_real_run_has_no_check_note():
    text = _report_markdown.to_markdown(build([{"host": "a", "facts": clean()}], run={"check_mode": "yes"}))
    assert text.startswith(u"# Fleet\n\nGenerated 2026-12-01T09:05:00Z; 1 host(s); restart alert after 14.0 days.\n\n"
                           u"| Status | Hosts |\n")


# ---------------------------------------------------------------- CSV

def test_every_formula_start_is_quoted_numbers_never():
    entries = [{"host": name} for name in (u"+a", u"-b", u"@c", u"=d", u"\te", u"\rf", u"g")]
    entries.append({"host": u"h", "facts": {"reboot_required": True, "pending_days": -1.0}})
    rows = list(csv.reader(io.StringIO(_report_csv.to_csv(build(entries)))))
    assert [row[0] for row in rows] == [
        u"host", u"'\te", u"'\rf", u"'+a", u"'-b", u"'=d", u"'@c", u"g", u"h"]
    assert rows[-1][7] == u"-1"


def test_a_csv_line_of_a_host_without_facts():
    text = _report_csv.to_csv(build([{"host": "+a"}]))
    assert text.split(u"\r\n")[1:] == [
        u"'+a,no_data,true,no sophos_reboot facts were gathered for this host,ok" + u"," * 26, u""]


def test_csv_maintenance_columns():
    cycle = {"status": "still_pending", "restarts": 2, "reasons_before": ["kernel", "sophos_reboot_required"],
             "reasons_after": ["sophos_reboot_required"], "message": "still pending"}
    [row] = csv.DictReader(io.StringIO(_report_csv.to_csv(build([{"host": "a", "facts": clean(), "cycle": cycle}]))))
    assert (row["restarts"], row["maintenance_status"], row["maintenance_reasons_before"],
            row["maintenance_reasons_after"], row["maintenance_message"]) == (
        u"2", u"still_pending", u"kernel; sophos_reboot_required", u"sophos_reboot_required", u"still pending")
