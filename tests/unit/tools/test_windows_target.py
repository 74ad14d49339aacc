"""The Windows integration target (tests/integration/targets/reboot_facts_windows), read as data.

No Windows host exists where this collection is built; these checks keep the target from asserting what
a host without Sophos, or a host read between 7.2 and 10 minutes after boot, cannot give (issue 23, point 12).
"""
import os

import yaml

TARGET = os.path.join(os.path.dirname(__file__), "..", "..", "integration", "targets", "reboot_facts_windows",
                      "tasks", "main.yml")


def _tasks():
    with open(TARGET, encoding="utf-8") as handle:
        plays = yaml.safe_load(handle)
    stack, found = list(plays), []
    while stack:
        task = stack.pop(0)
        found.append(task)
        for key in ("block", "rescue", "always"):
            stack.extend(task.get(key) or [])
    return plays, found


def _asserts(tasks):
    return [c for t in tasks if "ansible.builtin.assert" in t for c in t["ansible.builtin.assert"]["that"]]


def test_no_assertion_needs_sophos_or_a_reading_without_read_errors():
    _plays, tasks = _tasks()
    conditions = _asserts(tasks)
    assert conditions
    assert not [c for c in conditions if c.replace(" ", "").endswith("read_errors==[]")], conditions


def test_the_start_up_grace_is_judged_to_the_second():
    _plays, tasks = _tasks()
    text = yaml.safe_dump(tasks)
    assert "uptime_days * 1440" not in text
    [task] = [t for t in tasks if str(t.get("name", "")).startswith("A stopped automatic service")]
    assert "checked_at" in task["vars"]["since_boot"] and "< 600" in task["vars"]["expected"]


def test_one_real_cycle_runs_only_when_asked():
    plays, tasks = _tasks()
    [cycle] = [t for t in tasks if "fleetops.sophos.reboot_cycle" in t]
    assert cycle["fleetops.sophos.reboot_cycle"]["max_cycles"] == 1 and cycle["fleetops.sophos.reboot_cycle"]["force"]
    [guarded] = [p for p in plays if cycle in (p.get("block") or [])]
    assert guarded["when"] == "fleetops_windows_run_cycle | default(false) | bool"
