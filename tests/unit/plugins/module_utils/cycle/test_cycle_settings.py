# -*- coding: utf-8 -*-
"""The cycle's settings (module_utils/_cycle.py normalize_settings, check_flag): what AWX surveys send, the
defaults, a bad value named, each limit at, below and above its edge."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
from ansible_collections.fleetops.sophos.tests.unit.cycle_facts import RUN_START, T0, facts, state


# ------------------------------------------------------------ settings

@pytest.mark.parametrize("settings,message", [
    ({"settle_mode": "wait"}, "settle_mode must be one of poll|fixed"),
    ({"settle_minutes": -1}, "settle_minutes must be >= 0"),
    ({"settle_minutes": "soon"}, "settle_minutes must be a number"),
    ({"poll_seconds": 0}, "poll_seconds must be >= 1"),
    ({"max_cycles": 0}, "max_cycles must be >= 1"),
    ({"max_cycles": 1.5}, "max_cycles must be an integer"),
    ({"max_cycles": True}, "max_cycles must be a number"),
    ({"max_cycles": "2.5"}, "max_cycles must be an integer"),
    ({"settle_minutes": "nan"}, "settle_minutes must be a finite number"),
    ({"force": "maybe"}, "reboot_cycle_force must be true or false"),
    ({"force": 2}, "reboot_cycle_force must be true or false"),
    ({"fail_when_still_pending": ""}, "reboot_cycle_fail_when_still_pending must be true or false"),
    ({"reboot_timeout": 0}, "reboot_timeout must be > 0"),
    ({"window_end": "06:00"}, "window_end .06:00. has no timezone"),
    ({"window_end": "soon"}, "window_end .soon. is not a window end"),
    ({"setle_minutes": 3}, "unknown cycle setting"),
])
def test_bad_settings_are_named(settings, message):
    with pytest.raises(_cycle.CycleError, match=message):
        _cycle.normalize_settings(settings)


@pytest.mark.parametrize("text,expected", [
    ("true", True), ("False", False), ("YES", True), ("no", False), ("1", True), ("0", False),
    (" on ", True), ("off", False), ("y", True), ("n", False), (1, True), (0, False),
])
def test_survey_flags_are_accepted(text, expected):
    """AWX surveys have no boolean type: yes/no answers arrive as strings."""
    settings = _cycle.normalize_settings({"force": text, "fail_when_still_pending": text,
                                          "fail_when_unhealthy": text})
    assert settings["force"] is expected
    assert settings["fail_when_still_pending"] is expected and settings["fail_when_unhealthy"] is expected


def test_survey_numbers_as_strings():
    settings = _cycle.normalize_settings({"settle_minutes": "0.4", "poll_seconds": " 2 ", "max_cycles": "3",
                                          "reboot_timeout": "60", "pre_reboot_delay": "0"})
    assert settings["settle_minutes"] == 0.4 and settings["poll_seconds"] == 2.0
    assert settings["max_cycles"] == 3 and isinstance(settings["max_cycles"], int)
    assert settings["reboot_timeout"] == 60.0
    assert _cycle.normalize_settings({"max_cycles": "2.0"})["max_cycles"] == 2


def test_prior_restart_accepts_survey_strings():
    assert not _cycle.start(facts(), _cycle.normalize_settings({}, T0), T0, prior_restart=_cycle.check_flag("false", "prior_restart"))["prior_restart"]
    assert _cycle.start(facts(), _cycle.normalize_settings({}, T0), T0, prior_restart=_cycle.check_flag("True", "prior_restart"))["prior_restart"]
    with pytest.raises(_cycle.CycleError, match="reboot_cycle_prior_restart must be true or false"):
        _cycle.start(facts(), _cycle.normalize_settings({}, T0), T0, prior_restart=_cycle.check_flag("later", "prior_restart"))


def test_settings_defaults_and_fractions():
    s = _cycle.normalize_settings({"settle_minutes": 1.5, "window_end": ""})
    assert s["settle_minutes"] == 1.5 and s["window_end"] is None
    assert s["settle_mode"] == "poll" and s["max_cycles"] == 2 and s["fail_when_still_pending"]
    assert _cycle.normalize_settings({"window_end": "2026-11-28T06:00:00+01:00"})["window_end"] == \
        "2026-11-28T05:00:00Z"


def test_facts_must_be_the_schema():
    with pytest.raises(_cycle.CycleError, match="sophos_reboot"):
        _cycle.plan({"nope": 1}, state(), T0)


# ------------------------------------------------------------------ settings edges

@pytest.mark.parametrize("key, good, bad, message", [
    ("settle_minutes", 0, -0.1, "reboot_cycle_settle_minutes must be >= 0, got -0.1"),
    ("poll_seconds", 1, 0.9, "reboot_cycle_poll_seconds must be >= 1, got 0.9"),
    ("max_cycles", 1, 0, "reboot_cycle_max_cycles must be >= 1, got 0"),
    ("reboot_timeout", 0.1, 0, "reboot_cycle_reboot_timeout must be > 0, got 0"),
    ("pre_reboot_delay", 0, -1, "reboot_cycle_pre_reboot_delay must be >= 0, got -1"),
    ("post_reboot_delay", 0, -1, "reboot_cycle_post_reboot_delay must be >= 0, got -1"),
    ("connect_timeout", 0, -1, "reboot_cycle_connect_timeout must be >= 0, got -1"),
    ("poll_retries", 0, 1.5, "reboot_cycle_poll_retries must be an integer, got 1.5"),
    ("poll_retries", 0, -1, "reboot_cycle_poll_retries must be >= 0, got -1"),
])
def test_setting_edges(key, good, bad, message):
    assert _cycle.normalize_settings({key: good})[key] == good
    with pytest.raises(_cycle.CycleError) as info:
        _cycle.normalize_settings({key: bad})
    assert str(info.value) == message


def test_settings_defaults_and_words():
    assert _cycle.normalize_settings(None) == {
        "settle_mode": "poll", "settle_minutes": 20.0, "poll_seconds": 30.0, "max_cycles": 2, "force": False,
        "window_end": None, "window_start": None, "restart_reserve_minutes": None, "fail_when_still_pending": True,
        "fail_when_unhealthy": True, "reboot_timeout": None,
        "restart_expected_minutes": None, "group": [], "group_max_down": 1, "group_gap_seconds": 0.0,
        "health_checks": [], "health_checks_before": [], "health_poll_seconds": 10.0, "health_timeout": 600.0,
        "pre_reboot_delay": 0.0, "post_reboot_delay": 0.0, "connect_timeout": 0, "poll_retries": 3,
        "run_started": None, "trigger_update": False, "blackouts": [], "learn_durations": True,
        "learned_durations": {}, "tier": 0, "tier_on_failure": "stop"}
    got = _cycle.normalize_settings({"force": "yes", "fail_when_unhealthy": "off", "window_end": " ",
                                     "fail_when_still_pending": 0, "settle_mode": "fixed"})
    assert (got["force"], got["fail_when_unhealthy"], got["window_end"], got["fail_when_still_pending"],
            got["settle_mode"]) == (True, False, None, False, "fixed")
    assert _cycle.normalize_settings({"window_end": "2026-11-28T06:00:00+01:00"})["window_end"] == \
        "2026-11-28T05:00:00Z"
    for raw, message in (({"nope": 1, "also": 2}, "unknown cycle setting(s): also, nope"),
                         ({"settle_mode": "wait"}, "reboot_cycle_settle_mode must be one of poll|fixed, got 'wait'"),
                         ({"force": "sometimes"}, "reboot_cycle_force must be true or false")):
        with pytest.raises(_cycle.CycleError) as info:
            _cycle.normalize_settings(raw)
        assert str(info.value).startswith(message)


# ------------------------------------------------------------ every problem at once, one line each

def test_every_cycle_problem_is_listed_one_line_each():
    problems = _cycle.settings_problems({"settle_mode": "fast", "max_cycles": 0, "poll_seconds": "x",
                                         "window_end": "2025-12-01T06:00:00+01:00",
                                         "run_started": _time.iso(RUN_START)})
    assert len(problems) == 4, problems
    assert any("settle_mode must be one of poll|fixed, got 'fast'" in p for p in problems)
    assert any("reboot_cycle_max_cycles" in p for p in problems)
    assert any("reboot_cycle_poll_seconds" in p for p in problems)
    assert any("before this run started" in p for p in problems)
    assert all("\n" not in p and len(p) < 300 for p in problems)


def test_good_settings_have_no_problem_and_the_rules_are_normalize_settings():
    raw = {"settle_mode": "fixed", "max_cycles": "3", "window_end": "+4h", "run_started": _time.iso(RUN_START)}
    assert _cycle.settings_problems(raw) == []
    _cycle.normalize_settings(raw)  # the same rules accept the same values
    with pytest.raises(_cycle.CycleError) as one:
        _cycle.normalize_settings({"max_cycles": 0})
    assert _cycle.settings_problems({"max_cycles": 0}) == [str(one.value)]
