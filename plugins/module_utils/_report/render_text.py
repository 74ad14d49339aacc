# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report as a plain-text table for the end of a play's output: PRIVATE to the collection.

One line of counts, one row per host (host, status, restarts, why) and where the report files
are. Pure, no I/O: the lines are returned for the report role to print once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.fleetops.sophos.plugins.module_utils._report.model import STATUSES
from ansible_collections.fleetops.sophos.plugins.module_utils._report.text import (
    format_value, restarts_cell, title_with_run)
from ansible_collections.fleetops.sophos.plugins.module_utils._time import human_seconds

WHY_LIMIT = 100
HEADER = (u"HOST", u"STATUS", u"RESTARTS", u"WHY")


def _one_line(value, limit=None):
    text = re.sub(u"\\s+", u" ", format_value(value)).strip()
    if limit and len(text) > limit:
        text = text[:limit - 1] + u"\u2026"
    return text


# What to do next about the hosts of each status (none for ok and rebooted); {hosts}: their names.
NEXT_STEPS = {
    "unreachable": u"bring the host(s) back, then rerun with -e maintenance_hosts={hosts}",
    "failed": u"fix what WHY says, then rerun with -e maintenance_hosts={hosts}",
    "still_pending": u"a restart is still pending after the cycle: read the host's reasons "
                     u"(fleetops.sophos.facts), then rerun with -e maintenance_hosts={hosts}",
    "unhealthy": u"Sophos is not healthy (WHY says how): look at it on the host(s) before trusting them",
    "alert": u"restart pending for long or urgently: restart in the next window",
    "no_data": u"nothing could be read: run fleetops.sophos.facts on the host(s)",
    "unknown": u"the restart state is unknown: read it with fleetops.sophos.facts",
    "not_run": u"never ran (the run stopped before their batch): rerun with -e maintenance_hosts={hosts}",
    "deferred": u"deferred, WHY says why (the window, a blackout, an exclusion): rerun in the next window",
    "pending": u"restart pending: run fleetops.sophos.maintenance on the host(s)",
}
NOT_RUN_WHY = u"not run: the run stopped before this host's batch"


def _would(row):
    """What a check run would have done on the host, or None when it would do nothing (or was no check run)."""
    cycle, patch = row["maintenance"] or {}, row.get("patch") or {}
    parts = []
    if patch.get("would_install"):
        parts.append(u"would patch: %d package(s)" % len(patch["would_install"]))
    if cycle.get("check_mode") and cycle.get("would_reboot"):
        # The window's arithmetic first ("fits: 3h00m left, needs 38m00s"): the reasons may be cut.
        parts.append(u"would restart%s: " % (u" (%s)" % cycle["window"] if cycle.get("window") else u"")
                     + (u", ".join(cycle.get("reasons_before") or []) or u"reason not recorded")
                     + (u" after the window's start at %s" % cycle["window_start"]
                        if (cycle.get("window_start") or u"") > (cycle.get("started") or u"") else u""))
    return u"; ".join(parts) or None


def why(row):
    """The first thing to know about a host: its worst issue, else what its cycle said, else its state.

    In a check run, what the run would have done comes first ("would patch", "would restart").
    """
    cycle = row["maintenance"] or {}
    if row["status"] == "not_run":
        return NOT_RUN_WHY
    would = _would(row)
    if would:
        return would
    if row["issues"]:
        text = row["issues"][0]["text"]
        if row["status"] == "rebooted" and cycle.get("boots"):
            text += u": " + u"; ".join(u", ".join(reason["id"] for reason in boot["reasons"] if reason.get("id"))
                                       or u"reason not recorded" for boot in cycle["boots"])
        return text
    if cycle.get("message"):
        return cycle["message"]
    if row["reboot_required"] is False:
        return u"no restart pending"
    return u""


def to_lines(report, location=None):
    """The table as a list of lines (no trailing newlines); ``location``: where the report files are."""
    summary = report["summary"]
    counts = u", ".join(u"%s=%d" % (status, summary["counts"][status]) for status in STATUSES
                        if summary["counts"][status])
    title = u"%s: %d host(s), %s; needs attention: %s" % (
        _one_line(title_with_run(report)), summary["total"], counts or u"none", u", ".join(summary["attention"]) or u"none")
    rows = [HEADER]
    for row in report["hosts"]:
        rows.append((_one_line(row["host"], 60), row["status"], restarts_cell(row["maintenance"]),
                     _one_line(why(row), WHY_LIMIT) or u"-"))
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(HEADER) - 1)]
    lines = [title]
    lines.extend(u"  ".join([cells[i].ljust(widths[i]) for i in range(len(widths))] + [cells[-1]]).rstrip()
                 for cells in rows)
    stopped = [u"%s (%s failed)" % (group, _one_line(row["host"], 60)) for row in report["hosts"]
               for group in (row["maintenance"] or {}).get("stopped_groups") or []]
    if stopped:
        lines.append(u"stopped restart groups (members not restarted were deferred): %s" % u", ".join(stopped))
    waited = [u"%s %s (%s to %s)" % (_one_line(row["host"], 60), human_seconds(wait["seconds"] or 0), wait["from"], wait["to"])
              for row in report["hosts"] for wait in [(row["maintenance"] or {}).get("window_start_wait")] if wait]
    if waited:
        lines.append(u"waited for the window's start before restarting: %s" % u", ".join(waited))
    for status in STATUSES:
        hosts = summary.get("hosts", {}).get(status) or []
        if hosts and status in NEXT_STEPS:
            lines.append(u"next, %s (%s): %s" % (
                status.replace(u"_", u" "), _one_line(u", ".join(hosts), 200), NEXT_STEPS[status].format(hosts=u":".join(hosts))))
    if location:
        lines.append(u"report: %s" % _one_line(location))
    return lines
