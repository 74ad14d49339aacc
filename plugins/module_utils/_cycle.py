# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the decisions of the reboot cycle.

Pure Python, no Ansible imports, no I/O: every function takes the facts
(``ansible_facts.sophos_reboot``, see ``docs/architecture.md``), the settings and
the time as arguments and returns plain data, so the cycle can be replayed from
recorded readings in unit tests.

The cycle (``docs/architecture.md``, DESIGN "The reboot cycle"):
assess -> window guard -> restart -> settle (measured from the host's last
boot) -> re-assess -> restart again while a strong reason stays, at most
``max_cycles`` restarts -> verify.

The state of one host's cycle is a plain dict carried between steps:
``start()`` creates it, ``restarted()`` and ``settled()`` update it, ``plan()``
reads it and ``result()`` turns it into the ``sophos_reboot_cycle`` record.
"""

from __future__ import absolute_import, division, print_function

import copy
import math
from datetime import datetime, timezone

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess, _durations, _groups, _settings, _time
from ansible_collections.fleetops.sophos.plugins.module_utils import _health as _gate_rules

__metaclass__ = type

SETTLE_MODES = ("poll", "fixed")

# DEFAULTS (the converted default of every cycle setting) is made from the table, SETTINGS, below.

# What the update trigger starts after each restart (trigger_update): the Linux unit and the Windows tool.
UPDATE_UNIT = "sophos-spl-update.service"
UPDATE_TOOL = "SAUcli.exe UpdateNow"

# Steps plan() can return. reboot and settle continue the cycle, the others end it.
CONTINUE_STEPS = ("reboot", "settle", "slot", "gate_before", "gate", "wait_start")
END_STEPS = ("done", "defer", "fail", "warn")

# Settings are named in messages as the role variables users set.
VAR_PREFIX = "reboot_cycle_"


class CycleError(_settings.SettingError):
    """A setting or a reading the cycle cannot work with; the message names it."""


# ---------------------------------------------------------------- settings

def _flag(value, name):
    try:
        return _settings.flag(value, VAR_PREFIX + name)
    except _settings.SettingError as exc:
        raise CycleError(str(exc))


def check_flag(value, name):
    """A flag as sent (AWX strings included) named as the role variable ``reboot_cycle_<name>``."""
    return _flag(value, name)


def _window_setting(value, reference, run_started):
    """The checked window end: UTC ISO text, None for no window.

    A relative form (a time of day, a duration) is resolved against ``reference`` (the run's start,
    else the caller's clock); with neither it stays as written, checked, for a later call that
    knows the time. A window that ended before the run started is refused.
    """
    what = VAR_PREFIX + "window_end"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if reference is None and _time.is_relative(value):
        _time.resolve(value, datetime(2000, 1, 1, tzinfo=timezone.utc), what)
        return value.strip()
    end = _time.resolve(value, reference, what)
    if run_started is not None and end <= run_started:
        raise CycleError("%s %r ended at %s, before this run started (%s): the run would change nothing; "
                         "give a later end, a time of day (06:00 Europe/Berlin) or a duration (+4h)"
                         % (what, value, _time.iso(end), _time.iso(run_started)))
    return _time.iso(end)


def _window_start_kind(value, name, context):
    """``window_start``: resolved like the end (a time of day: its last occurrence before the end when there is
    one, see _time.resolve()); UTC ISO text, None for none, a relative form as written without a clock.

    A start at or after the window's end is refused: no restart could be made.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    run_started = context.get("run_started")
    run_started = _time.parse_time(run_started, "run_started") if run_started else None
    reference = run_started or context.get("now")
    if reference is None and _time.is_relative(value):
        _time.resolve(value, datetime(2000, 1, 1, tzinfo=timezone.utc), name)
        return value.strip()
    end_text = context.get("window_end")
    end = _time.parse_time(end_text, "window_end") if end_text and not _time.is_relative(end_text) else None
    start = _time.resolve(value, reference, name, before=end if _time.is_time_of_day(value) else None)
    if end is not None and start >= end:
        raise CycleError("%s %r starts at %s, at or after the window's end %s (%s%s): no restart could be made; "
                         "give a start before the end"
                         % (name, value, _time.iso(start), _time.iso(end), VAR_PREFIX, "window_end"))
    return _time.iso(start)


def _run_started_kind(value, name, context):
    """``run_started``: an ISO 8601 date-time with a timezone, as UTC ISO text; empty or None: None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _time.iso(_time.parse_time(value, name))


# The settings whose default depends on the host's OS (default None: "by OS"), resolved by the runner once it
# knows the host (resolve_by_os()): a Windows restart that installs a cumulative update takes far longer.
BY_OS = {
    "reboot_timeout": {"windows": 3600, "linux": 1200},
    "restart_expected_minutes": {"windows": 15, "linux": 5},
    # The time no restart starts without (Azure Update Manager's: 10 minutes on Windows, 15 on Linux).
    "restart_reserve_minutes": {"windows": 10, "linux": 15},
}
_BY_OS_WORDS = ("", "none", "null", "by_os")


def _by_os_kind(value, name, context, above=True):
    """A number > 0 (``above`` False: >= 0), or empty / None / ``null`` for the OS's default (BY_OS), kept as
    None here."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _BY_OS_WORDS):
        return None
    return _settings.number(value, name, minimum=0, above=above)


def resolve_by_os(settings, windows):
    """``settings`` with each setting left to the OS (None) given the OS's default (BY_OS)."""
    resolved = dict(settings)
    for name, defaults in BY_OS.items():
        if resolved.get(name) is None:
            resolved[name] = defaults["windows" if windows else "linux"]
    return resolved


def _window_kind(value, name, context):
    """``window_end`` resolved against the run's start (else ``now``), see _window_setting()."""
    run_started = context.get("run_started")
    run_started = _time.parse_time(run_started, "run_started") if run_started else None
    return _window_setting(value, run_started or context.get("now"), run_started)


def _blackouts_kind(value, name, context):
    """``blackouts``: periods in which no restart starts, resolved against the run's start (else ``now``), as
    ``[{name, start, end}]`` in UTC (module_utils/_blackouts.py, which reads times with this module)."""
    if value is None or (isinstance(value, (str, list)) and not value):
        return []
    from ansible_collections.fleetops.sophos.plugins.module_utils import _blackouts  # pylint: disable=import-outside-toplevel
    run_started = context.get("run_started")
    return _blackouts.from_records(value, name, _time.parse_time(run_started, "run_started") if run_started
                                   else context.get("now"))


# The table of the cycle's settings: each is a role variable reboot_cycle_<name> (roles/reboot_cycle:
# defaults/main.yml, meta/argument_specs.yml) and an option of the reboot_cycle action (the doc stub
# plugins/modules/reboot_cycle.py); some are AWX survey questions (docs/awx/). A unit test
# (tests/unit/plugins/module_utils/test_cycle_settings.py) checks that all of these agree with it.
# The group "settings" is what the brain works with (normalize_settings(), the state's "settings");
# the group "action" are the action's own options, checked with it at its entry.
# Order matters: a setting's conversion sees those before it (window_end reads run_started).
SETTINGS = _settings.Table("cycle", VAR_PREFIX, (
    _settings.Setting("settle_mode", "poll", "str", choices=SETTLE_MODES,
                      description="poll: end the settle on Sophos' evidence; fixed: wait the whole settle"),
    _settings.Setting("run_started", "", "str", kind="run_started",
                      description="start of the whole run, which a relative window end counts from"),
    _settings.Setting("window_end", "", "str", kind="window_end",
                      description="end of the maintenance window (absolute, time of day or duration)"),
    _settings.Setting("window_start", "", "str", kind="window_start",
                      description="start of the maintenance window: no restart before it (the end's forms)"),
    _settings.Setting("blackouts", [], "raw", kind="blackouts",
                      description="periods (start, end, optional name) in which no restart starts"),
    _settings.Setting("settle_minutes", 20, "float", minimum=0, description="settle time after a boot"),
    _settings.Setting("poll_seconds", 30, "float", minimum=1, description="seconds between two readings"),
    _settings.Setting("max_cycles", 2, "int", minimum=1, description="restarts at most"),
    _settings.Setting("force", False, "bool", description="restart once without a strong reason"),
    _settings.Setting("fail_when_still_pending", True, "bool"),
    _settings.Setting("fail_when_unhealthy", True, "bool"),
    _settings.Setting("reboot_timeout", None, "int", kind="by_os",
                      description="seconds a restart may take; empty: 3600 on Windows, 1200 on Linux"),
    _settings.Setting("restart_expected_minutes", None, "float", kind="by_os",
                      description="minutes a restart is expected to take, for the window fit; empty: 15 on "
                                  "Windows, 5 on Linux"),
    _settings.Setting("restart_reserve_minutes", None, "float", kind="by_os_zero",
                      description="minutes of the window no restart starts without, beyond the restart and its "
                                  "settle; empty: 10 on Windows, 15 on Linux"),
    _settings.Setting("learn_durations", True, "bool",
                      description="count a restart and its settle at the host's own durations from the kept "
                                  "reports (the 90th percentile of its last 10), where it has them"),
    _settings.Setting("learned_durations", {}, "dict", kind="learned",
                      description="the host's own expected restart and settle minutes, set by the playbooks from "
                                  "the kept reports; empty: the defaults"),
    _settings.Setting("pre_reboot_delay", 0, "int", minimum=0, kind="number"),
    _settings.Setting("post_reboot_delay", 0, "int", minimum=0, kind="number"),
    _settings.Setting("connect_timeout", 0, "int", minimum=0),
    _settings.Setting("poll_retries", 3, "int", minimum=0, description="failed readings in a row allowed"),
    _settings.Setting("group", [], "list", kind="groups",
                      description="restart groups (cluster, pair, DC set) the host belongs to"),
    _settings.Setting("group_max_down", 1, "raw", kind="max_down",
                      description="members of a group in their restart at once: an integer or a percentage"),
    _settings.Setting("group_gap_seconds", 0, "float", minimum=0,
                      description="pause after a group member is released before the next one restarts"),
    _settings.Setting("tier", 0, "int", minimum=0,
                      description="restart tier: within a batch, lower tiers finish their cycles first"),
    _settings.Setting("tier_on_failure", "stop", "str", choices=_groups.ON_FAILURE,
                      description="stop: a failure in a lower tier defers the higher tiers; continue: they go on"),
    _settings.Setting("health_checks", [], "list", kind="checks",
                      description="checks (url, tcp, command) that must pass after the host's restarts"),
    _settings.Setting("health_checks_before", [], "list", kind="checks",
                      description="checks that must pass before the first restart, else the host is deferred"),
    _settings.Setting("health_poll_seconds", 10, "float", minimum=1, description="seconds between two passes"),
    _settings.Setting("health_timeout", 600, "float", minimum=0, description="seconds the checks may take to pass"),
    _settings.Setting("trigger_update", False, "bool", description="start Sophos' update after each restart"),
    _settings.Setting("prior_restart", False, "bool", group="action",
                      role_default="{{ sophos_patch.rebooted | default(false) }}",
                      description="the host was restarted earlier in this run"),
    _settings.Setting("ignore_reasons", [], "list", group="action", kind="as_sent"),
    _settings.Setting("test_command", "", "str", group="action"),
    _settings.Setting("reboot_msg", "Restart by fleetops.sophos.reboot_cycle (OS and Sophos maintenance)", "str",
                      group="action"),
    _settings.Setting("central_update_check", False, "bool", group="action",
                      description="ask Sophos Central for an update check after each restart"),
    _settings.Setting("central_options", {}, "dict", group="action"),
    _settings.Setting("silence", {}, "dict", group="action",
                      description="an Alertmanager silence for the host, from before its first restart to the "
                                  "cycle's end: a lease extended while the cycle runs"),
), error=CycleError, kinds={
    "run_started": _run_started_kind, "window_end": _window_kind, "window_start": _window_start_kind,
    "by_os": _by_os_kind, "by_os_zero": lambda value, name, context: _by_os_kind(value, name, context, above=False),
    "blackouts": _blackouts_kind,
    "groups": lambda value, name, context: _groups.group_names(value, name),
    "max_down": lambda value, name, context: _groups.max_down(value, name),
    "checks": lambda value, name, context: _gate_rules.checks(value, name),
    "learned": lambda value, name, context: _durations.checked(value, name)}, first=("run_started",))

DEFAULTS = SETTINGS.defaults()


def normalize_settings(raw, now=None):
    """Fill defaults and check every setting; a bad one raises CycleError naming it.

    ``run_started`` (ISO 8601, optional) is the start of the whole run, the moment a relative
    window end counts from; without it ``now`` (the caller's clock) is used, and without both a
    relative window end stays as written until a call that knows the time.

    The role's argument spec checks types already but hands the role the value as
    sent: an AWX survey sends ``"false"`` and ``"20"``, which are converted here.
    The checks a spec cannot express (the window's format, numbers > 0) are made
    here too. Called once, at the edge (the action's entry, the run check): the
    brain's functions take the settings it returns and never convert them again.
    """
    return SETTINGS.normalize(raw, now)


def settings_problems(raw, now=None):
    """Every problem of the cycle settings ``raw``, one short line each (``[]`` when all are good).

    The rules are normalize_settings()'s: each setting is checked on its own (with ``run_started``,
    which a relative window end counts from), so one bad value does not hide the next.
    """
    return SETTINGS.problems(raw, now)


def _check_settings(settings):
    """The brain takes only settings normalize_settings() returned (it converts nothing itself)."""
    if not isinstance(settings, dict) or set(settings) != set(DEFAULTS):
        raise CycleError("settings must be those normalize_settings() returns, got %r" % (settings,))


# ---------------------------------------------------------------- facts helpers

def _check_facts(facts):
    if not isinstance(facts, dict) or "reasons" not in facts:
        raise CycleError("facts must be ansible_facts.sophos_reboot (a dict with 'reasons'), got %r"
                         % (type(facts).__name__,))
    return facts


def strong_reasons(facts):
    return [r.get("id") for r in _check_facts(facts).get("reasons") or [] if r.get("strong")]


def weak_reasons(facts):
    return [r.get("id") for r in _check_facts(facts).get("reasons") or [] if not r.get("strong")]


def reason_ids(facts):
    return [r.get("id") for r in _check_facts(facts).get("reasons") or []]


def _sophos(facts):
    return facts.get("sophos") or {}


def sophos_installed(facts):
    return bool(_sophos(facts).get("installed"))


def last_boot(facts):
    """The host's last boot as an aware datetime, or None when the probe could not read it."""
    value = (facts.get("os") or {}).get("last_boot")
    if not value:
        return None
    return _time.parse_time(value, "os.last_boot")


def _boot_entry(facts):
    os_facts = facts.get("os") or {}
    return {"boot_id": os_facts.get("boot_id"), "last_boot": os_facts.get("last_boot")}


def _by_os_or_longest(settings, name):
    """A setting left to the OS and not resolved (resolve_by_os()): the longer of the two OS defaults."""
    value = settings[name]
    return max(BY_OS[name].values()) if value is None else value


def expected(settings):
    """The restart and settle one more restart of this host is expected to take, and where each comes from:
    ``{restart_minutes, restart_from, restart_samples, settle_minutes, settle_from, settle_samples}``.

    ``*_from`` is ``history`` (the host's own, ``learned_durations``, from the kept reports; see _durations)
    when ``learn_durations`` is on and the host has it, else ``setting``: ``restart_expected_minutes`` (its OS's
    default when not set; left to the OS and not resolved by resolve_by_os(): the longer, Windows') and
    ``settle_minutes``. ``*_samples``: how many measured values the history's figure is of (0 otherwise).
    """
    learned = settings["learned_durations"] if settings["learn_durations"] else {}
    found = {}
    for what, default in (("restart", _by_os_or_longest(settings, "restart_expected_minutes")),
                          ("settle", settings["settle_minutes"])):
        own = learned.get(what + "_minutes")
        found.update({what + "_minutes": default if own is None else own,
                      what + "_from": "setting" if own is None else "history",
                      what + "_samples": 0 if own is None else learned.get(what + "_samples") or 0})
    return found


def worst_case(settings, facts):
    """What a further restart is counted at in the window, in seconds: ``reserve`` (``restart_reserve_minutes``),
    ``restart`` (its delays and its expected duration, expected(): the host's own from history, else
    ``restart_expected_minutes``, not the timeout: a restart rarely takes its whole timeout) and ``settle``
    (expected(); None when Sophos is not installed: nothing to settle)."""
    expectation = expected(settings)
    restart = (expectation["restart_minutes"] * 60.0 + settings["pre_reboot_delay"]
               + settings["post_reboot_delay"])
    settle = expectation["settle_minutes"] * 60.0 if sophos_installed(facts) else None
    return {"reserve": _by_os_or_longest(settings, "restart_reserve_minutes") * 60.0, "restart": restart,
            "settle": settle}


def worst_case_seconds(settings, facts):
    """worst_case() added up."""
    parts = worst_case(settings, facts)
    return parts["reserve"] + parts["restart"] + (parts["settle"] or 0.0)


def _minutes(seconds):
    return "%g min" % round(seconds / 60.0, 1)


def restart_fits(now, deadline, reserve, expected, settle, until="the window ends"):  # pylint: disable=redefined-outer-name
    """``(ok, text)``: do the reserve, the expected restart and the settle (seconds; ``settle`` None: not counted)
    fit between ``now`` and ``deadline`` (aware datetimes)? ``text`` shows the arithmetic:
    ``needs 15 min reserve + 8 min restart + 20 min settle = 43 min; 31 min left before the window ends at …``.
    ``until`` names the deadline (the window's end, or another limit such as a blackout's start)."""
    parts = [(reserve, "reserve"), (expected, "restart")] + ([(settle, "settle")] if settle is not None else [])
    needed = sum(seconds for seconds, _name in parts)
    left = (deadline - now).total_seconds()
    text = "needs %s = %s; %s left before %s at %s" % (
        " + ".join("%s %s" % (_minutes(seconds), name) for seconds, name in parts), _minutes(needed),
        _time.minutes(left), until, _time.iso(deadline))
    return left >= needed, text


def window_end_at(settings, now):
    """The window's end (aware UTC) from normalised settings, None without one."""
    if settings["window_end"] is None:
        return None
    return _time.resolve(settings["window_end"], settings.get("run_started") or now, "window_end")


def window_start_at(settings, now):
    """The window's start (aware UTC) from normalised settings, None without one (see _window_start_kind())."""
    value = settings.get("window_start")
    if value is None:
        return None
    end = window_end_at(settings, now)
    return _time.resolve(value, settings.get("run_started") or now, "window_start",
                         before=end if _time.is_time_of_day(value) else None)


def _history_note(settings):
    """`` (this host's own restart and settle, from N and M measured)`` when the fit uses its history."""
    expectation = expected(settings)
    own = ["%s of %d" % (what, expectation[what + "_samples"]) for what in ("restart", "settle")
           if expectation[what + "_from"] == "history"]
    return " (this host's own from history: %s)" % ", ".join(own) if own else ""


def earliest_restart(settings, now):
    """When the first restart can start: the window's start while it is still ahead, else ``now``."""
    start = window_start_at(settings, now)
    return start if start is not None and start > now else now


def window_check(settings, facts, now):
    """Does one more restart (worst case, worst_case()) fit before the window ends? Counted from the window's
    start when it is still ahead: nothing restarts before it."""
    parts = worst_case(settings, facts)
    needed = worst_case_seconds(settings, facts)
    start = window_start_at(settings, now)
    begin = earliest_restart(settings, now)
    waits = begin > now
    check = {"fits": True, "seconds_left": None, "seconds_needed": needed, "reason": "no maintenance window end set",
             "start": _time.iso(start) if start is not None else None, "before_start": waits}
    end = window_end_at(settings, now)
    if end is None:
        return check
    fits, reason = restart_fits(begin, end, parts["reserve"], parts["restart"], parts["settle"])
    reason += _history_note(settings)
    left = (end - begin).total_seconds()
    if waits:
        reason += " (counted from the window's start at %s)" % _time.iso(start)
    if left <= 0:
        reason = "the maintenance window ended at %s" % _time.iso(end)
    check.update(fits=fits, seconds_left=left, reason=reason)
    return check


def window_summary(window):
    """window_check()'s arithmetic in a few words, for a table: 'fits: 3h10m left, needs 38m00s'."""
    if window["seconds_left"] is None:
        return "no window end set"
    if window["seconds_left"] <= 0:
        return "the window has ended"
    return "%s: %s left, needs %s" % ("fits" if window["fits"] else "does not fit", _time.human_seconds(window["seconds_left"]),
                                      _time.human_seconds(window["seconds_needed"]))


# ---------------------------------------------------------------- state

def start(facts, settings, now, prior_restart=False):
    """A new cycle state for one host, from its first reading.

    ``prior_restart``: the host was restarted earlier in this run (``win_updates``
    with its own restarts). Sophos runs its post-boot update after that boot too,
    so the cycle settles before deciding, measured from that boot.
    """
    _check_settings(settings)
    _check_facts(facts)
    if not isinstance(prior_restart, bool):
        raise CycleError("prior_restart must be true or false (check_flag()), got %r" % (prior_restart,))
    return {
        "settings": settings,
        "started": _time.iso(now),
        "restarts": 0,
        "settled": not prior_restart,
        "prior_restart": prior_restart,
        "boots": [_boot_entry(facts)],
        "settles": [],
        "reasons_before": reason_ids(facts),
        "strong_before": strong_reasons(facts),
    }


def restart_reasons(facts, settings, restarts):
    """The reasons a restart is made for, as ``{id, detail}`` (a forced first restart: ``force``)."""
    reasons = [{"id": r.get("id"), "detail": r.get("detail")}
               for r in _check_facts(facts).get("reasons") or [] if r.get("strong")]
    if not reasons and settings.get("force") and restarts == 0:
        reasons = [{"id": "force", "detail": "forced (reboot_cycle_force)"}]
    return reasons


def restarted(state, facts, now, elapsed=None, before=None):
    """Record a restart that was just made, with the first reading after it.

    ``before``: the reading the restart was decided on; its strong reasons become the boot's
    ``reasons``. ``queued_update`` marks a restart made because a strong Sophos reason came back
    after an earlier restart (ours, or one made earlier in this run) and its settle.
    """
    new = copy.deepcopy(state)
    entry = _boot_entry(facts)
    entry["restarted_at"] = _time.iso(now)
    if elapsed is not None:
        entry["restart_seconds"] = float(elapsed)
    entry["boot_id_before"] = (state["boots"][-1] if state["boots"] else {}).get("boot_id")
    if before is not None:
        entry["reasons"] = restart_reasons(before, state["settings"], state["restarts"])
        sophos_back = any(r.get("strong") and r.get("source") == "sophos"
                          for r in _check_facts(before).get("reasons") or [])
        entry["queued_update"] = bool(sophos_back and (state["restarts"] > 0 or state["prior_restart"]))
    else:
        entry["reasons"] = []
        entry["queued_update"] = False
    new["restarts"] += 1
    new["settled"] = False
    new["boots"].append(entry)
    return new


def slot_taken(state, waited, now):
    """Record that the host holds a slot of each of its restart groups (held until its cycle ends)."""
    new = copy.deepcopy(state)
    new["slot"] = {"groups": list(state["settings"]["group"]), "waited_seconds": round(float(waited), 1),
                   "taken_at": _time.iso(now), "refused": None}
    return new


def slot_refused(state, waited, reason):
    """Record that the host may not restart for its groups (stopped, or its slot came too late): deferred."""
    new = copy.deepcopy(state)
    new["slot"] = {"groups": list(state["settings"]["group"]), "waited_seconds": round(float(waited), 1),
                   "taken_at": None, "refused": reason}
    return new


def start_waited(state, began, ended):
    """Record the wait for the window's start (``began``/``ended``: the controller's clock), added up when a
    cycle waits more than once."""
    new = copy.deepcopy(state)
    earlier = state.get("window_start_wait") or {}
    seconds = (ended - began).total_seconds() + (earlier.get("seconds") or 0.0)
    new["window_start_wait"] = {"seconds": round(seconds, 1), "from": earlier.get("from") or _time.iso(began),
                                "to": _time.iso(ended)}
    return new


def tier_noted(state, turn, now):
    """Record the host's tier's turn (``turn``: _groups.tier_hold() with ``since``, when the host reached its
    cycle): the lower-tier hosts it came after, the time it waited for them, and why it must not restart."""
    new = copy.deepcopy(state)
    since = turn.get("since")
    waited = max(0.0, (now - _time.parse_time(since, "since")).total_seconds()) if since else 0.0
    new["tier"] = {"tier": state["settings"]["tier"], "after": list(turn.get("after") or []),
                   "failed": list(turn.get("failed") or []), "hold": turn.get("hold"),
                   "waited_seconds": round(waited, 1)}
    return new


def gated(state, when, results):
    """Record a pass of the health checks (``when``: before or after); plan() judges it."""
    new = copy.deepcopy(state)
    new["gates_before" if when == "before" else "gates"] = [dict(result) for result in results]
    return new


def settled(state, settle, started_at=None, ended_at=None, readings=None):
    """Record how the settle after the current boot ended (``settle`` from settle_state()).

    ``started_at``/``ended_at``: when the cycle began and stopped waiting (controller clock);
    ``readings``: how many times the host was read while waiting (each one progress line).
    """
    if settle.get("wait"):
        raise CycleError("settled() called while the settle is still waiting")
    new = copy.deepcopy(state)
    new["settled"] = True
    entry = {
        "mode": settle["mode"],
        "seconds": round(settle["elapsed"], 1),
        "ended": settle["ended"],
        "reason": settle["reason"],
    }
    if started_at is not None:
        entry["started_at"] = _time.iso(started_at)
    if ended_at is not None:
        entry["ended_at"] = _time.iso(ended_at)
    if readings is not None:
        entry["readings"] = readings
    new["settles"].append(entry)
    return new


def settle_since(state):
    """The settle's fallback start when the boot time cannot be read: the last restart, else the cycle's start.

    A settle must have a fixed start, or an unreadable boot time would make it wait for ever.
    """
    return (state["boots"][-1].get("restarted_at") if state.get("boots") else None) or state.get("started")


def settle_polls_bound(settings):
    """Most readings one settle may take: its interval at the poll rate, twice, plus a margin.

    Settles are measured on the host's clock; a host whose clock or boot time does not move would
    otherwise be polled for ever.
    """
    interval = settings["settle_minutes"] * 60.0
    return int(math.ceil(interval / settings["poll_seconds"])) * 2 + 10


def hook_stops(settings):
    """Most hook stops one cycle can make: before and after each restart."""
    return 2 * settings["max_cycles"]


def read_errors_summary(facts):
    errors = facts.get("read_errors") or []
    parts = ["%s: %s" % (e.get("source"), e.get("error")) if isinstance(e, dict) else str(e) for e in errors]
    return "; ".join(parts) if parts else "no read error reported"


# ---------------------------------------------------------------- update trigger
#
# With trigger_update the action starts Sophos' post-boot update right after each restart instead of
# letting Sophos wait its ~5 minutes. An outcome is {"triggered": True|False|None, "note": str,
# "show": bool, "warn": bool}: True = started (or joined one already running), False = the trigger
# failed (a warning, never a failed cycle), None = nothing can be triggered on this host (said once).

def _trigger(triggered, note, show=True, warn=False):
    return {"triggered": triggered, "note": note, "show": show, "warn": warn}


def trigger_skip(state, facts):
    """The outcome when no trigger is tried after the current restart, else None.

    Nothing is tried where Sophos is not installed, nor again once an earlier restart of this
    cycle found nothing to trigger (said then, not again).
    """
    for number, boot in enumerate(state.get("boots", [])[1:-1], start=1):
        if "update_triggered" in boot and boot["update_triggered"] is None:
            return _trigger(None, "not tried: nothing to trigger after restart %d" % number, show=False)
    if not sophos_installed(_check_facts(facts)):
        return _trigger(None, "Sophos is not installed: no update to start; the settle runs as before")
    return None


def unit_reading(command_result):
    """The update unit as ``systemctl show --property=LoadState,ActiveState`` reads it (an
    ``ansible.builtin.command`` result): None when it can be started, else the outcome."""
    if command_result.get("failed") or command_result.get("rc") not in (0, None):
        return _trigger(False, "could not read %s: %s" % (
            UPDATE_UNIT, command_result.get("msg") or command_result.get("stderr") or "no message"), warn=True)
    props = {}
    for line in (command_result.get("stdout") or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            props[key.strip()] = value.strip()
    load = props.get("LoadState")
    if load == "loaded":
        return None
    if load in ("not-found", "masked"):
        return _trigger(None, "%s is %s on this host: no update to start; the settle runs as before"
                        % (UPDATE_UNIT, load))
    return _trigger(False, "could not read %s: LoadState %r in %r" % (
        UPDATE_UNIT, load, command_result.get("stdout")), warn=True)


def unit_started(service_result):
    """The outcome of ``ansible.builtin.systemd_service`` started with ``no_block``."""
    if service_result.get("failed") or service_result.get("unreachable"):
        return _trigger(False, "starting %s failed: %s" % (UPDATE_UNIT, service_result.get("msg") or "no message"),
                        warn=True)
    if service_result.get("changed"):
        return _trigger(True, "started %s (not waited for)" % UPDATE_UNIT)
    return _trigger(True, "%s was running already: joined it, nothing started twice" % UPDATE_UNIT)


def tool_started(module_result):
    """The outcome of ``fleetops.sophos.win_sophos_update_now`` (``SAUcli.exe UpdateNow``)."""
    if module_result.get("failed") or module_result.get("unreachable"):
        return _trigger(False, "%s failed: %s" % (UPDATE_TOOL, module_result.get("msg") or "no message"), warn=True)
    path = module_result.get("path")
    if not path:
        return _trigger(None, "no SAUcli.exe in the Sophos AutoUpdate directories (%s): no update to start; "
                              "the settle runs as before" % ", ".join(module_result.get("searched") or []))
    if module_result.get("joined"):
        return _trigger(True, "%s UpdateNow was running already (scheduled task %s): joined it, nothing started "
                              "twice" % (path, module_result.get("task")))
    if not module_result.get("exited"):
        task = module_result.get("task")
        return _trigger(True, "%s UpdateNow started, still running after %s s (left running%s)"
                        % (path, module_result.get("wait_seconds"), " as the scheduled task %s" % task if task else ""))
    if module_result.get("rc") == 0:
        return _trigger(True, "%s UpdateNow exited 0" % path)
    output = (module_result.get("output") or "").strip()
    return _trigger(False, "%s UpdateNow exited %s%s" % (path, module_result.get("rc"),
                                                         (": " + output[:200]) if output else ""), warn=True)


def trigger_entry(outcome):
    """The keys an outcome adds to the boot entry of its restart (``boots[]``)."""
    return {"update_triggered": outcome["triggered"], "update_trigger": outcome["note"]}


def triggered(state, outcome):
    """The state with the update trigger's outcome recorded in the current boot entry (the last one)."""
    new = copy.deepcopy(state)
    new["boots"][-1].update(trigger_entry(outcome))
    return new


# ---------------------------------------------------------------- settle

def settle_state(facts, settings, now, since=None):
    """Whether to keep waiting for Sophos after the current boot, and why.

    The clock runs from the host's last boot (``os.last_boot``), so time the host
    spent booting, or a restart made by someone else (``win_updates``), counts.
    Time since boot is read on the host's own clock (``checked_at`` − ``os.last_boot``),
    so a controller clock that is off cannot shorten or lengthen the settle; ``now``
    (the controller) is used only when the reading has no ``checked_at``.
    ``since`` is the fallback start (the moment the restart returned, controller
    clock) when the probe could not read the boot time.

    Ends with:
    ``skipped``   no Sophos on the host: nothing to wait for;
    ``evidence``  (poll) Sophos finished an update after this boot and is not updating;
    ``reboot_required`` (poll) a strong restart need is back and Sophos is not
                  updating: the queued update installed and wants its own restart;
    ``interval``  the settle time after boot has passed.
    """
    _check_settings(settings)
    _check_facts(facts)
    mode = settings["settle_mode"]
    interval = settings["settle_minutes"] * 60.0
    boot = last_boot(facts)
    read_at = facts.get("checked_at")
    if boot is None:
        boot = _time.parse_time(since, "settle start") if since else now
        clock = now
    elif read_at:
        clock = _time.parse_time(read_at, "checked_at")
    else:
        clock = now
    elapsed = max(0.0, (clock - boot).total_seconds())
    left = max(0.0, interval - elapsed)
    sophos = _sophos(facts)
    updating = bool(sophos.get("updating"))
    state = {"mode": mode, "elapsed": elapsed, "seconds_left": left, "interval": interval,
             "since": _time.iso(boot), "wait": False, "ended": None, "sleep": 0.0,
             "updating": updating}

    def end(how, reason):
        state.update(ended=how, reason=reason, waiting_for=None)
        return state

    if not sophos_installed(facts):
        return end("skipped", "Sophos is not installed: no post-boot update to wait for")
    if mode == "poll" and not updating:
        strong = strong_reasons(facts)
        if strong:
            return end("reboot_required", "a restart is required again (%s) and Sophos is not "
                                          "updating" % ", ".join(strong))
        if sophos.get("updated_since_boot") and not _health_waiting(facts):
            return end("evidence", "Sophos finished an update after this boot (last update %s) "
                                   "and is not updating" % sophos.get("last_update"))
    if left <= 0:
        if mode == "fixed":
            return end("interval", "%s since boot: the fixed settle time is over" % _time.human_seconds(elapsed))
        return end("interval", "%s since boot and no finished Sophos update seen: the settle "
                               "interval is over" % _time.human_seconds(elapsed))
    if mode == "fixed":
        waiting_for = "the fixed settle time after boot (Sophos advises 20 minutes)"
    elif updating:
        waiting_for = "Sophos to finish the update it is running"
    elif sophos.get("updated_since_boot"):
        waiting_for = "Sophos services to start: %s" % ", ".join(_health_waiting(facts))
    else:
        waiting_for = "Sophos to run and finish its post-boot update (none finished since boot)"
    state.update(wait=True, waiting_for=waiting_for, sleep=min(settings["poll_seconds"], left),
                 reason="%s left of %s after boot; waiting for %s"
                        % (_time.human_seconds(left), _time.human_seconds(interval), waiting_for))
    return state


# ---------------------------------------------------------------- plan and verify

def _health(facts):
    """The health rule of ``_assess.health_verdict`` applied to a reading, on the host's own clock."""
    read_at, boot = facts.get("checked_at"), last_boot(facts)
    since_boot = (_time.parse_time(read_at, "checked_at") - boot).total_seconds() if read_at and boot else None
    return _assess.health_verdict(_sophos(facts).get("health"), since_boot)


def _health_waiting(facts):
    """What the settle still waits for before health can be verified: services starting, Sophos Health lagging."""
    if not sophos_installed(facts):
        return []
    verdict = _health(facts)
    waiting = list(verdict["starting"])
    if verdict["lagging"]:
        waiting.append("Sophos Health (reports bad, lags the services after boot)")
    return waiting


def _health_problems(facts):
    """Why Sophos is not verified healthy: the same rule as assess(); not yet confirmed is not healthy."""
    if not sophos_installed(facts):
        return []
    verdict = _health(facts)
    overall = (_sophos(facts).get("health") or {}).get("overall")
    problems = []
    if overall == "bad" or (verdict["overall"] == "bad" and not verdict["stopped"]):
        problems.append("Sophos health is bad")
    if verdict["stopped"]:
        problems.append("Sophos service(s) not running: %s" % ", ".join(verdict["stopped"]))
    if verdict["starting"]:
        problems.append("Sophos service(s) not running yet (starting): %s" % ", ".join(verdict["starting"]))
    if verdict["unknown"]:
        problems.append("Sophos service(s) whose state or start mode could not be read: %s"
                        % ", ".join(verdict["unknown"]))
    if verdict["lagging"]:
        problems.append("Sophos Health still reports bad (it lags the services after boot)")
    if overall in (None, "unknown") and not (verdict["running"] or problems):
        problems.append("Sophos health unknown: neither Sophos Health nor a running Sophos service was read")
    return problems


def _end(step, status, reason, **extra):
    decision = {"step": step, "status": status, "reason": reason, "failed": step == "fail",
                "warning": reason if step == "warn" else None}
    decision.update(extra)
    return decision


def plan(facts, state, now):
    """The next step of one host's cycle, with the status it ends with and a reason.

    ``step``: ``reboot`` | ``settle`` (continue) or ``done`` | ``defer`` | ``fail``
    | ``warn`` (end; ``warn`` = a problem the settings turn into a warning).
    Weak reasons alone never restart: only ``force`` does.
    """
    _check_facts(facts)
    settings = state["settings"]
    restarts = state["restarts"]
    strong = strong_reasons(facts)
    weak = weak_reasons(facts)
    common = {"strong": strong, "weak": weak, "restarts": restarts}

    if not state["settled"]:
        why = ("after restart %d" % restarts) if restarts else "after the restart made earlier in this run"
        return dict(common, step="settle", status=None, failed=False, warning=None,
                    reason="let Sophos finish its post-boot update %s before re-assessing" % why)

    forced = settings["force"] and restarts == 0
    if not strong and not forced and "reboot_required" in facts and facts["reboot_required"] is None:
        return _end("fail", "failed", "cannot read the restart state: %s" % read_errors_summary(facts),
                    **common)
    wants_restart = bool(strong) or forced
    if wants_restart and restarts >= settings["max_cycles"]:
        reason = ("still pending after %d restart(s) (max_cycles %d): %s"
                  % (restarts, settings["max_cycles"], ", ".join(strong)))
        step = "fail" if settings["fail_when_still_pending"] else "warn"
        return _end(step, "still_pending", reason, **common)
    if wants_restart:
        why = ", ".join(strong) if strong else "forced (reboot_cycle_force)"
        window = window_check(settings, facts, now)
        slot = state.get("slot")
        turn = state.get("tier") or {}
        if turn.get("hold") and restarts == 0:
            return _end("defer", "deferred", "restart 1 deferred (%s): %s" % (why, turn["hold"]),
                        window=window, **common)
        if slot is not None and slot.get("refused"):
            return _end("defer", "deferred", "restart %d deferred (%s): %s" % (restarts + 1, why, slot["refused"]),
                        window=window, **common)
        if not window["fits"]:
            waited = ""
            if turn.get("after") and restarts == 0:
                waited = " (after waiting %s for tier(s) below %d: %s)" % (
                    _time.human_seconds(turn["waited_seconds"]), turn["tier"], ", ".join(turn["after"]))
            return _end("defer", "deferred", "restart %d deferred (%s): %s%s"
                        % (restarts + 1, why, window["reason"], waited), window=window, **common)
        if window["before_start"]:
            start = _time.parse_time(window["start"], "window_start")
            return dict(common, step="wait_start", status=None, failed=False, warning=None, window=window,
                        reason="restart %d (%s) waits for the window's start at %s, %s from now"
                        % (restarts + 1, why, window["start"], _time.human_seconds((start - now).total_seconds())),
                        restart_why="restart %d: %s" % (restarts + 1, why))
        if settings["group"] and slot is None:
            return dict(common, step="slot", status=None, failed=False, warning=None, window=window,
                        reason="restart %d needs a slot in restart group(s) %s (at most %s down)"
                        % (restarts + 1, ", ".join(settings["group"]), settings["group_max_down"]))
        if restarts == 0 and settings["health_checks_before"]:
            if state.get("gates_before") is None:
                return dict(common, step="gate_before", status=None, failed=False, warning=None, window=window,
                            reason="health checks before restart 1")
            failure = _gate_rules.first_failure(state["gates_before"])
            if failure is not None:
                return _end("defer", "deferred", "restart 1 deferred (%s): health check before the restart failed: %s"
                            % (why, failure), window=window, **common)
        return dict(common, step="reboot", status=None, failed=False, warning=None, window=window,
                    reason="restart %d of at most %d: %s" % (restarts + 1, settings["max_cycles"], why))

    if restarts == 0:
        if weak:
            reason = "no restart needed: only weak reasons (%s), which never restart alone" % ", ".join(weak)
        else:
            reason = "no restart needed: nothing pending"
        if state["prior_restart"]:
            reason += " after the restart made earlier in this run"
        # Health is verified whenever a failure was asked for (fail_when_unhealthy), restart or
        # not: "ok, nothing pending" on a host whose Sophos is stopped would be a false all-clear.
        if state["prior_restart"] or settings["fail_when_unhealthy"]:
            problems = _health_problems(facts)
            if problems:
                step = "fail" if settings["fail_when_unhealthy"] else "warn"
                return _end(step, "failed", "%s, but %s" % (reason, "; ".join(problems)),
                            health_checked=True, **common)
            reason += "; Sophos healthy" if sophos_installed(facts) else ""
        return _end("done", "ok", reason, health_checked=bool(state["prior_restart"] or settings["fail_when_unhealthy"]),
                    **common)

    problems = _health_problems(facts)
    if problems:
        step = "fail" if settings["fail_when_unhealthy"] else "warn"
        return _end(step, "failed", "after %d restart(s): %s" % (restarts, "; ".join(problems)), **common)
    tail = (" (weak reasons left: %s)" % ", ".join(weak)) if weak else ""
    if settings["health_checks"]:
        if state.get("gates") is None:
            return dict(common, step="gate", status=None, failed=False, warning=None,
                        reason="health checks after %d restart(s)" % restarts)
        failure = _gate_rules.first_failure(state["gates"])
        if failure is not None:
            return _end("fail", "failed", "health check failed: %s" % failure, **common)
        tail += "; health checks passed"
    return _end("done", "rebooted", "clean after %d restart(s), Sophos services running%s"
                % (restarts, tail), **common)


def result(state, decision, facts, now, check_mode=False, unreachable=False):
    """The ``sophos_reboot_cycle`` record for the report (schema in docs/architecture.md).

    ``unreachable``: the cycle broke off because the host stopped answering.
    """
    if decision["step"] in CONTINUE_STEPS and not check_mode:
        raise CycleError("result() needs an ending decision, got step %r" % decision["step"])
    started = _time.parse_time(state["started"], "started")
    would_reboot = decision["step"] in ("reboot", "slot", "wait_start")
    window = None
    if check_mode:
        status = "deferred" if decision["step"] == "defer" else "ok"
        if decision["step"] == "wait_start":
            message = "check mode: would wait until %s (the window's start), then %s" % (
                decision["window"]["start"], decision["restart_why"])
        else:
            message = "check mode: " + ("would restart now, " if would_reboot else "") + decision["reason"]
        if would_reboot:
            # What a real run would work with: the window's arithmetic for the restart it would make.
            window = window_check(state["settings"], facts, now)
            message += "; window: " + window["reason"]
    else:
        status = decision["status"]
        message = decision["reason"]
    record = {
        "status": status,
        "check_mode": bool(check_mode),
        "would_reboot": would_reboot,
        "restarts": state["restarts"],
        "max_cycles": state["settings"]["max_cycles"],
        "boots": state["boots"],
        "settles": state["settles"],
        "reasons_before": state["reasons_before"],
        "reasons_after": reason_ids(facts),
        "message": message,
        "warning": decision.get("warning"),
        "started": state["started"],
        "finished": _time.iso(now),
        "duration_seconds": round((now - started).total_seconds(), 1),
        "unreachable": bool(unreachable),
        "expected": expected(state["settings"]),
    }
    if state["settings"].get("window_start"):
        record["window_start"] = _time.iso(window_start_at(state["settings"], started))
        record["window_start_wait"] = state.get("window_start_wait")
    if window is not None:
        record["window"] = window_summary(window)
    if state["settings"]["group"]:
        record["groups"] = list(state["settings"]["group"])
        record["slot_wait_seconds"] = (state.get("slot") or {}).get("waited_seconds")
    if state.get("tier") is not None:
        turn = state["tier"]
        record["tier"] = turn["tier"]
        record["tier_after"] = list(turn["after"])
        record["tier_wait_seconds"] = turn["waited_seconds"]
    if state["settings"]["health_checks"] or state["settings"]["health_checks_before"]:
        record["health_checks"] = (state.get("gates_before") or []) + (state.get("gates") or [])
    return record


def failure(state, message, facts, now, unreachable=False):
    """The record of a cycle broken off by a failed task (a restart that timed out, say)."""
    decision = {"step": "fail", "status": "failed", "reason": message, "warning": None}
    return result(state, decision, facts, now, unreachable=_flag(unreachable, "unreachable"))


def aborted(record, message, facts, now, unreachable=False, check_mode=False, started=None):
    """The record of a host whose maintenance broke off outside the cycle's own steps.

    The maintenance playbook calls it for every host that failed anywhere (window guard,
    patching, a hook, the cycle), so the report sees a ``failed`` record that says what failed.
    ``record`` is the host's ``sophos_reboot_cycle`` so far, or None. A record that already
    says the host failed or stayed pending is kept as it is: it names the cause best. Otherwise
    what the record knows (restarts, boots, settles) is kept and the status becomes ``failed``.
    ``facts`` may be None when the host was never read.
    """
    unreachable = _flag(unreachable, "unreachable")
    if isinstance(record, dict) and record.get("status") in ("failed", "still_pending"):
        if unreachable and not record.get("unreachable"):
            return dict(record, unreachable=True)
        return record
    earlier = record if isinstance(record, dict) else {}
    reasons = reason_ids(facts) if isinstance(facts, dict) and "reasons" in facts else []
    begun = earlier.get("started") or started or _time.iso(now)
    return {
        "status": "failed",
        "check_mode": bool(earlier.get("check_mode", check_mode)),
        "would_reboot": False,
        "restarts": earlier.get("restarts", 0),
        "max_cycles": earlier.get("max_cycles"),
        "boots": earlier.get("boots", []),
        "settles": earlier.get("settles", []),
        "reasons_before": earlier.get("reasons_before", reasons),
        "reasons_after": reasons,
        "message": message,
        "warning": None,
        "started": begun,
        "finished": _time.iso(now),
        "duration_seconds": round((now - _time.parse_time(begun, "started")).total_seconds(), 1),
        "unreachable": unreachable,
    }


def guard(facts, settings, now):
    """The window guard before any change (patching included): decision and record pieces.

    Returns plan()'s decision shape: ``defer`` when one restart with its settle
    (worst case) no longer fits before the window end, else ``done`` with status
    ``ok`` (the guard itself changes nothing).
    """
    _check_settings(settings)
    _check_facts(facts)
    window = window_check(settings, facts, now)
    common = {"strong": strong_reasons(facts), "weak": weak_reasons(facts), "restarts": 0, "window": window}
    if window["fits"]:
        return _end("done", "ok", "the cycle fits the window: " + window["reason"], **common)
    return _end("defer", "deferred", "maintenance deferred: " + window["reason"], **common)
