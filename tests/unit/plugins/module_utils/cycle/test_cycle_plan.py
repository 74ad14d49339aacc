# -*- coding: utf-8 -*-
"""The cycle's next step (module_utils/_cycle.py plan): nothing pending, weak and strong reasons, force, the
restart budget (max_cycles) at its edge, an unknown restart state, and the health check on every path that
verifies (after the cycle's own restarts and after a restart made earlier in the run)."""

from __future__ import absolute_import, division, print_function

from datetime import timedelta

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle
from ansible_collections.fleetops.sophos.tests.unit.cycle_facts import (
    BOOT, RUN_START, T0, edge_facts, facts, linux_facts, settled_state, state)


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


# ---------------------------------------------------------------- unknown restart state

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


# ------------------------------------------------------------------ restart budget (max_cycles)

@pytest.mark.parametrize("restarts, step, status", [
    (1, "reboot", None), (2, "fail", "still_pending"), (3, "fail", "still_pending"),
])
def test_max_cycles_edge(restarts, step, status):
    f = edge_facts(strong=["reboot_required_file"])
    decision = _cycle.plan(f, settled_state(f, restarts, max_cycles=2), BOOT)
    assert (decision["step"], decision["status"], decision["restarts"]) == (step, status, restarts)
    if step == "fail":
        assert decision["reason"] == ("still pending after %d restart(s) (max_cycles 2): reboot_required_file"
                                      % restarts)
        assert decision["failed"] is True
    else:
        assert decision["reason"] == "restart 2 of at most 2: reboot_required_file"


def test_still_pending_warns_when_told_not_to_fail():
    f = edge_facts(strong=["x"])
    decision = _cycle.plan(f, settled_state(f, 1, max_cycles=1, fail_when_still_pending=False), BOOT)
    assert (decision["step"], decision["status"], decision["failed"]) == ("warn", "still_pending", False)
    assert decision["warning"] == decision["reason"]


@pytest.mark.parametrize("restarts, step, status", [(0, "reboot", None), (1, "done", "rebooted")])
def test_force_restarts_once_only(restarts, step, status):
    f = edge_facts()
    decision = _cycle.plan(f, settled_state(f, restarts, force=True), BOOT)
    assert (decision["step"], decision["status"]) == (step, status)
    if step == "reboot":
        assert decision["reason"] == "restart 1 of at most 2: forced (reboot_cycle_force)"


def test_weak_reasons_never_restart_and_are_named():
    f = edge_facts(weak=["needrestart_microcode", "pending_file_rename"])
    decision = _cycle.plan(f, settled_state(f, 0), BOOT)
    assert (decision["step"], decision["status"]) == ("done", "ok")
    assert decision["reason"] == ("no restart needed: only weak reasons (needrestart_microcode, "
                                  "pending_file_rename), which never restart alone; Sophos healthy")
    decision = _cycle.plan(f, settled_state(f, 1), BOOT)
    assert decision["reason"] == ("clean after 1 restart(s), Sophos services running (weak reasons left: "
                                  "needrestart_microcode, pending_file_rename)")
    assert _cycle.plan(edge_facts(), settled_state(edge_facts(), 0), BOOT)["reason"] == "no restart needed: nothing pending; Sophos healthy"


def test_unsettled_state_settles_first():
    f = edge_facts(strong=["x"])
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
    f = edge_facts(**sick)
    decision = _cycle.plan(f, settled_state(f, 1), BOOT)
    assert (decision["step"], decision["status"]) == ("fail", "failed")
    assert decision["reason"] == "after 1 restart(s): " + problem
    decision = _cycle.plan(f, settled_state(f, 1, fail_when_unhealthy=False), BOOT)
    assert (decision["step"], decision["status"], decision["warning"]) == ("warn", "failed", decision["reason"])


@pytest.mark.parametrize("sick, problem", SICK)
def test_health_checked_after_a_prior_restart(sick, problem):
    f = edge_facts(**sick)
    state = _cycle.settled(_cycle.start(f, _cycle.normalize_settings({}, BOOT), BOOT, prior_restart=True),
                           {"wait": False, "mode": "poll", "elapsed": 1.0, "ended": "interval", "reason": "r"})
    decision = _cycle.plan(f, state, BOOT)
    assert (decision["step"], decision["status"], decision["reason"]) == (
        "fail", "failed", "no restart needed: nothing pending after the restart made earlier in this run, but " + problem)
    state["settings"]["fail_when_unhealthy"] = False
    assert _cycle.plan(f, state, BOOT)["step"] == "warn"


@pytest.mark.parametrize("sick", [s for s, _p in SICK])
def test_health_judged_without_a_restart_only_when_a_failure_is_asked(sick):
    f = edge_facts(**sick)
    # Nothing pending and Sophos unhealthy: fail_when_unhealthy (the default) fails the host.
    decision = _cycle.plan(f, settled_state(f, 0), BOOT)
    assert (decision["step"], decision["health_checked"]) == ("fail", True)
    decision = _cycle.plan(f, settled_state(f, 0, fail_when_unhealthy=False), BOOT)
    assert (decision["step"], decision["health_checked"]) == ("done", False)
    g = edge_facts(installed=False, **sick)
    decision = _cycle.plan(g, settled_state(g, 1), BOOT)
    assert (decision["step"], decision["status"]) == ("done", "rebooted")


@pytest.mark.parametrize("services", [{"MCS": "running"}, {}])
def test_health_good_or_read_health_without_services_pass(services):
    f = edge_facts(services=services, health="suspicious")
    decision = _cycle.plan(f, settled_state(f, 1), BOOT)
    assert (decision["step"], decision["status"]) == ("done", "rebooted")
    assert decision["reason"] == "clean after 1 restart(s), Sophos services running"


def test_a_service_in_an_unknown_state_is_not_verified_healthy():
    """Unknown is never "healthy" (issue 23, points 1 and 6): it used to pass."""
    f = edge_facts(services={"MCS": "unknown"}, health="suspicious")
    decision = _cycle.plan(f, settled_state(f, 1), BOOT)
    assert (decision["step"], decision["status"]) == ("fail", "failed")
    assert decision["reason"] == "after 1 restart(s): Sophos service(s) whose state or start mode could not be read: MCS"


def test_decisions_carry_the_reasons_and_a_restart_is_no_failure():
    f = edge_facts(strong=["x"], weak=["w"])
    decision = _cycle.plan(f, settled_state(f, 0), BOOT)
    assert (decision["step"], decision["failed"]) == ("reboot", False)
    assert (decision["weak"], decision["strong"]) == (["w"], ["x"])
    sick = edge_facts(health="bad", weak=["w"])
    failed = _cycle.plan(sick, settled_state(sick, 1), BOOT)
    assert (failed["weak"], failed["restarts"]) == (["w"], 1)


def test_end_states_have_no_sleep_and_skipped_says_why():
    read_at = BOOT + timedelta(minutes=1)
    skipped = _cycle.settle_state(edge_facts(installed=False, read_at=read_at), _cycle.normalize_settings({}, read_at), read_at)
    assert skipped["sleep"] == 0.0
    assert skipped["reason"] == "Sophos is not installed: no post-boot update to wait for"
    with pytest.raises(_cycle.CycleError) as info:
        _cycle.normalize_settings({"connect_timeout": 1.5})
    assert str(info.value) == "reboot_cycle_connect_timeout must be an integer, got 1.5"


# ------------------------------------------------------------ health checked when nothing is pending

@pytest.mark.parametrize("fail", [True, False])
def test_nothing_pending_but_sophos_stopped(fail):
    reading = linux_facts(services={"sophos-spl": "stopped"}, health="bad")
    state = _cycle.start(reading, _cycle.normalize_settings({"fail_when_unhealthy": fail}, RUN_START), RUN_START)
    decision = _cycle.plan(reading, state, RUN_START)
    if fail:
        assert (decision["step"], decision["status"], decision["failed"]) == ("fail", "failed", True)
        assert "nothing pending, but Sophos health is bad; Sophos service(s) not running: sophos-spl" \
            in decision["reason"]
        record = _cycle.result(state, decision, reading, RUN_START)
        assert record["status"] == "failed" and "sophos-spl" in record["message"]
    else:
        # Not asked to fail: no check, as before (the report still shows the host unhealthy).
        assert (decision["step"], decision["status"]) == ("done", "ok")
        assert decision["health_checked"] is False


def test_nothing_pending_and_healthy_says_health_was_checked():
    reading = linux_facts()
    decision = _cycle.plan(reading, _cycle.start(reading, _cycle.normalize_settings({}, RUN_START), RUN_START), RUN_START)
    assert (decision["step"], decision["status"]) == ("done", "ok")
    assert decision["reason"] == "no restart needed: nothing pending; Sophos healthy"
