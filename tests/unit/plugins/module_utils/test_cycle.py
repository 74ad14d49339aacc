# -*- coding: utf-8 -*-
"""Unit tests of the reboot cycle's single decisions (module_utils/_cycle.py)."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time

T0 = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)


def facts(strong=(), weak=(), installed=True, updating=False, updated_since_boot=False,
          boot=T0, health="good", services=None, family="windows"):
    reasons = [{"id": r, "source": "sophos" if r.startswith("sophos") else "os", "strong": True,
                "detail": "test"} for r in strong]
    reasons += [{"id": r, "source": "os", "strong": False, "detail": "test"} for r in weak]
    return {
        "schema": 1,
        "reboot_required": bool(strong),
        "reasons": reasons,
        "sophos": {
            "installed": installed,
            "updating": updating,
            "updated_since_boot": updated_since_boot if installed else None,
            "last_update": _time.iso(boot + timedelta(minutes=6)) if updated_since_boot else None,
            "health": {"overall": health,
                       "services": services if services is not None else {"Sophos MCS Agent": "running"}},
        },
        "os": {"family": family, "last_boot": _time.iso(boot) if boot else None,
               "boot_id": None if family == "windows" else "b-%s" % boot.minute},
        "read_errors": [],
    }


def state(f=None, **settings):
    return _cycle.start(f or facts(), _cycle.normalize_settings(settings, T0), T0)


# ------------------------------------------------------------ parse_time / window


def test_window_guard_counts_the_expected_restart_plus_settle():
    settings = _cycle.normalize_settings({"reboot_timeout": 3600, "restart_expected_minutes": 10, "settle_minutes": 20,
                                          "window_end": "2026-11-28T02:29:59Z", "restart_reserve_minutes": 0})
    check = _cycle.window_check(settings, facts(), T0)
    assert check["seconds_needed"] == 1800
    assert not check["fits"]
    settings["window_end"] = "2026-11-28T02:30:00Z"
    assert _cycle.window_check(settings, facts(), T0)["fits"]


def test_window_guard_without_sophos_needs_no_settle():
    settings = _cycle.normalize_settings({"restart_expected_minutes": 10, "window_end": "2026-11-28T02:10:00Z",
                                          "restart_reserve_minutes": 0})
    assert _cycle.window_check(settings, facts(installed=False), T0)["fits"]
    assert not _cycle.window_check(settings, facts(installed=True), T0)["fits"]


def test_window_already_over():
    settings = _cycle.normalize_settings({"window_end": "2026-11-28T01:00:00Z"})
    check = _cycle.window_check(settings, facts(), T0)
    assert not check["fits"] and "ended" in check["reason"]


# ------------------------------------------------------------ settings


@pytest.mark.parametrize("settings,message", [
    ({"settle_mode": "wait"}, "settle_mode must be one of poll|fixed"),
    ({"settle_minutes": -1}, "settle_minutes must be >= 0"),
    ({"settle_minutes": "soon"}, "settle_minutes must be a number"),
    ({"poll_seconds": 0}, "poll_seconds must be >= 1"),
    ({"max_cycles": 0}, "max_cycles must be >= 1"),
    ({"max_cycles": 1.5}, "max_cycles must be an integer"),
    ({"max_cycles": True}, "max_cycles must be a number"),
    ({"max_cycles": "2.5"}, "max_cycles must be an integer"),
    ({"settle_minutes": "nan"}, "settle_minutes must be a finite number"),
    ({"force": "maybe"}, "reboot_cycle_force must be true or false"),
    ({"force": 2}, "reboot_cycle_force must be true or false"),
    ({"fail_when_still_pending": ""}, "reboot_cycle_fail_when_still_pending must be true or false"),
    ({"reboot_timeout": 0}, "reboot_timeout must be > 0"),
    ({"window_end": "06:00"}, "window_end .06:00. has no timezone"),
    ({"window_end": "soon"}, "window_end .soon. is not a window end"),
    ({"setle_minutes": 3}, "unknown cycle setting"),
])
def test_bad_settings_are_named(settings, message):
    with pytest.raises(_cycle.CycleError, match=message):
        _cycle.normalize_settings(settings)


@pytest.mark.parametrize("text,expected", [
    ("true", True), ("False", False), ("YES", True), ("no", False), ("1", True), ("0", False),
    (" on ", True), ("off", False), ("y", True), ("n", False), (1, True), (0, False),
])
def test_survey_flags_are_accepted(text, expected):
    """AWX surveys have no boolean type: yes/no answers arrive as strings."""
    settings = _cycle.normalize_settings({"force": text, "fail_when_still_pending": text,
                                          "fail_when_unhealthy": text})
    assert settings["force"] is expected
    assert settings["fail_when_still_pending"] is expected and settings["fail_when_unhealthy"] is expected


def test_survey_numbers_as_strings():
    settings = _cycle.normalize_settings({"settle_minutes": "0.4", "poll_seconds": " 2 ", "max_cycles": "3",
                                          "reboot_timeout": "60", "pre_reboot_delay": "0"})
    assert settings["settle_minutes"] == 0.4 and settings["poll_seconds"] == 2.0
    assert settings["max_cycles"] == 3 and isinstance(settings["max_cycles"], int)
    assert settings["reboot_timeout"] == 60.0
    assert _cycle.normalize_settings({"max_cycles": "2.0"})["max_cycles"] == 2


def test_prior_restart_accepts_survey_strings():
    assert not _cycle.start(facts(), _cycle.normalize_settings({}, T0), T0, prior_restart=_cycle.check_flag("false", "prior_restart"))["prior_restart"]
    assert _cycle.start(facts(), _cycle.normalize_settings({}, T0), T0, prior_restart=_cycle.check_flag("True", "prior_restart"))["prior_restart"]
    with pytest.raises(_cycle.CycleError, match="reboot_cycle_prior_restart must be true or false"):
        _cycle.start(facts(), _cycle.normalize_settings({}, T0), T0, prior_restart=_cycle.check_flag("later", "prior_restart"))


def test_settings_defaults_and_fractions():
    s = _cycle.normalize_settings({"settle_minutes": 1.5, "window_end": ""})
    assert s["settle_minutes"] == 1.5 and s["window_end"] is None
    assert s["settle_mode"] == "poll" and s["max_cycles"] == 2 and s["fail_when_still_pending"]
    assert _cycle.normalize_settings({"window_end": "2026-11-28T06:00:00+01:00"})["window_end"] == \
        "2026-11-28T05:00:00Z"


def test_facts_must_be_the_schema():
    with pytest.raises(_cycle.CycleError, match="sophos_reboot"):
        _cycle.plan({"nope": 1}, state(), T0)


# ------------------------------------------------------------ plan


def test_nothing_pending_is_done_without_restart():
    d = _cycle.plan(facts(), state(), T0)
    assert (d["step"], d["status"], d["failed"]) == ("done", "ok", False)
    assert "nothing pending" in d["reason"]


def test_weak_reason_alone_never_restarts():
    d = _cycle.plan(facts(weak=["pending_file_rename"]), state(), T0)
    assert d["step"] == "done" and d["status"] == "ok"
    assert "pending_file_rename" in d["reason"] and "weak" in d["reason"]


def test_force_restarts_once_even_with_nothing_pending():
    st = state(force=True)
    assert _cycle.plan(facts(), st, T0)["step"] == "reboot"
    st = _cycle.restarted(st, facts(boot=T0 + timedelta(minutes=1)), T0 + timedelta(minutes=1))
    st["settled"] = True
    assert _cycle.plan(facts(), st, T0)["step"] == "done"


def test_strong_reason_restarts_with_reason():
    d = _cycle.plan(facts(strong=["sophos_reboot_required"]), state(), T0)
    assert d["step"] == "reboot" and "sophos_reboot_required" in d["reason"]
    assert "restart 1 of at most 2" in d["reason"]


def test_defer_when_window_too_short():
    st = state(window_end="2026-11-28T02:15:00Z", settle_minutes=20, reboot_timeout=600)
    d = _cycle.plan(facts(strong=["reboot_required_file"]), st, T0)
    assert (d["step"], d["status"], d["failed"]) == ("defer", "deferred", False)
    assert "; 15 min left before the window ends at 2026-11-28T02:15:00Z" in d["reason"]


def test_prior_restart_settles_first():
    st = _cycle.start(facts(strong=["sophos_reboot_required"]), _cycle.normalize_settings({}, T0), T0, prior_restart=True)
    assert _cycle.plan(facts(strong=["sophos_reboot_required"]), st, T0)["step"] == "settle"


def test_unsettled_after_restart_settles():
    st = _cycle.restarted(state(), facts(), T0)
    assert _cycle.plan(facts(strong=["sophos_reboot_required"]), st, T0)["step"] == "settle"


def _after(n_restarts, **settings):
    st = state(**settings)
    for restart in range(n_restarts):
        st = _cycle.restarted(st, facts(), T0)
        st["settled"] = True
    return st


@pytest.mark.parametrize("fail,step", [(True, "fail"), (False, "warn")])
def test_still_pending_after_max_cycles(fail, step):
    d = _cycle.plan(facts(strong=["sophos_reboot_required"]),
                    _after(2, fail_when_still_pending=fail), T0)
    assert (d["step"], d["status"]) == (step, "still_pending")
    assert d["failed"] is fail
    assert "still pending after 2 restart(s)" in d["reason"]


@pytest.mark.parametrize("health,services,problem", [
    ("bad", {}, "health is bad"),
    ("good", {"Sophos MCS Agent": "stopped", "Sophos Health Service": "running"},
     "not running: Sophos MCS Agent"),
])
def test_verify_unhealthy_fails(health, services, problem):
    d = _cycle.plan(facts(health=health, services=services), _after(1), T0)
    assert (d["step"], d["status"], d["failed"]) == ("fail", "failed", True)
    assert problem in d["reason"]
    d = _cycle.plan(facts(health=health, services=services), _after(1, fail_when_unhealthy=False), T0)
    assert (d["step"], d["failed"], d["warning"]) == ("warn", False, d["reason"])


def test_verify_unknown_health_is_not_healthy():
    """Unknown health used to pass the check after a restart (issue 23, point 6): not confirmed is not healthy."""
    d = _cycle.plan(facts(health="unknown", services={"x": "unknown"}), _after(1), T0)
    assert (d["step"], d["status"]) == ("fail", "failed")
    assert "could not be read: x" in d["reason"]
    d = _cycle.plan(facts(health="unknown", services={}), _after(1), T0)
    assert (d["step"], d["status"]) == ("fail", "failed")
    assert "neither Sophos Health nor a running Sophos service was read" in d["reason"]
    d = _cycle.plan(facts(health="unknown", services={"x": "running"}), _after(1), T0)
    assert (d["step"], d["status"]) == ("done", "rebooted")


# ------------------------------------------------------------ settle


def _settle(f, now_minutes, **settings):
    return _cycle.settle_state(f, _cycle.normalize_settings(settings, T0 + timedelta(minutes=now_minutes)), T0 + timedelta(minutes=now_minutes))


def test_settle_skipped_without_sophos():
    s = _settle(facts(installed=False), 0)
    assert (s["wait"], s["ended"]) == (False, "skipped")


def test_settle_poll_waits_and_says_for_what():
    s = _settle(facts(), 2, settle_minutes=20, poll_seconds=30)
    assert s["wait"] and s["sleep"] == 30 and s["seconds_left"] == 18 * 60
    assert "post-boot update" in s["waiting_for"] and "18m00s left" in s["reason"]


def test_settle_poll_sleep_never_passes_the_interval():
    s = _settle(facts(), 19.9, settle_minutes=20, poll_seconds=30)
    assert s["wait"] and abs(s["sleep"] - 6) < 1e-6


def test_settle_poll_ends_on_evidence():
    s = _settle(facts(updated_since_boot=True), 6)
    assert (s["wait"], s["ended"]) == (False, "evidence")


def test_settle_poll_keeps_waiting_while_updating():
    s = _settle(facts(updated_since_boot=True, updating=True, strong=["sophos_reboot_required"]), 6)
    assert s["wait"] and "running" in s["waiting_for"]


def test_settle_poll_ends_when_restart_required_again():
    s = _settle(facts(strong=["sophos_reboot_required"]), 7)
    assert (s["wait"], s["ended"]) == (False, "reboot_required")
    assert "sophos_reboot_required" in s["reason"]


def test_settle_weak_reason_does_not_end_poll():
    assert _settle(facts(weak=["pending_file_rename"]), 7)["wait"]


def test_settle_poll_full_interval_without_evidence():
    s = _settle(facts(), 20)
    assert (s["wait"], s["ended"]) == (False, "interval")


def test_settle_fixed_ignores_evidence():
    s = _settle(facts(updated_since_boot=True), 6, settle_mode="fixed")
    assert s["wait"] and "fixed" in s["waiting_for"]
    assert _settle(facts(updated_since_boot=True), 20, settle_mode="fixed")["ended"] == "interval"


def test_settle_measured_from_last_boot_not_from_now():
    # The host booted 15 minutes before the first reading (a win_updates restart): 5 minutes left.
    f = facts(boot=T0 - timedelta(minutes=15))
    s = _cycle.settle_state(f, _cycle.normalize_settings({}, T0), T0)
    assert s["seconds_left"] == 300


def test_settle_without_boot_time_uses_fallback_start():
    f = facts(boot=None)
    s = _cycle.settle_state(f, _cycle.normalize_settings({}, T0 + timedelta(minutes=5)), T0 + timedelta(minutes=5), since="2026-11-28T02:00:00Z")
    assert s["seconds_left"] == 15 * 60


def test_settle_clock_skew_never_gives_negative_elapsed():
    s = _cycle.settle_state(facts(boot=T0 + timedelta(minutes=3)), _cycle.normalize_settings({}, T0), T0)
    assert s["elapsed"] == 0 and s["seconds_left"] == 1200


@pytest.mark.parametrize("skew_minutes", [-30, -3, 0, 3, 30])
def test_settle_uses_the_host_clock_not_the_controller_clock(skew_minutes):
    """Time since boot is the host's read time minus the host's boot time: a skewed controller
    clock neither shortens nor lengthens the settle."""
    f = facts()
    f["checked_at"] = _time.iso(T0 + timedelta(minutes=5))
    controller_now = T0 + timedelta(minutes=5 + skew_minutes)
    s = _cycle.settle_state(f, _cycle.normalize_settings({"settle_minutes": 20}, controller_now), controller_now)
    assert s["elapsed"] == 300 and s["seconds_left"] == 15 * 60 and s["wait"]
    f["checked_at"] = _time.iso(T0 + timedelta(minutes=20))
    assert _cycle.settle_state(f, _cycle.normalize_settings({"settle_minutes": 20}, controller_now), controller_now)["ended"] == "interval"


def test_settle_with_a_bad_read_time_names_it():
    f = facts()
    f["checked_at"] = "yesterday"
    with pytest.raises(_time.TimeError, match="checked_at"):
        _cycle.settle_state(f, _cycle.normalize_settings({}, T0), T0)


def test_settled_refuses_a_running_settle():
    with pytest.raises(_cycle.CycleError, match="still waiting"):
        _cycle.settled(state(), _settle(facts(), 1))


# ------------------------------------------------------------ result


def test_result_record_shape():
    st = state()
    f = facts()
    d = _cycle.plan(f, st, T0)
    r = _cycle.result(st, d, f, T0 + timedelta(seconds=12))
    assert r["status"] == "ok" and r["restarts"] == 0 and r["duration_seconds"] == 12
    assert r["check_mode"] is False and r["would_reboot"] is False
    assert r["boots"] == [{"boot_id": None, "last_boot": "2026-11-28T02:00:00Z"}]


def test_result_check_mode_reports_would_reboot():
    f = facts(strong=["reboot_required_file"])
    st = state(f)
    d = _cycle.plan(f, st, T0)
    r = _cycle.result(st, d, f, T0, check_mode=True)
    assert r["status"] == "ok" and r["would_reboot"] and r["message"].startswith("check mode: would restart")


def test_result_needs_an_ending_decision():
    f = facts(strong=["reboot_required_file"])
    st = state(f)
    with pytest.raises(_cycle.CycleError, match="needs an ending decision, got step 'reboot'"):
        _cycle.result(st, _cycle.plan(f, st, T0), f, T0)


def test_every_record_says_whether_the_host_was_lost():
    f = facts()
    st = state(f)
    assert _cycle.result(st, _cycle.plan(f, st, T0), f, T0)["unreachable"] is False
    assert _cycle.failure(st, "x", f, T0)["unreachable"] is False
    lost = _cycle.failure(st, "the host did not come back", f, T0, unreachable=True)
    assert lost["status"] == "failed" and lost["unreachable"] is True


def test_aborted_without_a_cycle_is_a_failed_record():
    f = facts(strong=["reboot_required_file"])
    r = _cycle.aborted(None, "patch: apt failed", f, T0 + timedelta(seconds=3), started=_time.iso(T0))
    assert r["status"] == "failed" and r["message"] == "patch: apt failed" and r["restarts"] == 0
    assert r["reasons_before"] == ["reboot_required_file"] and r["unreachable"] is False
    assert r["duration_seconds"] == 3
    # Without facts (the host was never read) the record still has every key.
    bare = _cycle.aborted(None, "window guard: unreachable", None, T0, unreachable=True)
    assert bare["unreachable"] and bare["reasons_before"] == [] and bare["boots"] == []
    assert set(bare) == set(r)


def test_aborted_keeps_a_record_that_already_says_what_failed():
    f = facts(strong=["sophos_reboot_required"])
    st = state(f, max_cycles=1)
    st = _cycle.restarted(st, f, T0)
    st = _cycle.settled(st, _settle(f, 20))
    pending = _cycle.result(st, _cycle.plan(f, st, T0), f, T0)
    assert pending["status"] == "still_pending"
    assert _cycle.aborted(pending, "reboot cycle: still pending", f, T0) == pending
    lost = _cycle.failure(st, "gone", f, T0, unreachable=True)
    assert _cycle.aborted(lost, "reboot cycle: gone", f, T0) == lost


def test_aborted_after_a_finished_cycle_keeps_its_restarts():
    f = facts(strong=["reboot_required_file"])
    st = _cycle.restarted(state(f), facts(), T0)
    st = _cycle.settled(st, _settle(facts(), 20))
    done = _cycle.result(st, _cycle.plan(facts(), st, T0), facts(), T0)
    assert done["status"] == "rebooted"
    r = _cycle.aborted(done, "reboot cycle: after-cycle hook failed", facts(), T0 + timedelta(seconds=9))
    assert r["status"] == "failed" and r["restarts"] == 1 and len(r["boots"]) == 2
    assert r["started"] == done["started"] and "after-cycle hook" in r["message"]


# ---------------------------------------------------------------- unknown restart state, record keys

def _unknown(**kw):
    f = facts(**kw)
    f["reboot_required"] = None
    f["read_errors"] = [{"source": "windows_update", "error": "access denied"},
                        {"source": "sophos_flag", "error": "the value has type Binary"}]
    return f


def test_unknown_restart_state_fails_with_the_read_errors():
    d = _cycle.plan(_unknown(), state(), T0)
    assert d["step"] == "fail" and d["status"] == "failed" and d["failed"]
    assert d["reason"] == ("cannot read the restart state: windows_update: access denied; "
                           "sophos_flag: the value has type Binary")


def test_unknown_restart_state_with_force_restarts_as_forced():
    d = _cycle.plan(_unknown(), state(force=True), T0)
    assert d["step"] == "reboot" and "forced" in d["reason"]
    # After the forced restart an unknown state is not "nothing pending" either.
    after = _cycle.settled(_cycle.restarted(state(force=True), facts(), T0), {
        "mode": "poll", "elapsed": 300, "ended": "evidence", "reason": "x", "wait": False})
    assert _cycle.plan(_unknown(), after, T0)["step"] == "fail"


def test_unknown_restart_state_with_a_strong_reason_restarts():
    d = _cycle.plan(_unknown(strong=["sophos_reboot_required"]), state(), T0)
    assert d["step"] == "reboot"


def test_restart_entry_names_its_reasons_and_the_boot_before():
    before = facts(strong=["sophos_reboot_required"], boot=T0 - timedelta(days=3))
    s = _cycle.start(before, _cycle.normalize_settings({}, T0), T0)
    s = _cycle.restarted(s, facts(boot=T0 + timedelta(minutes=1)), T0 + timedelta(minutes=2), elapsed=60,
                         before=before)
    entry = s["boots"][1]
    assert entry["reasons"] == [{"id": "sophos_reboot_required", "detail": "test"}]
    assert entry["boot_id_before"] == s["boots"][0]["boot_id"] and entry["queued_update"] is False
    s = _cycle.settled(s, {"mode": "poll", "elapsed": 400, "ended": "reboot_required", "reason": "x", "wait": False},
                       started_at=T0 + timedelta(minutes=2), ended_at=T0 + timedelta(minutes=8))
    assert s["settles"][0]["started_at"] == "2026-11-28T02:02:00Z"
    assert s["settles"][0]["ended_at"] == "2026-11-28T02:08:00Z"
    s = _cycle.restarted(s, facts(boot=T0 + timedelta(minutes=9)), T0 + timedelta(minutes=10), before=before)
    assert s["boots"][2]["queued_update"] is True
    # An OS reason back after a restart is not a queued Sophos update.
    s2 = _cycle.restarted(s, facts(), T0, before=facts(strong=["kernel_updated"]))
    assert s2["boots"][3]["queued_update"] is False


def test_forced_restart_reason():
    s = _cycle.start(facts(), _cycle.normalize_settings({"force": True}, T0), T0)
    s = _cycle.restarted(s, facts(), T0, before=facts())
    assert s["boots"][1]["reasons"] == [{"id": "force", "detail": "forced (reboot_cycle_force)"}]


def test_settle_without_a_boot_time_counts_from_the_cycle_start():
    """No restart of our own and no readable boot time: the settle counts from the cycle's start."""
    unreadable = facts(boot=None)
    s = _cycle.start(unreadable, _cycle.normalize_settings({"settle_minutes": 1, "settle_mode": "fixed"}, T0), T0, prior_restart=True)
    since = _cycle.settle_since(s)
    assert _cycle.settle_state(unreadable, s["settings"], T0 + timedelta(seconds=30), since=since)["wait"]
    settle = _cycle.settle_state(unreadable, s["settings"], T0 + timedelta(seconds=61), since=since)
    assert not settle["wait"] and settle["ended"] == "interval"
