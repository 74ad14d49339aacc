"""The CSV rendering (module_utils/_report/render_csv.py)."""
import csv
import io

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_csv
from ansible_collections.fleetops.sophos.tests.unit.report_cases import HOSTILE, build, clean


# ----------------------------------------------------------------------------------------------------
# Report building from mixed host results: statuses, attention order, summary, odd values, renderers.

def test_csv_reads_back(report):
    rows = list(csv.DictReader(io.StringIO(render_csv.to_csv(report), newline="")))
    assert [row["host"] for row in rows] == [row["host"] for row in report["hosts"]]
    by_host = dict((row["host"], row) for row in rows)
    assert by_host["win-old"]["status"] == "alert"
    assert float(by_host["win-old"]["pending_days"]) == 21.7
    assert by_host["lin-rebooted"]["restarts"] == "2"
    assert by_host["lin-rebooted"]["maintenance_reasons_before"] == "sophos_reboot_required; os_reboot_required"
    assert by_host["lin-ok"]["reboot_required"] == "false"
    assert by_host["win-gone"]["run_state"] == "unreachable"
    assert by_host[HOSTILE]["reasons"].startswith("pending_file_rename (<script>")


def test_csv_defuses_spreadsheet_formulas():
    report = model.build_report([{"host": "=cmd|' /C calc'!A0", "facts": {
        "reboot_required": True, "pending_days": -1, "reasons": [{"id": "@SUM(1)", "strong": True}]}}])
    row = next(csv.DictReader(io.StringIO(render_csv.to_csv(report), newline="")))
    assert row["host"] == "'=cmd|' /C calc'!A0"
    assert row["reasons"] == "'@SUM(1)"
    assert row["pending_days"] == "-1", "numbers keep their sign"


# ----------------------------------------------------------------------------------------------------
# The renderers at their edges, compared with hand-written text: a page cell cut at 300 characters, the
# Markdown head of a check run with a Central note, Markdown escaping, every spreadsheet-formula start in CSV.

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
