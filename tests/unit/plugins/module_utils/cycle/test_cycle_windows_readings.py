# -*- coding: utf-8 -*-
"""The cycle's decisions from Windows probe readings: recorded raw readings -> assess() -> plan().

The readings are the reboot_facts fixtures (what win_reboot_probe.ps1 returns); a sequence moves
their clock (``now``, ``last_boot``) the way a restart and a settle would.
"""

from __future__ import absolute_import, division, print_function

from datetime import timedelta

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _time
from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess
from ansible_collections.fleetops.sophos.tests.unit.readings import SCCM_KEYS, windows_probe

SETTINGS = {"settle_minutes": 20, "poll_seconds": 60}


def probe(name, boot=None, now=None):
    raw = windows_probe(name, SCCM_KEYS)
    if boot is not None:
        raw["last_boot"] = _time.iso(boot)
    if now is not None:
        raw["now"] = _time.iso(now)
    return raw


def at(name, boot=None, now=None, previous=None):
    return assess(probe(name, boot, now), previous=previous)


def t(value):
    return _time.parse_time(value, "t")


def test_flag_set_restarts_clean_is_done():
    facts = at("reboot-dword")
    now = t(facts["os"]["last_boot"]) + timedelta(days=26)
    state = _cycle.start(facts, _cycle.normalize_settings(SETTINGS, now), now)
    assert _cycle.plan(facts, state, now)["step"] == "reboot"
    clean = at("endpoint-clean")
    assert _cycle.plan(clean, _cycle.start(clean, _cycle.normalize_settings(SETTINGS, now), now), now)["step"] == "done"


def test_flag_set_again_after_restart_is_queued_then_clean():
    first = at("reboot-dword")
    now = t(first["now"]) if first.get("now") else t("2026-11-27T08:00:00Z")
    state = _cycle.start(first, _cycle.normalize_settings(SETTINGS, now), now)
    assert _cycle.plan(first, state, now)["step"] == "reboot"

    boot1 = now + timedelta(minutes=2)
    after = at("endpoint-clean", boot=boot1, now=boot1 + timedelta(seconds=40), previous=first)
    state = _cycle.restarted(state, after, boot1 + timedelta(seconds=40))
    settle = _cycle.settle_state(after, _cycle.normalize_settings(SETTINGS, boot1 + timedelta(seconds=40)), boot1 + timedelta(seconds=40))
    assert settle["wait"]

    again = at("reboot-dword", boot=boot1, now=boot1 + timedelta(minutes=6), previous=after)
    assert again["reboot_required"]
    settle = _cycle.settle_state(again, _cycle.normalize_settings(SETTINGS, boot1 + timedelta(minutes=6)), boot1 + timedelta(minutes=6))
    assert (settle["wait"], settle["ended"]) == (False, "reboot_required")
    state = _cycle.settled(state, settle)
    decision = _cycle.plan(again, state, boot1 + timedelta(minutes=6))
    assert decision["step"] == "reboot" and "restart 2 of at most 2" in decision["reason"]

    # ... then clean: the second restart clears the flag; the settle runs its interval; done.
    boot2 = boot1 + timedelta(minutes=9)
    clean = at("endpoint-clean", boot=boot2, now=boot2 + timedelta(seconds=40), previous=again)
    assert clean["reboot_required"] is False
    state = _cycle.restarted(state, clean, boot2 + timedelta(seconds=40))
    assert _cycle.settle_state(clean, _cycle.normalize_settings(SETTINGS, boot2 + timedelta(seconds=40)), boot2 + timedelta(seconds=40))["wait"] is True
    clean = at("endpoint-clean", boot=boot2, now=boot2 + timedelta(minutes=20), previous=clean)
    settle = _cycle.settle_state(clean, _cycle.normalize_settings(SETTINGS, boot2 + timedelta(minutes=20)), boot2 + timedelta(minutes=20))
    assert (settle["wait"], settle["ended"]) == (False, "interval")
    state = _cycle.settled(state, settle)
    decision = _cycle.plan(clean, state, boot2 + timedelta(minutes=20))
    assert (decision["step"], decision["status"]) == ("done", "rebooted")
    assert decision["reason"].startswith("clean after 2 restart(s)")
    record = _cycle.result(state, decision, clean, boot2 + timedelta(minutes=20))
    assert record["restarts"] == 2 and record["status"] == "rebooted"


def test_is_updating_during_settle_keeps_waiting():
    boot = t(at("updating-queued")["os"]["last_boot"])
    facts = at("updating-queued", now=boot + timedelta(minutes=6))
    assert facts["sophos"]["updating"]
    settle = _cycle.settle_state(facts, _cycle.normalize_settings(SETTINGS, boot + timedelta(minutes=6)), boot + timedelta(minutes=6))
    assert settle["wait"] and "running" in settle["waiting_for"]


def test_no_update_reported_waits_the_full_interval():
    boot = t("2026-11-27T08:00:00Z")
    quiet = at("endpoint-clean", boot=boot, now=boot + timedelta(minutes=19))
    assert quiet["sophos"]["updated_since_boot"] is False
    assert _cycle.settle_state(quiet, _cycle.normalize_settings(SETTINGS, boot + timedelta(minutes=19)), boot + timedelta(minutes=19))["wait"]
    later = at("endpoint-clean", boot=boot, now=boot + timedelta(minutes=20))
    assert _cycle.settle_state(later, _cycle.normalize_settings(SETTINGS, boot + timedelta(minutes=20)), boot + timedelta(minutes=20))["ended"] == "interval"


def test_settle_reads_the_probe_clock_not_the_controller_clock():
    """The Windows probe's own ``now`` (checked_at) measures the time since boot; a controller
    clock 10 minutes ahead neither ends the settle early nor a slow one stretches it."""
    boot = t("2026-11-27T08:00:00Z")
    reading = at("endpoint-clean", boot=boot, now=boot + timedelta(minutes=5))
    assert reading["checked_at"] == "2026-11-27T08:05:00Z"
    for controller in (boot + timedelta(minutes=15), boot + timedelta(minutes=25), boot):
        settle = _cycle.settle_state(reading, _cycle.normalize_settings(SETTINGS, controller), controller)
        assert settle["wait"] and settle["seconds_left"] == 15 * 60


def test_still_pending_after_max_cycles():
    facts = at("reboot-dword")
    now = t("2026-11-27T08:00:00Z")
    state = _cycle.start(facts, _cycle.normalize_settings(SETTINGS, now), now)
    for restart in range(2):
        state = _cycle.restarted(state, facts, now)
        state["settled"] = True
    decision = _cycle.plan(facts, state, now)
    assert (decision["step"], decision["status"]) == ("fail", "still_pending")


def test_weak_pending_file_rename_alone_never_restarts():
    facts = at("os-reasons")
    weak_only = dict(facts, reasons=[r for r in facts["reasons"] if not r["strong"]])
    assert weak_only["reasons"], "the fixture should carry a weak reason"
    now = t("2026-11-27T08:00:00Z")
    decision = _cycle.plan(weak_only, _cycle.start(weak_only, _cycle.normalize_settings(SETTINGS, now), now), now)
    assert decision["step"] == "done" and "weak" in decision["reason"]


def test_unhealthy_after_restart_fails():
    facts = at("health-bad")
    now = t("2026-11-27T08:00:00Z")
    state = _cycle.restarted(_cycle.start(facts, _cycle.normalize_settings(SETTINGS, now), now), facts, now)
    state["settled"] = True
    decision = _cycle.plan(dict(facts, reasons=[]), state, now)
    assert (decision["step"], decision["status"]) == ("fail", "failed")
