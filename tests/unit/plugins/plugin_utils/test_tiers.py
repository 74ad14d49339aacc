"""Restart tiers read from the play's variables (plugin_utils/_tiers.py): the cycle action's tier turn."""
from datetime import datetime, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _settings
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _tiers
from ansible_collections.fleetops.sophos.tests.unit.tier_vars import BATCH, hostvars

NOW = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)


def test_a_host_that_failed_in_patch_is_a_failure_not_a_wait():
    turn = _tiers.hold("db1", hostvars(), BATCH, NOW)
    assert turn["turns"] == [1, 2] and turn["after"] == ["app1"] and turn["failed"] == ["app2"]
    assert turn["since"] == "2026-11-28T01:50:00Z"
    assert turn["hold"].startswith("tier 2 stopped: lower-tier host(s) failed: app2 (tier 1): it did not reach")


def test_continue_does_not_hold_and_a_deferred_word_false_is_a_failure():
    found = hostvars()
    found["db1"]["_reboot_cycle_tier_on_failure_own"] = "continue"
    assert _tiers.hold("db1", found, BATCH, NOW)["hold"] is None
    found["app3"]["sophos_reboot_cycle_deferred"] = "False"     # the word, as ansible-core 2.16 may template it
    assert _tiers.hold("db1", found, sorted(found), NOW)["failed"] == ["app2", "app3"]


def test_the_lowest_tier_waits_for_nobody_and_since_defaults_to_now():
    turn = _tiers.hold("app1", hostvars(), BATCH, NOW)
    assert turn["hold"] is None and turn["after"] == [] and turn["since"] == "2026-11-28T02:00:00Z"


def test_the_host_counts_even_when_the_batch_lost_it_and_its_own_tier_wins_over_its_variable():
    found = hostvars()
    found["db1"]["reboot_cycle_tier"] = 0     # what the role saw when the host reached its cycle wins
    assert _tiers.hold("db1", found, ["app1"], NOW)["turns"] == [1, 2]


def test_a_bad_tier_names_its_host():
    found = hostvars()
    found["app1"]["reboot_cycle_tier"] = "first"
    with pytest.raises(_settings.SettingError, match="app1: reboot_cycle_tier must be an integer"):
        _tiers.hold("db1", found, BATCH, NOW)
