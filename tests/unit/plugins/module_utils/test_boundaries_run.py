"""Edges of the checks a run makes before any host is touched (module_utils/_run.py), with hand-written answers."""
import glob
import os
from datetime import datetime, timezone

import pytest
import yaml

from ansible_collections.fleetops.sophos.plugins.module_utils import _run

NOW = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def known():
    specs = []
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml"))):
        with open(path) as handle:
            specs.append(yaml.safe_load(handle))
    return _run.known_variables(specs)


def test_no_matching_host_message_in_full():
    with pytest.raises(_run.RunError) as info:
        _run.check_hosts("ux-9", [], "maintenance_hosts")
    assert str(info.value) == ("no host matches maintenance_hosts='ux-9': nothing would be done; check the pattern "
                               "against the inventory (ansible-inventory --graph)")


@pytest.mark.parametrize("name, value", [
    ("report_alert_days", 0.5), ("report_alert_days", "14"),
    ("report_max_text", 20), ("report_max_text", "20.0"),
    ("report_keep", 0), ("report_keep", "0"),  # 0 keeps every run
    ("report_formats", ["csv"]), ("report_formats", "json\nhtml"), ("report_formats", "markdown"),
])
def test_report_settings_at_their_edge_are_good(name, value):
    assert _run.setting_problems({name: value}, NOW) == []


@pytest.mark.parametrize("name, value, message", [
    ("report_alert_days", 0, "report_alert_days must be > 0, got 0"),
    ("report_alert_days", "x", "report_alert_days must be a number, got 'x'"),
    ("report_max_text", 19, "report_max_text must be >= 20, got 19"),
    ("report_max_text", "20.5", "report_max_text must be an integer, got '20.5'"),
    ("report_keep", -1, "report_keep must be >= 0, got -1"),
    ("report_keep", 1.5, "report_keep must be an integer, got 1.5"),
    ("report_formats", ["json", "pdf"], "report_formats must list some of json|csv|markdown|html, "
                                        "got ['json', 'pdf']"),
    ("report_formats", "", "report_formats must list some of json|csv|markdown|html, got ''"),
    ("report_formats", [], "report_formats must list some of json|csv|markdown|html, got []"),
    ("report_formats", {"json": 1}, "report_formats must be a list of strings or one string with an entry per "
                                    "line, got dict {'json': 1}"),
    ("report_formats", ["json", ""], "report_formats entries must be non-empty strings, got ''"),
])
def test_a_bad_report_setting_is_one_problem_naming_it(name, value, message):
    assert _run.setting_problems({name: value}, NOW) == [message]


def test_problems_come_cycle_then_patch_then_report():
    problems = _run.setting_problems({"report_keep": -1, "patch_apt_cache_valid_time": -1,
                                      "reboot_cycle_max_cycles": 0, "report_max_text": 5}, NOW)
    assert problems == [
        "reboot_cycle_max_cycles must be >= 1, got 0",
        "patch_apt_cache_valid_time must be >= 0, got -1",
        "report_max_text must be >= 20, got 5",
        "report_keep must be >= 0, got -1",
    ]


def test_a_typo_prefers_its_own_prefix_then_any_known_variable():
    names = known()
    # Nothing close under report_: the closest of all (another prefix) is named.
    assert _run.unknown_variables(["report_reboot_cycle_force"], names) == [
        ("report_reboot_cycle_force", "reboot_cycle_force")]
    # Something close under patch_ wins over a closer name under another prefix (report_dir).
    assert _run.unknown_variables(["patch_report_dir"], names) == [("patch_report_dir", "patch_win_reboot")]


@pytest.mark.parametrize("name, closest", [
    # Long prefixes (maintenance_, reboot_cycle_): two edits still a near miss, three not.
    ("maintanence_hosts", "maintenance_hosts"),      # two substitutions
    ("mintanence_hosts", None),                      # three edits
    ("rebot_cyle_force", "reboot_cycle_force"),      # two deletions
    ("reboot_cyclee_force", "reboot_cycle_force"),   # one insertion
    # Short prefixes (patch_, report_, facts_): one edit (a swap of two letters is one), not two.
    ("ptch_enabled", "patch_enabled"),
    ("rpeort_dir", "report_dir"),                    # one swap
    ("pcah_enabled", None),                          # a swap and a deletion
    ("pahc_enabled", None),
    ("fcts_hosts", "facts_hosts"),
    # The prefix set right, the rest must be close to a variable of that prefix (cutoff 0.85).
    ("pach_enablex", "patch_enabled"),
    ("pach_exclude_dirs", None),                     # patch_exclude_dirs vs patch_exclude: 0.84
    ("reboot_cylce_window", "reboot_cycle_window_end"),
    # A name with a right prefix is an unknown variable, not a near miss.
    ("patch_enabled", None),
])
def test_near_miss_edges(name, closest):
    assert _run.near_miss(name, known()) == closest
