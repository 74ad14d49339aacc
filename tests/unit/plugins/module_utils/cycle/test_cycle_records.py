# -*- coding: utf-8 -*-
"""The cycle's records (module_utils/_cycle.py result, failure, aborted, start, restarted, settled): every
field written out, check mode, a lost host, a maintenance that broke off, the restart entries."""

from __future__ import absolute_import, division, print_function

from datetime import timedelta

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
from ansible_collections.fleetops.sophos.tests.unit.cycle_facts import T0, facts, settle_after, state


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
    st = _cycle.settled(st, settle_after(f, 20))
    pending = _cycle.result(st, _cycle.plan(f, st, T0), f, T0)
    assert pending["status"] == "still_pending"
    assert _cycle.aborted(pending, "reboot cycle: still pending", f, T0) == pending
    lost = _cycle.failure(st, "gone", f, T0, unreachable=True)
    assert _cycle.aborted(lost, "reboot cycle: gone", f, T0) == lost


def test_aborted_after_a_finished_cycle_keeps_its_restarts():
    f = facts(strong=["reboot_required_file"])
    st = _cycle.restarted(state(f), facts(), T0)
    st = _cycle.settled(st, settle_after(facts(), 20))
    done = _cycle.result(st, _cycle.plan(facts(), st, T0), facts(), T0)
    assert done["status"] == "rebooted"
    r = _cycle.aborted(done, "reboot cycle: after-cycle hook failed", facts(), T0 + timedelta(seconds=9))
    assert r["status"] == "failed" and r["restarts"] == 1 and len(r["boots"]) == 2
    assert r["started"] == done["started"] and "after-cycle hook" in r["message"]


# ------------------------------------------------------------ the restart entries in the record

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


# ------------------------------------------------------------ every field, written out

def record_facts(strong=(), weak=(), boot="2026-11-28T01:00:00Z", boot_id="b1"):
    reasons = [{"id": r, "strong": True} for r in strong] + [{"id": r, "strong": False} for r in weak]
    return {"reasons": reasons, "sophos": {"installed": True, "health": {"overall": "good", "services": {}}},
            "os": {"last_boot": boot, "boot_id": boot_id}}


def test_start_restarted_settled():
    f = record_facts(strong=["a"], weak=["w"])
    state = _cycle.start(f, _cycle.normalize_settings({"max_cycles": 3}, T0), T0)
    assert state == {"settings": _cycle.normalize_settings({"max_cycles": 3}), "started": "2026-11-28T02:00:00Z",
                     "restarts": 0, "settled": True, "prior_restart": False,
                     "boots": [{"boot_id": "b1", "last_boot": "2026-11-28T01:00:00Z"}], "settles": [],
                     "reasons_before": ["a", "w"], "strong_before": ["a"]}
    assert _cycle.start(f, _cycle.normalize_settings({}, T0), T0, prior_restart=_cycle.check_flag("yes", "prior_restart"))["settled"] is False
    after = _cycle.restarted(state, record_facts(boot="2026-11-28T02:03:00Z", boot_id="b2"), T0 + timedelta(minutes=4),
                             elapsed="95")
    assert state["restarts"] == 0 and len(state["boots"]) == 1, "restarted() changed the state it was given"
    assert (after["restarts"], after["settled"]) == (1, False)
    assert after["boots"][1] == {"boot_id": "b2", "last_boot": "2026-11-28T02:03:00Z",
                                 "restarted_at": "2026-11-28T02:04:00Z", "restart_seconds": 95.0,
                                 "boot_id_before": "b1", "reasons": [], "queued_update": False}
    assert "restart_seconds" not in _cycle.restarted(state, f, T0)["boots"][1]
    done = _cycle.settled(after, {"wait": False, "mode": "poll", "elapsed": 61.26, "ended": "evidence",
                                  "reason": "r"})
    assert done["settled"] is True and after["settled"] is False
    assert done["settles"] == [{"mode": "poll", "seconds": 61.3, "ended": "evidence", "reason": "r"}]


def test_result_every_field():
    f = record_facts(strong=["a"])
    state = _cycle.restarted(_cycle.start(f, _cycle.normalize_settings({}, T0), T0), record_facts(weak=["w"]), T0 + timedelta(minutes=3))
    state = _cycle.settled(state, {"wait": False, "mode": "fixed", "elapsed": 1200, "ended": "interval",
                                   "reason": "r"})
    decision = _cycle.plan(record_facts(weak=["w"]), state, T0 + timedelta(minutes=25))
    record = _cycle.result(state, decision, record_facts(weak=["w"]), T0 + timedelta(minutes=25, seconds=0.26))
    assert record == {
        "status": "rebooted", "check_mode": False, "would_reboot": False, "restarts": 1, "max_cycles": 2,
        "boots": state["boots"], "settles": [{"mode": "fixed", "seconds": 1200.0, "ended": "interval",
                                              "reason": "r"}],
        "reasons_before": ["a"], "reasons_after": ["w"],
        "message": "clean after 1 restart(s), Sophos services running (weak reasons left: w)", "warning": None,
        "started": "2026-11-28T02:00:00Z", "finished": "2026-11-28T02:25:00Z", "duration_seconds": 1500.3,
        "unreachable": False,
        "expected": {"restart_minutes": 15, "restart_from": "setting", "restart_samples": 0,
                     "settle_minutes": 20.0, "settle_from": "setting", "settle_samples": 0}}


def test_result_check_mode():
    f = record_facts(strong=["a"])
    state = _cycle.start(f, _cycle.normalize_settings({}, T0), T0)
    record = _cycle.result(state, _cycle.plan(f, state, T0), f, T0, check_mode=True)
    assert (record["status"], record["would_reboot"], record["check_mode"], record["message"], record["window"]) == (
        "ok", True, True, "check mode: would restart now, restart 1 of at most 2: a; window: no maintenance window "
        "end set", "no window end set")
    # With a window end, what a real run would work with: the time left and the restart's expected length.
    windowed = _cycle.start(f, _cycle.normalize_settings({"window_end": "2026-11-28T05:00:00Z"}, T0), T0)
    record = _cycle.result(windowed, _cycle.plan(f, windowed, T0), f, T0, check_mode=True)
    needed = _cycle.worst_case_seconds(windowed["settings"], f)
    assert record["window"] == "fits: 3h00m left, needs %s" % _time.human_seconds(needed)
    assert record["message"].endswith("; window: needs 15 min reserve + 15 min restart + 20 min settle = 50 min; "
                                      "180 min left before the window ends at 2026-11-28T05:00:00Z")
    assert needed == 50 * 60.0
    deferred = _cycle.start(f, _cycle.normalize_settings({"window_end": "2026-11-28T02:10:00Z"}, T0), T0)
    record = _cycle.result(deferred, _cycle.plan(f, deferred, T0), f, T0, check_mode=True)
    assert (record["status"], record["would_reboot"]) == ("deferred", False)
    assert record["message"].startswith("check mode: restart 1 deferred (a): ") and "window" not in record
    clean = _cycle.start(record_facts(), _cycle.normalize_settings({}, T0), T0)
    record = _cycle.result(clean, _cycle.plan(record_facts(), clean, T0), record_facts(), T0, check_mode=True)
    assert record["message"] == "check mode: no restart needed: nothing pending; Sophos healthy"


def test_failure_record():
    f = record_facts(strong=["a"])
    state = _cycle.start(f, _cycle.normalize_settings({}, T0), T0)
    record = _cycle.failure(state, "the restart timed out", f, T0 + timedelta(seconds=600), unreachable="true")
    assert (record["status"], record["message"], record["warning"], record["unreachable"],
            record["duration_seconds"], record["would_reboot"]) == (
        "failed", "the restart timed out", None, True, 600.0, False)
    assert _cycle.failure(state, "m", f, T0)["unreachable"] is False
    with pytest.raises(_cycle.CycleError) as info:
        _cycle.failure(state, "m", f, T0, unreachable="perhaps")
    assert str(info.value).startswith("reboot_cycle_unreachable must be true or false")


def test_aborted_keeps_a_failed_or_still_pending_record():
    for status in ("failed", "still_pending"):
        record = {"status": status, "message": "first cause", "unreachable": False}
        assert _cycle.aborted(record, "later", record_facts(), T0) is record
        assert _cycle.aborted(record, "later", record_facts(), T0, unreachable=True) == dict(record, unreachable=True)
        marked = dict(record, unreachable=True)
        assert _cycle.aborted(marked, "later", record_facts(), T0, unreachable=True) is marked


def test_aborted_from_nothing_and_from_a_record():
    now = T0 + timedelta(minutes=1, seconds=30)
    assert _cycle.aborted(None, "the window guard failed", None, now, started="2026-11-28T02:00:00Z") == {
        "status": "failed", "check_mode": False, "would_reboot": False, "restarts": 0, "max_cycles": None,
        "boots": [], "settles": [], "reasons_before": [], "reasons_after": [], "message": "the window guard failed",
        "warning": None, "started": "2026-11-28T02:00:00Z", "finished": "2026-11-28T02:01:30Z",
        "duration_seconds": 90.0, "unreachable": False}
    bare = _cycle.aborted("junk", "m", record_facts(strong=["a"]), now, check_mode=True)
    assert (bare["started"], bare["duration_seconds"], bare["check_mode"], bare["reasons_before"],
            bare["reasons_after"]) == ("2026-11-28T02:01:30Z", 0.0, True, ["a"], ["a"])
    earlier = {"status": "rebooted", "check_mode": False, "restarts": 1, "max_cycles": 2, "boots": ["b"],
               "settles": ["s"], "reasons_before": ["x"], "started": "2026-11-28T01:59:00Z"}
    record = _cycle.aborted(earlier, "the after-restart hook failed", record_facts(weak=["w"]), now, check_mode=True)
    assert (record["restarts"], record["max_cycles"], record["boots"], record["settles"], record["reasons_before"],
            record["reasons_after"], record["check_mode"], record["started"], record["duration_seconds"]) == (
        1, 2, ["b"], ["s"], ["x"], ["w"], False, "2026-11-28T01:59:00Z", 150.0)
    assert _cycle.aborted(None, "m", {"no": "reasons"}, now)["reasons_after"] == []


def test_reason_helpers_and_facts_check():
    f = record_facts(strong=["a", "b"], weak=["w"])
    assert _cycle.strong_reasons(f) == ["a", "b"]
    assert _cycle.weak_reasons(f) == ["w"]
    assert _cycle.reason_ids(f) == ["a", "b", "w"]
    assert _cycle.strong_reasons({"reasons": None}) == []
    for bad in (None, [], {"sophos": {}}):
        with pytest.raises(_cycle.CycleError) as info:
            _cycle.strong_reasons(bad)
        assert str(info.value) == ("facts must be ansible_facts.sophos_reboot (a dict with 'reasons'), got %r"
                                   % type(bad).__name__)
    assert _cycle.last_boot({"reasons": [], "os": {"last_boot": ""}}) is None
    assert _cycle.last_boot({"reasons": []}) is None
    assert _cycle.sophos_installed({"reasons": [], "sophos": None}) is False


def test_result_names_a_bad_start_time():
    f = record_facts()
    state = dict(_cycle.start(f, _cycle.normalize_settings({}, T0), T0), started="yesterday")
    with pytest.raises(_time.TimeError) as info:
        _cycle.result(state, _cycle.plan(f, _cycle.start(f, _cycle.normalize_settings({}, T0), T0), T0), f, T0)
    assert str(info.value).startswith("started 'yesterday' is not an ISO 8601 date-time")
