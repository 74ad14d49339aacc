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

from ansible_collections.fleetops.sophos.plugins.module_utils._report import STATUSES, format_value

WHY_LIMIT = 100
HEADER = (u"HOST", u"STATUS", u"RESTARTS", u"WHY")


def _one_line(value, limit=None):
    text = re.sub(u"\\s+", u" ", format_value(value)).strip()
    if limit and len(text) > limit:
        text = text[:limit - 1] + u"\u2026"
    return text


def why(row):
    """The first thing to know about a host: its worst issue, else what its cycle said, else its state."""
    cycle = row["maintenance"] or {}
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
    title = u"%s%s: %d host(s), %s; needs attention: %s" % (
        _one_line(report["title"]), u" (check run)" if report.get("check_mode") is True else u"",
        summary["total"], counts or u"none", u", ".join(summary["attention"]) or u"none")
    rows = [HEADER]
    for row in report["hosts"]:
        restarts = (row["maintenance"] or {}).get("restarts")
        rows.append((_one_line(row["host"], 60), row["status"],
                     u"-" if restarts is None else u"%d" % restarts, _one_line(why(row), WHY_LIMIT) or u"-"))
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(HEADER) - 1)]
    lines = [title]
    lines.extend(u"  ".join([cells[i].ljust(widths[i]) for i in range(len(widths))] + [cells[-1]]).rstrip()
                 for cells in rows)
    stopped = [u"%s (%s failed)" % (group, _one_line(row["host"], 60)) for row in report["hosts"]
               for group in (row["maintenance"] or {}).get("stopped_groups") or []]
    if stopped:
        lines.append(u"stopped restart groups (members not restarted were deferred): %s" % u", ".join(stopped))
    if location:
        lines.append(u"report: %s" % _one_line(location))
    return lines
