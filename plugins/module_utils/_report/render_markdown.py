# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report as Markdown (a ticket or chat): PRIVATE to the collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import re

from ansible_collections.fleetops.sophos.plugins.module_utils._report.model import STATUS_LABELS, STATUSES
from ansible_collections.fleetops.sophos.plugins.module_utils._report.text import (
    central_cell, central_note, days_text, first_seen, format_value, health_word, reason_text, restart_text,
    restarts_cell, silence_text, title_with_run)


def _md(value):
    text = format_value(value)
    text = html.escape(text, quote=False).replace(u"|", u"\\|").replace(u"`", u"\\`")
    text = text.replace(u"[", u"\\[").replace(u"]", u"\\]").replace(u"*", u"\\*").replace(u"_", u"\\_")
    return re.sub(u"[\r\n]+", u" ", text)


def to_markdown(report):
    summary = report["summary"]
    lines = [
        u"# %s" % _md(title_with_run(report)),
        u"",
    ]
    if report.get("check_mode") is True:
        lines += [u"**Check run** (`--check`): nothing was changed on the hosts; the latest real report is left "
                  u"as it was.", u""]
    lines += [
        u"Generated %s; %d host(s); restart alert after %s." % (
            _md(report["generated"]), summary["total"], days_text(report["alert_days"])),
        u"",
    ]
    note = central_note(report)
    if note:
        lines += [_md(note), u""]
    lines += [
        u"| Status | Hosts |",
        u"|---|---:|",
    ]
    lines.extend(u"| %s | %d |" % (STATUS_LABELS[status], summary["counts"][status])
                 for status in STATUSES if summary["counts"][status])
    lines += [u"", u"## Needs attention", u""]
    attention = [row for row in report["hosts"] if row["attention"]]
    if not attention:
        lines.append(u"Nothing needs attention.")
    for row in attention:
        texts = u"; ".join(_md(issue["text"]) for issue in row["issues"])
        lines.append(u"- **%s** (%s): %s" % (_md(row["host"]), STATUS_LABELS[row["status"]], texts))
    lines += [
        u"",
        u"## Hosts",
        u"",
        u"| Host | Status | Pending (days) | Reasons | Restarts | Sophos version | Last update | Health | Central alert |",
        u"|---|---|---:|---|---:|---|---|---|---|",
    ]
    for row in report["hosts"]:
        cycle = row["maintenance"] or {}
        lines.append(u"| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            _md(row["host"]), STATUS_LABELS[row["status"]],
            _md(row["pending_days"]) + (u" (since first seen)" if first_seen(row) else u""),
            _md([reason_text(reason) for reason in row["reasons"]]),
            _md(restarts_cell(cycle) if cycle else None),
            _md(row["sophos"]["version"]), _md(row["sophos"]["last_update"]), _md(health_word(row)[0]),
            _md(central_cell(row))))
    lines.extend(_restarts(report))
    return u"\n".join(lines) + u"\n"


def _restarts(report):
    """Why and when each host was restarted: one line per restart (``maintenance.boots``)."""
    restarted = [row for row in report["hosts"] if (row["maintenance"] or {}).get("boots")]
    if not restarted:
        return []
    lines = [u"", u"## Restarts", u""]
    for row in restarted:
        lines.append(u"- **%s**" % _md(row["host"]))
        lines.extend(u"  - %s" % _md(restart_text(boot)) for boot in row["maintenance"]["boots"])
        if row["maintenance"].get("silence"):
            lines.append(u"  - %s" % _md(silence_text(row["maintenance"]["silence"])))
    return lines
