"""Unknown is never "no": every source that exists but cannot be read, and what it does to reboot_required."""
import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess
from ansible_collections.fleetops.sophos.tests.unit.readings import fixture as text, windows_probe as windows

W = "SOFTWARE\\WOW6432Node\\Sophos"
FLAGS = "AutoUpdate\\UpdateStatus\\VolatileFlags"
ALC = "base/mcs/status/ALC_status.xml"
DENIED = "Requested registry access is not allowed."


def linux(spl=None, os_reading=None, errors=()):
    return {"family": "linux", "now": "2026-11-27T08:00:00Z", "last_boot": "2026-11-26T06:00:00Z", "boot_id": "b0",
            "errors": list(errors), "spl": spl, "os": os_reading or {"kernel_release": "6.1.0-18-amd64"}}


def spl(**changes):
    reading = {"dir": "/opt/sophos-spl", "files": {ALC: {"text": text("spl", "ALC_status.good.xml")}},
               "reports": {}, "reports_dir": None, "markers": {}, "services": {}, "blocked": {},
               "install_marker": {"mtime": "2025-06-01T10:00:00Z"}}
    reading.update(changes)
    return reading


def sources(facts):
    return [e["source"] for e in facts["read_errors"]]


# --------------------------------------------------------------------------- the rule

def test_nothing_unreadable_is_false():
    facts = assess(linux(spl()))
    assert (facts["reboot_required"], facts["sophos"]["reboot_required"], facts["os"]["reboot_required"]) == \
        (False, False, False)
    assert facts["unknown_sources"] == []


def test_known_strong_reason_wins_over_unknown():
    reading = spl(files={ALC: {"error": "cannot read: [Errno 13] Permission denied", "denied": True}})
    facts = assess(linux(reading, {"reboot_required_file": {"mtime": "2026-11-26T07:00:00Z", "pkgs": None},
                                   "kernel_release": "x"}))
    assert facts["reboot_required"] is True and facts["os"]["reboot_required"] is True
    assert facts["sophos"]["reboot_required"] is None  # Sophos' own state is still unknown
    assert facts["unknown_sources"] == []


# --------------------------------------------------------------------------- Linux sources

@pytest.mark.parametrize("entry,hint", [
    ({"error": "cannot read: [Errno 13] Permission denied: 'ALC_status.xml'", "denied": True}, True),
    ({"error": "cannot read: [Errno 5] Input/output error"}, False),
    ({"text": "<status><autoUpdate>"}, False),  # exists, but cannot be understood
])
def test_alc_status_unreadable(entry, hint):
    facts = assess(linux(spl(files={ALC: entry})))
    assert sources(facts) == ["spl:" + ALC]
    assert ("hint" in facts["read_errors"][0]) is hint
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["os"]["reboot_required"] is False
    assert facts["unknown_sources"] == ["spl:" + ALC] and facts["pending_since"] is None


def test_install_dir_that_cannot_be_entered():
    blocked = {"/opt/sophos-spl": {"error": "cannot enter /opt/sophos-spl: permission denied", "denied": True}}
    reading = spl(files={ALC: {"blocked": "/opt/sophos-spl"}}, reports_dir={"blocked": "/opt/sophos-spl"},
                  install_marker={"blocked": "/opt/sophos-spl"}, blocked=blocked,
                  markers={"var/lock-sophosspl/suldownloader.pid": None})
    facts = assess(linux(reading))
    [error] = facts["read_errors"]
    assert error["source"] == "spl:/opt/sophos-spl"
    assert error["error"] == ("cannot enter /opt/sophos-spl: permission denied; unknown, not absent: "
                              "ALC_status.xml, update reports, machine_id.txt")
    assert "become" in error["hint"]
    assert facts["reboot_required"] is None and facts["sophos"]["updating"] is None
    assert facts["sophos"]["installed"] is True


def test_directory_blocking_only_health_files_hides_nothing():
    blocked = {"/opt/sophos-spl/base/mcs/internal_policy": {"error": "cannot enter: permission denied", "denied": True}}
    reading = spl(blocked=blocked)
    reading["files"]["base/mcs/internal_policy/internal_EPHEALTH.json"] = {"blocked": "/opt/sophos-spl/base/mcs/internal_policy"}
    facts = assess(linux(reading))
    assert sources(facts) == ["spl:/opt/sophos-spl/base/mcs/internal_policy"]
    assert facts["reboot_required"] is False


def test_reports_directory_that_cannot_be_listed():
    facts = assess(linux(spl(reports_dir={"error": "cannot list x: [Errno 13] Permission denied", "denied": True})))
    assert sources(facts) == ["spl:base/update/var/updatescheduler"] and facts["reboot_required"] is None


@pytest.mark.parametrize("stamp,unknown", [("20261126 101500", True), ("20261120 101500", False)])
def test_unreadable_update_report_counts_only_after_the_boot(stamp, unknown):
    reading = spl(reports={"update_report%s.json" % stamp: {"error": "cannot read: [Errno 5] Input/output error"}})
    facts = assess(linux(reading))
    assert len(facts["read_errors"]) == 1
    assert (facts["reboot_required"] is None) is unknown


def test_reboot_required_file_that_cannot_be_looked_at():
    flag = {"error": "cannot look at /run/reboot-required: [Errno 13] Permission denied", "denied": True}
    facts = assess(linux(None, {"reboot_required_file": flag, "kernel_release": "x"}))
    assert sources(facts) == ["os:/run/reboot-required"]
    assert facts["reboot_required"] is None and facts["os"]["reboot_required"] is None
    assert facts["sophos"]["reboot_required"] is False  # no Sophos installed: nothing hidden there


@pytest.mark.parametrize("key", ["needs_restarting", "zypper_needs_rebooting", "needrestart"])
def test_command_that_could_not_run(key):
    facts = assess(linux(None, {key: {"error": "[Errno 13] Permission denied"}, "kernel_release": "x"}),
                   {"needrestart": True})
    assert len(facts["read_errors"]) == 1 and facts["reboot_required"] is None


def test_rpm_fallback_without_boot_time_is_unknown():
    rpm = {"rc": 0, "stdout": "kernel-core 5.14.0-1.el9.x86_64 1764100000\n", "stderr": ""}
    facts = assess(dict(linux(None, {"rpm_core": rpm, "kernel_release": "5.14.0-1.el9.x86_64"}), last_boot=None,
                        errors=[{"source": "os:last_boot", "error": "cannot read /proc/1/stat"}]))
    assert facts["reboot_required"] is None and facts["unknown_sources"] == ["os:last_boot"]


def test_weak_only_source_unreadable_keeps_false():
    """needrestart's microcode line is weak: needrestart failing hides its kernel line, which is strong."""
    facts = assess(linux(None, {"needrestart": {"rc": 0, "stdout": "", "stderr": ""}, "kernel_release": "x"}),
                   {"needrestart": True})
    assert facts["reboot_required"] is None
    facts = assess(linux(None, {"needrestart": {"rc": 0, "stdout": "", "stderr": ""}, "kernel_release": "x"}),
                   {"needrestart": True, "ignore_reasons": ["needrestart_kernel"]})
    assert facts["reboot_required"] is False


# --------------------------------------------------------------------------- Windows sources

def test_unreadable_volatile_flags_key():
    raw = windows("endpoint-clean")
    raw["sophos"][0]["keys"][FLAGS] = {"exists": None, "error": DENIED}
    facts = assess(raw)
    assert "registry:HKLM\\%s\\%s" % (W, FLAGS) in sources(facts)
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["unknown_sources"] == ["registry:HKLM\\%s\\%s" % (W, FLAGS)]


def test_unreadable_reboot_flag_value_is_not_not_set():
    raw = windows("endpoint-clean")
    raw["sophos"][0]["keys"][FLAGS]["values"]["RebootRequired"] = {"error": DENIED}
    facts = assess(raw)
    source = "registry:HKLM\\%s\\%s\\RebootRequired" % (W, FLAGS)
    assert {"source": source, "error": DENIED} in facts["read_errors"]
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["unknown_sources"] == [source]


@pytest.mark.parametrize("path,value", [
    ("SYSTEM\\CurrentControlSet\\Services\\Sophos Endpoint Defense", None),
    ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending", None),
    ("SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName", "ComputerName"),
])
def test_unreadable_os_keys_and_values(path, value):
    raw = windows("endpoint-clean")
    if value is None:
        raw["os_keys"][path] = {"exists": None, "error": DENIED}
    else:
        reading = raw["os_keys"].setdefault(path, {"exists": True, "values": {}, "subkeys": []})
        reading["exists"] = True
        reading.setdefault("values", {})[value] = {"error": DENIED}
    facts = assess(raw)
    assert facts["read_errors"] and facts["reboot_required"] is None
    expected = "registry:HKLM\\" + path + ("" if value is None else "\\" + value)
    assert facts["unknown_sources"] == [expected]


def test_value_whose_presence_is_the_signal_counts_even_unreadable():
    raw = windows("endpoint-clean")
    raw["os_keys"]["SYSTEM\\CurrentControlSet\\Services\\Netlogon"] = {
        "exists": True, "subkeys": [], "values": {"JoinDomain": {"error": DENIED}}}
    facts = assess(raw)
    assert [r["id"] for r in facts["reasons"]] == ["domain_join"] and facts["reboot_required"] is True
    assert [e["source"] for e in facts["read_errors"]] == ["registry:HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\JoinDomain"]


def test_unreadable_session_manager_counts_only_when_renames_are_strong():
    raw = windows("endpoint-clean")
    raw["os_keys"]["SYSTEM\\CurrentControlSet\\Control\\Session Manager"] = {"exists": None, "error": DENIED}
    assert assess(raw)["reboot_required"] is False  # weak by default: it could never make it true
    assert assess(raw, {"pending_file_rename": "strong"})["reboot_required"] is None


def test_unreadable_health_key_hides_no_reason():
    raw = windows("endpoint-clean")
    raw["sophos"][0]["keys"]["Health\\Status"] = {"exists": None, "error": DENIED}
    facts = assess(raw)
    assert facts["read_errors"] and facts["reboot_required"] is False
