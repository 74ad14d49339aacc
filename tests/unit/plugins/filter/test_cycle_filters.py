# -*- coding: utf-8 -*-
"""The cycle filters: thin wrappers that turn bad input into a clear AnsibleFilterError."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.sophos.plugins.filter import cycle

FACTS = {"schema": 1, "reboot_required": True,
         "reasons": [{"id": "reboot_required_file", "source": "os", "strong": True, "detail": "x"}],
         "sophos": {"installed": True, "updating": False, "updated_since_boot": False, "health": {}},
         "os": {"family": "linux", "last_boot": "2026-11-28T02:00:00Z", "boot_id": "a"}, "read_errors": []}
NOW = "2026-11-28T03:00:00Z"


def test_filters_are_registered():
    assert set(cycle.FilterModule().filters()) == {
        "cycle_settings", "cycle_start", "reboot_plan", "cycle_restarted", "settle_state",
        "cycle_settled", "cycle_result", "cycle_failed", "cycle_aborted", "window_guard"}


def test_bad_window_is_a_filter_error_naming_it():
    with pytest.raises(AnsibleFilterError, match=r"fleetops.sophos.cycle_settings: reboot_cycle_window_end 'soon'"):
        cycle.cycle_settings({"window_end": "soon"})


def test_a_whole_cycle_through_the_filters():
    state = cycle.cycle_start(FACTS, {"settle_minutes": 1}, now=NOW)
    decision = cycle.reboot_plan(state, FACTS, now=NOW)
    assert decision["step"] == "reboot"
    after = dict(FACTS, reasons=[], os=dict(FACTS["os"], last_boot="2026-11-28T03:00:10Z", boot_id="b"))
    state = cycle.cycle_restarted(state, after, elapsed=12, now="2026-11-28T03:00:12Z")
    settle = cycle.settle_state(state, after, now="2026-11-28T03:00:20Z")
    assert settle["wait"]
    settle = cycle.settle_state(state, after, now="2026-11-28T03:01:10Z")
    assert settle["ended"] == "interval"
    state = cycle.cycle_settled(state, settle)
    decision = cycle.reboot_plan(state, after, now="2026-11-28T03:01:10Z")
    record = cycle.cycle_result(state, decision, after, now="2026-11-28T03:01:11Z")
    assert record["status"] == "rebooted" and [b["boot_id"] for b in record["boots"]] == ["a", "b"]
    assert record["duration_seconds"] == 71


def test_failed_record_and_guard():
    state = cycle.cycle_start(FACTS, {}, now=NOW)
    assert cycle.cycle_failed(state, "gone", FACTS, now=NOW)["status"] == "failed"
    guard = cycle.window_guard(FACTS, {"window_end": "2026-11-28T03:10:00Z"}, now=NOW)
    assert guard["step"] == "defer"


def test_settled_while_waiting_is_an_error():
    state = cycle.cycle_start(FACTS, {}, now=NOW)
    with pytest.raises(AnsibleFilterError, match="still waiting"):
        cycle.cycle_settled(state, {"wait": True})


def test_survey_strings_through_the_filters():
    settings = cycle.cycle_settings({"force": "false", "settle_minutes": "0.4", "max_cycles": "2",
                                     "fail_when_still_pending": "True"})
    assert settings["force"] is False and settings["settle_minutes"] == 0.4 and settings["max_cycles"] == 2
    assert settings["fail_when_still_pending"] is True
    state = cycle.cycle_start(FACTS, {"force": "no"}, prior_restart="false", now=NOW)
    assert state["settled"] and not state["prior_restart"]


def test_garbage_flag_is_a_filter_error_naming_the_variable():
    with pytest.raises(AnsibleFilterError, match=r"cycle_settings: reboot_cycle_force must be true or false.*'sure'"):
        cycle.cycle_settings({"force": "sure"})


def test_aborted_and_lost_records():
    lost = cycle.cycle_failed(cycle.cycle_start(FACTS, {}, now=NOW), "gone", FACTS, unreachable=True, now=NOW)
    assert lost["unreachable"] and lost["status"] == "failed"
    record = cycle.cycle_aborted(None, "patch: apt failed", FACTS, now=NOW)
    assert record["status"] == "failed" and record["message"] == "patch: apt failed"
    assert record["reasons_before"] == ["reboot_required_file"] and not record["unreachable"]
    with pytest.raises(AnsibleFilterError, match="cycle_aborted: reboot_cycle_unreachable must be true or false"):
        cycle.cycle_aborted(None, "x", FACTS, unreachable="perhaps", now=NOW)


def test_settle_after_a_win_updates_restart_ends_without_a_boot_time():
    """No restart of our own and no readable boot time: the settle counts from the cycle's start."""
    unreadable = dict(FACTS, reasons=[], os=dict(FACTS["os"], last_boot=None, boot_id=None))
    state = cycle.cycle_start(unreadable, {"settle_minutes": 1, "settle_mode": "fixed"}, prior_restart=True, now=NOW)
    assert cycle.settle_state(state, unreadable, now="2026-11-28T03:00:30Z")["wait"]
    settle = cycle.settle_state(state, unreadable, now="2026-11-28T03:01:01Z")
    assert not settle["wait"] and settle["ended"] == "interval"


def test_restart_and_retry_settings_are_checked_not_cast():
    """A survey answer for the retries or the connect timeout is converted, and garbage names the variable."""
    settings = cycle.cycle_settings({"poll_retries": "5", "connect_timeout": "30"})
    assert settings["poll_retries"] == 5 and settings["connect_timeout"] == 30
    assert cycle.cycle_settings({})["poll_retries"] == 3
    with pytest.raises(AnsibleFilterError, match=r"reboot_cycle_poll_retries.*'three'"):
        cycle.cycle_settings({"poll_retries": "three"})
    with pytest.raises(AnsibleFilterError, match=r"reboot_cycle_connect_timeout"):
        cycle.cycle_settings({"connect_timeout": -1})
