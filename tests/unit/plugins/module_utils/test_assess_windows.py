"""assess() over Windows readings exactly as win_reboot_probe.ps1 returns them (recorded JSON)."""
import json
import os

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "reboot_facts", "windows")
W = "SOFTWARE\\WOW6432Node\\Sophos"
FLAGS = "AutoUpdate\\UpdateStatus\\VolatileFlags"
STATUS = "AutoUpdate\\UpdateStatus"
SESSION = "SYSTEM\\CurrentControlSet\\Control\\Session Manager"


def probe(name):
    with open(os.path.join(FIXTURES, "probe.%s.json" % name), encoding="utf-8") as handle:
        result = json.load(handle)
    # What the action plugin hands to assess().
    raw = dict((k, result.get(k)) for k in ("now", "last_boot", "sophos", "os_keys", "services", "errors", "sccm", "uninstall"))
    raw["family"] = "windows"
    return raw


def ids(facts):
    return [r["id"] for r in facts["reasons"]]


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
