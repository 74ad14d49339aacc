# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's words, shared by the model (its issue texts) and the renderers: PRIVATE to the collection.

Central's alert, day counts, restarts, silences, the Sophos health word, the run's kind and plain values
as text, the same in every rendering (``render_csv``, ``render_markdown``, ``render_html``, ``render_text``).
Pure functions: no Ansible imports, no I/O; each renderer escapes the text for its own format.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def central_alert_text(central):
    alert = central["restart_alert"]
    return u"%s, raised %s, %s" % (alert["type"] or u"restart alert", alert["raised_at"] or u"at an unknown time",
                                   _alert_age(alert))


def _alert_age(alert):
    """The alert's own age and, when Central gives one, how long the restart has been pending."""
    age = u"%d days old" % alert["age_days"] if alert.get("age_days") is not None else u"age unknown"
    if alert.get("pending_days") is not None:
        about = u"about " if alert.get("pending_since_source") == "estimate" else u""
        age += u", restart pending %s%d days" % (about, alert["pending_days"])
    return age


def central_cell(row):
    """Central's alert for the host in a few words: ``since <raised_at> (<age>)``, ``none`` or ``""``."""
    central = row["central"]
    if not central:
        return u""
    alert = central["restart_alert"]
    if not alert:
        return u"none"
    return u"since %s (%s)" % (alert["raised_at"] or u"?", _alert_age(alert))


def central_note(report):
    """One line on how Sophos Central was asked in this run, or None when it was not."""
    lookup = (report.get("central") or {}).get("lookup")
    shown = sum(1 for row in report["hosts"] if row["central"])
    message = (report.get("central") or {}).get("message")
    if lookup == "no_credentials":
        return u"Sophos Central was not asked: no Central credentials are configured."
    if lookup == "failed":
        return u"Sophos Central lookup failed: %s" % (message or u"no message")
    if not shown:
        return None
    return (u"Sophos Central's view of %d host(s), %d with a restart alert; Central may lag behind a restart."
            % (shown, len(report["summary"].get("central_alerts") or [])))


def days_text(value):
    return u"%.1f days" % value


# How the renderings name the report's run.kind (model.RUN_KINDS).
RUN_KIND_LABELS = {"maintenance": u"maintenance run", "restart": u"restart-only run"}


def run_label(report):
    """What kind of run the report is of, as its title says it: ``restart-only run``, ``maintenance run``,
    ``check run`` or both (``restart-only run, check run``); empty for a facts run or a play of one's own."""
    words = [RUN_KIND_LABELS.get((report.get("run") or {}).get("kind"))]
    if report.get("check_mode") is True:
        words.append(u"check run")
    return u", ".join(word for word in words if word)


def title_with_run(report):
    """The report's title followed by its run_label() in parentheses."""
    label = run_label(report)
    return report["title"] + (u" (%s)" % label if label else u"")


def format_value(value):
    if value is None:
        return u""
    if isinstance(value, bool):
        return u"yes" if value else u"no"
    if isinstance(value, float):
        return (u"%.2f" % value).rstrip(u"0").rstrip(u".")
    if isinstance(value, (list, tuple)):
        return u"; ".join(format_value(item) for item in value)
    return str(value)


def first_seen(row):
    """The pending age counts only from the first run that saw the restart pending (no source gave a time)."""
    return row.get("pending_days") is not None and row.get("pending_since_source") == u"first_seen"


def reason_text(reason):
    text = reason["id"]
    if reason["detail"]:
        text += u" (%s)" % reason["detail"]
    if not reason["strong"]:
        text += u" [weak]"
    return text


def restart_text(boot, boot_ids=True):
    """One restart of ``maintenance.boots`` as one line: when, how long down, why, boot ids, queued update.

    ``boot_ids=False`` leaves the boot ids out (the HTML page shows them behind a disclosure).
    """
    text = u"restart %s at %s" % (boot.get("number") or u"?", boot.get("restarted_at") or u"?")
    if boot.get("restart_seconds") is not None:
        text += u" (down %s s)" % format_value(round(boot["restart_seconds"], 1))
    reasons = [reason["id"] + (u" (%s)" % reason["detail"] if reason.get("detail") else u"")
               for reason in boot.get("reasons") or [] if reason.get("id")]
    text += u": " + (u"; ".join(reasons) or u"reason not recorded")
    if boot_ids:
        text += u"; boot %s \u2192 %s" % (boot.get("boot_id_before") or u"?", boot.get("boot_id") or u"?")
    if boot.get("queued_update"):
        text += u"; the queued Sophos update's restart"
    return text


def silence_text(silence):
    """The host's Alertmanager silence (``maintenance.silence``) as one line."""
    status = silence.get("status")
    if status == "check_mode":
        return u"silence: would be created in Alertmanager"
    if status == "failed":
        return u"silence: not created (%s)" % (silence.get("warning") or u"no message")
    text = u"silenced %s \u2013 %s (%s)" % (
        silence.get("from") or u"?", silence.get("to") or u"?", silence.get("id") or u"?")
    if status == "lapsing":
        text += u", not expired: it ends by itself"
    elif silence.get("warning"):
        text += u"; %s" % silence["warning"]
    return text


# The issues that make a host's Sophos unhealthy (the status "unhealthy"): the renderings say one word for it.
HEALTH_ISSUES = ("sophos_health", "sophos_services", "sophos_update_failed")


def health_word(row):
    """One word for the host's Sophos health, the same in every rendering: ``unhealthy`` when any of its
    issues says so (whatever Sophos' own health value), ``healthy`` when Sophos says good, else None.

    Also returns the texts of the issues behind ``unhealthy`` other than stopped services (listed apart).
    """
    if not row["sophos"]["installed"]:
        return None, []
    if any(issue["id"] in HEALTH_ISSUES for issue in row["issues"]):
        return u"unhealthy", [issue["text"] for issue in row["issues"]
                              if issue["id"] in HEALTH_ISSUES and issue["id"] != "sophos_services"]
    return (u"healthy" if row["sophos"]["health"] == "good" else None), []


def restarts_cell(cycle):
    """The restarts of a row as one short cell: the count, ``would`` for a check run that would restart,
    ``-`` when no cycle ran."""
    cycle = cycle or {}
    if cycle.get("check_mode") and cycle.get("would_reboot"):
        return u"would"
    return u"-" if cycle.get("restarts") is None else u"%d" % cycle["restarts"]
