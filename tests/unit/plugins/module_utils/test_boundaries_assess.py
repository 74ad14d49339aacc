"""assess()'s edges, each at, below and above, from minimal readings with hand-computed answers.

Times: NOW 2026-11-27T08:00:00Z = epoch 1795766400; BOOT 2026-11-26T06:00:00Z = epoch 1795672800 (date -u +%s).
A day is 86400 s; 0.01 day is 864 s (pending_days and uptime_days are rounded to 0.01).
"""
import json

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess
from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess

NOW_EPOCH = 1795766400
BOOT_EPOCH = 1795672800
SMR = "base/update/var/updatescheduler/state_machine_raw_data.json"


def iso(epoch):
    # Written out by hand for the few instants used here, not computed by the code under test.
    return {
        NOW_EPOCH: "2026-11-27T08:00:00Z",
        BOOT_EPOCH: "2026-11-26T06:00:00Z",
        BOOT_EPOCH + 1: "2026-11-26T06:00:01Z",
        BOOT_EPOCH - 1: "2026-11-26T05:59:59Z",
        BOOT_EPOCH - 60: "2026-11-26T05:59:00Z",
        BOOT_EPOCH - 61: "2026-11-26T05:58:59Z",
        BOOT_EPOCH - 3600: "2026-11-26T05:00:00Z",
        NOW_EPOCH - 14 * 86400: "2026-11-13T08:00:00Z",
        NOW_EPOCH - 14 * 86400 - 864: "2026-11-13T07:45:36Z",
        NOW_EPOCH - 14 * 86400 + 864: "2026-11-13T08:14:24Z",
        NOW_EPOCH - 30 * 86400: "2026-10-28T08:00:00Z",
        NOW_EPOCH - 30 * 86400 + 864: "2026-10-28T08:14:24Z",
        NOW_EPOCH + 3600: "2026-11-27T09:00:00Z",
        NOW_EPOCH - 864: "2026-11-27T07:45:36Z",
    }[epoch]


def linux(os_reading=None, spl=None, boot=BOOT_EPOCH, boot_id=None, **extra):
    raw = {"family": "linux", "now": iso(NOW_EPOCH), "last_boot": iso(boot), "boot_id": boot_id,
           "os": os_reading or {}}
    if spl is not None:
        raw["spl"] = spl
    raw.update(extra)
    return raw


def pending_file(mtime):
    return {"reboot_required_file": {"mtime": iso(mtime), "pkgs": ""}}


# ------------------------------------------------------------------ alert age

@pytest.mark.parametrize("since, days, alert", [
    (NOW_EPOCH - 14 * 86400 + 864, 13.99, False),
    (NOW_EPOCH - 14 * 86400, 14.0, False),          # at the edge: not yet
    (NOW_EPOCH - 14 * 86400 - 864, 14.01, True),
])
def test_alert_age_edge(since, days, alert):
    facts = assess(linux(pending_file(since)))
    assert facts["pending_since"] == iso(since) and facts["pending_since_source"] == "source"
    assert (facts["pending_days"], facts["alert"]) == (days, alert)


@pytest.mark.parametrize("alert_days, alert", [(13, True), (14, False), (15, False)])
def test_alert_days_option(alert_days, alert):
    facts = assess(linux(pending_file(NOW_EPOCH - 14 * 86400)), {"alert_days": alert_days})
    assert facts["alert"] is alert


def test_pending_since_in_the_future_is_zero_days_and_now_is_zero():
    facts = assess(linux(pending_file(NOW_EPOCH + 3600)))
    assert facts["pending_days"] == 0.0 and facts["pending_since"] == iso(NOW_EPOCH + 3600)
    assert assess(linux(pending_file(NOW_EPOCH - 864)))["pending_days"] == 0.01
    assert assess(linux(pending_file(NOW_EPOCH)))["pending_days"] == 0.0


def test_no_restart_pending_has_no_age_and_no_alert():
    facts = assess(linux())
    assert (facts["reboot_required"], facts["pending_since"], facts["pending_days"], facts["alert"],
            facts["pending_since_source"]) == (False, None, None, False, None)


def test_pending_since_first_seen_when_no_source_time():
    facts = assess(linux({"needs_restarting": {"rc": 1, "stdout": "", "stderr": ""}}))
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
    facts = assess(linux(NEEDS), previous=previous(prev_boot))
    if carried:
        assert (facts["pending_since"], facts["pending_since_source"], facts["pending_days"]) == (
            iso(NOW_EPOCH - 14 * 86400), "first_seen", 14.0)
    else:
        assert (facts["pending_since"], facts["pending_since_source"]) == (iso(NOW_EPOCH), "first_seen")


@pytest.mark.parametrize("prev_id, carried", [("b0", True), ("b1", False)])
def test_previous_boot_id_decides_over_the_time(prev_id, carried):
    # The boot ids decide even when the boot times say otherwise.
    facts = assess(linux(NEEDS, boot_id="b0"), previous=previous(BOOT_EPOCH - 3600, boot_id=prev_id))
    assert (facts["pending_since"] == iso(NOW_EPOCH - 14 * 86400)) is carried


def test_previous_not_required_or_later_is_not_carried():
    assert assess(linux(NEEDS), previous=previous(BOOT_EPOCH, required=False))["pending_since"] == iso(NOW_EPOCH)
    # An own source time earlier than the previous one wins; a later own one loses to the previous.
    own = assess(linux(pending_file(NOW_EPOCH - 14 * 86400 - 864)), previous=previous(BOOT_EPOCH))
    assert (own["pending_since"], own["pending_since_source"]) == (iso(NOW_EPOCH - 14 * 86400 - 864), "source")
    later = assess(linux(pending_file(NOW_EPOCH - 864)), previous=previous(BOOT_EPOCH, source="source"))
    assert (later["pending_since"], later["pending_since_source"]) == (iso(NOW_EPOCH - 14 * 86400), "source")
    unnamed = assess(linux(NEEDS), previous=previous(BOOT_EPOCH, source=None))
    assert unnamed["pending_since_source"] == "first_seen"


# ------------------------------------------------------------------ updated since boot

def spl_state(last_good, markers=None):
    return {"dir": "/opt/sophos-spl", "files": {SMR: {"text": json.dumps({"LastGoodInstallTime": last_good,
                                                                          "InstallState": 0,
                                                                          "DownloadState": 0})}},
            "reports": {}, "markers": markers or {}, "services": {}}


@pytest.mark.parametrize("last_good, since_boot", [
    (BOOT_EPOCH - 1, False), (BOOT_EPOCH, False), (BOOT_EPOCH + 1, True),
])
def test_updated_since_boot_edge(last_good, since_boot):
    sophos = assess(linux(spl=spl_state(last_good)))["sophos"]
    assert sophos["last_update"] == iso(last_good)
    assert sophos["updated_since_boot"] is since_boot
    assert sophos["last_update_ok"] is True


def test_updated_since_boot_unknown_without_boot_or_update():
    assert assess(linux(spl=spl_state(BOOT_EPOCH + 1), last_boot=None))["sophos"]["updated_since_boot"] is None
    assert assess(linux(spl=spl_state("junk")))["sophos"]["updated_since_boot"] is None
    assert assess(linux())["sophos"]["updated_since_boot"] is None


@pytest.mark.parametrize("value, last_update", [
    (946684799, None), (946684800, "2000-01-01T00:00:00Z"), (4102444800, "2100-01-01T00:00:00Z"),
    (4102444801, None), (410244480000, None), (410244480001, None),
    (1795672801000, "2026-11-26T06:00:01Z"),  # milliseconds
])
def test_plausible_epoch_edges(value, last_update):
    assert assess(linux(spl=spl_state(value)))["sophos"]["last_update"] == last_update


def test_sav_last_update_edges():
    def sav(text):
        return assess(linux(sav={"last_update": {"text": text}}))

    assert sav("946684800\n")["sophos"]["last_update"] == "2000-01-01T00:00:00Z"
    bad = sav("946684799")
    assert bad["sophos"]["last_update"] is None
    assert bad["read_errors"] == [{"source": "sav:etc/update.last_update",
                                   "error": "not an epoch timestamp: '946684799'"}]


# ------------------------------------------------------------------ RESTARTNEEDED report after the boot

def report(finish):
    return {"update_report.json": {"text": json.dumps({"status": "RESTARTNEEDED", "finishTime": finish})}}


@pytest.mark.parametrize("finish, required", [
    ("20261126 055959", False), ("20261126 060000", False), ("20261126 060001", True),
])
def test_restartneeded_report_edge(finish, required):
    spl = dict(spl_state(BOOT_EPOCH - 100), reports=report(finish))
    facts = assess(linux(spl=spl))
    assert ("sophos_reboot_required" in [r["id"] for r in facts["reasons"]]) is required
    assert facts["sophos"]["reboot_required"] is required
    if required:
        assert facts["pending_since"] == "2026-11-26T06:00:01Z"
        assert facts["reasons"][0]["detail"] == "update report of 2026-11-26T06:00:01Z: status RESTARTNEEDED"
        assert facts["sophos"]["last_update_ok"] is False


def test_newest_report_decides_a_tie_goes_to_the_later_name():
    reports = {
        "update_report_a.json": {"text": json.dumps({"status": "SUCCESS", "finishTime": "20261126 070000"})},
        "update_report_b.json": {"text": json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 070000"})},
    }
    sophos = assess(linux(spl=dict(spl_state(BOOT_EPOCH - 100), reports=reports)))["sophos"]
    assert sophos["last_update_ok"] is False and sophos["last_update"] == "2026-11-26T07:00:00Z"


# ------------------------------------------------------------------ long uptime with a restart pending

def queued_spl():
    return dict(spl_state(BOOT_EPOCH - 100))


@pytest.mark.parametrize("boot, uptime, evidence", [
    (NOW_EPOCH - 30 * 86400 + 864, 29.99, []),
    (NOW_EPOCH - 30 * 86400, 30.0, ["up 30.0 days with a restart pending"]),
])
def test_long_uptime_edge(boot, uptime, evidence):
    facts = assess(linux(NEEDS, spl=queued_spl(), boot=boot))
    assert facts["os"]["uptime_days"] == uptime
    assert facts["sophos"]["queued_update"] == {"suspected": bool(evidence), "evidence": evidence}


def test_long_uptime_without_pending_restart_is_no_evidence():
    facts = assess(linux(spl=queued_spl(), boot=NOW_EPOCH - 30 * 86400))
    assert facts["sophos"]["queued_update"] == {"suspected": False, "evidence": []}


def test_uptime_edges():
    assert assess(linux(boot=NOW_EPOCH))["os"]["uptime_days"] == 0.0
    assert assess(linux(boot=NOW_EPOCH + 3600))["os"]["uptime_days"] is None  # boot after now: unknown
    assert assess(linux(boot=NOW_EPOCH - 864))["os"]["uptime_days"] == 0.01


# ------------------------------------------------------------------ core packages installed after boot (rpm)

@pytest.mark.parametrize("when, reason", [(BOOT_EPOCH - 1, False), (BOOT_EPOCH, False), (BOOT_EPOCH + 1, True)])
def test_core_package_after_boot_edge(when, reason):
    rpm = {"rc": 0, "stdout": "glibc 2.34-100.el9 %d\nkernel 5.14.0-427 %d\n" % (when, BOOT_EPOCH - 5000),
           "stderr": ""}
    facts = assess(linux({"rpm_core": rpm, "kernel_release": "5.14.0-427"}))
    found = [r for r in facts["reasons"] if r["id"] == "core_packages_updated"]
    assert bool(found) is reason
    if reason:
        assert found[0]["detail"] == "installed after the last boot: glibc"
        assert facts["pending_since"] == iso(BOOT_EPOCH + 1)


def test_newest_kernel_decides():
    rpm = {"rc": 0, "stdout": "kernel 5.14.0-427 100\nkernel 5.14.0-500 200\nkernel-core 5.14.0-300 150\n",
           "stderr": ""}
    for running, reason in (("5.14.0-500", False), ("5.14.0-427", True)):
        facts = assess(linux({"rpm_core": rpm, "kernel_release": running}))
        ids = [r["id"] for r in facts["reasons"]]
        assert ("kernel_updated" in ids) is reason
        if reason:
            assert facts["reasons"][0]["detail"] == "running kernel 5.14.0-427, newest installed 5.14.0-500"


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
    facts = assess(linux(NEEDS), previous=previous(BOOT_EPOCH, boot_id="b0"))
    assert facts["pending_since"] == iso(NOW_EPOCH - 14 * 86400)


def test_core_packages_since_is_the_first_after_the_boot():
    rpm = {"rc": 0, "stdout": "glibc 1 %d\nsystemd 2 %d\n" % (BOOT_EPOCH, BOOT_EPOCH + 1), "stderr": ""}
    facts = assess(linux({"rpm_core": rpm}))
    assert facts["reasons"][0]["detail"] == "installed after the last boot: systemd"
    assert facts["pending_since"] == iso(BOOT_EPOCH + 1)


def test_sav_last_update_read_error():
    facts = assess(linux(sav={"last_update": {"error": "permission denied"}}))
    assert facts["read_errors"] == [{"source": "sav:etc/update.last_update", "error": "permission denied"}]


def test_sav_outputs_that_do_not_parse_are_named_with_the_exit_code():
    facts = assess(linux(sav={"version": {"rc": 3, "stdout": "savdstatus: not found"},
                              "status": {"rc": 2, "stdout": ""}}))
    assert facts["read_errors"] == [
        {"source": "sav:savdstatus --version", "error": "rc 3: no 'Sophos Anti-Virus = <version>' line"},
        {"source": "sav:savdstatus -v", "error": "rc 2: no daemon or on-access status line"},
    ]
    assert facts["sophos"]["version"] is None and facts["sophos"]["health"]["overall"] == "unknown"


@pytest.mark.parametrize("text, message", [
    ("", "not an epoch timestamp: ''"),
    # The text's first 40 characters end in "updat".
    ("Tue 01 Dec 2026 06:00:00 UTC, last updated by savupdate",
     "not an epoch timestamp: 'Tue 01 Dec 2026 06:00:00 UTC, last updat'"),
])
def test_sav_last_update_message_shows_at_most_40_characters(text, message):
    facts = assess(linux(sav={"last_update": {"text": text}}))
    assert facts["read_errors"] == [{"source": "sav:etc/update.last_update", "error": message}]


def test_rpm_lines_that_are_not_name_version_epoch_are_skipped():
    # A truncated line and one with an extra field are not read; the good line after them is.
    rpm = {"rc": 0, "stdout": "glibc 2.34\nkernel 5.14.0-600 %d extra\nsystemd 252 %d\n"
                              % (BOOT_EPOCH + 10, BOOT_EPOCH + 1), "stderr": ""}
    facts = assess(linux({"rpm_core": rpm, "kernel_release": "5.14.0-427"}))
    assert [(r["id"], r["detail"]) for r in facts["reasons"]] == [
        ("core_packages_updated", "installed after the last boot: systemd")]
    assert facts["read_errors"] == []


def test_rpm_without_a_kernel_line_says_nothing_about_the_kernel():
    rpm = {"rc": 0, "stdout": "glibc 2.34 %d\n" % (BOOT_EPOCH - 1), "stderr": ""}
    facts = assess(linux({"rpm_core": rpm, "kernel_release": "5.14.0-427"}))
    assert facts["reasons"] == [] and facts["read_errors"] == [] and facts["reboot_required"] is False


def test_rpm_reads_at_most_10000_lines():
    before = "glibc 2.34 %d\n" % (BOOT_EPOCH - 1)
    after = "systemd 252 %d\n" % (BOOT_EPOCH + 1)
    at_limit = assess(linux({"rpm_core": {"rc": 0, "stdout": before * 9999 + after, "stderr": ""}}))
    assert [r["id"] for r in at_limit["reasons"]] == ["core_packages_updated"]
    past_limit = assess(linux({"rpm_core": {"rc": 0, "stdout": before * 10000 + after, "stderr": ""}}))
    assert past_limit["reasons"] == []


def test_rpm_failure_shows_three_stderr_lines_and_hides_both_reasons():
    rpm = {"rc": 1, "stdout": "", "stderr": "error: a\n\nerror: b\nerror: c\nerror: d\n"}
    facts = assess(linux({"rpm_core": rpm}))
    assert facts["read_errors"] == [{"source": "os:rpm -q", "error": "exit 1: error: a / error: b / error: c"}]
    assert facts["reboot_required"] is None and facts["unknown_sources"] == ["os:rpm -q"]
    for ignored, required in ((["core_packages_updated"], None), (["kernel_updated"], None),
                              (["core_packages_updated", "kernel_updated"], False)):
        assert assess(linux({"rpm_core": rpm}), {"ignore_reasons": ignored})["reboot_required"] is required


def test_readings_without_a_family_or_with_a_bad_boot_time_are_named_in_full():
    facts = assess({"now": iso(NOW_EPOCH), "last_boot": "yesterday"})
    assert facts["read_errors"] == [
        {"source": "probe", "error": "readings carry no family (linux or windows)"},
        {"source": "os:last_boot", "error": "not an ISO-8601 time: 'yesterday'"},
    ]
    assert facts["os"]["family"] is None and facts["os"]["last_boot"] is None
