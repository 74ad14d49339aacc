# -*- coding: utf-8 -*-
"""A window's start and the restart reserve (module_utils/_cycle.py): no restart before the start, the fit
counted from it, the reserve per OS in the fit, the arithmetic in the reason, check mode."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time

# Tuesday 1 December 2026, 19:00 UTC = 20:00 in Berlin (CET): the job starts two hours before its window.
LAUNCH = datetime(2026, 12, 1, 19, 0, tzinfo=timezone.utc)
BERLIN = {"window_start": "22:00 Europe/Berlin", "window_end": "02:00 Europe/Berlin", "run_started": _time.iso(LAUNCH)}


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def facts(strong=("reboot_required_file",), installed=True):
    return {"schema": 1, "checked_at": _time.iso(LAUNCH), "read_errors": [], "reboot_required": bool(strong),
            "reasons": [{"id": r, "source": "os", "strong": True, "detail": "t"} for r in strong],
            "sophos": {"installed": installed, "updating": False, "updated_since_boot": True, "last_update": None,
                       "health": {"overall": "good", "services": {"sophos-spl": "running"}}},
            "os": {"family": "linux", "last_boot": "2026-11-01T00:00:00Z", "boot_id": "b-1"}}


def state(now=LAUNCH, windows=False, **raw):
    settings = _cycle.resolve_by_os(_cycle.normalize_settings(dict(BERLIN, **raw), now), windows)
    return _cycle.start(facts(), settings, now)


def test_the_start_resolves_once_against_the_run_start():
    settings = _cycle.normalize_settings(BERLIN, LAUNCH + timedelta(hours=5))
    assert (settings["window_start"], settings["window_end"]) == ("2026-12-01T21:00:00Z", "2026-12-02T01:00:00Z")
    # Normalised again (the state's settings, a resumed call) it stays.
    assert _cycle.normalize_settings(settings)["window_start"] == "2026-12-01T21:00:00Z"


@pytest.mark.parametrize("start, end", [("+5h", "+4h"), ("+4h", "+4h"), ("2026-12-01T23:00:00Z", "2026-12-01T22:00:00Z")])
def test_a_start_at_or_after_the_end_is_refused(start, end):
    with pytest.raises(_cycle.CycleError) as info:
        _cycle.normalize_settings({"window_start": start, "window_end": end, "run_started": _time.iso(LAUNCH)})
    assert "reboot_cycle_window_start %r starts at " % start in str(info.value)
    assert "at or after the window's end" in str(info.value)


def test_a_start_alone_is_checked_and_kept_relative_without_a_clock():
    assert _cycle.normalize_settings({"window_start": " +1h "})["window_start"] == "+1h"
    with pytest.raises(_cycle.CycleError, match="reboot_cycle_window_start 'soon' is not a window start"):
        _cycle.normalize_settings({"window_start": "soon"})


def test_before_the_start_a_pending_host_waits_and_after_it_restarts():
    st = state()
    decision = _cycle.plan(facts(), st, LAUNCH)
    assert decision["step"] == "wait_start"
    assert decision["reason"] == ("restart 1 (reboot_required_file) waits for the window's start at "
                                  "2026-12-01T21:00:00Z, 2h00m from now")
    assert decision["window"]["fits"] and decision["window"]["reason"] == (
        "needs 15 min reserve + 5 min restart + 20 min settle = 40 min; 240 min left before the window ends at "
        "2026-12-02T01:00:00Z (counted from the window's start at 2026-12-01T21:00:00Z)")
    assert _cycle.plan(facts(), st, utc(2026, 12, 1, 21, 0))["step"] == "reboot"
    # Nothing pending: nothing to wait for.
    assert _cycle.plan(facts(strong=()), st, LAUNCH)["step"] == "done"


def test_a_window_too_short_from_its_start_defers_at_once_without_waiting():
    st = state(window_end="22:30 Europe/Berlin")
    decision = _cycle.plan(facts(), st, LAUNCH)
    assert decision["step"] == "defer"
    assert decision["reason"].endswith("needs 15 min reserve + 5 min restart + 20 min settle = 40 min; 30 min left "
                                       "before the window ends at 2026-12-01T21:30:00Z (counted from the window's "
                                       "start at 2026-12-01T21:00:00Z)")


def test_the_wait_is_in_the_record():
    st = _cycle.start_waited(state(), LAUNCH, utc(2026, 12, 1, 21, 0, 5))
    decision = _cycle.plan(facts(strong=()), st, utc(2026, 12, 1, 21, 0, 5))
    record = _cycle.result(st, decision, facts(strong=()), utc(2026, 12, 1, 21, 0, 5))
    assert record["window_start"] == "2026-12-01T21:00:00Z"
    assert record["window_start_wait"] == {"seconds": 7205.0, "from": "2026-12-01T19:00:00Z",
                                           "to": "2026-12-01T21:00:05Z"}
    # Without a start the record has neither key (the schema grows only where it is used).
    plain = _cycle.start(facts(), _cycle.normalize_settings({}, LAUNCH), LAUNCH)
    assert "window_start_wait" not in _cycle.result(plain, decision, facts(strong=()), LAUNCH)


def test_check_mode_does_not_wait_it_says_it_would():
    st = state()
    record = _cycle.result(st, _cycle.plan(facts(), st, LAUNCH), facts(), LAUNCH, check_mode=True)
    assert record["message"] == ("check mode: would wait until 2026-12-01T21:00:00Z (the window's start), then "
                                 "restart 1: reboot_required_file; window: needs 15 min reserve + 5 min restart + "
                                 "20 min settle = 40 min; 240 min left before the window ends at 2026-12-02T01:00:00Z "
                                 "(counted from the window's start at 2026-12-01T21:00:00Z)")
    assert (record["status"], record["would_reboot"], record["window_start_wait"]) == ("ok", True, None)


# ---------------------------------------------------------------- the reserve

def test_restart_fits_shows_the_arithmetic():
    now = utc(2026, 12, 2, 0, 29)
    assert _cycle.restart_fits(now, utc(2026, 12, 2, 1, 0), 15 * 60, 8 * 60, 20 * 60) == (
        False, "needs 15 min reserve + 8 min restart + 20 min settle = 43 min; 31 min left before the window ends "
               "at 2026-12-02T01:00:00Z")
    assert _cycle.restart_fits(now, utc(2026, 12, 2, 1, 12), 15 * 60, 8 * 60, 20 * 60)[0]
    ok, text = _cycle.restart_fits(now, utc(2026, 12, 2, 0, 40), 0, 8 * 60, None, until="blackout freeze begins")
    assert (ok, text) == (True, "needs 0 min reserve + 8 min restart = 8 min; 11 min left before blackout freeze "
                                "begins at 2026-12-02T00:40:00Z")


@pytest.mark.parametrize("windows, reserve, expected, needed", [(True, 10, 15, 45), (False, 15, 5, 40)])
def test_the_reserve_and_the_expected_restart_are_the_hosts_os(windows, reserve, expected, needed):
    settings = _cycle.resolve_by_os(_cycle.normalize_settings({"window_end": "+44m"}, LAUNCH), windows)
    assert (settings["restart_reserve_minutes"], settings["restart_expected_minutes"]) == (reserve, expected)
    check = _cycle.window_check(settings, facts(), LAUNCH)
    assert check["seconds_needed"] == needed * 60
    assert check["fits"] is (needed <= 44)
    assert check["reason"].startswith("needs %d min reserve + %d min restart + 20 min settle = %d min; 44 min left"
                                      % (reserve, expected, needed))


def test_the_reserve_is_a_setting_per_host():
    assert _cycle.normalize_settings({"restart_reserve_minutes": "0"})["restart_reserve_minutes"] == 0
    assert _cycle.normalize_settings({"restart_reserve_minutes": "null"})["restart_reserve_minutes"] is None
    with pytest.raises(_cycle.CycleError, match="reboot_cycle_restart_reserve_minutes must be >= 0, got -1"):
        _cycle.normalize_settings({"restart_reserve_minutes": -1})
    # Not resolved for an OS (the guard before the host's OS is known): the longer reserve, Linux' 15.
    assert _cycle.worst_case(_cycle.normalize_settings({}), facts())["reserve"] == 15 * 60
