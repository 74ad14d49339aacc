# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet report: PRIVATE to the collection.

Turns what a run knows about each host (``sophos_reboot`` facts, the ``sophos_reboot_cycle`` and
``sophos_patch`` results, whether the host was reached) into report rows, one status per host, an
attention ordering and a summary: the JSON-ready report. The renderers are separate modules of this
package (``render_csv``, ``render_markdown``, ``render_html``, ``render_text``); the words they share are
in ``text``.

Pure functions: no Ansible imports, no I/O. Everything that comes from a host is treated as
untrusted: wrong types are recorded in ``data_errors`` instead of raising, long strings are cut,
and every renderer escapes for its own format. The JSON schema is documented in docs/report.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re
from datetime import datetime, timezone

from ansible_collections.fleetops.sophos.plugins.module_utils import _notify, _settings
from ansible_collections.fleetops.sophos.plugins.module_utils._report.text import central_alert_text, days_text
from ansible_collections.fleetops.sophos.plugins.module_utils._time import epoch_to_iso, iso, iso_to_epoch

# The report role's settings: each is a role variable report_<name> (roles/report: defaults/main.yml,
# meta/argument_specs.yml). The group "settings" are those a typed value can get wrong, checked before a
# run starts (module_utils/_run.py) in this order; "role" are the role's own, taken as written. A unit test
# (tests/unit/plugins/module_utils/test_settings.py) checks that they agree with this table.
REPORT_FORMATS = ("json", "csv", "markdown", "html")
# The default report_dir: one per controller user (HOME) and inventory (the first source's name and a
# hash of every source's path), so two estates, or two people with their own HOME, never share one.
REPORT_DIR_DEFAULT = (
    "{{ lookup('ansible.builtin.env', 'HOME', default='/tmp') }}/fleetops-sophos-reports/{{"
    " ansible_inventory_sources | default([], true) | first | default('no-inventory', true)"
    " | regex_replace('/+$', '') | basename | regex_replace('[^A-Za-z0-9._-]+', '_') }}-{{"
    " (ansible_inventory_sources | default([], true) | join(':') | hash('sha1'))[:8] }}")
SETTINGS = _settings.Table("report", "report_", (
    _settings.Setting("alert_days", 14, "float", minimum=0, above=True,
                      description="days without a restart after which a host is an alert"),
    _settings.Setting("max_text", 1000, "int", minimum=20, description="longest text in a cell"),
    _settings.Setting("keep", 30, "int", minimum=0, description="runs kept in the report directory (0: every run)"),
    _settings.Setting("formats", list(REPORT_FORMATS), "list", choices=REPORT_FORMATS),
    # Notifications (module_utils/_notify.py, docs/notify.md): every problem of every target named at once.
    _settings.Setting("notify", [], "list", kind="notify", description="where to tell people how the run went"),
    _settings.Setting("notify_in_check_mode", False, "bool", description="send notifications in a check run too"),
    _settings.Setting("notify_link", "", "str", description="the report's address in messages"),
    _settings.Setting("dir", None, "path", group="role",
                      role_default=REPORT_DIR_DEFAULT),
    _settings.Setting("basename", "sophos-report", "str", group="role"),
    _settings.Setting("hosts", None, "list", group="role", role_default="{{ ansible_play_hosts_all }}"),
    _settings.Setting("active_hosts", None, "list", group="role", role_default="{{ ansible_play_hosts }}"),
    _settings.Setting("result_var", "sophos_reboot_facts_result", "str", group="role"),
    _settings.Setting("not_run_hosts", [], "list", group="role", kind="as_sent"),
    _settings.Setting("show_table", None, "bool", group="role", kind="as_sent",
                      role_default="{{ report_not_run_hosts | length == 0 }}"),
    _settings.Setting("title", "Sophos restart report", "str", group="role"),
    _settings.Setting("mode", "0644", "str", group="role"),
    _settings.Setting("set_stats", True, "bool", group="role", kind="as_sent"),
    _settings.Setting("run_started", "", "str", group="role"),
    _settings.Setting("playbook", None, "str", group="role", role_default="{{ ansible_play_name }}"),
    _settings.Setting("central_lookup", False, "bool", group="role", kind="as_sent"),
    _settings.Setting("central_options", {}, "dict", group="role"),
    _settings.Setting("restart_required_at", {}, "dict", group="role"),
), kinds={"notify": _notify.notify_kind}, order="table")

# 2: run, check_mode; maintenance.boots, maintenance.finished, settles[].reason/started_at/ended_at.
# 3: Sophos Central's view (hosts[].central, central), pending_since_source, pending_since_local.
#    maintenance.boots is one entry per restart (number, restarted_at, reasons, boot ids, queued_update);
#    the boot from before the cycle is maintenance.boot_before.
# 4: central.restart_alert.pending_days counts from its pending_since (Central's restart-required event, or
#    its two-week alert's raised_at - 14 days: pending_since_source event / estimate / alert); the alert's
#    own age is age_days. pending_since_source "central_estimate" beside "central".
#    pending_since_source "central_event": the time of Central's restart-required event that started the
#    facts run (the fleetops.sophos.restart_required rulebook, facts_restart_required_at); no new field.
#    run.kind (maintenance, restart: a restart-only run, facts, or null): a new field, same version.
SCHEMA_VERSION = 4
CENTRAL_SINCE_SOURCES = ("event", "estimate", "alert")

# Worst first: a host's status is the first of these that applies to it.
STATUSES = (
    "unreachable",
    "failed",
    "still_pending",
    "unhealthy",
    "alert",
    "no_data",
    "unknown",
    "not_run",
    "deferred",
    "pending",
    "rebooted",
    "ok",
)
ATTENTION_STATUSES = frozenset(("unreachable", "failed", "still_pending", "unhealthy", "alert", "no_data",
                                "unknown"))
STATUS_LABELS = {
    "unreachable": "Unreachable",
    "failed": "Failed",
    "still_pending": "Still pending",
    "unhealthy": "Sophos unhealthy",
    "alert": "Alert: long / urgent",
    "no_data": "No data",
    "unknown": "Restart state unknown",
    "not_run": "Not run yet",
    "pending": "Restart pending",
    "deferred": "Deferred",
    "rebooted": "Restarted",
    "ok": "OK",
}
# Issues that put a host under "Needs attention" without changing its status: Central still alerts
# for a host that is clean now (Central may lag behind a restart; the host's own status stays true).
ATTENTION_ISSUES = frozenset(("central_lag",))
RUN_STATES = ("ok", "failed", "unreachable", "not_run")
# run.kind: the playbook's kind of run (history.KINDS); the renderings name it by text.RUN_KIND_LABELS.
RUN_KINDS = ("maintenance", "restart", "facts")
CENTRAL_SOURCES = ("inventory", "lookup")
DEFAULT_ALERT_DAYS = 14.0
DEFAULT_MAX_TEXT = 1000
# Lists coming from hosts (reasons, package changes) can be long; the report keeps the first ones.
MAX_ITEMS = 200
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
            "reason": read.text(item.get("reason"), field=field + ".reason"),
            "started_at": read.text(item.get("started_at"), field=field + ".started_at", limit=80),
            "ended_at": read.text(item.get("ended_at"), field=field + ".ended_at", limit=80),
        })
    # One entry per restart the cycle made (the record's first boot, from before the cycle, is
    # ``boot_before``): when, why, boot id before and after, whether it was the queued-update restart.
    boots, boot_before = [], None
    for field, item in read.records(cycle.get("boots"), "sophos_reboot_cycle.boots"):
        if not item.get("restarted_at"):
            if boot_before is None and not boots:
                boot_before = {"boot_id": read.text(item.get("boot_id"), field=field + ".boot_id", limit=80),
                               "last_boot": read.text(item.get("last_boot"), field=field + ".last_boot", limit=80)}
            continue
        boots.append({
            "number": len(boots) + 1,
            "boot_id": read.text(item.get("boot_id"), field=field + ".boot_id", limit=80),
            "boot_id_before": read.text(item.get("boot_id_before"), field=field + ".boot_id_before", limit=80),
            "last_boot": read.text(item.get("last_boot"), field=field + ".last_boot", limit=80),
            "restarted_at": read.text(item.get("restarted_at"), field=field + ".restarted_at", limit=80),
            "restart_seconds": read.number(item.get("restart_seconds"), field + ".restart_seconds"),
            "reasons": [{"id": read.text(reason.get("id"), field=name + ".id", limit=120),
                         "detail": read.text(reason.get("detail"), field=name + ".detail")}
                        for name, reason in read.records(item.get("reasons"), field + ".reasons")],
            "queued_update": read.flag(item.get("queued_update"), field + ".queued_update"),
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
        "boots": boots,
        "boot_before": boot_before,
        "message": read.text(cycle.get("message"), field="sophos_reboot_cycle.message"),
        "started": read.text(cycle.get("started"), field="sophos_reboot_cycle.started", limit=80),
        "finished": read.text(cycle.get("finished"), field="sophos_reboot_cycle.finished", limit=80),
        "duration_seconds": read.number(cycle.get("duration_seconds"), "sophos_reboot_cycle.duration_seconds"),
        # A check run's window arithmetic for the restart it would make ("fits: 3h10m left, needs 38m00s").
        "window": read.text(cycle.get("window"), field="sophos_reboot_cycle.window", limit=200),
        # Restart groups and health gates (reboot_cycle_group, reboot_cycle_health_checks): empty without them.
        "expected": _expected(read, cycle.get("expected")),
        "groups": read.texts(cycle.get("groups"), "sophos_reboot_cycle.groups"),
        "stopped_groups": read.texts(cycle.get("stopped_groups"), "sophos_reboot_cycle.stopped_groups"),
        "slot_wait_seconds": read.number(cycle.get("slot_wait_seconds"), "sophos_reboot_cycle.slot_wait_seconds"),
        # The window's start (reboot_cycle_window_start): when it was and how long the cycle waited for it.
        "window_start": read.text(cycle.get("window_start"), field="sophos_reboot_cycle.window_start", limit=80),
        "window_start_wait": _start_wait(read, cycle.get("window_start_wait")),
        # Restart tiers (reboot_cycle_tier): null and empty when the batch had none.
        "tier": read.count(cycle.get("tier"), "sophos_reboot_cycle.tier"),
        "tier_after": read.texts(cycle.get("tier_after"), "sophos_reboot_cycle.tier_after"),
        "tier_wait_seconds": read.number(cycle.get("tier_wait_seconds"), "sophos_reboot_cycle.tier_wait_seconds"),
        "health_checks": [{"check": read.text(item.get("check"), field=field + ".check", limit=300),
                           "when": read.text(item.get("when"), field=field + ".when", limit=20),
                           "passed": read.flag(item.get("passed"), field + ".passed"),
                           "observed": read.text(item.get("observed"), field=field + ".observed", limit=300)}
                          for field, item in read.records(cycle.get("health_checks"),
                                                          "sophos_reboot_cycle.health_checks")],
        # The Alertmanager silence (reboot_cycle_silence): null without one.
        "silence": _silence(read, cycle.get("silence")),
    }


def _start_wait(read, value):
    """The cycle's wait for the window's start ({seconds, from, to}), or None when it did not wait."""
    wait = read.mapping(value, "sophos_reboot_cycle.window_start_wait")
    if not wait:
        return None
    field = "sophos_reboot_cycle.window_start_wait"
    return {"seconds": read.number(wait.get("seconds"), field + ".seconds"),
            "from": read.text(wait.get("from"), field=field + ".from", limit=80),
            "to": read.text(wait.get("to"), field=field + ".to", limit=80)}


SILENCE_STATUSES = ("expired", "lapsing", "failed", "check_mode", "active")


def _silence(read, value):
    silence = read.mapping(value, "sophos_reboot_cycle.silence")
    if not silence:
        return None
    field = "sophos_reboot_cycle.silence"
    return {"status": read.choice(silence.get("status"), field + ".status", SILENCE_STATUSES),
            "id": read.text(silence.get("id"), field=field + ".id", limit=80),
            "from": read.text(silence.get("from"), field=field + ".from", limit=80),
            "to": read.text(silence.get("to"), field=field + ".to", limit=80),
            "warning": read.text(silence.get("warning"), field=field + ".warning", limit=400)}


def _expected(read, value):
    """What the window fit counted a restart at and where it came from (the record's ``expected``), or None."""
    if value is None:
        return None
    expected = read.mapping(value, "sophos_reboot_cycle.expected")
    field = "sophos_reboot_cycle.expected."
    return dict([(what + "_minutes", read.number(expected.get(what + "_minutes"), field + what + "_minutes"))
                 for what in ("restart", "settle")]
                + [(what + "_from", read.choice(expected.get(what + "_from"), field + what + "_from",
                                                ("history", "setting")))
                   for what in ("restart", "settle")]
                + [(what + "_samples", read.count(expected.get(what + "_samples"), field + what + "_samples"))
                   for what in ("restart", "settle")])


def _patch(read, value):
    patch = read.mapping(value, "sophos_patch")
    if not patch:
        return None
    return {
        "status": read.choice(patch.get("status"), "sophos_patch.status", ("patched", "unchanged", "skipped", "failed")),
        "changes": read.texts(patch.get("changes"), "sophos_patch.changes"),
        "would_install": read.texts(patch.get("would_install"), "sophos_patch.would_install"),
        "reboot_required": read.flag(patch.get("reboot_required"), "sophos_patch.reboot_required"),
    }


def _central(read, value, source, checked_at):
    """Sophos Central's view of the host (the ``sophos_central`` shape), or None when there is none."""
    if value is None:
        return None
    central = read.mapping(value, "sophos_central")
    if not central:
        return None
    health = read.mapping(central.get("health"), "sophos_central.health")
    alert = central.get("restart_alert")
    restart = None
    if alert is not None:
        alert = read.mapping(alert, "sophos_central.restart_alert")
        if alert:
            raised = read.text(alert.get("raised_at"), field="sophos_central.restart_alert.raised_at", limit=80)
            since = read.text(alert.get("pending_since"), field="sophos_central.restart_alert.pending_since",
                              limit=80)
            since_source = read.text(alert.get("pending_since_source"),
                                     field="sophos_central.restart_alert.pending_since_source", limit=40)
            restart = {
                "id": read.text(alert.get("id"), field="sophos_central.restart_alert.id", limit=80),
                "type": read.text(alert.get("type"), field="sophos_central.restart_alert.type", limit=120),
                "severity": read.text(alert.get("severity"), field="sophos_central.restart_alert.severity", limit=40),
                # Only a time the collection's parser reads is kept: it may become pending_since.
                "raised_at": _iso_or_none(raised),
                "age_days": read.count(alert.get("age_days"), "sophos_central.restart_alert.age_days"),
                "pending_since": _iso_or_none(since),
                # Without its source a pending_since is not taken (an older shape: raised_at was not one).
                "pending_since_source": since_source if since_source in CENTRAL_SINCE_SOURCES else None,
                "pending_days": read.count(alert.get("pending_days"), "sophos_central.restart_alert.pending_days"),
            }
            for field, text in (("raised_at", raised), ("pending_since", since)):
                if text is not None and restart[field] is None:
                    read.errors.append(u"sophos_central.restart_alert.%s: not an ISO 8601 time: %s" % (field, text))
            # A pending age goes with its time and its source: without either, none of the three is taken.
            if restart["pending_since_source"] is None or restart["pending_since"] is None:
                restart["pending_since"] = restart["pending_days"] = restart["pending_since_source"] = None
    return {
        "source": source if source in CENTRAL_SOURCES else None,
        "checked_at": read.text(checked_at, field="sophos_central.checked_at", limit=80),
        "id": read.text(central.get("id"), field="sophos_central.id", limit=80),
        "hostname": read.text(central.get("hostname"), field="sophos_central.hostname", limit=255),
        "online": read.flag(central.get("online"), "sophos_central.online"),
        "last_seen_at": read.text(central.get("last_seen_at"), field="sophos_central.last_seen_at", limit=80),
        "health": read.text(health.get("overall"), field="sophos_central.health.overall", limit=40),
        "restart_alert": restart,
    }


def _iso_or_none(text):
    epoch = iso_to_epoch(text)
    return epoch_to_iso(epoch) if epoch is not None else None


def _take_central_since(row, last_boot, checked_at, event_at=None):
    """Central's ``pending_since`` where the host only knows when it first saw the restart.

    Central's is the restart-required event's time: from Central's alert (``pending_since_source:
    central``) or from the event itself, handed to the facts run by the rulebook (``event_at``, ISO 8601;
    ``central_event``); else, from its two-week alert, ``raised_at`` - 14 days (``central_estimate``).
    Only for a restart pending now, when the host's own time is "first seen" (or none), Central's is
    earlier, and the restart became pending after the host's last boot (an older one is about a restart
    that boot made). An exact time wins over the estimate; of two exact ones, the earlier. The age is
    counted to the facts' own reading time, like the host's.
    """
    if not row["reboot_required"] or row["pending_since_source"] not in ("first_seen", None):
        return
    alert = (row["central"] or {}).get("restart_alert") or {}
    candidates = []
    since = iso_to_epoch(alert.get("pending_since"))
    if since is not None:
        candidates.append((since, "central_estimate" if alert.get("pending_since_source") == "estimate"
                           else "central", alert.get("pending_days")))
    since = iso_to_epoch(event_at)
    if since is not None:
        candidates.append((since, "central_event", None))
    local = iso_to_epoch(row["pending_since"])
    boot = iso_to_epoch(last_boot)
    candidates = [candidate for candidate in candidates
                  if not ((local is not None and candidate[0] >= local) or (boot is not None and candidate[0] < boot))]
    if not candidates:
        return
    # An exact time before the estimate; of two exact ones, the earlier.
    since, source, central_days = min(candidates, key=lambda found: (found[1] == "central_estimate", found[0]))
    if local is not None and row["pending_days"] is not None:
        days = row["pending_days"] + (local - since) / 86400.0
    elif iso_to_epoch(checked_at) is not None:
        days = max(0.0, (iso_to_epoch(checked_at) - since) / 86400.0)
    else:
        days = float(central_days) if central_days is not None else None
    row["pending_since_local"] = row["pending_since"]
    row["pending_since"] = epoch_to_iso(since)
    row["pending_since_source"] = source
    row["pending_days"] = round(days, 3) if days is not None else None


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
                u"restart pending for %s (alert after %s)" % (days_text(row["pending_days"]), days_text(alert_days)))
    central = row["central"]
    if central and central["restart_alert"] and row["reboot_required"] is not False:
        add("alert", "central_alert", u"Sophos Central alerts: restart required (%s)" % central_alert_text(central))
    if row["alert"] and not any(issue["status"] == "alert" for issue in issues):
        add("alert", "alert", u"the host reports an alert")
    if not row["has_facts"] and run["state"] == "ok":
        add("no_data", "no_facts", u"no sophos_reboot facts were gathered for this host")
    if row["has_facts"] and row["reboot_required_unknown"]:
        # Unknown is not OK: a source that could hold a restart reason could not be read.
        unread = row["unknown_sources"] or [error["source"] for error in row["read_errors"] if error["source"]]
        add("unknown", "restart_state_unknown",
            u"cannot read the restart state: %s" % (u", ".join(unread) or u"source not given"))
    if row["reboot_required"]:
        strong = [reason["id"] for reason in row["reasons"] if reason["strong"]]
        add("pending", "pending", u"restart pending: %s" % (u", ".join(strong) or u"reason not given"))
    if cycle and cycle["status"] == "deferred":
        add("deferred", "deferred", cycle["message"] or u"deferred: the maintenance window was too short")
    if cycle and cycle["status"] == "rebooted" or (cycle and cycle["restarts"] and cycle["status"] == "ok"):
        add("rebooted", "rebooted", u"restarted %s time(s)" % cycle["restarts"])
    rank = dict((status, index) for index, status in enumerate(STATUSES))
    issues.sort(key=lambda issue: rank[issue["status"]])
    if central and central["restart_alert"] and row["reboot_required"] is False and row["has_facts"]:
        # Clean on the host, alerted in Central: attention, but the host's status stays what it is.
        clean_cycle = bool(cycle and cycle["status"] in ("ok", "rebooted") and not cycle["check_mode"])
        when = (u"after a clean cycle (%s restart(s))" % (cycle["restarts"] or 0)) if clean_cycle else \
            u"while the host reports no restart pending"
        read = u" (read when the inventory was loaded, before this run)" if central["source"] == "inventory" else \
            (u" (read %s)" % central["checked_at"] if central["checked_at"] else u"")
        issues.append({"status": issues[0]["status"] if issues else "ok", "id": "central_lag",
                       "text": u"Sophos Central still alerts %s: %s%s; Central may lag behind the restart "
                               u"until the endpoint next reports, check it again later"
                               % (when, central_alert_text(central), read)})
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
             max_text=DEFAULT_MAX_TEXT, central=None, central_source=None, central_checked_at=None,
             restart_required_at=None):
    """One report row for one host. Never raises on odd input: problems land in ``data_errors``.

    ``restart_required_at``: the time of Central's restart-required event for this host (ISO 8601), as
    the rulebook hands it to the facts run; it may become ``pending_since`` (_take_central_since()).
    """
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
    unknown = has_facts and "reboot_required" in facts and facts["reboot_required"] is None
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
        "pending_since_local": None,
        "urgent": sophos["reboot_urgent"],
        "alert": read.flag(facts.get("alert"), "sophos_reboot.alert"),
        "sophos": sophos,
        "maintenance": _maintenance(read, cycle),
        "patch": _patch(read, patch),
        "read_errors": read_errors,
        "reboot_required_unknown": unknown,
        "unknown_sources": read.texts(facts.get("unknown_sources"), "sophos_reboot.unknown_sources"),
        "central": _central(read, central, central_source, central_checked_at),
        "data_errors": read.errors,
    }
    event_text = read.text(restart_required_at, field="restart_required_at", limit=80)
    event_at = _iso_or_none(event_text)
    if event_text is not None and event_at is None:
        read.errors.append(u"restart_required_at: not an ISO 8601 time: %s" % event_text)
    _take_central_since(row, row["os"]["last_boot"],
                        read.text(facts.get("checked_at"), field="sophos_reboot.checked_at", limit=80), event_at)
    row["issues"] = _issues(row, alert_days)
    if row["issues"]:
        row["status"] = row["issues"][0]["status"]
    row["attention"] = row["status"] in ATTENTION_STATUSES or \
        any(issue["id"] in ATTENTION_ISSUES for issue in row["issues"])
    return row


def sort_rows(rows):
    """Attention first, worst status first; within a status the longest pending first, then by name."""
    rank = dict((status, index) for index, status in enumerate(STATUSES))
    return sorted(rows, key=lambda row: (not row["attention"], rank[row["status"]], -(row["pending_days"] or 0.0),
                                         row["host"]))


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
        "central_alerts": [row["host"] for row in rows if (row["central"] or {}).get("restart_alert")],
    }


def build_report(entries, alert_days=DEFAULT_ALERT_DAYS, generated=None, title=None, max_text=DEFAULT_MAX_TEXT,
                 run=None, central=None):
    """The whole report from per-host entries.

    ``entries``: iterable of mappings ``{host, facts, cycle, patch, run: {state, message}}``, where
    ``facts`` is ``sophos_reboot`` (or None when the host has none) and ``cycle`` / ``patch`` are
    ``sophos_reboot_cycle`` / ``sophos_patch`` when the maintenance ran. ``run``: the run's identity
    from ``history.new_run`` (``id``, ``started``, ``check_mode``, ``playbook``, ``stem``).
    An entry's ``central`` is Central's view of the host (``sophos_central``), ``central_source``
    ``inventory`` or ``lookup`` and ``central_checked_at`` when it was read. ``central``: how the run
    asked Central (``{lookup, message}``, see docs/report.md), None when it did not.
    """
    if isinstance(alert_days, bool) or not isinstance(alert_days, (int, float)) or alert_days <= 0:
        raise ValueError("alert_days must be a number greater than 0, got %r" % (alert_days,))
    if isinstance(max_text, bool) or not isinstance(max_text, int) or max_text < 20:
        raise ValueError("max_text must be a whole number of at least 20, got %r" % (max_text,))
    if generated is None:
        generated = iso(datetime.now(timezone.utc))
    rows, seen, sent = [], set(), []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            entry = {"host": "(entry %d)" % index, "facts": entry}
        found, notes = [], []
        if isinstance(entry.get("cycle"), dict) and entry["cycle"].get("notifications") is not None:
            found, notes = read_notifications([entry["cycle"]["notifications"]], max_text, "sophos_reboot_cycle.")
            sent.extend(found)
        row = host_row(entry.get("host"), facts=entry.get("facts"), cycle=entry.get("cycle"),
                       patch=entry.get("patch"), run=entry.get("run"), alert_days=alert_days, max_text=max_text,
                       central=entry.get("central"), central_source=entry.get("central_source"),
                       central_checked_at=entry.get("central_checked_at"),
                       restart_required_at=entry.get("restart_required_at"))
        row["data_errors"].extend(notes)
        if row["host"] in seen:
            row["data_errors"].append(u"host: listed more than once")
        seen.add(row["host"])
        rows.append(row)
    rows = sort_rows(rows)
    run = dict(run) if isinstance(run, dict) else {}
    run_info = dict((key, run.get(key)) for key in ("id", "started", "playbook", "stem"))
    run_info["kind"] = run.get("kind") if run.get("kind") in RUN_KINDS else None
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "fleetops.sophos.report",
        "title": str(title) if title else u"Sophos restart report",
        "generated": str(generated),
        "alert_days": float(alert_days),
        "check_mode": run.get("check_mode") is True,
        "run": run_info,
        "central": _lookup(central, max_text),
        "statuses": list(STATUSES),
        "summary": summarize(rows),
        "hosts": rows,
        "notifications": sent,
    }


NOTIFICATION_KEYS = ("type", "target", "event", "host", "ok", "status", "error")


def notifications(lists, max_text=DEFAULT_MAX_TEXT):
    """The notifications sent in the run (``_notify.entry``), from the hosts' cycle records and the summary's:
    each ``{type, target, event, host, ok, status, error}``, read as untrusted (a record is a host fact)."""
    return read_notifications(lists, max_text)[0]


def read_notifications(lists, max_text=DEFAULT_MAX_TEXT, prefix=""):
    """``(notifications, notes)``: notifications() and a note for each value of the wrong type, its field named
    after ``prefix`` (the host's row lists them in its ``data_errors``)."""
    read = _Reader(max_text)
    found = []
    for items in lists:
        for field, item in read.records(items, prefix + "notifications"):
            found.append({
                "type": read.choice(item.get("type"), field + ".type", _notify.TYPES),
                "target": read.text(item.get("target"), field=field + ".target", limit=200),
                "event": read.choice(item.get("event"), field + ".event", _notify.EVENTS),
                "host": read.text(item.get("host"), field=field + ".host", limit=200),
                "ok": item.get("ok") is True,
                "status": item.get("status") if isinstance(item.get("status"), int) and
                not isinstance(item.get("status"), bool) else None,
                "error": read.text(item.get("error"), field=field + ".error"),
            })
    return found, read.errors


def add_notifications(report, entries):
    """The report with the summary's notification entries added to its ``notifications``."""
    report = dict(report)
    report["notifications"] = list(report.get("notifications") or []) + notifications([entries])
    return report


CENTRAL_LOOKUPS = ("off", "no_credentials", "done", "failed")


def _lookup(value, max_text):
    """How this run asked Sophos Central for the hosts the inventory gave no ``sophos_central`` for."""
    read = _Reader(max_text)
    value = read.mapping(value, "central")
    return {"lookup": read.choice(value.get("lookup"), "central.lookup", CENTRAL_LOOKUPS) or "off",
            "message": read.text(value.get("message"), field="central.message")}
