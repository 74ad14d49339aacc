# -*- coding: utf-8 -*-
"""plugin_utils/_cycle_run.py: the runner of one host's cycle, with a recorded host (no action, no Ansible run).

The whole cycle through the real action is replayed in tests/unit/plugins/action/test_reboot_cycle_action.py;
these tests pin the runner's own contract: its state is explicit, the state dict is never changed in place,
the step loop stops at hook points and runs the steps it is given.
"""

from __future__ import absolute_import, division, print_function

import copy
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils._cycle_run import CycleRun, Lost
from ansible_collections.fleetops.sophos.tests.unit import fake_clock


T0 = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)
OPTIONS = {"ignore_reasons": [], "test_command": "", "reboot_msg": "bye", "central_update_check": False,
           "central_options": {}}
STATE_ATTRIBUTES = {"host", "options", "state", "settings", "facts", "entries", "now", "sleep", "show", "warn", "slots", "stopped",
                    "silence", "steps", "notify"}


def reading(at, boot, strong=(), updated=False):
    return {"schema": 1, "checked_at": _time.iso(at), "read_errors": [],
            "reasons": [{"id": r, "source": "os", "strong": True, "detail": "t"} for r in strong],
            "sophos": {"installed": True, "updating": False, "updated_since_boot": updated,
                       "last_update": _time.iso(boot + timedelta(minutes=1)) if updated else None,
                       "health": {"overall": "good", "services": {"Sophos MCS Agent": "running"}}},
            "os": {"family": "linux", "last_boot": _time.iso(boot), "boot_id": "b-%s" % boot.minute}}


class Host(object):
    """Readings from a list (None: a failed reading); a restart moves the boot to the clock's time."""

    windows = False
    name = "srv1"
    task_vars = {}

    def __init__(self, clock, strong_until_restart=True, failing=0):
        self.clock = clock
        self.boot = T0 - timedelta(days=1)
        self.strong = ("os_reboot_required",) if strong_until_restart else ()
        self.failing = failing
        self.reads = []
        self.restarts = []

    def read(self, args):
        self.reads.append(copy.deepcopy(args))
        if self.failing:
            self.failing -= 1
            return None, ("no answer", True)
        updated = self.clock.now - self.boot > timedelta(minutes=2) and bool(self.restarts)
        return reading(self.clock.now, self.boot, self.strong, updated), None

    def restart(self, args):
        self.restarts.append(args)
        self.clock.now += timedelta(seconds=30)
        self.boot = self.clock.now
        self.strong = ()
        return {"rebooted": True, "elapsed": 30}

    def module(self, name, args):
        raise AssertionError("no module without trigger_update")


def runner(host, clock, **settings):
    return CycleRun(host, OPTIONS, _cycle.normalize_settings(dict({"poll_seconds": 10}, **settings), clock.time()),
                    now=clock.time, sleep=clock.sleep, show=lambda line: None, warn=lambda line: None)


def test_a_whole_cycle_keeps_its_state_explicit():
    clock = fake_clock.Clock(T0)
    host = Host(clock)
    run = runner(host, clock)
    assert set(vars(run)) == STATE_ATTRIBUTES and run.state is None
    assert run.begin(False) is None
    first = copy.deepcopy(run.state)
    decision, stopped = run.run()
    assert (decision["step"], decision["status"], stopped) == ("done", "rebooted", None)
    assert set(vars(run)) == STATE_ATTRIBUTES          # nothing made on the way
    assert run.state["restarts"] == 1 and run.state["settles"][0]["ended"] == "evidence"
    assert host.restarts == [{"reboot_timeout": 1200, "pre_reboot_delay": 0, "post_reboot_delay": 0, "msg": "bye"}]
    assert run.facts["os"]["last_boot"] == _time.iso(host.boot)
    assert first["restarts"] == 0 and len(first["boots"]) == 1   # each step made a new state


def test_a_reading_passes_the_last_one_as_previous_facts():
    clock = fake_clock.Clock(T0)
    host = Host(clock)
    run = runner(host, clock)
    run.begin(False)
    run.run()
    assert "previous_facts" not in host.reads[0]
    assert all(args["previous_facts"]["checked_at"] for args in host.reads[1:])


def test_the_loop_stops_at_the_hook_points_and_resumes_from_the_state_alone():
    clock = fake_clock.Clock(T0)
    host = Host(clock)
    run = runner(host, clock)
    run.begin(False)
    decision, stopped = run.run(stop_at=("before_restart", "after_restart"))
    assert (decision["step"], stopped, host.restarts) == ("reboot", "before_restart", [])
    again = CycleRun(host, OPTIONS, None, state=run.state, facts=run.facts, now=clock.time, sleep=clock.sleep,
                     show=lambda line: None, warn=lambda line: None)
    assert again.settings is run.state["settings"]
    decision, stopped = again.run(stop_at=("after_restart",), at=stopped, decision=decision)
    assert (stopped, len(host.restarts)) == ("after_restart", 1)
    decision, stopped = again.run(at=stopped, decision=decision)
    assert (decision["status"], stopped) == ("rebooted", None)


def test_readings_that_keep_failing_lose_the_host_after_the_retries():
    clock = fake_clock.Clock(T0)
    host = Host(clock)
    run = runner(host, clock, poll_retries=1)
    assert run.begin(False) is None
    host.failing = 3
    with pytest.raises(Lost, match=r"^the host stayed unreachable after restart 1 \(2 readings in a row, 10.0 s apart\): "
                                   r"no answer$") as lost:
        run.run()
    assert lost.value.unreachable and len(host.restarts) == 1 and clock.now == T0 + timedelta(seconds=40)


def test_a_first_reading_that_fails_makes_no_state():
    clock = fake_clock.Clock(T0)
    run = runner(Host(clock, failing=1), clock)
    assert run.begin(False) == ("no answer", True) and run.state is None and run.facts is None


def test_a_step_added_to_the_steps_runs_in_the_loop(monkeypatch):
    """Room for the orchestration's steps (wait for a slot, a gate): one entry in ``steps``."""
    clock = fake_clock.Clock(T0)
    host = Host(clock)
    run = runner(host, clock)
    run.begin(False)
    waited = []
    plans = iter([{"step": "wait_slot", "reason": "slot"}])
    real_plan = run.plan
    monkeypatch.setattr(run, "plan", lambda: next(plans, None) or real_plan())
    run.steps["wait_slot"] = lambda: waited.append(clock.time())
    decision, _stopped = run.run()
    assert waited == [T0] and decision["status"] == "rebooted"


@pytest.mark.parametrize("windows, timeout, expected", [(True, 3600, 15), (False, 1200, 5)])
def test_the_restart_timeout_and_its_expected_length_default_by_os(windows, timeout, expected):
    clock = fake_clock.Clock(T0)
    host = Host(clock)
    host.windows = windows
    run = runner(host, clock)
    assert (run.settings["reboot_timeout"], run.settings["restart_expected_minutes"]) == (timeout, expected)
    run.begin(False)
    run.run()
    assert host.restarts[0]["reboot_timeout"] == timeout
    # the window counts the expected length, not the timeout: 30 s left over the settle fits a 5-minute restart
    assert run.state["settings"]["restart_expected_minutes"] == expected


def test_a_host_s_own_restart_timeout_wins_over_its_os_default():
    clock = fake_clock.Clock(T0)
    host = Host(clock)
    host.windows = True
    run = runner(host, clock, reboot_timeout="900", restart_expected_minutes=7)
    assert (run.settings["reboot_timeout"], run.settings["restart_expected_minutes"]) == (900, 7)
    run.begin(False)
    run.run()
    assert host.restarts[0]["reboot_timeout"] == 900


def test_a_long_timeout_does_not_defer_a_restart_expected_to_be_short():
    # 3600 s Windows timeout; reserve 10 min + 15 min expected + settle 20 min: 45 min left is enough (the timeout
    # would not fit).
    clock = fake_clock.Clock(T0)
    host = Host(clock)
    host.windows = True
    run = runner(host, clock, window_end=_time.iso(T0 + timedelta(minutes=45)))
    run.begin(False)
    decision = run.plan()
    assert decision["step"] == "reboot" and decision["window"]["seconds_needed"] == 45 * 60


def test_the_cycle_waits_for_the_windows_start_with_a_line_a_minute():
    clock = fake_clock.Clock(T0, least=1)
    host = Host(clock)
    lines = []
    settings = _cycle.normalize_settings({"poll_seconds": 10, "window_start": "+2m30s", "run_started": _time.iso(T0)}, T0)
    run = CycleRun(host, OPTIONS, settings,
                   now=clock.time, sleep=clock.sleep, show=lines.append, warn=lambda line: None)
    run.begin(False)
    run.run()
    # Restarted only once the start had come, after a fresh reading.
    assert len(host.restarts) == 1 and run.state["boots"][1]["restarted_at"] == "2026-11-28T02:03:00Z"
    assert run.state["window_start_wait"] == {"seconds": 150.0, "from": "2026-11-28T02:00:00Z",
                                              "to": "2026-11-28T02:02:30Z"}
    waits = [line for line in lines if "the window" in line]
    assert waits == [
        "wait_start: restart 1 (os_reboot_required) waits for the window's start at 2026-11-28T02:02:30Z, 2m30s from now",
        "waiting for the window's start at 2026-11-28T02:02:30Z (2m30s): no restart before it",
        "waiting for the window's start at 2026-11-28T02:02:30Z: 1m30s left",
        "waiting for the window's start at 2026-11-28T02:02:30Z: 30s left",
        "the window started at 2026-11-28T02:02:30Z after a wait of 2m30s"]
    assert clock.sleeps[:3] == [60, 60, 30] and len(host.reads) >= 3
