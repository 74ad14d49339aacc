"""assess() over Windows readings (_assess_windows.py): Sophos' keys and services, the OS's
restart signals, the first install."""

import copy

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import KNOWN_REASONS, assess, check_options
from ansible_collections.fleetops.sophos.tests.unit.assess_readings import NOW, REASON, ids, sources
from ansible_collections.fleetops.sophos.tests.unit.readings import SCCM_KEYS, windows_probe


# ============================================================================
# First install: Sophos installed after the last boot is a strong reason (recorded readings, both platforms).

NATIVE = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
WOW = "SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
AGENT = "Sophos Endpoint Agent"


def windows(name="fresh-install"):
    return windows_probe(name)


def set_dates(raw, date):
    for root in (NATIVE, WOW):
        for child in raw["uninstall"][root]["children"].values():
            child["values"]["InstallDate"] = {"type": "String", "value": date}
    return raw


# --------------------------------------------------------------------------- Windows

def test_installed_today_after_yesterdays_boot_is_a_strong_reason():
    facts = assess(windows())
    [reason] = facts["reasons"]
    assert (reason["id"], reason["source"], reason["strong"]) == (REASON, "sophos", True)
    assert "InstallDate 20261201" in reason["detail"] and "2026-11-30T02:00:00Z" in reason["detail"]
    assert facts["reboot_required"] is True and facts["sophos"]["reboot_required"] is True
    sophos = facts["sophos"]
    assert sophos["installed_since_boot"] is True
    # A date only: no instant is made up.
    assert sophos["installed_at"] is None
    assert sophos["installed_at_source"].startswith("registry:HKLM\\%s\\" % NATIVE)
    assert "InstallDate 20261201" in sophos["installed_at_source"]
    assert facts["read_errors"] == [] and facts["os"]["reboot_required"] is False
    # Pending since the earliest instant of 2026-12-01 anywhere (00:00 at UTC+14), not since this reading
    # (issue 23, point 8): the 14-day alert can fire.
    assert (facts["pending_since"], facts["pending_since_source"]) == ("2026-11-30T10:00:00Z", "source")


def test_a_first_install_pending_for_two_weeks_alerts():
    raw = windows()
    raw["now"] = "2026-12-15T12:00:00Z"
    facts = assess(raw)
    assert facts["pending_days"] == 15.08 and facts["alert"] is True


def test_installed_before_the_boot_is_no_reason():
    facts = assess(set_dates(windows(), "20261127"))
    assert facts["reasons"] == [] and facts["reboot_required"] is False
    assert facts["sophos"]["installed_since_boot"] is False and facts["sophos"]["installed_since_boot_note"] is None


def test_first_install_is_the_earliest_entry():
    raw = windows()
    raw["uninstall"][WOW]["children"]["{0D5C2B1A-AAAA-4BBB-8CCC-0123456789AB}"]["values"]["InstallDate"]["value"] = "20250101"
    facts = assess(raw)
    assert facts["reasons"] == [] and facts["sophos"]["installed_since_boot"] is False
    assert "20250101" in facts["sophos"]["installed_at_source"] and "Sophos AutoUpdate" in facts["sophos"]["installed_at_source"]


@pytest.mark.parametrize("date", ["20261130", "20261129"])
def test_install_date_on_the_boot_day_is_unknown_said_in_the_facts(date):
    """The boot at 02:00 UTC is on the 29th west of UTC-2 and on the 30th elsewhere: both are the boot day."""
    facts = assess(set_dates(windows(), date))
    assert facts["reasons"] == [] and facts["read_errors"] == []
    # Not read errors: everything was read; the date alone cannot answer. No guess either way: unknown,
    # never "no" (issue 23, point 4: built, booted and Sophos installed the same day is the common case).
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["unknown_sources"] == ["registry:HKLM\\%s\\%s\\InstallDate" % (NATIVE, AGENT)]
    assert facts["sophos"]["installed_since_boot"] is None
    assert "day of the last boot" in facts["sophos"]["installed_since_boot_note"]


@pytest.mark.parametrize("value,kind", [("2026-12-01", "String"), ("", "String"), ("20261301", "String"),
                                        ([1, 2], "Binary"), (None, "String")])
def test_odd_install_date_is_a_read_error_and_unknown(value, kind):
    raw = windows()
    raw["uninstall"][NATIVE]["children"][AGENT]["values"]["InstallDate"] = {"type": kind, "value": value}
    raw["uninstall"][NATIVE]["children"].pop("{6F2A5C2E-3C51-4E0B-9C1D-1D2B3C4D5E6F}")
    raw["uninstall"][WOW]["children"] = {}
    facts = assess(raw)
    assert sources(facts) == ["registry:HKLM\\%s\\%s" % (NATIVE, AGENT)]
    assert "not a YYYYMMDD date" in facts["read_errors"][0]["error"]
    assert facts["reasons"] == [] and facts["reboot_required"] is None
    assert facts["unknown_sources"] == sources(facts)


def test_dword_install_date_is_accepted():
    raw = windows()
    for root in (NATIVE, WOW):
        for child in raw["uninstall"][root]["children"].values():
            child["values"]["InstallDate"] = {"type": "DWord", "value": 20261201}
    assert ids(assess(raw)) == [REASON]


def test_missing_install_date_is_a_read_error_not_a_guess():
    raw = windows()
    for root in (NATIVE, WOW):
        for child in raw["uninstall"][root]["children"].values():
            del child["values"]["InstallDate"]
    facts = assess(raw)
    assert len(facts["read_errors"]) == 3 and all("has no InstallDate" in e["error"] for e in facts["read_errors"])
    assert facts["reasons"] == [] and facts["sophos"]["installed_since_boot"] is None
    assert facts["sophos"]["installed_since_boot_note"] == "no readable InstallDate of a Sophos product"


def test_unreadable_value_and_keys_are_unknown_never_not_set():
    raw = windows()
    raw["uninstall"][NATIVE]["children"][AGENT]["values"]["InstallDate"] = {"error": "Access is denied."}
    raw["uninstall"][WOW] = {"exists": None, "error": "Requested registry access is not allowed."}
    facts = assess(raw)
    assert sources(facts) == ["registry:HKLM\\%s\\%s\\InstallDate" % (NATIVE, AGENT), "registry:HKLM\\" + WOW]
    assert all("administrator" in e["hint"] for e in facts["read_errors"])
    # The readable entry says "after the boot", but an unreadable one may be older.
    assert facts["reasons"] == [] and facts["reboot_required"] is None
    assert facts["sophos"]["reboot_required"] is None and facts["sophos"]["installed_since_boot"] is None
    assert facts["unknown_sources"] == sources(facts)


def test_unreadable_entry_does_not_hide_a_certain_before():
    raw = set_dates(windows(), "20250101")
    raw["uninstall"][WOW]["children"]["{0D5C2B1A-AAAA-4BBB-8CCC-0123456789AB}"] = {"exists": None, "error": "denied"}
    facts = assess(raw)
    assert facts["sophos"]["installed_since_boot"] is False
    assert sources(facts) == ["registry:HKLM\\%s\\{0D5C2B1A-AAAA-4BBB-8CCC-0123456789AB}" % WOW]
    # The unknown entry could only add a later date: nothing is hidden, so the answer stays "no".
    assert facts["reboot_required"] is False and facts["unknown_sources"] == []


def test_no_sophos_entry_is_a_read_error():
    raw = windows()
    for root in (NATIVE, WOW):
        raw["uninstall"][root]["children"] = {}
    facts = assess(raw)
    assert sources(facts) == ["registry:HKLM\\" + NATIVE]
    assert "no Sophos product entry" in facts["read_errors"][0]["error"]
    assert facts["sophos"]["installed_since_boot"] is None and facts["reboot_required"] is False


def test_probe_without_uninstall_reading_says_so():
    raw = windows("endpoint-clean")
    raw["uninstall"] = None  # an older probe
    facts = assess(raw)
    assert facts["sophos"]["installed_since_boot_note"] == "the probe did not read the Uninstall keys"
    assert facts["read_errors"] == [] and facts["reboot_required"] is False


def test_recorded_clean_endpoint_was_installed_long_before_its_boot():
    facts = assess(windows("endpoint-clean"))
    assert facts["sophos"]["installed_since_boot"] is False and facts["reasons"] == []
    assert "InstallDate 20250310 (Sophos Endpoint Agent" in facts["sophos"]["installed_at_source"]


def test_reason_is_ignorable_and_not_counted_on_a_host_without_sophos():
    facts = assess(windows(), {"ignore_reasons": [REASON]})
    assert facts["reboot_required"] is False and facts["ignored_reasons"] == [REASON]
    absent = windows("absent")
    absent["uninstall"] = copy.deepcopy(windows()["uninstall"])
    assert assess(absent)["reasons"] == []


# ============================================================================
# Unknown is never "no": every source that exists but cannot be read, and what it does to reboot_required.

W = "SOFTWARE\\WOW6432Node\\Sophos"
FLAGS = "AutoUpdate\\UpdateStatus\\VolatileFlags"


DENIED = "Requested registry access is not allowed."


# --------------------------------------------------------------------------- Windows sources

def test_unreadable_volatile_flags_key():
    raw = windows_probe("endpoint-clean")
    raw["sophos"][0]["keys"][FLAGS] = {"exists": None, "error": DENIED}
    facts = assess(raw)
    assert "registry:HKLM\\%s\\%s" % (W, FLAGS) in sources(facts)
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["unknown_sources"] == ["registry:HKLM\\%s\\%s" % (W, FLAGS)]


def test_unreadable_reboot_flag_value_is_not_not_set():
    raw = windows_probe("endpoint-clean")
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
    raw = windows_probe("endpoint-clean")
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
    raw = windows_probe("endpoint-clean")
    raw["os_keys"]["SYSTEM\\CurrentControlSet\\Services\\Netlogon"] = {
        "exists": True, "subkeys": [], "values": {"JoinDomain": {"error": DENIED}}}
    facts = assess(raw)
    assert [r["id"] for r in facts["reasons"]] == ["domain_join"] and facts["reboot_required"] is True
    assert [e["source"] for e in facts["read_errors"]] == ["registry:HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\JoinDomain"]


def test_unreadable_session_manager_counts_only_when_renames_are_strong():
    raw = windows_probe("endpoint-clean")
    raw["os_keys"]["SYSTEM\\CurrentControlSet\\Control\\Session Manager"] = {"exists": None, "error": DENIED}
    assert assess(raw)["reboot_required"] is False  # weak by default: it could never make it true
    assert assess(raw, {"pending_file_rename": "strong"})["reboot_required"] is None


def test_unreadable_health_key_hides_no_reason():
    raw = windows_probe("endpoint-clean")
    raw["sophos"][0]["keys"]["Health\\Status"] = {"exists": None, "error": DENIED}
    facts = assess(raw)
    assert facts["read_errors"] and facts["reboot_required"] is False


# ============================================================================
# assess() over Windows readings exactly as win_reboot_probe.ps1 returns them (recorded JSON).


STATUS = "AutoUpdate\\UpdateStatus"
SESSION = "SYSTEM\\CurrentControlSet\\Control\\Session Manager"


def probe(name):
    # What the action plugin hands to assess().
    return windows_probe(name, SCCM_KEYS)


def test_clean_endpoint():
    facts = assess(probe("endpoint-clean"))
    sophos = facts["sophos"]
    assert (sophos["installed"], sophos["product"], sophos["version"]) == (True, "windows_endpoint", "2024.3.1.2")
    assert sophos["registry_view"] == "WOW6432Node"
    assert sophos["last_update"] == "2025-11-24T16:00:00Z"
    assert sophos["last_update_ok"] is True and sophos["updated_since_boot"] is False
    assert sophos["health"]["overall"] == "good"
    assert sophos["health"]["services"]["Sophos MCS Agent"] == "running"
    assert sophos["health"]["services"]["Sophos Network Threat Protection"] == "running"
    assert [c["name"] for c in sophos["components"]] == ["Sophos Anti-Virus for Windows", "Sophos Endpoint Defense"]
    assert facts["reasons"] == [] and facts["reboot_required"] is False and facts["read_errors"] == []
    assert facts["os"]["family"] == "windows" and facts["os"]["boot_id"] is None
    assert facts["os"]["uptime_days"] == 26.25


def test_reboot_flag_dword():
    facts = assess(probe("reboot-dword"))
    assert facts["reasons"] == [{"id": "sophos_reboot_required", "source": "sophos", "strong": True,
                                 "detail": "VolatileFlags\\RebootRequired = 1 (WOW6432Node view)"}]
    assert facts["sophos"]["reboot_required"] is True and facts["sophos"]["reboot_urgent"] is False
    assert facts["reboot_required"] is True and facts["os"]["reboot_required"] is False
    assert facts["alert"] is False and facts["pending_since_source"] == "first_seen"


def test_reboot_flag_string_in_native_view_only():
    facts = assess(probe("reboot-string-native-only"))
    assert facts["sophos"]["registry_view"] == "native"
    assert ids(facts) == ["sophos_reboot_required"]
    assert facts["sophos"]["last_update"] == "2025-11-24T16:00:00Z" and facts["sophos"]["last_update_ok"] is True


@pytest.mark.parametrize("kind,value,expected", [
    ("DWord", 0, False), ("String", "0", False), ("String", " 1 ", True), ("QWord", 1, True),
    # REG_BINARY is read little-endian; a form not understood hides the flag: null, not false (issue 23, point 7).
    ("String", "true", True), ("Binary", [1, 0, 0, 0], True), ("Binary", [0, 0, 0, 0], False), ("String", "", None),
    ("String", "0x1", None), ("MultiString", ["1"], None),
])
def test_flag_types(kind, value, expected):
    raw = probe("endpoint-clean")
    raw["sophos"][0]["keys"][FLAGS]["values"]["RebootRequired"] = {"type": kind, "value": value}
    facts = assess(raw)
    assert facts["sophos"]["reboot_required"] is expected and facts["reboot_required"] is expected
    # A value of a type nobody expects is reported, not guessed.
    assert bool(facts["read_errors"]) is (expected is None)


def test_missing_flags_key_and_missing_values():
    raw = probe("endpoint-clean")
    raw["sophos"][0]["keys"][FLAGS] = {"exists": False}
    raw["sophos"][0]["keys"][STATUS]["values"] = {}
    facts = assess(raw)
    assert facts["sophos"]["reboot_required"] is False and facts["read_errors"] == []
    # Falls back to Details\LastGoodInstallTime (epoch milliseconds, QWORD).
    assert facts["sophos"]["last_update"] == "2025-11-24T16:00:00Z" and facts["sophos"]["last_update_ok"] is None


def test_urgent_flag_alerts_and_long_uptime_is_evidence():
    facts = assess(probe("urgent"))
    assert facts["sophos"]["reboot_urgent"] is True and facts["alert"] is True
    assert facts["sophos"]["queued_update"]["evidence"] == ["up 118.25 days with a restart pending"]


def test_updating_with_downloaded_version_and_pending_restart():
    facts = assess(probe("updating-queued"))
    assert facts["sophos"]["updating"] is True
    assert facts["sophos"]["queued_update"]["evidence"] == [
        "Sophos Anti-Virus for Windows downloaded 10.8.12.3 but installed 10.8.11.41",
        "an update is running while a restart is pending"]


@pytest.mark.parametrize("value,expected", [({"type": "DWord", "value": 0}, False), ({"type": "String", "value": ""}, None),
                                            ({"type": "DWord", "value": 1}, True)])
def test_is_updating_values(value, expected):
    raw = probe("endpoint-clean")
    raw["sophos"][0]["keys"][STATUS]["values"]["IsUpdating"] = value
    facts = assess(raw)
    # An unreadable IsUpdating counts as updating (it is present only while an update runs) and is reported.
    assert facts["sophos"]["updating"] is (expected is not False)
    assert bool(facts["read_errors"]) is (expected is None)


def test_health_bad_and_stopped_service():
    facts = assess(probe("health-bad"))
    health = facts["sophos"]["health"]
    assert health["overall"] == "bad"
    assert health["services"]["Sophos File Scanner Service"] == "stopped"
    assert health["detail"] == {"health": "bad", "service": "bad", "threat": "good", "admin": "good"}
    assert facts["sophos"]["last_update_ok"] is False


@pytest.mark.parametrize("value,overall", [(1, "good"), (2, "suspicious"), (3, "bad"), ("2", "suspicious"), (7, "unknown")])
def test_health_values(value, overall):
    raw = probe("endpoint-clean")
    raw["sophos"][0]["keys"]["Health\\Status"]["values"]["health"] = {"type": "DWord", "value": value}
    assert assess(raw)["sophos"]["health"]["overall"] == overall


def test_manual_service_stopped_is_not_bad():
    raw = probe("endpoint-clean")
    raw["services"][0]["status"] = "Stopped"  # Sophos AutoUpdate Service, Manual start
    facts = assess(raw)
    assert facts["sophos"]["health"]["services"]["Sophos AutoUpdate Service"] == "stopped"
    assert facts["sophos"]["health"]["overall"] == "good"


@pytest.mark.parametrize("mode,strong,required", [("weak", False, True), ("strong", True, True), ("ignore", None, True)])
def test_os_reasons_and_pending_file_rename_modes(mode, strong, required):
    facts = assess(probe("os-reasons"), {"pending_file_rename": mode})
    reasons = dict((r["id"], r) for r in facts["reasons"])
    assert set(reasons) - {"pending_file_rename"} == {
        "sophos_pending_renames", "cbs_reboot_pending", "windows_update", "computer_rename", "domain_join",
        "server_manager", "update_exe_volatile", "cbs_reboot_in_progress", "cbs_packages_pending",
        "windows_update_post_reboot_reporting", "windows_update_services_pending", "sccm_reboot_pending"}
    assert reasons["domain_join"]["detail"] == "Netlogon JoinDomain and AvoidSpnSet present"
    assert reasons["update_exe_volatile"]["detail"] == "Microsoft\\Updates\\UpdateExeVolatile\\Flags = 1"
    assert reasons["server_manager"]["detail"] == \
        "ServerManager\\CurrentRebootAttempts = 1, ServerComponentCache\\RestartRequired = 1"
    weak = {"cbs_packages_pending", "windows_update_post_reboot_reporting", "windows_update_services_pending"}
    assert set(r for r in reasons if not reasons[r]["strong"]) == weak | ({"pending_file_rename"} if strong is False else set())
    assert reasons["computer_rename"]["detail"] == "computer name SRV-APP01 will become SRV-APP02"
    assert reasons["sophos_pending_renames"]["detail"] == "Sophos Endpoint Defense sophosPFRs and cleanPFRs present"
    if strong is None:
        assert "pending_file_rename" not in reasons and facts["ignored_reasons"] == ["pending_file_rename"]
    else:
        assert reasons["pending_file_rename"]["strong"] is strong
        assert reasons["pending_file_rename"]["detail"] == "3 entries (2 under \\Sophos\\)"
    assert facts["os"]["reboot_required"] is required


def test_pending_file_rename_alone_is_weak_by_default():
    raw = probe("endpoint-clean")
    raw["os_keys"][SESSION]["values"]["PendingFileRenameOperations2"] = {
        "type": "MultiString", "value": ["\\??\\C:\\Program Files\\Sophos\\x.tmp", ""]}
    facts = assess(raw)
    assert ids(facts) == ["pending_file_rename"] and facts["reboot_required"] is False
    assert assess(raw, {"pending_file_rename": "strong"})["reboot_required"] is True


def test_update_exe_volatile_zero_is_no_reason():
    raw = probe("endpoint-clean")
    raw["os_keys"]["SOFTWARE\\Microsoft\\Updates"] = {"exists": True, "values": {"UpdateExeVolatile": {"type": "DWord", "value": 0}}}
    assert raw["os_keys"]["SOFTWARE\\Microsoft\\Updates\\UpdateExeVolatile"]["values"]["Flags"]["value"] == 0
    assert assess(raw)["reasons"] == []


def test_absent_sophos():
    facts = assess(probe("absent"))
    assert facts["sophos"]["installed"] is False and facts["sophos"]["product"] is None
    assert facts["read_errors"] == [] and facts["reboot_required"] is False


def test_read_failures_become_read_errors():
    facts = assess(probe("read-failures"))
    # The recording has no Sophos Uninstall entry for an installed Sophos: that is a read error too.
    assert [e["source"] for e in facts["read_errors"]] == [
        "os:last_boot", "services", "registry:HKLM\\%s\\Health\\Status" % W,
        "registry:HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"]
    assert facts["os"]["last_boot"] is None and facts["os"]["uptime_days"] is None
    assert facts["sophos"]["installed"] is True and facts["sophos"]["health"]["overall"] == "unknown"


def test_ignore_sophos_reason_keeps_sophos_fact():
    facts = assess(probe("urgent"), {"ignore_reasons": ["sophos_reboot_required"]})
    assert facts["sophos"]["reboot_required"] is True
    assert facts["reboot_required"] is False and facts["alert"] is False


def test_unreadable_endpoint_defense_key_is_a_read_error():
    """An unreadable Sophos Endpoint Defense key is not 'no pending renames'."""
    raw = probe("endpoint-clean")
    sed = "SYSTEM\\CurrentControlSet\\Services\\Sophos Endpoint Defense"
    raw["os_keys"][sed] = {"exists": False, "error": "Requested registry access is not allowed."}
    facts = assess(raw)
    assert {"source": "registry:HKLM\\" + sed, "error": "Requested registry access is not allowed."} in facts["read_errors"]
    assert "sophos_pending_renames" not in ids(facts)


# ============================================================================
# assess() over Windows readings in the probe's own format that earlier code got wrong (issue 9).
#
# Each test starts from a recorded probe result and changes only what a real host would show: a key
# where a value was modelled, a flag in the other registry view, a service still starting after a boot.

N = "SOFTWARE\\Sophos"


NETLOGON = "SYSTEM\\CurrentControlSet\\Services\\Netlogon"
UPDATES = "SOFTWARE\\Microsoft\\Updates"
VOLATILE = UPDATES + "\\UpdateExeVolatile"
VOLATILE_WOW = "SOFTWARE\\WOW6432Node\\Microsoft\\Updates\\UpdateExeVolatile"
SERVER_MANAGER = "SOFTWARE\\Microsoft\\ServerManager"
COMPONENT_CACHE = SERVER_MANAGER + "\\ServicingStorage\\ServerComponentCache"
CBS = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
WU = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate"


def probe_format(name="endpoint-clean"):
    return probe(name)


def reasons(facts):
    return dict((r["id"], r) for r in facts["reasons"])


def service(raw, name):
    return next(s for s in raw["services"] if s["name"] == name)


def root(raw, path):
    return next(r for r in raw["sophos"] if r["root"] == path)


# --------------------------------------------------------------------------- bug 1: domain join

@pytest.mark.parametrize("layout", ["subkey", "value"])
@pytest.mark.parametrize("name", ["JoinDomain", "AvoidSpnSet"])
def test_domain_join_subkey_or_value(layout, name):
    raw = probe_format()
    netlogon = raw["os_keys"][NETLOGON]
    if layout == "subkey":
        netlogon["subkeys"].append(name)
    else:
        netlogon["values"][name] = {"type": "DWord", "value": 1}
    facts = assess(raw)
    assert reasons(facts)["domain_join"]["detail"] == "Netlogon %s present" % name
    assert facts["reboot_required"] is True


# --------------------------------------------------------------------------- bug 2: UpdateExeVolatile

@pytest.mark.parametrize("path", [VOLATILE, VOLATILE_WOW])
def test_update_exe_volatile_key_flags(path):
    raw = probe_format()
    raw["os_keys"][path] = {"exists": True, "subkeys": [], "values": {"Flags": {"type": "DWord", "value": 2}}}
    facts = assess(raw)
    assert reasons(facts)["update_exe_volatile"]["detail"] == "%s\\Flags = 2" % path.split("SOFTWARE\\", 1)[1]


def test_update_exe_volatile_flags_zero_and_missing_key_are_no_reason():
    raw = probe_format()
    assert raw["os_keys"][VOLATILE]["values"]["Flags"]["value"] == 0 and not raw["os_keys"][VOLATILE_WOW]["exists"]
    assert "update_exe_volatile" not in reasons(assess(raw))


def test_update_exe_volatile_value_form_counts():
    raw = probe_format()
    raw["os_keys"][UPDATES]["values"]["UpdateExeVolatile"] = {"type": "DWord", "value": 1}
    assert reasons(assess(raw))["update_exe_volatile"]["detail"] == "Updates\\UpdateExeVolatile = 1"


# --------------------------------------------------------------------------- bug 3: service properties

def test_service_without_start_type_uses_the_registry_start_value():
    """Older .NET has no ServiceController.StartType: the probe sends '' and the key's Start value."""
    raw = probe_format()
    raw["now"], raw["last_boot"] = "2026-11-27T08:00:00Z", "2026-11-27T07:00:00Z"
    for svc in raw["services"]:
        svc["start_type"] = ""
        svc["errors"] = {"StartType": "The property 'StartType' cannot be found on this object."}
    scanner = service(raw, "Sophos File Scanner Service")
    scanner["status"] = "Stopped"
    facts = assess(raw)
    health = facts["sophos"]["health"]
    assert health["services"]["Sophos File Scanner Service"] == "stopped"
    assert health["services"]["Sophos MCS Agent"] == "running" and len(health["services"]) == 11
    assert health["overall"] == "bad" and facts["read_errors"] == []


def test_unreadable_service_status_is_a_read_error_and_keeps_the_others():
    raw = probe_format()
    agent = service(raw, "Sophos MCS Agent")
    agent["status"] = None
    agent["errors"] = {"Status": "Cannot open Sophos MCS Agent service on computer '.'."}
    service(raw, "Sophos MCS Client")["status"] = None
    service(raw, "Sophos MCS Client")["errors"] = {"Status": "Cannot open Sophos MCS Client service on computer '.'."}
    facts = assess(raw)
    # Sophos' own Health\Status still says the agent runs; nothing says it of the client.
    assert facts["sophos"]["health"]["services"]["Sophos MCS Agent"] == "running"
    assert facts["sophos"]["health"]["services"]["Sophos MCS Client"] == "unknown"
    assert facts["sophos"]["health"]["services"]["Sophos Health Service"] == "running"
    assert facts["sophos"]["health"]["overall"] == "good"
    assert [e["source"] for e in facts["read_errors"]] == ["service:Sophos MCS Agent", "service:Sophos MCS Client"]


def test_host_known_only_by_its_services_is_installed():
    raw = probe_format("absent")
    raw["services"] = probe_format()["services"]
    assert assess(raw)["sophos"]["installed"] is True


# --------------------------------------------------------------------------- bug 4: Server Manager

def test_current_reboot_attempts_zero_is_no_reason():
    raw = probe_format()
    raw["os_keys"][SERVER_MANAGER]["values"]["CurrentRebootAttempts"] = {"type": "DWord", "value": 0}
    assert "server_manager" not in reasons(assess(raw))


def test_server_component_cache_restart_required():
    raw = probe_format()
    raw["os_keys"][COMPONENT_CACHE]["values"]["RestartRequired"] = {"type": "DWord", "value": 1}
    assert reasons(assess(raw))["server_manager"]["detail"] == "ServerComponentCache\\RestartRequired = 1"


# --------------------------------------------------------------------------- bug 5: services starting

def _after_boot(minutes):
    raw = probe_format()
    raw["last_boot"] = "2026-11-27T08:00:00Z"
    raw["now"] = "2026-11-27T08:%02d:00Z" % minutes
    return raw


def test_start_pending_right_after_a_restart_is_starting_not_bad():
    raw = _after_boot(1)
    service(raw, "Sophos MCS Agent")["status"] = "StartPending"
    health = assess(raw)["sophos"]["health"]
    assert health["services"]["Sophos MCS Agent"] == "starting" and health["overall"] == "good"


@pytest.mark.parametrize("minutes,delayed,state", [
    (3, False, "starting"), (12, False, "stopped"), (12, True, "starting"), (16, True, "stopped")])
def test_stopped_automatic_service_within_the_grace_after_boot(minutes, delayed, state):
    raw = _after_boot(minutes)
    scanner = service(raw, "Sophos File Scanner Service")
    scanner["status"] = "Stopped"
    if delayed:
        scanner["registry"]["values"]["DelayedAutostart"] = {"type": "DWord", "value": 1}
    health = assess(raw)["sophos"]["health"]
    assert health["services"]["Sophos File Scanner Service"] == state
    assert health["overall"] == ("bad" if state == "stopped" else "good")


def test_sophos_health_stopped_entry_of_a_starting_service_is_not_bad():
    raw = _after_boot(2)
    service(raw, "Sophos MCS Agent")["status"] = "StartPending"
    root(raw, W)["keys"]["Health\\Status"]["values"]["service.Sophos MCS Agent"] = {"type": "DWord", "value": 1}
    health = assess(raw)["sophos"]["health"]
    assert health["services"]["Sophos MCS Agent"] == "starting" and health["overall"] == "good"


def test_stopped_manual_service_within_the_grace_stays_stopped():
    raw = _after_boot(2)
    service(raw, "Sophos AutoUpdate Service")["status"] = "Stopped"
    health = assess(raw)["sophos"]["health"]
    assert health["services"]["Sophos AutoUpdate Service"] == "stopped" and health["overall"] == "good"


# --------------------------------------------------------------------------- bug 6: both registry views

def _native_copy(raw, last_update):
    native = copy.deepcopy(root(raw, W))
    native["root"] = N
    native["keys"]["Health\\Status"] = {"exists": False}
    native["keys"][STATUS]["values"]["LastUpdateTime"] = {"type": "DWord", "value": last_update}
    raw["sophos"] = [root(raw, W), native]
    return native


def test_flag_in_native_view_counts_beside_stale_wow6432node_data():
    raw = probe_format()
    native = _native_copy(raw, 1764500000)
    native["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "DWord", "value": 1}}
    facts = assess(raw)
    assert reasons(facts)["sophos_reboot_required"]["detail"] == "VolatileFlags\\RebootRequired = 1 (native view)"
    # The native view updated last (newer LastUpdateTime), although WOW6432Node holds more keys.
    assert facts["sophos"]["registry_view"] == "native"
    assert facts["sophos"]["last_update"] == "2025-11-30T10:53:20Z"


def test_flag_in_wow6432node_counts_when_native_view_reports():
    raw = probe_format()
    _native_copy(raw, 1764500000)
    root(raw, W)["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "String", "value": "1"}}
    facts = assess(raw)
    assert reasons(facts)["sophos_reboot_required"]["detail"] == "VolatileFlags\\RebootRequired = 1 (WOW6432Node view)"
    assert facts["sophos"]["registry_view"] == "native"


def test_older_native_data_leaves_wow6432node_reporting():
    raw = probe_format()
    _native_copy(raw, 1700000000)
    assert assess(raw)["sophos"]["registry_view"] == "WOW6432Node"


# --------------------------------------------------------------------------- bug 7: names, DWORDs, per value

def test_registry_names_compare_case_insensitively():
    raw = probe_format()
    root(raw, W)["keys"][FLAGS]["values"] = {"rebootrequired": {"type": "DWord", "value": 1}}
    raw["os_keys"][NETLOGON]["subkeys"].append("joindomain")
    raw["os_keys"][SERVER_MANAGER]["values"]["currentrebootattempts"] = {"type": "DWord", "value": 2}
    assert {"sophos_reboot_required", "domain_join", "server_manager"} <= set(reasons(assess(raw)))


def test_dword_above_0x7fffffff_is_shown_unsigned():
    raw = probe_format()
    raw["os_keys"][VOLATILE]["values"]["Flags"] = {"type": "DWord", "value": -1}
    root(raw, W)["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "DWord", "value": -2147483648}}
    found = reasons(assess(raw))
    assert found["update_exe_volatile"]["detail"] == "Microsoft\\Updates\\UpdateExeVolatile\\Flags = 4294967295"
    assert found["sophos_reboot_required"]["detail"] == "VolatileFlags\\RebootRequired = 2147483648 (WOW6432Node view)"


def test_one_unreadable_value_keeps_the_other_values_of_its_key():
    raw = probe_format()
    status = root(raw, W)["keys"][STATUS]["values"]
    status["Result"] = {"error": "Access to the registry value is denied."}
    facts = assess(raw)
    assert facts["sophos"]["last_update"] == "2025-11-24T16:00:00Z"
    assert facts["sophos"]["last_update_ok"] is None
    assert facts["read_errors"] == [{"source": "registry:HKLM\\%s\\%s\\Result" % (W, STATUS),
                                     "error": "Access to the registry value is denied."}]


def test_unreadable_os_key_is_a_read_error_not_no():
    raw = probe_format()
    raw["os_keys"][NETLOGON] = {"exists": None, "error": "Requested registry access is not allowed."}
    facts = assess(raw)
    assert "domain_join" not in reasons(facts)
    assert facts["read_errors"] == [{"source": "registry:HKLM\\" + NETLOGON,
                                     "error": "Requested registry access is not allowed."}]


# --------------------------------------------------------------------------- added signals

def test_reboot_required_since_is_the_pending_since():
    raw = probe_format()
    root(raw, W)["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "DWord", "value": 1},
                                             "RebootRequiredSince": {"type": "QWord", "value": 1764000000123}}
    facts = assess(raw)
    assert facts["pending_since"] == "2025-11-24T16:00:00Z" and facts["pending_since_source"] == "source"
    assert reasons(facts)["sophos_reboot_required"]["detail"] ==\
        "VolatileFlags\\RebootRequired = 1 (WOW6432Node view), RebootRequiredSince 2025-11-24T16:00:00Z"


def test_unusable_reboot_required_since_is_a_read_error_and_first_seen():
    raw = probe_format()
    root(raw, W)["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "DWord", "value": 1},
                                             "RebootRequiredSince": {"type": "String", "value": "soon"}}
    facts = assess(raw)
    assert facts["pending_since_source"] == "first_seen"
    assert [e["source"] for e in facts["read_errors"]] == ["registry:HKLM\\%s\\%s" % (W, FLAGS)]


@pytest.mark.parametrize("path,layout,reason,strong", [
    (CBS, "subkey:RebootInProgress", "cbs_reboot_in_progress", True),
    (CBS, "value:RebootInProgress", "cbs_reboot_in_progress", True),
    (CBS, "subkey:PackagesPending", "cbs_packages_pending", False),
    (WU + "\\Auto Update\\PostRebootReporting", "exists", "windows_update_post_reboot_reporting", False),
    (WU + "\\Services\\Pending", "subkey:7971f918-a847-4430-9279-4a52d1efe18d", "windows_update_services_pending", False),
])
def test_added_os_signals(path, layout, reason, strong):
    raw = probe_format()
    key = raw["os_keys"][path]
    if layout == "exists":
        raw["os_keys"][path] = {"exists": True, "subkeys": [], "values": {}}
    else:
        kind, name = layout.split(":")
        key.update(exists=True)
        key.setdefault("subkeys", [])
        key.setdefault("values", {})
        if kind == "subkey":
            key["subkeys"].append(name)
        else:
            key["values"][name] = {"type": "DWord", "value": 1}
    facts = assess(raw)
    assert [(r["id"], r["source"], r["strong"]) for r in facts["reasons"]] == [(reason, "os", strong)]
    assert facts["reboot_required"] is strong
    assert assess(raw, {"ignore_reasons": [reason]})["ignored_reasons"] == [reason]


def test_empty_services_pending_key_is_no_reason():
    raw = probe_format()
    raw["os_keys"][WU + "\\Services\\Pending"] = {"exists": True, "subkeys": [], "values": {}}
    assert assess(raw)["reasons"] == []


@pytest.mark.parametrize("sccm,found,errors", [
    (None, False, 0),
    ({"reboot_pending": False, "hard_reboot_pending": False}, False, 0),
    ({"reboot_pending": True, "hard_reboot_pending": False}, True, 0),
    ({"reboot_pending": False, "hard_reboot_pending": True}, True, 0),
    ({"error": "The WS-Management service cannot complete the operation within the time specified"}, False, 1),
])
def test_sccm_client(sccm, found, errors):
    raw = probe_format()
    raw["sccm"] = sccm
    facts = assess(raw)
    assert ("sccm_reboot_pending" in reasons(facts)) is found and len(facts["read_errors"]) == errors


def test_every_windows_reason_id_is_accepted_by_ignore_reasons():
    ids = ["cbs_reboot_in_progress", "cbs_packages_pending", "windows_update_services_pending",
           "windows_update_post_reboot_reporting", "sccm_reboot_pending"]
    assert set(ids) <= set(KNOWN_REASONS) and check_options({"ignore_reasons": ids}) == []
    facts = assess(probe_format("os-reasons"), {"ignore_reasons": ids})
    assert set(ids) == set(facts["ignored_reasons"]) and not set(ids) & set(reasons(facts))


# ============================================================================
# Boundaries of the Windows readings in assess(): registry helpers, Sophos keys, services, health, OS keys.
#
# Every input is written here by hand in the output format of win_reboot_probe.ps1 (key readings
# ``{exists, values: {name: {type, value} | {error}}, subkeys, children}``, see
# tests/unit/fixtures/reboot_facts/windows/README.md); every expected value is written by hand too.

DETAILS = "AutoUpdate\\UpdateStatus\\Details"
HEALTH = "Health\\Status"
SED = "SYSTEM\\CurrentControlSet\\Services\\Sophos Endpoint Defense"


ACTIVE_NAME = "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName"
PENDING_NAME = "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName"


BOOT = "2026-11-01T02:00:00Z"
LAST = 1764000000  # 2025-11-24T16:00:00Z
GUID_A = "{0A000000-0000-0000-0000-00000000000A}"
GUID_B = "{0B000000-0000-0000-0000-00000000000B}"


def dword(value):
    return {"type": "DWord", "value": value}


def text(value):
    return {"type": "String", "value": value}


def key(values=None, subkeys=(), children=None):
    reading = {"exists": True, "subkeys": list(subkeys), "values": dict(values or {})}
    if children is not None:
        reading["children"] = children
    return reading


def denied(message="Access is denied"):
    return {"exists": None, "error": message}


def root_edge(path, **keys):
    """A Sophos root; keyword names are the subkey constants' short names."""
    names = {"autoupdate": "AutoUpdate", "status": STATUS, "flags": FLAGS, "details": DETAILS, "health": HEALTH}
    return {"root": path, "keys": dict((names[k], v) for k, v in keys.items())}


def host(roots=(), os_keys=None, services=(), now=NOW, boot=BOOT, sccm=None):
    return {"family": "windows", "now": now, "last_boot": boot, "sophos": list(roots), "os_keys": dict(os_keys or {}),
            "services": list(services), "errors": [], "sccm": sccm, "uninstall": None}


def svc(name, status="Running", start_type="Automatic", display_name=None, registry=None, errors=None):
    return {"name": name, "display_name": display_name if display_name is not None else name, "status": status,
            "start_type": start_type, "registry": registry, "errors": errors or {}}


def status_root(path=N, **values):
    """A root with only an UpdateStatus key holding ``values``."""
    return root_edge(path, status=key(values))


# --------------------------------------------------------------------------- read errors name their key

def test_unreadable_sophos_keys_and_values_are_named_errors():
    status = key({"LastUpdateTime": dword(LAST), "Result": {"error": "type mismatch"}})
    facts = assess(host([root_edge(N, flags=denied(), status=status, details=key(children={GUID_A: denied("gone")}))]))
    assert facts["read_errors"] == [
        {"source": "registry:HKLM\\SOFTWARE\\Sophos\\AutoUpdate\\UpdateStatus\\Result", "error": "type mismatch"},
        {"source": "registry:HKLM\\SOFTWARE\\Sophos\\AutoUpdate\\UpdateStatus\\VolatileFlags",
         "error": "Access is denied"},
        {"source": "registry:HKLM\\SOFTWARE\\Sophos\\AutoUpdate\\UpdateStatus\\Details\\" + GUID_A, "error": "gone"},
    ]
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["sophos"]["last_update_ok"] is None and facts["sophos"]["components"] == []


def test_unreadable_os_key_and_sed_key_are_named_errors():
    facts = assess(host(os_keys={CBS + "\\RebootPending": denied(), SED: denied("no access"),
                                 SESSION: key({"PendingFileRenameOperations": {"error": "too long"}})}))
    assert facts["read_errors"] == [
        {"source": "registry:HKLM\\SYSTEM\\CurrentControlSet\\Services\\Sophos Endpoint Defense", "error": "no access"},
        {"source": "registry:HKLM\\" + CBS + "\\RebootPending", "error": "Access is denied"},
        {"source": "registry:HKLM\\" + SESSION + "\\PendingFileRenameOperations", "error": "too long"},
    ]
    assert facts["reboot_required"] is None


# --------------------------------------------------------------------------- Sophos Endpoint Defense renames

@pytest.mark.parametrize("sed, detail", [
    (key({"sophosPFRs": dword(1)}), "Sophos Endpoint Defense sophosPFRs present"),
    (key(subkeys=["cleanPFRs"]), "Sophos Endpoint Defense cleanPFRs present"),
    (key({"cleanpfrs": dword(0)}, subkeys=["SOPHOSPFRS"]), "Sophos Endpoint Defense sophosPFRs and cleanPFRs present"),
    (key(children={"sophosPFRs": key()}), "Sophos Endpoint Defense sophosPFRs present"),   # read as a child key only
])
def test_sed_pending_renames(sed, detail):
    facts = assess(host(os_keys={SED: sed}))
    sophos = facts["sophos"]
    assert (sophos["installed"], sophos["product"], sophos["reboot_required"]) == (True, "windows_endpoint", True)
    assert facts["reasons"] == [{"id": "sophos_pending_renames", "source": "sophos", "strong": True, "detail": detail}]
    assert sophos["registry_view"] is None and sophos["version"] is None


def test_nothing_sophos_is_not_installed_and_a_plain_sed_key_is():
    assert assess(host(os_keys={SED: {"exists": False}}))["sophos"]["installed"] is False
    facts = assess(host(os_keys={SED: key({"Start": dword(0)})}))
    assert facts["sophos"]["installed"] is True and facts["sophos"]["reboot_required"] is False
    assert facts["reasons"] == [] and facts["reboot_required"] is False


# --------------------------------------------------------------------------- VolatileFlags

@pytest.mark.parametrize("flags, detail, urgent", [
    ({"RebootRequired": dword(1)}, "VolatileFlags\\RebootRequired = 1 (native view)", False),
    ({"RebootRequired": text(" Yes ")}, "VolatileFlags\\RebootRequired =  Yes  (native view)", False),
    ({"RebootRequired": text("TRUE")}, "VolatileFlags\\RebootRequired = TRUE (native view)", False),
    ({"RebootRequired": dword(-1)}, "VolatileFlags\\RebootRequired = 4294967295 (native view)", False),
    ({"rebootrequired": dword(0), "UrgentRebootRequired": dword(2)},
     "VolatileFlags\\UrgentRebootRequired = 2 (native view)", True),
])
def test_flag_values(flags, detail, urgent):
    facts = assess(host([root_edge(N, flags=key(flags))]))
    assert facts["reasons"] == [{"id": "sophos_reboot_required", "source": "sophos", "strong": True, "detail": detail}]
    assert facts["sophos"]["reboot_urgent"] is urgent and facts["alert"] is urgent
    assert facts["read_errors"] == [] and facts["pending_since_source"] == "first_seen"


@pytest.mark.parametrize("name", ["RebootRequired", "UrgentRebootRequired"])
@pytest.mark.parametrize("value", [text("maybe"), text("no"), dword(None), text("0x1"),
                                   {"type": "MultiString", "value": ["1"]}, {"type": "Binary", "value": [1, 300]}])
def test_flag_unexpected_value_is_an_error_not_a_flag(value, name):
    """A flag of a form not understood hides the reason: null, not false (issue 23, point 7)."""
    facts = assess(host([root_edge(N, flags=key({name: value}))]))
    source = "registry:HKLM\\SOFTWARE\\Sophos\\AutoUpdate\\UpdateStatus\\VolatileFlags"
    assert facts["reasons"] == [] and facts["sophos"]["reboot_required"] is None
    assert (facts["reboot_required"], facts["unknown_sources"]) == (None, [source])
    assert facts["read_errors"] == [{"source": source,
                                     "error": "%s has an unexpected value %r" % (name, value["value"])}]


@pytest.mark.parametrize("data, expected", [([1, 0, 0, 0], True), ([0, 0, 0, 0], False), ([0, 1], True),
                                            ([0, 0, 0, 0, 0, 0, 0, 1], True), ([255, 0, 0, 0], True)])
def test_flag_binary_is_read_little_endian(data, expected):
    facts = assess(host([root_edge(N, flags=key({"RebootRequired": {"type": "Binary", "value": data}}))]))
    assert (facts["reboot_required"], facts["read_errors"]) == (expected, [])


def test_flag_since_in_milliseconds_and_in_the_other_view():
    since_ms = (LAST + 3600) * 1000  # 2025-11-24T17:00:00Z
    facts = assess(host([root_edge(W, flags=key({"RebootRequired": dword(0)})),
                         root_edge(N, flags=key({"RebootRequired": dword(1), "RebootRequiredSince": {"type": "QWord",
                                                                                                     "value": since_ms}}))]))
    assert reasons(facts)["sophos_reboot_required"]["detail"] ==\
        "VolatileFlags\\RebootRequired = 1 (native view), RebootRequiredSince 2025-11-24T17:00:00Z"
    assert facts["pending_since"] == "2025-11-24T17:00:00Z" and facts["pending_since_source"] == "source"


def test_flag_since_not_an_epoch_is_an_error():
    facts = assess(host([root_edge(W, flags=key({"UrgentRebootRequired": dword(1), "RebootRequiredSince": text("soon")}))]))
    assert reasons(facts)["sophos_reboot_required"]["detail"] ==\
        "VolatileFlags\\UrgentRebootRequired = 1 (WOW6432Node view)"
    assert facts["read_errors"] == [{
        "source": "registry:HKLM\\SOFTWARE\\WOW6432Node\\Sophos\\AutoUpdate\\UpdateStatus\\VolatileFlags",
        "error": "RebootRequiredSince is not an epoch timestamp: 'soon'"}]
    assert facts["pending_since_source"] == "first_seen" and facts["pending_since"] == NOW


# --------------------------------------------------------------------------- version, updating, last update

@pytest.mark.parametrize("details, autoupdate, version", [
    ({"Version": text("2024.3.1.2")}, {"ProductVersion": text("6.11.299")}, "2024.3.1.2"),
    ({}, {"ProductVersion": text("6.11.299")}, "6.11.299"),
    ({"Version": text("")}, {"ProductVersion": text("6.11.299")}, "6.11.299"),
    ({"Version": text("")}, {"ProductVersion": text("")}, None),
    ({}, {"ProductVersion": dword(7)}, "7"),
    ({}, {}, None),
])
def test_version(details, autoupdate, version):
    facts = assess(host([root_edge(N, autoupdate=key(autoupdate), details=key(details))]))
    assert facts["sophos"]["version"] == version


@pytest.mark.parametrize("values, updating, errors", [
    ({}, False, 0), ({"IsUpdating": dword(0)}, False, 0), ({"IsUpdating": dword(1)}, True, 0),
    ({"isupdating": text("true")}, True, 0), ({"IsUpdating": text("perhaps")}, True, 1),
])
def test_updating(values, updating, errors):
    facts = assess(host([status_root(**values)]))
    assert facts["sophos"]["updating"] is updating
    assert sources(facts) == ["registry:HKLM\\SOFTWARE\\Sophos\\AutoUpdate\\UpdateStatus"] * errors


def test_last_update_not_an_epoch_is_an_error_and_falls_back_to_last_good_install():
    facts = assess(host([root_edge(W, status=key({"LastUpdateTime": dword(5)}),
                                   details=key({"LastGoodInstallTime": {"type": "QWord", "value": LAST * 1000}}))]))
    assert facts["read_errors"] == [{"source": "registry:HKLM\\SOFTWARE\\WOW6432Node\\Sophos\\AutoUpdate\\UpdateStatus",
                                     "error": "LastUpdateTime is not an epoch timestamp: 5"}]
    assert facts["sophos"]["last_update"] == "2025-11-24T16:00:00Z"
    assert facts["sophos"]["registry_view"] == "WOW6432Node"


@pytest.mark.parametrize("values, ok", [
    ({"Result": dword(0)}, True), ({"Result": dword(1)}, False), ({"Result": text("0")}, True),
    ({"Result": text("n/a"), "FirstFailedUpdateTime": dword(LAST + 1)}, False),  # unreadable Result: the failure time
    ({"LastUpdateTime": dword(LAST), "FirstFailedUpdateTime": dword(LAST + 1)}, False),
    ({"LastUpdateTime": dword(LAST), "FirstFailedUpdateTime": dword(LAST)}, True),
    ({"LastUpdateTime": dword(LAST), "FirstFailedUpdateTime": dword(0)}, True),
    ({"FirstFailedUpdateTime": dword(LAST)}, False),
    ({"LastUpdateTime": dword(LAST)}, None),
])
def test_last_update_ok(values, ok):
    assert assess(host([status_root(**values)]))["sophos"]["last_update_ok"] is ok


# --------------------------------------------------------------------------- components

def test_components_skip_an_unreadable_child_and_name_by_guid():
    details = key(children={GUID_A: denied(), GUID_B: key({"InstalledVersion": text("1.2"),
                                                           "DownloadedVersion": text("1.3")}),
                            "{0C}": key({"LongName": text("Sophos File Scanner"), "InstalledVersion": text("3")})})
    facts = assess(host([root_edge(N, details=details)]))
    assert facts["sophos"]["components"] == [
        {"name": GUID_B, "installed_version": "1.2", "downloaded_version": "1.3"},
        {"name": "Sophos File Scanner", "installed_version": "3", "downloaded_version": None}]


# --------------------------------------------------------------------------- Health\Status

def test_health_detail_names_each_value():
    values = {"health": dword(1), "service": dword(2), "threat": dword(3), "threatService": dword(1),
              "admin": dword(9), "other": dword(3)}
    facts = assess(host([root_edge(N, health=key(values))]))
    health = facts["sophos"]["health"]
    assert health["detail"] == {"health": "good", "service": "suspicious", "threat": "bad",
                                "threatService": "good", "admin": "unknown"}
    assert health["overall"] == "good"


@pytest.mark.parametrize("value, overall", [(1, "good"), (2, "suspicious"), (3, "bad"), (0, "unknown")])
def test_health_overall_from_health_value(value, overall):
    facts = assess(host([root_edge(N, health=key({"health": dword(value)}))]))
    assert facts["sophos"]["health"]["overall"] == overall


@pytest.mark.parametrize("value, state, overall", [
    (dword(0), "running", "good"), (dword(1), "stopped", "bad"), (dword(5), "unknown", "good"),
    (text("x"), "unknown", "good"),
])
def test_health_service_values(value, state, overall):
    facts = assess(host([root_edge(N, health=key({"health": dword(1), "Service.Sophos MCS Agent": value}))]))
    assert facts["sophos"]["health"]["services"] == {"Sophos MCS Agent": state}
    assert facts["sophos"]["health"]["overall"] == overall


def test_health_service_matches_a_listed_service_case_insensitively():
    """Sophos Health's copy of a service state lags the live one (issue 23, point 5): the live state wins,
    whichever way they differ; a paused manual service is not running and not required."""
    facts = assess(host([root_edge(N, health=key({"service.sophos mcs agent": dword(1),
                                                  "service.Sophos Health Service": dword(0)}))],
                        services=[svc("Sophos MCS Agent"),
                                  svc("Sophos Health Service", status="Paused", start_type="Manual")]))
    assert facts["sophos"]["health"]["services"] == {"Sophos MCS Agent": "running", "Sophos Health Service": "stopped"}
    assert facts["sophos"]["health"]["overall"] == "unknown"


def test_health_stopped_keeps_a_listed_starting_service_and_unknown_keeps_a_running_one():
    facts = assess(host([root_edge(N, health=key({"service.Sophos MCS Agent": dword(1), "service.SntpService": dword(7)}))],
                        services=[svc("Sophos MCS Agent", status="Stopped"), svc("SntpService")],
                        now="2026-11-01T02:05:00Z"))
    assert facts["sophos"]["health"]["services"] == {"Sophos MCS Agent": "starting", "SntpService": "running"}
    assert facts["sophos"]["health"]["overall"] == "unknown"


@pytest.mark.parametrize("now, state, overall", [
    ("2026-11-01T02:00:00Z", "starting", "unknown"),
    ("2026-11-01T02:14:59Z", "starting", "unknown"),
    ("2026-11-01T02:15:00Z", "stopped", "bad"),
    ("2026-11-01T01:59:59Z", "stopped", "bad"),
])
def test_health_service_stopped_right_after_boot_is_starting(now, state, overall):
    facts = assess(host([root_edge(N, health=key({"service.Sophos Live Query": dword(1)}))], now=now))
    assert facts["sophos"]["health"]["services"] == {"Sophos Live Query": state}
    assert facts["sophos"]["health"]["overall"] == overall


# --------------------------------------------------------------------------- services: start mode and state

def after_boot(seconds):
    return "2026-11-01T02:%02d:%02dZ" % divmod(seconds, 60)


@pytest.mark.parametrize("start_type, registry, seconds, state, bad, mode", [
    ("Automatic", None, 0, "starting", False, "automatic"),
    ("Automatic", None, 599, "starting", False, "automatic"),
    ("Automatic", None, 600, "stopped", True, "automatic"),
    ("AutomaticDelayedStart", None, 899, "starting", False, "delayed"),
    ("AutomaticDelayedStart", None, 900, "stopped", True, "delayed"),
    ("Automatic", key({"DelayedAutostart": dword(1)}), 899, "starting", False, "delayed"),
    ("Automatic", key({"DelayedAutostart": dword(0)}), 600, "stopped", True, "automatic"),
    ("", key({"Start": dword(2)}), 599, "starting", False, "automatic"),
    ("", key({"Start": dword(2), "DelayedAutostart": dword(1)}), 899, "starting", False, "delayed"),
    (None, key({"Start": dword(2)}), 600, "stopped", True, "automatic"),
    ("Manual", key({"Start": dword(2)}), 10, "stopped", False, "manual"),   # Get-Service's word wins
    ("Manual", None, 10, "stopped", False, "manual"),
    ("Disabled", None, 10, "stopped", False, "disabled"),
    ("Boot", None, 10, "starting", False, "automatic"),
    ("System", None, 600, "stopped", True, "automatic"),
    ("", key({"Start": dword(0)}), 600, "stopped", True, "automatic"),
    ("", key({"Start": dword(1)}), 10, "starting", False, "automatic"),
    ("", key({"Start": dword(3)}), 10, "stopped", False, "manual"),
    ("", key({"Start": dword(4)}), 10, "stopped", False, "disabled"),
    ("", key({}), 10, "stopped", False, None),
    ("", None, 10, "stopped", False, None),
])
def test_stopped_service_by_start_mode(start_type, registry, seconds, state, bad, mode):
    facts = assess(host(services=[svc("Sophos MCS Agent", status="Stopped", start_type=start_type, registry=registry)],
                        now=after_boot(seconds)))
    health = facts["sophos"]["health"]
    assert health["services"] == {"Sophos MCS Agent": state}
    assert health["start_modes"] == {"Sophos MCS Agent": mode}
    assert health["overall"] == ("bad" if bad else "unknown")


@pytest.mark.parametrize("status, state, bad", [
    ("Running", "running", False), (" RUNNING ", "running", False), ("StartPending", "starting", False),
    # Paused and StopPending are not running: stopped. A status that says nothing is unknown, not bad:
    # the cycle's check after a restart refuses it (issue 23, point 1).
    ("ContinuePending", "starting", False), ("Paused", "stopped", True), ("StopPending", "stopped", True),
    (None, "unknown", False),
    ("Stopped", "stopped", True),
])
def test_service_status(status, state, bad):
    facts = assess(host(services=[svc("SntpService", status=status, display_name="Sophos Network Threat Protection")]))
    assert facts["sophos"]["health"]["services"] == {"Sophos Network Threat Protection": state}
    assert facts["sophos"]["health"]["overall"] == ("bad" if bad else "unknown")


def test_stopped_service_before_the_boot_time_is_stopped():
    # A clock read before the boot time (skew): no grace.
    facts = assess(host(services=[svc("Sophos MCS Agent", status="Stopped")], now="2026-11-01T01:59:59Z"))
    assert facts["sophos"]["health"]["services"] == {"Sophos MCS Agent": "stopped"}
    assert facts["sophos"]["health"]["overall"] == "bad"


def test_service_status_unreadable_is_an_error_not_bad_health():
    facts = assess(host(services=[svc("SntpService", status=None, display_name="", errors={"status": "denied"})]))
    assert facts["sophos"]["health"] == {"overall": "unknown", "detail": {}, "services": {"SntpService": "unknown"},
                                         "start_modes": {"SntpService": "automatic"}}
    assert facts["read_errors"] == [{"source": "service:SntpService", "error": "Status: denied"}]


def test_service_registry_read_errors_name_the_service_key():
    facts = assess(host(services=[svc("hmpalertsvc", start_type="", registry=denied())]))
    assert facts["read_errors"] == [{"source": "registry:HKLM\\SYSTEM\\CurrentControlSet\\Services\\hmpalertsvc",
                                     "error": "Access is denied"}]


def test_nameless_service_is_skipped():
    facts = assess(host(services=[{"name": None, "display_name": None, "status": "Stopped", "start_type": "Automatic"},
                                  "not a service"]))
    assert facts["sophos"]["installed"] is True and facts["sophos"]["health"]["services"] == {}
    assert facts["sophos"]["health"]["overall"] == "unknown"


# --------------------------------------------------------------------------- which Sophos root

def test_root_with_the_newest_last_update_wins():
    facts = assess(host([status_root(W, LastUpdateTime=dword(LAST), Result=dword(1)),
                         status_root(N, LastUpdateTime=dword(LAST + 60), Result=dword(0))]))
    assert facts["sophos"]["registry_view"] == "native" and facts["sophos"]["last_update_ok"] is True


def test_a_timed_root_wins_over_a_fuller_untimed_one():
    fuller = root_edge(W, autoupdate=key({"ProductVersion": text("1")}), status=key({"Result": dword(1)}),
                       flags=key(), details=key(), health=key())
    facts = assess(host([fuller, status_root(N, LastUpdateTime=dword(LAST))]))
    assert facts["sophos"]["registry_view"] == "native"


def test_without_times_the_root_with_more_keys_then_values_wins_and_the_first_on_a_tie():
    two_keys = root_edge(N, autoupdate=key(), status=key())
    one_key_many_values = root_edge(W, status=key({"Result": dword(0), "A": dword(1), "B": dword(2)}))
    assert assess(host([one_key_many_values, two_keys]))["sophos"]["registry_view"] == "native"
    more_values = root_edge(N, status=key({"Result": dword(0), "A": dword(1)}))
    assert assess(host([one_key_many_values, more_values]))["sophos"]["registry_view"] == "WOW6432Node"
    assert assess(host([root_edge(N, status=key({"A": dword(1), "B": dword(1), "C": dword(1)})),
                        one_key_many_values]))["sophos"]["registry_view"] == "native"


def test_a_root_without_existing_keys_is_not_chosen():
    facts = assess(host([root_edge(N, status={"exists": False}, flags={"exists": False})],
                        services=[svc("Sophos MCS Agent")]))
    assert facts["sophos"]["installed"] is True and facts["sophos"]["registry_view"] is None
    assert facts["sophos"]["last_update"] is None


# --------------------------------------------------------------------------- OS keys

def os_reasons(os_keys, **options):
    return dict((r["id"], (r["detail"], r["strong"])) for r in assess(host(os_keys=os_keys), options)["reasons"])


def test_cbs_and_windows_update_keys():
    got = os_reasons({CBS + "\\RebootPending": key(), CBS: key({"PackagesPending": dword(1)}, subkeys=["rebootinprogress"]),
                      WU + "\\Auto Update\\RebootRequired": key(), WU + "\\Auto Update\\PostRebootReporting": key(),
                      WU + "\\Services\\Pending": key({"x": dword(1)}, subkeys=["{A}", "{B}"])})
    assert got == {
        "cbs_reboot_pending": ("Component Based Servicing\\RebootPending exists", True),
        "cbs_reboot_in_progress": ("Component Based Servicing\\RebootInProgress exists", True),
        "cbs_packages_pending": ("Component Based Servicing\\PackagesPending exists", False),
        "windows_update": ("WindowsUpdate\\Auto Update\\RebootRequired exists", True),
        "windows_update_post_reboot_reporting": ("WindowsUpdate\\Auto Update\\PostRebootReporting exists", False),
        "windows_update_services_pending": ("WindowsUpdate\\Services\\Pending holds 3 entries", False),
    }


def test_empty_windows_update_pending_key_is_no_reason():
    assert os_reasons({WU + "\\Services\\Pending": key()}) == {}


@pytest.mark.parametrize("pending, count", [(key(subkeys=["{A}"]), 1), (key({"x": dword(0), "y": dword(0)}), 2)])
def test_windows_update_pending_subkeys_or_values(pending, count):
    assert os_reasons({WU + "\\Services\\Pending": pending}) == {
        "windows_update_services_pending": ("WindowsUpdate\\Services\\Pending holds %d entries" % count, False)}


@pytest.mark.parametrize("value, detail", [
    (["\\??\\C:\\a.tmp", "", "\\??\\C:\\Program Files\\Sophos\\x.new", "!\\??\\C:\\Program Files\\Sophos\\x"],
     "2 entries (1 under \\Sophos\\)"),
    (["", "\\??\\C:\\orphan", "\\??\\C:\\b", "\\??\\C:\\SOPHOS\\c", "\\??\\C:\\d"], "2 entries (1 under \\Sophos\\)"),
    ("\\??\\C:\\Windows\\Temp\\x", "1 entries (0 under \\Sophos\\)"),
])
def test_pending_file_renames(value, detail):
    assert os_reasons({SESSION: key({"PendingFileRenameOperations": {"type": "MultiString", "value": value}})}) ==\
        {"pending_file_rename": (detail, False)}
    assert os_reasons({SESSION: key({"PendingFileRenameOperations2": {"type": "MultiString", "value": value}})},
                      pending_file_rename="strong") == {"pending_file_rename": (detail, True)}


def test_pending_file_renames_of_both_values_are_counted_together():
    got = os_reasons({SESSION: key({"PendingFileRenameOperations": {"type": "MultiString", "value": ["\\??\\C:\\a", ""]},
                                    "PendingFileRenameOperations2": {"type": "String", "value": "\\??\\C:\\b"}})})
    assert got == {"pending_file_rename": ("2 entries (0 under \\Sophos\\)", False)}


@pytest.mark.parametrize("active, pending, detail", [
    ("SRV01", "SRV02", "computer name SRV01 will become SRV02"),
    ("SRV01", " srv01 ", None),
    ("SRV01", None, None),
])
def test_computer_rename(active, pending, detail):
    os_keys = {ACTIVE_NAME: key({"ComputerName": text(active)})}
    if pending is not None:
        os_keys[PENDING_NAME] = key({"ComputerName": text(pending)})
    got = os_reasons(os_keys)
    assert got == ({"computer_rename": (detail, True)} if detail else {})


def test_domain_join_both_names():
    got = os_reasons({NETLOGON: key({"AvoidSpnSet": dword(1)}, subkeys=["JoinDomain"])})
    assert got == {"domain_join": ("Netlogon JoinDomain and AvoidSpnSet present", True)}


@pytest.mark.parametrize("manager, cache, detail", [
    (key({"CurrentRebootAttempts": dword(1)}), None, "ServerManager\\CurrentRebootAttempts = 1"),
    (key({"CurrentRebootAttempts": dword(0)}), None, None),
    (key(subkeys=["CurrentRebootAttempts"]), None, "ServerManager\\CurrentRebootAttempts exists"),
    (key({"CurrentRebootAttempts": dword(0)}, subkeys=["CurrentRebootAttempts"]), None, None),
    (None, key({"RestartRequired": dword(1)}), "ServerComponentCache\\RestartRequired = 1"),
    (None, key({"RestartRequired": dword(0)}), None),
    (key({"CurrentRebootAttempts": dword(2)}), key({"RestartRequired": dword(1)}),
     "ServerManager\\CurrentRebootAttempts = 2, ServerComponentCache\\RestartRequired = 1"),
])
def test_server_manager(manager, cache, detail):
    os_keys = {}
    if manager is not None:
        os_keys[SERVER_MANAGER] = manager
    if cache is not None:
        os_keys[COMPONENT_CACHE] = cache
    assert os_reasons(os_keys) == ({"server_manager": (detail, True)} if detail else {})


@pytest.mark.parametrize("updates, flags, flags_wow, detail", [
    ({"UpdateExeVolatile": dword(1)}, None, None, "Updates\\UpdateExeVolatile = 1"),
    ({"UpdateExeVolatile": text("set")}, None, None, "Updates\\UpdateExeVolatile = set"),
    ({"UpdateExeVolatile": dword(0)}, None, None, None),
    ({}, {"Flags": dword(0)}, {"Flags": text("odd")}, "WOW6432Node\\Microsoft\\Updates\\UpdateExeVolatile\\Flags = odd"),
    ({"UpdateExeVolatile": dword(3)}, {"Flags": dword(1)}, {"Flags": dword(2)},
     "Updates\\UpdateExeVolatile = 3, Microsoft\\Updates\\UpdateExeVolatile\\Flags = 1, "
     "WOW6432Node\\Microsoft\\Updates\\UpdateExeVolatile\\Flags = 2"),
])
def test_update_exe_volatile(updates, flags, flags_wow, detail):
    os_keys = {UPDATES: key(updates)}
    if flags is not None:
        os_keys[UPDATES + "\\UpdateExeVolatile"] = key(flags)
    if flags_wow is not None:
        os_keys["SOFTWARE\\WOW6432Node\\Microsoft\\Updates\\UpdateExeVolatile"] = key(flags_wow)
    assert os_reasons(os_keys) == ({"update_exe_volatile": (detail, True)} if detail else {})


@pytest.mark.parametrize("sccm, detail", [
    ({"reboot_pending": True, "hard_reboot_pending": False},
     "SCCM client DetermineIfRebootPending: RebootPending True, IsHardRebootPending False"),
    ({"reboot_pending": False, "hard_reboot_pending": 1},
     "SCCM client DetermineIfRebootPending: RebootPending False, IsHardRebootPending True"),
    ({"reboot_pending": False, "hard_reboot_pending": False}, None),
])
def test_sccm(sccm, detail):
    facts = assess(host(sccm=sccm))
    assert dict((r["id"], r["detail"]) for r in facts["reasons"]) == ({"sccm_reboot_pending": detail} if detail else {})


def test_sccm_error_is_named_and_unknown():
    facts = assess(host(sccm={"error": "Invalid namespace", "reboot_pending": True}))
    assert facts["reasons"] == []
    assert facts["read_errors"] == [{"source": "cim:ROOT\\ccm\\ClientSDK:CCM_ClientUtilities.DetermineIfRebootPending",
                                     "error": "Invalid namespace"}]
    assert facts["reboot_required"] is None
    assert facts["unknown_sources"] == ["cim:ROOT\\ccm\\ClientSDK:CCM_ClientUtilities.DetermineIfRebootPending"]


# --------------------------------------------------------------------------- Uninstall entries (install date)

UNINSTALL = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
UNINSTALL_WOW = "SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
ADMIN = "readable by administrators only: connect as an administrator or use become (runas)"


def installed_host(uninstall):
    raw = host([status_root(LastUpdateTime=dword(LAST))])
    raw["uninstall"] = uninstall
    return raw


def test_uninstall_entries_that_cannot_be_dated_are_named():
    children = {"A": {"exists": None}, "B": key({"DisplayName": {"error": "denied"}}),
                "C": key({"DisplayName": text("Sophos Endpoint Agent")}), "D": key({"DisplayName": dword(5)}),
                "E": key({"DisplayName": text("Sophos Health"), "InstallDate": text("2026-11-05")})}
    facts = assess(installed_host({UNINSTALL: key(children=children), UNINSTALL_WOW: {"exists": None}}))
    base = "registry:HKLM\\" + UNINSTALL
    assert facts["read_errors"] == [
        {"source": base + "\\A", "error": "cannot tell whether the key exists", "hint": ADMIN},
        {"source": base + "\\B\\DisplayName", "error": "denied", "hint": ADMIN},
        {"source": base + "\\C", "error": "Sophos Endpoint Agent has no InstallDate value"},
        {"source": base + "\\E", "error": "Sophos Health InstallDate is not a YYYYMMDD date: '2026-11-05'"},
        {"source": "registry:HKLM\\" + UNINSTALL_WOW, "error": "cannot tell whether the key exists", "hint": ADMIN},
    ]
    assert facts["sophos"]["installed_since_boot"] is None
    assert facts["sophos"]["installed_since_boot_note"] == "no readable InstallDate of a Sophos product"
    assert facts["unknown_sources"] == [base + "\\A", base + "\\B\\DisplayName", base + "\\E",
                                        "registry:HKLM\\" + UNINSTALL_WOW]


def test_a_missing_uninstall_reading_does_not_stop_the_other_view():
    children = {"F": key({"DisplayName": text("Sophos Endpoint Agent"), "InstallDate": text("20261110")})}
    facts = assess(installed_host({UNINSTALL_WOW: key(children=children)}))
    assert facts["read_errors"] == [{"source": "registry:HKLM\\" + UNINSTALL,
                                     "error": "no reading of this key in the probe result"}]
    assert facts["sophos"]["installed_since_boot"] is None
    assert facts["sophos"]["installed_since_boot_note"] == (
        "the earliest readable InstallDate 20261110 is not before the last boot, and 1 Sophos entries have no "
        "readable date")


def test_uninstall_not_a_mapping_and_boot_unknown():
    facts = assess(installed_host(["x"]))
    assert facts["read_errors"] == [{"source": "probe:uninstall", "error": "expected a mapping of key readings, got list"}]
    children = {"F": key({"DisplayName": text("Sophos Endpoint Agent"), "InstallDate": text("20261101")})}
    raw = installed_host({UNINSTALL: key(children=children), UNINSTALL_WOW: {"exists": False}})
    raw["last_boot"] = None
    assert assess(raw)["sophos"]["installed_since_boot_note"] == "the last boot time is unknown"
    raw["last_boot"] = BOOT
    assert assess(raw)["sophos"]["installed_since_boot_note"] == (
        "InstallDate 20261101 is the day of the last boot (2026-11-01T02:00:00Z) in the host's local time: a date "
        "without a time cannot say whether Sophos was installed before or after it")


def test_an_error_without_exists_still_hides_what_the_key_may_hold():
    facts = assess(host(os_keys={CBS + "\\RebootPending": {"error": "denied"}}))
    assert facts["read_errors"] == [{"source": "registry:HKLM\\" + CBS + "\\RebootPending", "error": "denied"}]
    assert facts["reboot_required"] is None and facts["unknown_sources"] == ["registry:HKLM\\" + CBS + "\\RebootPending"]


def test_an_unreadable_first_uninstall_view_does_not_stop_the_other():
    children = {"F": key({"DisplayName": text("Sophos Endpoint Agent"), "InstallDate": text("20261110")})}
    facts = assess(installed_host({UNINSTALL: denied(), UNINSTALL_WOW: key(children=children)}))
    assert facts["read_errors"] == [{"source": "registry:HKLM\\" + UNINSTALL, "error": "Access is denied", "hint": ADMIN}]
    assert facts["sophos"]["installed_since_boot_note"] == (
        "the earliest readable InstallDate 20261110 is not before the last boot, and 1 Sophos entries have no "
        "readable date")


def test_installed_since_boot_counts_the_days_to_the_reading():
    children = {"F": key({"DisplayName": text("Sophos Endpoint Agent"), "InstallDate": text("20261110")})}
    facts = assess(installed_host({UNINSTALL: {"exists": False}, UNINSTALL_WOW: key(children=children)}))
    assert facts["sophos"]["installed_since_boot"] is True
    assert reasons(facts)["sophos_installed_since_boot"]["detail"] == (
        "Sophos Endpoint Agent InstallDate 20261110 is later than the day of the last boot 2026-11-01T02:00:00Z "
        "(installed about 17 day(s) before this reading)")


def test_an_unreadable_key_that_can_hold_only_weak_reasons_hides_nothing():
    weak_only = {WU + "\\Auto Update\\PostRebootReporting": denied(), WU + "\\Services\\Pending": denied()}
    facts = assess(host(os_keys=weak_only))
    assert [e["source"] for e in facts["read_errors"]] == [
        "registry:HKLM\\" + WU + "\\Auto Update\\PostRebootReporting", "registry:HKLM\\" + WU + "\\Services\\Pending"]
    assert (facts["reboot_required"], facts["os"]["reboot_required"], facts["unknown_sources"]) == (False, False, [])
    # The same for the pending renames, unless they are made strong.
    session = {SESSION: denied()}
    assert assess(host(os_keys=session))["reboot_required"] is False
    strong = assess(host(os_keys=session), {"pending_file_rename": "strong"})
    assert (strong["reboot_required"], strong["unknown_sources"]) == (None, ["registry:HKLM\\" + SESSION])


def test_uninstall_not_a_mapping_hides_the_install_reason():
    facts = assess(installed_host("x"))
    assert facts["read_errors"] == [{"source": "probe:uninstall", "error": "expected a mapping of key readings, got str"}]
    assert (facts["reboot_required"], facts["unknown_sources"]) == (None, ["probe:uninstall"])


def test_an_uninstall_entry_that_cannot_be_used_does_not_stop_the_next():
    base = "registry:HKLM\\" + UNINSTALL
    good = key({"DisplayName": text("Sophos Endpoint Agent"), "InstallDate": text("20261110")})
    for bad, error in (
            (key({"DisplayName": text("Sophos Health"), "InstallDate": text("soon")}),
             {"source": base + "\\E", "error": "Sophos Health InstallDate is not a YYYYMMDD date: 'soon'"}),
            (key({"DisplayName": text("Sophos Health"), "InstallDate": {"error": "type mismatch"}}),
             {"source": base + "\\E\\InstallDate", "error": "type mismatch", "hint": ADMIN}),
            ({"exists": True, "error": "partly denied", "values": {}},
             {"source": base + "\\E", "error": "partly denied", "hint": ADMIN})):
        facts = assess(installed_host({UNINSTALL: key(children={"E": bad, "F": good}), UNINSTALL_WOW: {"exists": False}}))
        assert facts["read_errors"] == [error]
        assert facts["sophos"]["installed_since_boot_note"] == (
            "the earliest readable InstallDate 20261110 is not before the last boot, and 1 Sophos entries have no "
            "readable date")


def test_an_uninstall_key_with_an_error_or_not_there_gives_no_entries():
    good = key({"DisplayName": text("Sophos Endpoint Agent"), "InstallDate": text("20261110")})
    facts = assess(installed_host({UNINSTALL: {"exists": True, "error": "partly denied", "children": {"F": good}},
                                   UNINSTALL_WOW: {"exists": False, "children": {"F": good}}}))
    assert facts["read_errors"] == [{"source": "registry:HKLM\\" + UNINSTALL, "error": "partly denied", "hint": ADMIN}]
    assert facts["sophos"]["installed_since_boot_note"] == "no readable InstallDate of a Sophos product"
    assert facts["unknown_sources"] == ["registry:HKLM\\" + UNINSTALL]


def test_installed_since_boot_without_a_valid_now_has_no_day_count():
    children = {"F": key({"DisplayName": text("Sophos Endpoint Agent"), "InstallDate": text("20261110")})}
    raw = installed_host({UNINSTALL: {"exists": False}, UNINSTALL_WOW: key(children=children)})
    raw["now"] = "later"
    assert reasons(assess(raw))["sophos_installed_since_boot"]["detail"] == (
        "Sophos Endpoint Agent InstallDate 20261110 is later than the day of the last boot 2026-11-01T02:00:00Z")


def test_a_value_that_was_read_is_used_even_with_an_error_beside_it():
    flags = key({"RebootRequired": {"type": "DWord", "value": 1, "error": "read twice"}})
    facts = assess(host([root_edge(N, flags=flags)]))
    assert [r["detail"] for r in facts["reasons"]] == ["VolatileFlags\\RebootRequired = 1 (native view)"]
    assert facts["read_errors"] == [] and facts["unknown_sources"] == [] and facts["reboot_required"] is True
    clear = assess(host([root_edge(N, flags=key({"RebootRequired": {"type": "DWord", "value": 0, "error": "read twice"}}))]))
    assert (clear["reasons"], clear["reboot_required"], clear["unknown_sources"]) == ([], False, [])


@pytest.mark.parametrize("names, chosen", [
    (("Sophos Health", "Sophos AutoUpdate"), "Sophos AutoUpdate"),
    (("Sophos Health", "Sophos Endpoint Agent", "Sophos AutoUpdate"), "Sophos Endpoint Agent"),
])
def test_install_dates_on_the_same_day_name_the_umbrella_entry_else_the_first_product(names, chosen):
    # Children named A, B, ... in the order of ``names``: the entry chosen is not the first key.
    children = dict((chr(ord("A") + i), key({"DisplayName": text(n), "InstallDate": text("20261110")}))
                    for i, n in enumerate(names))
    facts = assess(installed_host({UNINSTALL: key(children=children), UNINSTALL_WOW: {"exists": False}}))
    child = chr(ord("A") + names.index(chosen))
    assert facts["sophos"]["installed_at_source"] == (
        "registry:HKLM\\%s\\%s InstallDate 20261110 (%s; a local date, no time)" % (UNINSTALL, child, chosen))
    assert reasons(facts)["sophos_installed_since_boot"]["detail"].startswith(chosen + " InstallDate 20261110")


# --------------------------------------------------------------------------- first install: event 7045

EVENTS = "eventlog:System:7045"


def events_host(services, events, oldest="2026-10-01T00:00:00Z", uninstall=None):
    """A host known by its services, with the System log's service creations (event 7045)."""
    raw = host(services=services)
    raw["service_installs"] = {"oldest": oldest, "complete": True,
                               "events": [{"service": s, "time": t} for s, t in events]}
    raw["uninstall"] = uninstall
    return raw


def test_every_service_created_after_the_boot_times_the_install():
    # A service Get-Service lists without a display name is named by its service name, in the events too.
    facts = assess(events_host([svc("Sophos MCS Agent"), svc("SAVService", display_name="")],
                               [("SAVService", "2026-11-20T10:00:00Z"), ("Sophos MCS Agent", "2026-11-20T10:00:30Z")]))
    sophos = facts["sophos"]
    assert (sophos["installed_since_boot"], sophos["installed_at"]) == (True, "2026-11-20T10:00:00Z")
    assert sophos["installed_at_source"] == EVENTS + " (the earliest creation of a Sophos service)"
    assert facts["reasons"] == [{"id": "sophos_installed_since_boot", "source": "sophos", "strong": True,
                                 "detail": "Sophos installed 2026-11-20T10:00:00Z (6.9 days before this reading), "
                                           "after the last boot 2026-11-01T02:00:00Z"}]
    assert (facts["reboot_required"], facts["pending_since"]) == (True, "2026-11-20T10:00:00Z")


@pytest.mark.parametrize("services, events, before", [
    # A service listed by its name only, created after the boot, is not among those created before it.
    ([svc("Sophos MCS Agent"), svc("SAVService", display_name="")], [("SAVService", "2026-11-20T10:00:00Z")],
     "Sophos MCS Agent"),
    ([svc("SAVService", display_name=""), svc("Sophos MCS Agent")], [("Sophos MCS Agent", "2026-11-20T10:00:00Z")],
     "SAVService"),
    ([svc(n) for n in ("Sophos A", "Sophos B", "Sophos C", "Sophos D", "Sophos E")], [],
     "Sophos A, Sophos B, Sophos C and 2 more"),
])
def test_a_service_not_created_since_a_boot_the_log_reaches_back_to_is_no_first_install(services, events, before):
    facts = assess(events_host(services, events))
    sophos = facts["sophos"]
    assert (sophos["installed_since_boot"], facts["reasons"], facts["reboot_required"]) == (False, [], False)
    assert sophos["installed_at_source"] == (
        EVENTS + ": %s not created since the last boot (the System log reaches back to 2026-10-01T00:00:00Z)" % before)
    assert facts["read_errors"] == []


def test_services_created_after_the_boot_beside_an_older_install_date_name_the_first_service():
    uninstall = {UNINSTALL: key(children={"F": key({"DisplayName": text("Sophos Endpoint Agent"),
                                                    "InstallDate": text("20250101")})}),
                 UNINSTALL_WOW: {"exists": False}}
    # The first created is named, not the first by name.
    facts = assess(events_host([svc("Sophos MCS Agent"), svc("HitmanPro.Alert service")],
                               [("HitmanPro.Alert service", "2026-11-20T10:05:00Z"),
                                ("Sophos MCS Agent", "2026-11-20T10:00:00Z")], uninstall=uninstall))
    sophos = facts["sophos"]
    assert sophos["installed_since_boot"] is None and facts["reasons"] == []
    assert sophos["installed_since_boot_note"] == (
        "every Sophos service was created after the last boot (event 7045; first 2026-11-20T10:00:00Z, "
        "Sophos MCS Agent), but Sophos Endpoint Agent InstallDate 20250101 is before the boot: cannot tell")
    assert (facts["reboot_required"], facts["unknown_sources"]) == (None, [EVENTS])


@pytest.mark.parametrize("reading, error", [
    (["not", "a", "mapping"], {"source": "probe:service_installs", "error": "expected a mapping, got list"}),
    ({"error": "The RPC server is unavailable"}, {"source": EVENTS, "error": "The RPC server is unavailable"}),
])
def test_service_installs_that_cannot_be_used_are_errors_and_leave_the_install_dates(reading, error):
    children = {"F": key({"DisplayName": text("Sophos Endpoint Agent"), "InstallDate": text("20261110")})}
    uninstall = {UNINSTALL: key(children=children), UNINSTALL_WOW: {"exists": False}}
    raw = events_host([svc("Sophos MCS Agent")], [], uninstall=uninstall)
    raw["service_installs"] = reading
    facts = assess(raw)
    assert facts["read_errors"] == [error]
    assert facts["sophos"]["installed_since_boot"] is True
    assert facts["sophos"]["installed_at_source"].startswith("registry:HKLM\\%s\\F InstallDate 20261110" % UNINSTALL)


def test_a_creation_whose_time_cannot_be_read_leaves_the_install_unknown_not_no():
    """Unknown is never "no": one service's creation time unreadable is an error, and the log alone does not say
    the service was not created since the boot (the Uninstall entries, here none, decide)."""
    facts = assess(events_host([svc("Sophos MCS Agent"), svc("SAVService")],
                               [("SAVService", "2026-11-20T10:00:00Z"), ("Sophos MCS Agent", "yesterday")]))
    assert facts["sophos"]["installed_since_boot"] is None
    assert {"source": EVENTS, "error": "a creation of Sophos MCS Agent has no readable time: 'yesterday'"} in (
        facts["read_errors"])


@pytest.mark.parametrize("events", [5, "SAVService", {"service": "SAVService", "time": "2026-11-20T10:00:00Z"}])
def test_events_that_are_no_list_are_an_error_not_a_traceback(events):
    raw = events_host([svc("SAVService")], [])
    raw["service_installs"]["events"] = events
    facts = assess(raw)
    assert facts["sophos"]["installed_since_boot"] is None
    assert any(entry["source"] == EVENTS and entry["error"].startswith("events: expected a list")
               for entry in facts["read_errors"]), facts["read_errors"]


def test_a_probe_reading_of_a_shape_it_never_gives_is_an_error_and_the_verdict_unknown():
    """A broken contract between the probe and the assessment (a list where a mapping was written) is named in the
    facts, never a traceback, and what it may have held is unknown."""
    raw = events_host([svc("SAVService")], [])
    raw["sophos"] = [{"path": "HKLM:\\SOFTWARE\\Sophos", "keys": ["not", "a", "mapping"]}]
    facts = assess(raw)
    assert facts["read_errors"] == [{"source": "probe", "error": "a reading of an unexpected shape stopped the "
                                     "assessment: AttributeError: 'list' object has no attribute 'items'"}]
    assert (facts["reboot_required"], facts["unknown_sources"]) == (None, ["probe"])
