# -*- coding: utf-8 -*-
"""The cycle's records (result, failure, aborted, start, restarted, settled), every field written out."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time

T0 = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)


def facts(strong=(), weak=(), boot="2026-11-28T01:00:00Z", boot_id="b1"):
    reasons = [{"id": r, "strong": True} for r in strong] + [{"id": r, "strong": False} for r in weak]
    return {"reasons": reasons, "sophos": {"installed": True, "health": {"overall": "good", "services": {}}},
            "os": {"last_boot": boot, "boot_id": boot_id}}


def test_start_restarted_settled():
    f = facts(strong=["a"], weak=["w"])
    state = _cycle.start(f, _cycle.normalize_settings({"max_cycles": 3}, T0), T0)
    assert state == {"settings": _cycle.normalize_settings({"max_cycles": 3}), "started": "2026-11-28T02:00:00Z",
                     "restarts": 0, "settled": True, "prior_restart": False,
                     "boots": [{"boot_id": "b1", "last_boot": "2026-11-28T01:00:00Z"}], "settles": [],
                     "reasons_before": ["a", "w"], "strong_before": ["a"]}
    assert _cycle.start(f, _cycle.normalize_settings({}, T0), T0, prior_restart=_cycle.check_flag("yes", "prior_restart"))["settled"] is False
    after = _cycle.restarted(state, facts(boot="2026-11-28T02:03:00Z", boot_id="b2"), T0 + timedelta(minutes=4),
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
    f = facts(strong=["a"])
    state = _cycle.restarted(_cycle.start(f, _cycle.normalize_settings({}, T0), T0), facts(weak=["w"]), T0 + timedelta(minutes=3))
    state = _cycle.settled(state, {"wait": False, "mode": "fixed", "elapsed": 1200, "ended": "interval",
                                   "reason": "r"})
    decision = _cycle.plan(facts(weak=["w"]), state, T0 + timedelta(minutes=25))
    record = _cycle.result(state, decision, facts(weak=["w"]), T0 + timedelta(minutes=25, seconds=0.26))
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
    f = facts(strong=["a"])
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
    clean = _cycle.start(facts(), _cycle.normalize_settings({}, T0), T0)
    record = _cycle.result(clean, _cycle.plan(facts(), clean, T0), facts(), T0, check_mode=True)
    assert record["message"] == "check mode: no restart needed: nothing pending; Sophos healthy"


def test_failure_record():
    f = facts(strong=["a"])
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
        assert _cycle.aborted(record, "later", facts(), T0) is record
        assert _cycle.aborted(record, "later", facts(), T0, unreachable=True) == dict(record, unreachable=True)
        marked = dict(record, unreachable=True)
        assert _cycle.aborted(marked, "later", facts(), T0, unreachable=True) is marked


def test_aborted_from_nothing_and_from_a_record():
    now = T0 + timedelta(minutes=1, seconds=30)
    assert _cycle.aborted(None, "the window guard failed", None, now, started="2026-11-28T02:00:00Z") == {
        "status": "failed", "check_mode": False, "would_reboot": False, "restarts": 0, "max_cycles": None,
        "boots": [], "settles": [], "reasons_before": [], "reasons_after": [], "message": "the window guard failed",
        "warning": None, "started": "2026-11-28T02:00:00Z", "finished": "2026-11-28T02:01:30Z",
        "duration_seconds": 90.0, "unreachable": False}
    bare = _cycle.aborted("junk", "m", facts(strong=["a"]), now, check_mode=True)
    assert (bare["started"], bare["duration_seconds"], bare["check_mode"], bare["reasons_before"],
            bare["reasons_after"]) == ("2026-11-28T02:01:30Z", 0.0, True, ["a"], ["a"])
    earlier = {"status": "rebooted", "check_mode": False, "restarts": 1, "max_cycles": 2, "boots": ["b"],
               "settles": ["s"], "reasons_before": ["x"], "started": "2026-11-28T01:59:00Z"}
    record = _cycle.aborted(earlier, "the after-restart hook failed", facts(weak=["w"]), now, check_mode=True)
    assert (record["restarts"], record["max_cycles"], record["boots"], record["settles"], record["reasons_before"],
            record["reasons_after"], record["check_mode"], record["started"], record["duration_seconds"]) == (
        1, 2, ["b"], ["s"], ["x"], ["w"], False, "2026-11-28T01:59:00Z", 150.0)
    assert _cycle.aborted(None, "m", {"no": "reasons"}, now)["reasons_after"] == []


def test_reason_helpers_and_facts_check():
    f = facts(strong=["a", "b"], weak=["w"])
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
    f = facts()
    state = dict(_cycle.start(f, _cycle.normalize_settings({}, T0), T0), started="yesterday")
    with pytest.raises(_time.TimeError) as info:
        _cycle.result(state, _cycle.plan(f, _cycle.start(f, _cycle.normalize_settings({}, T0), T0), T0), f, T0)
    assert str(info.value).startswith("started 'yesterday' is not an ISO 8601 date-time")
