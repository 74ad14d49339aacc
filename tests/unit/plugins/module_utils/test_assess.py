"""assess() over Linux readings: SPL files, legacy SAV, and the OS restart checks, in their real formats."""
import copy
import os

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _assess
from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "reboot_facts")
NOW = "2026-11-27T08:00:00Z"
BOOT = "2026-11-26T06:00:00Z"  # epoch 1764136800
ALC = "base/mcs/status/ALC_status.xml"
SHS = "base/mcs/status/SHS_status.xml"
EPH = "base/mcs/internal_policy/internal_EPHEALTH.json"
SMR = "base/update/var/updatescheduler/state_machine_raw_data.json"
INI = "base/VERSION.ini"


def text(*parts):
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


def cmd(rc, name=None, stdout=""):
    return {"rc": rc, "stdout": text("os", name) if name else stdout, "stderr": ""}


INSTALLED = "2025-06-01T10:00:00Z"  # long before BOOT


def spl(files=None, reports=None, markers=None, services=None, install_marker=None):
    chosen = {ALC: "ALC_status.good.xml", SHS: "SHS_status.good.xml", INI: "VERSION.ini"}
    chosen.update(files or {})
    return {
        "dir": "/opt/sophos-spl",
        "files": dict((rel, {"text": text("spl", name)}) for rel, name in chosen.items() if name),
        "reports": dict((name, {"text": text("spl", fixture)}) for name, fixture in (reports or {}).items()),
        "markers": markers or {},
        "services": services or {},
        "install_marker": install_marker or {"mtime": INSTALLED},
    }


def linux(spl_reading=None, sav=None, os_reading=None, **extra):
    raw = {"family": "linux", "now": NOW, "last_boot": BOOT, "boot_id": "b0", "errors": [],
           "spl": spl_reading, "sav": sav, "os": os_reading or {"kernel_release": "6.1.0-18-amd64"}}
    raw.update(extra)
    return raw


def ids(facts):
    return [r["id"] for r in facts["reasons"]]


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


def sav(version="savdstatus-version.txt", status="savdstatus-v.active.txt", last="update.last_update"):
    reading = {"dir": "/opt/sophos-av", "last_update": {"text": text("sav", last)} if last else None}
    if version:
        reading["version"] = {"rc": 0, "stdout": text("sav", version), "stderr": ""}
    if status:
        reading["status"] = {"rc": 0, "stdout": text("sav", status), "stderr": ""}
    return reading


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
    reading["version"] = {"rc": 127, "stdout": "", "stderr": text("sav", "savdstatus.broken.txt")}
    reading["status"] = {"error": "savdstatus -v: [Errno 8] Exec format error"}
    facts = assess(linux(sav=reading))
    assert errors(facts) == ["sav:savdstatus --version", "sav:savdstatus -v"]
    assert facts["sophos"]["installed"] is True and facts["sophos"]["version"] is None


# --------------------------------------------------------------------------- Linux OS


def test_reboot_required_file_with_packages_and_mtime():
    osr = {"reboot_required_file": {"mtime": "2026-11-01T00:00:00Z", "pkgs": text("os", "reboot-required.pkgs")}}
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


def test_iso_parsing_and_local_stamps():
    assert _assess.iso_to_epoch("2026-11-27T08:00:00.123Z") == pytest.approx(1795766400.123)
    assert _assess.iso_to_epoch("2026-11-27T10:00:00+02:00") == 1795766400
    assert _assess.iso_to_epoch("27/11/2026") is None
    assert _assess.stamp_to_epoch("20261127 080000", {"20261127 080000": "2026-11-27T07:00:00Z"}) == 1795762800


def test_check_options():
    assert _assess.check_options(dict(_assess.DEFAULT_OPTIONS)) == []
    problems = _assess.check_options({"alert_days": 0, "sophos_dir": "opt/sophos", "ignore_reasons": ["nope"],
                                      "sophos_registry_roots": ["HKLM:\\SOFTWARE\\Sophos"]})
    assert len(problems) == 4
    assert problems[0] == "alert_days must be greater than 0, got 0"
    assert "nope" in problems[3] and "sophos_reboot_required" in problems[3]
