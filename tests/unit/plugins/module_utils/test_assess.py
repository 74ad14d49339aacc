"""assess(), the entry (_assess.py): options, the verdicts, pending since, the alert, the
queued-update evidence and what the readings carry."""

import copy

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess
from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess
from ansible_collections.fleetops.sophos.tests.unit.assess_readings import (
    ALC, BOOT_EPOCH, NOW, NOW_EPOCH, iso, linux, linux_edge, linux_unread, spl, spl_state, spl_unread,
)


# ============================================================================
# assess() over Linux readings: SPL files, legacy SAV, and the OS restart checks, in their real formats.


# --------------------------------------------------------------------------- legacy SAV


# --------------------------------------------------------------------------- options, history, time


def test_ignore_reasons():
    osr = {"reboot_required_file": {"mtime": "2026-11-01T00:00:00Z", "pkgs": None}}
    facts = assess(linux(os_reading=osr), {"ignore_reasons": ["reboot_required_file"]})
    assert facts["reasons"] == [] and facts["ignored_reasons"] == ["reboot_required_file"]
    assert facts["reboot_required"] is False and facts["alert"] is False and facts["pending_since"] is None


def test_first_sighting_is_carried_within_the_same_boot():
    raw = linux(spl({ALC: "ALC_status.reboot-urgent.xml"}))
    first = assess(dict(raw, now="2026-11-26T08:00:00Z"))
    assert first["pending_since"] == "2026-11-26T08:00:00Z"
    second = assess(raw, previous=first)
    assert second["pending_since"] == "2026-11-26T08:00:00Z" and second["pending_days"] == 1.0
    assert second["sophos"]["queued_update"]["suspected"] is False


def test_flag_set_again_after_a_restart_is_queued_evidence():
    raw = linux(spl({ALC: "ALC_status.reboot-urgent.xml"}))
    before = assess(dict(raw, now="2026-11-20T08:00:00Z", last_boot="2026-10-01T00:00:00Z", boot_id="old"))
    after = assess(raw, previous=before)
    assert after["sophos"]["queued_update"]["evidence"][0] == (
        "Sophos reboot flag set again after a restart (previous boot 2026-10-01T00:00:00Z)")
    # A new boot starts a new pending period.
    assert after["pending_since"] == NOW


def test_previous_without_boot_id_compares_boot_times():
    raw = linux(spl({ALC: "ALC_status.reboot-urgent.xml"}), boot_id=None)
    previous = {"reboot_required": True, "pending_since": "2026-11-26T07:00:00Z",
                "sophos": {"reboot_required": True}, "os": {"last_boot": "2026-11-26T06:00:30Z"}}
    facts = assess(raw, previous=previous)
    assert facts["pending_since"] == "2026-11-26T07:00:00Z"
    assert facts["sophos"]["queued_update"]["suspected"] is False


def test_long_uptime_and_running_update_with_pending_restart():
    raw = linux(spl({ALC: "ALC_status.reboot-urgent.xml"}, markers={"var/sophosspl/upgrade_marker_file": True}),
                last_boot="2026-06-01T00:00:00Z")
    evidence = assess(raw)["sophos"]["queued_update"]["evidence"]
    assert evidence == ["an update is running while a restart is pending",
                        "up 179.33 days with a restart pending"]


@pytest.mark.parametrize("raw, sources", [
    (None, ["probe", "probe"]),
    ({}, ["probe", "probe"]),
    ({"family": "linux"}, ["probe"]),
    ({"family": "bsd", "now": NOW}, ["probe"]),
    ({"family": "linux", "now": "yesterday"}, ["probe"]),
    ({"family": "linux", "now": NOW, "last_boot": 12, "spl": {"files": {ALC: {"text": None}}}},
     ["os:last_boot", "spl:" + ALC]),
    ({"family": "linux", "now": NOW, "spl": {"files": {ALC: {"text": "<status><autoUpdate><rebootState>"}}}},
     ["spl:" + ALC]),
    ({"family": "linux", "now": NOW, "os": {"needs_restarting": "exit 1"}}, ["os:needs-restarting -r"]),
    ({"family": "linux", "now": NOW, "spl": {"reports": {"update_report.json": {"text": "[]"}}}},
     ["spl:base/update/var/updatescheduler/update_report.json"]),
    pytest.param({"family": "windows", "now": NOW, "sophos": [{"root": None, "keys": {"AutoUpdate": "x"}}],
                  "os_keys": []}, ["registry:HKLM\\None\\AutoUpdate"],
                 marks=pytest.mark.xfail(strict=True,
                                         reason="a Windows registry reading of the wrong type is not reported yet")),
])
def test_garbage_never_raises_and_is_reported(raw, sources):
    facts = assess(copy.deepcopy(raw))
    assert set(facts) >= {"reboot_required", "reasons", "sophos", "os", "pending_since", "alert", "read_errors"}
    assert [error["source"] for error in facts["read_errors"]] == sources
    assert all(error["error"] for error in facts["read_errors"])


def test_check_options():
    assert _assess.check_options(dict(_assess.DEFAULT_OPTIONS)) == []
    problems = _assess.check_options({"alert_days": 0, "sophos_dir": "opt/sophos", "ignore_reasons": ["nope"],
                                      "sophos_registry_roots": ["HKLM:\\SOFTWARE\\Sophos"]})
    assert len(problems) == 4
    assert problems[0] == "alert_days must be greater than 0, got 0"
    assert "nope" in problems[3] and "sophos_reboot_required" in problems[3]


# ============================================================================
# Unknown is never "no": every source that exists but cannot be read, and what it does to reboot_required.


# --------------------------------------------------------------------------- the rule

def test_nothing_unreadable_is_false():
    facts = assess(linux_unread(spl_unread()))
    assert (facts["reboot_required"], facts["sophos"]["reboot_required"], facts["os"]["reboot_required"]) ==\
        (False, False, False)
    assert facts["unknown_sources"] == []


def test_known_strong_reason_wins_over_unknown():
    reading = spl_unread(files={ALC: {"error": "cannot read: [Errno 13] Permission denied", "denied": True}})
    facts = assess(linux_unread(reading, {"reboot_required_file": {"mtime": "2026-11-26T07:00:00Z", "pkgs": None},
                                          "kernel_release": "x"}))
    assert facts["reboot_required"] is True and facts["os"]["reboot_required"] is True
    assert facts["sophos"]["reboot_required"] is None  # Sophos' own state is still unknown
    assert facts["unknown_sources"] == []


# ============================================================================
# assess()'s edges, each at, below and above, from minimal readings with hand-computed answers.
#
# Times: NOW 2026-11-27T08:00:00Z = epoch 1795766400; BOOT 2026-11-26T06:00:00Z = epoch 1795672800 (date -u +%s).
# A day is 86400 s; 0.01 day is 864 s (pending_days and uptime_days are rounded to 0.01).


def pending_file(mtime):
    return {"reboot_required_file": {"mtime": iso(mtime), "pkgs": ""}}


# ------------------------------------------------------------------ alert age

@pytest.mark.parametrize("since, days, alert", [
    (NOW_EPOCH - 14 * 86400 + 864, 13.99, False),
    (NOW_EPOCH - 14 * 86400, 14.0, False),          # at the edge: not yet
    (NOW_EPOCH - 14 * 86400 - 864, 14.01, True),
])
def test_alert_age_edge(since, days, alert):
    facts = assess(linux_edge(pending_file(since)))
    assert facts["pending_since"] == iso(since) and facts["pending_since_source"] == "source"
    assert (facts["pending_days"], facts["alert"]) == (days, alert)


@pytest.mark.parametrize("alert_days, alert", [(13, True), (14, False), (15, False)])
def test_alert_days_option(alert_days, alert):
    facts = assess(linux_edge(pending_file(NOW_EPOCH - 14 * 86400)), {"alert_days": alert_days})
    assert facts["alert"] is alert


def test_pending_since_in_the_future_is_zero_days_and_now_is_zero():
    facts = assess(linux_edge(pending_file(NOW_EPOCH + 3600)))
    assert facts["pending_days"] == 0.0 and facts["pending_since"] == iso(NOW_EPOCH + 3600)
    assert assess(linux_edge(pending_file(NOW_EPOCH - 864)))["pending_days"] == 0.01
    assert assess(linux_edge(pending_file(NOW_EPOCH)))["pending_days"] == 0.0


def test_no_restart_pending_has_no_age_and_no_alert():
    facts = assess(linux_edge())
    assert (facts["reboot_required"], facts["pending_since"], facts["pending_days"], facts["alert"],
            facts["pending_since_source"]) == (False, None, None, False, None)


def test_pending_since_first_seen_when_no_source_time():
    facts = assess(linux_edge({"needs_restarting": {"rc": 1, "stdout": "", "stderr": ""}}))
    assert (facts["pending_since"], facts["pending_since_source"], facts["pending_days"]) == (
        iso(NOW_EPOCH), "first_seen", 0.0)


@pytest.mark.parametrize("alert_days, problems", [
    (0, ["alert_days must be greater than 0, got 0"]), (-1, ["alert_days must be greater than 0, got -1"]),
    (1, []), (None, []),
])
def test_check_options_alert_days_edge(alert_days, problems):
    assert _assess.check_options({"alert_days": alert_days}) == problems


# ------------------------------------------------------------------ previous pending_since, same boot or not

def previous(last_boot=None, boot_id=None, since=NOW_EPOCH - 14 * 86400, required=True, source="first_seen"):
    return {"reboot_required": required, "pending_since": iso(since), "pending_since_source": source,
            "os": {"last_boot": iso(last_boot) if last_boot else None, "boot_id": boot_id}}


NEEDS = {"needs_restarting": {"rc": 1, "stdout": "", "stderr": ""}}


@pytest.mark.parametrize("prev_boot, carried", [
    (BOOT_EPOCH, True), (BOOT_EPOCH - 60, True),    # a minute apart is the same boot (rounding)
    (BOOT_EPOCH - 61, False),
])
def test_previous_boot_edge(prev_boot, carried):
    facts = assess(linux_edge(NEEDS), previous=previous(prev_boot))
    if carried:
        assert (facts["pending_since"], facts["pending_since_source"], facts["pending_days"]) == (
            iso(NOW_EPOCH - 14 * 86400), "first_seen", 14.0)
    else:
        assert (facts["pending_since"], facts["pending_since_source"]) == (iso(NOW_EPOCH), "first_seen")


@pytest.mark.parametrize("prev_id, carried", [("b0", True), ("b1", False)])
def test_previous_boot_id_decides_over_the_time(prev_id, carried):
    # The boot ids decide even when the boot times say otherwise.
    facts = assess(linux_edge(NEEDS, boot_id="b0"), previous=previous(BOOT_EPOCH - 3600, boot_id=prev_id))
    assert (facts["pending_since"] == iso(NOW_EPOCH - 14 * 86400)) is carried


def test_previous_not_required_or_later_is_not_carried():
    assert assess(linux_edge(NEEDS), previous=previous(BOOT_EPOCH, required=False))["pending_since"] == iso(NOW_EPOCH)
    # An own source time earlier than the previous one wins; a later own one loses to the previous.
    own = assess(linux_edge(pending_file(NOW_EPOCH - 14 * 86400 - 864)), previous=previous(BOOT_EPOCH))
    assert (own["pending_since"], own["pending_since_source"]) == (iso(NOW_EPOCH - 14 * 86400 - 864), "source")
    later = assess(linux_edge(pending_file(NOW_EPOCH - 864)), previous=previous(BOOT_EPOCH, source="source"))
    assert (later["pending_since"], later["pending_since_source"]) == (iso(NOW_EPOCH - 14 * 86400), "source")
    unnamed = assess(linux_edge(NEEDS), previous=previous(BOOT_EPOCH, source=None))
    assert unnamed["pending_since_source"] == "first_seen"


# ------------------------------------------------------------------ updated since boot


@pytest.mark.parametrize("last_good, since_boot", [
    (BOOT_EPOCH - 1, False), (BOOT_EPOCH, False), (BOOT_EPOCH + 1, True),
])
def test_updated_since_boot_edge(last_good, since_boot):
    sophos = assess(linux_edge(spl=spl_state(last_good)))["sophos"]
    assert sophos["last_update"] == iso(last_good)
    assert sophos["updated_since_boot"] is since_boot
    assert sophos["last_update_ok"] is True


def test_updated_since_boot_unknown_without_boot_or_update():
    assert assess(linux_edge(spl=spl_state(BOOT_EPOCH + 1), last_boot=None))["sophos"]["updated_since_boot"] is None
    assert assess(linux_edge(spl=spl_state("junk")))["sophos"]["updated_since_boot"] is None
    assert assess(linux_edge())["sophos"]["updated_since_boot"] is None


# ------------------------------------------------------------------ long uptime with a restart pending

def queued_spl():
    return dict(spl_state(BOOT_EPOCH - 100))


@pytest.mark.parametrize("boot, uptime, evidence", [
    (NOW_EPOCH - 30 * 86400 + 864, 29.99, []),
    (NOW_EPOCH - 30 * 86400, 30.0, ["up 30.0 days with a restart pending"]),
])
def test_long_uptime_edge(boot, uptime, evidence):
    facts = assess(linux_edge(NEEDS, spl=queued_spl(), boot=boot))
    assert facts["os"]["uptime_days"] == uptime
    assert facts["sophos"]["queued_update"] == {"suspected": bool(evidence), "evidence": evidence}


def test_long_uptime_without_pending_restart_is_no_evidence():
    facts = assess(linux_edge(spl=queued_spl(), boot=NOW_EPOCH - 30 * 86400))
    assert facts["sophos"]["queued_update"] == {"suspected": False, "evidence": []}


def test_uptime_edges():
    assert assess(linux_edge(boot=NOW_EPOCH))["os"]["uptime_days"] == 0.0
    assert assess(linux_edge(boot=NOW_EPOCH + 3600))["os"]["uptime_days"] is None  # boot after now: unknown
    assert assess(linux_edge(boot=NOW_EPOCH - 864))["os"]["uptime_days"] == 0.01


@pytest.mark.parametrize("options, problems", [
    ({"sophos_dir": "/opt/sophos-spl"}, []),
    ({"sophos_dir": "opt/sophos-spl"}, ["sophos_dir must be an absolute path, got 'opt/sophos-spl'"]),
    ({"sophos_registry_roots": ["SOFTWARE\\Sophos"]}, []),
    ({"sophos_registry_roots": ["HKLM:\\SOFTWARE\\Sophos", "\\SOFTWARE", "SOFTWARE/Sophos", ""]},
     ["sophos_registry_roots entries are key paths under HKLM such as 'SOFTWARE\\Sophos', got %r" % root
      for root in ("HKLM:\\SOFTWARE\\Sophos", "\\SOFTWARE", "SOFTWARE/Sophos", "")]),
    ({"ignore_reasons": ["kernel_updated", "nope", "also"]},
     ["ignore_reasons has unknown reason ids also, nope; known ids: " + ", ".join(_assess.KNOWN_REASONS)]),
])
def test_check_options_messages(options, problems):
    assert _assess.check_options(options) == problems


def test_boot_id_on_one_side_only_falls_back_to_the_times():
    # The previous reading has a boot id, this one has none: the boot times decide (same boot here).
    facts = assess(linux_edge(NEEDS), previous=previous(BOOT_EPOCH, boot_id="b0"))
    assert facts["pending_since"] == iso(NOW_EPOCH - 14 * 86400)


def test_readings_without_a_family_or_with_a_bad_boot_time_are_named_in_full():
    facts = assess({"now": iso(NOW_EPOCH), "last_boot": "yesterday"})
    assert facts["read_errors"] == [
        {"source": "probe", "error": "readings carry no family (linux or windows)"},
        {"source": "os:last_boot", "error": "not an ISO-8601 time: 'yesterday'"},
    ]
    assert facts["os"]["family"] is None and facts["os"]["last_boot"] is None
