"""Boundaries of the Windows readings in assess(): registry helpers, Sophos keys, services, health, OS keys.

Every input is written here by hand in the output format of win_reboot_probe.ps1 (key readings
``{exists, values: {name: {type, value} | {error}}, subkeys, children}``, see
tests/unit/fixtures/reboot_facts/windows/README.md); every expected value is written by hand too.
"""
import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess

W = "SOFTWARE\\WOW6432Node\\Sophos"
N = "SOFTWARE\\Sophos"
FLAGS = "AutoUpdate\\UpdateStatus\\VolatileFlags"
STATUS = "AutoUpdate\\UpdateStatus"
DETAILS = "AutoUpdate\\UpdateStatus\\Details"
HEALTH = "Health\\Status"
SED = "SYSTEM\\CurrentControlSet\\Services\\Sophos Endpoint Defense"
CBS = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
WU = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate"
SESSION = "SYSTEM\\CurrentControlSet\\Control\\Session Manager"
ACTIVE_NAME = "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName"
PENDING_NAME = "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName"
NETLOGON = "SYSTEM\\CurrentControlSet\\Services\\Netlogon"
SERVER_MANAGER = "SOFTWARE\\Microsoft\\ServerManager"
COMPONENT_CACHE = SERVER_MANAGER + "\\ServicingStorage\\ServerComponentCache"
UPDATES = "SOFTWARE\\Microsoft\\Updates"
BOOT = "2026-11-01T02:00:00Z"
NOW = "2026-11-27T08:00:00Z"
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


def root(path, **keys):
    """A Sophos root; keyword names are the subkey constants' short names."""
    names = {"autoupdate": "AutoUpdate", "status": STATUS, "flags": FLAGS, "details": DETAILS, "health": HEALTH}
    return {"root": path, "keys": dict((names[k], v) for k, v in keys.items())}


def host(roots=(), os_keys=None, services=(), now=NOW, boot=BOOT, sccm=None):
    return {"family": "windows", "now": now, "last_boot": boot, "sophos": list(roots), "os_keys": dict(os_keys or {}),
            "services": list(services), "errors": [], "sccm": sccm, "uninstall": None}


def svc(name, status="Running", start_type="Automatic", display_name=None, registry=None, errors=None):
    return {"name": name, "display_name": display_name if display_name is not None else name, "status": status,
            "start_type": start_type, "registry": registry, "errors": errors or {}}


def reasons(facts):
    return dict((r["id"], r) for r in facts["reasons"])


def status_root(path=N, **values):
    """A root with only an UpdateStatus key holding ``values``."""
    return root(path, status=key(values))


# --------------------------------------------------------------------------- read errors name their key

def test_unreadable_sophos_keys_and_values_are_named_errors():
    status = key({"LastUpdateTime": dword(LAST), "Result": {"error": "type mismatch"}})
    facts = assess(host([root(N, flags=denied(), status=status, details=key(children={GUID_A: denied("gone")}))]))
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
    facts = assess(host([root(N, flags=key(flags))]))
    assert facts["reasons"] == [{"id": "sophos_reboot_required", "source": "sophos", "strong": True, "detail": detail}]
    assert facts["sophos"]["reboot_urgent"] is urgent and facts["alert"] is urgent
    assert facts["read_errors"] == [] and facts["pending_since_source"] == "first_seen"


@pytest.mark.parametrize("value", [text("maybe"), text("no"), dword(None), text("0x1"),
                                   {"type": "MultiString", "value": ["1"]}, {"type": "Binary", "value": [1, 300]}])
def test_flag_unexpected_value_is_an_error_not_a_flag(value):
    """A flag of a form not understood hides the reason: null, not false (issue 23, point 7)."""
    facts = assess(host([root(N, flags=key({"RebootRequired": value}))]))
    source = "registry:HKLM\\SOFTWARE\\Sophos\\AutoUpdate\\UpdateStatus\\VolatileFlags"
    assert facts["reasons"] == [] and facts["sophos"]["reboot_required"] is None
    assert (facts["reboot_required"], facts["unknown_sources"]) == (None, [source])
    assert facts["read_errors"] == [{"source": source,
                                     "error": "RebootRequired has an unexpected value %r" % (value["value"],)}]


@pytest.mark.parametrize("data, expected", [([1, 0, 0, 0], True), ([0, 0, 0, 0], False), ([0, 1], True),
                                            ([0, 0, 0, 0, 0, 0, 0, 1], True)])
def test_flag_binary_is_read_little_endian(data, expected):
    facts = assess(host([root(N, flags=key({"RebootRequired": {"type": "Binary", "value": data}}))]))
    assert (facts["reboot_required"], facts["read_errors"]) == (expected, [])


def test_flag_since_in_milliseconds_and_in_the_other_view():
    since_ms = (LAST + 3600) * 1000  # 2025-11-24T17:00:00Z
    facts = assess(host([root(W, flags=key({"RebootRequired": dword(0)})),
                         root(N, flags=key({"RebootRequired": dword(1), "RebootRequiredSince": {"type": "QWord",
                                                                                                "value": since_ms}}))]))
    assert reasons(facts)["sophos_reboot_required"]["detail"] == \
        "VolatileFlags\\RebootRequired = 1 (native view), RebootRequiredSince 2025-11-24T17:00:00Z"
    assert facts["pending_since"] == "2025-11-24T17:00:00Z" and facts["pending_since_source"] == "source"


def test_flag_since_not_an_epoch_is_an_error():
    facts = assess(host([root(W, flags=key({"UrgentRebootRequired": dword(1), "RebootRequiredSince": text("soon")}))]))
    assert reasons(facts)["sophos_reboot_required"]["detail"] == \
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
    facts = assess(host([root(N, autoupdate=key(autoupdate), details=key(details))]))
    assert facts["sophos"]["version"] == version


@pytest.mark.parametrize("values, updating, errors", [
    ({}, False, 0), ({"IsUpdating": dword(0)}, False, 0), ({"IsUpdating": dword(1)}, True, 0),
    ({"isupdating": text("true")}, True, 0), ({"IsUpdating": text("perhaps")}, True, 1),
])
def test_updating(values, updating, errors):
    facts = assess(host([status_root(**values)]))
    assert facts["sophos"]["updating"] is updating and len(facts["read_errors"]) == errors


def test_last_update_not_an_epoch_is_an_error_and_falls_back_to_last_good_install():
    facts = assess(host([root(W, status=key({"LastUpdateTime": dword(5)}),
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
    facts = assess(host([root(N, details=details)]))
    assert facts["sophos"]["components"] == [
        {"name": GUID_B, "installed_version": "1.2", "downloaded_version": "1.3"},
        {"name": "Sophos File Scanner", "installed_version": "3", "downloaded_version": None}]


# --------------------------------------------------------------------------- Health\Status

def test_health_detail_names_each_value():
    values = {"health": dword(1), "service": dword(2), "threat": dword(3), "threatService": dword(1),
              "admin": dword(9), "other": dword(3)}
    facts = assess(host([root(N, health=key(values))]))
    health = facts["sophos"]["health"]
    assert health["detail"] == {"health": "good", "service": "suspicious", "threat": "bad",
                                "threatService": "good", "admin": "unknown"}
    assert health["overall"] == "good"


@pytest.mark.parametrize("value, overall", [(1, "good"), (2, "suspicious"), (3, "bad"), (0, "unknown")])
def test_health_overall_from_health_value(value, overall):
    facts = assess(host([root(N, health=key({"health": dword(value)}))]))
    assert facts["sophos"]["health"]["overall"] == overall


@pytest.mark.parametrize("value, state, overall", [
    (dword(0), "running", "good"), (dword(1), "stopped", "bad"), (dword(5), "unknown", "good"),
    (text("x"), "unknown", "good"),
])
def test_health_service_values(value, state, overall):
    facts = assess(host([root(N, health=key({"health": dword(1), "Service.Sophos MCS Agent": value}))]))
    assert facts["sophos"]["health"]["services"] == {"Sophos MCS Agent": state}
    assert facts["sophos"]["health"]["overall"] == overall


def test_health_service_matches_a_listed_service_case_insensitively():
    """Sophos Health's copy of a service state lags the live one (issue 23, point 5): the live state wins,
    whichever way they differ; a paused manual service is not running and not required."""
    facts = assess(host([root(N, health=key({"service.sophos mcs agent": dword(1),
                                             "service.Sophos Health Service": dword(0)}))],
                        services=[svc("Sophos MCS Agent"),
                                  svc("Sophos Health Service", status="Paused", start_type="Manual")]))
    assert facts["sophos"]["health"]["services"] == {"Sophos MCS Agent": "running", "Sophos Health Service": "stopped"}
    assert facts["sophos"]["health"]["overall"] == "unknown"


def test_health_stopped_keeps_a_listed_starting_service_and_unknown_keeps_a_running_one():
    facts = assess(host([root(N, health=key({"service.Sophos MCS Agent": dword(1), "service.SntpService": dword(7)}))],
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
    facts = assess(host([root(N, health=key({"service.Sophos Live Query": dword(1)}))], now=now))
    assert facts["sophos"]["health"]["services"] == {"Sophos Live Query": state}
    assert facts["sophos"]["health"]["overall"] == overall


# --------------------------------------------------------------------------- services: start mode and state

def after_boot(seconds):
    return "2026-11-01T02:%02d:%02dZ" % divmod(seconds, 60)


@pytest.mark.parametrize("start_type, registry, seconds, state, bad", [
    ("Automatic", None, 0, "starting", False),
    ("Automatic", None, 599, "starting", False),
    ("Automatic", None, 600, "stopped", True),
    ("AutomaticDelayedStart", None, 899, "starting", False),
    ("AutomaticDelayedStart", None, 900, "stopped", True),
    ("Automatic", key({"DelayedAutostart": dword(1)}), 899, "starting", False),
    ("Automatic", key({"DelayedAutostart": dword(0)}), 600, "stopped", True),
    ("", key({"Start": dword(2)}), 599, "starting", False),
    ("", key({"Start": dword(2), "DelayedAutostart": dword(1)}), 899, "starting", False),
    (None, key({"Start": dword(2)}), 600, "stopped", True),
    ("Manual", key({"Start": dword(2)}), 10, "stopped", False),
    ("Disabled", None, 10, "stopped", False),
    ("Boot", None, 10, "starting", False),
    ("System", None, 600, "stopped", True),
    ("", key({"Start": dword(0)}), 600, "stopped", True),
    ("", key({"Start": dword(1)}), 10, "starting", False),
    ("", key({"Start": dword(3)}), 10, "stopped", False),
    ("", key({"Start": dword(4)}), 10, "stopped", False),
    ("", key({}), 10, "stopped", False),
    ("", None, 10, "stopped", False),
])
def test_stopped_service_by_start_mode(start_type, registry, seconds, state, bad):
    facts = assess(host(services=[svc("Sophos MCS Agent", status="Stopped", start_type=start_type, registry=registry)],
                        now=after_boot(seconds)))
    health = facts["sophos"]["health"]
    assert health["services"] == {"Sophos MCS Agent": state}
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
    fuller = root(W, autoupdate=key({"ProductVersion": text("1")}), status=key({"Result": dword(1)}),
                  flags=key(), details=key(), health=key())
    facts = assess(host([fuller, status_root(N, LastUpdateTime=dword(LAST))]))
    assert facts["sophos"]["registry_view"] == "native"


def test_without_times_the_root_with_more_keys_then_values_wins_and_the_first_on_a_tie():
    two_keys = root(N, autoupdate=key(), status=key())
    one_key_many_values = root(W, status=key({"Result": dword(0), "A": dword(1), "B": dword(2)}))
    assert assess(host([one_key_many_values, two_keys]))["sophos"]["registry_view"] == "native"
    more_values = root(N, status=key({"Result": dword(0), "A": dword(1)}))
    assert assess(host([one_key_many_values, more_values]))["sophos"]["registry_view"] == "WOW6432Node"
    assert assess(host([root(N, status=key({"A": dword(1), "B": dword(1), "C": dword(1)})),
                        one_key_many_values]))["sophos"]["registry_view"] == "native"


def test_a_root_without_existing_keys_is_not_chosen():
    facts = assess(host([root(N, status={"exists": False}, flags={"exists": False})],
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
    assert os_reasons({SESSION: key({"PendingFileRenameOperations": {"type": "MultiString", "value": value}})}) == \
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
    facts = assess(host([root(N, flags=flags)]))
    assert [r["detail"] for r in facts["reasons"]] == ["VolatileFlags\\RebootRequired = 1 (native view)"]
    assert facts["read_errors"] == [] and facts["unknown_sources"] == [] and facts["reboot_required"] is True
    clear = assess(host([root(N, flags=key({"RebootRequired": {"type": "DWord", "value": 0, "error": "read twice"}}))]))
    assert (clear["reasons"], clear["reboot_required"], clear["unknown_sources"]) == ([], False, [])
