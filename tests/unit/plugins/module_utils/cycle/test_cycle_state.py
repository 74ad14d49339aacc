# -*- coding: utf-8 -*-
"""The cycle's state between steps (module_utils/_cycle.py), each field by hand: the boot entry a restart
adds (why, boot ids, the queued-update restart), a settle's entry, the settle's fallback start and the
bounds on polls and hook stops."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle

START = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)
SOPHOS = {"id": "sophos_reboot_required", "source": "sophos", "strong": True, "detail": "flag"}
KERNEL = {"id": "kernel", "source": "os", "strong": True, "detail": "6.1 -> 6.2"}
WEAK = {"id": "pending_file_rename", "source": "windows", "strong": False, "detail": "x"}


def facts(boot_id, last_boot, *reasons):
    return {"reasons": list(reasons), "os": {"boot_id": boot_id, "last_boot": last_boot},
            "sophos": {"installed": True}}


BEFORE = facts("b0", "2026-12-01T06:00:00Z", SOPHOS, WEAK)
AFTER = facts("b1", "2026-12-01T08:45:00Z")


def message(call, *args, **kwargs):
    with pytest.raises(_cycle.CycleError) as info:
        call(*args, **kwargs)
    return str(info.value)


def test_a_restart_adds_its_boot_entry():
    state = _cycle.start(BEFORE, _cycle.normalize_settings({}, START), START)
    assert state["boots"] == [{"boot_id": "b0", "last_boot": "2026-12-01T06:00:00Z"}]
    new = _cycle.restarted(state, AFTER, START + timedelta(minutes=6), elapsed=61, before=BEFORE)
    assert new["boots"][1] == {
        "boot_id": "b1", "last_boot": "2026-12-01T08:45:00Z", "restarted_at": "2026-12-01T08:46:00Z",
        "restart_seconds": 61.0, "boot_id_before": "b0",
        "reasons": [{"id": "sophos_reboot_required", "detail": "flag"}],
        "queued_update": False,  # the first restart of a run with no earlier one: Sophos' flag, not a queued update
    }
    assert isinstance(new["boots"][1]["restart_seconds"], float)
    assert (new["restarts"], new["settled"]) == (1, False)
    assert len(state["boots"]) == 1 and state["restarts"] == 0 and state["settled"] is True


def test_a_restart_without_its_reading_or_time():
    new = _cycle.restarted(_cycle.start(BEFORE, _cycle.normalize_settings({}, START), START), AFTER, START)
    assert new["boots"][1] == {"boot_id": "b1", "last_boot": "2026-12-01T08:45:00Z",
                               "restarted_at": "2026-12-01T08:40:00Z", "boot_id_before": "b0",
                               "reasons": [], "queued_update": False}
    assert _cycle.restarted(dict(_cycle.start(BEFORE, _cycle.normalize_settings({}, START), START), boots=[]), AFTER, START)["boots"][0][
        "boot_id_before"] is None


@pytest.mark.parametrize("restarts, prior, before, queued", [
    (1, False, facts("b1", None, SOPHOS), True),     # Sophos' reason came back after our restart
    (0, True, facts("b1", None, SOPHOS), True),      # ... after a restart made earlier in this run
    (0, False, facts("b1", None, SOPHOS), False),
    (1, False, facts("b1", None, KERNEL), False),    # an OS reason back is no queued Sophos update
    (1, False, facts("b1", None, dict(SOPHOS, strong=False), KERNEL), False),
])
def test_the_queued_update_restart(restarts, prior, before, queued):
    state = dict(_cycle.start(BEFORE, _cycle.normalize_settings({}, START), START), restarts=restarts, prior_restart=prior)
    assert _cycle.restarted(state, AFTER, START, before=before)["boots"][-1]["queued_update"] is queued


@pytest.mark.parametrize("strong, force, restarts, expected", [
    ((KERNEL,), False, 0, [{"id": "kernel", "detail": "6.1 -> 6.2"}]),
    ((KERNEL,), True, 0, [{"id": "kernel", "detail": "6.1 -> 6.2"}]),
    ((), True, 0, [{"id": "force", "detail": "forced (reboot_cycle_force)"}]),
    ((), True, 1, []),
    ((), False, 0, []),
])
def test_restart_reasons(strong, force, restarts, expected):
    assert _cycle.restart_reasons(facts("b", None, WEAK, *strong), {"force": force}, restarts) == expected


def test_a_settle_entry():
    settle = {"mode": "poll", "elapsed": 61.26, "ended": "evidence", "reason": "r", "wait": False}
    state = _cycle.start(BEFORE, _cycle.normalize_settings({}, START), START)
    new = _cycle.settled(dict(state, settled=False), settle, started_at=START,
                         ended_at=START + timedelta(seconds=61, microseconds=500000))
    assert new["settles"] == [{"mode": "poll", "seconds": 61.3, "ended": "evidence", "reason": "r",
                               "started_at": "2026-12-01T08:40:00Z", "ended_at": "2026-12-01T08:41:01Z"}]
    assert new["settled"] is True and state["settles"] == []
    assert _cycle.settled(state, settle)["settles"] == [{"mode": "poll", "seconds": 61.3, "ended": "evidence",
                                                         "reason": "r"}]
    assert _cycle.settled(state, settle, readings=0)["settles"][0]["readings"] == 0
    assert _cycle.settled(state, settle, readings=7)["settles"][0]["readings"] == 7


def test_a_settle_still_waiting_is_not_recorded():
    assert message(_cycle.settled, _cycle.start(BEFORE, _cycle.normalize_settings({}, START), START), {"wait": True}) == (
        "settled() called while the settle is still waiting")


@pytest.mark.parametrize("state, since", [
    ({"boots": [{"boot_id": "b0"}, {"restarted_at": "2026-12-01T09:00:00Z"}], "started": "s"},
     "2026-12-01T09:00:00Z"),
    ({"boots": [{"boot_id": "b0"}], "started": "2026-12-01T08:40:00Z"}, "2026-12-01T08:40:00Z"),
    ({"boots": [], "started": "2026-12-01T08:40:00Z"}, "2026-12-01T08:40:00Z"),
])
def test_settle_since(state, since):
    assert _cycle.settle_since(state) == since


@pytest.mark.parametrize("settle_minutes, poll_seconds, bound", [
    (20, 30, 90),     # 40 polls, twice, plus 10
    (20, 7, 354),     # 1200 / 7 = 171.4: 172 polls, twice, plus 10
    (0, 30, 10),
    (1, 60, 12),
])
def test_settle_polls_bound(settle_minutes, poll_seconds, bound):
    settings = _cycle.normalize_settings({"settle_minutes": settle_minutes, "poll_seconds": poll_seconds})
    assert _cycle.settle_polls_bound(settings) == bound


def test_hook_stops_are_two_per_restart():
    assert [_cycle.hook_stops({"max_cycles": n}) for n in (1, 2, 5)] == [2, 4, 10]


def test_check_flag_names_the_role_variable():
    assert _cycle.check_flag("Yes", "trigger_update") is True
    assert message(_cycle.check_flag, "maybe", "trigger_update") == (
        "reboot_cycle_trigger_update must be true or false (also yes/no, on/off, 1/0, any case), got 'maybe'")


def test_result_needs_an_ending_decision():
    state = _cycle.start(BEFORE, _cycle.normalize_settings({}, START), START)
    assert message(_cycle.result, state, {"step": "settle"}, BEFORE, START) == (
        "result() needs an ending decision, got step 'settle'")
