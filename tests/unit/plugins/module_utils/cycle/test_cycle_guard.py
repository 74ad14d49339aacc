# -*- coding: utf-8 -*-
"""The window guard (module_utils/_cycle.py window_check, guard): what a restart needs in the window (exactly
enough time fits), and window ends in every accepted form (absolute, time of day, duration)."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
from ansible_collections.fleetops.sophos.tests.unit.cycle_facts import T0, edge_facts, facts, settled_state


# ------------------------------------------------------------ what a restart needs in the window

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


# ------------------------------------------------------------------ the window guard at its edge

NOW = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)


# A restart counted in the window with Sophos: reserve 15 min + expected 10 min + delays 0 + settle 20 min = 2700 s.
TEN = {"restart_expected_minutes": 10, "restart_reserve_minutes": 15}


@pytest.mark.parametrize("left, fits", [(2699, False), (2700, True), (2701, True)])
def test_window_edge(left, fits):
    settings = dict(TEN, window_end=_time.iso(NOW + timedelta(seconds=left)))
    check = _cycle.window_check(_cycle.normalize_settings(settings), edge_facts(), NOW)
    assert (check["fits"], check["seconds_left"], check["seconds_needed"]) == (fits, float(left), 2700.0)
    guard = _cycle.guard(edge_facts(), _cycle.normalize_settings(settings, NOW), NOW)
    assert (guard["step"], guard["status"]) == (("done", "ok") if fits else ("defer", "deferred"))
    assert guard["window"] == check
    f = edge_facts(strong=["x"])
    decision = _cycle.plan(f, settled_state(f, 0, **settings), NOW)
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
    check = _cycle.window_check(settings, edge_facts(), NOW)
    assert (check["fits"], check["seconds_left"], check["reason"]) == (False, float(left), reason)


def test_relative_window_counts_from_the_cycle_start():
    # No run_started: start() resolves "+1h" against its own clock, so later decisions do not move the end.
    f = edge_facts(strong=["x"])
    state = _cycle.start(f, _cycle.normalize_settings(dict(TEN, window_end="+1h"), NOW), NOW)
    assert state["settings"]["window_end"] == "2026-11-28T04:00:00Z"
    decision = _cycle.plan(f, state, NOW + timedelta(minutes=50))
    assert (decision["step"], decision["reason"]) == (
        "defer", "restart 1 deferred (x): needs 15 min reserve + 10 min restart + 20 min settle = 45 min; 10 min left "
                 "before the window ends at 2026-11-28T04:00:00Z")


def test_window_needs_and_messages():
    settings = _cycle.normalize_settings({"restart_expected_minutes": 5, "pre_reboot_delay": 5, "post_reboot_delay": 7,
                                          "settle_minutes": 1, "restart_reserve_minutes": 0.5})
    assert _cycle.worst_case_seconds(settings, edge_facts()) == 402.0
    assert _cycle.worst_case_seconds(settings, edge_facts(installed=False)) == 342.0
    open_window = _cycle.window_check(settings, edge_facts(), NOW)
    assert open_window == {"fits": True, "seconds_left": None, "seconds_needed": 402.0,
                           "reason": "no maintenance window end set", "start": None, "before_start": False}
    settings["window_end"] = "2026-11-28T03:05:00Z"
    assert _cycle.window_check(settings, edge_facts(), NOW)["reason"] == (
        "needs 0.5 min reserve + 5.2 min restart + 1 min settle = 6.7 min; 5 min left before the window ends at "
        "2026-11-28T03:05:00Z")
    assert _cycle.window_check(settings, edge_facts(installed=False), NOW)["reason"] == (
        "needs 0.5 min reserve + 5.2 min restart = 5.7 min; 5 min left before the window ends at 2026-11-28T03:05:00Z")
    for end in ("2026-11-28T03:00:00Z", "2026-11-28T02:59:59Z"):
        settings["window_end"] = end
        check = _cycle.window_check(settings, edge_facts(), NOW)
        assert check["reason"] == "the maintenance window ended at %s" % end and check["fits"] is False
    guard = _cycle.guard(edge_facts(strong=["x"], weak=["y"]), _cycle.normalize_settings({"window_end": "2026-11-28T02:00:00Z"}, NOW), NOW)
    assert guard["reason"] == "maintenance deferred: the maintenance window ended at 2026-11-28T02:00:00Z"
    assert (guard["strong"], guard["weak"], guard["restarts"], guard["failed"]) == (["x"], ["y"], 0, False)
    ok = _cycle.guard(edge_facts(), _cycle.normalize_settings({}, NOW), NOW)
    assert ok["reason"] == "the cycle fits the window: no maintenance window end set" and ok["warning"] is None
    f = edge_facts(strong=["x"])
    deferred = _cycle.plan(f, settled_state(f, 0, window_end="2026-11-28T03:10:00Z", **TEN), NOW)
    assert deferred["reason"] == ("restart 1 deferred (x): needs 15 min reserve + 10 min restart + 20 min settle = "
                                  "45 min; 10 min left before the window ends at 2026-11-28T03:10:00Z")


# ------------------------------------------------------------------ window ends in every accepted form

# Tuesday 1 December 2026, 08:40 UTC = 09:40 in Berlin (CET, +01:00).
START = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)
SUMMER = datetime(2026, 7, 1, 8, 40, tzinfo=timezone.utc)  # 10:40 in Berlin (CEST, +02:00)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_settings_resolve_against_the_run_start_not_the_clock():
    later = utc(2026, 12, 1, 10, 0)
    settings = _cycle.normalize_settings({"window_end": "+4h", "run_started": "2026-12-01T08:40:00Z"}, later)
    assert settings["window_end"] == "2026-12-01T12:40:00Z"
    assert settings["run_started"] == "2026-12-01T08:40:00Z"
    # Normalizing again (the state's settings) keeps the same end.
    assert _cycle.normalize_settings(settings, utc(2026, 12, 1, 11, 0))["window_end"] == "2026-12-01T12:40:00Z"


def test_settings_without_a_clock_keep_a_relative_end_checked_for_later():
    assert _cycle.normalize_settings({"window_end": " +4h "})["window_end"] == "+4h"
    with pytest.raises(_cycle.CycleError, match="unknown time zone"):
        _cycle.normalize_settings({"window_end": "06:00 Nowhere/Town"})
    settings = _cycle.normalize_settings({"window_end": "+4h"})
    check = _cycle.window_check(settings, {"reasons": []}, START)
    assert check["seconds_left"] == 4 * 3600 and check["fits"]


def test_a_window_that_ended_before_the_run_started_is_refused():
    with pytest.raises(_cycle.CycleError, match=r"ended at 2025-12-01T05:00:00Z, before this run started "
                                                r"\(2026-12-01T08:40:00Z\)"):
        _cycle.normalize_settings({"window_end": "2025-12-01T06:00:00+01:00", "run_started": "2026-12-01T08:40:00Z"})
    # Without the run's start (a later step of the cycle) a past end defers instead.
    guard = _cycle.guard({"reasons": []}, _cycle.normalize_settings({"window_end": "2025-12-01T06:00:00+01:00"}, START), START)
    assert guard["step"] == "defer" and "ended at 2025-12-01T05:00:00Z" in guard["reason"]


def test_guard_and_cycle_work_to_the_run_start_window():
    settings = {"window_end": "+30m", "run_started": "2026-12-01T08:40:00Z", "reboot_timeout": 600,
                "settle_minutes": 0, "restart_reserve_minutes": 0}
    assert _cycle.guard({"reasons": []}, _cycle.normalize_settings(settings, utc(2026, 12, 1, 8, 41)), utc(2026, 12, 1, 8, 41))["step"] == "done"
    # 25 minutes in, a restart that may take 10 minutes no longer fits the run's window.
    assert _cycle.guard({"reasons": []}, _cycle.normalize_settings(settings, utc(2026, 12, 1, 9, 5)), utc(2026, 12, 1, 9, 5))["step"] == "defer"
