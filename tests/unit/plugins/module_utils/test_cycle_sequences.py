# -*- coding: utf-8 -*-
"""Replay recorded reading sequences through the reboot cycle's decisions.

Each fixture under tests/unit/fixtures/cycle/ describes what a host reads like over
time, boot by boot (``boots``: per boot, readings by seconds after that boot). The
replay below walks the cycle the way the reboot_cycle role does (plan -> restart ->
poll during settle -> plan ...), with a simulated clock, and checks where it ends.
"""

from __future__ import absolute_import, division, print_function

import os
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "cycle")
T0 = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)


class Host:
    """A host whose readings follow a fixture's timeline; restarts move it to the next boot."""

    def __init__(self, fixture):
        self.fixture = fixture
        self.boots = fixture["boots"]
        self.index = 0
        self.boot_time = T0 - timedelta(seconds=fixture.get("boot_age", 30 * 86400))

    def read(self, now):
        seen = {"strong": [], "weak": [], "updating": False, "updated_since_boot": False}
        age = (now - self.boot_time).total_seconds()
        for entry in self.boots[self.index]:
            if entry["after"] <= age:
                seen.update({k: v for k, v in entry.items() if k != "after"})
        installed = self.fixture.get("installed", True)
        family = self.fixture["family"]
        reasons = [{"id": r, "source": "os", "strong": True, "detail": "replay"} for r in seen["strong"]]
        reasons += [{"id": r, "source": "os", "strong": False, "detail": "replay"} for r in seen["weak"]]
        return {
            "schema": 1,
            "reboot_required": bool(seen["strong"]),
            "reasons": reasons,
            "sophos": {
                "installed": installed,
                "updating": seen["updating"] if installed else False,
                "updated_since_boot": seen["updated_since_boot"] if installed else None,
                "last_update": None,
                "health": {"overall": "good", "services": {}},
            },
            "os": {"family": family, "last_boot": _cycle.iso(self.boot_time),
                   "boot_id": "boot-%d" % self.index if family == "linux" else None},
            "read_errors": [],
        }

    def restart(self, now):
        self.index += 1
        assert self.index < len(self.boots), "the cycle restarted more often than the fixture has boots"
        seconds = self.fixture["restart_seconds"]
        self.boot_time = now + timedelta(seconds=seconds / 2.0)
        return now + timedelta(seconds=seconds), seconds


def replay(fixture):
    host = Host(fixture)
    now = T0
    facts = host.read(now)
    state = _cycle.start(facts, fixture["settings"], now, prior_restart=fixture.get("prior_restart", False))
    steps, polls = [], 0
    for step_number in range(20):
        decision = _cycle.plan(facts, state, now)
        steps.append(decision["step"])
        if decision["step"] == "reboot":
            now, elapsed = host.restart(now)
            facts = host.read(now)
            state = _cycle.restarted(state, facts, now, elapsed=elapsed)
        elif decision["step"] == "settle":
            while True:
                settle = _cycle.settle_state(facts, state["settings"], now)
                if not settle["wait"]:
                    break
                assert settle["sleep"] > 0 and settle["waiting_for"]
                polls += 1
                now += timedelta(seconds=settle["sleep"])
                facts = host.read(now)
            state = _cycle.settled(state, settle)
        else:
            break
    assert decision["step"] in _cycle.END_STEPS, "the cycle did not end: %s" % steps
    return steps, state, decision, _cycle.result(state, decision, facts, now), polls


def _fixtures():
    return sorted(f for f in os.listdir(FIXTURES) if f.endswith(".yml"))


@pytest.mark.parametrize("name", _fixtures())
def test_replay(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        fixture = yaml.safe_load(handle)
    expect = fixture["expect"]
    steps, state, decision, record, polls = replay(fixture)
    assert record["status"] == expect["status"], record["message"]
    assert record["restarts"] == expect["restarts"]
    assert len(record["boots"]) == expect["restarts"] + 1
    if "steps" in expect:
        assert steps == expect["steps"]
    if "settles" in expect:
        assert [s["ended"] for s in record["settles"]] == expect["settles"]
    if "failed" in expect:
        assert decision["failed"] is expect["failed"]
    if expect.get("warning"):
        assert decision["warning"] and decision["step"] == "warn"
    # settle seconds are counted from the boot, so they include the time the host took to boot
    for settle, (low, high) in zip(record["settles"], expect.get("settle_seconds", [])):
        assert low <= settle["seconds"] <= high, settle
    assert record["message"]


def test_replay_poll_ends_before_the_interval_on_evidence():
    with open(os.path.join(FIXTURES, "windows_queued_update.yml")) as handle:
        fixture = yaml.safe_load(handle)
    fixed = dict(fixture, settings=dict(fixture["settings"], settle_mode="fixed"))
    poll_record = replay(fixture)[3]
    fixed_record = replay(fixed)[3]
    assert poll_record["restarts"] == fixed_record["restarts"] == 2
    assert poll_record["duration_seconds"] < fixed_record["duration_seconds"] - 1200


def test_replay_fails_loudly_on_an_unexpected_restart():
    fixture = {"family": "linux", "settings": {"max_cycles": 3}, "restart_seconds": 10,
               "boots": [[{"after": 0, "strong": ["kernel_updated"]}],
                         [{"after": 0, "strong": ["kernel_updated"]}]]}
    with pytest.raises(AssertionError, match="restarted more often"):
        replay(fixture)
