# -*- coding: utf-8 -*-
"""Replay tests of the reboot_cycle action: the REAL action class drives whole cycles over recorded
timelines (the harness: tests/unit/replay.py)."""

from __future__ import absolute_import, division, print_function

import json

import pytest
import yaml

from ansible_collections.fleetops.sophos.plugins.action import reboot_cycle as cycle_action
from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _hooks
from ansible_collections.fleetops.sophos.tests.unit.replay import T0, Replay, linux_one_restart, load, timelines


# ---------------------------------------------------------------- recorded timelines, Linux and Windows

@pytest.mark.parametrize("name", timelines())
def test_replay(name):
    fixture = load(name)
    expect = fixture["expect"]
    replay = Replay(fixture)
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == expect["status"], record["message"]
    assert record["restarts"] == expect["restarts"] == len(replay.host.restarts)
    assert len(record["boots"]) == expect["restarts"] + 1
    if "settles" in expect:
        assert [s["ended"] for s in record["settles"]] == expect["settles"]
    if "failed" in expect:
        assert result["cycle"]["failed"] is expect["failed"]
    if expect.get("warning"):
        assert record["warning"] and not result.get("failed")
    for settle, (low, high) in zip(record["settles"], expect.get("settle_seconds", [])):
        assert low <= settle["seconds"] <= high, settle
    # one progress line per reading while settling: every sleep is one poll, shown once
    assert len(replay.progress()) == len(replay.clock.sleeps)
    # and the record counts those readings, settle by settle
    assert sum(settle["readings"] for settle in record["settles"]) == len(replay.progress())
    assert result["changed"] is (record["restarts"] > 0)
    # the host's own time, on the replayed clock
    assert record["duration_seconds"] == (replay.clock.now - T0).total_seconds()
    for settle in record["settles"]:
        assert settle["started_at"] <= settle["ended_at"]


def test_windows_queued_update_restarts_exactly_twice_with_the_reasons_recorded():
    replay = Replay(load("windows_queued_update.yml"))
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert len(replay.host.restarts) == 2 and record["status"] == "rebooted"
    first, second = record["boots"][1], record["boots"][2]
    assert [r["id"] for r in first["reasons"]] == ["sophos_reboot_required"] and first["queued_update"] is False
    assert [r["id"] for r in second["reasons"]] == ["sophos_reboot_required"] and second["queued_update"] is True
    assert [s["ended"] for s in record["settles"]] == ["reboot_required", "evidence"]
    # the second restart was made after the first settle ended, the record says when
    assert record["settles"][0]["ended_at"] <= second["restarted_at"]
    # every reading after the first passes the facts before it (queued-update evidence on Windows)
    reads = [args for name, args in replay.loader.calls if name == "fleetops.sophos.reboot_facts"]
    assert "previous_facts" not in reads[0] and all("previous_facts" in args for args in reads[1:])
    assert replay.loader.calls[0][1] == {"ignore_reasons": []}


def test_linux_queued_update_restarts_exactly_twice():
    fixture = dict(load("windows_queued_update.yml"), family="linux")
    replay = Replay(fixture)
    record = replay.run()["sophos_reboot_cycle"]
    assert len(replay.host.restarts) == 2 and record["restarts"] == 2
    assert [b["boot_id"] for b in record["boots"]] == ["boot-0", "boot-1", "boot-2"]
    assert [b.get("boot_id_before") for b in record["boots"][1:]] == ["boot-0", "boot-1"]


def test_still_pending_after_max_cycles_fails_without_a_third_restart():
    replay = Replay(load("windows_queued_twice.yml"))
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert len(replay.host.restarts) == 2
    assert record["status"] == "still_pending" and result["failed"] and result["cycle"]["failed"]
    assert "still pending after 2 restart(s)" in record["message"]


def test_restart_options_reach_the_restart_action():
    replay = Replay(load("linux_os_reboot_required.yml"),
                    args={"reboot_timeout": "120", "connect_timeout": 15, "pre_reboot_delay": 0,
                          "test_command": "systemctl is-system-running", "reboot_msg": "maintenance"})
    replay.run()
    assert replay.host.restarts == [{"reboot_timeout": 120, "pre_reboot_delay": 0, "post_reboot_delay": 0,
                                     "msg": "maintenance", "connect_timeout": 15,
                                     "test_command": "systemctl is-system-running"}]


# ---------------------------------------------------------------- settles

def test_fixed_240_minute_settle_polled_every_30_seconds_runs_to_its_end():
    fixture = {"family": "windows", "restart_seconds": 60,
               "settings": {"settle_mode": "fixed", "settle_minutes": 240, "poll_seconds": 30},
               "boots": [[{"after": 0, "strong": ["sophos_reboot_required"]}],
                         [{"after": 0}, {"after": 300, "updated_since_boot": True}]]}
    replay = Replay(fixture)
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and len(replay.host.restarts) == 1
    settle = record["settles"][0]
    assert settle["ended"] == "interval" and settle["mode"] == "fixed"
    # the restart returns 30 s after the boot: 14370 s left, read every 30 s -> 479 polls
    assert 14400 <= settle["seconds"] < 14400 + 30
    assert len(replay.clock.sleeps) == 479 and sum(replay.clock.sleeps) == 14370
    assert len(replay.progress()) == 479
    assert replay.host.readings == [1, 480]
    assert "left of 4h00m after boot" in replay.progress()[0]


def test_poll_ends_before_the_interval_on_evidence():
    fixture = load("windows_queued_update.yml")
    poll = Replay(fixture).run()["sophos_reboot_cycle"]
    fixed = Replay(dict(fixture, settings=dict(fixture["settings"], settle_mode="fixed"))).run()["sophos_reboot_cycle"]
    assert poll["restarts"] == fixed["restarts"] == 2
    assert poll["duration_seconds"] < fixed["duration_seconds"] - 1200


def test_updating_during_settle_keeps_waiting_until_the_update_ends():
    replay = Replay(load("windows_updating_during_settle.yml"))
    record = replay.run()["sophos_reboot_cycle"]
    assert record["settles"][0]["ended"] == "reboot_required" and record["settles"][0]["seconds"] >= 700
    assert any("Sophos to finish the update it is running" in line for line in replay.progress())


# ---------------------------------------------------------------- a host that goes away

def test_connection_failures_while_settling_are_read_again():
    replay = Replay(linux_one_restart(), failures={(1, 3): "unreachable", (1, 4): "failed"})
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and not record["unreachable"]
    misses = [line for line in replay.lines if "settle reading failed" in line]
    assert len(misses) == 2 and "(1 in a row, 3 more tries)" in misses[0] and "(2 in a row" in misses[1]
    assert record["settles"][0]["ended"] == "evidence"


def test_a_host_lost_while_settling_ends_unreachable_after_the_retries():
    failures = dict(((1, n), "unreachable") for n in range(3, 20))
    replay = Replay(linux_one_restart(), failures=failures)
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "failed" and record["unreachable"] is True
    assert "the host stayed unreachable while settling after restart 1 (4 readings in a row" in record["message"]
    assert replay.host.readings == [1, 6] and len(replay.host.restarts) == 1
    assert result["failed"] and result["cycle"] == {"done": True, "failed": True, "broken": True}
    assert "unreachable" not in result


def test_readings_that_keep_failing_end_failed_not_unreachable():
    failures = dict(((1, n), "failed") for n in range(2, 20))
    record = Replay(linux_one_restart(), failures=failures).run()["sophos_reboot_cycle"]
    assert record["status"] == "failed" and record["unreachable"] is False
    assert "reading the restart state kept failing while settling after restart 1" in record["message"]


def test_a_host_that_never_comes_back_is_failed_unreachable():
    replay = Replay(linux_one_restart(), lost_at=1)
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "failed" and record["unreachable"] is True and record["restarts"] == 0
    assert record["message"].startswith("the host did not come back from restart 1 within 1200 s: Timed out")
    assert len(replay.host.restarts) == 1


def test_a_restart_that_cannot_start_fails_while_the_host_answers():
    replay = Replay(linux_one_restart(), restart_result={
        "failed": True, "rebooted": False, "msg": "Reboot command failed. Error was: 'permission denied'"})
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "failed" and record["unreachable"] is False
    assert record["message"] == "restart 1 failed: Reboot command failed. Error was: 'permission denied'"


def test_an_unreachable_restart_result_is_a_lost_host():
    replay = Replay(linux_one_restart(), restart_result={"unreachable": True, "msg": "ssh: timed out"})
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "failed" and record["unreachable"] is True


def test_a_host_unreachable_at_the_start_gets_a_record():
    replay = Replay(linux_one_restart(), failures={(0, 1): "unreachable"})
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "failed" and record["unreachable"] is True
    assert record["message"].startswith("the host could not be reached: ")
    assert replay.host.restarts == []


# ---------------------------------------------------------------- check mode, unknown state, options

def test_check_mode_plans_once_and_restarts_nothing():
    replay = Replay(load("windows_queued_update.yml"), check_mode=True)
    result = replay.run()
    assert replay.host.restarts == [] and replay.host.readings == [1]
    assert result["changed"] is True and not result.get("failed")
    assert result["sophos_reboot_cycle"]["would_reboot"] and result["sophos_reboot_cycle"]["check_mode"]
    clean = Replay(load("windows_weak_only.yml"), check_mode=True).run()
    assert clean["changed"] is False and not clean["sophos_reboot_cycle"]["would_reboot"]


def test_unknown_restart_state_fails_without_a_restart():
    fixture = {"family": "linux", "restart_seconds": 40, "settings": {}, "boots": [[{"after": 0}]]}
    replay = Replay(fixture, unknown=True)
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert replay.host.restarts == [] and record["status"] == "failed" and result["failed"]
    assert record["message"] == "cannot read the restart state: needs_restarting: exit 3"


def test_unknown_restart_state_with_force_restarts_once_as_forced():
    fixture = {"family": "linux", "restart_seconds": 40, "settings": {"settle_minutes": 1, "poll_seconds": 10},
               "boots": [[{"after": 0}], [{"after": 0}, {"after": 20, "updated_since_boot": True}]]}
    replay = Replay(fixture, args={"force": "yes"}, unknown=True)
    record = replay.run()["sophos_reboot_cycle"]
    assert len(replay.host.restarts) == 1
    assert record["boots"][1]["reasons"] == [{"id": "force", "detail": "forced (reboot_cycle_force)"}]
    # still unknown after the restart: not "clean"
    assert record["status"] == "failed" and "cannot read the restart state" in record["message"]


def test_survey_strings_are_accepted():
    replay = Replay(linux_one_restart(), args={"force": "false", "settle_minutes": "5", "max_cycles": "2",
                                               "fail_when_still_pending": "True", "poll_seconds": "30"})
    assert replay.run()["sophos_reboot_cycle"]["status"] == "rebooted"


@pytest.mark.parametrize("args,message", [
    ({"force": "sure"}, r"reboot_cycle_force must be true or false.*'sure'"),
    ({"poll_retries": "three"}, r"reboot_cycle_poll_retries.*'three'"),
    ({"window_end": "tomorrow 6am"}, r"reboot_cycle_window_end 'tomorrow 6am' is not a window end; write an ISO 8601 date-time"),
    ({"settle_mode": "slow"}, r"reboot_cycle_settle_mode must be one of poll\|fixed"),
    ({"prior_restart": "perhaps"}, r"reboot_cycle_prior_restart must be true or false"),
    ({"stop_at": ["lunch"]}, r"stop_at"),
    ({"settle_minuts": 3}, r"settle_minuts"),
])
def test_bad_options_fail_before_anything_runs(args, message):
    replay = Replay(linux_one_restart(), args=args)
    result = replay.run()
    assert result["failed"] and "sophos_reboot_cycle" not in result
    assert pytest.importorskip("re").search(message, result["msg"]), result["msg"]
    assert replay.loader.calls == []


def test_every_bad_option_is_named_on_one_line():
    replay = Replay(linux_one_restart(), args={"settle_mode": "fast", "max_cycles": 0, "force": "sure",
                                               "prior_restart": "perhaps"})
    result = replay.run()
    assert result["failed"] and replay.loader.calls == []
    message = result["msg"]
    assert "\n" not in message and len(message) < 600, message
    for name in ("settle_mode", "max_cycles", "force", "prior_restart"):
        assert message.count("reboot_cycle_" + name) == 1, (name, message)


def test_async_is_refused():
    replay = Replay(linux_one_restart(), async_val=600)
    result = replay.run()
    assert result["failed"] and "does not support async" in result["msg"] and replay.loader.calls == []


def test_window_guard_only_reads_and_defers():
    fixture = dict(linux_one_restart(), settings={"window_end": "2026-11-28T02:05:00Z"})
    replay = Replay(fixture, args={"guard_only": True})
    result = replay.run()
    assert result["deferred"] is True and result["sophos_reboot_cycle"]["status"] == "deferred"
    assert replay.host.restarts == [] and not result.get("failed")
    fits = Replay(linux_one_restart(), args={"guard_only": True}).run()
    assert fits["deferred"] is False and fits["sophos_reboot_cycle"]["status"] == "ok"


def test_the_window_guard_prints_its_line():
    """The guard's line comes from the action: no separate task prints it."""
    replay = Replay(linux_one_restart(), args={"guard_only": True})
    result = replay.run()
    assert "srv1: reboot_cycle window guard: %s" % result["sophos_reboot_cycle"]["message"] in replay.lines


@pytest.mark.parametrize("guard_only", [True, False])
def test_an_excluded_host_is_read_never_changed_and_deferred(guard_only):
    """maintenance_exclude as the action's option (the window guard's or the cycle's): one reading, no restart."""
    replay = Replay(linux_one_restart(), args={"guard_only": guard_only, "exclude": True,
                                               "exclude_reason": " change freeze "})
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert result["deferred"] is True and not result.get("failed") and not result.get("changed")
    assert record["status"] == "deferred" and record["excluded"] is True and record["restarts"] == 0
    assert record["message"] == "excluded (maintenance_exclude): change freeze"
    assert record["reasons_before"] and result["ansible_facts"]["sophos_reboot"]["reboot_required"] is True
    assert replay.host.restarts == [] and [name for name, _args in replay.loader.calls] == ["fleetops.sophos.reboot_facts"]
    assert result["cycle"] == {"done": True, "failed": False, "broken": False}
    assert "srv1: reboot_cycle excluded (maintenance_exclude): change freeze" in replay.lines


def test_an_excluded_host_that_cannot_be_read_is_still_deferred():
    replay = Replay(linux_one_restart(), args={"exclude": True}, check_mode=True)
    replay.host.gone = True
    result = replay.run()
    assert result["deferred"] is True and not result.get("failed") and "ansible_facts" not in result
    assert result["sophos_reboot_cycle"]["message"] == "check mode: excluded (maintenance_exclude)"
    assert replay.host.restarts == []


# ---------------------------------------------------------------- hook stops

def test_hook_stops_resume_to_the_same_end():
    """With stop_at the action returns at each hook point; resumed calls give the same cycle."""
    fixture = load("windows_queued_update.yml")
    replay = Replay(fixture, args={"stop_at": ["before_restart", "after_restart"]})
    stops = []
    result = replay.run()
    while not result["cycle"]["done"]:
        stops.append((result["cycle"]["at"], result["cycle"]["restart"], len(replay.host.restarts)))
        # the state passes through a registered variable: plain JSON
        result = replay.run(resume=json.loads(json.dumps(result["cycle"])))
    assert stops == [("before_restart", 1, 0), ("after_restart", 1, 1),
                     ("before_restart", 2, 1), ("after_restart", 2, 2)]
    assert len(stops) <= _cycle.hook_stops(_cycle.normalize_settings(fixture["settings"]))
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and record["restarts"] == 2 and len(replay.host.restarts) == 2
    assert [s["ended"] for s in record["settles"]] == ["reboot_required", "evidence"]
    assert record["started"] == "2026-11-28T02:00:00Z"
    reads = [args for name, args in replay.loader.calls if name == "fleetops.sophos.reboot_facts"]
    assert all("previous_facts" in args for args in reads[1:])


def test_hook_stops_keep_a_relative_window_end_from_the_cycle_start():
    """A relative window end without run_started is resolved once: a resumed call does not move it."""
    fixture = load("windows_queued_update.yml")
    fixture["settings"] = dict(fixture["settings"], window_end="+35m", restart_reserve_minutes=0)
    plain = Replay(fixture).run()["sophos_reboot_cycle"]
    replay = Replay(fixture, args={"stop_at": ["before_restart", "after_restart"]})
    result = replay.run()
    while not result["cycle"]["done"]:
        assert result["cycle"]["state"]["settings"]["window_end"] == "2026-11-28T02:35:00Z"
        result = replay.run(resume=json.loads(json.dumps(result["cycle"])))
    hooked = result["sophos_reboot_cycle"]
    assert (plain["status"], plain["restarts"]) == ("deferred", 1)
    assert (hooked["status"], hooked["restarts"], hooked["message"]) == ("deferred", 1, plain["message"])
    assert len(replay.host.restarts) == 1


def test_a_resume_carries_on_with_the_settings_in_its_state():
    """A hook that changes a setting does not change the running cycle: the state holds its settings."""
    fixture = load("windows_queued_update.yml")
    plain = Replay(fixture).run()["sophos_reboot_cycle"]
    replay = Replay(fixture, args={"stop_at": ["before_restart", "after_restart"]})
    result = replay.run()
    while not result["cycle"]["done"]:
        result = replay.run(resume=json.loads(json.dumps(result["cycle"])), max_cycles=1, settle_mode="fixed")
    hooked = result["sophos_reboot_cycle"]
    assert (hooked["status"], hooked["restarts"], hooked["max_cycles"]) == (plain["status"], 2, 2)
    assert [s["ended"] for s in hooked["settles"]] == [s["ended"] for s in plain["settles"]]


@pytest.fixture
def health_server():
    """A loopback HTTP server answering 200, for a url health check whose URL holds a user and password."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # pylint: disable=invalid-name
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://monitor:S3CRET-pw@127.0.0.1:%d/ready?token=S3CRET-token" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_hook_stop_returns_no_health_check_credentials_and_the_resume_takes_them_again(health_server):
    """The 'cycle' returned at a hook stop is a registered result (shown with -v, kept in AWX's job events):
    a health check's URL with its user, password and token is not in it. The resume takes the checks from its
    own options (the role passes the same variables) and the cycle ends with them passed."""
    fixture = load("windows_queued_update.yml")
    checks = [{"url": health_server, "name": "app ready"}]
    replay = Replay(fixture, args={"stop_at": ["before_restart", "after_restart"], "health_checks": checks})
    result = replay.run()
    stops = 0
    while not result["cycle"]["done"]:
        stops += 1
        assert "S3CRET" not in json.dumps(result), result["cycle"]["state"]["settings"]["health_checks"]
        result = replay.run(resume=json.loads(json.dumps(result["cycle"])))
    record = result["sophos_reboot_cycle"]
    assert stops == 4 and "S3CRET" not in json.dumps(result)
    assert record["status"] == "rebooted" and record["message"].endswith("; health checks passed"), record
    assert all(check["passed"] for check in record["health_checks"])


def test_a_resume_with_other_health_checks_is_refused_naming_them(health_server):
    fixture = load("windows_queued_update.yml")
    replay = Replay(fixture, args={"stop_at": ["before_restart"], "health_checks": [{"url": health_server}]})
    stopped = replay.run()
    assert stopped["cycle"]["at"] == "before_restart"
    result = replay.run(resume=json.loads(json.dumps(stopped["cycle"])), health_checks=[])
    assert result["failed"] and replay.host.restarts == []
    assert result["msg"] == ("Invalid options for reboot_cycle: resume needs the same health_checks as the call "
                             "that stopped at the hook (they are not carried in 'cycle', which holds no "
                             "credentials): pass the role's variables again")


def test_a_bad_resume_is_refused():
    result = Replay(linux_one_restart()).run(resume={"at": "before_restart"})
    assert result["failed"] and "resume must be the 'cycle' returned" in result["msg"]


def test_documentation_matches_the_argument_spec():
    from ansible_collections.fleetops.sophos.plugins.modules import reboot_cycle as doc_stub
    options = yaml.safe_load(doc_stub.DOCUMENTATION)["options"]
    spec = cycle_action.ARGUMENT_SPEC
    assert set(options) == set(spec)
    for name, entry in spec.items():
        assert options[name]["type"] == entry["type"], name
        default = entry.get("default", _cycle.DEFAULTS.get(name))
        if name == "window_end":
            assert "default" not in options[name]
        else:
            assert options[name].get("default") == default, name
        assert options[name].get("choices") == entry.get("choices"), name


# ---------------------------------------------------------------- update trigger (trigger_update)

def _queued_with_trigger(family):
    """A queued update: Sophos' own post-boot update at 300 s, or 5 s after a trigger (60 s to install)."""
    return {"family": family, "restart_seconds": 40,
            "settings": {"settle_mode": "poll", "settle_minutes": 20, "poll_seconds": 10, "max_cycles": 2},
            "boots": [[{"after": 0, "strong": ["sophos_reboot_required"]}],
                      [{"after": 0},
                       {"after_trigger": 5, "updating": True},
                       {"after_trigger": 65, "updating": False, "updated_since_boot": True,
                        "strong": ["sophos_reboot_required"]},
                       {"after": 300, "updating": True},
                       {"after": 420, "updating": False, "updated_since_boot": True,
                        "strong": ["sophos_reboot_required"]}],
                      [{"after": 0},
                       {"after_trigger": 5, "updating": True},
                       {"after_trigger": 35, "updating": False, "updated_since_boot": True},
                       {"after": 310, "updating": True},
                       {"after": 370, "updating": False, "updated_since_boot": True}]]}


def _trigger_lines(replay):
    return [line for line in replay.lines + replay.warnings if "update trigger" in line]


LINUX_TRIGGER = [
    ("ansible.builtin.command",
     {"argv": ["systemctl", "show", "--property=LoadState,ActiveState", "sophos-spl-update.service"]}),
    ("ansible.builtin.systemd_service", {"name": "sophos-spl-update.service", "state": "started", "no_block": True}),
]


@pytest.mark.parametrize("family", ["linux", "windows"])
def test_trigger_starts_the_update_after_each_restart_and_the_settle_ends_sooner(family):
    fixture = _queued_with_trigger(family)
    replay = Replay(fixture, args={"trigger_update": "true"})
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and record["restarts"] == 2
    calls = [(name, args) for _boot, _reads, name, args in replay.host.modules]
    per_restart = LINUX_TRIGGER if family == "linux" else [("fleetops.sophos.win_sophos_update_now", {})]
    assert calls == per_restart * 2
    # in each new boot, after the first reading (the host answers) and before any settle reading
    assert [(boot, reads) for boot, reads, _name, _args in replay.host.modules] == \
        [(1, 1)] * len(per_restart) + [(2, 1)] * len(per_restart)
    assert [b["update_triggered"] for b in record["boots"][1:]] == [True, True]
    assert "update_triggered" not in record["boots"][0]
    assert [s["ended"] for s in record["settles"]] == ["reboot_required", "evidence"]
    # the evidence of the triggered update, not Sophos' own 300 s wait, ends each settle
    assert all(s["seconds"] < 300 for s in record["settles"]), record["settles"]
    assert len(_trigger_lines(replay)) == 2 and not replay.warnings
    untriggered = Replay(fixture).run()["sophos_reboot_cycle"]
    assert all(s["seconds"] >= 370 for s in untriggered["settles"])
    assert record["duration_seconds"] < untriggered["duration_seconds"] - 2 * 250


@pytest.mark.parametrize("family", ["linux", "windows"])
def test_no_trigger_when_disabled(family):
    replay = Replay(_queued_with_trigger(family))
    record = replay.run()["sophos_reboot_cycle"]
    assert record["restarts"] == 2 and replay.host.modules == []
    assert not any("update_triggered" in b or "update_trigger" in b for b in record["boots"])
    assert _trigger_lines(replay) == []


def test_no_trigger_in_check_mode():
    replay = Replay(_queued_with_trigger("linux"), args={"trigger_update": True}, check_mode=True)
    result = replay.run()
    assert result["changed"] is True and replay.host.restarts == [] and replay.host.modules == []


@pytest.mark.parametrize("family,trigger,says", [
    ("linux", {"unit": "not-found"}, "sophos-spl-update.service is not-found on this host"),
    ("linux", {"unit": "masked"}, "sophos-spl-update.service is masked on this host"),
    ("windows", {"tool": {"changed": False, "path": None, "exited": False, "rc": None, "output": "",
                          "searched": ["C:\\Program Files\\Sophos\\AutoUpdate"]}},
     "no SAUcli.exe in the Sophos AutoUpdate directories (C:\\Program Files\\Sophos\\AutoUpdate)"),
])
def test_nothing_to_trigger_is_said_once_and_the_settle_runs_as_before(family, trigger, says):
    fixture = _queued_with_trigger(family)
    replay = Replay(fixture, args={"trigger_update": True}, trigger=trigger)
    record = replay.run()["sophos_reboot_cycle"]
    plain = Replay(fixture).run()["sophos_reboot_cycle"]
    lines = _trigger_lines(replay)
    assert len(lines) == 1 and says in lines[0] and not replay.warnings, lines
    # looked for once, after the first restart only
    assert len(replay.host.modules) == 1 and replay.host.modules[0][0] == 1
    assert [b["update_triggered"] for b in record["boots"][1:]] == [None, None]
    assert says in record["boots"][1]["update_trigger"]
    assert record["boots"][2]["update_trigger"] == "not tried: nothing to trigger after restart 1"
    assert [(s["ended"], s["seconds"]) for s in record["settles"]] == \
        [(s["ended"], s["seconds"]) for s in plain["settles"]]
    assert record["status"] == plain["status"] == "rebooted"


def test_no_sophos_nothing_to_trigger_and_no_module_run():
    fixture = dict(load("linux_no_sophos.yml"))
    replay = Replay(fixture, args={"trigger_update": True})
    record = replay.run()["sophos_reboot_cycle"]
    assert replay.host.modules == [] and record["restarts"] >= 1
    assert record["boots"][1]["update_triggered"] is None
    assert len(_trigger_lines(replay)) == 1 and "Sophos is not installed" in _trigger_lines(replay)[0]


@pytest.mark.parametrize("family,trigger,says", [
    ("linux", {"start": {"failed": True, "msg": "Unable to start service sophos-spl-update.service: Access denied"}},
     "starting sophos-spl-update.service failed: Unable to start service"),
    ("linux", {"lost": True}, "could not read sophos-spl-update.service: Failed to connect"),
    ("windows", {"tool": {"changed": True, "path": "C:\\S\\SAUcli.exe", "exited": True, "rc": 3,
                          "output": "Update failed to start"}},
     "C:\\S\\SAUcli.exe UpdateNow exited 3: Update failed to start"),
    ("windows", {"tool": {"failed": True, "msg": "Access is denied"}}, "SAUcli.exe UpdateNow failed: Access is denied"),
])
def test_a_failed_trigger_is_a_warning_and_the_cycle_goes_on(family, trigger, says):
    fixture = _queued_with_trigger(family)
    replay = Replay(fixture, args={"trigger_update": True}, trigger=trigger)
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and not result.get("failed") and record["warning"] is None
    assert len(replay.warnings) == 2 and all(says in w for w in replay.warnings), replay.warnings
    assert [b["update_triggered"] for b in record["boots"][1:]] == [False, False]
    assert says in record["boots"][1]["update_trigger"]
    # nothing was started: Sophos' own update ends each settle, as without the trigger
    assert all(s["seconds"] >= 370 for s in record["settles"])


def test_an_update_already_running_is_joined():
    replay = Replay(_queued_with_trigger("linux"), args={"trigger_update": True},
                    trigger={"start": {"changed": False, "name": "sophos-spl-update.service", "state": "started"}})
    record = replay.run()["sophos_reboot_cycle"]
    assert record["boots"][1]["update_triggered"] is True
    assert "running already: joined it" in record["boots"][1]["update_trigger"]


def test_a_windows_tool_still_running_is_left_running():
    replay = Replay(_queued_with_trigger("windows"), args={"trigger_update": True},
                    trigger={"tool": {"changed": True, "path": "C:\\S\\SAUcli.exe", "exited": False, "rc": None,
                                      "output": "", "wait_seconds": 30}})
    record = replay.run()["sophos_reboot_cycle"]
    assert record["boots"][1]["update_triggered"] is True and not replay.warnings
    assert record["boots"][1]["update_trigger"] == "C:\\S\\SAUcli.exe UpdateNow started, still running after 30 s (left running)"


def test_trigger_at_a_hook_stop_is_in_the_resumed_record():
    replay = Replay(_queued_with_trigger("linux"), args={"trigger_update": True, "stop_at": ["after_restart"]})
    result = replay.run()
    stops = 0
    while not result["cycle"]["done"]:
        stops += 1
        assert result["cycle"]["state"]["boots"][-1]["update_triggered"] is True
        result = replay.run(resume=json.loads(json.dumps(result["cycle"])))
    assert stops == 2 and len(replay.host.modules) == 4
    assert [b["update_triggered"] for b in result["sophos_reboot_cycle"]["boots"][1:]] == [True, True]


def test_trigger_update_must_be_a_flag():
    result = Replay(_queued_with_trigger("linux"), args={"trigger_update": "soon"}).run()
    assert result["failed"] and "reboot_cycle_trigger_update must be true or false" in result["msg"]


def test_check_mode_does_not_wait_for_the_windows_start():
    replay = Replay(load("windows_queued_update.yml"), args={"window_start": "+1h"}, check_mode=True)
    record = replay.run()["sophos_reboot_cycle"]
    assert replay.clock.sleeps == [] and replay.host.restarts == []
    assert record["message"] == ("check mode: would wait until 2026-11-28T03:00:00Z (the window's start), then "
                                 "restart 1: sophos_reboot_required; window: no maintenance window end set")
    assert record["would_reboot"] and record["window_start_wait"] is None


def test_no_restart_before_the_windows_start():
    replay = Replay(load("windows_queued_update.yml"), args={"window_start": "+3m", "run_started": "2026-11-28T02:00:00Z"})
    record = replay.run()["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and len(replay.host.restarts) == 2
    assert record["boots"][1]["restarted_at"] >= "2026-11-28T02:03:00Z"
    assert record["window_start_wait"]["seconds"] == 180.0


def test_hook_files_are_found_before_the_first_step_and_a_missing_one_touches_nothing(tmp_path, monkeypatch):
    """The role passes its hook variables (hook_files); the action returns where each file is included from, and
    refuses a first call whose hook cannot be run, naming it, before any reading or restart."""
    (tmp_path / "drain.yml").write_text("- name: Drain\n  ansible.builtin.debug:\n    msg: drain\n")
    monkeypatch.chdir(tmp_path)
    fixture = load("windows_queued_update.yml")
    replay = Replay(fixture, args={"stop_at": ["before_restart"], "hook_files": {"before_restart": "drain.yml"}})
    result = replay.run()
    assert result["cycle"]["at"] == "before_restart"
    assert result["hook_files"] == {"before_restart": str(tmp_path / "drain.yml")}
    missing = Replay(fixture, args={"stop_at": ["before_restart"],
                                    "hook_files": {"before_restart": "drain.yml", "after_cycle": "gone.yml"}})
    refused = missing.run()
    assert refused["failed"] and "reboot_cycle_after_cycle_tasks 'gone.yml': no such file" in refused["msg"]
    assert missing.host.restarts == [] and missing.loader.calls == [] and "cycle" not in refused
    # the paths are carried in 'cycle': a resume includes what the first call found, without looking again
    # (a file gone since fails its include in the role, which ends the cycle naming it)
    assert result["cycle"]["hook_files"] == result["hook_files"]
    monkeypatch.setattr(_hooks, "files", lambda *args, **kwargs: pytest.fail("the hook files were looked for again"))
    (tmp_path / "drain.yml").unlink()
    resumed = replay.run(resume=json.loads(json.dumps(result["cycle"])),
                         hook_files={"before_restart": "drain.yml", "after_cycle": "gone.yml"})
    assert not resumed.get("failed") and resumed["hook_files"] == {"before_restart": str(tmp_path / "drain.yml")}
