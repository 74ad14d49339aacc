# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: notifications (``report_notify``) - the targets' check and the messages.

A target is a mapping with a ``type`` (``webhook``, ``teams``, ``slack``, ``email``) and ``events``
(``summary`` by default; the per-host events are opt-in). check_targets() names every problem of every
target at once; normalize_targets() gives the checked targets with their defaults. The messages are
built here from a summary (the report's) or one host's cycle record: message() is what every type says
(counts first, then the hosts that need attention and why, then where the report is), and webhook(),
teams(), slack() and email_text() shape it for each receiver. Sending is ``plugin_utils/_notify.py``.

The URLs and SMTP passwords of the targets are secrets: nothing built here holds them, a target is named
by redacted() (its ``name``, else its type and the URL's scheme and host).

Pure Python, no Ansible imports, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.fleetops.sophos.plugins.module_utils import _settings

# The webhook payload's schema (docs/notify.md); a change that breaks a reader gets a new version.
SCHEMA = "fleetops.sophos.notify/v1"
TYPES = ("webhook", "teams", "slack", "email")
HTTP_TYPES = ("webhook", "teams", "slack")
HOST_EVENTS = ("restarting", "restarted", "still_pending", "failed", "deferred", "group_stopped")
EVENTS = ("summary",) + HOST_EVENTS
SECURE = ("starttls", "always", "try", "never")
DEFAULT_TIMEOUT = 10
MAX_TIMEOUT = 60
# The longest text of one host's reason in a message (chat cards stay readable).
REASON_LIMIT = 300
# The most hosts named in a message's attention list; the rest are counted.
MAX_HOSTS = 25
CHECK_MARK = "[check mode] "

# Each type's keys: required, and the optional ones with their defaults.
_COMMON = {"type": None, "name": None, "events": ["summary"], "allow_insecure": False}
_HTTP = {"url": None, "validate_certs": True, "ca_path": None, "timeout": DEFAULT_TIMEOUT}
_EMAIL = {"host": None, "port": 587, "secure": "starttls", "username": None, "password": None, "sender": None,
          "to": None, "cc": [], "subject": None, "timeout": DEFAULT_TIMEOUT}
KEYS = {"webhook": dict(_COMMON, **_HTTP), "teams": dict(_COMMON, **_HTTP), "slack": dict(_COMMON, **_HTTP),
        "email": dict(_COMMON, **_EMAIL)}
REQUIRED = {"webhook": ("url",), "teams": ("url",), "slack": ("url",), "email": ("host", "sender", "to")}
# ``from`` is the sender (community.general.mail's alias).
ALIASES = {"from": "sender"}

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>[^?#]+)")


def redacted_url(url):
    """A URL's scheme and host (port included), nothing else: the path, query and user info may hold a token.

    User info ends at the last ``@`` (a password may hold ``/`` or an unescaped ``@``), so nothing of it is kept."""
    match = _URL.match(url) if isinstance(url, str) else None
    host = match.group("rest").rsplit("@", 1)[-1].split("/", 1)[0] if match else ""
    if not host:
        return "(not a URL)"
    return "%s://%s" % (match.group("scheme").lower(), host)


def redacted(target):
    """How a target is named in output, warnings and the report: never its URL's path or a password."""
    if target.get("name"):
        return str(target["name"])
    if target.get("type") == "email":
        return "email %s:%s" % (target.get("host"), target.get("port"))
    return "%s %s" % (target.get("type"), redacted_url(target.get("url")))


def _where(index, target):
    kind = target.get("type") if isinstance(target, dict) and isinstance(target.get("type"), str) else None
    return "report_notify[%d]%s" % (index, " (%s)" % kind if kind in TYPES else "")


def _target_problems(index, target):
    """Every problem of one target, each naming it (never its URL or password)."""
    where = _where(index, target)
    if not isinstance(target, dict):
        return ["%s must be a mapping with a type (%s), got %s" % (where, "|".join(TYPES), type(target).__name__)]
    target = dict((ALIASES.get(key, key), value) for key, value in target.items())
    kind = target.get("type")
    if kind not in TYPES:
        return ["%s: unknown type %r, expected one of %s" % (where, kind, "|".join(TYPES))]
    problems = []
    unknown = sorted(str(key) for key in target if key not in KEYS[kind])
    if unknown:
        problems.append("%s: unknown key(s) %s (known: %s)" % (where, ", ".join(unknown), ", ".join(sorted(KEYS[kind]))))
    for key in REQUIRED[kind]:
        if target.get(key) in (None, "", []):
            problems.append("%s: %s is required" % (where, key))
    try:
        events = _settings.text_list(target.get("events", ["summary"]), "%s events" % where)
        wrong = [event for event in events if event not in EVENTS]
        if wrong:
            problems.append("%s: unknown event(s) %s, expected some of %s" % (where, ", ".join(wrong), "|".join(EVENTS)))
        elif not events:
            problems.append("%s: events is empty; leave it out for the summary alone" % where)
        if kind == "email" and [event for event in events if event != "summary"]:
            problems.append("%s: an e-mail target sends the summary only (events: [summary]); use a chat or webhook "
                            "target for per-host events" % where)
    except _settings.SettingError as exc:
        problems.append(str(exc))
    for key in ("allow_insecure", "validate_certs"):
        if key in target:
            try:
                _settings.flag(target[key], "%s %s" % (where, key))
            except _settings.SettingError as exc:
                problems.append(str(exc))
    if "timeout" in target:
        try:
            seconds = _settings.number(target["timeout"], "%s timeout" % where, minimum=0, above=True)
            if seconds > MAX_TIMEOUT:
                problems.append("%s: timeout must be at most %d seconds (a notification must not hold the run), "
                                "got %s" % (where, MAX_TIMEOUT, target["timeout"]))
        except _settings.SettingError as exc:
            problems.append(str(exc))
    insecure = _flag_or(target.get("allow_insecure"), False)
    if kind in HTTP_TYPES and isinstance(target.get("url"), str) and target["url"]:
        scheme = target["url"].split(":", 1)[0].lower() if "://" in target["url"] else None
        if scheme not in ("https", "http"):
            problems.append("%s: url must be an https:// URL" % where)
        elif scheme == "http" and not insecure:
            problems.append("%s: url is not https (%s); set allow_insecure: true to send the message in clear text"
                            % (where, redacted_url(target["url"])))
    elif kind in HTTP_TYPES and target.get("url") not in (None, "", []):
        problems.append("%s: url must be a string" % where)
    if kind == "email":
        problems.extend(_email_problems(where, target, insecure))
    return problems


def _email_problems(where, target, insecure):
    problems = []
    if target.get("secure", "starttls") not in SECURE:
        problems.append("%s: secure must be one of %s, got %r" % (where, "|".join(SECURE), target.get("secure")))
    elif target.get("secure", "starttls") in ("try", "never") and target.get("password") and not insecure:
        problems.append("%s: a password with secure=%s may cross the network in clear text; use starttls or always, "
                        "or set allow_insecure: true" % (where, target.get("secure")))
    if bool(target.get("username")) != bool(target.get("password")):
        problems.append("%s: username and password go together" % where)
    if "port" in target:
        try:
            port = _settings.number(target["port"], "%s port" % where, minimum=1, integer=True)
            if port > 65535:
                problems.append("%s port must be at most 65535, got %r" % (where, target["port"]))
        except _settings.SettingError as exc:
            problems.append(str(exc))
    for key in ("to", "cc"):
        try:
            names = _settings.text_list(target.get(key), "%s %s" % (where, key))
            if key == "to" and target.get(key) not in (None, "", []) and not names:
                problems.append("%s: to must name at least one recipient, got %r" % (where, target.get(key)))
        except _settings.SettingError as exc:
            problems.append(str(exc))
    return problems


def _flag_or(value, default):
    try:
        return default if value is None else _settings.flag(value, "flag")
    except _settings.SettingError:
        return default


def check_targets(value):
    """Every problem of ``report_notify`` (a list of targets), one line each; ``[]`` when all are good."""
    if value is None or value == "":
        return []
    if not isinstance(value, (list, tuple)):
        return ["report_notify must be a list of targets (mappings with a type), got %s" % type(value).__name__]
    problems = []
    for index, target in enumerate(value):
        problems.extend(_target_problems(index, target))
    return problems


def notify_kind(value, _name, _context):
    """The settings table's conversion of ``report_notify``: the targets as given, or every problem at once."""
    problems = check_targets(value)
    if problems:
        # Each problem names its target (report_notify[<index>]): one line holds them all.
        raise _settings.SettingError("; ".join(problems))
    return list(value or [])


def normalize_targets(value):
    """The checked targets with their defaults filled in (raises SettingError with every problem)."""
    notify_kind(value, "report_notify", None)
    targets = []
    for target in value or []:
        target = dict((ALIASES.get(key, key), item) for key, item in target.items())
        full = dict(KEYS[target["type"]])
        full.update((key, item) for key, item in target.items() if item is not None)
        full["events"] = _settings.text_list(full["events"], "events")
        full["allow_insecure"] = _settings.flag(full["allow_insecure"], "allow_insecure")
        if target["type"] == "email":
            full["to"] = _settings.text_list(full["to"], "to")
            full["cc"] = _settings.text_list(full["cc"], "cc")
            full["port"] = int(_settings.number(full["port"], "port", integer=True))
        else:
            full["validate_certs"] = _settings.flag(full["validate_certs"], "validate_certs")
        full["timeout"] = _settings.number(full["timeout"], "timeout")
        targets.append(full)
    return targets


def wanted(targets, event):
    """The targets that asked for ``event``."""
    return [target for target in targets if event in target["events"]]


# ---------------------------------------------------------------- messages


def _one_line(value, limit=REASON_LIMIT):
    text = re.sub(r"\s+", " ", "" if value is None else str(value)).strip()
    return text[:limit - 1] + u"\u2026" if len(text) > limit else text


def summary_message(report, why, link=None, location=None):
    """What every type says about a run, from the report (``_report.model.build_report``): ``why(row)`` is the
    report's short reason of a host (``_report.render_text.why``)."""
    summary = report.get("summary") or {}
    statuses = report.get("statuses") or sorted(summary.get("counts") or {})
    counts = [(status, summary["counts"][status]) for status in statuses if (summary.get("counts") or {}).get(status)]
    rows = dict((row.get("host"), row) for row in report.get("hosts") or [])
    attention = [{"host": host, "status": rows.get(host, {}).get("status"),
                  "reason": _one_line(why(rows[host])) if host in rows else ""}
                 for host in summary.get("attention") or []]
    run = report.get("run") or {}
    return {
        "event": "summary",
        "check_mode": report.get("check_mode") is True,
        "title": _one_line(report.get("title") or "Sophos restart report", 200),
        "run": {"id": run.get("id"), "started": run.get("started"), "playbook": run.get("playbook")},
        "generated": report.get("generated"),
        "total": summary.get("total", 0),
        "counts": dict(counts),
        "count_order": [status for status, _count in counts],
        "restarts": summary.get("restarts", 0),
        "attention": attention,
        "hosts": [{"host": row.get("host"), "status": row.get("status"), "attention": bool(row.get("attention")),
                   "reason": _one_line(why(row))} for row in report.get("hosts") or []],
        "link": link or None,
        "location": location or None,
    }


# What the title of each per-host event says.
EVENT_TITLES = {
    "restarting": "restarting",
    "restarted": "restarted",
    "still_pending": "still pending after its restarts",
    "failed": "failed",
    "deferred": "deferred",
    "group_stopped": "stopped its restart group(s)",
}


def host_message(event, host, record, link=None, check_mode=False, title="Sophos restart report", run=None):
    """What every type says about one host's ``event``; ``record`` is its cycle record (``sophos_reboot_cycle``)
    or, for ``restarting``, ``{"status": "restarting", "message": <why>, "restarts": 0}``."""
    record = record if isinstance(record, dict) else {}
    status = str(record.get("status") or event)
    reason = _one_line(record.get("message"))
    if event == "group_stopped":
        reason = _one_line("restart group(s) %s stopped: %s" % (", ".join(record.get("stopped_groups") or []), reason))
    attention = event in ("still_pending", "failed", "group_stopped")
    entry = {"host": str(host), "status": status, "attention": attention, "reason": reason}
    return {
        "event": event,
        "check_mode": bool(check_mode),
        "title": "%s: %s" % (_one_line(host, 100), EVENT_TITLES[event]),
        "run": dict(run or {}),
        "generated": record.get("finished"),
        "total": 1,
        "counts": {status: 1},
        "count_order": [status],
        "restarts": record.get("restarts") or 0,
        "attention": [entry] if attention else [],
        "hosts": [entry],
        "link": link or None,
        "location": None,
        "report_title": _one_line(title, 200),
    }


def _title(message):
    return (CHECK_MARK if message["check_mode"] else "") + message["title"]


def _counts_text(message):
    return ", ".join("%s %d" % (status.replace("_", " "), message["counts"][status])
                     for status in message["count_order"]) or "no hosts"


def _where_text(message):
    return message["link"] or message["location"]


def _attention_lines(message):
    lines = ["%s (%s): %s" % (item["host"], item["status"], item["reason"] or "no reason recorded")
             for item in message["attention"][:MAX_HOSTS]]
    if len(message["attention"]) > MAX_HOSTS:
        lines.append("and %d more host(s)" % (len(message["attention"]) - MAX_HOSTS))
    return lines


def text_lines(message):
    """The message as plain text: the title, the counts, the hosts needing attention, where the report is."""
    lines = [_title(message), "%d host(s): %s" % (message["total"], _counts_text(message))]
    if message["event"] != "summary":
        item = message["hosts"][0]
        lines.append("%s: %s" % (item["status"], item["reason"] or "no reason recorded"))
    elif message["attention"]:
        lines.append("Needs attention:")
        lines.extend("- " + line for line in _attention_lines(message))
    else:
        lines.append("Needs attention: none")
    if _where_text(message):
        lines.append("Report: %s" % _where_text(message))
    return lines


def webhook(message):
    """The ``webhook`` type's JSON body (schema SCHEMA, docs/notify.md)."""
    return {
        "schema": SCHEMA,
        "event": message["event"],
        "check_mode": message["check_mode"],
        "title": _title(message),
        "run": message["run"],
        "generated": message["generated"],
        "summary": {"total": message["total"], "counts": message["counts"], "restarts": message["restarts"]},
        "attention": message["attention"],
        "hosts": message["hosts"],
        "report": {"link": message["link"], "location": message["location"]},
        "text": "\n".join(text_lines(message)),
    }


def teams(message):
    """A Microsoft Teams Workflows webhook's body: one message with an Adaptive Card (1.4)."""
    body = [
        {"type": "TextBlock", "text": _title(message), "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "FactSet", "facts": [{"title": "Hosts", "value": str(message["total"])}]
         + [{"title": status.replace("_", " "), "value": str(message["counts"][status])}
            for status in message["count_order"]]},
    ]
    if message["event"] != "summary":
        item = message["hosts"][0]
        body.append({"type": "TextBlock", "text": "%s: %s" % (item["status"], item["reason"] or "no reason recorded"),
                     "wrap": True})
    elif message["attention"]:
        body.append({"type": "TextBlock", "text": "Needs attention", "weight": "Bolder", "wrap": True})
        body.extend({"type": "TextBlock", "text": "- " + line, "wrap": True, "spacing": "None"}
                    for line in _attention_lines(message))
    else:
        body.append({"type": "TextBlock", "text": "Needs attention: none", "wrap": True})
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body}
    if message["link"]:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the report", "url": message["link"]}]
    elif message["location"]:
        body.append({"type": "TextBlock", "text": "Report: %s" % message["location"], "wrap": True,
                     "isSubtle": True})
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


def _mrkdwn(text):
    """Slack's three escapes (its mrkdwn takes &, < and > as markup)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut_mrkdwn(text, limit):
    """``text`` cut to ``limit`` characters, never inside one of its escapes (``&amp;`` ``&lt;`` ``&gt;``)."""
    cut = text[:limit]
    amp = cut.rfind("&")
    if len(text) > limit and amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut


def _slack_link(url):
    """A URL inside Slack's ``<url|text>``: its three escapes, and ``|`` (which would end the URL) percent-encoded."""
    return _mrkdwn(url).replace("|", "%7C")


def slack(message):
    """A Slack incoming webhook's body: Block Kit blocks, with ``text`` as the notification's fallback."""
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": _one_line(_title(message), 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn("%d host(s): %s" % (
            message["total"], _counts_text(message)))}},
    ]
    if message["event"] != "summary":
        item = message["hosts"][0]
        lines = ["%s: %s" % (item["status"], item["reason"] or "no reason recorded")]
    else:
        lines = ["*Needs attention*"] + ["- " + line for line in _attention_lines(message)] \
            if message["attention"] else ["Needs attention: none"]
    text = "\n".join(line if line.startswith("*") else _mrkdwn(line) for line in lines)
    # A section's text holds at most 3000 characters.
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut_mrkdwn(text, 2900)}})
    where = _where_text(message)
    if where:
        text = ("<%s|Open the report>" % _slack_link(message["link"]) if message["link"]
                else "Report: %s" % _mrkdwn(where))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text}]})
    return {"text": _one_line("%s - %d host(s): %s" % (_title(message), message["total"], _counts_text(message)), 300),
            "blocks": blocks}


def email_text(message):
    """The e-mail's subject and plain-text body."""
    return _title(message), "\n".join(text_lines(message)) + "\n"


BUILDERS = {"webhook": webhook, "teams": teams, "slack": slack}


def entry(target, event, ok, status=None, error=None, host=None):
    """The report's record of one notification: the target's type and redacted name, never a secret."""
    return {"type": target["type"], "target": redacted(target), "event": event, "host": host,
            "ok": bool(ok), "status": status, "error": _one_line(error, 300) if error else None}
