# -*- coding: utf-8 -*-
"""Replay tests of the reboot_cycle action's Alertmanager silence (reboot_cycle_silence).

The real action replays recorded cycles (tests/unit/replay.py's Replay) against a loopback
stand-in of Alertmanager (tests/unit/fake_alertmanager.py): where each request falls in the cycle,
that a failing Alertmanager never changes the host's result, check mode, hooks and bad options.
"""

from __future__ import absolute_import, division, print_function

import json
from unittest import mock

import pytest

from ansible_collections.fleetops.sophos.plugins.action import reboot_cycle as cycle_action
from ansible_collections.fleetops.sophos.tests.unit.fake_alertmanager import FakeAlertmanager
from ansible_collections.fleetops.sophos.tests.unit.replay import Replay, linux_one_restart, load

SECRET = "am-token-Hh27"


@pytest.fixture(autouse=True)
def _no_heartbeat():
    """The replayed clock moves only when the cycle sleeps: extensions come from the steps."""
    with mock.patch.object(cycle_action.ActionModule, "_silence_heartbeat", False):
        yield


def _replay(am, fixture, **args):
    silence = dict({"url": am.url, "auth": {"token": SECRET}, "lease_minutes": 5, "allow_insecure": True},
                   **args.pop("silence", {}))
    replay = Replay(fixture, args=dict(args, silence=silence))
    restart = replay.host.restart
    replay.at_restart = []

    def restarting(name, args):
        replay.at_restart.append(list(am.methods()))  # what Alertmanager had seen when the restart began
        return restart(name, args)
    replay.host.restart = restarting
    return replay


def _no_secret(replay, result):
    text = json.dumps(result, default=str) + "".join(replay.lines + replay.warnings)
    assert SECRET not in text


def test_the_host_is_silenced_before_its_first_restart_and_the_silence_expired_at_the_end():
    with FakeAlertmanager() as am:
        replay = _replay(am, load("windows_queued_update.yml"))
        result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and len(replay.host.restarts) == 2
    assert replay.at_restart[0] == ["create"]  # one silence, made before the first restart
    methods = am.methods()
    assert methods[0] == "create" and methods.count("create") == 1
    assert methods[-1] == "DELETE /api/v2/silence/%s" % record["silence"]["id"]
    assert "extend" in replay.at_restart[1]  # extended while the cycle ran (the settle between the restarts)
    body = am.requests[0][3]
    assert body["matchers"] == [{"name": "instance", "value": "srv1(:.*)?", "isRegex": True, "isEqual": True}]
    silence = record["silence"]
    assert silence["status"] == "expired" and silence["extensions"] == methods.count("extend")
    assert silence["from"] == "2026-11-28T02:00:00.000Z" and silence["warning"] is None
    # Each extension moved the end to now + lease, never further.
    for _method, _path, _headers, sent in am.requests[1:-1]:
        assert sent["startsAt"] == body["startsAt"]
    _no_secret(replay, result)


def test_a_host_without_a_restart_is_not_silenced():
    with FakeAlertmanager() as am:
        replay = _replay(am, load("windows_weak_only.yml"))
        result = replay.run()
    assert am.requests == [] and "silence" not in result["sophos_reboot_cycle"]


def test_a_lost_host_still_gets_its_silence_expired():
    with FakeAlertmanager() as am:
        replay = _replay(am, linux_one_restart())
        replay.host.lost_at = 1
        result = replay.run()
    assert result["sophos_reboot_cycle"]["status"] == "failed"
    assert am.methods()[0] == "create" and am.methods()[-1].startswith("DELETE ")
    assert result["sophos_reboot_cycle"]["silence"]["status"] == "expired"


@pytest.mark.parametrize("mode", ["500", "hang"])
def test_a_failing_alertmanager_never_changes_the_hosts_result(mode):
    plain = Replay(load("windows_queued_update.yml")).run()
    with FakeAlertmanager(mode) as am:
        replay = _replay(am, load("windows_queued_update.yml"), silence={"timeout": 1})
        result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert (record["status"], record["restarts"], result.get("failed"), result["changed"]) == (
        plain["sophos_reboot_cycle"]["status"], plain["sophos_reboot_cycle"]["restarts"], plain.get("failed"),
        plain["changed"])
    assert record["silence"]["status"] == "failed" and record["silence"]["id"] is None
    [warning] = replay.warnings
    assert "srv1: reboot_cycle silence: could not create the silence" in warning
    assert ("answered 500" if mode == "500" else "timed out") in warning
    _no_secret(replay, result)


def test_check_mode_creates_nothing_and_says_what_it_would_create():
    with FakeAlertmanager() as am:
        replay = _replay(am, load("windows_queued_update.yml"))
        replay.check_mode = True
        result = replay.run()
    assert am.requests == []
    silence = result["sophos_reboot_cycle"]["silence"]
    assert silence["status"] == "check_mode" and silence["id"] is None and silence["lease_minutes"] == 5
    assert silence["matchers"][0]["value"] == "srv1(:.*)?"
    assert any('would silence srv1 in Alertmanager (matchers instance=~"srv1(:.*)?"' in line for line in replay.lines)


def test_hook_stops_carry_one_silence_to_the_end():
    """Created at the first before-restart stop (the hook runs silenced), extended on each resume, expired once."""
    with FakeAlertmanager() as am:
        replay = _replay(am, load("windows_queued_update.yml"), stop_at=["before_restart", "after_restart"])
        result = replay.run()
        assert am.methods() == ["create"] and result["cycle"]["silence"]["status"] == "active"
        first = result["cycle"]["silence"]["id"]
        while not result["cycle"]["done"]:
            result = replay.run(resume=json.loads(json.dumps(result["cycle"])))
    methods = am.methods()
    assert methods.count("create") == 1 and methods[-1] == "DELETE /api/v2/silence/%s" % first
    assert methods.count("extend") >= 4  # at least once per resumed call
    assert result["sophos_reboot_cycle"]["silence"]["status"] == "expired"
    _no_secret(replay, result)


def test_every_problem_of_the_silence_option_is_named_before_the_host_is_touched():
    replay = Replay(linux_one_restart(), args={"silence": {
        "url": "https://user:pw@am", "lease_minutes": 0, "matchers": [{"name": "instance", "value": "x"}],
        "auth": {"token": SECRET, "user": "u"}, "timeout": "soon"}})
    result = replay.run()
    assert result["failed"] and replay.loader.calls == []
    message = result["msg"]
    for part in ("timeout", "url must not hold credentials", "lease_minutes must be between 1 and 240",
                 "no value names the host", "a token or a user and password"):
        assert part in message, (part, message)
    assert SECRET not in message and "pw@" not in message


def test_an_empty_silence_option_is_off():
    replay = Replay(linux_one_restart(), args={"silence": {}})
    result = replay.run()
    assert result["sophos_reboot_cycle"]["status"] == "rebooted" and "silence" not in result["sophos_reboot_cycle"]


def test_a_failed_hook_ends_the_cycle_and_expires_its_silence():
    """The role ends a cycle whose before-restart hook failed with resume + abort: the silence made for the hook
    is expired at once (not left to lapse), nothing is restarted, and the record says why, with the silence."""
    with FakeAlertmanager() as am:
        replay = _replay(am, load("windows_queued_update.yml"), stop_at=["before_restart", "after_restart"])
        stopped = replay.run()
        assert stopped["cycle"]["done"] is False and am.methods() == ["create"]
        result = replay.run(resume=json.loads(json.dumps(stopped["cycle"])), abort="the drain hook failed")
    record = result["sophos_reboot_cycle"]
    assert result["failed"] is True and result["cycle"] == {"done": True, "failed": True, "broken": True}
    assert record["status"] == "failed" and record["message"] == "the drain hook failed"
    assert replay.host.restarts == []
    assert am.methods()[-1] == "DELETE /api/v2/silence/%s" % record["silence"]["id"]
    assert record["silence"]["status"] == "expired"
    _no_secret(replay, result)


def test_abort_without_resume_is_refused_before_the_host_is_touched():
    with FakeAlertmanager() as am:
        replay = _replay(am, load("windows_queued_update.yml"))
        result = replay.run(abort="no cycle to end")
    assert result["failed"] is True and "abort ends a cycle stopped at a hook point: it needs resume" in result["msg"]
    assert am.requests == [] and replay.host.restarts == []
