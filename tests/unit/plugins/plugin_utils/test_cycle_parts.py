# -*- coding: utf-8 -*-
"""plugin_utils/_cycle_parts.py: the runner's companions made from the task - the tiers' strategy check, the
slots (none without a group or in check mode), the silence (none without its option) and the per-host
notifications (none without a per-host target; wrong targets are one warning, never a failure)."""

from __future__ import absolute_import, division, print_function

from ansible_collections.fleetops.sophos.plugins.plugin_utils import _cycle_parts


class Host(object):
    name = "srv1"
    address = "192.0.2.10"

    def __init__(self, task_vars=None):
        self.task_vars = dict(task_vars or {})


class Templar(object):
    """Values as given: what the task's templar returns for plain data."""

    @staticmethod
    def template(value):
        return value


def test_tiers_need_a_strategy_that_runs_the_batch_in_turn():
    turn = {"turns": [1, 2], "after": []}
    assert _cycle_parts.tier_problem(None, "free") is None
    assert _cycle_parts.tier_problem(turn, "linear") is None
    assert _cycle_parts.tier_problem(dict(turn, turns=[1]), "free") is None  # one tier: nothing to wait for
    assert _cycle_parts.tier_problem(turn, "free") == (
        "reboot_cycle_tier: the batch has tiers 1, 2, and the strategy free does not run them in turn; tiers need "
        "the linear strategy (the default)")
    assert _cycle_parts.tier_problem({"turns": "1"}, "linear") == (
        "tier_turn must be a tier's turn (hold, after, failed, turns, since), as tier_batch gives it")


def test_no_slots_without_a_group_or_in_check_mode():
    settings = {"group": [], "group_max_down": {}, "run_started": None, "group_gap_seconds": 0}
    assert _cycle_parts.slots(Host(), settings, 1, False, None, None, None) is None
    assert _cycle_parts.slots(Host(), dict(settings, group=["pair"]), 1, True, None, None, None) is None


def test_no_silence_without_its_option():
    assert _cycle_parts.silence(Host(), {"silence": None}, {}, None, 1, None, None, None, False) is None


def test_notifications_only_for_a_per_host_target_and_a_wrong_one_is_one_warning():
    warnings = []
    assert _cycle_parts.notifier(Host(), Templar(), False, warnings.append) is None
    summary_only = Host({"report_notify": [{"type": "webhook", "url": "https://hooks.example/x", "events": ["summary"]}]})
    assert _cycle_parts.notifier(summary_only, Templar(), False, warnings.append) is None
    per_host = Host({"report_notify": [{"type": "webhook", "url": "https://hooks.example/x", "events": ["restarted"]}]})
    notifier = _cycle_parts.notifier(per_host, Templar(), True, warnings.append)
    assert notifier is not None and warnings == []
    wrong = Host({"report_notify": [{"type": "pager", "url": "https://hooks.example/x"}]})
    assert _cycle_parts.notifier(wrong, Templar(), False, warnings.append) is None
    assert len(warnings) == 1 and warnings[0].startswith("srv1: no notification from reboot_cycle: ")
