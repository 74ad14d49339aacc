# -*- coding: utf-8 -*-
"""plugin_utils/_slots.py: restart-group slots as file locks, with real worker processes.

Workers compete for the slots of their groups as the hosts' cycles do (each in its own process); a worker
killed while it holds a slot frees it (the lock dies with the process). The waits are on events, not time.
"""

from __future__ import absolute_import, division, print_function

import multiprocessing
import os
import signal
import time
from datetime import datetime, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _groups
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _slots
from ansible_collections.fleetops.sophos.tests.unit import fake_clock


T0 = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
FORK = multiprocessing.get_context("fork")


def _real_now():
    return datetime.now(timezone.utc)


def _compete(directory, host, needed, log):
    """One host's cycle in its own process: take the slots, be 'down' a moment, note when, release."""
    slots = _slots.Slots(directory, host, needed, now=_real_now, sleep=time.sleep, show=lambda line: None,
                         try_seconds=0.01)
    refused, _waited = slots.acquire(lambda: True)
    assert refused is None
    begun = time.monotonic()
    time.sleep(0.05)
    ended = time.monotonic()
    with open(os.path.join(log, host), "w") as handle:
        handle.write("%r %r" % (begun, ended))
    slots.release()


def _hold_until_killed(directory, host, needed, held):
    slots = _slots.Slots(directory, host, needed, now=_real_now, sleep=time.sleep, show=lambda line: None,
                         try_seconds=0.01)
    refused, _waited = slots.acquire(lambda: True)
    assert refused is None
    held.set()
    while True:
        time.sleep(1)


def _most_at_once(intervals):
    events = sorted([(begun, 1) for begun, _ended in intervals] + [(ended, -1) for _begun, ended in intervals])
    inside = most = 0
    for _moment, step in events:
        inside += step
        most = max(most, inside)
    return most


@pytest.mark.parametrize("max_down, members", [(1, 4), ("50%", 6)])
def test_competing_workers_never_exceed_the_group_s_limit(tmp_path, max_down, members):
    hosts = dict(("%s%d" % (group, n), [group]) for group in ("dc", "sql") for n in range(members))
    log = tmp_path / "log"
    log.mkdir()
    workers = []
    for host, groups in sorted(hosts.items()):
        needed = _groups.slots(groups, max_down, hosts)
        workers.append(FORK.Process(target=_compete, args=(str(tmp_path), host, needed, str(log))))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    limit = _groups.limit(max_down, members)
    for group in ("dc", "sql"):
        intervals = []
        for host in hosts:
            if host.startswith(group):
                with open(str(log / host)) as handle:
                    intervals.append(tuple(float(part) for part in handle.read().split()))
        assert len(intervals) == members
        assert _most_at_once(intervals) <= limit


def test_a_host_in_two_groups_takes_both_in_name_order_without_deadlock(tmp_path):
    # Both hosts are in both groups, each naming them in another order: sorted, so no circular wait.
    hosts = {"a": ["zeta", "alpha"], "b": ["alpha", "zeta"]}
    log = tmp_path / "log"
    log.mkdir()
    workers = [FORK.Process(target=_compete, args=(str(tmp_path), host, _groups.slots(
        _groups.group_names(groups, "g"), 1, hosts), str(log))) for host, groups in sorted(hosts.items())]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert [needed[0] for needed in _groups.slots(["zeta", "alpha"], 1, hosts)] == ["alpha", "zeta"]


def test_a_killed_worker_frees_its_slot(tmp_path):
    needed = [("pair", 1)]
    held = FORK.Event()
    holder = FORK.Process(target=_hold_until_killed, args=(str(tmp_path), "dc1", needed, held))
    holder.start()
    try:
        assert held.wait(60)
        # Held: another host is refused when the window says it is too late, and told by whom.
        other = _slots.Slots(str(tmp_path), "dc2", needed, now=lambda: T0, sleep=lambda s: None,
                             show=lambda line: None)
        refused, _waited = other.acquire(lambda: False)
        assert refused == ("waited 0s for a slot of restart group pair (held by dc1): the restart no longer "
                           "fits the window")
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(60)
    assert holder.exitcode == -signal.SIGKILL
    refused, waited = other.acquire(lambda: False)
    assert (refused, waited, [(group, slot) for group, slot, _handle in other.held]) == (None, 0, [("pair", 0)])
    other.release()


def test_a_waiting_host_says_once_a_minute_which_group_and_who_holds_it(tmp_path):
    clock = fake_clock.Clock(T0)
    first = _slots.Slots(str(tmp_path), "sql1", [("sql", 1)], now=clock.time, sleep=clock.sleep, show=None)
    assert first.acquire(lambda: True) == (None, 0)
    lines = []
    second = _slots.Slots(str(tmp_path), "sql2", [("sql", 1)], now=clock.time, sleep=clock.sleep, show=lines.append,
                          try_seconds=2)
    tries = []

    def fits():
        tries.append(clock.now)
        if len(tries) == 75:      # at 148 s the holder is released: taken at the try at 150 s
            first.release()
        return True
    refused, waited = second.acquire(fits)
    assert (refused, waited) == (None, 150)
    assert lines == ["waiting for a slot of restart group sql (at most 1 down), held by sql1; waited %s" % w
                     for w in ("0s", "1m00s", "2m00s")]
    second.release()


def test_a_stopped_group_refuses_its_waiting_members_naming_the_failed_host(tmp_path):
    clock = fake_clock.Clock(T0)
    first = _slots.Slots(str(tmp_path), "dc1", [("dcs", 1), ("site", 2)], now=clock.time, sleep=clock.sleep,
                         show=lambda line: None)
    assert first.acquire(lambda: True)[0] is None
    second = _slots.Slots(str(tmp_path), "dc2", [("dcs", 1)], now=clock.time, sleep=clock.sleep,
                          show=lambda line: None)

    def fits():
        first.stop("health check failed: tcp 389: connection refused")
        first.release()
        return True
    refused, _waited = second.acquire(fits)
    assert refused == ("restart group dcs was stopped (dc1 failed: health check failed: tcp 389: connection "
                       "refused)")
    assert second.held == []
    other = _slots.Slots(str(tmp_path), "web1", [("site", 2)], now=clock.time, sleep=clock.sleep, show=None)
    assert other.acquire(lambda: False)[0].startswith("restart group site was stopped (dc1 failed:")


def test_the_gap_after_a_member_is_released(tmp_path):
    clock = fake_clock.Clock(T0)
    first = _slots.Slots(str(tmp_path), "a", [("g", 1)], now=clock.time, sleep=clock.sleep, show=None)
    first.acquire(lambda: True)
    first.release()
    clock.sleep(4)
    lines = []
    second = _slots.Slots(str(tmp_path), "b", [("g", 1)], now=clock.time, sleep=clock.sleep, show=lines.append,
                          gap_seconds=30)
    assert second.acquire(lambda: True)[0] is None
    assert clock.sleeps[-1] == pytest.approx(26) and lines == [
        "restart group g: 26s pause after the previous member (group_gap_seconds)"]


def test_the_run_directory_is_per_run_and_earlier_dead_runs_are_removed(tmp_path):
    dead = FORK.Process(target=os._exit, args=(0,))
    dead.start()
    dead.join()
    old = _slots.run_directory("2026-12-06T02:00:00Z", dead.pid, base=str(tmp_path))
    mine = _slots.run_directory("2026-12-07T02:00:00Z", os.getpid(), base=str(tmp_path))
    again = _slots.run_directory("2026-12-07T02:00:00Z", os.getpid(), base=str(tmp_path))
    other = _slots.run_directory("2026-12-07T02:00:00Z", os.getppid(), base=str(tmp_path))
    assert mine == again != other and os.path.isdir(mine) and not os.path.exists(old)
    assert os.path.basename(mine) == "20261207T020000Z-%d" % os.getpid()
    assert oct(os.stat(mine).st_mode & 0o777) == oct(0o700)
    _slots.remove_run_directory(mine)
    assert not os.path.exists(mine)
