# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the fleetops.sophos collection: the Windows readings of ``_assess``.

Sophos' registry keys and services, the operating system's restart signals (Component Based Servicing,
Windows Update, pending renames, ..., the SCCM client) and the first install (event 7045, Uninstall entries),
from what ``win_reboot_probe`` read. The readings' format is in ``_assess``' docstring. Pure: no Ansible
imports, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime
import re
import time

from ansible_collections.fleetops.sophos.plugins.module_utils import _spl
from ansible_collections.fleetops.sophos.plugins.module_utils._assess_collector import (
    HEALTH_NAMES, INSTALL_REASON, SERVICE_START_GRACE, _installed, _key, _plausible_epoch, epoch_to_iso,
    health_verdict, iso_to_epoch,
)

DEFAULT_REGISTRY_ROOTS = ["SOFTWARE\\WOW6432Node\\Sophos", "SOFTWARE\\Sophos"]

_CBS = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
_WU = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate"
WINDOWS_OS_KEYS = {
    "cbs": _CBS + "\\RebootPending",
    "cbs_root": _CBS,  # RebootInProgress, PackagesPending: subkeys (Salt) or values (field scripts)
    "wu": _WU + "\\Auto Update\\RebootRequired",
    "wu_post_reboot": _WU + "\\Auto Update\\PostRebootReporting",
    "wu_services_pending": _WU + "\\Services\\Pending",
    "session": "SYSTEM\\CurrentControlSet\\Control\\Session Manager",
    "active_name": "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName",
    "name": "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName",
    "netlogon": "SYSTEM\\CurrentControlSet\\Services\\Netlogon",
    "server_manager": "SOFTWARE\\Microsoft\\ServerManager",
    "server_component_cache": "SOFTWARE\\Microsoft\\ServerManager\\ServicingStorage\\ServerComponentCache",
    "updates": "SOFTWARE\\Microsoft\\Updates",
    "update_exe_volatile": "SOFTWARE\\Microsoft\\Updates\\UpdateExeVolatile",
    "update_exe_volatile_wow": "SOFTWARE\\WOW6432Node\\Microsoft\\Updates\\UpdateExeVolatile",
    "sed": "SYSTEM\\CurrentControlSet\\Services\\Sophos Endpoint Defense",
}
UNINSTALL_ROOTS = ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
                   "SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall")
# The reasons a Windows key that cannot be read may hide (WINDOWS_OS_KEYS names; Sophos subkeys).
WINDOWS_KEY_REASONS = {
    "cbs": ("cbs_reboot_pending",), "cbs_root": ("cbs_reboot_in_progress", "cbs_packages_pending"),
    "wu": ("windows_update",), "wu_post_reboot": ("windows_update_post_reboot_reporting",),
    "wu_services_pending": ("windows_update_services_pending",), "session": ("pending_file_rename",),
    "active_name": ("computer_rename",), "name": ("computer_rename",), "netlogon": ("domain_join",),
    "server_manager": ("server_manager",), "server_component_cache": ("server_manager",),
    "updates": ("update_exe_volatile",), "update_exe_volatile": ("update_exe_volatile",),
    "update_exe_volatile_wow": ("update_exe_volatile",), "sed": ("sophos_pending_renames",),
}
SOPHOS_KEY_REASONS = {"AutoUpdate\\UpdateStatus\\VolatileFlags": ("sophos_reboot_required",)}
# The Windows endpoint's own products (Uninstall DisplayName prefixes): only their InstallDate dates the
# endpoint's first install. Other Sophos products (Sophos Connect, the Transparent Authentication Suite, the
# SSL VPN client, ...) are installed on their own schedule. Names as public Sophos removal scripts list them.
ENDPOINT_PRODUCTS = (
    "Sophos Endpoint Agent", "Sophos AutoUpdate", "Sophos Anti-Virus", "Sophos Endpoint Defense",
    "Sophos Exploit Prevention", "Sophos File Scanner", "Sophos Health", "Sophos Management Communications System",
    "Sophos Network Threat Protection", "Sophos System Protection", "Sophos Endpoint Firewall",
    "Sophos Standalone Engine", "Sophos ML Engine", "Sophos Clean", "Sophos Live Query", "Sophos Safestore",
    "Sophos Client Firewall", "Sophos Remote Management System", "Sophos Web Control", "Sophos Data Protection",
    "Sophos Diagnostic Utility", "Sophos Endpoint Self Help", "Sophos Device Control", "HitmanPro.Alert",
)
# Sophos products on Windows that are not the endpoint: their services are neither its health nor a sign
# that it is installed. A Sophos service not named here counts (a missed endpoint service would be a false
# all-clear).
OTHER_SOPHOS_PRODUCTS = ("Sophos Connect", "Sophos Transparent Authentication", "Sophos SSL VPN", "Sophos Home",
                         "STAS", "scvpn")

# InstallDate is a local calendar date and the boot time is UTC: local time is UTC-12 to UTC+14.
_ZONE_WEST = 12 * 3600
_ZONE_EAST = 14 * 3600

SOPHOS_SUBKEYS = ("AutoUpdate", "AutoUpdate\\UpdateStatus", "AutoUpdate\\UpdateStatus\\VolatileFlags",
                  "AutoUpdate\\UpdateStatus\\Details", "Health\\Status")

ADMIN_HINT = "readable by administrators only: connect as an administrator or use become (runas)"


def assess_windows(col, raw, sophos, boot, now):
    """The Windows readings: Sophos' keys and services, the OS's signals, what could not be read, the install."""
    _assess_windows_sophos(col, raw, sophos, boot)
    _assess_windows_os(col, raw)
    _windows_unreadable(col, raw)
    _assess_windows_install(col, raw, sophos, boot, now)


# --------------------------------------------------------------------------- Windows: first install

def _install_date(value):
    """InstallDate 'YYYYMMDD' (REG_SZ; a DWORD of the same digits is accepted) → date, or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not re.match(r"^\d{8}$", value.strip()):
        return None
    value = value.strip()
    try:
        return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _uninstall_entries(col, readings):
    """([(date, display name, source, raw value)], [unreadable sources], [entries without a date]).

    Errors are recorded here; whether an unreadable entry hides the reason depends on the others."""
    dated, unreadable, undated = [], [], []
    for root in UNINSTALL_ROOTS:
        source = "registry:HKLM\\" + root
        reading = readings.get(root)
        if not isinstance(reading, dict):
            col.error(source, "no reading of this key in the probe result")
            unreadable.append(source)
            continue
        if reading.get("error") or reading.get("exists") is None:
            col.error(source, reading.get("error") or "cannot tell whether the key exists", hint=ADMIN_HINT)
            unreadable.append(source)
            continue
        children = reading.get("children") if reading.get("exists") else {}
        for name, child in sorted((children if isinstance(children, dict) else {}).items()):
            child_source = "%s\\%s" % (source, name)
            child = _key(child)
            if child.get("error") or child.get("exists") is None:
                col.error(child_source, child.get("error") or "cannot tell whether the key exists", hint=ADMIN_HINT)
                unreadable.append(child_source)
                continue
            if not child.get("exists"):
                continue
            values = child.get("values") if isinstance(child.get("values"), dict) else {}
            display = _key(values.get("DisplayName"))
            if display.get("error"):
                col.error(child_source + "\\DisplayName", display["error"], hint=ADMIN_HINT)
                unreadable.append(child_source + "\\DisplayName")
                continue
            shown = display.get("value")
            if not (isinstance(shown, str) and _named(shown, ENDPOINT_PRODUCTS)):
                continue
            entry = values.get("InstallDate")
            if entry is None:
                col.error(child_source, "%s has no InstallDate value" % shown)
                undated.append(child_source)
                continue
            entry = _key(entry)
            if entry.get("error"):
                col.error(child_source + "\\InstallDate", entry["error"], hint=ADMIN_HINT)
                unreadable.append(child_source + "\\InstallDate")
                continue
            date = _install_date(entry.get("value"))
            if date is None:
                col.error(child_source, "%s InstallDate is not a YYYYMMDD date: %r" % (shown, entry.get("value")))
                unreadable.append(child_source)
                continue
            dated.append((date, shown, child_source, entry.get("value")))
    return dated, unreadable, undated


EVENT_SOURCE = "eventlog:System:7045"


def _service_installs(col, raw, boot):
    """(installed since boot: True | False | None, first creation epoch, detail) from event 7045.

    True when every endpoint service Get-Service lists was created after the boot (the earliest creation is the
    install time); False when the log reaches back before the boot and a listed service was not created since;
    None (unknown: the Uninstall entries decide) otherwise."""
    reading = raw.get("service_installs")
    if reading is None or boot is None:
        return None, None, None
    if not isinstance(reading, dict):
        col.error("probe:service_installs", "expected a mapping, got %s" % type(reading).__name__)
        return None, None, None
    if reading.get("error"):
        col.error(EVENT_SOURCE, reading["error"])
        return None, None, None
    events = reading.get("events") or []
    if not isinstance(events, list):
        col.error(EVENT_SOURCE, "events: expected a list, got %s" % type(events).__name__)
        return None, None, None
    services = [s for s in endpoint_services(raw.get("services")) if s.get("name") or s.get("display_name")]
    if not services:
        return None, None, None
    created = {}
    for svc in services:
        names = set(str(n).lower() for n in (svc.get("name"), svc.get("display_name")) if n)
        mine = [e for e in events if isinstance(e, dict) and str(e.get("service") or "").lower() in names]
        times = [iso_to_epoch(e.get("time")) for e in mine]
        if None in times:
            # Unknown is never "no": a creation whose time cannot be read may be the one after the boot.
            col.error(EVENT_SOURCE, "a creation of %s has no readable time: %r" % (
                svc.get("display_name") or svc.get("name"), mine[times.index(None)].get("time")))
            return None, None, None
        if times:
            created[svc.get("display_name") or svc.get("name")] = max(times)  # the current service's creation
    labels = sorted(svc.get("display_name") or svc.get("name") for svc in services)
    if len(created) == len(labels) and all(t > boot for t in created.values()):
        first = min(created.values())
        return True, first, "every Sophos service was created after the last boot (event 7045; first %s, %s)" % (
            epoch_to_iso(first), min(created, key=lambda k: (created[k], k)))
    oldest = iso_to_epoch(reading.get("oldest"))
    if oldest is not None and oldest <= boot and reading.get("complete") is not False:
        before = [name for name in labels if created.get(name) is None or created[name] <= boot]
        return False, None, "%s not created since the last boot (the System log reaches back to %s)" % (
            ", ".join(before[:3]) + (" and %d more" % (len(before) - 3) if len(before) > 3 else ""),
            epoch_to_iso(oldest))
    return None, None, None


def _assess_windows_install(col, raw, sophos, boot, now):
    """Sophos installed after the last boot: from event 7045 of its services, else from the InstallDate of its
    Uninstall entries (a local date, replaced by every patch or repair: a cross-check only when 7045 answers).

    The first install is the earliest entry. The boot is UTC and the host's offset is not read, so the
    boot's local date is one of the dates the boot has from UTC-12 to UTC+14: "after" only when the
    install date is later than all of them, "before" when earlier than all; in between it is unknown."""
    if not sophos["installed"]:
        return
    verdict, first, detail = _service_installs(col, raw, boot)
    if verdict is not None:
        _install_by_events(col, raw, sophos, boot, now, verdict, first, detail)
        return
    readings = raw.get("uninstall")
    if readings is None:
        sophos["installed_since_boot_note"] = "the probe did not read the Uninstall keys"
        return
    if not isinstance(readings, dict):
        col.error("probe:uninstall", "expected a mapping of key readings, got %s" % type(readings).__name__,
                  hides=(INSTALL_REASON,))
        return
    _install_by_dates(col, sophos, boot, now, *_uninstall_entries(col, readings))


def _install_by_dates(col, sophos, boot, now, dated, unreadable, undated):
    """The first install from the earliest InstallDate of the endpoint's Uninstall entries (see
    ``_assess_windows_install``): after the boot's local date, before it, or unknown."""
    if not dated:
        for unread in unreadable:
            col.hidden(unread, (INSTALL_REASON,))
        if not unreadable and not undated:
            col.error("registry:HKLM\\" + UNINSTALL_ROOTS[0], "no Sophos product entry under either Uninstall key")
        sophos["installed_since_boot_note"] = "no readable InstallDate of a Sophos product"
        return
    # The earliest entry is the first install; on a tie the product's umbrella entry names it.
    date, shown, source, value = min(dated, key=lambda d: (d[0], d[1] != "Sophos Endpoint Agent", d[1], d[2]))
    sophos["installed_at_source"] = "%s InstallDate %s (%s; a local date, no time)" % (source, value, shown)
    if boot is None:
        sophos["installed_since_boot_note"] = "the last boot time is unknown"
        col.hidden("os:last_boot", (INSTALL_REASON,))
        return
    earliest = datetime.date(*time.gmtime(boot - _ZONE_WEST)[:3])
    latest = datetime.date(*time.gmtime(boot + _ZONE_EAST)[:3])
    if date < earliest:
        sophos["installed_since_boot"] = False
    elif unreadable or undated:
        for unread in unreadable:
            col.hidden(unread, (INSTALL_REASON,))
        sophos["installed_since_boot_note"] = ("the earliest readable InstallDate %s is not before the last boot, "
                                               "and %d Sophos entries have no readable date"
                                               % (value, len(unreadable) + len(undated)))
    elif date > latest:
        sophos["installed_since_boot"] = True
        days = (datetime.date(*time.gmtime(now)[:3]) - date).days if now is not None else None
        # Pending since the earliest instant of that local date anywhere (00:00 at UTC+14): the 14-day alert
        # fires no later than it should.
        since = calendar.timegm(date.timetuple()) - _ZONE_EAST
        col.reason(INSTALL_REASON, "%s InstallDate %s is later than the day of the last boot %s%s"
                   % (shown, value, epoch_to_iso(boot),
                      "" if days is None else " (installed about %d day(s) before this reading)" % max(days, 0)),
                   since=since)
        sophos["reboot_required"] = True
    else:
        # Unknown is never "no": the first install on the day of the boot is the common case.
        col.hidden(source + "\\InstallDate", (INSTALL_REASON,))
        sophos["installed_since_boot_note"] = (
            "InstallDate %s is the day of the last boot (%s) in the host's local time: a date without a time "
            "cannot say whether Sophos was installed before or after it" % (value, epoch_to_iso(boot)))


def _install_by_events(col, raw, sophos, boot, now, verdict, first, detail):
    """Event 7045's answer, cross-checked with the earliest readable InstallDate of the endpoint's entries."""
    readings = raw.get("uninstall")
    dated = _uninstall_entries(col, readings)[0] if isinstance(readings, dict) else []
    earliest = min(dated, key=lambda d: d[0]) if dated else None
    boot_earliest = datetime.date(*time.gmtime(boot - _ZONE_WEST)[:3])
    if verdict and earliest is not None and earliest[0] < boot_earliest:
        # Services created after the boot but a product entry dated before it: a partial reinstall, or a
        # service re-created by an upgrade. Not a guess either way.
        col.hidden(EVENT_SOURCE, (INSTALL_REASON,))
        sophos["installed_since_boot_note"] = "%s, but %s InstallDate %s is before the boot: cannot tell" % (
            detail, earliest[1], earliest[3])
        return
    if not verdict:
        sophos["installed_since_boot"] = False
        sophos["installed_at_source"] = "%s: %s" % (EVENT_SOURCE, detail)
        return
    sophos["installed_at_source"] = EVENT_SOURCE + " (the earliest creation of a Sophos service)"
    _installed(col, sophos, first, sophos["installed_at_source"], boot, now)


def _windows_unreadable(col, raw):
    """Keys and values that exist but could not be read hide the reasons they could hold: never "not set".

    The Windows assessment has already made each of them a read error; this only marks what they hide."""
    os_keys = raw.get("os_keys") if isinstance(raw.get("os_keys"), dict) else {}
    for name, path in sorted(WINDOWS_OS_KEYS.items()):
        _unreadable_key(col, "registry:HKLM\\" + path, _lookup(os_keys, path), WINDOWS_KEY_REASONS.get(name, ()))
    for root in raw.get("sophos") or []:
        if not isinstance(root, dict):
            continue
        for sub, reading in sorted((root.get("keys") or {}).items()):
            _unreadable_key(col, "registry:HKLM\\%s\\%s" % (root.get("root"), sub), reading,
                            SOPHOS_KEY_REASONS.get(sub, ()))
    if _key(raw.get("sccm")).get("error"):
        col.hidden("cim:ROOT\\ccm\\ClientSDK:CCM_ClientUtilities.DetermineIfRebootPending", ("sccm_reboot_pending",))


def _unreadable_key(col, source, reading, hides):
    reading = _key(reading)
    if reading.get("error") or ("exists" in reading and reading["exists"] is None):
        col.hidden(source, hides)
    values = reading.get("values") if isinstance(reading.get("values"), dict) else {}
    for name in sorted(values):
        entry = values[name]
        if isinstance(entry, dict) and "error" in entry and "value" not in entry:
            col.hidden("%s\\%s" % (source, name), hides)


# --------------------------------------------------------------------------- Windows
#
# Registry names are case-insensitive on Windows, so every name read from the probe is compared
# case-insensitively here. A DWORD arrives as a signed Int32 and a QWORD as a signed Int64 (what .NET's
# RegistryKey.GetValue returns); they are shown unsigned, as regedit does.

_UNSIGNED = {"dword": 1 << 32, "qword": 1 << 64}


def _named(name, prefixes):
    name = str(name or "").strip().lower()
    return any(name.startswith(p.lower()) for p in prefixes)


def endpoint_services(services):
    """The probe's service readings that belong to the endpoint (not Sophos Connect, STAS, ...)."""
    return [s for s in (services or []) if isinstance(s, dict) and not (
        _named(s.get("display_name"), OTHER_SOPHOS_PRODUCTS) or _named(s.get("name"), OTHER_SOPHOS_PRODUCTS))]


def _lookup(mapping, name):
    """``mapping[name]`` with the name compared case-insensitively; None when absent."""
    if not isinstance(mapping, dict):
        return None
    if name in mapping:
        return mapping[name]
    folded = name.lower()
    for key, entry in mapping.items():
        if isinstance(key, str) and key.lower() == folded:
            return entry
    return None


def _has(mapping, name):
    if not isinstance(mapping, dict):
        return False
    return name in mapping or any(isinstance(k, str) and k.lower() == name.lower() for k in mapping)


def _has_subkey(reading, name):
    subkeys = _key(reading).get("subkeys")
    subkeys = subkeys if isinstance(subkeys, list) else []
    return any(isinstance(s, str) and s.lower() == name.lower() for s in subkeys) or \
        _has(_key(reading).get("children"), name)


def _values(col, source, reading):
    """The readable values of a key reading; a key or a value that could not be read is a read error.

    Call it once per key and source: each call reports the key's errors.
    """
    reading = _key(reading)
    if reading.get("error"):
        col.error(source, reading["error"])
    values = reading.get("values") if isinstance(reading.get("values"), dict) else {}
    readable = {}
    for name, entry in sorted(values.items()):
        if isinstance(entry, dict) and "error" in entry and "value" not in entry:
            col.error("%s\\%s" % (source, name), entry["error"])
            continue
        readable[name] = entry
    return readable


def _value(values, name):
    entry = _lookup(values, name)
    if not isinstance(entry, dict):
        return entry
    value = entry.get("value")
    modulus = _UNSIGNED.get(str(entry.get("type") or "").lower())
    if modulus and isinstance(value, int) and not isinstance(value, bool) and value < 0:
        value += modulus
    return value


def _binary(entry):
    """A REG_BINARY value (the probe's list of bytes) as the little-endian number it holds, or None."""
    if not isinstance(entry, dict) or str(entry.get("type") or "").lower() != "binary":
        return None
    data = entry.get("value")
    if not isinstance(data, list) or not 0 < len(data) <= 8 or \
            not all(isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 255 for b in data):
        return None
    return sum(b << (8 * i) for i, b in enumerate(data))


def _flag(col, source, values, name, hides=()):
    """A flag that may be a DWORD, a QWORD, a string or little-endian binary: True/False, None when absent
    or unreadable. A form not understood ("0x1", a multi-string, ...) is a read error that hides ``hides``."""
    if not _has(values, name):
        return None
    value = _value(values, name)
    number = _binary(_lookup(values, name))
    if number is None and not isinstance(value, list):
        number = _spl.to_int(value)
    if number is None:
        if isinstance(value, str) and value.strip().lower() in ("true", "yes"):
            return True
        col.error(source, "%s has an unexpected value %r" % (name, value), hides=hides)
        return None
    return number != 0


def _sophos_view(root):
    return "WOW6432Node" if "wow6432node" in str(root.get("root") or "").lower() else "native"


def _pick_sophos_root(roots):
    """The registry root Sophos reports from: the one with the newest LastUpdateTime.

    Without a LastUpdateTime anywhere, the root holding the most Sophos keys and values; the
    WOW6432Node view (first by default) wins a tie, as it is SAU's own on x64.
    """
    candidates = []
    for root in roots:
        keys = root.get("keys") or {}
        score = sum(1 for sub in SOPHOS_SUBKEYS if _key(_lookup(keys, sub)).get("exists"))
        score += sum(len(_key(_lookup(keys, sub)).get("values") or {}) for sub in SOPHOS_SUBKEYS) / 1000.0
        status = _key(_lookup(keys, "AutoUpdate\\UpdateStatus")).get("values") or {}
        if score > 0:
            candidates.append((root, _plausible_epoch(_value(status, "LastUpdateTime")), score))
    timed = [c for c in candidates if c[1] is not None]
    if timed:
        return max(timed, key=lambda c: c[1])[0]
    return max(candidates, key=lambda c: c[2])[0] if candidates else None


def _start_mode(col, svc):
    """'automatic', 'delayed', 'manual', 'disabled' or None, from Get-Service and the service's key."""
    reg = _values(col, "registry:HKLM\\SYSTEM\\CurrentControlSet\\Services\\%s" % svc.get("name"),
                  svc.get("registry")) if svc.get("registry") is not None else {}
    start = _spl.to_int(_value(reg, "Start")) if _has(reg, "Start") else None
    delayed = _spl.to_int(_value(reg, "DelayedAutostart")) if _has(reg, "DelayedAutostart") else None
    start_type = str(svc.get("start_type") or "").strip().lower()
    if start_type in ("automatic", "automaticdelayedstart") or (not start_type and start == 2):
        return "delayed" if start_type == "automaticdelayedstart" or delayed else "automatic"
    if start_type in ("manual", "disabled"):
        return start_type
    if start_type in ("boot", "system") or start in (0, 1):
        return "automatic"
    return {3: "manual", 4: "disabled"}.get(start)


def _service_state(status, mode, since_boot):
    """running, stopped, starting or unknown; see SERVICE_START_GRACE."""
    status = str(status or "").strip().lower()
    if status == "running":
        return "running"
    if status in ("startpending", "continuepending"):
        return "starting"
    if status in ("paused", "pausepending", "stoppending"):
        return "stopped"  # not running; the start-up grace does not apply to a service that was running
    if status == "stopped":
        grace = SERVICE_START_GRACE.get(mode)
        if grace is not None and since_boot is not None and 0 <= since_boot < grace:
            return "starting"
        return "stopped"
    return "unknown"


def _assess_windows_services(col, raw, sophos, boot):
    now = iso_to_epoch(raw.get("now"))
    since_boot = now - boot if now is not None and boot is not None else None
    health = sophos["health"]
    health["start_modes"] = {}
    for svc in endpoint_services(raw.get("services")):
        name = svc.get("display_name") or svc.get("name")
        if not name:
            continue
        status_error = _lookup(svc.get("errors"), "Status")
        if status_error:
            col.error("service:%s" % name, "Status: %s" % status_error)
        mode = _start_mode(col, svc)
        health["services"][name] = _service_state(svc.get("status"), mode, since_boot)
        health["start_modes"][name] = mode
    return since_boot


def _assess_windows_sophos(col, raw, sophos, boot):
    roots = [r for r in (raw.get("sophos") or []) if isinstance(r, dict)]
    readable = [(root, _sophos_values(col, root)) for root in roots]
    sed_path = "registry:HKLM\\" + WINDOWS_OS_KEYS["sed"]
    sed = _key(_lookup(raw.get("os_keys"), WINDOWS_OS_KEYS["sed"]))
    sed_values = _values(col, sed_path, sed)  # unreadable is not "no pending renames": reported
    chosen = _pick_sophos_root(roots)
    services = endpoint_services(raw.get("services"))
    if chosen is None and not services and not sed.get("exists"):
        return
    sophos.update(installed=True, product="windows_endpoint")
    health = sophos["health"]
    since_boot = _assess_windows_services(col, raw, sophos, boot)

    pfr = [n for n in ("sophosPFRs", "cleanPFRs") if _has(sed_values, n) or _has_subkey(sed, n)]
    if pfr:
        col.reason("sophos_pending_renames", "Sophos Endpoint Defense %s present" % " and ".join(pfr))
        sophos["reboot_required"] = True
    _sophos_restart_flags(col, readable, sophos)

    if chosen is None:
        health["overall"] = health_verdict(health, since_boot)["overall"]
        return
    sophos["registry_view"] = _sophos_view(chosen)
    # Each value from the chosen view, else from the other one: a value only one view holds is not lost
    # because the other view answered the rest (an older agent's leftovers, a newer agent's new home).
    views = [v for r, v in readable if r is chosen] + [v for r, v in readable if r is not chosen]
    roots = [r for r, v in readable if r is chosen] + [r for r, v in readable if r is not chosen]

    version = _pick(views, ("AutoUpdate\\UpdateStatus\\Details", "Version"), ("AutoUpdate", "ProductVersion"))
    sophos["version"] = str(version) if version not in (None, "") else None
    # Named after the last root read, as it always was (with two roots, not always the chosen one).
    _sophos_update_status(col, sophos, roots, views, "registry:HKLM\\%s\\" % readable[-1][0].get("root"))
    sophos["components"] = _sophos_components(views[0])
    _sophos_health(health, views, since_boot)
    health["overall"] = health_verdict(health, since_boot)["overall"]


def _sophos_values(col, root):
    """{subkey: readable values} of one registry root's Sophos keys, ``Details\\<guid>`` for each component."""
    keys = root.get("keys") if isinstance(root.get("keys"), dict) else {}
    prefix = "registry:HKLM\\%s\\" % root.get("root")
    values = dict((sub, _values(col, prefix + sub, _lookup(keys, sub))) for sub in SOPHOS_SUBKEYS)
    details = _key(_lookup(keys, "AutoUpdate\\UpdateStatus\\Details"))
    for guid, child in sorted((details.get("children") or {}).items()):
        values["Details\\" + guid] = _values(col, prefix + "AutoUpdate\\UpdateStatus\\Details\\" + guid, child)
    return values


def _sophos_restart_flags(col, readable, sophos):
    """VolatileFlags' RebootRequired and UrgentRebootRequired, in either view."""
    # A restart flag counts from either view: an older agent's stale data in one view must not hide
    # what a newer agent writes in the other.
    urgent_any = False
    for root, values in readable:
        flags = values["AutoUpdate\\UpdateStatus\\VolatileFlags"]
        source = "registry:HKLM\\%s\\AutoUpdate\\UpdateStatus\\VolatileFlags" % root.get("root")
        hides = SOPHOS_KEY_REASONS["AutoUpdate\\UpdateStatus\\VolatileFlags"]
        required = _flag(col, source, flags, "RebootRequired", hides)
        urgent = _flag(col, source, flags, "UrgentRebootRequired", hides)
        if not (required or urgent):
            continue
        urgent_any = urgent_any or bool(urgent)
        which = "UrgentRebootRequired" if urgent else "RebootRequired"
        since = _plausible_epoch(_value(flags, "RebootRequiredSince")) if _has(flags, "RebootRequiredSince") else None
        if since is None and _has(flags, "RebootRequiredSince"):
            col.error(source, "RebootRequiredSince is not an epoch timestamp: %r" % (_value(flags, "RebootRequiredSince"),))
        detail = "VolatileFlags\\%s = %s (%s view)" % (which, _value(flags, which), _sophos_view(root))
        if since is not None:
            detail += ", RebootRequiredSince %s" % epoch_to_iso(since)
        col.reason("sophos_reboot_required", detail, since=since)
        sophos["reboot_required"] = True
    sophos["reboot_urgent"] = urgent_any


def _pick(views, *places):
    """The first of ``(subkey, value name)`` places that a view holds, the chosen view first."""
    for view in views:
        for sub, name in places:
            if _has(view[sub], name) and _value(view[sub], name) not in (None, ""):
                return _value(view[sub], name)
    return None


def _sophos_update_status(col, sophos, roots, views, prefix):
    """Whether an update runs, the last update and its outcome (UpdateStatus, Details)."""
    # An update running in either view counts: a stale IsUpdating only makes a settle wait to its end.
    updating = False
    for root, view in zip(roots, views):
        status = view["AutoUpdate\\UpdateStatus"]
        if _has(status, "IsUpdating") and _flag(col, "registry:HKLM\\%s\\AutoUpdate\\UpdateStatus" % root.get("root"),
                                                status, "IsUpdating") is not False:
            updating = True
    sophos["updating"] = updating

    status_values = views[0]["AutoUpdate\\UpdateStatus"]
    last = _plausible_epoch(_value(status_values, "LastUpdateTime"))
    if last is None and _has(status_values, "LastUpdateTime"):
        col.error(prefix + "AutoUpdate\\UpdateStatus", "LastUpdateTime is not an epoch timestamp: %r"
                  % (_value(status_values, "LastUpdateTime"),))
    if last is None:
        last = _plausible_epoch(_pick(views, ("AutoUpdate\\UpdateStatus\\Details", "LastGoodInstallTime")))
    sophos["last_update"] = epoch_to_iso(last)
    result = _spl.to_int(_value(status_values, "Result")) if _has(status_values, "Result") else None
    if result is not None:
        sophos["last_update_ok"] = result == 0
    elif _has(status_values, "FirstFailedUpdateTime"):
        failed = _plausible_epoch(_value(status_values, "FirstFailedUpdateTime"))
        sophos["last_update_ok"] = not (failed and (last is None or failed > last))


def _sophos_components(values):
    """The components (``Details\\<guid>``) of one view."""
    components = []
    for name in sorted(n for n in values if n.startswith("Details\\")):
        child = values[name]
        if not child:
            continue
        components.append({"name": _value(child, "LongName") or name[len("Details\\"):],
                           "installed_version": _value(child, "InstalledVersion"),
                           "downloaded_version": _value(child, "DownloadedVersion")})
    return components


def _sophos_health(health, views, since_boot):
    """Sophos Health's own values and its copy of the services' states, where the live state is unknown."""
    # Sophos Health from the chosen view when it holds any, else from the other.
    hvalues = next((view["Health\\Status"] for view in views if view["Health\\Status"]), {})
    detail = {}
    for name in ("health", "service", "threat", "threatService", "admin"):
        if _has(hvalues, name):
            detail[name] = HEALTH_NAMES.get(_spl.to_int(_value(hvalues, name)), "unknown")
    health["detail"] = detail
    in_grace = since_boot is not None and 0 <= since_boot < max(SERVICE_START_GRACE.values())
    for name in sorted(hvalues):
        if not name.lower().startswith("service."):
            continue
        svc = name[len("service."):]
        listed = _lookup(health["services"], svc)
        if listed not in (None, "unknown"):
            continue  # the live state beats Sophos Health's copy of it, which lags after boot
        known = next((k for k in health["services"] if k.lower() == svc.lower()), svc)
        state = {0: "running", 1: "stopped"}.get(_spl.to_int(_value(hvalues, name)), "unknown")
        if state == "stopped" and in_grace:
            state = "starting"
        health["services"][known] = state


def _windows_present(reading, name):
    """A name that Windows writes as a subkey and some tools read as a value: either counts."""
    return _has(_key(reading).get("values"), name) or _has_subkey(reading, name)


def _assess_windows_os(col, raw):
    read = _os_key_reader(col, raw.get("os_keys") or {})
    _servicing_reasons(col, read)
    _pending_file_renames(col, read)

    active = _value(read("active_name")[1], "ComputerName")
    pending_name = _value(read("name")[1], "ComputerName")
    if isinstance(active, str) and isinstance(pending_name, str) and \
            active.strip().lower() != pending_name.strip().lower():
        col.reason("computer_rename", "computer name %s will become %s" % (active, pending_name))

    netlogon = read("netlogon")[0]
    joined = [n for n in ("JoinDomain", "AvoidSpnSet") if _windows_present(netlogon, n)]
    if joined:
        col.reason("domain_join", "Netlogon %s present" % " and ".join(joined))

    _server_manager(col, read)
    _update_exe_volatile(col, read)
    _assess_sccm(col, raw.get("sccm"))


def _os_key_reader(col, keys):
    """``read(name)``: the reading of ``WINDOWS_OS_KEYS[name]`` and its readable values, errors reported once
    per key (at its first read)."""
    readings = {}

    def read(name):
        """The key reading and its readable values; errors reported once per key."""
        if name not in readings:
            reading = _key(_lookup(keys, WINDOWS_OS_KEYS[name]))
            readings[name] = (reading, _values(col, "registry:HKLM\\" + WINDOWS_OS_KEYS[name], reading))
        return readings[name]
    return read


def _servicing_reasons(col, read):
    """Component Based Servicing's and Windows Update's restart keys."""
    if read("cbs")[0].get("exists"):
        col.reason("cbs_reboot_pending", "Component Based Servicing\\RebootPending exists")
    cbs = read("cbs_root")[0]
    if _windows_present(cbs, "RebootInProgress"):
        col.reason("cbs_reboot_in_progress", "Component Based Servicing\\RebootInProgress exists")
    if _windows_present(cbs, "PackagesPending"):
        col.reason("cbs_packages_pending", "Component Based Servicing\\PackagesPending exists", strong=False)
    if read("wu")[0].get("exists"):
        col.reason("windows_update", "WindowsUpdate\\Auto Update\\RebootRequired exists")
    if read("wu_post_reboot")[0].get("exists"):
        col.reason("windows_update_post_reboot_reporting",
                   "WindowsUpdate\\Auto Update\\PostRebootReporting exists", strong=False)
    pending = read("wu_services_pending")[0]
    if pending.get("exists") and (pending.get("subkeys") or pending.get("values")):
        col.reason("windows_update_services_pending", "WindowsUpdate\\Services\\Pending holds %d entries"
                   % (len(pending.get("subkeys") or []) + len(pending.get("values") or {})), strong=False)


def _pending_file_renames(col, read):
    """Session Manager's PendingFileRenameOperations(2): strong or weak by the ``pending_file_rename`` option."""
    session = read("session")[1]
    entries = []
    for name in ("PendingFileRenameOperations", "PendingFileRenameOperations2"):
        value = _value(session, name)
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            entries.extend(v for v in value if isinstance(v, str))
    # The list holds (source, destination) pairs; an empty destination means "delete".
    pairs = [(entries[i], entries[i + 1] if i + 1 < len(entries) else "") for i in range(0, len(entries), 2)]
    pairs = [p for p in pairs if p[0]]
    mode = col.options.get("pending_file_rename") or "weak"
    if pairs:
        sophos_pairs = sum(1 for p in pairs if "\\sophos\\" in (p[0] + "|" + p[1]).lower())
        col.reason("pending_file_rename", "%d entries (%d under \\Sophos\\)" % (len(pairs), sophos_pairs),
                   strong=(mode == "strong"))


def _server_manager(col, read):
    """Server Manager's CurrentRebootAttempts and the ServerComponentCache's RestartRequired."""
    server_manager, manager_values = read("server_manager")
    attempts = _spl.to_int(_value(manager_values, "CurrentRebootAttempts"))
    cache = read("server_component_cache")[1]
    restart = _spl.to_int(_value(cache, "RestartRequired"))
    for name, values, number in (("server_manager", manager_values, attempts),
                                 ("server_component_cache", cache, restart)):
        value = "CurrentRebootAttempts" if name == "server_manager" else "RestartRequired"
        if number is None and _has(values, value):
            col.error("registry:HKLM\\%s\\%s" % (WINDOWS_OS_KEYS[name], value),
                      "unexpected value %r" % (_value(values, value),), hides=("server_manager",))
    found = []
    if attempts is not None and attempts > 0:
        found.append("ServerManager\\CurrentRebootAttempts = %d" % attempts)
    elif attempts is None and _has_subkey(server_manager, "CurrentRebootAttempts"):
        found.append("ServerManager\\CurrentRebootAttempts exists")
    if restart:
        found.append("ServerComponentCache\\RestartRequired = %d" % restart)
    if found:
        col.reason("server_manager", ", ".join(found))


def _update_exe_volatile(col, read):
    """Updates\\UpdateExeVolatile and its Flags in both registry views."""
    volatile = []
    updates = read("updates")[1]
    number = _spl.to_int(_value(updates, "UpdateExeVolatile"))
    if _has(updates, "UpdateExeVolatile") and (number is None or number != 0):
        volatile.append("Updates\\UpdateExeVolatile = %s" % _value(updates, "UpdateExeVolatile"))
    for name in ("update_exe_volatile", "update_exe_volatile_wow"):
        flags = read(name)[1]
        number = _spl.to_int(_value(flags, "Flags"))
        if _has(flags, "Flags") and (number is None or number != 0):
            volatile.append("%s\\Flags = %s" % (WINDOWS_OS_KEYS[name].split("SOFTWARE\\", 1)[1], _value(flags, "Flags")))
    if volatile:
        col.reason("update_exe_volatile", ", ".join(volatile))


def _boolean(value):
    """True/False from a boolean or 0/1; None for anything else (null included)."""
    if isinstance(value, bool):
        return value
    return {0: False, 1: True}.get(value) if isinstance(value, int) else None


SCCM_SOURCE = "cim:ROOT\\ccm\\ClientSDK:CCM_ClientUtilities.DetermineIfRebootPending"


def _assess_sccm(col, sccm):
    """The SCCM client's answer: a reason, nothing, or a read error (hiding the reason) when it did not answer
    plainly: an error, a ``return_value`` other than 0, or a property that is not a boolean."""
    if not isinstance(sccm, dict):
        return
    if sccm.get("error"):
        col.error(SCCM_SOURCE, sccm["error"])  # hidden by _windows_unreadable
        return
    raw_flags = (sccm.get("reboot_pending"), sccm.get("hard_reboot_pending"))
    flags = tuple(_boolean(f) for f in raw_flags)
    if "return_value" in sccm and _spl.to_int(sccm.get("return_value")) != 0:
        col.error(SCCM_SOURCE, "ReturnValue %r: the client did not answer" % (sccm.get("return_value"),),
                  hides=("sccm_reboot_pending",))
    elif True in flags:
        col.reason("sccm_reboot_pending", "SCCM client DetermineIfRebootPending: RebootPending %s, "
                   "IsHardRebootPending %s" % tuple(bool(f) for f in flags))
    elif None in flags:
        col.error(SCCM_SOURCE, "RebootPending %r, IsHardRebootPending %r: not booleans" % raw_flags,
                  hides=("sccm_reboot_pending",))
