# -*- coding: utf-8 -*-
"""The checks a playbook run makes once before any host is touched (module_utils/_run.py, filter/maintenance.py)."""

from __future__ import absolute_import, division, print_function

import glob
import os
import re
from datetime import datetime, timezone

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.sophos.plugins.filter import maintenance as filters
from ansible_collections.fleetops.sophos.plugins.module_utils import _run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
NOW = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)


def specs():
    result = []
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml"))):
        with open(path) as handle:
            result.append(yaml.safe_load(handle))
    return result


KNOWN = _run.known_variables(specs())


def test_known_variables_come_from_every_role_and_playbook():
    for name in ("reboot_cycle_max_cycles", "reboot_cycle_window_end", "patch_enabled", "patch_exclude",
                 "report_dir", "maintenance_hosts", "maintenance_exclude", "facts_hosts"):
        assert name in KNOWN


@pytest.mark.parametrize("typo,closest", [
    ("reboot_cycle_max_cycle", "reboot_cycle_max_cycles"),
    ("reboot_cycle_windowend", "reboot_cycle_window_end"),
    ("patch_exlude", "patch_exclude"),
    ("report_dri", "report_dir"),
    ("maintenance_host", "maintenance_hosts"),
    ("maintenance_serail", "maintenance_serial"),
])
def test_a_typo_names_the_closest_known_variable(typo, closest):
    assert _run.unknown_variables([typo], KNOWN) == [(typo, closest)]
    assert _run.unknown_variable_warnings([typo], KNOWN) == [
        "unknown variable %s is ignored (did you mean %s?)" % (typo, closest)]


def test_only_prefixed_unknown_variables_are_named():
    names = ["reboot_cycle_max_cycles", "ansible_user", "patching", "_reboot_cycle_state", "report_zzzzzzzzzzzzzz",
             "my_var", "maintenance_result", "sophos_reboot_cycle_deferred"]
    assert _run.unknown_variables(names, KNOWN) == [("report_zzzzzzzzzzzzzz", None)]
    assert _run.unknown_variable_warnings(["report_zzzzzzzzzzzzzz"], KNOWN) == [
        "unknown variable report_zzzzzzzzzzzzzz is ignored"]


def test_no_matching_host_fails_naming_the_variable():
    assert _run.check_hosts("web", ["web1"], "maintenance_hosts") == "web"
    with pytest.raises(_run.RunError, match=r"no host matches maintenance_hosts='ux-9'"):
        _run.check_hosts("ux-9", [], "maintenance_hosts")
    with pytest.raises(AnsibleFilterError, match=r"fleetops.sophos.hosts_matched: no host matches facts_hosts='x'"):
        filters.hosts_matched("x", [], "facts_hosts")


def test_check_run_resolves_the_window_once_and_warns():
    result = _run.check_run(["reboot_cycle_window_end", "reboot_cycle_max_cycle"], "+4h", KNOWN, NOW)
    assert result == {"warnings": ["unknown variable reboot_cycle_max_cycle is ignored "
                                   "(did you mean reboot_cycle_max_cycles?)"],
                      "errors": [], "run_started": "2026-12-01T08:40:00Z",
                      "window_end": "2026-12-01T12:40:00Z", "window_given": "+4h"}
    assert _run.check_run([], None, KNOWN, NOW)["window_end"] is None


@pytest.mark.parametrize("window,message", [
    ("2025-12-01T06:00:00+01:00", "ended at 2025-12-01T05:00:00Z, before this run started"),
    ("06:00", "has no timezone"),
    ("soon", "is not a window end"),
])
def test_check_run_stops_at_a_bad_or_past_window(window, message):
    result = _run.check_run(["reboot_cycle_window_end"], window, KNOWN, NOW)
    assert len(result["errors"]) == 1 and message in result["errors"][0]
    assert "reboot_cycle_window_end" in result["errors"][0]


def test_run_check_filter_reads_the_collection_specs():
    result = filters.run_check({"reboot_cycle_max_cycle": 3, "reboot_cycle_window_end": "PT2H"},
                               now="2026-12-01T08:40:00Z")
    assert result["warnings"] == ["unknown variable reboot_cycle_max_cycle is ignored "
                                  "(did you mean reboot_cycle_max_cycles?)"]
    assert result["window_end"] == "2026-12-01T10:40:00Z"


def test_an_excluded_host_is_deferred_with_its_reason():
    facts = {"reasons": [{"id": "sophos_reboot_required", "strong": True}], "os": {"boot_id": "b1"}}
    record = _run.excluded_record(facts, " change freeze ", NOW)
    assert record["status"] == "deferred" and record["excluded"] is True
    assert record["message"] == "excluded (maintenance_exclude): change freeze"
    assert record["reasons_before"] == ["sophos_reboot_required"] and record["restarts"] == 0
    unread = _run.excluded_record(None, "", NOW, check_mode=True)
    assert unread["status"] == "deferred" and unread["check_mode"] is True
    assert unread["message"] == "check mode: excluded (maintenance_exclude)"


def _doc(path):
    with open(os.path.join(ROOT, path)) as handle:
        return handle.read()


def test_playbook_variables_are_documented_and_complete():
    readme, awx = _doc("README.md"), _doc("docs/awx.md")
    for playbook, names in _run.PLAYBOOK_VARIABLES.items():
        text = _doc(os.path.join("playbooks", playbook + ".yml"))
        used = set(re.findall(r"(?<![\w.])(%s_[a-z_]+)\b" % playbook, text))
        assert used - set(names) - set(_run.RUN_VARIABLES) == set(), playbook
        for name in names:
            assert name in readme and name in awx, name


def test_the_deferred_note_is_an_output_outside_the_input_prefix():
    """The window guard's note is sophos_reboot_cycle_deferred; the old reboot_cycle_deferred is no variable."""
    assert "reboot_cycle_deferred" not in KNOWN
    assert _run.unknown_variables(["reboot_cycle_deferred", "sophos_reboot_cycle_deferred"], KNOWN) == [
        ("reboot_cycle_deferred", "reboot_cycle_force")]
