"""assess() over Linux readings (_assess_linux.py): SPL, legacy SAV and the OS restart checks."""

import json

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess
from ansible_collections.fleetops.sophos.tests.unit.assess_readings import (
    ALC, BOOT, BOOT_EPOCH, INI, NOW, REASON, SHS, SMR, ids, iso, linux, linux_edge, linux_unread, sav, sources, spl,
    spl_state, spl_unread,
)
from ansible_collections.fleetops.sophos.tests.unit.readings import fixture


# ============================================================================
# assess() over Linux readings: SPL files, legacy SAV, and the OS restart checks, in their real formats.

EPH = "base/mcs/internal_policy/internal_EPHEALTH.json"


def cmd(rc, name=None, stdout=""):
    return {"rc": rc, "stdout": fixture("os", name) if name else stdout, "stderr": ""}


def errors(facts):
    return [e["source"] for e in facts["read_errors"]]


# --------------------------------------------------------------------------- SPL


def test_spl_clean_install():
    facts = assess(linux(spl()))
    sophos = facts["sophos"]
    assert sophos["installed"] and sophos["product"] == "spl"
    assert sophos["version"] == "1.2.3.45"
    assert sophos["last_update"] == "2026-11-20T03:12:00Z"
    assert sophos["last_update_ok"] is True
    assert sophos["updated_since_boot"] is False
    assert sophos["reboot_required"] is False and facts["reboot_required"] is False
    assert sophos["health"]["overall"] == "good"
    assert sophos["health"]["services"] == {"Sophos MCS Client": "running"}
    assert [c["installed_version"] for c in sophos["components"]] == ["1.2.3.45", "1.4.5"]
    assert sophos["queued_update"] == {"suspected": False, "evidence": []}
    assert facts["read_errors"] == []
    assert facts["os"] == {"family": "linux", "reboot_required": False, "last_boot": BOOT, "boot_id": "b0",
                           "uptime_days": 1.08}
    assert facts["pending_since"] is None and facts["alert"] is False


def test_spl_sophos_own_fixture_1970_last_good_is_no_update():
    facts = assess(linux(spl({ALC: "ALC_status.sophos-fixture.xml"})))
    assert facts["sophos"]["last_update"] is None
    assert facts["sophos"]["updated_since_boot"] is None
    assert facts["sophos"]["components"][0]["name"] == "BaseName"


def test_spl_download_bad():
    facts = assess(linux(spl({ALC: "ALC_status.download-bad.xml"})))
    assert facts["sophos"]["last_update_ok"] is False


def test_spl_version_mismatch_is_queued_evidence():
    facts = assess(linux(spl({ALC: "ALC_status.version-mismatch.xml"})))
    queued = facts["sophos"]["queued_update"]
    assert queued["suspected"] is True
    assert queued["evidence"] == ["Sophos Server Protection for Linux AV downloaded 1.5.0 but installed 1.4.5"]


def test_spl_version_mismatch_after_failed_install_is_not_queued():
    reading = spl({ALC: "ALC_status.version-mismatch.xml"})
    reading["files"][ALC]["text"] = reading["files"][ALC]["text"].replace(
        "<installState><state>good</state>", "<installState><state>bad</state>")
    facts = assess(linux(reading))
    assert facts["sophos"]["last_update_ok"] is False
    assert facts["sophos"]["queued_update"]["suspected"] is False


def test_spl_reboot_state_required_and_urgent_alert():
    facts = assess(linux(spl({ALC: "ALC_status.reboot-urgent.xml"})))
    assert ids(facts) == ["sophos_reboot_required"]
    assert facts["sophos"]["reboot_required"] and facts["sophos"]["reboot_urgent"]
    assert facts["reboot_required"] is True and facts["os"]["reboot_required"] is False
    assert facts["alert"] is True
    assert facts["pending_since"] == NOW and facts["pending_since_source"] == "first_seen"


@pytest.mark.parametrize("fixture", ["ALC_status.truncated.xml", "ALC_status.wrong-root.xml"])
def test_spl_bad_alc_is_a_read_error(fixture):
    facts = assess(linux(spl({ALC: fixture})))
    assert errors(facts) == ["spl:" + ALC]
    assert facts["sophos"]["installed"] is True and facts["sophos"]["last_update"] is None


def test_spl_health_service_stopped():
    facts = assess(linux(spl({SHS: "SHS_status.service-stopped.xml"})))
    health = facts["sophos"]["health"]
    assert health["overall"] == "bad"
    assert health["services"]["Sophos Linux Protection Detector"] == "stopped"
    assert health["detail"]["service"] == "bad"


def test_spl_health_suspicious():
    assert assess(linux(spl({SHS: "SHS_status.suspicious.xml"})))["sophos"]["health"]["overall"] == "suspicious"


def test_spl_health_truncated_falls_back_to_ephealth():
    facts = assess(linux(spl({SHS: "SHS_status.truncated.xml", EPH: "internal_EPHEALTH.bad.json"})))
    assert errors(facts) == ["spl:" + SHS]
    assert facts["sophos"]["health"]["overall"] == "bad"


def test_spl_ephealth_good_and_truncated():
    assert assess(linux(spl({SHS: None, EPH: "internal_EPHEALTH.json"})))["sophos"]["health"]["overall"] == "good"
    facts = assess(linux(spl({SHS: None, EPH: "internal_EPHEALTH.truncated.json"})))
    assert errors(facts) == ["spl:" + EPH] and facts["sophos"]["health"]["overall"] == "unknown"


def test_spl_unit_inactive_makes_health_bad():
    services = {"sophos-spl.service": {"LoadState": "loaded", "ActiveState": "inactive", "SubState": "dead"}}
    facts = assess(linux(spl(services=services)))
    assert facts["sophos"]["health"]["services"]["sophos-spl.service"] == "stopped"
    assert facts["sophos"]["health"]["overall"] == "bad"


def test_spl_unit_not_found_is_not_reported():
    services = {"sophos-spl.service": {"LoadState": "not-found", "ActiveState": "inactive"}}
    assert "sophos-spl.service" not in assess(linux(spl(services=services)))["sophos"]["health"]["services"]


def test_spl_state_machine_without_alc():
    facts = assess(linux(spl({ALC: None, SMR: "state_machine_raw_data.json"})))
    assert facts["sophos"]["last_update"] == "2025-11-20T03:12:00Z"
    assert facts["sophos"]["last_update_ok"] is True
    failed = assess(linux(spl({ALC: None, SMR: "state_machine_raw_data.failed.json"})))
    assert failed["sophos"]["last_update_ok"] is False
    broken = assess(linux(spl({ALC: None, SMR: "state_machine_raw_data.not-object.json"})))
    assert errors(broken) == ["spl:" + SMR]


def test_spl_version_ini_without_version():
    facts = assess(linux(spl({INI: "VERSION.no-version.ini"})))
    assert facts["sophos"]["version"] is None and errors(facts) == ["spl:" + INI]


REPORT_NAME = "update_report20261126 101500.json"  # the real names carry a space


@pytest.mark.parametrize("status,ok", [
    ("SUCCESS", True), ("INSTALLFAILED", False), ("DOWNLOADFAILED", False), ("RESTARTNEEDED", False),
    ("CONNECTIONERROR", False), ("PACKAGESOURCEMISSING", False), ("UNINSTALLFAILED", False), ("UNSPECIFIED", False),
])
def test_spl_update_report_status(status, ok):
    # The report finished after the ALC lastGood, so it is the freshest word on the last update.
    facts = assess(linux(spl(reports={REPORT_NAME: "update_report.%s.json" % status}),
                         local_times={"20261126 101500": "2026-11-26T09:15:00Z"}))
    assert facts["sophos"]["last_update_ok"] is ok
    assert ("sophos_reboot_required" in ids(facts)) is (status == "RESTARTNEEDED")
    if ok:
        assert facts["sophos"]["last_update"] == "2026-11-26T09:15:00Z"
        assert facts["sophos"]["updated_since_boot"] is True
    if status == "RESTARTNEEDED":
        assert facts["pending_since"] == "2026-11-26T09:15:00Z" and facts["pending_since_source"] == "source"


def test_spl_restartneeded_before_last_boot_is_resolved():
    facts = assess(linux(spl(reports={REPORT_NAME: "update_report.RESTARTNEEDED.json"}),
                         local_times={"20261126 101500": "2026-11-26T05:15:00Z"}))
    assert facts["reboot_required"] is False


def test_spl_report_stamps_without_host_conversion_are_taken_as_utc():
    facts = assess(linux(spl(reports={REPORT_NAME: "update_report.SUCCESS.json"})))
    assert facts["sophos"]["last_update"] == "2026-11-26T10:15:00Z"


def test_spl_latest_report_wins_and_sophos_example_parses():
    reports = {"update_report20180822 121220.json": "update_report.sophos-example.json",
               REPORT_NAME: "update_report.INSTALLFAILED.json"}
    facts = assess(linux(spl({ALC: None}, reports=reports)))
    assert facts["sophos"]["last_update_ok"] is False
    assert facts["sophos"]["last_update"] == "2018-08-22T12:12:20Z"


def test_spl_bad_reports_are_read_errors():
    reports = {"update_report20261126 101500.json": "update_report.truncated.json",
               "update_report20261126 111500.json": "update_report.no-status.json"}
    reading = spl(reports=reports)
    reading["reports"]["update_report20261126 121500.json"] = {"error": "cannot read: [Errno 13] Permission denied"}
    facts = assess(linux(reading))
    assert len(facts["read_errors"]) == 3
    assert all(e["source"].startswith("spl:base/update/var/updatescheduler/update_report") for e in facts["read_errors"])
    assert facts["sophos"]["last_update_ok"] is True  # ALC still answers


def test_spl_report_without_a_reading_is_a_read_error():
    reading = spl()
    reading["reports"]["update_report20261126 121500.json"] = None
    facts = assess(linux(reading))
    assert [e["source"] for e in facts["read_errors"]] == [
        "spl:base/update/var/updatescheduler/update_report20261126 121500.json"]


def test_spl_updating_markers():
    facts = assess(linux(spl(markers={"var/lock-sophosspl/suldownloader.pid": True})))
    assert facts["sophos"]["updating"] is True
    assert assess(linux(spl(markers={"var/sophosspl/upgrade_marker_file": False})))["sophos"]["updating"] is False


def test_spl_unreadable_file():
    reading = spl()
    reading["files"][ALC] = {"error": "cannot read: [Errno 13] Permission denied"}
    facts = assess(linux(reading))
    assert facts["read_errors"] == [{"source": "spl:" + ALC, "error": "cannot read: [Errno 13] Permission denied"}]


def test_absent_sophos_is_not_an_error():
    facts = assess(linux())
    assert facts["sophos"]["installed"] is False and facts["sophos"]["product"] is None
    assert facts["read_errors"] == [] and facts["sophos"]["health"]["overall"] == "unknown"


# --------------------------------------------------------------------------- legacy SAV


def test_sav_active():
    facts = assess(linux(sav=sav()))
    sophos = facts["sophos"]
    assert (sophos["product"], sophos["version"]) == ("sav", "9.16.2")
    assert sophos["last_update"] == "2020-12-15T10:51:12Z"
    assert sophos["health"] == {"overall": "good", "detail": {}, "services": {"savd": "running", "on-access": "running"}}
    assert facts["read_errors"] == []


@pytest.mark.parametrize("status", ["savdstatus-v.on-access-off.txt", "savdstatus-v.not-running.txt"])
def test_sav_stopped(status):
    assert assess(linux(sav=sav(status=status)))["sophos"]["health"]["overall"] == "bad"


def test_sav_broken_binary():
    reading = sav()
    reading["version"] = {"rc": 127, "stdout": "", "stderr": fixture("sav", "savdstatus.broken.txt")}
    reading["status"] = {"error": "savdstatus -v: [Errno 8] Exec format error"}
    facts = assess(linux(sav=reading))
    assert errors(facts) == ["sav:savdstatus --version", "sav:savdstatus -v"]
    assert facts["sophos"]["installed"] is True and facts["sophos"]["version"] is None


# --------------------------------------------------------------------------- Linux OS


def test_reboot_required_file_with_packages_and_mtime():
    osr = {"reboot_required_file": {"mtime": "2026-11-01T00:00:00Z", "pkgs": fixture("os", "reboot-required.pkgs")}}
    facts = assess(linux(os_reading=osr))
    assert facts["reasons"] == [{"id": "reboot_required_file", "source": "os", "strong": True,
                                 "detail": "/run/reboot-required exists (2 packages: libc6, linux-image-6.1.0-18-amd64)"}]
    assert facts["os"]["reboot_required"] is True
    assert facts["pending_since"] == "2026-11-01T00:00:00Z" and facts["pending_days"] == 26.33
    assert facts["alert"] is True


def test_reboot_required_file_short_pending_no_alert():
    osr = {"reboot_required_file": {"mtime": "2026-11-26T07:00:00Z", "pkgs": None}}
    facts = assess(linux(os_reading=osr), {"alert_days": 14})
    assert facts["alert"] is False and facts["pending_days"] == 1.04
    assert assess(linux(os_reading=osr), {"alert_days": 1})["alert"] is True


@pytest.mark.parametrize("key,result,expected", [
    ("needs_restarting", cmd(1, "needs-restarting.reboot.txt"), True),
    ("needs_restarting", cmd(0, "needs-restarting.clean.txt"), False),
    ("needs_restarting", cmd(1, stdout=""), True),  # EL7 yum-utils prints nothing with -r on some versions
    ("dnf5_needs_restarting", cmd(1, "dnf5-needs-restarting.reboot.txt"), True),
    ("dnf5_needs_restarting", cmd(0, "needs-restarting.clean.txt"), False),
    ("zypper_needs_rebooting", cmd(102, "zypper-needs-rebooting.reboot.txt"), True),
    ("zypper_needs_rebooting", cmd(0, "zypper-needs-rebooting.clean.txt"), False),
])
def test_os_tools(key, result, expected):
    facts = assess(linux(os_reading={key: result}))
    assert facts["reboot_required"] is expected
    assert ids(facts) == ([key] if expected else [])
    assert facts["read_errors"] == []


def test_needs_restarting_detail_lists_packages():
    facts = assess(linux(os_reading={"needs_restarting": cmd(1, "needs-restarting.reboot.txt")}))
    assert facts["reasons"][0]["detail"] == ("needs-restarting -r: exit 1 (Core libraries or services have been "
                                             "updated since boot-up:, * kernel, * systemd)")


@pytest.mark.parametrize("key,result", [
    ("dnf5_needs_restarting", cmd(2, "dnf5-needs-restarting.no-plugin.txt")),
    ("zypper_needs_rebooting", cmd(6, stdout="Repository 'x' is invalid.")),
    ("needs_restarting", cmd(2, stdout="Traceback (most recent call last):")),
])
def test_os_tool_failures_are_read_errors(key, result):
    """A check that did not answer is not a "no": the restart state is unknown."""
    facts = assess(linux(os_reading={key: result}))
    assert facts["reboot_required"] is None and facts["os"]["reboot_required"] is None
    assert len(facts["read_errors"]) == 1 and "unexpected exit code" in facts["read_errors"][0]["error"]
    assert facts["unknown_sources"] == [facts["read_errors"][0]["source"]]
    assert facts["pending_since"] is None
    # Ignoring the reason that check gives makes the rest decide.
    assert assess(linux(os_reading={key: result}), {"ignore_reasons": [key]})["reboot_required"] is False


def rpm_os(kernel="5.14.0-427.13.1.el9_4.x86_64"):
    return {"rpm_core": cmd(3, "rpm-core.txt"), "kernel_release": kernel}


def test_rpm_fallback_core_packages_and_kernel():
    # Booted before the 1764100000 installs of kernel, kernel-core and systemd.
    raw = linux(os_reading=rpm_os(kernel="5.14.0-362.8.1.el9_3.x86_64"), last_boot="2025-11-25T00:00:00Z")
    facts = assess(raw)
    assert ids(facts) == ["core_packages_updated", "kernel_updated"]
    assert facts["reasons"][0]["detail"] == "installed after the last boot: kernel, kernel-core, systemd"
    assert facts["reasons"][1]["detail"] == ("running kernel 5.14.0-362.8.1.el9_3.x86_64, newest installed "
                                             "5.14.0-427.13.1.el9_4.x86_64")
    assert facts["pending_since"] == "2025-11-25T19:46:40Z"  # the first core package after boot (1764100000)


def test_rpm_fallback_up_to_date():
    assert assess(linux(os_reading=rpm_os()))["reasons"] == []


def test_rpm_fallback_not_used_when_a_tool_answered():
    osr = rpm_os(kernel="old")
    osr["needs_restarting"] = cmd(0, "needs-restarting.clean.txt")
    assert assess(linux(os_reading=osr))["reasons"] == []


def test_rpm_fallback_garbage():
    facts = assess(linux(os_reading={"rpm_core": {"rc": 1, "stdout": "", "stderr": "error: rpmdb open failed"},
                                     "kernel_release": "x"}))
    assert errors(facts) == ["os:rpm -q"]


def test_needrestart():
    facts = assess(linux(os_reading={"needrestart": cmd(0, "needrestart-b.kernel.txt")}))
    expected = [("needrestart_kernel", True), ("needrestart_microcode", False)]
    assert [(r["id"], r["strong"]) for r in facts["reasons"]] == expected
    assert facts["reasons"][0]["detail"] == ("needrestart: running kernel 6.1.0-17-amd64, expected "
                                             "6.1.0-18-amd64 (KSTA 3)")
    assert assess(linux(os_reading={"needrestart": cmd(0, "needrestart-b.clean.txt")}))["reasons"] == []
    bad = assess(linux(os_reading={"needrestart": cmd(1, stdout="Error: not root")}))
    assert errors(bad) == ["os:needrestart -b"]


# ============================================================================
# First install: Sophos installed after the last boot is a strong reason (recorded readings, both platforms).


# --------------------------------------------------------------------------- Linux (SPL)

NOW_INSTALL = "2026-12-01T08:00:00Z"
BOOT_INSTALL = "2026-12-01T06:00:00Z"


def linux_install(install_marker, boot=BOOT_INSTALL):
    alc = fixture("spl", "ALC_status.good.xml")
    spl = {"dir": "/opt/sophos-spl", "files": {"base/mcs/status/ALC_status.xml": {"text": alc}}, "reports": {},
           "markers": {}, "services": {}, "install_marker": install_marker}
    return {"family": "linux", "now": NOW_INSTALL, "last_boot": boot, "boot_id": "b1", "errors": [], "spl": spl,
            "os": {"kernel_release": "6.1.0-18-amd64"}}


def test_spl_installed_after_boot_is_a_reason_with_its_age():
    facts = assess(linux_install({"mtime": "2026-12-01T07:30:00Z"}))
    [reason] = facts["reasons"]
    assert reason["id"] == REASON and reason["strong"] is True
    assert reason["detail"] == ("Sophos installed 2026-12-01T07:30:00Z (30 min before this reading), "
                                "after the last boot 2026-12-01T06:00:00Z")
    sophos = facts["sophos"]
    assert sophos["installed_at"] == "2026-12-01T07:30:00Z"
    assert sophos["installed_at_source"] == "spl:base/etc/machine_id.txt (mtime)"
    assert sophos["installed_since_boot"] is True and sophos["reboot_required"] is True
    # The age of the reason is the age of the install.
    assert facts["pending_since"] == "2026-12-01T07:30:00Z" and facts["pending_since_source"] == "source"
    assert facts["pending_days"] == 0.02


def test_spl_installed_before_boot_is_none():
    facts = assess(linux_install({"mtime": "2026-11-02T07:30:00Z"}))
    assert facts["reasons"] == [] and facts["reboot_required"] is False
    assert facts["sophos"]["installed_since_boot"] is False and facts["read_errors"] == []


def test_spl_install_marker_missing_is_a_note_not_a_read_error():
    # Nothing that exists went unread: no read error, no unknown; the note says why there is no install time.
    facts = assess(linux_install(None))
    assert sources(facts) == [] and facts["unknown_sources"] == []
    assert facts["sophos"]["installed_since_boot_note"] == "no install time: base/etc/machine_id.txt is missing"
    assert facts["sophos"]["installed_since_boot"] is None and facts["reboot_required"] is False


@pytest.mark.parametrize("marker", [{"error": "cannot look at x: [Errno 5] Input/output error"},
                                    {"mtime": "1970-01-01T00:00:05Z"}, {"mtime": "yesterday"}])
def test_spl_install_marker_unreadable_or_odd_is_unknown(marker):
    facts = assess(linux_install(marker))
    assert sources(facts) == ["spl:base/etc/machine_id.txt"]
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["unknown_sources"] == ["spl:base/etc/machine_id.txt"]


def test_spl_install_without_boot_time_is_unknown():
    raw = linux_install({"mtime": "2026-12-01T07:30:00Z"}, boot=None)
    raw["errors"] = [{"source": "os:last_boot", "error": "cannot read /proc/1/stat"}]
    facts = assess(raw)
    assert facts["sophos"]["installed_since_boot"] is None and facts["reboot_required"] is None
    assert facts["unknown_sources"] == ["os:last_boot"]


# ============================================================================
# Unknown is never "no": every source that exists but cannot be read, and what it does to reboot_required.


# --------------------------------------------------------------------------- Linux sources

@pytest.mark.parametrize("entry,hint", [
    ({"error": "cannot read: [Errno 13] Permission denied: 'ALC_status.xml'", "denied": True}, True),
    ({"error": "cannot read: [Errno 5] Input/output error"}, False),
    ({"text": "<status><autoUpdate>"}, False),  # exists, but cannot be understood
])
def test_alc_status_unreadable(entry, hint):
    facts = assess(linux_unread(spl_unread(files={ALC: entry})))
    assert sources(facts) == ["spl:" + ALC]
    assert ("hint" in facts["read_errors"][0]) is hint
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["os"]["reboot_required"] is False
    assert facts["unknown_sources"] == ["spl:" + ALC] and facts["pending_since"] is None


def test_install_dir_that_cannot_be_entered():
    blocked = {"/opt/sophos-spl": {"error": "cannot enter /opt/sophos-spl: permission denied", "denied": True}}
    reading = spl_unread(files={ALC: {"blocked": "/opt/sophos-spl"}}, reports_dir={"blocked": "/opt/sophos-spl"},
                         install_marker={"blocked": "/opt/sophos-spl"}, blocked=blocked,
                         markers={"var/lock-sophosspl/suldownloader.pid": None})
    facts = assess(linux_unread(reading))
    [error] = facts["read_errors"]
    assert error["source"] == "spl:/opt/sophos-spl"
    assert error["error"] == ("cannot enter /opt/sophos-spl: permission denied; unknown, not absent: "
                              "ALC_status.xml, update reports, machine_id.txt")
    assert "become" in error["hint"]
    assert facts["reboot_required"] is None and facts["sophos"]["updating"] is None
    assert facts["sophos"]["installed"] is True


def test_directory_blocking_only_health_files_hides_nothing():
    blocked = {"/opt/sophos-spl/base/mcs/internal_policy": {"error": "cannot enter: permission denied", "denied": True}}
    reading = spl_unread(blocked=blocked)
    reading["files"]["base/mcs/internal_policy/internal_EPHEALTH.json"] = {"blocked": "/opt/sophos-spl/base/mcs/internal_policy"}
    facts = assess(linux_unread(reading))
    assert sources(facts) == ["spl:/opt/sophos-spl/base/mcs/internal_policy"]
    assert facts["reboot_required"] is False


def test_reports_directory_that_cannot_be_listed():
    facts = assess(linux_unread(spl_unread(reports_dir={"error": "cannot list x: [Errno 13] Permission denied", "denied": True})))
    assert sources(facts) == ["spl:base/update/var/updatescheduler"] and facts["reboot_required"] is None


@pytest.mark.parametrize("stamp,unknown", [("20261126 101500", True), ("20261120 101500", False)])
def test_unreadable_update_report_counts_only_after_the_boot(stamp, unknown):
    reading = spl_unread(reports={"update_report%s.json" % stamp: {"error": "cannot read: [Errno 5] Input/output error"}})
    facts = assess(linux_unread(reading))
    assert len(facts["read_errors"]) == 1
    assert (facts["reboot_required"] is None) is unknown


def test_reboot_required_file_that_cannot_be_looked_at():
    flag = {"error": "cannot look at /run/reboot-required: [Errno 13] Permission denied", "denied": True}
    facts = assess(linux_unread(None, {"reboot_required_file": flag, "kernel_release": "x"}))
    assert sources(facts) == ["os:/run/reboot-required"]
    assert facts["reboot_required"] is None and facts["os"]["reboot_required"] is None
    assert facts["sophos"]["reboot_required"] is False  # no Sophos installed: nothing hidden there


@pytest.mark.parametrize("key", ["needs_restarting", "zypper_needs_rebooting", "needrestart"])
def test_command_that_could_not_run(key):
    facts = assess(linux_unread(None, {key: {"error": "[Errno 13] Permission denied"}, "kernel_release": "x"}),
                   {"needrestart": True})
    assert len(facts["read_errors"]) == 1 and facts["reboot_required"] is None


def test_rpm_fallback_without_boot_time_is_unknown():
    rpm = {"rc": 0, "stdout": "kernel-core 5.14.0-1.el9.x86_64 1764100000\n", "stderr": ""}
    facts = assess(dict(linux_unread(None, {"rpm_core": rpm, "kernel_release": "5.14.0-1.el9.x86_64"}), last_boot=None,
                        errors=[{"source": "os:last_boot", "error": "cannot read /proc/1/stat"}]))
    assert facts["reboot_required"] is None and facts["unknown_sources"] == ["os:last_boot"]


def test_weak_only_source_unreadable_keeps_false():
    """needrestart's microcode line is weak: needrestart failing hides its kernel line, which is strong."""
    facts = assess(linux_unread(None, {"needrestart": {"rc": 0, "stdout": "", "stderr": ""}, "kernel_release": "x"}),
                   {"needrestart": True})
    assert facts["reboot_required"] is None
    facts = assess(linux_unread(None, {"needrestart": {"rc": 0, "stdout": "", "stderr": ""}, "kernel_release": "x"}),
                   {"needrestart": True, "ignore_reasons": ["needrestart_kernel"]})
    assert facts["reboot_required"] is False


# ============================================================================
# assess()'s edges, each at, below and above, from minimal readings with hand-computed answers.
#
# Times: NOW 2026-11-27T08:00:00Z = epoch 1795766400; BOOT 2026-11-26T06:00:00Z = epoch 1795672800 (date -u +%s).
# A day is 86400 s; 0.01 day is 864 s (pending_days and uptime_days are rounded to 0.01).


# ------------------------------------------------------------------ updated since boot


def test_sav_last_update_edges():
    def sav(text):
        return assess(linux_edge(sav={"last_update": {"text": text}}))

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
    facts = assess(linux_edge(spl=spl))
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
    sophos = assess(linux_edge(spl=dict(spl_state(BOOT_EPOCH - 100), reports=reports)))["sophos"]
    assert sophos["last_update_ok"] is False and sophos["last_update"] == "2026-11-26T07:00:00Z"


# ------------------------------------------------------------------ core packages installed after boot (rpm)

@pytest.mark.parametrize("when, reason", [(BOOT_EPOCH - 1, False), (BOOT_EPOCH, False), (BOOT_EPOCH + 1, True)])
def test_core_package_after_boot_edge(when, reason):
    rpm = {"rc": 0, "stdout": "glibc 2.34-100.el9 %d\nkernel 5.14.0-427 %d\n" % (when, BOOT_EPOCH - 5000),
           "stderr": ""}
    facts = assess(linux_edge({"rpm_core": rpm, "kernel_release": "5.14.0-427"}))
    found = [r for r in facts["reasons"] if r["id"] == "core_packages_updated"]
    assert bool(found) is reason
    if reason:
        assert found[0]["detail"] == "installed after the last boot: glibc"
        assert facts["pending_since"] == iso(BOOT_EPOCH + 1)


def test_newest_kernel_decides():
    rpm = {"rc": 0, "stdout": "kernel 5.14.0-427 100\nkernel 5.14.0-500 200\nkernel-core 5.14.0-300 150\n",
           "stderr": ""}
    for running, reason in (("5.14.0-500", False), ("5.14.0-427", True)):
        facts = assess(linux_edge({"rpm_core": rpm, "kernel_release": running}))
        ids = [r["id"] for r in facts["reasons"]]
        assert ("kernel_updated" in ids) is reason
        if reason:
            assert facts["reasons"][0]["detail"] == "running kernel 5.14.0-427, newest installed 5.14.0-500"


def test_core_packages_since_is_the_first_after_the_boot():
    rpm = {"rc": 0, "stdout": "glibc 1 %d\nsystemd 2 %d\n" % (BOOT_EPOCH, BOOT_EPOCH + 1), "stderr": ""}
    facts = assess(linux_edge({"rpm_core": rpm}))
    assert facts["reasons"][0]["detail"] == "installed after the last boot: systemd"
    assert facts["pending_since"] == iso(BOOT_EPOCH + 1)


def test_sav_last_update_read_error():
    facts = assess(linux_edge(sav={"last_update": {"error": "permission denied"}}))
    assert facts["read_errors"] == [{"source": "sav:etc/update.last_update", "error": "permission denied"}]


def test_sav_outputs_that_do_not_parse_are_named_with_the_exit_code():
    facts = assess(linux_edge(sav={"version": {"rc": 3, "stdout": "savdstatus: not found"},
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
    facts = assess(linux_edge(sav={"last_update": {"text": text}}))
    assert facts["read_errors"] == [{"source": "sav:etc/update.last_update", "error": message}]


def test_rpm_lines_that_are_not_name_version_epoch_are_skipped():
    # A truncated line and one with an extra field are not read; the good line after them is.
    rpm = {"rc": 0, "stdout": "glibc 2.34\nkernel 5.14.0-600 %d extra\nsystemd 252 %d\n"
                              % (BOOT_EPOCH + 10, BOOT_EPOCH + 1), "stderr": ""}
    facts = assess(linux_edge({"rpm_core": rpm, "kernel_release": "5.14.0-427"}))
    assert [(r["id"], r["detail"]) for r in facts["reasons"]] == [
        ("core_packages_updated", "installed after the last boot: systemd")]
    assert facts["read_errors"] == []


def test_rpm_without_a_kernel_line_says_nothing_about_the_kernel():
    rpm = {"rc": 0, "stdout": "glibc 2.34 %d\n" % (BOOT_EPOCH - 1), "stderr": ""}
    facts = assess(linux_edge({"rpm_core": rpm, "kernel_release": "5.14.0-427"}))
    assert facts["reasons"] == [] and facts["read_errors"] == [] and facts["reboot_required"] is False


def test_rpm_reads_at_most_10000_lines():
    before = "glibc 2.34 %d\n" % (BOOT_EPOCH - 1)
    after = "systemd 252 %d\n" % (BOOT_EPOCH + 1)
    at_limit = assess(linux_edge({"rpm_core": {"rc": 0, "stdout": before * 9999 + after, "stderr": ""}}))
    assert [r["id"] for r in at_limit["reasons"]] == ["core_packages_updated"]
    past_limit = assess(linux_edge({"rpm_core": {"rc": 0, "stdout": before * 10000 + after, "stderr": ""}}))
    assert past_limit["reasons"] == []


def test_rpm_failure_shows_three_stderr_lines_and_hides_both_reasons():
    rpm = {"rc": 1, "stdout": "", "stderr": "error: a\n\nerror: b\nerror: c\nerror: d\n"}
    facts = assess(linux_edge({"rpm_core": rpm}))
    assert facts["read_errors"] == [{"source": "os:rpm -q", "error": "exit 1: error: a / error: b / error: c"}]
    assert facts["reboot_required"] is None and facts["unknown_sources"] == ["os:rpm -q"]
    for ignored, required in ((["core_packages_updated"], None), (["kernel_updated"], None),
                              (["core_packages_updated", "kernel_updated"], False)):
        assert assess(linux_edge({"rpm_core": rpm}), {"ignore_reasons": ignored})["reboot_required"] is required


# ============================================================================
# assess() over the Linux OS restart checks: each tool's answers and exit codes, and their edges.

def facts(os_reading):
    return assess({"family": "linux", "now": "2026-11-27T08:00:00Z", "last_boot": "2026-11-26T06:00:00Z",
                   "os": os_reading})


def cmd_os(rc, stdout="", stderr=""):
    return {"rc": rc, "stdout": stdout, "stderr": stderr}


@pytest.mark.parametrize("key, reading, reason, detail", [
    ("needs_restarting", cmd_os(1), True, "needs-restarting -r: exit 1"),
    ("needs_restarting", cmd_os(0), False, None),
    ("needs_restarting", cmd_os(0, "Reboot is required to fully utilize these updates.\nkernel\nglibc\n"
                                "More information: https://x"), True,
     "needs-restarting -r: exit 0 (kernel, glibc)"),
    ("needs_restarting", cmd_os(1, "Reboot should not be necessary."), False, None),
    ("dnf5_needs_restarting", cmd_os(1, "Reboot is probably required"), True, "dnf needs-restarting: exit 1"),
    ("dnf5_needs_restarting", cmd_os(0, "No core libraries or services have been updated since boot-up.\n"
                                     "Reboot should not be necessary."), False, None),
    ("zypper_needs_rebooting", cmd_os(102), True, "zypper needs-rebooting: exit 102"),
    ("zypper_needs_rebooting", cmd_os(0), False, None),
])
def test_restart_tools(key, reading, reason, detail):
    got = facts({key: reading})
    assert got["read_errors"] == []
    assert [r["id"] for r in got["reasons"]] == ([key] if reason else [])
    if reason:
        assert got["reasons"][0]["detail"] == detail and got["reasons"][0]["strong"] is True
        assert got["os"]["reboot_required"] is True


@pytest.mark.parametrize("key, label, reading", [
    ("needs_restarting", "needs-restarting -r", cmd_os(2, "odd", "more")),
    ("dnf5_needs_restarting", "dnf needs-restarting", cmd_os(1, "something else")),
    ("zypper_needs_rebooting", "zypper needs-rebooting", cmd_os(1)),
])
def test_unexpected_answers_are_read_errors(key, label, reading):
    got = facts({key: reading})
    assert got["reasons"] == []
    assert [e["source"] for e in got["read_errors"]] == ["os:" + label]
    assert got["read_errors"][0]["error"].startswith("unexpected exit code %s" % reading["rc"])


def test_tool_error_and_rpm_fallback_only_when_no_tool_answered():
    rpm = {"rc": 0, "stdout": "glibc 2.34 1795680000\n", "stderr": ""}   # after the boot (1795672800)
    answered = facts({"needs_restarting": cmd_os(0), "rpm_core": rpm})
    assert answered["reasons"] == []
    unanswered = facts({"needs_restarting": {"error": "not found"}, "rpm_core": rpm})
    assert [r["id"] for r in unanswered["reasons"]] == ["core_packages_updated"]
    assert unanswered["read_errors"] == [{"source": "os:needs-restarting -r", "error": "not found"}]
    failed = facts({"rpm_core": {"rc": 1, "stdout": "", "stderr": "rpm: broken\n"}})
    assert failed["read_errors"] == [{"source": "os:rpm -q", "error": "exit 1: rpm: broken"}]
    missing = facts({"rpm_core": {"rc": 1, "stdout": "package kernel-rt is not installed", "stderr": ""}})
    assert missing["read_errors"] == []


@pytest.mark.parametrize("ksta, reason", [("0", False), ("1", False), ("2", True), ("3", True), ("4", False)])
def test_needrestart_kernel_status(ksta, reason):
    out = "NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR: 6.1.0-1\nNEEDRESTART-KEXP: 6.1.0-2\nNEEDRESTART-KSTA: %s\n" % ksta
    got = facts({"needrestart": cmd_os(0, out)})
    assert [r["id"] for r in got["reasons"]] == (["needrestart_kernel"] if reason else [])
    if reason:
        assert got["reasons"][0]["detail"] == ("needrestart: running kernel 6.1.0-1, expected 6.1.0-2 (KSTA %s)"
                                               % ksta)


def test_needrestart_microcode_is_weak_and_missing_ksta_is_an_error():
    got = facts({"needrestart": cmd_os(0, "NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 2\n")})
    assert [(r["id"], r["strong"]) for r in got["reasons"]] == [("needrestart_microcode", False)]
    assert got["reboot_required"] is False
    assert facts({"needrestart": cmd_os(0, "NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 1\n")})["reasons"] == []
    bad = facts({"needrestart": cmd_os(3, "nothing useful")})
    assert bad["read_errors"] == [{"source": "os:needrestart -b", "error": "no NEEDRESTART-KSTA line (exit 3)"}]


def test_reboot_required_file_detail():
    got = facts({"reboot_required_file": {"mtime": None, "pkgs": "b\na\na\n"}})
    assert got["reasons"][0]["detail"] == "/run/reboot-required exists (3 packages: a, b)"
    assert facts({"reboot_required_file": {"mtime": None, "pkgs": ""}})["reasons"][0]["detail"] == (
        "/run/reboot-required exists")
    assert got["pending_since_source"] == "first_seen"


def test_a_missing_tool_does_not_stop_the_others():
    got = facts({"needs_restarting": None, "dnf5_needs_restarting": cmd_os(1, "Reboot is required")})
    assert [r["id"] for r in got["reasons"]] == ["dnf5_needs_restarting"]


def test_needrestart_without_kernel_versions_and_many_packages():
    got = facts({"needrestart": cmd_os(0, "NEEDRESTART-KSTA: 2\n")})
    assert got["reasons"][0]["detail"] == "needrestart: running kernel ?, expected ? (KSTA 2)"
    pkgs = "".join("p%02d\n" % i for i in range(11))
    detail = facts({"reboot_required_file": {"mtime": None, "pkgs": pkgs}})["reasons"][0]["detail"]
    assert detail == "/run/reboot-required exists (11 packages: %s)" % ", ".join("p%02d" % i for i in range(10))


def test_a_reading_of_the_wrong_type_is_named():
    got = facts({"needrestart": "NEEDRESTART-KSTA: 2"})
    assert got["read_errors"] == [{"source": "os:needrestart -b",
                                   "error": "expected a command reading (a mapping), got str"}]


def test_probe_errors_and_bad_times_are_reported_as_given():
    got = assess({"family": "linux", "now": "later", "boot_id": 5, "os": {},
                  "errors": [{"source": "os:uptime", "error": "denied"}, "junk"]})
    assert got["read_errors"] == [{"source": "os:uptime", "error": "denied"},
                                  {"source": "probe", "error": "readings carry no valid 'now' time: 'later'"}]
    assert got["os"]["boot_id"] is None


def test_an_unexpected_answer_does_not_stop_the_others():
    got = facts({"needs_restarting": cmd_os(2, "odd"), "dnf5_needs_restarting": cmd_os(1, "Reboot is required")})
    assert [r["id"] for r in got["reasons"]] == ["dnf5_needs_restarting"]


BECOME = "readable by root only: run the module with become (become: true, or -b ad hoc)"


def test_an_unreadable_reboot_required_file_is_unknown_with_the_become_hint():
    got = facts({"reboot_required_file": {"error": "Permission denied", "denied": True}})
    assert got["read_errors"] == [{"source": "os:/run/reboot-required", "error": "Permission denied",
                                   "hint": BECOME}]
    assert got["reasons"] == [] and got["reboot_required"] is None and got["os"]["reboot_required"] is None
    assert got["unknown_sources"] == ["os:/run/reboot-required"]
    plain = facts({"reboot_required_file": {"error": "I/O error"}})
    assert plain["read_errors"] == [{"source": "os:/run/reboot-required", "error": "I/O error"}]


def test_reboot_required_file_since_is_its_mtime():
    got = facts({"reboot_required_file": {"mtime": "2026-11-26T07:00:00Z", "pkgs": "linux-image-6.1.0-28-amd64\n"}})
    assert got["reasons"] == [{"id": "reboot_required_file", "source": "os", "strong": True,
                               "detail": "/run/reboot-required exists (1 packages: linux-image-6.1.0-28-amd64)"}]
    assert (got["pending_since"], got["pending_since_source"]) == ("2026-11-26T07:00:00Z", "source")


@pytest.mark.parametrize("key, label, reading", [
    ("needs_restarting", "needs-restarting -r", {"error": "No such file or directory"}),
    ("needs_restarting", "needs-restarting -r", cmd_os(2, "odd")),
    ("zypper_needs_rebooting", "zypper needs-rebooting", cmd_os(1)),
    ("needrestart", "needrestart -b", cmd_os(0, "nothing")),
])
def test_a_tool_that_did_not_answer_leaves_the_restart_unknown(key, label, reading):
    got = facts({key: reading})
    assert got["reboot_required"] is None and got["os"]["reboot_required"] is None
    assert got["unknown_sources"] == ["os:" + label]
    # Another tool that answers "restart" decides.
    both = facts({key: reading, "dnf5_needs_restarting": cmd_os(1, "Reboot is required")})
    assert both["reboot_required"] is True and both["unknown_sources"] == []


def test_unexpected_answer_message_in_full():
    got = facts({"needs_restarting": cmd_os(2, "one\n\ntwo\n", "three\nfour\n")})
    assert got["read_errors"] == [{"source": "os:needs-restarting -r",
                                   "error": "unexpected exit code 2: one / two / three"}]


def test_restart_hints_at_most_six():
    out = "Core libraries or services have been updated since boot-up:\n" + "".join(
        "  p%d\n" % i for i in range(1, 9)) + "\nReboot is required to fully utilize these updates.\n"\
        "More information: https://access.redhat.com/solutions/27943\n"
    got = facts({"needs_restarting": cmd_os(1, out)})
    assert got["reasons"][0]["detail"] == ("needs-restarting -r: exit 1 (Core libraries or services have been "
                                           "updated since boot-up:, p1, p2, p3, p4, p5)")


def test_needrestart_values_are_read_after_the_first_colon_and_stripped():
    out = "NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR:  6.1.0-27-amd64 \nNEEDRESTART-KEXP: 6.1.0-28-amd64\n"\
          "NEEDRESTART-KSTA: 3\nNEEDRESTART-SVC: dbus.service: x\nKSTA: 1\n"
    got = facts({"needrestart": cmd_os(0, out)})
    assert [(r["id"], r["detail"]) for r in got["reasons"]] == [
        ("needrestart_kernel", "needrestart: running kernel 6.1.0-27-amd64, expected 6.1.0-28-amd64 (KSTA 3)")]


def test_needrestart_microcode_detail_and_at_most_100_lines():
    got = facts({"needrestart": cmd_os(0, "NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 2\n")})
    assert got["reasons"] == [{"id": "needrestart_microcode", "source": "os", "strong": False,
                               "detail": "needrestart: CPU microcode update pending (UCSTA 2)"}]
    services = "".join("NEEDRESTART-SVC: unit%d.service\n" % i for i in range(99))
    at_limit = facts({"needrestart": cmd_os(0, services + "NEEDRESTART-KSTA: 3\n")})      # line 100
    assert [r["id"] for r in at_limit["reasons"]] == ["needrestart_kernel"]
    past_limit = facts({"needrestart": cmd_os(0, services + "NEEDRESTART-SVC: x\nNEEDRESTART-KSTA: 3\n")})  # line 101
    assert past_limit["read_errors"] == [{"source": "os:needrestart -b", "error": "no NEEDRESTART-KSTA line (exit 0)"}]


def test_reboot_required_pkgs_are_counted_up_to_1000_lines():
    pkgs = "".join("pkg%04d\n" % i for i in range(1001))
    got = facts({"reboot_required_file": {"mtime": None, "pkgs": pkgs}})
    assert got["reasons"][0]["detail"] == ("/run/reboot-required exists (1000 packages: pkg0000, pkg0001, pkg0002, "
                                           "pkg0003, pkg0004, pkg0005, pkg0006, pkg0007, pkg0008, pkg0009)")


def test_restart_hints_come_from_the_first_20_lines():
    out = "Reboot is required to fully utilize these updates.\n" * 15 + "a\nb\nc\nd\ne\n" + "f\n"   # f: line 21
    got = facts({"needs_restarting": cmd_os(1, out)})
    assert got["reasons"][0]["detail"] == "needs-restarting -r: exit 1 (a, b, c, d, e)"


def test_needrestart_value_is_all_after_the_first_colon_and_lines_without_one_are_skipped():
    out = "NEEDRESTART-KSTA: 3\nNEEDRESTART-KCUR: 6.1.0-27-amd64\nNEEDRESTART-KEXP: 6.1.0-28-amd64 (built 12:00:00)\n"\
          "NEEDRESTART-KSTA\n"
    got = facts({"needrestart": cmd_os(0, out)})
    assert got["read_errors"] == []
    assert [r["detail"] for r in got["reasons"]] == [
        "needrestart: running kernel 6.1.0-27-amd64, expected 6.1.0-28-amd64 (built 12:00:00) (KSTA 3)"]


# ============================================================================
# assess() over small hand-written SPL readings: every field the SPL path sets, with its answer.

def alc(required="no", urgent="no", download="good", install="good", last_good="2026-11-26T07:00:00Z",
        products=""):
    return ("<status><autoUpdate><rebootState><required>%s</required><urgent>%s</urgent></rebootState>"
            "<downloadState><state>%s</state></downloadState><installState><state>%s</state>"
            "<lastGood>%s</lastGood></installState></autoUpdate><products>%s</products></status>"
            % (required, urgent, download, install, last_good, products))


def shs(health=1, services=(("Sophos MCS Client", 0),)):
    details = "".join('<detail name="%s" value="%d"/>' % pair for pair in services)
    return ('<health><item name="health" value="%d"/><item name="service" value="1">%s</item>'
            '<item name="threat" value="1"/><item name="other" value="3"/></health>' % (health, details))


def raw(files=None, reports=None, markers=None, services=None):
    return {"family": "linux", "now": NOW, "last_boot": BOOT, "boot_id": "b",
            "spl": {"dir": "/opt/sophos-spl", "files": dict((k, {"text": v}) for k, v in (files or {}).items()),
                    "reports": dict((k, {"text": v}) for k, v in (reports or {}).items()),
                    "markers": markers or {}, "services": services or {}},
            "os": {}}


def test_every_field_of_a_clean_spl_install():
    products = ('<product rigidName="R" productName="Base" downloadedVersion="2" installedVersion="2"/>')
    facts = assess(raw({ALC: alc(products=products), SHS: shs(), INI: "PRODUCT_VERSION = 2026.1.0\n"}))
    assert facts["read_errors"] == [] and facts["reasons"] == []
    assert facts["sophos"] == {
        "installed": True, "product": "spl", "version": "2026.1.0", "registry_view": None,
        "components": [{"name": "Base", "installed_version": "2", "downloaded_version": "2"}],
        "reboot_required": False, "reboot_urgent": False, "updating": False,
        "last_update": "2026-11-26T07:00:00Z", "last_update_ok": True, "updated_since_boot": True,
        "queued_update": {"suspected": False, "evidence": []},
        "health": {"overall": "good", "detail": {"health": "good", "service": "good", "threat": "good"},
                   "services": {"Sophos MCS Client": "running"}},
        "installed_at": None, "installed_at_source": None, "installed_since_boot": None,
        "installed_since_boot_note": "no install time: base/etc/machine_id.txt is missing",
    }


@pytest.mark.parametrize("download, install, ok", [
    ("good", "good", True), ("bad", "good", False), ("good", "bad", False), ("", "", None),
])
def test_update_ok_from_alc_states(download, install, ok):
    assert assess(raw({ALC: alc(download=download, install=install)}))["sophos"]["last_update_ok"] is ok


@pytest.mark.parametrize("last_good, last_update", [
    ("1970-01-01T00:00:00Z", None), ("1999-12-31T23:59:59Z", None), ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"),
])
def test_alc_last_good_before_2000_is_no_update(last_good, last_update):
    assert assess(raw({ALC: alc(last_good=last_good)}))["sophos"]["last_update"] == last_update


def test_reboot_flags_and_urgent_alert():
    facts = assess(raw({ALC: alc(required="yes", urgent="yes")}))
    assert [r["id"] for r in facts["reasons"]] == ["sophos_reboot_required"]
    assert facts["reasons"][0]["detail"] == "ALC_status.xml rebootState/required = yes"
    assert (facts["sophos"]["reboot_required"], facts["sophos"]["reboot_urgent"], facts["alert"]) == (True, True, True)
    ignored = assess(raw({ALC: alc(required="yes", urgent="yes")}), {"ignore_reasons": ["sophos_reboot_required"]})
    assert (ignored["reboot_required"], ignored["alert"], ignored["ignored_reasons"]) == (
        False, False, ["sophos_reboot_required"])


def test_state_machine_sets_update_ok_only_when_alc_did_not():
    def smr(install, download, alc_text=None):
        files = {SMR: json.dumps({"InstallState": install, "DownloadState": download})}
        if alc_text:
            files[ALC] = alc_text
        return assess(raw(files))["sophos"]["last_update_ok"]

    assert smr(0, 0) is True
    assert smr(1, 0) is False
    assert smr(0, "2") is False
    assert smr(1, 1, alc()) is True          # ALC said good first
    assert assess(raw({SMR: json.dumps({"Other": 1})}))["sophos"]["last_update_ok"] is None


def test_reports_decide_update_ok_when_newest():
    success = json.dumps({"status": "SUCCESS", "finishTime": "20261126 080000"})
    failed = json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 090000"})
    older_failed = json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 050000"})
    assert assess(raw({ALC: alc()}, {"update_report_1.json": failed}))["sophos"]["last_update_ok"] is False
    newer_alc = assess(raw({ALC: alc(last_good="2026-11-26T10:00:00Z")}, {"update_report_1.json": failed}))
    assert newer_alc["sophos"]["last_update_ok"] is True     # the ALC's last good is newer than the report
    both = assess(raw({}, {"update_report_1.json": success, "update_report_2.json": older_failed}))
    assert (both["sophos"]["last_update_ok"], both["sophos"]["last_update"]) == (True, "2026-11-26T08:00:00Z")
    named = assess(raw({}, {"update_report20261126 083000.json": json.dumps({"status": "SUCCESS"})}))
    assert named["sophos"]["last_update"] == "2026-11-26T08:30:00Z"   # the stamp in the name when none inside
    none = assess(raw({}, {"update_report.json": json.dumps({"status": "SUCCESS"})}))
    assert none["read_errors"] == [{"source": "spl:base/update/var/updatescheduler/update_report.json",
                                    "error": "no usable finishTime"}]


def test_report_reading_errors_are_named():
    facts = assess({"family": "linux", "now": NOW, "last_boot": BOOT, "os": {},
                    "spl": {"files": {}, "reports": {"a.json": None, "b.json": {"error": "permission denied"}}}})
    assert facts["read_errors"] == [
        {"source": "spl:base/update/var/updatescheduler/a.json",
         "error": "no reading (the report disappeared while it was read)"},
        {"source": "spl:base/update/var/updatescheduler/b.json", "error": "permission denied"}]


@pytest.mark.parametrize("markers, updating", [
    ({}, False), ({"var/lock-sophosspl/suldownloader.pid": True}, True),
    ({"var/sophosspl/upgrade_marker_file": True}, True), ({"var/lock-sophosspl/suldownloader.pid": False}, False),
])
def test_updating_markers(markers, updating):
    assert assess(raw(markers=markers))["sophos"]["updating"] is updating


def test_health_from_shs_services_and_unit():
    facts = assess(raw({SHS: shs(health=2, services=(("A", 0), ("B", 1), ("C", 7)))}))
    health = facts["sophos"]["health"]
    assert health["overall"] == "bad"  # a stopped service makes it bad, worse than suspicious
    assert health["services"] == {"A": "running", "B": "stopped", "C": "unknown"}
    assert assess(raw({SHS: shs(health=2)}))["sophos"]["health"]["overall"] == "suspicious"
    assert assess(raw({SHS: shs(health=9)}))["sophos"]["health"]["overall"] == "unknown"
    unit = {"sophos-spl.service": {"LoadState": "loaded", "ActiveState": "failed"}}
    stopped = assess(raw({SHS: shs()}, services=unit))["sophos"]["health"]
    assert stopped["services"]["sophos-spl.service"] == "stopped" and stopped["overall"] == "bad"
    for state in ("active", "reloading", "activating"):
        unit = {"sophos-spl.service": {"LoadState": "loaded", "ActiveState": state}}
        running = assess(raw({SHS: shs()}, services=unit))["sophos"]["health"]
        assert running["services"]["sophos-spl.service"] == "running" and running["overall"] == "good"
    absent = {"sophos-spl.service": {"LoadState": "not-found", "ActiveState": "inactive"}}
    assert "sophos-spl.service" not in assess(raw({SHS: shs()}, services=absent))["sophos"]["health"]["services"]


def test_health_from_ephealth_when_no_shs():
    facts = assess(raw({EPH: json.dumps({"health": 3, "service": "1", "threat": 2, "x": 1})}))
    assert facts["sophos"]["health"]["detail"] == {"health": "bad", "service": "good", "threat": "suspicious"}
    assert facts["sophos"]["health"]["overall"] == "bad"
    assert assess(raw({EPH: json.dumps({"service": 1})}))["sophos"]["health"]["overall"] == "unknown"


def test_component_versions_differ_is_queued_evidence_unless_failed():
    products = '<product productName="Base" downloadedVersion="2.1" installedVersion="2.0"/>'
    facts = assess(raw({ALC: alc(products=products)}))
    assert facts["sophos"]["queued_update"] == {"suspected": True, "evidence": ["Base downloaded 2.1 but installed 2.0"]}
    failed = assess(raw({ALC: alc(products=products, install="bad")}))
    assert failed["sophos"]["queued_update"] == {"suspected": False, "evidence": []}
    same = '<product productName="Base" downloadedVersion="2" installedVersion="2"/>'
    assert assess(raw({ALC: alc(products=same)}))["sophos"]["queued_update"]["suspected"] is False
    missing = '<product productName="Base" installedVersion="2"/>'
    assert assess(raw({ALC: alc(products=missing)}))["sophos"]["queued_update"]["suspected"] is False


def test_file_errors_are_named():
    facts = assess({"family": "linux", "now": NOW, "last_boot": BOOT, "os": {},
                    "spl": {"files": {ALC: {"error": "permission denied"}, INI: {"text": "BUILD=1"}}}})
    assert facts["read_errors"] == [{"source": "spl:" + INI, "error": "no PRODUCT_VERSION line"},
                                    {"source": "spl:" + ALC, "error": "permission denied"}]
    assert facts["sophos"]["installed"] is True and facts["sophos"]["version"] is None


@pytest.mark.parametrize("machine, ok", [
    ({"DownloadState": 1}, False), ({"InstallState": 1}, False), ({"DownloadState": 0}, True),
])
def test_state_machine_either_state_alone(machine, ok):
    assert assess(raw({SMR: json.dumps(machine)}))["sophos"]["last_update_ok"] is ok


def test_threat_service_details_and_odd_ephealth_values():
    text = ('<health><item name="health" value="1"/><item name="threatService" value="1">'
            '<detail name="Sophos Threat Detector" value="1"/></item></health>')
    health = assess(raw({SHS: text}))["sophos"]["health"]
    assert health["services"] == {"Sophos Threat Detector": "stopped"} and health["overall"] == "bad"
    detail = assess(raw({EPH: json.dumps({"health": 7})}))["sophos"]["health"]["detail"]
    assert detail == {"health": "unknown"}


def test_unparsable_report_is_named_with_its_error():
    facts = assess(raw({}, {"update_report.json": "[]"}))
    assert facts["read_errors"] == [{"source": "spl:base/update/var/updatescheduler/update_report.json",
                                     "error": "invalid JSON: expected an object, got list"}]


# The age in the install reason (NOW 2026-11-27T08:00:00Z): minutes below 2 h, hours below 2 days, then days.
@pytest.mark.parametrize("mtime, age", [
    ("2026-11-27T08:01:00Z", "0 min"),        # after the reading (clock skew): no negative age
    ("2026-11-27T08:00:00Z", "0 min"),
    ("2026-11-27T07:59:01Z", "0 min"),        # 59 s
    ("2026-11-27T07:59:00Z", "1 min"),
    ("2026-11-27T06:00:01Z", "119 min"),      # 7199 s
    ("2026-11-27T06:00:00Z", "2.0 h"),        # 7200 s
    ("2026-11-25T08:02:24Z", "48.0 h"),       # 172656 s = 47.96 h
    ("2026-11-25T08:00:01Z", "48.0 h"),       # 172799 s
    ("2026-11-25T08:00:00Z", "2.0 days"),     # 172800 s
    ("2026-10-28T09:11:42Z", "30.0 days"),    # 2587698 s = 29.9502 days
])
def test_install_age_units_and_edges(mtime, age):
    facts = assess(dict(raw({ALC: alc()}), last_boot="2026-10-01T00:00:00Z",
                        spl=dict(raw({ALC: alc()})["spl"], install_marker={"mtime": mtime})))
    [reason] = [r for r in facts["reasons"] if r["id"] == "sophos_installed_since_boot"]
    assert reason["detail"] == ("Sophos installed %s (%s before this reading), after the last boot "
                                "2026-10-01T00:00:00Z" % (mtime, age))


MARKER = "base/etc/machine_id.txt"


def installed(marker, **changes):
    reading = raw({ALC: alc()})
    reading["spl"]["install_marker"] = marker
    reading.update(changes)
    return assess(reading)


@pytest.mark.parametrize("mtime, since_boot, reason", [
    ("2026-11-26T05:59:59Z", False, False), ("2026-11-26T06:00:00Z", False, False),   # BOOT 2026-11-26T06:00:00Z
    ("2026-11-26T06:00:01Z", True, True),
])
def test_installed_since_boot_is_strictly_after_the_boot(mtime, since_boot, reason):
    facts = installed({"mtime": mtime})
    sophos = facts["sophos"]
    assert (sophos["installed_at"], sophos["installed_at_source"]) == (mtime, "spl:%s (mtime)" % MARKER)
    assert sophos["installed_since_boot"] is since_boot and sophos["installed_since_boot_note"] is None
    assert [r["id"] for r in facts["reasons"]] == (["sophos_installed_since_boot"] if reason else [])
    assert facts["reboot_required"] is reason and sophos["reboot_required"] is reason


@pytest.mark.parametrize("mtime, error", [
    ("1999-12-31T23:59:59Z", "no plausible modification time: '1999-12-31T23:59:59Z'"),
    (None, "no plausible modification time: None"),
])
def test_install_marker_mtime_before_2000_is_odd(mtime, error):
    facts = installed({"mtime": mtime})
    assert facts["read_errors"] == [{"source": "spl:" + MARKER, "error": error}]
    assert facts["sophos"]["installed_since_boot_note"] == "no install time: %s has an odd mtime" % MARKER
    assert facts["sophos"]["installed_at"] is None and facts["unknown_sources"] == ["spl:" + MARKER]
    # 2000-01-01 itself is a plausible time (before the boot here).
    assert installed({"mtime": "2000-01-01T00:00:00Z"})["sophos"]["installed_at"] == "2000-01-01T00:00:00Z"


def test_install_marker_unreadable_or_blocked_notes():
    denied = installed({"error": "cannot look at x: [Errno 13] Permission denied", "denied": True})
    assert denied["read_errors"] == [{"source": "spl:" + MARKER, "error": "cannot look at x: [Errno 13] Permission "
                                                                          "denied", "hint": BECOME}]
    assert denied["sophos"]["installed_since_boot_note"] == "no install time: %s cannot be read" % MARKER
    blocked = installed({"blocked": "/opt/sophos-spl/base/etc"})
    assert blocked["read_errors"] == [] and blocked["reboot_required"] is False
    assert blocked["sophos"]["installed_since_boot_note"] == (
        "no install time: /opt/sophos-spl/base/etc cannot be entered")


def test_install_reason_without_a_valid_now_has_no_age():
    facts = installed({"mtime": "2026-11-26T07:00:00Z"}, now="soon")
    [reason] = [r for r in facts["reasons"] if r["id"] == "sophos_installed_since_boot"]
    assert reason["detail"] == "Sophos installed 2026-11-26T07:00:00Z, after the last boot 2026-11-26T06:00:00Z"


def test_install_without_a_boot_time_notes_it():
    facts = installed({"mtime": "2026-11-26T07:00:00Z"}, last_boot=None)
    sophos = facts["sophos"]
    assert sophos["installed_at"] == "2026-11-26T07:00:00Z"
    assert sophos["installed_since_boot"] is None
    assert sophos["installed_since_boot_note"] == "the last boot time is unknown"
    assert facts["reboot_required"] is None and facts["unknown_sources"] == ["os:last_boot"]


def test_blocked_directories_one_error_each_naming_what_they_hide():
    reading = raw({})
    reading["spl"].update(
        blocked={"/opt/sophos-spl/base/mcs/status": "junk", "/opt/sophos-spl/base/etc": {"error": "denied!"},
                 "/opt/sophos-spl/var": {"denied": True}},
        files={SHS: {"blocked": "/opt/sophos-spl/base/mcs/status"}, ALC: {"blocked": "/opt/sophos-spl/base/mcs/status"},
               INI: {"text": "PRODUCT_VERSION = 1\n"}},
        install_marker={"blocked": "/opt/sophos-spl/base/etc"})
    facts = assess(reading)
    assert facts["read_errors"] == [
        {"source": "spl:/opt/sophos-spl/base/etc", "error": "denied!; unknown, not absent: machine_id.txt"},
        {"source": "spl:/opt/sophos-spl/base/mcs/status",
         "error": "cannot be entered; unknown, not absent: ALC_status.xml, SHS_status.xml"},
        {"source": "spl:/opt/sophos-spl/var", "error": "cannot be entered", "hint": BECOME},
    ]
    assert facts["reboot_required"] is None
    assert facts["unknown_sources"] == ["spl:/opt/sophos-spl/base/etc", "spl:/opt/sophos-spl/base/mcs/status"]
    assert facts["sophos"]["version"] == "1"


REPORTS = "spl:base/update/var/updatescheduler/"


@pytest.mark.parametrize("name, local_times, unknown", [
    ("update_report20261126 055959.json", None, False),
    ("update_report20261126 060000.json", None, False),    # named at the boot: before it
    ("update_report20261126 060001.json", None, True),
    ("update_report.json", None, True),                     # no stamp in the name: could be after the boot
    # The host says its local 07:00 was 05:00 UTC: before the boot.
    ("update_report20261126 070000.json", {"20261126 070000": "2026-11-26T05:00:00Z"}, False),
])
def test_an_unreadable_report_hides_a_restart_only_when_named_after_the_boot(name, local_times, unknown):
    for entry in ({"error": "cannot read: [Errno 5] Input/output error"}, {"text": "{"},
                  {"text": json.dumps({"status": "RESTARTNEEDED"})} if "2026" not in name else {"text": "[]"}):
        reading = raw(reports={})
        reading["spl"]["reports"] = {name: entry}
        if local_times:
            reading["local_times"] = local_times
        facts = assess(reading)
        assert [e["source"] for e in facts["read_errors"]] == [REPORTS + name]
        assert facts["reboot_required"] is (None if unknown else False)
        assert facts["unknown_sources"] == ([REPORTS + name] if unknown else [])


def test_report_errors_carry_the_become_hint_when_denied():
    reading = raw()
    reading["spl"]["reports"] = {"update_report.json": {"error": "cannot read: [Errno 13] Permission denied",
                                                        "denied": True}}
    reading["spl"]["reports_dir"] = {"error": "cannot list: [Errno 13] Permission denied", "denied": True}
    facts = assess(reading)
    assert facts["read_errors"] == [
        {"source": "spl:base/update/var/updatescheduler", "error": "cannot list: [Errno 13] Permission denied",
         "hint": BECOME},
        {"source": REPORTS + "update_report.json", "error": "cannot read: [Errno 13] Permission denied",
         "hint": BECOME},
    ]


def test_report_times_use_the_hosts_local_conversion():
    report = json.dumps({"status": "RESTARTNEEDED", "finishTime": "20261126 073000"})
    # Local 07:30 on a UTC+2 host is 05:30 UTC, before the boot: no restart need from it.
    before = raw(reports={"update_report.json": report})
    before["local_times"] = {"20261126 073000": "2026-11-26T05:30:00Z"}
    facts = assess(before)
    assert facts["reasons"] == [] and facts["sophos"]["last_update_ok"] is False
    # Read as UTC (no conversion), 07:30 is after the boot.
    assert [r["detail"] for r in assess(raw(reports={"update_report.json": report}))["reasons"]] == [
        "update report of 2026-11-26T07:30:00Z: status RESTARTNEEDED"]


def test_restartneeded_without_a_boot_time_counts():
    reading = raw(reports={"update_report.json": json.dumps({"status": "RESTARTNEEDED",
                                                             "finishTime": "20261120 010000"})})
    reading["last_boot"] = None
    facts = assess(reading)
    assert [(r["id"], r["detail"]) for r in facts["reasons"]] == [
        ("sophos_reboot_required", "update report of 2026-11-20T01:00:00Z: status RESTARTNEEDED")]
    assert facts["pending_since"] == "2026-11-20T01:00:00Z" and facts["sophos"]["reboot_required"] is True


@pytest.mark.parametrize("last_good, ok", [
    ("2026-11-26T08:59:59Z", False), ("2026-11-26T09:00:00Z", False), ("2026-11-26T09:00:01Z", True),
])
def test_newest_report_decides_update_ok_unless_the_alc_is_newer(last_good, ok):
    failed = json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 090000"})
    facts = assess(raw({ALC: alc(last_good=last_good)}, {"update_report_1.json": failed}))
    assert facts["sophos"]["last_update_ok"] is ok and facts["sophos"]["last_update"] == last_good


def test_a_service_stopped_in_one_item_stays_stopped():
    text = ('<health><item name="health" value="1"/><item name="service" value="3">'
            '<detail name="Sophos MCS Client" value="1"/></item><item name="threatService" value="1">'
            '<detail name="Sophos MCS Client" value="0"/><detail name="Sophos Threat Detector" value="0"/></item>'
            '</health>')
    health = assess(raw({SHS: text}))["sophos"]["health"]
    assert health == {"overall": "bad", "detail": {"health": "good", "service": "bad", "threatService": "good"},
                      "services": {"Sophos MCS Client": "stopped", "Sophos Threat Detector": "running"}}


def test_urgent_missing_is_not_urgent_and_no_alert():
    text = ("<status><autoUpdate><rebootState><required>no</required></rebootState></autoUpdate>"
            "<products/></status>")
    facts = assess(raw({ALC: text}))
    assert (facts["sophos"]["reboot_urgent"], facts["alert"], facts["sophos"]["last_update_ok"]) == (False, False, None)


def test_a_blocked_file_named_without_a_directory_is_named_whole():
    reading = raw({})
    reading["spl"].update(blocked={"/opt/sophos-spl": {"error": "cannot enter"}},
                          files={"VERSION.ini": {"blocked": "/opt/sophos-spl"}})
    assert assess(reading)["read_errors"] == [
        {"source": "spl:/opt/sophos-spl", "error": "cannot enter; unknown, not absent: VERSION.ini"}]


def test_ephealth_threat_service_is_read():
    detail = assess(raw({EPH: json.dumps({"health": 1, "threatService": 3, "threatservice": 1})}))["sophos"]["health"]
    assert detail == {"overall": "good", "detail": {"health": "good", "threatService": "bad"}, "services": {}}


@pytest.mark.parametrize("states, ok", [
    ("<downloadState><state>bad</state></downloadState>", False),
    ("<downloadState><state>good</state></downloadState>", True),
    ("<installState><state>bad</state></installState>", False),
    ("<installState><state>good</state></installState>", True),
    ("", None),
])
def test_update_ok_from_either_alc_state_alone(states, ok):
    text = "<status><autoUpdate>%s</autoUpdate></status>" % states
    assert assess(raw({ALC: text}))["sophos"]["last_update_ok"] is ok


def test_shs_detail_names_admin_and_unknown_values():
    text = ('<health><item name="health" value="2"/><item name="admin" value="1"/><item name="service" value="0"/>'
            '<item name="threat" value="x"/></health>')
    health = assess(raw({SHS: text}))["sophos"]["health"]
    assert health["detail"] == {"health": "suspicious", "admin": "good", "service": "unknown", "threat": "unknown"}
    assert health["overall"] == "suspicious"


def test_a_report_that_cannot_be_used_does_not_stop_the_next():
    good = json.dumps({"status": "SUCCESS", "finishTime": "20261126 080000"})
    for first in ({"error": "cannot read: [Errno 5] Input/output error"}, {"text": json.dumps({"status": "SUCCESS"})}):
        reading = raw()
        reading["spl"]["reports"] = {"update_report_a.json": first, "update_report_b.json": {"text": good}}
        facts = assess(reading)
        assert [e["source"] for e in facts["read_errors"]] == [REPORTS + "update_report_a.json"]
        assert (facts["sophos"]["last_update"], facts["sophos"]["last_update_ok"]) == ("2026-11-26T08:00:00Z", True)


def test_the_stamp_in_a_reports_name_uses_the_hosts_local_conversion():
    reading = raw(reports={"update_report20261126 070000.json": json.dumps({"status": "SUCCESS"})})
    reading["local_times"] = {"20261126 070000": "2026-11-26T05:00:00Z"}
    sophos = assess(reading)["sophos"]
    assert (sophos["last_update"], sophos["updated_since_boot"]) == ("2026-11-26T05:00:00Z", False)


def test_state_machine_milliseconds_are_whole_seconds():
    # LastGoodInstallTime 2026-11-26T07:00:00.5Z in ms; a failed report finished at 07:00:00, the same second,
    # is as new as the last good install, so it decides.
    files = {SMR: json.dumps({"LastGoodInstallTime": 1795676400500, "InstallState": 0, "DownloadState": 0})}
    failed = json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 070000"})
    sophos = assess(raw(files, {"update_report_1.json": failed}))["sophos"]
    assert (sophos["last_update"], sophos["last_update_ok"]) == ("2026-11-26T07:00:00Z", False)


@pytest.mark.parametrize("now, overall", [
    ("2026-11-26T06:05:00Z", "unknown"),   # right after the boot Sophos Health lags the services
    ("2026-11-26T06:14:59Z", "unknown"),
    ("2026-11-26T06:15:00Z", "bad"),
    (NOW, "bad"),
])
def test_sophos_health_bad_right_after_the_boot_is_unknown_not_bad(now, overall):
    reading = raw({SHS: shs(health=3)})
    reading["now"] = now
    health = assess(reading)["sophos"]["health"]
    assert (health["detail"]["health"], health["overall"]) == ("bad", overall)
    # A stopped service is bad at once: no lag to wait for.
    stopped = raw({SHS: shs(health=3, services=(("Sophos MCS Client", 1),))})
    stopped["now"] = now
    assert assess(stopped)["sophos"]["health"]["overall"] == "bad"


@pytest.mark.parametrize("field, value", [("markers", ["a", "list"]), ("services", ["sophos-spl"]),
                                          ("reports", ["a", "list"])])
def test_an_spl_reading_of_a_shape_the_collector_never_gives_is_an_error_and_the_verdict_unknown(field, value):
    reading = spl()
    reading[field] = value
    facts = assess(linux(reading, os_reading={"kernel_release": "6.1.0-18-amd64"}))
    assert facts["reboot_required"] is not False, facts
    assert [entry["source"] for entry in facts["read_errors"]] == ["probe"], facts["read_errors"]
    assert facts["read_errors"][0]["error"].startswith("a reading of an unexpected shape stopped the assessment: ")
