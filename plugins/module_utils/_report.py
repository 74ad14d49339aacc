# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report: PRIVATE to the collection.

Turns what a run knows about each host (``sophos_reboot`` facts, the ``sophos_reboot_cycle`` and
``sophos_patch`` results, whether the host was reached) into report rows, one status per host, an
attention ordering and a summary, and renders them as JSON-ready data, CSV, Markdown and one
self-contained HTML page.

Pure functions: no Ansible imports, no I/O. Everything that comes from a host is treated as
untrusted: wrong types are recorded in ``data_errors`` instead of raising, long strings are cut,
and every renderer escapes for its own format. The JSON schema is documented in docs/report.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import csv
import hashlib
import html
import io
import math
import re
from datetime import datetime, timezone

SCHEMA_VERSION = 1

# Worst first: a host's status is the first of these that applies to it.
STATUSES = (
    "unreachable",
    "failed",
    "still_pending",
    "unhealthy",
    "alert",
    "no_data",
    "not_run",
    "deferred",
    "pending",
    "rebooted",
    "ok",
)
ATTENTION_STATUSES = frozenset(("unreachable", "failed", "still_pending", "unhealthy", "alert", "no_data"))
STATUS_LABELS = {
    "unreachable": "Unreachable",
    "failed": "Failed",
    "still_pending": "Still pending",
    "unhealthy": "Sophos unhealthy",
    "alert": "Alert: long / urgent",
    "no_data": "No data",
    "not_run": "Not run yet",
    "pending": "Restart pending",
    "deferred": "Deferred",
    "rebooted": "Restarted",
    "ok": "OK",
}
RUN_STATES = ("ok", "failed", "unreachable", "not_run")
DEFAULT_ALERT_DAYS = 14.0
DEFAULT_MAX_TEXT = 1000
# Lists coming from hosts (reasons, package changes) can be long; the report keeps the first ones.
MAX_ITEMS = 200

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
)

_CONTROL = re.compile(u"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Reader:
    """Reads untrusted values, collecting a note for each one of the wrong type."""

    def __init__(self, max_text):
        self.max_text = max_text
        self.errors = []

    def _bad(self, field, value, expected):
        shown = self.text(repr(value), limit=80)
        self.errors.append(u"%s: expected %s, got %s" % (field, expected, shown))

    def text(self, value, field=None, limit=None):
        if value is None:
            return None
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        elif not isinstance(value, str):
            if isinstance(value, (dict, list, tuple, set)) and field is not None:
                self._bad(field, value, "a string")
                return None
            value = str(value)
        value = _CONTROL.sub(u"\ufffd", value)
        limit = self.max_text if limit is None else limit
        if len(value) > limit:
            value = u"%s\u2026 (%d more characters)" % (value[:limit], len(value) - limit)
        return value

    def number(self, value, field):
        if value is None:
            return None
        if isinstance(value, bool):
            self._bad(field, value, "a number")
            return None
        if isinstance(value, (int, float)):
            result = float(value)
        elif isinstance(value, str):
            try:
                result = float(value.strip())
            except ValueError:
                self._bad(field, value, "a number")
                return None
        else:
            self._bad(field, value, "a number")
            return None
        if math.isnan(result) or math.isinf(result):
            self._bad(field, value, "a finite number")
            return None
        return result

    def count(self, value, field):
        number = self.number(value, field)
        if number is None:
            return None
        if number < 0 or number != int(number):
            self._bad(field, value, "a whole number >= 0")
            return None
        return int(number)

    def flag(self, value, field):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
            return value.strip().lower() in ("true", "yes", "1")
        self._bad(field, value, "a boolean")
        return None

    def mapping(self, value, field):
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self._bad(field, value, "a mapping")
        return {}

    def items(self, value, field):
        if value is None:
            return []
        if isinstance(value, (list, tuple)):
            if len(value) > MAX_ITEMS:
                self.errors.append(u"%s: %d entries, only the first %d kept" % (field, len(value), MAX_ITEMS))
            return list(value[:MAX_ITEMS])
        self._bad(field, value, "a list")
        return []

    def records(self, value, field):
        """``(name, mapping)`` for each entry of a list of mappings, ``name`` as ``field[index]``."""
        for index, item in enumerate(self.items(value, field)):
            name = "%s[%d]" % (field, index)
            yield name, self.mapping(item, name)

    def texts(self, value, field):
        result = []
        for index, item in enumerate(self.items(value, field)):
            if isinstance(item, dict):
                item = item.get("id")
            item = self.text(item, field="%s[%d]" % (field, index))
            if item is not None:
                result.append(item)
        return result

    def choice(self, value, field, allowed):
        value = self.text(value, field=field, limit=80)
        if value is None:
            return None
        if value not in allowed:
            self._bad(field, value, "one of %s" % ", ".join(allowed))
            return None
        return value


def _reasons(read, value):
    reasons = []
    for field, item in read.records(value, "sophos_reboot.reasons"):
        if not item:
            continue
        reasons.append({
            "id": read.text(item.get("id"), field=field + ".id", limit=120) or u"unknown",
            "source": read.text(item.get("source"), field=field + ".source", limit=40),
            "strong": read.flag(item.get("strong"), field + ".strong"),
            "detail": read.text(item.get("detail"), field=field + ".detail"),
        })
    return reasons


def _sophos(read, value):
    sophos = read.mapping(value, "sophos_reboot.sophos")
    health = read.mapping(sophos.get("health"), "sophos_reboot.sophos.health")
    services = {}
    for name, state in sorted(read.mapping(health.get("services"), "sophos_reboot.sophos.health.services").items(),
                              key=lambda pair: str(pair[0])):
        services[read.text(name, limit=200)] = read.text(state, field="sophos_reboot.sophos.health.services", limit=40)
    queued = read.mapping(sophos.get("queued_update"), "sophos_reboot.sophos.queued_update")
    return {
        "installed": read.flag(sophos.get("installed"), "sophos_reboot.sophos.installed"),
        "product": read.text(sophos.get("product"), field="sophos_reboot.sophos.product", limit=80),
        "version": read.text(sophos.get("version"), field="sophos_reboot.sophos.version", limit=80),
        "reboot_required": read.flag(sophos.get("reboot_required"), "sophos_reboot.sophos.reboot_required"),
        "reboot_urgent": read.flag(sophos.get("reboot_urgent"), "sophos_reboot.sophos.reboot_urgent"),
        "updating": read.flag(sophos.get("updating"), "sophos_reboot.sophos.updating"),
        "last_update": read.text(sophos.get("last_update"), field="sophos_reboot.sophos.last_update", limit=80),
        "last_update_ok": read.flag(sophos.get("last_update_ok"), "sophos_reboot.sophos.last_update_ok"),
        "updated_since_boot": read.flag(sophos.get("updated_since_boot"), "sophos_reboot.sophos.updated_since_boot"),
        "queued_update_suspected": read.flag(queued.get("suspected"), "sophos_reboot.sophos.queued_update.suspected"),
        "health": read.text(health.get("overall"), field="sophos_reboot.sophos.health.overall", limit=40),
        "services": services,
    }


def _maintenance(read, value):
    cycle = read.mapping(value, "sophos_reboot_cycle")
    if not cycle:
        return None
    settles = []
    for field, item in read.records(cycle.get("settles"), "sophos_reboot_cycle.settles"):
        settles.append({
            "mode": read.text(item.get("mode"), field=field + ".mode", limit=20),
            "seconds": read.number(item.get("seconds"), field + ".seconds"),
            "ended": read.text(item.get("ended"), field=field + ".ended", limit=40),
        })
    return {
        "status": read.choice(cycle.get("status"), "sophos_reboot_cycle.status",
                              ("ok", "rebooted", "deferred", "failed", "still_pending")),
        "check_mode": read.flag(cycle.get("check_mode"), "sophos_reboot_cycle.check_mode"),
        "would_reboot": read.flag(cycle.get("would_reboot"), "sophos_reboot_cycle.would_reboot"),
        "restarts": read.count(cycle.get("restarts"), "sophos_reboot_cycle.restarts"),
        "reasons_before": read.texts(cycle.get("reasons_before"), "sophos_reboot_cycle.reasons_before"),
        "reasons_after": read.texts(cycle.get("reasons_after"), "sophos_reboot_cycle.reasons_after"),
        "settles": settles,
        "message": read.text(cycle.get("message"), field="sophos_reboot_cycle.message"),
        "started": read.text(cycle.get("started"), field="sophos_reboot_cycle.started", limit=80),
        "duration_seconds": read.number(cycle.get("duration_seconds"), "sophos_reboot_cycle.duration_seconds"),
    }


def _patch(read, value):
    patch = read.mapping(value, "sophos_patch")
    if not patch:
        return None
    return {
        "status": read.choice(patch.get("status"), "sophos_patch.status", ("patched", "unchanged", "skipped", "failed")),
        "changes": read.texts(patch.get("changes"), "sophos_patch.changes"),
        "reboot_required": read.flag(patch.get("reboot_required"), "sophos_patch.reboot_required"),
    }


def _days(value):
    return u"%.1f days" % value


def _issues(row, alert_days):
    """Every problem found on the host, worst first; the first one gives the host's status."""
    issues = []

    def add(status, ident, text):
        issues.append({"status": status, "id": ident, "text": text})

    run, cycle, patch, sophos = row["run"], row["maintenance"], row["patch"], row["sophos"]
    if run["state"] == "not_run":
        add("not_run", "not_run", run["message"] or u"not run yet")
    if run["state"] == "unreachable":
        add("unreachable", "unreachable", run["message"] or u"host could not be reached")
    elif run["state"] == "failed":
        add("failed", "run_failed", run["message"] or u"a task failed on this host")
    if cycle and cycle["status"] == "failed":
        add("failed", "maintenance_failed", cycle["message"] or u"the reboot cycle failed")
    if patch and patch["status"] == "failed":
        add("failed", "patch_failed", u"patching failed")
    if cycle and cycle["status"] == "still_pending":
        after = u", ".join(cycle["reasons_after"]) or u"unknown reason"
        add("still_pending", "still_pending",
            u"still pending after %s restart(s): %s" % (cycle["restarts"] if cycle["restarts"] is not None else u"?", after))
    if sophos["installed"]:
        if sophos["health"] in ("bad", "suspicious"):
            add("unhealthy", "sophos_health", u"Sophos health is %s" % sophos["health"])
        stopped = sorted(name for name, state in sophos["services"].items() if state != "running")
        if stopped:
            add("unhealthy", "sophos_services",
                u"Sophos services not running: %s" % u", ".join(u"%s (%s)" % (n, sophos["services"][n]) for n in stopped))
        if sophos["last_update_ok"] is False:
            add("unhealthy", "sophos_update_failed", u"the last Sophos update failed")
    if row["reboot_required"]:
        if row["urgent"]:
            add("alert", "urgent", u"Sophos marks the restart as urgent")
        if row["pending_days"] is not None and row["pending_days"] > alert_days:
            add("alert", "pending_too_long",
                u"restart pending for %s (alert after %s)" % (_days(row["pending_days"]), _days(alert_days)))
    if row["alert"] and not any(issue["status"] == "alert" for issue in issues):
        add("alert", "alert", u"the host reports an alert")
    if not row["has_facts"] and run["state"] == "ok":
        add("no_data", "no_facts", u"no sophos_reboot facts were gathered for this host")
    if row["reboot_required"]:
        strong = [reason["id"] for reason in row["reasons"] if reason["strong"]]
        add("pending", "pending", u"restart pending: %s" % (u", ".join(strong) or u"reason not given"))
    if cycle and cycle["status"] == "deferred":
        add("deferred", "deferred", cycle["message"] or u"deferred: the maintenance window was too short")
    if cycle and cycle["status"] == "rebooted" or (cycle and cycle["restarts"] and cycle["status"] == "ok"):
        add("rebooted", "rebooted", u"restarted %s time(s)" % cycle["restarts"])
    rank = dict((status, index) for index, status in enumerate(STATUSES))
    issues.sort(key=lambda issue: rank[issue["status"]])
    return issues


NOT_RUN_MESSAGE = u"not run yet: the host is in a later batch, or the run stopped before its batch"


def run_state(result=None, active=True, ran=True):
    """How the run went for a host: from a registered task result and whether the host is still active.

    A host that dropped out of the play without a result that says why was failed by some task.
    ``ran`` false: the host's batch (``serial``) has not started, so there is nothing to judge yet;
    that is ``not_run``, never a failure.
    """
    if not ran:
        return {"state": "not_run", "message": NOT_RUN_MESSAGE}
    state, message = "ok", None
    if isinstance(result, dict):
        if result.get("unreachable"):
            state = "unreachable"
        elif result.get("failed"):
            state = "failed"
        if state != "ok":
            message = result.get("msg")
    if state == "ok" and not active:
        state, message = "failed", u"the host failed or was unreachable earlier in this run"
    return {"state": state, "message": message}


def host_row(host, facts=None, cycle=None, patch=None, run=None, alert_days=DEFAULT_ALERT_DAYS,
             max_text=DEFAULT_MAX_TEXT):
    """One report row for one host. Never raises on odd input: problems land in ``data_errors``."""
    read = _Reader(max_text)
    name = read.text(host, limit=255)
    if not name:
        name = u"(unnamed host)"
        read.errors.append(u"host: no name given")
    run = read.mapping(run, "run")
    run_state = read.choice(run.get("state"), "run.state", RUN_STATES) or "ok"
    has_facts = facts is not None
    if has_facts and not isinstance(facts, dict):
        read.mapping(facts, "sophos_reboot")
        has_facts = False
    facts = facts if has_facts else {}
    os_facts = read.mapping(facts.get("os"), "sophos_reboot.os")
    sophos = _sophos(read, facts.get("sophos"))
    read_errors = []
    for field, item in read.records(facts.get("read_errors"), "sophos_reboot.read_errors"):
        read_errors.append({
            "source": read.text(item.get("source"), field=field + ".source", limit=200),
            "error": read.text(item.get("error"), field=field + ".error"),
        })
    row = {
        "host": name,
        "status": "ok",
        "attention": False,
        "issues": [],
        "run": {"state": run_state, "message": read.text(run.get("message"), field="run.message")},
        "has_facts": has_facts,
        "os": {
            "family": read.text(os_facts.get("family"), field="sophos_reboot.os.family", limit=40),
            "last_boot": read.text(os_facts.get("last_boot"), field="sophos_reboot.os.last_boot", limit=80),
            "uptime_days": read.number(os_facts.get("uptime_days"), "sophos_reboot.os.uptime_days"),
            "reboot_required": read.flag(os_facts.get("reboot_required"), "sophos_reboot.os.reboot_required"),
        },
        "reboot_required": read.flag(facts.get("reboot_required"), "sophos_reboot.reboot_required"),
        "reasons": _reasons(read, facts.get("reasons")),
        "pending_since": read.text(facts.get("pending_since"), field="sophos_reboot.pending_since", limit=80),
        "pending_days": read.number(facts.get("pending_days"), "sophos_reboot.pending_days"),
        "pending_since_source": read.text(facts.get("pending_since_source"),
                                          field="sophos_reboot.pending_since_source", limit=40),
        "urgent": sophos["reboot_urgent"],
        "alert": read.flag(facts.get("alert"), "sophos_reboot.alert"),
        "sophos": sophos,
        "maintenance": _maintenance(read, cycle),
        "patch": _patch(read, patch),
        "read_errors": read_errors,
        "data_errors": read.errors,
    }
    row["issues"] = _issues(row, alert_days)
    if row["issues"]:
        row["status"] = row["issues"][0]["status"]
    row["attention"] = row["status"] in ATTENTION_STATUSES
    return row


def sort_rows(rows):
    """Worst status first; within a status the longest pending first, then by name."""
    rank = dict((status, index) for index, status in enumerate(STATUSES))
    return sorted(rows, key=lambda row: (rank[row["status"]], -(row["pending_days"] or 0.0), row["host"]))


def summarize(rows):
    """Counts and host lists by status: the ``set_stats`` payload AWX workflows branch on."""
    counts = dict((status, 0) for status in STATUSES)
    hosts = dict((status, []) for status in STATUSES)
    for row in rows:
        counts[row["status"]] += 1
        hosts[row["status"]].append(row["host"])
    return {
        "total": len(rows),
        "counts": counts,
        "hosts": hosts,
        "attention": [row["host"] for row in rows if row["attention"]],
        "reboot_required": [row["host"] for row in rows if row["reboot_required"]],
        "restarts": sum((row["maintenance"] or {}).get("restarts") or 0 for row in rows),
    }


def build_report(entries, alert_days=DEFAULT_ALERT_DAYS, generated=None, title=None, max_text=DEFAULT_MAX_TEXT):
    """The whole report from per-host entries.

    ``entries``: iterable of mappings ``{host, facts, cycle, patch, run: {state, message}}``, where
    ``facts`` is ``sophos_reboot`` (or None when the host has none) and ``cycle`` / ``patch`` are
    ``sophos_reboot_cycle`` / ``sophos_patch`` when the maintenance ran.
    """
    if isinstance(alert_days, bool) or not isinstance(alert_days, (int, float)) or alert_days <= 0:
        raise ValueError("alert_days must be a number greater than 0, got %r" % (alert_days,))
    if isinstance(max_text, bool) or not isinstance(max_text, int) or max_text < 20:
        raise ValueError("max_text must be a whole number of at least 20, got %r" % (max_text,))
    if generated is None:
        generated = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    rows, seen = [], set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            entry = {"host": "(entry %d)" % index, "facts": entry}
        row = host_row(entry.get("host"), facts=entry.get("facts"), cycle=entry.get("cycle"),
                       patch=entry.get("patch"), run=entry.get("run"), alert_days=alert_days, max_text=max_text)
        if row["host"] in seen:
            row["data_errors"].append(u"host: listed more than once")
        seen.add(row["host"])
        rows.append(row)
    rows = sort_rows(rows)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "fleetops.sophos.report",
        "title": str(title) if title else u"Sophos restart report",
        "generated": str(generated),
        "alert_days": float(alert_days),
        "statuses": list(STATUSES),
        "summary": summarize(rows),
        "hosts": rows,
    }


# ---------------------------------------------------------------------------------------------
# Renderers. Each escapes for its own format; none trusts a host-supplied string.


def _fmt(value):
    if value is None:
        return u""
    if isinstance(value, bool):
        return u"yes" if value else u"no"
    if isinstance(value, float):
        return (u"%.2f" % value).rstrip(u"0").rstrip(u".")
    if isinstance(value, (list, tuple)):
        return u"; ".join(_fmt(item) for item in value)
    return str(value)


def _csv_cell(value):
    if isinstance(value, bool):
        return u"true" if value else u"false"
    text = _fmt(value)
    # Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
    if text[:1] in (u"=", u"+", u"-", u"@", u"\t", u"\r") and not isinstance(value, (int, float)):
        text = u"'" + text
    return text


def _reason_text(reason):
    text = reason["id"]
    if reason["detail"]:
        text += u" (%s)" % reason["detail"]
    if not reason["strong"]:
        text += u" [weak]"
    return text


def csv_values(row):
    """The CSV cells of one row, in CSV_COLUMNS order, before spreadsheet quoting."""
    cycle = row["maintenance"] or {}
    patch = row["patch"] or {}
    sophos = row["sophos"]
    return (
        row["host"], row["status"], row["attention"], [issue["text"] for issue in row["issues"]],
        row["run"]["state"], row["os"]["family"], row["reboot_required"], row["pending_days"],
        row["pending_since"], row["urgent"], [_reason_text(reason) for reason in row["reasons"]],
        cycle.get("restarts"), cycle.get("status"), cycle.get("reasons_before"), cycle.get("reasons_after"),
        cycle.get("message"), patch.get("status"), patch.get("changes"), sophos["installed"],
        sophos["product"], sophos["version"], sophos["last_update"], sophos["last_update_ok"],
        sophos["health"], row["os"]["last_boot"], row["os"]["uptime_days"],
    )


def to_csv(report):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report["hosts"]:
        writer.writerow([_csv_cell(value) for value in csv_values(row)])
    return out.getvalue()


def _first_seen(row, text):
    """The age counts only from the first run that saw the restart pending (no source gave a time)."""
    return text if row.get("pending_days") is not None and row.get("pending_since_source") == u"first_seen" else u""


def _md(value):
    text = _fmt(value)
    text = html.escape(text, quote=False).replace(u"|", u"\\|").replace(u"`", u"\\`")
    text = text.replace(u"[", u"\\[").replace(u"]", u"\\]").replace(u"*", u"\\*").replace(u"_", u"\\_")
    return re.sub(u"[\r\n]+", u" ", text)


def to_markdown(report):
    summary = report["summary"]
    lines = [
        u"# %s" % _md(report["title"]),
        u"",
        u"Generated %s; %d host(s); restart alert after %s." % (
            _md(report["generated"]), summary["total"], _days(report["alert_days"])),
        u"",
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
        u"| Host | Status | Pending (days) | Reasons | Restarts | Sophos version | Last update | Health |",
        u"|---|---|---:|---|---:|---|---|---|",
    ]
    for row in report["hosts"]:
        cycle = row["maintenance"] or {}
        lines.append(u"| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            _md(row["host"]), STATUS_LABELS[row["status"]], _md(row["pending_days"]) + _first_seen(row, u" (since first seen)"),
            _md([_reason_text(reason) for reason in row["reasons"]]), _md(cycle.get("restarts")),
            _md(row["sophos"]["version"]), _md(row["sophos"]["last_update"]), _md(row["sophos"]["health"])))
    return u"\n".join(lines) + u"\n"


_HTML_SCRIPT = r"""
(function () {
  "use strict";
  var table = document.getElementById("hosts");
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function key(row, col, numeric) {
    var value = row.cells[col].getAttribute("data-sort");
    if (numeric) { return value === "" ? -Infinity : parseFloat(value); }
    return value.toLowerCase();
  }
  Array.prototype.forEach.call(heads, function (head, col) {
    head.addEventListener("click", function () {
      var numeric = head.getAttribute("data-type") === "num";
      var descending = head.getAttribute("aria-sort") === "ascending";
      Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
      head.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, col, numeric), y = key(b, col, numeric);
        var order = x < y ? -1 : (x > y ? 1 : 0);
        if (order === 0) { order = Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index")); }
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  var tiles = document.querySelectorAll("[data-filter]");
  Array.prototype.forEach.call(tiles, function (tile) {
    tile.addEventListener("click", function () {
      var wanted = tile.getAttribute("data-filter");
      Array.prototype.forEach.call(tiles, function (t) { t.classList.toggle("active", t === tile); });
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = wanted !== "all" && row.getAttribute("data-status") !== wanted;
      });
    });
  });
  // "#sort=<column>[-desc]&filter=<status>" makes a sorted or filtered view bookmarkable.
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    var pair = part.split("=");
    if (pair[0] === "sort") {
      var spec = /^(\d+)(-desc)?$/.exec(pair[1] || "");
      if (spec && heads[Number(spec[1])]) {
        heads[Number(spec[1])].click();
        if (spec[2]) { heads[Number(spec[1])].click(); }
      }
    } else if (pair[0] === "filter") {
      var tile = document.querySelector('[data-filter="' + (pair[1] || "").replace(/[^a-z_]/g, "") + '"]');
      if (tile) { tile.click(); }
    }
  });
  document.documentElement.setAttribute("data-ready", "1");
}());
"""

_HTML_STYLE = u"""
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:16px 24px;color:#1d2733;background:#f5f7fa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 8px}
.meta{color:#5b6776;margin-bottom:14px}
.tiles{display:flex;flex-wrap:wrap;gap:8px}
.tile{border:1px solid #d5dbe3;border-left:6px solid var(--c);background:#fff;border-radius:6px;padding:6px 12px;
min-width:92px;cursor:pointer;text-align:left;font:inherit;color:inherit}
.tile.zero{opacity:.45}.tile.active{box-shadow:0 0 0 2px #1d2733}
.tile .n{display:block;font-size:22px;font-weight:600}.tile .l{font-size:12px;color:#5b6776}
ul.attention{background:#fff;border:1px solid #d5dbe3;border-radius:6px;padding:8px 12px 8px 30px;margin:0}
ul.attention li{margin:3px 0}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d5dbe3}
th,td{padding:5px 8px;border-bottom:1px solid #e4e8ee;text-align:left;vertical-align:top}
th{background:#eef1f5;cursor:pointer;user-select:none;white-space:nowrap;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td .c{max-width:210px;overflow-wrap:break-word}
.scroll{overflow-x:auto}table{font-size:13px}
td:nth-child(8) .c,td:nth-child(9) .c{white-space:nowrap}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;color:#fff;background:var(--c);font-size:12px;white-space:nowrap}
.bar{position:relative;width:130px;height:14px;background:#e4e8ee;border-radius:3px;overflow:hidden}
.bar span{position:absolute;left:0;top:0;bottom:0;background:var(--c)}
.bar i{position:absolute;top:0;bottom:0;width:2px;background:#1d2733;opacity:.5}
.days{font-size:12px;color:#5b6776}
.small{font-size:12px;color:#5b6776}
.issues{margin:2px 0 0;padding-left:16px;font-size:12px;color:#8a1c1c}
"""

_STATUS_COLOURS = {
    "unreachable": "#6b2d8c",
    "failed": "#b3261e",
    "still_pending": "#d14900",
    "unhealthy": "#c2185b",
    "alert": "#e07b00",
    "no_data": "#6d7785",
    "not_run": "#9aa3ad",
    "pending": "#c9a100",
    "deferred": "#3b6fb6",
    "rebooted": "#2e7d32",
    "ok": "#4caf50",
}


def _h(value):
    return html.escape(_fmt(value), quote=True)


def _csp_hash(text):
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _badge(status):
    return u'<span class="badge" style="--c:%s">%s</span>' % (_STATUS_COLOURS[status], _h(STATUS_LABELS[status]))


def _td(sort, main, small=u""):
    """A cell: ``main`` and ``small`` are HTML already escaped by the caller; ``sort`` is raw text."""
    if small:
        main += u'<div class="small">%s</div>' % small
    return u'<td data-sort="%s"><div class="c">%s</div></td>' % (_h(sort), main)


_NONE = u'<span class="small">\u2013</span>'
_ISO = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?(Z|[+-]00:?00)$")


def _when(value):
    """An ISO date-time in UTC shown short; anything else shown as it came."""
    match = _ISO.match(value or u"")
    if not match:
        return _h(value)
    return u"%s %s<span class=\"small\">Z</span>" % (match.group(1), match.group(2))


def _pending_cell(row, alert_days):
    days = row["pending_days"]
    if days is None:
        return _td(u"0" if row["reboot_required"] else u"",
                   u'<span class="small">age unknown</span>' if row["reboot_required"] else _NONE)
    width = min(100.0, max(0.0, days / (alert_days * 2.0) * 100.0))
    colour = "#b3261e" if days > alert_days else ("#e07b00" if days > alert_days / 2.0 else "#c9a100")
    gauge = (u'<div class="bar" title="%s"><span style="--c:%s;width:%.1f%%"></span><i style="left:50%%"></i></div>'
             % (_h(_days(days)), colour, width))
    return _td(u"%.3f" % days, gauge, _h(_days(days)) + _first_seen(row, u", since first seen"))


def _short(text, limit=300):
    """Page cells stay readable; the JSON and CSV keep the text up to report_max_text."""
    return text if len(text) <= limit else text[:limit] + u"\u2026"


def _list_html(items):
    return u"<br>".join(_h(item) for item in items)


def _row_html(index, row, alert_days):
    cycle = row["maintenance"]
    patch = row["patch"]
    sophos = row["sophos"]
    # Pending reasons and restarts have their own columns; everything else wrong is listed by the name.
    notes = [issue["text"] for issue in row["issues"] if issue["status"] not in ("pending", "rebooted")]
    notes.extend(u"could not read %s: %s" % (item["source"], item["error"]) for item in row["read_errors"])
    notes.extend(u"odd value ignored: %s" % error for error in row["data_errors"])
    host = _h(row["host"])
    if notes:
        host += u'<ul class="issues">%s</ul>' % u"".join(u"<li>%s</li>" % _h(note) for note in notes)
    cells = [
        _td(row["host"], host),
        _td(u"%d" % STATUSES.index(row["status"]), _badge(row["status"])),
        _pending_cell(row, alert_days),
        _td(u" ".join(reason["id"] for reason in row["reasons"]),
            _list_html(_short(_reason_text(reason)) for reason in row["reasons"]) or _NONE),
    ]
    if cycle:
        why = []
        if cycle["reasons_before"]:
            why.append(u"why: " + u", ".join(cycle["reasons_before"]))
        if cycle["reasons_after"]:
            why.append(u"left: " + u", ".join(cycle["reasons_after"]))
        why.extend(u"settle %s%s, %s" % (settle["mode"] or u"?",
                                         u" %d s" % settle["seconds"] if settle["seconds"] is not None else u"",
                                         settle["ended"] or u"?") for settle in cycle["settles"])
        restarts = u"" if cycle["restarts"] is None else u"%d" % cycle["restarts"]
        cells.append(_td(restarts, _h(restarts or u"?"), _list_html(why)))
        detail = cycle["status"] or u"?"
        if cycle["check_mode"]:
            detail += u" (check mode%s)" % (u", would restart" if cycle["would_reboot"] else u"")
        maintenance = [cycle["message"]] if cycle["message"] else []
    else:
        cells.append(_td(u"", _NONE))
        detail, maintenance = None, []
    if patch:
        maintenance.append(u"patch: %s%s" % (patch["status"] or u"?", u", %d change(s)" % len(patch["changes"])
                                             if patch["changes"] else u""))
    if detail is None and not patch:
        cells.append(_td(u"", u'<span class="small">not run</span>'))
    else:
        cells.append(_td(detail or u"", _h(detail or u"\u2013"), _list_html(maintenance)))
    version = u"not installed" if sophos["installed"] is False else (sophos["version"] or u"")
    stopped = [u"%s: %s" % (name, state) for name, state in sorted(sophos["services"].items()) if state != "running"]
    health = [u"health: %s" % sophos["health"]] if sophos["health"] else []
    cells.append(_td(version, _h(version), _list_html([sophos["product"] or u""] + health + stopped)))
    cells.append(_td(sophos["last_update"], _when(sophos["last_update"]),
                     u"failed" if sophos["last_update_ok"] is False else u""))
    cells.append(_td(row["os"]["last_boot"], _when(row["os"]["last_boot"]), _h(row["os"]["family"])))
    return u'<tr data-index="%d" data-status="%s" data-host="%s">%s</tr>' % (
        index, _h(row["status"]), _h(row["host"]), u"".join(cells))


def to_html(report):
    """One self-contained page: no external assets, works offline, scripts limited by a CSP hash."""
    summary = report["summary"]
    alert_days = report["alert_days"]
    tiles = [u'<button type="button" class="tile active" data-filter="all" style="--c:#1d2733">'
             u'<span class="n">%d</span><span class="l">All hosts</span></button>' % summary["total"]]
    for status in STATUSES:
        count = summary["counts"][status]
        tiles.append(u'<button type="button" class="tile%s" data-filter="%s" data-count="%d" style="--c:%s">'
                     u'<span class="n">%d</span><span class="l">%s</span></button>' % (
                         u"" if count else u" zero", status, count, _STATUS_COLOURS[status], count,
                         _h(STATUS_LABELS[status])))
    attention = [row for row in report["hosts"] if row["attention"]]
    if attention:
        items = u"".join(u'<li data-host="%s">%s <b>%s</b>: %s</li>' % (
            _h(row["host"]), _badge(row["status"]), _h(row["host"]),
            _h(u"; ".join(issue["text"] for issue in row["issues"]))) for row in attention)
        attention_html = u'<ul class="attention" id="attention">%s</ul>' % items
    else:
        attention_html = u'<p id="attention">Nothing needs attention.</p>'
    heads = (
        (u"Host", u"text"), (u"Status", u"num"), (u"Pending", u"num"), (u"Reasons", u"text"),
        (u"Restarts", u"num"), (u"Maintenance", u"text"), (u"Sophos", u"text"),
        (u"Last update", u"text"), (u"Last boot", u"text"),
    )
    head_html = u"".join(u'<th data-type="%s" scope="col">%s</th>' % (kind, _h(label)) for label, kind in heads)
    rows_html = u"\n".join(_row_html(index, row, alert_days) for index, row in enumerate(report["hosts"]))
    csp = (u"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '%s'; "
           u"base-uri 'none'; form-action 'none'") % _csp_hash(_HTML_SCRIPT)
    return u"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="%(csp)s">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="fleetops.sophos.report schema %(schema)d">
<title>%(title)s</title>
<style>%(style)s</style>
</head>
<body>
<h1>%(title)s</h1>
<div class="meta">Generated %(generated)s &middot; %(total)d host(s) &middot; restart alert after %(alert)s
&middot; click a count to filter, a column heading to sort</div>
<div class="tiles" id="counts">%(tiles)s</div>
<h2>Needs attention (%(attention_count)d)</h2>
%(attention)s
<h2>Hosts</h2>
<div class="scroll"><table id="hosts">
<thead><tr>%(heads)s</tr></thead>
<tbody>
%(rows)s
</tbody>
</table></div>
<script>%(script)s</script>
</body>
</html>
""" % {
        "csp": _h(csp),
        "schema": report["schema_version"],
        "title": _h(report["title"]),
        "style": _HTML_STYLE,
        "generated": _h(report["generated"]),
        "total": summary["total"],
        "alert": _h(_days(alert_days)),
        "tiles": u"".join(tiles),
        "attention_count": len(attention),
        "attention": attention_html,
        "heads": head_html,
        "rows": rows_html,
        "script": _HTML_SCRIPT,
    }
