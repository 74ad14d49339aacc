"""The Markdown rendering (module_utils/_report/render_markdown.py)."""
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_markdown
from ansible_collections.fleetops.sophos.tests.unit.report_cases import HOSTILE, build, clean


# ----------------------------------------------------------------------------------------------------
# Report building from mixed host results: statuses, attention order, summary, odd values, renderers.

def test_markdown_escapes_host_text(report):
    text = render_markdown.to_markdown(report)
    assert HOSTILE not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<script>" not in text
    table = [line for line in text.splitlines() if line.startswith("| ") and "Pending" not in line]
    assert all(line.count(" | ") == 8 for line in table[len(model.STATUSES):] if "lin-" in line or "win-" in line)


def test_markdown_pipes_and_newlines_cannot_break_the_table():
    report = model.build_report([{"host": "a|b\nc", "facts": {"sophos": {"version": "1|2"}}}])
    line = [line for line in render_markdown.to_markdown(report).splitlines() if line.startswith("| a")][0]
    assert line.replace("\\|", "").count("|") == 10


# ----------------------------------------------------------------------------------------------------
# The renderers at their edges, compared with hand-written text: a page cell cut at 300 characters, the
# Markdown head of a check run with a Central note, Markdown escaping, every spreadsheet-formula start in CSV.

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
