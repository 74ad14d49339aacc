# -*- coding: utf-8 -*-
"""The checks a playbook run makes once before any host is touched (module_utils/_run.py, filter/maintenance.py):
variables, hosts, the window and its start, hooks, the restart groups (filter/cycle.py group_check), and their
edges with hand-written answers."""

from __future__ import absolute_import, division, print_function

import glob
import os
import re
from datetime import datetime, timezone
from unittest import mock

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.sophos.plugins.filter import cycle as cycle_filters
from ansible_collections.fleetops.sophos.plugins.filter import maintenance as filters
from ansible_collections.fleetops.sophos.plugins.module_utils import _run
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _run_start
from ansible_collections.fleetops.sophos.tests.unit.run_start import run_check

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


HATCH = "correct the name, or list it in maintenance_allow_variables if it is meant for something else"


@pytest.mark.parametrize("typo,closest", [
    ("reboot_cycle_max_cycle", "reboot_cycle_max_cycles"),
    ("reboot_cycle_windowend", "reboot_cycle_window_end"),
    ("patch_exlude", "patch_exclude"),
    ("report_dri", "report_dir"),
    ("maintenance_host", "maintenance_hosts"),
    ("maintenance_serail", "maintenance_serial"),
    ("facts_host", "facts_hosts"),
])
def test_a_typo_is_a_problem_naming_the_closest_known_variable(typo, closest):
    assert _run.unknown_variables([typo], KNOWN) == [(typo, closest)]
    assert _run.unknown_variable_problems([typo], KNOWN, "maintenance_allow_variables") == [
        "unknown variable %s (did you mean %s?): Ansible would ignore it and the run would go on without it; %s"
        % (typo, closest, HATCH)]


@pytest.mark.parametrize("typo,closest", [
    ("reboot_cylce_window_end", "reboot_cycle_window_end"),
    ("reboot_cyle_max_cycles", "reboot_cycle_max_cycles"),
    ("rebootcycle_force", "reboot_cycle_force"),
    ("reboot_cycel_window_end", "reboot_cycle_window_end"),
    ("maintenence_hosts", "maintenance_hosts"),
    ("maintainance_host", "maintenance_hosts"),
    ("mantenance_serial", "maintenance_serial"),
    ("pach_enabled", "patch_enabled"),
    ("ptach_exclude", "patch_exclude"),
    ("patc_enabled", "patch_enabled"),
    ("reprot_dir", "report_dir"),
    ("repot_formats", "report_formats"),
    ("fatcs_hosts", "facts_hosts"),
    ("fact_hosts", "facts_hosts"),
])
def test_a_near_miss_of_a_prefix_is_caught_the_same_way(typo, closest):
    assert _run.near_miss(typo, KNOWN) == closest
    assert _run.unknown_variables([typo], KNOWN) == [(typo, closest)]


@pytest.mark.parametrize("name", [
    # Ansible's own and the inventory's: never the collection's.
    "ansible_host", "ansible_user", "ansible_become", "ansible_facts", "ansible_check_mode", "inventory_hostname",
    "inventory_hostname_short", "group_names", "groups", "playbook_dir", "omit", "hostvars", "play_hosts",
    "ansible_play_hosts_all", "ansible_python_interpreter", "sophos_central", "sophos_reboot_facts_result",
    # Names that share letters with a prefix but are something else.
    "patching_group", "patching", "path_prefix", "paths_dir", "path_exclude_dirs", "batch_size", "match_hosts",
    "reports_to", "reporter_email", "repo_dir", "fact_cache_dir", "facts", "factory_id", "contacts_hosts",
    "maintainer", "maintainer_email", "maintenance", "reboot", "reboot_allowed", "reboot_time", "reboot_cycles",
    "cycle_window", "_reboot_cycle_state", "_patch_changes", "my_var", "window_end", "hosts",
    # A near prefix with a rest that is not close to any variable of that prefix.
    "reboot_cylce_zzzzzz", "pach_stuff_here", "reprot_owner_name",
])
def test_an_unrelated_variable_is_left_alone(name):
    assert _run.near_miss(name, KNOWN) is None
    assert _run.unknown_variables([name], KNOWN) == []


def test_edit_distance_counts_a_swap_as_one():
    assert _run._edits("reprot_", "report_") == 1
    assert _run._edits("reboot_cylce_", "reboot_cycle_") == 1
    assert _run._edits("pach_", "patch_") == 1
    assert _run._edits("path_", "patch_") == 1
    assert _run._edits("patching_", "patch_") == 3
    assert _run._edits("", "abc") == 3 and _run._edits("abc", "abc") == 0


def test_only_prefixed_or_near_unknown_variables_are_named():
    names = ["reboot_cycle_max_cycles", "ansible_user", "patching", "_reboot_cycle_state", "report_zzzzzzzzzzzzzz",
             "my_var", "maintenance_result", "sophos_reboot_cycle_deferred", "facts_zzzz", "report_run_record"]
    assert _run.unknown_variables(names, KNOWN) == [("facts_zzzz", None), ("report_zzzzzzzzzzzzzz", None)]
    assert _run.unknown_variable_problems(["report_zzzzzzzzzzzzzz"], KNOWN, "facts_allow_variables") == [
        "unknown variable report_zzzzzzzzzzzzzz: Ansible would ignore it and the run would go on without it; "
        "correct the name, or list it in facts_allow_variables if it is meant for something else"]


def test_allowed_variables_are_not_problems():
    names = ["patch_day", "maintenance_window", "reprot_dir"]
    assert [name for name, _near in _run.unknown_variables(names, KNOWN)] == ["maintenance_window", "patch_day", "reprot_dir"]
    assert _run.unknown_variables(names, KNOWN, allowed=["patch_day", "maintenance_window"]) == [
        ("reprot_dir", "report_dir")]
    result = _run.check_run(names, None, KNOWN, NOW, {"maintenance_allow_variables": "patch_day, maintenance_window"})
    assert result["errors"] == ["unknown variable reprot_dir (did you mean report_dir?): Ansible would ignore it "
                                "and the run would go on without it; " + HATCH]
    facts = _run.check_run(names, None, KNOWN, NOW, {"facts_allow_variables": names}, playbook="facts")
    assert facts["errors"] == []


def test_a_bad_allow_list_is_a_problem():
    result = _run.check_run(["patch_day"], None, KNOWN, NOW, {"maintenance_allow_variables": {"patch_day": 1}})
    assert result["errors"][0] == ("maintenance_allow_variables must be a list of strings or one string with an "
                                   "entry per line, got dict {'patch_day': 1}")
    assert result["errors"][1].startswith("unknown variable patch_day")


def test_no_matching_host_fails_naming_the_variable():
    assert _run.check_hosts("web", ["web1"], "maintenance_hosts") == "web"
    with pytest.raises(_run.RunError, match=r"no host matches maintenance_hosts='ux-9'"):
        _run.check_hosts("ux-9", [], "maintenance_hosts")
    with pytest.raises(AnsibleFilterError, match=r"fleetops.sophos.hosts_matched: no host matches facts_hosts='x'"):
        filters.hosts_matched("x", [], "facts_hosts")


@pytest.mark.parametrize("pattern", [None, "", "  "])
def test_a_required_pattern_that_is_not_set_fails_before_any_host(pattern):
    with pytest.raises(_run.RunError) as info:
        _run.check_hosts(pattern, [], "maintenance_hosts", required=True, given=["ansible_user", "report_dir"])
    assert str(info.value) == (
        "maintenance_hosts is not set: name the hosts or groups to work on (maintenance_hosts=web, "
        "maintenance_hosts=web1:web2), or maintenance_hosts=all to mean every host of the inventory; nothing was done")
    with pytest.raises(AnsibleFilterError, match=r"maintenance_hosts is not set \(maintenance_host is set: a "
                                                 r"misspelling\?\)"):
        filters.hosts_matched(pattern, [], "maintenance_hosts", required=True, given=["maintenance_host", "x"])
    # Not required (facts_hosts has its default): the pattern is only matched.
    assert _run.check_hosts("all", ["web1"], "facts_hosts") == "all"
    assert _run.check_hosts("all", ["web1"], "maintenance_hosts", required=True) == "all"


def test_check_run_resolves_the_window_once_and_stops_at_a_typo():
    result = _run.check_run(["reboot_cycle_window_end", "reboot_cycle_max_cycle"], "+4h", KNOWN, NOW)
    assert result == {"errors": ["unknown variable reboot_cycle_max_cycle (did you mean reboot_cycle_max_cycles?): "
                                 "Ansible would ignore it and the run would go on without it; " + HATCH],
                      "run_started": "2026-12-01T08:40:00Z", "window_end": None, "window_given": None,
                      "window_start": None, "window_start_given": None, "patch_before_window": True,
                      "restart_required_at": None, "blackouts": [], "blackouts_line": "none",
                      "window_line": "no maintenance window (reboot_cycle_window_start, reboot_cycle_window_end not "
                                     "set); run started 2026-12-01T08:40:00Z"}
    assert _run.check_run(["reboot_cycle_window_end"], "+4h", KNOWN, NOW) == {
        "errors": [], "run_started": "2026-12-01T08:40:00Z", "window_end": "2026-12-01T12:40:00Z",
        "window_given": "+4h", "window_start": None, "window_start_given": None, "patch_before_window": True,
        "restart_required_at": None, "blackouts": [], "blackouts_line": "none",
        "window_line": u"window run start\u2013+4h = 2026-12-01T08:40:00Z\u20132026-12-01T12:40:00Z; run started "
                       u"2026-12-01T08:40:00Z; blackouts: none"}
    assert _run.check_run([], None, KNOWN, NOW)["window_end"] is None


def test_a_misspelt_window_prefix_stops_the_run():
    result = _run.check_run(["reboot_cylce_window_end", "maintenance_hosts"], None, KNOWN, NOW,
                            {"maintenance_hosts": "web1"})
    assert result["errors"] == ["unknown variable reboot_cylce_window_end (did you mean reboot_cycle_window_end?): "
                                "Ansible would ignore it and the run would go on without it; " + HATCH]


@pytest.mark.parametrize("window,message", [
    ("2025-12-01T06:00:00+01:00", "ended at 2025-12-01T05:00:00Z, before this run started"),
    ("06:00", "has no timezone"),
    ("soon", "is not a window end"),
])
def test_check_run_stops_at_a_bad_or_past_window(window, message):
    result = _run.check_run(["reboot_cycle_window_end"], window, KNOWN, NOW)
    assert len(result["errors"]) == 1 and message in result["errors"][0]
    assert "reboot_cycle_window_end" in result["errors"][0]


def test_run_check_filter_reads_the_collection_specs(capsys):
    result = filters.run_check({"reboot_cycle_max_cycle": 3, "reboot_cycle_window_end": "PT2H"},
                               now="2026-12-01T08:40:00Z")
    assert result["errors"] == ["unknown variable reboot_cycle_max_cycle (did you mean reboot_cycle_max_cycles?): "
                                "Ansible would ignore it and the run would go on without it; " + HATCH]
    assert "problem: unknown variable reboot_cycle_max_cycle" in capsys.readouterr().out
    good = filters.run_check({"reboot_cycle_window_end": "PT2H", "maintenance_hosts": "web"},
                             now="2026-12-01T08:40:00Z")
    assert good["errors"] == [] and good["window_end"] == "2026-12-01T10:40:00Z"


def test_run_check_filter_passes_the_allow_list_of_its_playbook():
    variables = {"patch_day": "tue", "facts_allow_variables": ["patch_day"]}
    assert filters.run_check(variables, now="2026-12-01T08:40:00Z", playbook="facts")["errors"] == []
    errors = filters.run_check(variables, now="2026-12-01T08:40:00Z")["errors"]
    assert [e.split(" (")[0].split(":")[0] for e in errors] == ["unknown variable patch_day"]
    with pytest.raises(AnsibleFilterError, match=r"playbook must be one of facts\|maintenance\|restart, got 'site'"):
        filters.run_check(variables, playbook="site")


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
    variables, awx = _doc("docs/maintenance.md"), _doc("docs/awx.md")
    for playbook, names in _run.PLAYBOOK_VARIABLES.items():
        text = _doc(os.path.join("playbooks", playbook + ".yml"))
        if playbook in ("maintenance", "restart"):
            text += _doc(os.path.join("playbooks", "tasks", "maintenance_run.yml"))
        prefix = "maintenance" if playbook == "restart" else playbook
        used = set(re.findall(r"(?<![\w.])(%s_[a-z_]+)\b" % prefix, text))
        assert used - set(names) - set(_run.RUN_VARIABLES) == set(), playbook
        for name in names:
            assert name in variables and name in awx, name


def test_the_deferred_note_is_an_output_outside_the_input_prefix():
    """The window guard's note is sophos_reboot_cycle_deferred; the old reboot_cycle_deferred is no variable."""
    assert "reboot_cycle_deferred" not in KNOWN
    assert _run.unknown_variables(["reboot_cycle_deferred", "sophos_reboot_cycle_deferred"], KNOWN) == [
        ("reboot_cycle_deferred", "reboot_cycle_force")]


# A relaunch: the time of day's next occurrence is a day away. NOW is 08:40 UTC, 09:40 in Berlin.
RELAUNCH = ("reboot_cycle_window_end '06:00 Europe/Berlin' is a time of day whose next occurrence, "
            "2026-12-02T05:00:00Z, is 20h20m after this run started (2026-12-01T08:40:00Z): more than "
            "maintenance_window_max_hours (12), as when a job is relaunched after its window; to mean it, give "
            "the end as a date-time (reboot_cycle_window_end=2026-12-02T05:00:00Z) or a duration "
            "(reboot_cycle_window_end=+20h20m), or raise maintenance_window_max_hours")


def test_a_time_of_day_far_ahead_is_refused_as_a_relaunch():
    result = _run.check_run(["reboot_cycle_window_end"], "06:00 Europe/Berlin", KNOWN, NOW)
    assert result["errors"] == [RELAUNCH]
    assert (result["window_end"], result["window_given"], result["restart_required_at"]) == (None, None, None)
    assert (result["blackouts"], result["blackouts_line"]) == ([], "none")
    # The same end written as the message says passes.
    for meant in ("2026-12-02T05:00:00Z", "+20h20m", "2026-12-02T06:00:00+01:00", "PT20H20M"):
        assert _run.check_run(["reboot_cycle_window_end"], meant, KNOWN, NOW)["window_end"] == "2026-12-02T05:00:00Z"


@pytest.mark.parametrize("window,started,max_hours,end", [
    # The scheduled job: Saturday 02:00 in Berlin for 06:00 is 4 hours ahead.
    ("06:00 Europe/Berlin", datetime(2026, 12, 5, 1, 0, tzinfo=timezone.utc), None, "2026-12-05T05:00:00Z"),
    # Exactly the limit is still allowed; an offset form counts the same.
    ("20:40Z", NOW, None, "2026-12-01T20:40:00Z"),
    ("21:40+01:00", NOW, None, "2026-12-01T20:40:00Z"),
    # A raised limit allows the long window.
    ("06:00 Europe/Berlin", NOW, 24, "2026-12-02T05:00:00Z"),
    ("06:00 Europe/Berlin", NOW, "20.5", "2026-12-02T05:00:00Z"),
])
def test_a_time_of_day_within_the_limit_is_resolved(window, started, max_hours, end):
    settings = {} if max_hours is None else {"maintenance_window_max_hours": max_hours}
    result = _run.check_run(["reboot_cycle_window_end"], window, KNOWN, started, settings)
    assert result["errors"] == [] and result["window_end"] == end


@pytest.mark.parametrize("window,max_hours", [("20:41Z", None), ("21:41+01:00", None), ("06:00 Europe/Berlin", 20)])
def test_a_time_of_day_past_the_limit_is_refused(window, max_hours):
    settings = {} if max_hours is None else {"maintenance_window_max_hours": max_hours}
    [error] = _run.check_run(["reboot_cycle_window_end"], window, KNOWN, NOW, settings)["errors"]
    assert error.startswith("reboot_cycle_window_end %r is a time of day whose next occurrence" % window)
    assert "more than maintenance_window_max_hours (%s)" % (max_hours or 12) in error


@pytest.mark.parametrize("value,message", [
    (0, "maintenance_window_max_hours must be > 0, got 0"),
    ("soon", "maintenance_window_max_hours must be a number, got 'soon'"),
    (True, "maintenance_window_max_hours must be a number, got True"),
])
def test_a_bad_window_limit_is_a_problem(value, message):
    result = _run.check_run(["reboot_cycle_window_end"], "06:00 Europe/Berlin", KNOWN, NOW,
                            {"maintenance_window_max_hours": value})
    assert result["errors"] == [message]


def test_the_filter_passes_the_window_limit():
    variables = {"reboot_cycle_window_end": "06:00 Europe/Berlin", "maintenance_window_max_hours": "24"}
    assert run_check(variables, now="2026-12-01T08:40:00Z")["window_end"] == "2026-12-02T05:00:00Z"
    del variables["maintenance_window_max_hours"]
    assert run_check(variables, now="2026-12-01T08:40:00Z")["errors"] == [RELAUNCH]


def test_a_value_cut_at_a_space_is_a_problem():
    # -e 'reboot_cycle_window_end=06:00 Europe/Berlin': Ansible keeps 06:00 and puts Europe/Berlin in _raw_params.
    variables = {"reboot_cycle_window_end": "06:00", "_raw_params": "Europe/Berlin"}
    errors = run_check(variables, now="2026-12-01T08:40:00Z")["errors"]
    assert errors[0] == ("an extra variable was cut at a space: 'Europe/Berlin' was left over without a name "
                         "(-e 'name=a b' is read as name=a); give a value with a space as JSON, e.g. "
                         "-e '{\"reboot_cycle_window_end\": \"06:00 Europe/Berlin\"}', or quoted inside the "
                         "argument, -e \"reboot_cycle_window_end='06:00 Europe/Berlin'\"")
    assert errors[1].startswith("reboot_cycle_window_end '06:00' has no timezone")
    assert len(errors) == 2


# ------------------------------------------------------------ hook files, checked before any host is touched

def test_hook_places_are_the_working_directory_then_the_playbook_directory():
    assert _run.hook_places("/srv/hooks/drain.yml", "/work", "/pb") == ["/srv/hooks/drain.yml"]
    assert _run.hook_places(" hooks/drain.yml ", "/work/", "/pb") == ["/work/hooks/drain.yml", "/pb/hooks/drain.yml"]
    assert _run.hook_places("drain.yml", "/work", "/work") == ["/work/drain.yml"]
    assert _run.hook_places("drain.yml", "/work", None) == ["/work/drain.yml"]


# The hook files: the ``hooks`` fixture of tests/unit/conftest.py.


def test_hook_file_resolves_from_the_working_directory_first(hooks):
    work, book = hooks
    assert filters.hook_file("hooks/drain.yml", str(book)) == str(work / "hooks" / "drain.yml")
    assert filters.hook_file("hooks/own.yml", str(book)) == str(book / "hooks" / "own.yml")
    assert filters.hook_file(str(book / "hooks" / "own.yml")) == str(book / "hooks" / "own.yml")
    with pytest.raises(AnsibleFilterError) as info:
        filters.hook_file("hooks/before.yml", str(book), "reboot_cycle_before_restart_tasks")
    assert str(info.value) == (
        "fleetops.sophos.hook_file: reboot_cycle_before_restart_tasks 'hooks/before.yml': no such file; looked at "
        "%s/hooks/before.yml and %s/hooks/before.yml (a relative path counts from the directory ansible-playbook "
        "runs in, then from the playbook's directory); give an absolute path" % (work, book))


def test_run_check_finds_and_reads_every_hook_before_any_host(hooks):
    work, book = hooks
    good = {"maintenance_hosts": "web", "reboot_cycle_before_restart_tasks": "hooks/drain.yml",
            "reboot_cycle_after_restart_tasks": "hooks/own.yml", "reboot_cycle_after_cycle_tasks": "hooks/empty.yml"}
    assert run_check(good, now="2026-12-01T08:40:00Z", playbook_dir=str(book))["errors"] == []
    bad = {"maintenance_hosts": "web", "reboot_cycle_before_restart_tasks": "hooks/before.yml",
           "reboot_cycle_after_restart_tasks": "hooks/broken.yml", "reboot_cycle_after_cycle_tasks": "hooks/mapping.yml"}
    errors = run_check(bad, now="2026-12-01T08:40:00Z", playbook_dir=str(book))["errors"]
    assert len(errors) == 3, errors
    assert errors[0].startswith("reboot_cycle_before_restart_tasks 'hooks/before.yml': no such file; looked at %s"
                                % (work / "hooks" / "before.yml"))
    assert errors[1].startswith("reboot_cycle_after_restart_tasks 'hooks/broken.yml' (%s) is not a task file: "
                                % (work / "hooks" / "broken.yml"))
    assert errors[2] == ("reboot_cycle_after_cycle_tasks 'hooks/mapping.yml' (%s) is not a task file: not a YAML "
                         "list of tasks" % (work / "hooks" / "mapping.yml"))
    # The facts playbook runs no hooks and does not look for them.
    assert run_check(dict(bad, facts_hosts="all"), now="2026-12-01T08:40:00Z", playbook="facts")["errors"] == []


def test_the_facts_playbook_takes_the_event_time_for_its_one_host(capsys):
    variables = {"facts_hosts": "web1", "facts_restart_required_at": "2026-12-01T08:39:00+01:00"}
    checked = filters.run_check(variables, now="2026-12-01T08:40:00Z", playbook="facts", play_hosts=["web1"])
    assert checked["errors"] == [] and checked["restart_required_at"] == "2026-12-01T07:39:00Z"
    assert "problem:" not in capsys.readouterr().out
    for unset in (None, "", "  "):
        checked = filters.run_check(dict(variables, facts_restart_required_at=unset), now="2026-12-01T08:40:00Z",
                                    playbook="facts", play_hosts=["web1"])
        assert checked["errors"] == [] and checked["restart_required_at"] is None


@pytest.mark.parametrize("value,message", [
    ("yesterday", "facts_restart_required_at 'yesterday' is not an ISO 8601 date-time"),
    ("2026-12-01T07:39:00", "facts_restart_required_at '2026-12-01T07:39:00' has no timezone offset"),
    ("2026-13-01T07:39:00Z", "facts_restart_required_at"),
    (1796110740, "facts_restart_required_at must be an ISO 8601 date-time string, got int"),
])
def test_a_bad_event_time_stops_the_facts_run(capsys, value, message):
    checked = filters.run_check({"facts_hosts": "web1", "facts_restart_required_at": value},
                                now="2026-12-01T08:40:00Z", playbook="facts", play_hosts=["web1"])
    assert len(checked["errors"]) == 1 and checked["errors"][0].startswith(message), checked["errors"]
    assert checked["errors"][0].endswith("(the time of Sophos Central's restart-required event, as the "
                                         "fleetops.sophos.restart_required rulebook passes it)")
    assert checked["restart_required_at"] is None
    assert "problem: facts_restart_required_at" in capsys.readouterr().out


@pytest.mark.parametrize("hosts,matched", [("all", ["web1", "web2"]), ("web*", ["web1"]), (None, ["web1"])])
def test_the_event_time_is_for_one_host_named_alone(hosts, matched):
    variables = {"facts_restart_required_at": "2026-12-01T07:39:00Z"}
    if hosts is not None:
        variables["facts_hosts"] = hosts
    checked = run_check(variables, now="2026-12-01T08:40:00Z", playbook="facts", play_hosts=matched)
    assert checked["errors"] == [
        "facts_restart_required_at is the time a restart became pending on one host, but facts_hosts=%r matches %d "
        "host(s): set facts_hosts to that host's inventory name alone" % (hosts, len(matched))]
    assert checked["restart_required_at"] is None


def test_the_event_time_is_a_known_facts_variable():
    names = ["facts_hosts", "facts_restart_required_at"]
    assert _run.check_run(names, None, KNOWN, NOW, {"facts_hosts": "web1"}, playbook="facts")["errors"] == []


def test_the_restart_playbook_is_checked_as_the_maintenance_playbook(hooks):
    """fleetops.sophos.restart: maintenance_* variables, typos named, maintenance_allow_variables, hook files."""
    work, book = hooks
    typo = {"maintenance_hosts": "web", "maintenance_serail": 1, "patch_day": "tue"}
    errors = run_check(typo, now="2026-12-01T08:40:00Z", playbook="restart")["errors"]
    assert [e.split(":")[0] for e in errors] == [
        "unknown variable maintenance_serail (did you mean maintenance_serial?)",
        "unknown variable patch_day (did you mean patch_exclude?)"]
    assert all("list it in maintenance_allow_variables" in e for e in errors)
    allowed = dict(typo, maintenance_serial=1, maintenance_allow_variables="maintenance_serail, patch_day")
    assert run_check(allowed, now="2026-12-01T08:40:00Z", playbook="restart")["errors"] == []
    missing = {"maintenance_hosts": "web", "reboot_cycle_before_restart_tasks": "hooks/before.yml"}
    errors = run_check(missing, now="2026-12-01T08:40:00Z", playbook="restart", playbook_dir=str(book))
    assert [e.split(" ")[0] for e in errors["errors"]] == ["reboot_cycle_before_restart_tasks"]


def test_run_check_names_every_problem_of_the_silence_before_any_host():
    # reboot_cycle_silence is an option of the cycle's action: without this check a bad one was first
    # found by each host's cycle (the restart playbook: the role's argument validation failed every host).
    for playbook in ("maintenance", "restart"):
        errors = run_check({"maintenance_hosts": "all", "reboot_cycle_silence": {
            "url": "alertmanager:9093", "lease_minutes": 1000, "matchers": [{"name": "job", "value": "node"}]}},
            now="2026-12-01T08:40:00Z", playbook=playbook)["errors"]
        assert len(errors) == 3, errors
        assert "reboot_cycle_silence.url must be an http:// or https:// URL with a host" in errors[0]
        assert errors[1] == "reboot_cycle_silence.lease_minutes must be between 1 and 240, got 1000.0"
        assert errors[2].startswith("reboot_cycle_silence.matchers: no value names the host")
        errors = run_check({"maintenance_hosts": "all", "reboot_cycle_silence": {
            "url": "https://am:9093", "bogus": 1, "auth": {"token": "s3cr3t-token", "user": "u"}}},
            now="2026-12-01T08:40:00Z", playbook=playbook)["errors"]
        assert errors and all("s3cr3t-token" not in error for error in errors)
        assert any("reboot_cycle_silence.bogus" in error for error in errors), errors
    good = {"maintenance_hosts": "all", "reboot_cycle_silence": {"url": "https://am:9093"}}
    assert run_check(good, now="2026-12-01T08:40:00Z")["errors"] == []
    assert run_check({"maintenance_hosts": "all", "reboot_cycle_silence": {}},
                     now="2026-12-01T08:40:00Z")["errors"] == []


# ---------------------------------------------------------------- every problem of every area at once

def test_run_check_lists_cycle_patch_and_report_problems():
    settings = {"reboot_cycle_settle_mode": "fast", "patch_enabled": "maybe", "patch_win_reboot_timeout": 0,
                "report_alert_days": 0, "report_formats": ["json", "pdf"], "report_dir": "/tmp/x",
                "patch_exclude": ["a*"], "reboot_cycle_max_cycles": 2}
    known = set(settings) | {"reboot_cycle_window_end"}
    result = _run.check_run(list(settings) + ["reboot_cycle_window_end"], "nonsense", known, NOW, settings)
    errors = result["errors"]
    assert len(errors) == 6, errors
    for name in ("reboot_cycle_settle_mode", "reboot_cycle_window_end", "patch_enabled", "patch_win_reboot_timeout",
                 "report_alert_days", "report_formats"):
        assert sum(name in error for error in errors) == 1, (name, errors)
    assert result["window_end"] is None


def test_run_check_with_good_settings_resolves_the_window():
    result = _run.check_run(["reboot_cycle_window_end"], "+2h", {"reboot_cycle_window_end"}, NOW,
                            {"patch_enabled": "false", "report_keep": "5"})
    assert result["errors"] == [] and result["window_end"] == "2026-12-01T10:40:00Z"


# ---------------------------------------------------------------- restart groups (group_problems, the group_check filter)

def test_members_that_disagree_and_bad_values_are_problems_naming_the_host_and_group():
    hosts = {
        "dc1": {"reboot_cycle_group": "dcs"},                                 # max_down left out: 1
        "dc2": {"reboot_cycle_group": ["dcs"], "reboot_cycle_group_max_down": "2"},
        "sql1": {"reboot_cycle_group": "sql", "reboot_cycle_group_max_down": "50%"},
        "sql2": {"reboot_cycle_group": "sql", "reboot_cycle_group_max_down": "50%"},
        "web1": {"reboot_cycle_group": "web/1"},
        "web2": {"reboot_cycle_group": "web", "reboot_cycle_group_max_down": 0},
        "plain": {},
    }
    assert _run.group_problems(hosts) == [
        "web1: reboot_cycle_group: 'web/1' is not a group name (letters, digits, '.', '_' and '-', not starting "
        "with '.' or '-', at most 100)",
        "web2: reboot_cycle_group_max_down must be an integer >= 1 or a percentage such as 50%, got 0",
        "the members of restart group dcs do not agree on reboot_cycle_group_max_down: 1 on dc1; 2 on dc2; give "
        "the group one value (a group variable)",
    ]


def test_members_that_agree_are_no_problem():
    hosts = dict(("h%d" % n, {"reboot_cycle_group": "pair-%d" % (n // 2), "reboot_cycle_group_max_down": "1"})
                 for n in range(6))
    assert _run.group_problems(hosts) == []


def test_the_run_start_names_the_problems_and_warns_when_forks_are_fewer_than_the_batch():
    hostvars = dict(("h%d" % n, {"reboot_cycle_group": "pair-%d" % (n // 2)}) for n in range(6))
    hostvars["h5"] = dict(hostvars["h5"], reboot_cycle_group_max_down=2)
    checked = _run_start.groups(sorted(hostvars), hostvars, sorted(hostvars), forks=4, strategy="linear")
    assert checked["errors"] == ["the members of restart group pair-2 do not agree on reboot_cycle_group_max_down: "
                                 "1 on h4; 2 on h5; give the group one value (a group variable)"]
    assert checked["warnings"] == [
        "forks (4) is less than this batch's 6 hosts: a host waiting for a restart group's slot holds a fork, so "
        "hosts of other groups may wait for a fork too; raise forks (-f) to at least 6"]


def test_the_deprecated_filter_prints_them():
    hostvars = {"a": {"reboot_cycle_group": "g", "reboot_cycle_group_max_down": 1},
                "b": {"reboot_cycle_group": "g", "reboot_cycle_group_max_down": 2}}
    display = mock.MagicMock()
    with mock.patch.object(cycle_filters, "Display", return_value=display), \
            mock.patch.object(cycle_filters.context, "CLIARGS", {"forks": 1}):
        checked = cycle_filters.group_check(sorted(hostvars), hostvars, sorted(hostvars))
    assert len(checked["errors"]) == 1 and len(checked["warnings"]) == 1
    display.display.assert_called_once_with("problem: " + checked["errors"][0], color=mock.ANY)
    display.warning.assert_called_once_with(checked["warnings"][0])


def test_without_groups_the_run_start_says_nothing():
    checked = _run_start.groups(["a", "b"], {"a": {}, "b": {}}, ["a", "b"], forks=1, strategy="linear")
    assert checked == {"errors": [], "warnings": [], "batch": ["a", "b"]}


# ---------------------------------------------------------------- the window's start
# The run check's window start (module_utils/_run.py): resolved once with the end, a start too far away or at
# or after the end stopped before any host is touched, and the one window line printed at play start.

# Tuesday 1 December 2026, 19:00 UTC = 20:00 in Berlin.
LAUNCH = datetime(2026, 12, 1, 19, 0, tzinfo=timezone.utc)
NAMES = ["reboot_cycle_window_end", "reboot_cycle_window_start"]


def check(start, end, now=LAUNCH, **more):
    settings = dict({"reboot_cycle_window_start": start}, **more)
    return _run.check_run(NAMES + list(more), end, KNOWN, now, settings)


def test_the_window_is_resolved_once_and_printed_on_one_line():
    result = check("22:00 Europe/Berlin", "02:00 Europe/Berlin")
    assert result["errors"] == []
    assert (result["window_start"], result["window_end"]) == ("2026-12-01T21:00:00Z", "2026-12-02T01:00:00Z")
    assert result["window_start_given"] == "22:00 Europe/Berlin" and result["patch_before_window"] is True
    assert result["window_line"] == (u"window 22:00\u201302:00 Europe/Berlin = 2026-12-01T21:00:00Z\u2013"
                                     u"2026-12-02T01:00:00Z; no restart before the start (2h00m from now); run started "
                                     u"2026-12-01T19:00:00Z; blackouts: none")


def test_the_blackouts_end_the_one_window_line():
    """The play-start line is one line: the window, the run's start, then the blackouts resolved with them."""
    result = check("22:00 Europe/Berlin", "02:00 Europe/Berlin",
                   maintenance_blackouts="backups: 2026-12-02T00:30:00Z to 2026-12-02T02:00:00Z")
    assert result["errors"] == []
    assert result["window_line"] == (u"window 22:00\u201302:00 Europe/Berlin = 2026-12-01T21:00:00Z\u2013"
                                     u"2026-12-02T01:00:00Z; no restart before the start (2h00m from now); run started "
                                     u"2026-12-01T19:00:00Z; blackouts: backups 2026-12-02T00:30:00Z\u2013"
                                     u"2026-12-02T02:00:00Z")
    assert result["blackouts_line"] in result["window_line"]


def test_a_job_launched_inside_its_window_does_not_wait():
    result = check("22:00 Europe/Berlin", "02:00 Europe/Berlin", now=datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc))
    assert result["errors"] == [] and result["window_start"] == "2026-12-01T21:00:00Z"
    assert "no restart before" not in result["window_line"]


def test_the_window_line_takes_more_parts():
    line = _run.window_line("2026-12-01T19:00:00Z", "2026-12-01T21:00:00Z", None, "+2h", None,
                            extra=["blackouts: none", ""])
    assert line == (u"window +2h\u2013no end = 2026-12-01T21:00:00Z\u2013no end; no restart before the start (2h00m "
                    u"from now); run started 2026-12-01T19:00:00Z; blackouts: none")


def test_a_start_at_or_after_the_end_is_a_problem():
    result = check("+5h", "+4h")
    assert result["errors"] == ["reboot_cycle_window_start '+5h' starts at 2026-12-02T00:00:00Z, at or after the "
                                "window's end 2026-12-01T23:00:00Z (reboot_cycle_window_end): no restart could be "
                                "made; give a start before the end"]
    assert result["window_start"] is None and result["window_end"] is None


def test_a_start_more_than_a_day_away_is_a_problem():
    result = check("2026-12-02T19:00:01Z", None)
    assert result["errors"] == ["reboot_cycle_window_start '2026-12-02T19:00:01Z' is 2026-12-02T19:00:01Z, 24h00m "
                                "after this run started (2026-12-01T19:00:00Z): more than 24 hours away; start the job "
                                "nearer its window, or give a nearer start"]
    assert check("2026-12-02T19:00:00Z", None)["errors"] == []


def test_patching_before_the_start_with_windows_update_restarts_is_a_problem():
    result = check("+1h", "+4h", patch_win_reboot=True)
    assert result["errors"] == ["patch_win_reboot=true lets Windows Update restart hosts while they are patched, "
                                "before the window's start at 2026-12-01T20:00:00Z; set "
                                "maintenance_patch_before_window=false (patching then waits for the start) or "
                                "patch_win_reboot=false"]
    waited = check("+1h", "+4h", patch_win_reboot=True, maintenance_patch_before_window="false")
    assert waited["errors"] == [] and waited["patch_before_window"] is False
    assert check("+1h", "+4h", maintenance_patch_before_window="sometimes")["errors"] == [
        "maintenance_patch_before_window must be true or false (also yes/no, on/off, 1/0, any case), got 'sometimes'"]


# ---------------------------------------------------------------- edges, with hand-written answers

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
    names = KNOWN
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
    assert _run.near_miss(name, KNOWN) == closest
