# -*- coding: utf-8 -*-
"""The reboot_cycle action's per-host notifications (report_notify targets that opted in to a host's events),
sent to a loopback receiver while the real action replays recorded cycles: ``restarting`` before the first
restart, the end's event after it, across hook stops too; a failing receiver never changes the outcome."""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

from ansible_collections.fleetops.sophos.tests.unit.replay import Replay, load

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(REPO, "tests", "notify"))
import receiver  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "/hooks/T0SECRET/B0SECRET/x9y8z7secret"


def _replay(hook, fixture, events, answer_check=False, **options):
    replay = Replay(load(fixture), **options)
    replay.task_vars = {"report_notify": [{"type": "webhook", "url": hook.url(TOKEN), "allow_insecure": True,
                                           "events": events, "timeout": 2},
                                          {"type": "teams", "url": hook.url(TOKEN), "allow_insecure": True}],
                        "report_notify_in_check_mode": answer_check}
    return replay


def test_restarting_comes_before_the_first_restart_and_restarted_at_the_end():
    with receiver.Receiver(answer=200) as hook:
        replay = _replay(hook, "linux_os_reboot_required.yml", ["restarting", "restarted"])
        seen = []
        restart = replay.host.restart
        replay.host.restart = lambda name, args: (seen.append(len(hook.requests)), restart(name, args))[1]
        result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and seen == [1]
    assert [request["json"]["event"] for request in hook.requests] == ["restarting", "restarted"]
    first = hook.requests[0]["json"]
    assert first["hosts"] == [{"host": "srv1", "status": "restarting", "attention": False,
                               "reason": "restart 1 of at most 2: reboot_required_file"}]
    assert [(entry["event"], entry["host"], entry["ok"], entry["status"]) for entry in record["notifications"]] == [
        ("restarting", "srv1", True, 200), ("restarted", "srv1", True, 200)]
    assert "SECRET" not in json.dumps(result) and replay.warnings == []


def test_still_pending_is_sent_and_the_host_still_fails():
    with receiver.Receiver(answer=200) as hook:
        result = _replay(hook, "windows_queued_twice.yml", ["still_pending", "failed", "restarted"]).run()
    assert result["failed"] and result["sophos_reboot_cycle"]["status"] == "still_pending"
    assert [request["json"]["event"] for request in hook.requests] == ["still_pending"]
    assert hook.requests[0]["json"]["attention"][0]["reason"].startswith("still pending after 2 restart(s)")


def test_a_receiver_that_answers_500_changes_nothing_but_a_warning():
    plain = Replay(load("linux_os_reboot_required.yml")).run()
    with receiver.Receiver(answer=500) as hook:
        replay = _replay(hook, "linux_os_reboot_required.yml", ["restarting", "restarted"])
        result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert (record["status"], record["restarts"], result.get("failed"), result["changed"]) == (
        plain["sophos_reboot_cycle"]["status"], plain["sophos_reboot_cycle"]["restarts"], plain.get("failed"),
        plain["changed"])
    assert len(replay.warnings) == 2 and all("HTTP 500" in warning for warning in replay.warnings)
    assert [entry["ok"] for entry in record["notifications"]] == [False, False]
    assert "SECRET" not in json.dumps([result, replay.warnings])


def test_a_check_run_sends_nothing_unless_asked():
    with receiver.Receiver(answer=200) as hook:
        quiet = _replay(hook, "linux_os_reboot_required.yml", ["deferred", "restarted"], check_mode=True,
                        args={"window_end": "2026-11-28T02:01:00Z"}).run()
        assert hook.requests == [] and quiet["sophos_reboot_cycle"]["status"] == "deferred"
        asked = _replay(hook, "linux_os_reboot_required.yml", ["deferred"], check_mode=True, answer_check=True,
                        args={"window_end": "2026-11-28T02:01:00Z"}).run()
    assert [request["json"]["title"] for request in hook.requests] == ["[check mode] srv1: deferred"]
    assert asked["sophos_reboot_cycle"]["notifications"][0]["ok"] is True


def test_hook_stops_carry_the_notifications_to_the_end():
    with receiver.Receiver(answer=200) as hook:
        replay = _replay(hook, "linux_os_reboot_required.yml", ["restarting", "restarted"],
                         args={"stop_at": ["before_restart", "after_restart"]})
        result = replay.run()
        while not result["cycle"]["done"]:
            result = replay.run(resume=json.loads(json.dumps(result["cycle"])))
    assert [request["json"]["event"] for request in hook.requests] == ["restarting", "restarted"]
    assert [entry["event"] for entry in result["sophos_reboot_cycle"]["notifications"]] == ["restarting", "restarted"]


def test_targets_without_a_host_event_or_a_wrong_target_send_nothing():
    replay = Replay(load("linux_os_reboot_required.yml"))
    replay.task_vars = {"report_notify": [{"type": "teams", "url": "https://h.example/x"}]}
    assert "notifications" not in replay.run()["sophos_reboot_cycle"]
    wrong = Replay(load("linux_os_reboot_required.yml"))
    wrong.task_vars = {"report_notify": [{"type": "teams", "url": "http://h.example/SECRET", "events": ["failed"]}]}
    record = wrong.run()["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and "notifications" not in record
    assert len(wrong.warnings) == 1 and "url is not https" in wrong.warnings[0] and "SECRET" not in wrong.warnings[0]
