# -*- coding: utf-8 -*-
"""Window ends in every accepted form (module_utils/_cycle.py): absolute, time of day, duration."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle

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
