# -*- coding: utf-8 -*-
"""The reboot_cycle action with restart groups: the slot taken before the first restart and held until the
cycle ends, a slot that comes too late, a stopped group, a failed member stopping its groups; with restart
tiers: a hold defers before anything is restarted, tiers refused under a strategy that does not take turns."""

from __future__ import absolute_import, division, print_function

import socket
from unittest import mock

import pytest

from ansible_collections.fleetops.sophos.plugins.plugin_utils import _slots
from ansible_collections.fleetops.sophos.tests.unit.replay import Replay


def _fixture(**settings):
    base = {"settle_mode": "poll", "settle_minutes": 5, "poll_seconds": 30, "poll_retries": 3}
    base.update(settings)
    return {"family": "linux", "restart_seconds": 40, "settings": base,
            "boots": [[{"after": 0, "strong": ["reboot_required_file"]}],
                      [{"after": 0}, {"after": 200, "updated_since_boot": True}]]}


@pytest.fixture
def rundir(tmp_path):
    with mock.patch.object(_slots, "run_directory", lambda started, run_id: str(tmp_path)):
        yield str(tmp_path)


def _other(rundir, replay, host="srv2", group="pair"):
    return _slots.Slots(rundir, host, [(group, 1)], now=replay.clock.time, sleep=replay.clock.sleep,
                        show=lambda line: None)


def test_a_free_slot_is_taken_before_the_restart_and_released_at_the_end(rundir):
    replay = Replay(_fixture(group="pair"))
    seen = []
    restart = replay.host.restart

    def restart_holding(name, args):
        # while the host restarts, its slot is held: a partner is refused and told by whom
        partner = _other(rundir, replay)
        seen.append(partner.acquire(lambda: False)[0])
        return restart(name, args)
    replay.host.restart = restart_holding
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and record["groups"] == ["pair"] and record["slot_wait_seconds"] == 0
    assert seen == ["waited 0s for a slot of restart group pair (held by srv1): the restart no longer fits the "
                    "window"]
    partner = _other(rundir, replay)
    assert partner.acquire(lambda: False)[0] is None   # released when the cycle ended
    partner.release()


def test_a_slot_that_comes_too_late_defers_the_host_naming_the_group(rundir):
    replay = Replay(_fixture(group="pair", window_end="2026-11-28T03:00:00Z", restart_expected_minutes=5))
    holder = _other(rundir, replay, host="srv2")
    assert holder.acquire(lambda: True)[0] is None
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "deferred" and not result.get("failed") and replay.host.restarts == []
    assert "restart group pair (held by srv2): the restart no longer fits the window" in record["message"]
    assert record["slot_wait_seconds"] > 0
    waiting = [line for line in replay.lines if "waiting for a slot of restart group pair" in line]
    assert waiting and all("held by srv2" in line for line in waiting)
    assert len(waiting) == int(record["slot_wait_seconds"] // 60) + 1   # one line a minute


def test_a_member_lost_in_its_restart_stops_its_groups(rundir):
    replay = Replay(_fixture(group=["pair", "site"]), lost_at=1)
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "failed" and record["stopped_groups"] == ["pair", "site"]
    partner = _other(rundir, replay, group="site")
    refused = partner.acquire(lambda: True)[0]
    assert refused.startswith("restart group site was stopped (srv1 failed: the host did not come back")


def test_a_stopped_group_defers_a_member_that_has_not_restarted(rundir):
    replay = Replay(_fixture(group="pair"))
    _other(rundir, replay, host="srv2").stop("health check failed: tcp 1433: connection refused")
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "deferred" and replay.host.restarts == []
    assert record["message"] == ("restart 1 deferred (reboot_required_file): restart group pair was stopped "
                                 "(srv2 failed: health check failed: tcp 1433: connection refused)")


def test_groups_and_restart_hooks_are_refused_before_anything_runs(rundir):
    replay = Replay(_fixture(group="pair"), args={"stop_at": ["before_restart"]})
    result = replay.run()
    assert result["failed"] and "reboot_cycle_group cannot be combined with restart hooks" in result["msg"]
    assert replay.host.restarts == []


def test_check_mode_takes_no_slot(rundir):
    replay = Replay(_fixture(group="pair"), check_mode=True)
    holder = _other(rundir, replay, host="srv2")
    assert holder.acquire(lambda: True)[0] is None
    record = replay.run()["sophos_reboot_cycle"]
    assert record["would_reboot"] is True and replay.host.restarts == []
    assert not [line for line in replay.lines if "waiting for a slot" in line]


# ---------------------------------------------------------------- health gates

def _ports():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    return listener, listener.getsockname()[1], closed_port


def test_a_failed_gate_after_the_restart_fails_the_host_and_stops_its_group(rundir):
    listener, _open, closed = _ports()
    try:
        replay = Replay(_fixture(group="pair", health_checks=[{"tcp": "127.0.0.1:%d" % closed, "name": "sql port"}],
                                 health_timeout=30, health_poll_seconds=10))
        result = replay.run()
    finally:
        listener.close()
    record = result["sophos_reboot_cycle"]
    assert result["failed"] and record["status"] == "failed" and record["restarts"] == 1
    assert record["stopped_groups"] == ["pair"]
    assert record["message"].startswith("health check failed: sql port: 127.0.0.1:%d: " % closed)
    assert [(c["check"], c["when"], c["passed"], c["polls"]) for c in record["health_checks"]] == [
        ("sql port", "after", False, 4)]
    refused = _other(rundir, replay).acquire(lambda: True)[0]
    assert refused.startswith("restart group pair was stopped (srv1 failed: health check failed: sql port:")


def test_passing_gates_after_the_restart_are_in_the_record(rundir):
    listener, port, _closed = _ports()
    try:
        replay = Replay(_fixture(group="pair", health_checks=[{"tcp": "127.0.0.1:%d" % port}]))
        record = replay.run()["sophos_reboot_cycle"]
    finally:
        listener.close()
    assert record["status"] == "rebooted" and record["message"].endswith("; health checks passed")
    assert "stopped_groups" not in record
    assert [(c["when"], c["passed"], c["polls"]) for c in record["health_checks"]] == [("after", True, 1)]
    assert _other(rundir, replay).acquire(lambda: True)[0] is None


def test_a_failed_gate_before_the_first_restart_defers_the_host(rundir):
    _listener, _open, closed = _ports()
    _listener.close()
    replay = Replay(_fixture(health_checks_before=[{"tcp": "127.0.0.1:%d" % closed}], health_timeout=0))
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "deferred" and not result.get("failed") and replay.host.restarts == []
    assert record["message"].startswith("restart 1 deferred (reboot_required_file): health check before the "
                                        "restart failed: tcp 127.0.0.1:%d" % closed)


def test_check_mode_runs_the_gates_once_and_restarts_nothing(rundir):
    listener, port, closed = _ports()
    try:
        replay = Replay(_fixture(health_checks_before=[{"tcp": "127.0.0.1:%d" % port}],
                                 health_checks=[{"tcp": "127.0.0.1:%d" % closed}]), check_mode=True)
        record = replay.run()["sophos_reboot_cycle"]
    finally:
        listener.close()
    assert replay.host.restarts == [] and record["would_reboot"] is True
    assert [(c["when"], c["passed"]) for c in record["health_checks"]] == [("before", True), ("after", False)]


# ---------------------------------------------------------------- restart tiers: the action's turn

FIXTURE = {"family": "linux", "restart_seconds": 40,
           "settings": {"settle_mode": "poll", "settle_minutes": 5, "poll_seconds": 30, "poll_retries": 3, "tier": 2},
           "boots": [[{"after": 0, "strong": ["reboot_required_file"]}],
                     [{"after": 0}, {"after": 200, "updated_since_boot": True}]]}


def _play(strategy):
    play = mock.MagicMock()
    play.strategy = strategy
    return mock.patch("ansible.playbook.task.Task.get_play", return_value=play)


def test_the_action_defers_a_held_host_and_restarts_nothing():
    replay = Replay(FIXTURE)
    turn = {"tier": 2, "hold": "tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): failed", "after": [],
            "failed": ["app2"], "turns": [1, 2], "since": "2026-11-28T01:55:00Z"}
    with _play("linear"):
        result = replay.run(tier_turn=turn)
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "deferred" and not result.get("failed") and replay.host.restarts == []
    assert record["message"].endswith("tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): failed")
    assert record["tier"] == 2 and record["tier_wait_seconds"] >= 300
    assert any("tier 2's turn after no lower-tier host" in line and "failed: app2" in line for line in replay.lines)


def test_the_action_restarts_a_host_whose_lower_tiers_finished():
    replay = Replay(FIXTURE)
    turn = {"tier": 2, "hold": None, "after": ["app1"], "failed": [], "turns": [1, 2],
            "since": "2026-11-28T02:00:00Z"}
    with _play("ansible.builtin.linear"):
        record = replay.run(tier_turn=turn)["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and record["tier_after"] == ["app1"] and len(replay.host.restarts) == 1


def test_the_action_refuses_tiers_under_a_strategy_that_does_not_take_turns():
    replay = Replay(FIXTURE)
    turn = {"tier": 2, "hold": None, "after": [], "failed": [], "turns": [1, 2], "since": "2026-11-28T02:00:00Z"}
    with _play("free"):
        result = replay.run(tier_turn=turn)
    assert result["failed"] and "the strategy free does not run them in turn" in result["msg"]
    assert replay.host.restarts == [] and "sophos_reboot_cycle" not in result
    with _play("free"):   # one tier: nothing to take turns for
        assert replay.run(tier_turn=dict(turn, turns=[2]))["sophos_reboot_cycle"]["status"] == "rebooted"


# The role passes the batch (tier_batch); the action reads how the lower tiers ended from the play's variables.
def _tier_vars(app2):
    return {"hostvars": {"app1": {"reboot_cycle_tier": 1, "_reboot_cycle_tier_reached": True,
                                  "sophos_reboot_cycle": {"status": "rebooted", "message": "clean"}},
                         "app2": dict({"reboot_cycle_tier": 1}, **app2),
                         "srv1": {"reboot_cycle_tier": 2, "_reboot_cycle_tier_reached": True,
                                  "_reboot_cycle_tier_since": "2026-11-28T01:55:00Z"}}}


def test_the_action_reads_the_tiers_turn_from_the_batch_a_failed_lower_tier_defers_the_host():
    replay = Replay(FIXTURE)
    replay.task_vars = _tier_vars({"_reboot_cycle_tier_reached": True,
                                   "sophos_reboot_cycle": {"status": "failed", "message": "boom"}})
    with _play("linear"):
        result = replay.run(tier=2, tier_batch=["app1", "app2", "srv1"])
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "deferred" and replay.host.restarts == [] and not result.get("failed")
    assert "lower-tier host(s) failed: app2 (tier 1)" in record["message"] and record["tier_after"] == ["app1"]


def test_the_action_restarts_once_the_lower_tiers_finished_and_names_a_bad_tier():
    replay = Replay(FIXTURE)
    replay.task_vars = _tier_vars({"_reboot_cycle_tier_reached": True,
                                   "sophos_reboot_cycle": {"status": "rebooted", "message": "clean"}})
    with _play("linear"):
        record = replay.run(tier=2, tier_batch=["app1", "app2", "srv1"])["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and record["tier_after"] == ["app1", "app2"]
    assert len(replay.host.restarts) == 1
    replay = Replay(FIXTURE)
    replay.task_vars = _tier_vars({"reboot_cycle_tier": "first"})
    with _play("linear"):
        result = replay.run(tier=2, tier_batch=["app1", "app2", "srv1"])
    assert result["failed"] and "app2: reboot_cycle_tier must be an integer" in result["msg"]
    assert replay.host.restarts == []
