# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""History of the fleet report: PRIVATE to the collection.

Names of a run's files, which runs to prune, and the data of ``index.html`` (runs and trend) read
from the runs' JSON reports. Pure functions: the role lists, reads and deletes the files.

A run's files are ``<basename>-<YYYYmmddTHHMMSSZ>-<token>[-check].<ext>``: the UTC time the run
started, then a random token, so that two runs started in the same second never share a name.
The latest real run is also ``<basename>.<ext>``, the latest check run ``<basename>-check.<ext>``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.fleetops.sophos.plugins.module_utils._time import iso_to_epoch

EXTENSIONS = {"json": "json", "csv": "csv", "markdown": "md", "html": "html"}
INDEX_NAME = "index.html"
_TOKEN = re.compile(r"^[0-9a-f]{4,16}$")
_BASENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _check_basename(basename):
    if not isinstance(basename, str) or not _BASENAME.match(basename):
        raise ValueError("report_basename must be a file name of letters, digits, '.', '_' and '-' "
                         "(no directory), got %r" % (basename,))


# The kind of run each of the collection's playbooks makes (the report's run.kind); another play's is None.
KINDS = {"fleetops.sophos.maintenance": "maintenance", "fleetops.sophos.restart": "restart",
         "fleetops.sophos.facts": "facts"}


def new_run(started, token, check_mode=False, playbook=None, basename="sophos-report"):
    """The run's identity: ``{id, started, check_mode, playbook, kind, stem, latest}``.

    ``started``: ISO 8601 UTC date-time the run started; ``token``: 4 to 16 lower-case hex digits,
    random per run. ``kind`` is the playbook's (KINDS): maintenance, restart (a restart-only run), facts,
    or None. ``stem`` names this run's files, ``latest`` the fixed name it also writes.
    """
    _check_basename(basename)
    epoch = iso_to_epoch(started)
    if epoch is None or not re.search(r"(Z|[+-]00:?00)$", started.strip()):
        raise ValueError("the run's start must be an ISO 8601 date-time in UTC (ending in Z), got %r" % (started,))
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise ValueError("the run token must be 4 to 16 lower-case hex digits, got %r" % (token,))
    stamp = re.sub(r"[-:]", "", started.strip()[:19]) + "Z"
    run_id = "%s-%s" % (stamp, token)
    check = bool(check_mode)
    suffix = "-check" if check else ""
    return {
        "id": run_id,
        "started": started.strip(),
        "check_mode": check,
        "playbook": str(playbook) if playbook else None,
        "kind": KINDS.get(str(playbook).strip()) if playbook else None,
        "stem": "%s-%s%s" % (basename, run_id, suffix),
        "latest": basename + suffix,
    }


def parse_name(name, basename="sophos-report"):
    """``(run_id, check_mode, ext)`` of a run's file name, ``None`` for any other file."""
    match = re.match(r"^%s-(\d{8}T\d{6}Z-[0-9a-f]{4,16})(-check)?\.(json|csv|md|html)$" % re.escape(basename),
                     name or "")
    if not match:
        return None
    return match.group(1), bool(match.group(2)), match.group(3)


def runs_in(names, basename="sophos-report"):
    """The runs found among file names, newest first: ``[{id, check_mode, files: [name]}]``."""
    runs = {}
    for name in names:
        parsed = parse_name(name, basename)
        if parsed is None:
            continue
        run_id, check, _ext = parsed
        entry = runs.setdefault((run_id, check), {"id": run_id, "check_mode": check, "files": []})
        entry["files"].append(name)
    for entry in runs.values():
        entry["files"].sort()
    return sorted(runs.values(), key=lambda run: (run["id"][:16], run["id"], run["check_mode"]), reverse=True)


def to_prune(names, keep, current=None, basename="sophos-report"):
    """File names of the runs beyond the newest ``keep`` (0 keeps every run); never the ``current`` run."""
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
        raise ValueError("report_keep must be a whole number >= 0 (0 keeps every run), got %r" % (keep,))
    if keep == 0:
        return []
    runs = runs_in(names, basename)
    current_key = None
    if current:
        current_key = (current["id"], bool(current["check_mode"]))
    kept, pruned = 0, []
    if current_key is not None and any((run["id"], run["check_mode"]) == current_key for run in runs):
        kept = 1
    for run in runs:
        if (run["id"], run["check_mode"]) == current_key:
            continue
        if kept < keep:
            kept += 1
        else:
            pruned.extend(run["files"])
    return sorted(pruned)


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _over(row, alert_days):
    """The host's restart has been pending longer than the report's alert age."""
    days = row.get("pending_days")
    if row.get("reboot_required") is not True or alert_days is None or isinstance(days, bool):
        return False
    return isinstance(days, (int, float)) and days > alert_days


def _blank_entry(name, basename):
    parsed = parse_name(name, basename)
    run_id, check, _ext = parsed if parsed else (None, False, None)
    return {"id": run_id, "file": name, "check_mode": check, "started": None, "generated": None,
            "playbook": None, "total": 0, "counts": {}, "pending": 0, "alerting": 0, "failed": 0, "error": None}


def entry_of(name, report, basename="sophos-report"):
    """One run of the index from its report (``name``: its JSON file's name, ``report``: the parsed JSON)."""
    entry = _blank_entry(name, basename)
    if not isinstance(report, dict) or report.get("kind") != "fleetops.sophos.report":
        entry["error"] = u"not a fleetops.sophos report"
        return entry
    run = report.get("run") if isinstance(report.get("run"), dict) else {}
    summary = report.get("summary") if isinstance(report.get("summary"), dict) else {}
    counts = summary.get("counts") if isinstance(summary.get("counts"), dict) else {}
    hosts = report.get("hosts") if isinstance(report.get("hosts"), list) else []
    alert_days = report.get("alert_days") if isinstance(report.get("alert_days"), (int, float)) else None
    rows = [row for row in hosts if isinstance(row, dict)]
    entry.update({
        "started": run.get("started") if isinstance(run.get("started"), str) else None,
        "generated": report.get("generated") if isinstance(report.get("generated"), str) else None,
        "playbook": run.get("playbook") if isinstance(run.get("playbook"), str) else None,
        "total": _count(summary.get("total")),
        "counts": dict((str(key), _count(value)) for key, value in counts.items()),
        "pending": sum(1 for row in rows if row.get("reboot_required") is True),
        "alerting": sum(1 for row in rows if _over(row, alert_days)),
        "failed": _count(counts.get("failed")) + _count(counts.get("unreachable")),
    })
    if "check_mode" in report:
        entry["check_mode"] = report.get("check_mode") is True
    return entry


def index_entry(name, text, basename="sophos-report"):
    """One run of the index from its JSON report file (``name``, content ``text``).

    A file that is not a report (unreadable JSON, another kind) is kept with ``error`` set, so the
    index shows it rather than dropping it silently.
    """
    try:
        report = json.loads(text)
    except ValueError as exc:
        entry = _blank_entry(name, basename)
        entry["error"] = u"not JSON: %s" % exc
        return entry
    return entry_of(name, report, basename)


# A run's summary, ``<stem>.summary.json`` beside its files: what the index shows of the run, so the index
# reads a few hundred bytes per kept run instead of each run's whole report.
SUMMARY_SUFFIX = ".summary.json"
SUMMARY_KIND = "fleetops.sophos.report-summary"
SUMMARY_VERSION = 1
_ENTRY_KEYS = ("id", "file", "check_mode", "started", "generated", "playbook", "total", "counts", "pending",
               "alerting", "failed")


def summary_name(json_name):
    """``<stem>.summary.json`` of a run's ``<stem>.json``."""
    return json_name[:-len(".json")] + SUMMARY_SUFFIX


def summary_of(name, report, basename="sophos-report"):
    """The summary of a run (its JSON file's ``name``, its ``report``), or ``None`` when it is no report."""
    entry = entry_of(name, report, basename)
    if entry["error"]:
        return None
    summary = dict((key, entry[key]) for key in _ENTRY_KEYS)
    attention = (report.get("summary") or {}).get("attention")
    summary.update(kind=SUMMARY_KIND, version=SUMMARY_VERSION,
                   attention=[str(host) for host in attention] if isinstance(attention, list) else [])
    return summary


def entry_from_summary(name, text):
    """The index entry of the run whose JSON file is ``name`` from its summary's ``text``; ``None`` when the
    summary is unreadable, of another version or of another run (then the run's report is read instead)."""
    try:
        summary = json.loads(text)
    except ValueError:
        return None
    if (not isinstance(summary, dict) or summary.get("kind") != SUMMARY_KIND
            or summary.get("version") != SUMMARY_VERSION or summary.get("file") != name
            or any(key not in summary for key in _ENTRY_KEYS)):
        return None
    entry = dict((key, summary[key]) for key in _ENTRY_KEYS)
    entry["error"] = None
    return entry


def orphan_summaries(names, basename="sophos-report"):
    """Summaries among ``names`` whose run has no JSON report among them (its run was pruned or removed)."""
    present = set(names)
    return sorted(name for name in names
                  if name.endswith(SUMMARY_SUFFIX) and name[:-len(SUMMARY_SUFFIX)] + ".json" not in present
                  and parse_name(name[:-len(SUMMARY_SUFFIX)] + ".json", basename) is not None)


def index_from_entries(entries):
    """The index from the runs' entries: runs newest first and the trend.

    ``trend`` holds the real runs (check runs only describe what a run would do), oldest first,
    each ``{id, started, pending, alerting, failed}``.
    """
    entries = list(entries)

    def when(entry):
        return iso_to_epoch(entry["started"] or u"") or 0.0, entry["id"] or u""

    entries.sort(key=when, reverse=True)
    trend = [dict((key, entry[key]) for key in ("id", "started", "pending", "alerting", "failed"))
             for entry in reversed(entries) if not entry["check_mode"] and not entry["error"]]
    return {"runs": entries, "trend": trend}


def index_data(files, basename="sophos-report"):
    """The index from ``[(name, text)]`` of the runs' JSON files (see index_from_entries)."""
    return index_from_entries(index_entry(name, text, basename) for name, text in files)
