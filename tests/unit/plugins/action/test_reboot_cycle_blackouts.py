# -*- coding: utf-8 -*-
"""Blackouts in the REAL reboot_cycle action (replayed host, clock and sleep: tests/unit/replay.py):
no restart starts inside one, a cycle that would run into one is deferred before its next restart and never
cut halfway, the window guard defers the host, and check mode says so."""

from __future__ import absolute_import, division, print_function

from datetime import timedelta

from ansible_collections.fleetops.sophos.plugins.module_utils import _time
from ansible_collections.fleetops.sophos.tests.unit.replay import T0, Replay, load

# The host restarts twice without blackouts: the first restart at T0 (02:00), the second at 02:08, after the
# first settle; each is counted at 45 minutes on Windows (10 reserve, 15 for the restart, 20 for the settle).
FIXTURE = "windows_queued_update.yml"


def _period(name, start, end):
    return {"name": name, "start": _time.iso(T0 + timedelta(minutes=start)), "end": _time.iso(T0 + timedelta(minutes=end))}


def test_a_run_inside_a_blackout_restarts_nothing():
    replay = Replay(load(FIXTURE), args={"blackouts": [_period("month-end", -60, 120)]})
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert replay.host.restarts == [] and record["restarts"] == 0 and not result.get("failed")
    assert record["status"] == "deferred"
    assert record["message"] == "restart 1 deferred: blackout 'month-end' until 2026-11-28T04:00:00Z: no restart starts inside it"
    assert result["changed"] is False


def test_a_cycle_that_would_run_into_a_blackout_is_deferred_before_its_next_restart():
    replay = Replay(load(FIXTURE), args={"blackouts": [_period("backups", 50, 120)]})
    record = replay.run()["sophos_reboot_cycle"]
    # The first restart fits (50 minutes before the blackout, 45 needed with the reserve), is settled and
    # re-assessed; the second does not. The arithmetic is the window's (reserve + restart + settle).
    assert len(replay.host.restarts) == 1 and record["restarts"] == 1 and len(record["settles"]) == 1
    assert record["status"] == "deferred"
    assert record["message"].startswith("restart 2 deferred: blackout 'backups' from 2026-11-28T02:50:00Z until "
                                        "2026-11-28T04:00:00Z: needs 10 min reserve + 15 min restart + 20 min settle "
                                        "= 45 min; 42 min left before blackout 'backups' begins at "
                                        "2026-11-28T02:50:00Z")


def test_a_blackout_that_begins_during_the_settle_does_not_cut_the_cycle_short():
    """The blackout begins while the first restart settles: the settle ends on its evidence, no second restart."""
    replay = Replay(load(FIXTURE), args={"blackouts": [_period("incident", 46, 120)]})
    record = replay.run()["sophos_reboot_cycle"]
    assert len(replay.host.restarts) == 1 and record["settles"][0]["ended"] == "reboot_required"


def test_the_window_guard_defers_the_host_inside_a_blackout():
    replay = Replay(load(FIXTURE), args={"blackouts": [_period("month-end", -60, 120)], "guard_only": True})
    result = replay.run()
    assert result["deferred"] is True and replay.host.restarts == []
    assert result["sophos_reboot_cycle"]["message"] == (
        "maintenance deferred: blackout 'month-end' until 2026-11-28T04:00:00Z: no restart starts inside it")
    clear = Replay(load(FIXTURE), args={"blackouts": [_period("later", 60, 120)], "guard_only": True}).run()
    assert clear["deferred"] is False


def test_the_window_guard_counts_a_blackout_from_the_window_start():
    """The first restart can start at the window's start, not before: the guard holds it there. A blackout
    that ends before the start lets the host be patched now (at T0, inside it); one that the first restart
    would reach after the start defers the host before it is patched."""
    window = {"window_start": _time.iso(T0 + timedelta(minutes=60)), "window_end": _time.iso(T0 + timedelta(minutes=300)),
              "guard_only": True}
    ended = Replay(load(FIXTURE), args=dict(window, blackouts=[_period("backups", -60, 40)])).run()
    assert ended["deferred"] is False, ended["sophos_reboot_cycle"]["message"]
    ahead = Replay(load(FIXTURE), args=dict(window, blackouts=[_period("close", 70, 200)])).run()
    assert ahead["deferred"] is True
    assert ahead["sophos_reboot_cycle"]["message"].startswith(
        "maintenance deferred: blackout 'close' from 2026-11-28T03:10:00Z until 2026-11-28T05:20:00Z: needs 10 min "
        "reserve + 15 min restart + 20 min settle = 45 min; 10 min left before blackout 'close' begins at "), ahead


def test_check_mode_says_what_would_be_deferred():
    replay = Replay(load(FIXTURE), args={"blackouts": [_period("month-end", -60, 120)]}, check_mode=True)
    record = replay.run()["sophos_reboot_cycle"]
    assert replay.host.restarts == [] and record["status"] == "deferred" and record["would_reboot"] is False
    assert record["message"] == ("check mode: restart 1 deferred: blackout 'month-end' until 2026-11-28T04:00:00Z: "
                                 "no restart starts inside it")


def test_a_blackout_that_began_during_the_before_restart_hook_holds_the_restart():
    replay = Replay(load(FIXTURE), args={"blackouts": [_period("incident", 50, 120)], "stop_at": ["before_restart"]})
    stopped = replay.run()
    assert stopped["cycle"]["at"] == "before_restart" and replay.host.restarts == []
    replay.clock.now = T0 + timedelta(minutes=20)  # the hook took 20 minutes
    record = replay.run(resume=stopped["cycle"])["sophos_reboot_cycle"]
    assert replay.host.restarts == [] and record["status"] == "deferred"
    assert "blackout 'incident' from 2026-11-28T02:50:00Z" in record["message"]


def test_a_malformed_blackout_fails_the_task_before_anything_is_changed():
    replay = Replay(load(FIXTURE), args={"blackouts": [{"start": "+1h"}, {"start": "+2h", "end": "+1h", "x": 1}]})
    result = replay.run()
    assert result["failed"] and replay.host.restarts == [] and replay.loader.calls == []
    assert result["msg"] == (
        "Invalid options for reboot_cycle: reboot_cycle_blackouts[0] has no end; reboot_cycle_blackouts[1] has "
        "unknown key(s) x (known: name, start, end); reboot_cycle_blackouts[1] ends at 2026-11-28T03:00:00Z, not "
        "after its start 2026-11-28T04:00:00Z (+2h to +1h)")
