# -*- coding: utf-8 -*-
"""The update trigger's outcomes (module_utils/_cycle.py), each module answer to the exact outcome the
cycle shows: started, joined, nothing to trigger (said once), or failed (a warning)."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle

UNIT = "sophos-spl-update.service"
TOOL = "C:\\Program Files (x86)\\Sophos\\AutoUpdate\\SAUcli.exe"


def outcome(triggered, note, show=True, warn=False):
    return {"triggered": triggered, "note": note, "show": show, "warn": warn}


# ---------------------------------------------------------------- Linux: systemctl show of the unit

@pytest.mark.parametrize("command_result, expected", [
    ({"rc": 0, "stdout": "LoadState=loaded\nActiveState=inactive\n"}, None),
    ({"rc": None, "stdout": "ActiveState=active\nLoadState=loaded"}, None),
    ({"rc": 0, "stdout": "  LoadState = not-found \nActiveState=inactive"},
     outcome(None, UNIT + " is not-found on this host: no update to start; the settle runs as before")),
    ({"stdout": "LoadState=masked"},
     outcome(None, UNIT + " is masked on this host: no update to start; the settle runs as before")),
    ({"rc": 0, "stdout": "LoadState=error"},
     outcome(False, "could not read " + UNIT + ": LoadState 'error' in 'LoadState=error'", warn=True)),
    # A line without "=" is no property: no LoadState read at all.
    ({"rc": 0, "stdout": "LoadState loaded"},
     outcome(False, "could not read " + UNIT + ": LoadState None in 'LoadState loaded'", warn=True)),
    ({"rc": 0}, outcome(False, "could not read " + UNIT + ": LoadState None in None", warn=True)),
    ({"rc": 1, "stdout": "LoadState=loaded", "stderr": "Failed to connect to bus"},
     outcome(False, "could not read " + UNIT + ": Failed to connect to bus", warn=True)),
    ({"failed": True, "rc": 0, "msg": "Timeout", "stderr": "ignored", "stdout": "LoadState=loaded"},
     outcome(False, "could not read " + UNIT + ": Timeout", warn=True)),
    ({"rc": 3}, outcome(False, "could not read " + UNIT + ": no message", warn=True)),
])
def test_unit_reading(command_result, expected):
    assert _cycle.unit_reading(command_result) == expected


@pytest.mark.parametrize("service_result, expected", [
    ({"changed": True, "state": "started"}, outcome(True, "started " + UNIT + " (not waited for)")),
    ({"changed": False, "state": "started"},
     outcome(True, UNIT + " was running already: joined it, nothing started twice")),
    ({"failed": True, "changed": True, "msg": "Unable to start service: Access denied"},
     outcome(False, "starting " + UNIT + " failed: Unable to start service: Access denied", warn=True)),
    ({"unreachable": True, "changed": True}, outcome(False, "starting " + UNIT + " failed: no message", warn=True)),
])
def test_unit_started(service_result, expected):
    assert _cycle.unit_started(service_result) == expected


# ---------------------------------------------------------------- Windows: SAUcli.exe UpdateNow

@pytest.mark.parametrize("module_result, expected", [
    ({"path": TOOL, "exited": True, "rc": 0}, outcome(True, TOOL + " UpdateNow exited 0")),
    ({"path": TOOL, "exited": False, "wait_seconds": 30, "rc": 1},
     outcome(True, TOOL + " UpdateNow started, still running after 30 s (left running)")),
    # Issue 23, point 9: the tool runs as a one-shot scheduled task that survives the module's end.
    ({"path": TOOL, "exited": False, "wait_seconds": 30, "task": "fleetops-sophos-update-now", "joined": False},
     outcome(True, TOOL + " UpdateNow started, still running after 30 s (left running as the scheduled task "
                          "fleetops-sophos-update-now)")),
    ({"path": TOOL, "exited": False, "wait_seconds": 30, "task": "fleetops-sophos-update-now", "joined": True},
     outcome(True, TOOL + " UpdateNow was running already (scheduled task fleetops-sophos-update-now): joined it, "
                          "nothing started twice")),
    ({"path": TOOL, "exited": True, "rc": 2, "output": "  update already in progress\r\n"},
     outcome(False, TOOL + " UpdateNow exited 2: update already in progress", warn=True)),
    ({"path": TOOL, "exited": True, "rc": 2, "output": "   "}, outcome(False, TOOL + " UpdateNow exited 2", warn=True)),
    ({"path": TOOL, "exited": True, "rc": None}, outcome(False, TOOL + " UpdateNow exited None", warn=True)),
    ({"path": "", "searched": ["C:\\A\\AutoUpdate", "C:\\B\\AutoUpdate"]},
     outcome(None, "no SAUcli.exe in the Sophos AutoUpdate directories (C:\\A\\AutoUpdate, C:\\B\\AutoUpdate): "
                   "no update to start; the settle runs as before")),
    ({"path": None},
     outcome(None, "no SAUcli.exe in the Sophos AutoUpdate directories (): no update to start; "
                   "the settle runs as before")),
    ({"failed": True, "path": TOOL, "exited": True, "rc": 0, "msg": "Access is denied"},
     outcome(False, "SAUcli.exe UpdateNow failed: Access is denied", warn=True)),
    ({"unreachable": True, "path": TOOL, "exited": True, "rc": 0},
     outcome(False, "SAUcli.exe UpdateNow failed: no message", warn=True)),
])
def test_tool_started(module_result, expected):
    assert _cycle.tool_started(module_result) == expected


def test_tool_output_is_cut_to_200_characters():
    result = _cycle.tool_started({"path": "S.exe", "exited": True, "rc": 5, "output": "x" * 199 + "yz"})
    assert result == outcome(False, "S.exe UpdateNow exited 5: " + "x" * 199 + "y", warn=True)


def test_trigger_entry_is_what_the_boot_records():
    assert _cycle.trigger_entry(outcome(None, "n", show=False)) == {"update_triggered": None, "update_trigger": "n"}
    assert _cycle.trigger_entry(outcome(True, "t")) == {"update_triggered": True, "update_trigger": "t"}


# ---------------------------------------------------------------- when nothing is tried

SOPHOS = {"reasons": [], "sophos": {"installed": True}}


def state(*triggered):
    """A cycle state whose boots are the one before the cycle, then one per restart (the last is the current)."""
    boots = [{"boot_id": "b0"}]
    for number, value in enumerate(triggered, start=1):
        boot = {"boot_id": "b%d" % number}
        if value != "-":
            boot["update_triggered"] = value
        boots.append(boot)
    return {"boots": boots}


@pytest.mark.parametrize("st, expected", [
    (state("-"), None),                        # the first restart: try
    (state(True, "-"), None),                  # started last time: try again
    (state(False, "-"), None),                 # failed last time: try again
    (state("-", "-"), None),                   # not tried after restart 1 (trigger off then): try
    (state(None, "-"), outcome(None, "not tried: nothing to trigger after restart 1", show=False)),
    (state(True, None, "-"), outcome(None, "not tried: nothing to trigger after restart 2", show=False)),
    # The current restart's own entry (the last boot) is not an earlier answer.
    (state(None), None),
    ({"boots": []}, None),
    ({}, None),
])
def test_trigger_skip_after_nothing_to_trigger(st, expected):
    assert _cycle.trigger_skip(st, SOPHOS) == expected


def test_trigger_skip_without_sophos():
    expected = outcome(None, "Sophos is not installed: no update to start; the settle runs as before")
    assert _cycle.trigger_skip(state("-"), {"reasons": [], "sophos": {"installed": False}}) == expected
    assert _cycle.trigger_skip(state("-"), {"reasons": []}) == expected
    # Said once: after that restart, the earlier answer is what counts.
    assert _cycle.trigger_skip(state(None, "-"), {"reasons": []})["note"] == (
        "not tried: nothing to trigger after restart 1")


def test_trigger_skip_needs_the_facts():
    with pytest.raises(_cycle.CycleError) as info:
        _cycle.trigger_skip(state("-"), {"sophos": {"installed": True}})
    assert str(info.value) == "facts must be ansible_facts.sophos_reboot (a dict with 'reasons'), got 'dict'"
