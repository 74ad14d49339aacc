"""The reboot_cycle action's options (plugin_utils/_cycle_options.py): one check naming every problem, and the
state a hook stop carries without credentials."""
from datetime import datetime, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _cycle_options

NOW = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)
CHECK = [{"url": "https://admin:s3cret@app.example/health"}]


def test_good_options_give_the_normalised_settings():
    options, settings, problems = _cycle_options.check({"settle_minutes": "20", "poll_seconds": 5}, NOW)
    assert problems == [] and settings["settle_minutes"] == 20 and settings["poll_seconds"] == 5
    assert options["central_options"] == {} and options["silence"] is None and options["stop_at"] == []
    assert settings == _cycle.normalize_settings(dict(settle_minutes="20", poll_seconds=5), NOW)


def test_every_bad_option_is_named_at_once():
    problems = _cycle_options.check({"settle_minutes": "soon", "poll_seconds": 0, "prior_restart": "maybe"},
                                    NOW)[2]
    text = "; ".join(problems)
    assert "settle_minutes" in text and "poll_seconds" in text and "prior_restart" in text, problems


def test_the_spec_and_the_silence_problems_come_together():
    problems = _cycle_options.check({"stop_at": ["nowhere"], "silence": {"url": "ftp://x", "lease_minutes": 0}},
                                    NOW)[2]
    text = "; ".join(problems)
    assert "stop_at" in text and "silence" in text and len(problems) >= 2, problems


@pytest.mark.parametrize("args, words", [
    ({"abort": "operator said so"}, "abort ends a cycle stopped at a hook point"),
    ({"group": "sql", "stop_at": ["before_restart"]}, "reboot_cycle_group cannot be combined with restart hooks"),
    ({"tier_turn": {"turns": [0, 1], "after": [], "hold": False}}, "tiers need the linear strategy"),
])
def test_combinations_that_cannot_work_are_refused(args, words):
    assert any(words in problem for problem in _cycle_options.check(args, NOW, strategy="free")[2])


def test_a_hook_stop_carries_digests_of_the_checks_and_a_resume_takes_them_back():
    settings = _cycle.normalize_settings({"health_checks": CHECK}, NOW)
    state = {"settings": settings, "restarts": 1}
    carried = _cycle_options.carried_state(state)
    assert "s3cret" not in repr(carried) and carried["settings"]["health_checks"].startswith("sha256:")
    assert carried["restarts"] == 1 and state["settings"]["health_checks"] == settings["health_checks"]  # not changed
    assert _cycle_options.resumed_state(carried, settings) == state


def test_a_resume_with_other_checks_is_refused_naming_them():
    carried = _cycle_options.carried_state({"settings": _cycle.normalize_settings({"health_checks": CHECK}, NOW)})
    other = _cycle.normalize_settings({"health_checks": [{"tcp": 443}]}, NOW)
    with pytest.raises(_cycle_options.ResumeMismatch, match="resume needs the same health_checks as"):
        _cycle_options.resumed_state(carried, other)
