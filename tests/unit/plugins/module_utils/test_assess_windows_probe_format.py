"""assess() over Windows readings in the probe's own format that earlier code got wrong (issue 9).

Each test starts from a recorded probe result and changes only what a real host would show: a key
where a value was modelled, a flag in the other registry view, a service still starting after a boot.
"""
import copy
import json
import os

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import KNOWN_REASONS, assess, check_options

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "reboot_facts", "windows")
W = "SOFTWARE\\WOW6432Node\\Sophos"
N = "SOFTWARE\\Sophos"
FLAGS = "AutoUpdate\\UpdateStatus\\VolatileFlags"
STATUS = "AutoUpdate\\UpdateStatus"
NETLOGON = "SYSTEM\\CurrentControlSet\\Services\\Netlogon"
UPDATES = "SOFTWARE\\Microsoft\\Updates"
VOLATILE = UPDATES + "\\UpdateExeVolatile"
VOLATILE_WOW = "SOFTWARE\\WOW6432Node\\Microsoft\\Updates\\UpdateExeVolatile"
SERVER_MANAGER = "SOFTWARE\\Microsoft\\ServerManager"
COMPONENT_CACHE = SERVER_MANAGER + "\\ServicingStorage\\ServerComponentCache"
CBS = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
WU = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate"


def probe(name="endpoint-clean"):
    with open(os.path.join(FIXTURES, "probe.%s.json" % name), encoding="utf-8") as handle:
        result = json.load(handle)
    raw = dict((k, copy.deepcopy(result.get(k))) for k in
               ("now", "last_boot", "sophos", "os_keys", "services", "errors", "sccm", "uninstall"))
    raw["family"] = "windows"
    return raw


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
    raw = probe()
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
    raw = probe()
    raw["os_keys"][path] = {"exists": True, "subkeys": [], "values": {"Flags": {"type": "DWord", "value": 2}}}
    facts = assess(raw)
    assert reasons(facts)["update_exe_volatile"]["detail"] == "%s\\Flags = 2" % path.split("SOFTWARE\\", 1)[1]


def test_update_exe_volatile_flags_zero_and_missing_key_are_no_reason():
    raw = probe()
    assert raw["os_keys"][VOLATILE]["values"]["Flags"]["value"] == 0 and not raw["os_keys"][VOLATILE_WOW]["exists"]
    assert "update_exe_volatile" not in reasons(assess(raw))


def test_update_exe_volatile_value_form_counts():
    raw = probe()
    raw["os_keys"][UPDATES]["values"]["UpdateExeVolatile"] = {"type": "DWord", "value": 1}
    assert reasons(assess(raw))["update_exe_volatile"]["detail"] == "Updates\\UpdateExeVolatile = 1"


# --------------------------------------------------------------------------- bug 3: service properties

def test_service_without_start_type_uses_the_registry_start_value():
    """Older .NET has no ServiceController.StartType: the probe sends '' and the key's Start value."""
    raw = probe()
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
    raw = probe()
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
    raw = probe("absent")
    raw["services"] = probe()["services"]
    assert assess(raw)["sophos"]["installed"] is True


# --------------------------------------------------------------------------- bug 4: Server Manager

def test_current_reboot_attempts_zero_is_no_reason():
    raw = probe()
    raw["os_keys"][SERVER_MANAGER]["values"]["CurrentRebootAttempts"] = {"type": "DWord", "value": 0}
    assert "server_manager" not in reasons(assess(raw))


def test_server_component_cache_restart_required():
    raw = probe()
    raw["os_keys"][COMPONENT_CACHE]["values"]["RestartRequired"] = {"type": "DWord", "value": 1}
    assert reasons(assess(raw))["server_manager"]["detail"] == "ServerComponentCache\\RestartRequired = 1"


# --------------------------------------------------------------------------- bug 5: services starting

def _after_boot(minutes):
    raw = probe()
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
    raw = probe()
    native = _native_copy(raw, 1764500000)
    native["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "DWord", "value": 1}}
    facts = assess(raw)
    assert reasons(facts)["sophos_reboot_required"]["detail"] == "VolatileFlags\\RebootRequired = 1 (native view)"
    # The native view updated last (newer LastUpdateTime), although WOW6432Node holds more keys.
    assert facts["sophos"]["registry_view"] == "native"
    assert facts["sophos"]["last_update"] == "2025-11-30T10:53:20Z"


def test_flag_in_wow6432node_counts_when_native_view_reports():
    raw = probe()
    _native_copy(raw, 1764500000)
    root(raw, W)["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "String", "value": "1"}}
    facts = assess(raw)
    assert reasons(facts)["sophos_reboot_required"]["detail"] == "VolatileFlags\\RebootRequired = 1 (WOW6432Node view)"
    assert facts["sophos"]["registry_view"] == "native"


def test_older_native_data_leaves_wow6432node_reporting():
    raw = probe()
    _native_copy(raw, 1700000000)
    assert assess(raw)["sophos"]["registry_view"] == "WOW6432Node"


# --------------------------------------------------------------------------- bug 7: names, DWORDs, per value

def test_registry_names_compare_case_insensitively():
    raw = probe()
    root(raw, W)["keys"][FLAGS]["values"] = {"rebootrequired": {"type": "DWord", "value": 1}}
    raw["os_keys"][NETLOGON]["subkeys"].append("joindomain")
    raw["os_keys"][SERVER_MANAGER]["values"]["currentrebootattempts"] = {"type": "DWord", "value": 2}
    assert {"sophos_reboot_required", "domain_join", "server_manager"} <= set(reasons(assess(raw)))


def test_dword_above_0x7fffffff_is_shown_unsigned():
    raw = probe()
    raw["os_keys"][VOLATILE]["values"]["Flags"] = {"type": "DWord", "value": -1}
    root(raw, W)["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "DWord", "value": -2147483648}}
    found = reasons(assess(raw))
    assert found["update_exe_volatile"]["detail"] == "Microsoft\\Updates\\UpdateExeVolatile\\Flags = 4294967295"
    assert found["sophos_reboot_required"]["detail"] == "VolatileFlags\\RebootRequired = 2147483648 (WOW6432Node view)"


def test_one_unreadable_value_keeps_the_other_values_of_its_key():
    raw = probe()
    status = root(raw, W)["keys"][STATUS]["values"]
    status["Result"] = {"error": "Access to the registry value is denied."}
    facts = assess(raw)
    assert facts["sophos"]["last_update"] == "2025-11-24T16:00:00Z"
    assert facts["sophos"]["last_update_ok"] is None
    assert facts["read_errors"] == [{"source": "registry:HKLM\\%s\\%s\\Result" % (W, STATUS),
                                     "error": "Access to the registry value is denied."}]


def test_unreadable_os_key_is_a_read_error_not_no():
    raw = probe()
    raw["os_keys"][NETLOGON] = {"exists": None, "error": "Requested registry access is not allowed."}
    facts = assess(raw)
    assert "domain_join" not in reasons(facts)
    assert facts["read_errors"] == [{"source": "registry:HKLM\\" + NETLOGON,
                                     "error": "Requested registry access is not allowed."}]


# --------------------------------------------------------------------------- added signals

def test_reboot_required_since_is_the_pending_since():
    raw = probe()
    root(raw, W)["keys"][FLAGS]["values"] = {"RebootRequired": {"type": "DWord", "value": 1},
                                             "RebootRequiredSince": {"type": "QWord", "value": 1764000000123}}
    facts = assess(raw)
    assert facts["pending_since"] == "2025-11-24T16:00:00Z" and facts["pending_since_source"] == "source"
    assert reasons(facts)["sophos_reboot_required"]["detail"] == \
        "VolatileFlags\\RebootRequired = 1 (WOW6432Node view), RebootRequiredSince 2025-11-24T16:00:00Z"


def test_unusable_reboot_required_since_is_a_read_error_and_first_seen():
    raw = probe()
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
    raw = probe()
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
    raw = probe()
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
    raw = probe()
    raw["sccm"] = sccm
    facts = assess(raw)
    assert ("sccm_reboot_pending" in reasons(facts)) is found and len(facts["read_errors"]) == errors


def test_every_windows_reason_id_is_accepted_by_ignore_reasons():
    ids = ["cbs_reboot_in_progress", "cbs_packages_pending", "windows_update_services_pending",
           "windows_update_post_reboot_reporting", "sccm_reboot_pending"]
    assert set(ids) <= set(KNOWN_REASONS) and check_options({"ignore_reasons": ids}) == []
    facts = assess(probe("os-reasons"), {"ignore_reasons": ids})
    assert set(ids) == set(facts["ignored_reasons"]) and not set(ids) & set(reasons(facts))
