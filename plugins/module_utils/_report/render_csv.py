# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report as CSV: PRIVATE to the collection. One row per host, columns in ``CSV_COLUMNS``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

from ansible_collections.fleetops.sophos.plugins.module_utils._report.text import format_value, reason_text

CSV_COLUMNS = (
    "host",
    "status",
    "attention",
    "issues",
    "run_state",
    "os_family",
    "reboot_required",
    "pending_days",
    "pending_since",
    "urgent",
    "reasons",
    "restarts",
    "maintenance_status",
    "maintenance_reasons_before",
    "maintenance_reasons_after",
    "maintenance_message",
    "patch_status",
    "patch_changes",
    "sophos_installed",
    "sophos_product",
    "sophos_version",
    "sophos_last_update",
    "sophos_last_update_ok",
    "sophos_health",
    "last_boot",
    "uptime_days",
    "pending_since_source",
    "central_source",
    "central_alert",
    "central_alert_raised_at",
    "central_alert_days",
    "central_pending_since",
    "central_pending_since_source",
    "central_pending_days",
)


def _csv_cell(value):
    if isinstance(value, bool):
        return u"true" if value else u"false"
    text = format_value(value)
    # Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
    if text[:1] in (u"=", u"+", u"-", u"@", u"\t", u"\r") and not isinstance(value, (int, float)):
        text = u"'" + text
    return text


def csv_values(row):
    """The CSV cells of one row, in CSV_COLUMNS order, before spreadsheet quoting."""
    cycle = row["maintenance"] or {}
    patch = row["patch"] or {}
    sophos = row["sophos"]
    central = row["central"] or {}
    alert = central.get("restart_alert") or {}
    return (
        row["host"], row["status"], row["attention"], [issue["text"] for issue in row["issues"]],
        row["run"]["state"], row["os"]["family"], row["reboot_required"], row["pending_days"],
        row["pending_since"], row["urgent"], [reason_text(reason) for reason in row["reasons"]],
        cycle.get("restarts"), cycle.get("status"), cycle.get("reasons_before"), cycle.get("reasons_after"),
        cycle.get("message"), patch.get("status"), patch.get("changes"), sophos["installed"],
        sophos["product"], sophos["version"], sophos["last_update"], sophos["last_update_ok"],
        sophos["health"], row["os"]["last_boot"], row["os"]["uptime_days"],
        row["pending_since_source"], central.get("source"), alert.get("type"), alert.get("raised_at"),
        alert.get("age_days"), alert.get("pending_since"), alert.get("pending_since_source"), alert.get("pending_days"),
    )


def to_csv(report):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report["hosts"]:
        writer.writerow([_csv_cell(value) for value in csv_values(row)])
    return out.getvalue()
