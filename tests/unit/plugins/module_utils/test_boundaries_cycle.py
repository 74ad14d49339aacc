# -*- coding: utf-8 -*-
"""The cycle's edges, each at, below and above: settle end, restart budget, window guard, health checks."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time

BOOT = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)


def facts(strong=(), weak=(), installed=True, updating=False, updated=False, health="good", services=None,
          read_at=None, boot=BOOT):
    reasons = [{"id": r, "source": "os", "strong": True, "detail": "t"} for r in strong]
    reasons += [{"id": r, "source": "os", "strong": False, "detail": "t"} for r in weak]
    return {
        "reasons": reasons,
        "reboot_required": bool(strong),
        "checked_at": _time.iso(read_at) if read_at else None,
        "sophos": {"installed": installed, "updating": updating, "updated_since_boot": updated,
                   "last_update": "2026-11-28T02:06:00Z" if updated else None,
                   "health": {"overall": health, "services": {"MCS": "running"} if services is None else services}},
        "os": {"last_boot": _time.iso(boot) if boot else None, "boot_id": "b1"},
    }


# ------------------------------------------------------------------ settle end conditions

@pytest.mark.parametrize("seconds, wait, ended, left", [
    (20 * 60 - 1, True, None, 1.0),
    (20 * 60, False, "interval", 0.0),
    (20 * 60 + 1, False, "interval", 0.0),
])
def test_settle_interval_edge(seconds, wait, ended, left):
    read_at = BOOT + timedelta(seconds=seconds)
    settle = _cycle.settle_state(facts(read_at=read_at), _cycle.normalize_settings({"settle_minutes": 20, "poll_seconds": 30}, read_at), read_at)
    assert (settle["wait"], settle["ended"], settle["seconds_left"]) == (wait, ended, left)
    assert settle["elapsed"] == float(seconds) and settle["interval"] == 1200.0
    assert settle["since"] == "2026-11-28T02:00:00Z" and settle["mode"] == "poll"


def test_settle_sleep_is_the_poll_or_what_is_left():
    read_at = BOOT + timedelta(seconds=1200 - 31)
    settle = _cycle.settle_state(facts(read_at=read_at), _cycle.normalize_settings({"poll_seconds": 30}, read_at), read_at)
    assert settle["sleep"] == 30.0
    assert settle["reason"] == ("31s left of 20m00s after boot; waiting for Sophos to run and finish its "
                                "post-boot update (none finished since boot)")
    read_at = BOOT + timedelta(seconds=1200 - 29)
    settle = _cycle.settle_state(facts(read_at=read_at), _cycle.normalize_settings({"poll_seconds": 30}, read_at), read_at)
    assert settle["sleep"] == 29.0 and settle["waiting_for"].startswith("Sophos to run and finish")


@pytest.mark.parametrize("updating, updated, strong, mode, expected", [
    (False, True, (), "poll", (False, "evidence")),
    (True, True, (), "poll", (True, None)),           # an update still running: wait
    (False, False, (), "poll", (True, None)),         # nothing finished since boot: wait
    (False, False, ("reboot_required_file",), "poll", (False, "reboot_required")),
    (True, False, ("reboot_required_file",), "poll", (True, None)),
    (False, True, (), "fixed", (True, None)),         # fixed mode ignores the evidence
    (False, False, ("reboot_required_file",), "fixed", (True, None)),
])
def test_settle_poll_ends(updating, updated, strong, mode, expected):
    read_at = BOOT + timedelta(minutes=6)
    f = facts(strong=strong, updating=updating, updated=updated, read_at=read_at)
    settle = _cycle.settle_state(f, _cycle.normalize_settings({"settle_mode": mode}, read_at), read_at)
    assert (settle["wait"], settle["ended"]) == expected
    assert settle["updating"] is updating
    if updating and expected[0]:
        assert settle["waiting_for"] == "Sophos to finish the update it is running"
    if mode == "fixed":
        assert settle["waiting_for"] == "the fixed settle time after boot (Sophos advises 20 minutes)"


def test_settle_reasons_and_fixed_interval_end():
    read_at = BOOT + timedelta(minutes=6)
    assert _cycle.settle_state(facts(updated=True, read_at=read_at), _cycle.normalize_settings({}, read_at), read_at)["reason"] == (
        "Sophos finished an update after this boot (last update 2026-11-28T02:06:00Z) and is not updating")
    assert _cycle.settle_state(facts(strong=("a", "b"), read_at=read_at), _cycle.normalize_settings({}, read_at), read_at)["reason"] == (
        "a restart is required again (a, b) and Sophos is not updating")
    late = BOOT + timedelta(minutes=21)
    assert _cycle.settle_state(facts(read_at=late), _cycle.normalize_settings({"settle_mode": "fixed"}, late), late)["reason"] == (
        "21m00s since boot: the fixed settle time is over")
    assert _cycle.settle_state(facts(read_at=late), _cycle.normalize_settings({}, late), late)["reason"] == (
        "21m00s since boot and no finished Sophos update seen: the settle interval is over")
    skipped = _cycle.settle_state(facts(installed=False, read_at=read_at), _cycle.normalize_settings({}, read_at), read_at)
    assert (skipped["wait"], skipped["ended"], skipped["waiting_for"]) == (False, "skipped", None)


def test_settle_clock_without_boot_or_reading_time():
    now = BOOT + timedelta(minutes=5)
    # No boot time: counted from ``since`` (the restart's return), on the controller clock.
    settle = _cycle.settle_state(facts(boot=None), _cycle.normalize_settings({}, now), now, since=_time.iso(BOOT + timedelta(minutes=1)))
    assert settle["elapsed"] == 240.0 and settle["since"] == "2026-11-28T02:01:00Z"
    settle = _cycle.settle_state(facts(boot=None), _cycle.normalize_settings({}, now), now)
    assert settle["elapsed"] == 0.0
    # No checked_at: the controller clock against the boot time.
    assert _cycle.settle_state(facts(), _cycle.normalize_settings({}, now), now)["elapsed"] == 300.0
    # A reading before the boot (clock skew) is no negative time.
    early = BOOT - timedelta(minutes=1)
    assert _cycle.settle_state(facts(read_at=early), _cycle.normalize_settings({}, now), now)["elapsed"] == 0.0


# ------------------------------------------------------------------ restart budget (max_cycles)

def _settled_state(f, restarts, **settings):
    state = _cycle.start(f, _cycle.normalize_settings(settings, BOOT), BOOT)
    for _restart in range(restarts):
        state = _cycle.restarted(state, f, BOOT)
        state = _cycle.settled(state, {"wait": False, "mode": "poll", "elapsed": 0.0, "ended": "interval",
                                       "reason": "r"})
    return state


@pytest.mark.parametrize("restarts, step, status", [
    (1, "reboot", None), (2, "fail", "still_pending"), (3, "fail", "still_pending"),
])
def test_max_cycles_edge(restarts, step, status):
    f = facts(strong=["reboot_required_file"])
    decision = _cycle.plan(f, _settled_state(f, restarts, max_cycles=2), BOOT)
    assert (decision["step"], decision["status"], decision["restarts"]) == (step, status, restarts)
    if step == "fail":
        assert decision["reason"] == ("still pending after %d restart(s) (max_cycles 2): reboot_required_file"
                                      % restarts)
        assert decision["failed"] is True
    else:
        assert decision["reason"] == "restart 2 of at most 2: reboot_required_file"


def test_still_pending_warns_when_told_not_to_fail():
    f = facts(strong=["x"])
    decision = _cycle.plan(f, _settled_state(f, 1, max_cycles=1, fail_when_still_pending=False), BOOT)
    assert (decision["step"], decision["status"], decision["failed"]) == ("warn", "still_pending", False)
    assert decision["warning"] == decision["reason"]


@pytest.mark.parametrize("restarts, step, status", [(0, "reboot", None), (1, "done", "rebooted")])
def test_force_restarts_once_only(restarts, step, status):
    f = facts()
    decision = _cycle.plan(f, _settled_state(f, restarts, force=True), BOOT)
    assert (decision["step"], decision["status"]) == (step, status)
    if step == "reboot":
        assert decision["reason"] == "restart 1 of at most 2: forced (reboot_cycle_force)"


def test_weak_reasons_never_restart_and_are_named():
    f = facts(weak=["needrestart_microcode", "pending_file_rename"])
    decision = _cycle.plan(f, _settled_state(f, 0), BOOT)
    assert (decision["step"], decision["status"]) == ("done", "ok")
    assert decision["reason"] == ("no restart needed: only weak reasons (needrestart_microcode, "
                                  "pending_file_rename), which never restart alone; Sophos healthy")
    decision = _cycle.plan(f, _settled_state(f, 1), BOOT)
    assert decision["reason"] == ("clean after 1 restart(s), Sophos services running (weak reasons left: "
                                  "needrestart_microcode, pending_file_rename)")
    assert _cycle.plan(facts(), _settled_state(facts(), 0), BOOT)["reason"] == "no restart needed: nothing pending; Sophos healthy"


def test_unsettled_state_settles_first():
    f = facts(strong=["x"])
    state = _cycle.restarted(_cycle.start(f, _cycle.normalize_settings({}, BOOT), BOOT), f, BOOT)
    decision = _cycle.plan(f, state, BOOT)
    assert (decision["step"], decision["status"], decision["failed"]) == ("settle", None, False)
    assert decision["reason"] == "let Sophos finish its post-boot update after restart 1 before re-assessing"
    prior = _cycle.start(f, _cycle.normalize_settings({}, BOOT), BOOT, prior_restart=True)
    assert _cycle.plan(f, prior, BOOT)["reason"] == ("let Sophos finish its post-boot update after the restart "
                                                     "made earlier in this run before re-assessing")


# ------------------------------------------------------------------ health on every path that verifies

SICK = [
    ({"health": "bad"}, "Sophos health is bad"),
    ({"services": {"MCS": "stopped", "AV": "stopped", "Web": "running"}}, "Sophos service(s) not running: AV, MCS"),
    ({"health": "bad", "services": {"MCS": "stopped"}}, "Sophos health is bad; Sophos service(s) not running: MCS"),
]


@pytest.mark.parametrize("sick, problem", SICK)
def test_health_checked_after_own_restarts(sick, problem):
    f = facts(**sick)
    decision = _cycle.plan(f, _settled_state(f, 1), BOOT)
    assert (decision["step"], decision["status"]) == ("fail", "failed")
    assert decision["reason"] == "after 1 restart(s): " + problem
    decision = _cycle.plan(f, _settled_state(f, 1, fail_when_unhealthy=False), BOOT)
    assert (decision["step"], decision["status"], decision["warning"]) == ("warn", "failed", decision["reason"])


@pytest.mark.parametrize("sick, problem", SICK)
def test_health_checked_after_a_prior_restart(sick, problem):
    f = facts(**sick)
    state = _cycle.settled(_cycle.start(f, _cycle.normalize_settings({}, BOOT), BOOT, prior_restart=True),
                           {"wait": False, "mode": "poll", "elapsed": 1.0, "ended": "interval", "reason": "r"})
    decision = _cycle.plan(f, state, BOOT)
    assert (decision["step"], decision["status"], decision["reason"]) == (
        "fail", "failed", "no restart needed: nothing pending after the restart made earlier in this run, but " + problem)
    state["settings"]["fail_when_unhealthy"] = False
    assert _cycle.plan(f, state, BOOT)["step"] == "warn"


@pytest.mark.parametrize("sick", [s for s, _p in SICK])
def test_health_judged_without_a_restart_only_when_a_failure_is_asked(sick):
    f = facts(**sick)
    # Nothing pending and Sophos unhealthy: fail_when_unhealthy (the default) fails the host.
    decision = _cycle.plan(f, _settled_state(f, 0), BOOT)
    assert (decision["step"], decision["health_checked"]) == ("fail", True)
    decision = _cycle.plan(f, _settled_state(f, 0, fail_when_unhealthy=False), BOOT)
    assert (decision["step"], decision["health_checked"]) == ("done", False)
    g = facts(installed=False, **sick)
    decision = _cycle.plan(g, _settled_state(g, 1), BOOT)
    assert (decision["step"], decision["status"]) == ("done", "rebooted")


@pytest.mark.parametrize("services", [{"MCS": "running"}, {}])
def test_health_good_or_read_health_without_services_pass(services):
    f = facts(services=services, health="suspicious")
    decision = _cycle.plan(f, _settled_state(f, 1), BOOT)
    assert (decision["step"], decision["status"]) == ("done", "rebooted")
    assert decision["reason"] == "clean after 1 restart(s), Sophos services running"


def test_a_service_in_an_unknown_state_is_not_verified_healthy():
    """Unknown is never "healthy" (issue 23, points 1 and 6): it used to pass."""
    f = facts(services={"MCS": "unknown"}, health="suspicious")
    decision = _cycle.plan(f, _settled_state(f, 1), BOOT)
    assert (decision["step"], decision["status"]) == ("fail", "failed")
    assert decision["reason"] == "after 1 restart(s): Sophos service(s) whose state or start mode could not be read: MCS"


# ------------------------------------------------------------------ window guard

NOW = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)
# A restart counted in the window with Sophos: reserve 15 min + expected 10 min + delays 0 + settle 20 min = 2700 s.
TEN = {"restart_expected_minutes": 10, "restart_reserve_minutes": 15}


@pytest.mark.parametrize("left, fits", [(2699, False), (2700, True), (2701, True)])
def test_window_edge(left, fits):
    settings = dict(TEN, window_end=_time.iso(NOW + timedelta(seconds=left)))
    check = _cycle.window_check(_cycle.normalize_settings(settings), facts(), NOW)
    assert (check["fits"], check["seconds_left"], check["seconds_needed"]) == (fits, float(left), 2700.0)
    guard = _cycle.guard(facts(), _cycle.normalize_settings(settings, NOW), NOW)
    assert (guard["step"], guard["status"]) == (("done", "ok") if fits else ("defer", "deferred"))
    assert guard["window"] == check
    f = facts(strong=["x"])
    decision = _cycle.plan(f, _settled_state(f, 0, **settings), NOW)
    assert decision["step"] == ("reboot" if fits else "defer")
    assert decision["window"] == check


@pytest.mark.parametrize("left, reason", [
    (-1, "the maintenance window ended at 2026-11-28T02:59:59Z"),
    (0, "the maintenance window ended at 2026-11-28T03:00:00Z"),
    (1, "needs 15 min reserve + 10 min restart + 20 min settle = 45 min; 1 s left before the window ends at "
        "2026-11-28T03:00:01Z"),
])
def test_window_ended_edge(left, reason):
    settings = _cycle.normalize_settings(dict(TEN, window_end=_time.iso(NOW + timedelta(seconds=left))))
    check = _cycle.window_check(settings, facts(), NOW)
    assert (check["fits"], check["seconds_left"], check["reason"]) == (False, float(left), reason)


def test_relative_window_counts_from_the_cycle_start():
    # No run_started: start() resolves "+1h" against its own clock, so later decisions do not move the end.
    f = facts(strong=["x"])
    state = _cycle.start(f, _cycle.normalize_settings(dict(TEN, window_end="+1h"), NOW), NOW)
    assert state["settings"]["window_end"] == "2026-11-28T04:00:00Z"
    decision = _cycle.plan(f, state, NOW + timedelta(minutes=50))
    assert (decision["step"], decision["reason"]) == (
        "defer", "restart 1 deferred (x): needs 15 min reserve + 10 min restart + 20 min settle = 45 min; 10 min left "
                 "before the window ends at 2026-11-28T04:00:00Z")


def test_window_needs_and_messages():
    settings = _cycle.normalize_settings({"restart_expected_minutes": 5, "pre_reboot_delay": 5, "post_reboot_delay": 7,
                                          "settle_minutes": 1, "restart_reserve_minutes": 0.5})
    assert _cycle.worst_case_seconds(settings, facts()) == 402.0
    assert _cycle.worst_case_seconds(settings, facts(installed=False)) == 342.0
    open_window = _cycle.window_check(settings, facts(), NOW)
    assert open_window == {"fits": True, "seconds_left": None, "seconds_needed": 402.0,
                           "reason": "no maintenance window end set", "start": None, "before_start": False}
    settings["window_end"] = "2026-11-28T03:05:00Z"
    assert _cycle.window_check(settings, facts(), NOW)["reason"] == (
        "needs 0.5 min reserve + 5.2 min restart + 1 min settle = 6.7 min; 5 min left before the window ends at "
        "2026-11-28T03:05:00Z")
    assert _cycle.window_check(settings, facts(installed=False), NOW)["reason"] == (
        "needs 0.5 min reserve + 5.2 min restart = 5.7 min; 5 min left before the window ends at 2026-11-28T03:05:00Z")
    for end in ("2026-11-28T03:00:00Z", "2026-11-28T02:59:59Z"):
        settings["window_end"] = end
        check = _cycle.window_check(settings, facts(), NOW)
        assert check["reason"] == "the maintenance window ended at %s" % end and check["fits"] is False
    guard = _cycle.guard(facts(strong=["x"], weak=["y"]), _cycle.normalize_settings({"window_end": "2026-11-28T02:00:00Z"}, NOW), NOW)
    assert guard["reason"] == "maintenance deferred: the maintenance window ended at 2026-11-28T02:00:00Z"
    assert (guard["strong"], guard["weak"], guard["restarts"], guard["failed"]) == (["x"], ["y"], 0, False)
    ok = _cycle.guard(facts(), _cycle.normalize_settings({}, NOW), NOW)
    assert ok["reason"] == "the cycle fits the window: no maintenance window end set" and ok["warning"] is None
    f = facts(strong=["x"])
    deferred = _cycle.plan(f, _settled_state(f, 0, window_end="2026-11-28T03:10:00Z", **TEN), NOW)
    assert deferred["reason"] == ("restart 1 deferred (x): needs 15 min reserve + 10 min restart + 20 min settle = "
                                  "45 min; 10 min left before the window ends at 2026-11-28T03:10:00Z")


# ------------------------------------------------------------------ settings edges

@pytest.mark.parametrize("key, good, bad, message", [
    ("settle_minutes", 0, -0.1, "reboot_cycle_settle_minutes must be >= 0, got -0.1"),
    ("poll_seconds", 1, 0.9, "reboot_cycle_poll_seconds must be >= 1, got 0.9"),
    ("max_cycles", 1, 0, "reboot_cycle_max_cycles must be >= 1, got 0"),
    ("reboot_timeout", 0.1, 0, "reboot_cycle_reboot_timeout must be > 0, got 0"),
    ("pre_reboot_delay", 0, -1, "reboot_cycle_pre_reboot_delay must be >= 0, got -1"),
    ("post_reboot_delay", 0, -1, "reboot_cycle_post_reboot_delay must be >= 0, got -1"),
    ("connect_timeout", 0, -1, "reboot_cycle_connect_timeout must be >= 0, got -1"),
    ("poll_retries", 0, 1.5, "reboot_cycle_poll_retries must be an integer, got 1.5"),
    ("poll_retries", 0, -1, "reboot_cycle_poll_retries must be >= 0, got -1"),
])
def test_setting_edges(key, good, bad, message):
    assert _cycle.normalize_settings({key: good})[key] == good
    with pytest.raises(_cycle.CycleError) as info:
        _cycle.normalize_settings({key: bad})
    assert str(info.value) == message


def test_settings_defaults_and_words():
    assert _cycle.normalize_settings(None) == {
        "settle_mode": "poll", "settle_minutes": 20.0, "poll_seconds": 30.0, "max_cycles": 2, "force": False,
        "window_end": None, "window_start": None, "restart_reserve_minutes": None, "fail_when_still_pending": True,
        "fail_when_unhealthy": True, "reboot_timeout": None,
        "restart_expected_minutes": None, "group": [], "group_max_down": 1, "group_gap_seconds": 0.0,
        "health_checks": [], "health_checks_before": [], "health_poll_seconds": 10.0, "health_timeout": 600.0,
        "pre_reboot_delay": 0.0, "post_reboot_delay": 0.0, "connect_timeout": 0, "poll_retries": 3,
        "run_started": None, "trigger_update": False, "blackouts": [], "learn_durations": True,
        "learned_durations": {}, "tier": 0, "tier_on_failure": "stop"}
    got = _cycle.normalize_settings({"force": "yes", "fail_when_unhealthy": "off", "window_end": " ",
                                     "fail_when_still_pending": 0, "settle_mode": "fixed"})
    assert (got["force"], got["fail_when_unhealthy"], got["window_end"], got["fail_when_still_pending"],
            got["settle_mode"]) == (True, False, None, False, "fixed")
    assert _cycle.normalize_settings({"window_end": "2026-11-28T06:00:00+01:00"})["window_end"] == \
        "2026-11-28T05:00:00Z"
    for raw, message in (({"nope": 1, "also": 2}, "unknown cycle setting(s): also, nope"),
                         ({"settle_mode": "wait"}, "reboot_cycle_settle_mode must be one of poll|fixed, got 'wait'"),
                         ({"force": "sometimes"}, "reboot_cycle_force must be true or false")):
        with pytest.raises(_cycle.CycleError) as info:
            _cycle.normalize_settings(raw)
        assert str(info.value).startswith(message)


def test_decisions_carry_the_reasons_and_a_restart_is_no_failure():
    f = facts(strong=["x"], weak=["w"])
    decision = _cycle.plan(f, _settled_state(f, 0), BOOT)
    assert (decision["step"], decision["failed"]) == ("reboot", False)
    assert (decision["weak"], decision["strong"]) == (["w"], ["x"])
    sick = facts(health="bad", weak=["w"])
    failed = _cycle.plan(sick, _settled_state(sick, 1), BOOT)
    assert (failed["weak"], failed["restarts"]) == (["w"], 1)


def test_end_states_have_no_sleep_and_skipped_says_why():
    read_at = BOOT + timedelta(minutes=1)
    skipped = _cycle.settle_state(facts(installed=False, read_at=read_at), _cycle.normalize_settings({}, read_at), read_at)
    assert skipped["sleep"] == 0.0
    assert skipped["reason"] == "Sophos is not installed: no post-boot update to wait for"
    with pytest.raises(_cycle.CycleError) as info:
        _cycle.normalize_settings({"connect_timeout": 1.5})
    assert str(info.value) == "reboot_cycle_connect_timeout must be an integer, got 1.5"
