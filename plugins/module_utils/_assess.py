# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the fleetops.sophos collection: turn raw probe readings into ``sophos_reboot`` facts.

``assess(raw, options, previous=None) -> facts`` is pure: no Ansible imports, no I/O, no clock (the
probe's ``now`` is used). It runs on Linux hosts inside the ``reboot_facts`` module (Python 3.8+,
stdlib only) and on the controller for Windows readings. Bad or unexpected input never raises: it
becomes an entry of ``read_errors`` and the facts it would have fed stay ``null``/``unknown``.

Raw readings — a dict; every key is optional, ``null`` means "not there". A reading of something that
exists but cannot be read is ``{error, denied}`` (``denied``: permission refused, so root or an
administrator would help); "not there" is never used for "could not look".

Common
  ``family``      ``linux`` | ``windows``
  ``now``         ISO-8601 UTC of the host clock at read time (``YYYY-MM-DDTHH:MM:SSZ``)
  ``last_boot``   ISO-8601 UTC of the last boot (Linux: PID 1 start; Windows: LastBootUpTime)
  ``boot_id``     Linux ``/proc/sys/kernel/random/boot_id``
  ``errors``      ``[{source, error}]`` reads the probe itself could not do

Linux (``reboot_facts`` module). A command reading is ``{rc, stdout, stderr}`` and is present only
when the tool exists on the host.
  ``spl``  null when the install dir is missing, else
      ``{dir, files: {relpath: {text} | {error} | {blocked: dir}}, reports: {file name: {text} | {error}},
         reports_dir: null | {error} | {blocked: dir}, markers: {relpath: bool | null},
         install_marker: null | {mtime: ISO UTC} | {error} | {blocked: dir},
         blocked: {dir: {error, denied}}, services: {unit: {LoadState, ActiveState, ...}}}``
      ``files`` holds only files that exist (or may exist), among ``FILES_SPL``; ``reports`` the
      ``update_report*.json`` files; ``reports_dir`` why the reports directory could not be listed;
      ``markers`` whether each of ``MARKERS_SPL`` exists (null: cannot tell); ``install_marker`` the
      mtime of ``INSTALL_MARKER_SPL``; ``blocked`` the directories (absolute paths, the install dir
      included) that exist but cannot be entered, and ``{blocked: dir}`` marks what lies under one;
      ``services`` the ``systemctl show`` properties of ``sophos-spl.service``.
  ``sav``  null when ``/opt/sophos-av`` is missing, else
      ``{dir, version: cmd, status: cmd, last_update: {text} | {error}}``
      (``savdstatus --version``, ``savdstatus -v``, ``etc/update.last_update``)
  ``local_times``  ``{"YYYYmmdd HHMMSS": ISO UTC}``: every update report stamp, converted with the
      host's time zone on the host (the stamps are host local time)
  ``os``  ``{reboot_required_file: null | {mtime: ISO UTC, pkgs: str | null} | {error},
             needs_restarting: cmd (needs-restarting -r), dnf5_needs_restarting: cmd,
             zypper_needs_rebooting: cmd, needrestart: cmd (needrestart -b),
             rpm_core: cmd (rpm -q --qf '%{NAME} %{VERSION}-%{RELEASE}.%{ARCH} %{INSTALLTIME}\\n' CORE),
             kernel_release: uname -r}``

Windows (``win_reboot_probe``). A key reading is
  ``{exists: true, values: {name: {type: RegistryValueKind, value} | {error}}, subkeys: [name],
     children: {name: key reading}}`` (``children`` only where the probe reads deeper), ``{exists: false}``
  for a missing key, ``{exists: null, error}`` for a key that could not be opened or listed. A value
  ``{error}`` could not be read; the other values of its key still count. Names are case-insensitive.
  ``sophos``    ``[{root, keys: {"AutoUpdate" | "AutoUpdate\\UpdateStatus" | ...: key reading}}]``,
                one entry per registry root read (the 32-bit ``WOW6432Node`` view and the native one)
  ``os_keys``   ``{path under HKLM: key reading}`` for the keys in ``WINDOWS_OS_KEYS``
  ``services``  ``[{name, display_name, status, start_type, errors: {property: message},
                  registry: key reading of Services\\<name> (Start, DelayedAutostart)}]``
                (Sophos services only), or null
  ``sccm``      ``{return_value, reboot_pending, hard_reboot_pending}`` (as returned, null kept) | ``{error}`` |
                null (no SCCM client); anything but ``return_value`` 0 and booleans is unknown, not "no"
  ``service_installs`` ``{oldest: ISO UTC, events: [{time: ISO UTC, service}], complete: bool}`` | ``{error}``:
                event 7045 of Sophos' services in the System log and the log's oldest record
  ``uninstall`` ``{path under HKLM: key reading}`` for ``UNINSTALL_ROOTS``, ``children`` only for the
                subkeys whose ``DisplayName`` starts with "Sophos"; absent when the probe did not read them
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime
import re
import time

from ansible_collections.fleetops.sophos.plugins.module_utils import _spl

# 2: reboot_required, sophos.reboot_required and os.reboot_required may be null (unknown);
#    unknown_sources; read_errors entries may carry a hint; sophos.installed_at & co.
SCHEMA = 2

SOURCE_SOPHOS = "sophos"
SOURCE_OS = "os"

# Reason ids are a public contract: ignore_reasons, the reboot cycle and the report use them.
REASONS = {
    "sophos_reboot_required": SOURCE_SOPHOS,
    "sophos_pending_renames": SOURCE_SOPHOS,
    "sophos_installed_since_boot": SOURCE_SOPHOS,
    "cbs_reboot_pending": SOURCE_OS,
    "windows_update": SOURCE_OS,
    "pending_file_rename": SOURCE_OS,
    "computer_rename": SOURCE_OS,
    "domain_join": SOURCE_OS,
    "server_manager": SOURCE_OS,
    "update_exe_volatile": SOURCE_OS,
    "cbs_reboot_in_progress": SOURCE_OS,
    "cbs_packages_pending": SOURCE_OS,
    "windows_update_services_pending": SOURCE_OS,
    "windows_update_post_reboot_reporting": SOURCE_OS,
    "sccm_reboot_pending": SOURCE_OS,
    "reboot_required_file": SOURCE_OS,
    "needs_restarting": SOURCE_OS,
    "dnf5_needs_restarting": SOURCE_OS,
    "core_packages_updated": SOURCE_OS,
    "kernel_updated": SOURCE_OS,
    "zypper_needs_rebooting": SOURCE_OS,
    "needrestart_kernel": SOURCE_OS,
    "needrestart_microcode": SOURCE_OS,
}
KNOWN_REASONS = sorted(REASONS)

DEFAULT_REGISTRY_ROOTS = ["SOFTWARE\\WOW6432Node\\Sophos", "SOFTWARE\\Sophos"]

ARGUMENT_SPEC = dict(
    sophos_dir=dict(type="path", default="/opt/sophos-spl"),
    sophos_registry_roots=dict(type="list", elements="str", default=DEFAULT_REGISTRY_ROOTS),
    alert_days=dict(type="int", default=14),
    pending_file_rename=dict(type="str", default="weak", choices=["weak", "strong", "ignore"]),
    ignore_reasons=dict(type="list", elements="str", default=[], choices=KNOWN_REASONS),
    needrestart=dict(type="bool", default=False),
    previous_facts=dict(type="dict"),
)

DEFAULT_OPTIONS = dict((k, v.get("default")) for k, v in ARGUMENT_SPEC.items())

FILES_SPL = (
    "base/VERSION.ini",
    "base/mcs/status/ALC_status.xml",
    "base/mcs/status/SHS_status.xml",
    "base/mcs/internal_policy/internal_EPHEALTH.json",
    "base/update/var/updatescheduler/state_machine_raw_data.json",
)
REPORTS_DIR_SPL = "base/update/var/updatescheduler"
MARKERS_SPL = ("var/lock-sophosspl/suldownloader.pid", "var/sophosspl/upgrade_marker_file")
# Written once by SPL's installer (its `machineid` tool creates it only when it is missing or empty) and
# never rewritten by an update: its mtime is the first install time. See docs/architecture.md.
INSTALL_MARKER_SPL = "base/etc/machine_id.txt"
# What an SPL source that cannot be read may hide.
SPL_REASON_FILES = {"base/mcs/status/ALC_status.xml": ("sophos_reboot_required",)}
SERVICE_SPL = "sophos-spl.service"

# needs-restarting's own rule (dnf-plugins-core), reused by the fallback when no tool is installed.
CORE_PACKAGES = ("kernel", "kernel-core", "kernel-rt", "glibc", "linux-firmware", "systemd", "dbus",
                 "dbus-broker", "dbus-daemon", "microcode_ctl")
KERNEL_PACKAGES = ("kernel", "kernel-core", "kernel-rt")

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
# Reasons that are never strong: a source that could only hold one of them hides nothing that counts.
ALWAYS_WEAK = frozenset(("needrestart_microcode", "cbs_packages_pending", "windows_update_post_reboot_reporting",
                         "windows_update_services_pending"))
SOPHOS_KEY_REASONS = {"AutoUpdate\\UpdateStatus\\VolatileFlags": ("sophos_reboot_required",)}
INSTALL_REASON = "sophos_installed_since_boot"
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

# Sophos queues updates on servers "not restarted for a long time (typically months)"; a month is the
# shortest reading of that.
LONG_UPTIME_DAYS = 30

# A Sophos service that should start with Windows but is stopped this soon after boot is "starting",
# not broken (the cycle reads facts right after win_reboot); by start mode, in seconds. Delayed-start
# services begin about two minutes after the automatic ones (AutoStartDelay), so they get longer.
SERVICE_START_GRACE = {"automatic": 600, "delayed": 900}

HEALTH_NAMES = {1: "good", 2: "suspicious", 3: "bad"}
HEALTH_RANK = {"unknown": 0, "good": 1, "suspicious": 2, "bad": 3}

# Epoch values outside this window are not real update times (unset counters, ms read as s, ...).
_EPOCH_MIN = 946684800  # 2000-01-01
_EPOCH_MAX = 4102444800  # 2100-01-01


# --------------------------------------------------------------------------- options

def check_options(options):
    """Return the list of problems with already type-checked options (the argument spec does the rest)."""
    problems = []
    alert_days = options.get("alert_days")
    if alert_days is not None and alert_days <= 0:
        problems.append("alert_days must be greater than 0, got %s" % alert_days)
    sophos_dir = options.get("sophos_dir")
    if sophos_dir is not None and not str(sophos_dir).startswith("/"):
        problems.append("sophos_dir must be an absolute path, got %r" % sophos_dir)
    for root in options.get("sophos_registry_roots") or []:
        if not root or root.startswith("\\") or ":" in root or "/" in root:
            problems.append("sophos_registry_roots entries are key paths under HKLM such as "
                            "'SOFTWARE\\Sophos', got %r" % root)
    unknown = sorted(set(options.get("ignore_reasons") or []) - set(REASONS))
    if unknown:
        problems.append("ignore_reasons has unknown reason ids %s; known ids: %s"
                        % (", ".join(unknown), ", ".join(KNOWN_REASONS)))
    return problems


# --------------------------------------------------------------------------- time helpers

def iso_to_epoch(value):
    """'YYYY-MM-DDTHH:MM:SS[.fff][Z|+00:00]' (UTC) → epoch seconds, or None."""
    if not isinstance(value, str):
        return None
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$",
                     value.strip())
    if not match:
        return None
    parts = [int(p) for p in match.groups()[:6]]
    try:
        epoch = calendar.timegm((parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if match.group(7):
        epoch += float(match.group(7))
    zone = match.group(8)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "+" else 1
        digits = zone[1:].replace(":", "")
        epoch += sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return epoch


def epoch_to_iso(epoch):
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def stamp_to_epoch(stamp, local_times):
    """A Sophos report stamp 'YYYYmmdd HHMMSS' → epoch, via the host's conversion when it has one."""
    if not isinstance(stamp, str):
        return None
    converted = (local_times or {}).get(stamp)
    if converted:
        return iso_to_epoch(converted)
    match = re.match(r"^(\d{4})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})$", stamp.strip())
    if not match:
        return None
    # No host conversion (recorded readings): the stamp is taken as UTC rather than dropped.
    return iso_to_epoch("%s-%s-%sT%s:%s:%sZ" % match.groups())


def _plausible_epoch(value):
    number = _spl.to_int(value)
    if number is None:
        return None
    if number > _EPOCH_MAX * 100:  # milliseconds (Details\LastGoodInstallTime)
        number //= 1000
    return number if _EPOCH_MIN <= number <= _EPOCH_MAX else None


def _days(seconds):
    return round(seconds / 86400.0, 2)


def _age(seconds):
    """How long ago, for people: minutes, hours or days."""
    seconds = max(0, seconds)
    if seconds < 2 * 3600:
        return "%d min" % (seconds // 60)
    if seconds < 2 * 86400:
        return "%.1f h" % (seconds / 3600.0)
    return "%.1f days" % (seconds / 86400.0)


BECOME_HINT = "readable by root only: run the module with become (become: true, or -b ad hoc)"
ADMIN_HINT = "readable by administrators only: connect as an administrator or use become (runas)"


# --------------------------------------------------------------------------- collector

class _Facts(object):
    """Collects reasons, evidence and read errors while one reading is assessed."""

    def __init__(self, options):
        self.options = options
        self.reasons = []
        self.errors = []
        self.since = []  # (epoch, reason id) pending-since candidates from the sources themselves
        self.unknown = []  # (source, reason ids) sources that exist, could hold those reasons, and were not read

    def error(self, source, message, hides=(), hint=None):
        """A source that exists but could not be read or understood; ``hides``: the reasons it may hold."""
        entry = {"source": source, "error": str(message)}
        if hint:
            entry["hint"] = hint
        self.errors.append(entry)
        self.hidden(source, hides)

    def hidden(self, source, hides):
        if hides:
            self.unknown.append((source, tuple(hides)))

    def reason(self, reason_id, detail, strong=True, since=None):
        self.reasons.append({"id": reason_id, "source": REASONS[reason_id], "strong": bool(strong),
                             "detail": detail})
        if since is not None:
            self.since.append((since, reason_id))


def _empty_sophos():
    return {
        "installed": False, "product": None, "version": None, "registry_view": None, "components": [],
        "installed_at": None, "installed_at_source": None, "installed_since_boot": None,
        "installed_since_boot_note": None,
        "reboot_required": False, "reboot_urgent": False, "updating": False,
        "last_update": None, "last_update_ok": None, "updated_since_boot": None,
        "queued_update": {"suspected": False, "evidence": []},
        "health": {"overall": "unknown", "detail": {}, "services": {}},
    }


def _worst(*names):
    return max(names, key=lambda n: HEALTH_RANK.get(n, 0))


# --------------------------------------------------------------------------- the health rule

# A service with one of these start modes is not expected to run: stopped is not a fault.
NOT_REQUIRED_MODES = ("manual", "disabled")


def health_verdict(health, since_boot=None):
    """THE health rule: what a ``sophos.health`` mapping says, for assess() and for the cycle's check after a
    restart alike (one rule, one place).

    ``health``: the facts' ``sophos.health`` (``services``: name -> running|stopped|starting|unknown,
    ``start_modes``: name -> automatic|delayed|manual|disabled|null, ``detail.health``: Sophos' own value).
    ``since_boot``: seconds from the last boot to the reading, or None.

    A service counts when its start mode is not manual or disabled (a service listed only by Sophos Health
    has no known mode and counts: Sophos Health watches it). Sophos Health's own ``bad`` within the start-up
    grace is ``lagging``, not ``bad``: right after boot it lags the services (field knowledge, see
    docs/architecture.md). Returns ``{overall, stopped, starting, unknown, running, lagging}`` (service
    names, and whether Sophos Health lags); ``overall`` is ``bad`` (a counted service stopped, or Sophos
    Health bad past the grace), ``unknown`` while Sophos Health lags, else Sophos Health's own value. The
    cycle's check after a restart also refuses ``starting``, ``unknown`` and ``lagging``: not yet confirmed
    is not healthy."""
    health = health if isinstance(health, dict) else {}
    services = health.get("services") if isinstance(health.get("services"), dict) else {}
    modes = health.get("start_modes") if isinstance(health.get("start_modes"), dict) else {}
    detail = health.get("detail") if isinstance(health.get("detail"), dict) else {}
    found = {"stopped": [], "starting": [], "unknown": [], "running": []}
    for name in sorted(services):
        state = services[name] if services[name] in found else "unknown"
        if state != "running" and modes.get(name) in NOT_REQUIRED_MODES:
            continue
        if state == "stopped" and name in modes and modes[name] is None:
            state = "unknown"  # stopped, and whether it should run could not be read
        found[state].append(name)
    own = detail.get("health") if detail.get("health") in HEALTH_RANK else "unknown"
    in_grace = since_boot is not None and 0 <= since_boot < max(SERVICE_START_GRACE.values())
    lagging = own == "bad" and in_grace and not found["stopped"]
    if found["stopped"] or (own == "bad" and not lagging):
        overall = "bad"
    else:
        overall = "unknown" if lagging else own
    return dict(found, overall=overall, lagging=lagging)


# --------------------------------------------------------------------------- Linux: SPL / SAV

def _hint(entry, hint=BECOME_HINT):
    return hint if isinstance(entry, dict) and entry.get("denied") else None


def _spl_file(col, spl, relpath, parser):
    entry = (spl.get("files") or {}).get(relpath)
    if not entry:
        return None
    source = "spl:" + relpath
    hides = SPL_REASON_FILES.get(relpath, ())
    if entry.get("blocked"):
        return None  # reported once, with the directory that cannot be entered
    if entry.get("error"):
        col.error(source, entry["error"], hides=hides, hint=_hint(entry))
        return None
    value, err = parser(entry.get("text"))
    if err:
        col.error(source, err, hides=hides)
    return value


def _spl_blocked(col, spl):
    """One read error per directory that cannot be entered, naming what it keeps from view."""
    blocked = spl.get("blocked") or {}
    for directory in sorted(blocked):
        entry = blocked[directory] if isinstance(blocked[directory], dict) else {}
        inside, hides = [], set()
        for rel, reading in sorted((spl.get("files") or {}).items()):
            if isinstance(reading, dict) and reading.get("blocked") == directory:
                inside.append(rel.rsplit("/", 1)[-1])
                hides.update(SPL_REASON_FILES.get(rel, ()))
        if _key(spl.get("reports_dir")).get("blocked") == directory:
            inside.append("update reports")
            hides.add("sophos_reboot_required")
        if _key(spl.get("install_marker")).get("blocked") == directory:
            inside.append(INSTALL_MARKER_SPL.rsplit("/", 1)[-1])
            hides.add(INSTALL_REASON)
        message = entry.get("error") or "cannot be entered"
        if inside:
            message += "; unknown, not absent: %s" % ", ".join(inside)
        col.error("spl:" + directory, message, hides=sorted(hides), hint=_hint(entry))


def _stamp_before(name, boot, raw):
    """A report named before the last boot cannot hold a restart need that still counts."""
    match = _spl.REPORT_STAMP.search(name)
    stamp = stamp_to_epoch(match.group(1), raw.get("local_times")) if match else None
    return stamp is not None and boot is not None and stamp <= boot


def _assess_spl(col, spl, sophos, raw, boot):
    sophos.update(installed=True, product="spl")
    _spl_blocked(col, spl)
    reports_dir = _key(spl.get("reports_dir"))
    if reports_dir.get("error"):
        col.error("spl:" + REPORTS_DIR_SPL, reports_dir["error"], hides=("sophos_reboot_required",),
                  hint=_hint(reports_dir))
    ini = _spl_file(col, spl, "base/VERSION.ini", _spl.parse_version_ini)
    if ini:
        sophos["version"] = ini.get("PRODUCT_VERSION")

    last_good = []
    alc = _spl_file(col, spl, "base/mcs/status/ALC_status.xml", _spl.parse_alc_status)
    if alc:
        if alc["reboot_required"]:
            col.reason("sophos_reboot_required", "ALC_status.xml rebootState/required = yes")
            sophos["reboot_required"] = True
        sophos["reboot_urgent"] = bool(alc["reboot_urgent"])
        good = iso_to_epoch(alc["last_good"])
        if good is not None and good >= _EPOCH_MIN:  # SPL writes 1970 until a first install
            last_good.append(good)
        if alc["download_state"] or alc["install_state"]:
            sophos["last_update_ok"] = alc["download_state"] != "bad" and alc["install_state"] != "bad"
        sophos["components"] = [{"name": p["name"], "installed_version": p["installed_version"],
                                 "downloaded_version": p["downloaded_version"]} for p in alc["products"]]

    machine = _spl_file(col, spl, "base/update/var/updatescheduler/state_machine_raw_data.json",
                        _spl.parse_json_object)
    if machine:
        good = _plausible_epoch(machine.get("LastGoodInstallTime"))
        if good is not None:
            last_good.append(good)
        if sophos["last_update_ok"] is None and ("InstallState" in machine or "DownloadState" in machine):
            sophos["last_update_ok"] = all(_spl.to_int(machine.get(k, 0)) == 0
                                           for k in ("InstallState", "DownloadState"))

    latest = None
    for name, entry in sorted((spl.get("reports") or {}).items()):
        source = "spl:%s/%s" % (REPORTS_DIR_SPL, name)
        if not isinstance(entry, dict):
            col.error(source, "no reading (the report disappeared while it was read)")
            continue
        hides = () if _stamp_before(name, boot, raw) else ("sophos_reboot_required",)
        if entry.get("error"):
            col.error(source, entry["error"], hides=hides, hint=_hint(entry))
            continue
        report, err = _spl.parse_update_report(entry.get("text"))
        if err:
            col.error(source, err, hides=hides)
            continue
        name_stamp = _spl.REPORT_STAMP.search(name)
        finish = stamp_to_epoch(report["finish"], raw.get("local_times")) or \
            stamp_to_epoch(name_stamp.group(1) if name_stamp else None, raw.get("local_times"))
        if finish is None:
            col.error(source, "no usable finishTime", hides=hides)
            continue
        report["finish_epoch"] = finish
        if report["status"] == "SUCCESS":
            last_good.append(finish)
        if latest is None or finish >= latest["finish_epoch"]:
            latest = report
    if latest:
        if sophos["last_update_ok"] is None or latest["finish_epoch"] >= max(last_good or [0]):
            sophos["last_update_ok"] = latest["status"] == "SUCCESS"
        if latest["status"] == "RESTARTNEEDED" and (boot is None or latest["finish_epoch"] > boot):
            col.reason("sophos_reboot_required", "update report of %s: status RESTARTNEEDED"
                       % epoch_to_iso(latest["finish_epoch"]), since=latest["finish_epoch"])
            sophos["reboot_required"] = True
    if last_good:
        sophos["last_update"] = epoch_to_iso(max(last_good))

    markers = spl.get("markers") or {}
    if any(markers.get(m) for m in MARKERS_SPL):
        sophos["updating"] = True
    elif any(m in markers and markers[m] is None for m in MARKERS_SPL):
        sophos["updating"] = None
    _assess_spl_install(col, spl, sophos, boot, iso_to_epoch(raw.get("now")))

    health = sophos["health"]
    shs = _spl_file(col, spl, "base/mcs/status/SHS_status.xml", _spl.parse_shs_status)
    if shs:
        items = shs["items"]
        health["detail"] = dict((k, HEALTH_NAMES.get(v, "unknown")) for k, v in items.items()
                                if k in ("health", "service", "threat", "threatService", "admin"))
        health["overall"] = HEALTH_NAMES.get(items.get("health"), "unknown")
        for item in ("service", "threatService"):
            for svc, value in shs["details"].get(item, {}).items():
                state = {0: "running", 1: "stopped"}.get(value, "unknown")
                if health["services"].get(svc) != "stopped":
                    health["services"][svc] = state
    else:
        ephealth = _spl_file(col, spl, "base/mcs/internal_policy/internal_EPHEALTH.json",
                             _spl.parse_json_object)
        if ephealth:
            health["detail"] = dict((k, HEALTH_NAMES.get(_spl.to_int(v), "unknown"))
                                    for k, v in ephealth.items() if k in ("health", "service", "threat",
                                                                          "threatService"))
            health["overall"] = health["detail"].get("health", "unknown")
    unit = (spl.get("services") or {}).get(SERVICE_SPL)
    if unit and unit.get("LoadState") == "loaded":
        running = unit.get("ActiveState") in ("active", "reloading", "activating")
        health["services"][SERVICE_SPL] = "running" if running else "stopped"
    now = iso_to_epoch(raw.get("now"))
    health["overall"] = health_verdict(health, now - boot if now is not None and boot is not None else None)["overall"]


# --------------------------------------------------------------------------- first install

def _installed(col, sophos, epoch, source, boot, now):
    """Sophos installed at a known instant: a strong reason when that is after the last boot."""
    sophos["installed_at"] = epoch_to_iso(epoch)
    sophos["installed_at_source"] = source
    if boot is None:
        sophos["installed_since_boot_note"] = "the last boot time is unknown"
        col.hidden("os:last_boot", (INSTALL_REASON,))
        return
    sophos["installed_since_boot"] = epoch > boot
    if epoch > boot:
        age = " (%s before this reading)" % _age(now - epoch) if now is not None else ""
        col.reason(INSTALL_REASON, "Sophos installed %s%s, after the last boot %s"
                   % (epoch_to_iso(epoch), age, epoch_to_iso(boot)), since=epoch)
        sophos["reboot_required"] = True


def _assess_spl_install(col, spl, sophos, boot, now):
    source = "spl:" + INSTALL_MARKER_SPL
    marker = spl.get("install_marker")
    if marker is None:
        # Not a read error: nothing that exists went unread. The note says why there is no install time.
        sophos["installed_since_boot_note"] = "no install time: %s is missing" % INSTALL_MARKER_SPL
        return
    marker = _key(marker)
    if marker.get("blocked"):
        sophos["installed_since_boot_note"] = "no install time: %s cannot be entered" % marker["blocked"]
        return
    if marker.get("error"):
        col.error(source, marker["error"], hides=(INSTALL_REASON,), hint=_hint(marker))
        sophos["installed_since_boot_note"] = "no install time: %s cannot be read" % INSTALL_MARKER_SPL
        return
    epoch = iso_to_epoch(marker.get("mtime"))
    if epoch is None or epoch < _EPOCH_MIN:
        col.error(source, "no plausible modification time: %r" % (marker.get("mtime"),), hides=(INSTALL_REASON,))
        sophos["installed_since_boot_note"] = "no install time: %s has an odd mtime" % INSTALL_MARKER_SPL
        return
    _installed(col, sophos, epoch, source + " (mtime)", boot, now)


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
    services = [s for s in endpoint_services(raw.get("services")) if s.get("name") or s.get("display_name")]
    if not services:
        return None, None, None
    created = {}
    for svc in services:
        names = set(str(n).lower() for n in (svc.get("name"), svc.get("display_name")) if n)
        times = [iso_to_epoch(e.get("time")) for e in (reading.get("events") or [])
                 if isinstance(e, dict) and str(e.get("service") or "").lower() in names]
        times = [t for t in times if t is not None]
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
    dated, unreadable, undated = _uninstall_entries(col, readings)
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


def _cmd_ok(col, source, cmd, hides=()):
    """A command reading, or None (recording an error) when it did not produce output to read."""
    if not isinstance(cmd, dict):
        if cmd is not None:
            col.error(source, "expected a command reading (a mapping), got %s" % type(cmd).__name__)
        return None
    if cmd.get("error"):
        col.error(source, cmd["error"], hides=hides)
        return None
    return cmd


def _parsed_cmd(col, source, reading, parser):
    """The parsed stdout of a command reading, or None (with a read error when it did not parse)."""
    cmd = _cmd_ok(col, source, reading)
    if not cmd:
        return None
    parsed, err = parser(cmd.get("stdout"))
    if err:
        col.error(source, "rc %s: %s" % (cmd.get("rc"), err))
        return None
    return parsed


def _assess_sav(col, sav, sophos):
    sophos.update(installed=True, product="sav")
    parsed = _parsed_cmd(col, "sav:savdstatus --version", sav.get("version"), _spl.parse_sav_version)
    if parsed is not None:
        sophos["version"] = parsed["version"]
    parsed = _parsed_cmd(col, "sav:savdstatus -v", sav.get("status"), _spl.parse_sav_status)
    if parsed is not None:
        services = dict((k, v) for k, v in (("savd", parsed["daemon"]), ("on-access", parsed["on_access"]))
                        if v)
        sophos["health"]["services"] = services
        sophos["health"]["overall"] = "bad" if "stopped" in services.values() else "good"
    last = sav.get("last_update")
    if last:
        if last.get("error"):
            col.error("sav:etc/update.last_update", last["error"])
        else:
            epoch = _plausible_epoch((last.get("text") or "").strip())
            if epoch is None:
                col.error("sav:etc/update.last_update", "not an epoch timestamp: %r" % (last.get("text") or "")[:40])
            else:
                sophos["last_update"] = epoch_to_iso(epoch)


# --------------------------------------------------------------------------- Linux: OS

def _lines(text, limit=8):
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[:limit]


def _assess_linux_os(col, osr, boot):
    flag = osr.get("reboot_required_file")
    if isinstance(flag, dict) and flag.get("error"):
        col.error("os:/run/reboot-required", flag["error"], hides=("reboot_required_file",), hint=_hint(flag))
    elif isinstance(flag, dict):
        pkgs = _lines(flag.get("pkgs"), limit=1000)
        detail = "/run/reboot-required exists"
        if pkgs:
            detail += " (%d packages: %s)" % (len(pkgs), ", ".join(sorted(set(pkgs))[:10]))
        col.reason("reboot_required_file", detail, since=iso_to_epoch(flag.get("mtime")))

    checks = (
        ("needs_restarting", "needs-restarting -r"),
        ("dnf5_needs_restarting", "dnf needs-restarting"),
        ("zypper_needs_rebooting", "zypper needs-rebooting"),
    )
    answered = False
    for key, label in checks:
        cmd = _cmd_ok(col, "os:" + label, osr.get(key), hides=(key,))
        if not cmd:
            continue
        rc, out = cmd.get("rc"), (cmd.get("stdout") or "") + (cmd.get("stderr") or "")
        needs = None
        if key == "zypper_needs_rebooting":
            needs = {102: True, 0: False}.get(rc)
        elif "reboot is required" in out.lower() or "reboot is probably required" in out.lower():
            needs = True
        elif "reboot should not be necessary" in out.lower():
            needs = False
        elif key == "needs_restarting":
            needs = {1: True, 0: False}.get(rc)
        if needs is None:
            col.error("os:" + label, "unexpected exit code %s: %s" % (rc, " / ".join(_lines(out, 3))), hides=(key,))
            continue
        answered = True
        if needs:
            detail = "%s: exit %s" % (label, rc)
            hints = [line for line in _lines(out, 20) if not line.lower().startswith(("reboot", "more information"))]
            if hints:
                detail += " (%s)" % ", ".join(hints[:6])
            col.reason(key, detail)

    rpm = osr.get("rpm_core")
    if not answered and isinstance(rpm, dict):
        _assess_rpm_fallback(col, rpm, osr.get("kernel_release"), boot)

    need = _cmd_ok(col, "os:needrestart -b", osr.get("needrestart"), hides=("needrestart_kernel",))
    if need:
        values = {}
        for line in _lines(need.get("stdout"), 100):
            key, sep, value = line.partition(":")
            if sep and key.startswith("NEEDRESTART-"):
                values[key[len("NEEDRESTART-"):]] = value.strip()
        ksta = _spl.to_int(values.get("KSTA"))
        if ksta is None:
            col.error("os:needrestart -b", "no NEEDRESTART-KSTA line (exit %s)" % need.get("rc"),
                      hides=("needrestart_kernel",))
        elif ksta in (2, 3):
            col.reason("needrestart_kernel", "needrestart: running kernel %s, expected %s (KSTA %d)"
                       % (values.get("KCUR", "?"), values.get("KEXP", "?"), ksta))
        if _spl.to_int(values.get("UCSTA")) == 2:
            col.reason("needrestart_microcode", "needrestart: CPU microcode update pending (UCSTA 2)", strong=False)


def _assess_rpm_fallback(col, rpm, kernel_release, boot):
    installed = []
    for line in _lines(rpm.get("stdout"), 10000):
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            installed.append((parts[0], parts[1], int(parts[2])))
    if not installed:
        if rpm.get("rc") not in (None, 0) and "is not installed" not in (rpm.get("stdout") or ""):
            col.error("os:rpm -q", "exit %s: %s" % (rpm.get("rc"), " / ".join(_lines(rpm.get("stderr"), 3))),
                      hides=("core_packages_updated", "kernel_updated"))
        return
    if boot is None:
        col.hidden("os:last_boot", ("core_packages_updated",))
    else:
        after = sorted(set(name for name, _v, when in installed if when > boot))
        if after:
            col.reason("core_packages_updated", "installed after the last boot: %s" % ", ".join(after),
                       since=min(when for _n, _v, when in installed if when > boot))
    kernels = [(when, version) for name, version, when in installed if name in KERNEL_PACKAGES]
    if kernels and kernel_release:
        newest = max(kernels)[1]
        if newest != kernel_release:
            col.reason("kernel_updated", "running kernel %s, newest installed %s" % (kernel_release, newest))


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


def _key(reading):
    return reading if isinstance(reading, dict) else {}


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
    readable = []
    for root in roots:
        keys = root.get("keys") if isinstance(root.get("keys"), dict) else {}
        prefix = "registry:HKLM\\%s\\" % root.get("root")
        values = dict((sub, _values(col, prefix + sub, _lookup(keys, sub))) for sub in SOPHOS_SUBKEYS)
        details = _key(_lookup(keys, "AutoUpdate\\UpdateStatus\\Details"))
        for guid, child in sorted((details.get("children") or {}).items()):
            values["Details\\" + guid] = _values(col, prefix + "AutoUpdate\\UpdateStatus\\Details\\" + guid, child)
        readable.append((root, values))
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

    if chosen is None:
        health["overall"] = health_verdict(health, since_boot)["overall"]
        return
    sophos["registry_view"] = _sophos_view(chosen)
    # Each value from the chosen view, else from the other one: a value only one view holds is not lost
    # because the other view answered the rest (an older agent's leftovers, a newer agent's new home).
    views = [v for r, v in readable if r is chosen] + [v for r, v in readable if r is not chosen]
    roots = [r for r, v in readable if r is chosen] + [r for r, v in readable if r is not chosen]

    def pick(*places):
        """The first of ``(subkey, value name)`` places that a view holds, the chosen view first."""
        for view in views:
            for sub, name in places:
                if _has(view[sub], name) and _value(view[sub], name) not in (None, ""):
                    return _value(view[sub], name)
        return None

    version = pick(("AutoUpdate\\UpdateStatus\\Details", "Version"), ("AutoUpdate", "ProductVersion"))
    sophos["version"] = str(version) if version not in (None, "") else None

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
        last = _plausible_epoch(pick(("AutoUpdate\\UpdateStatus\\Details", "LastGoodInstallTime")))
    sophos["last_update"] = epoch_to_iso(last)
    result = _spl.to_int(_value(status_values, "Result")) if _has(status_values, "Result") else None
    if result is not None:
        sophos["last_update_ok"] = result == 0
    elif _has(status_values, "FirstFailedUpdateTime"):
        failed = _plausible_epoch(_value(status_values, "FirstFailedUpdateTime"))
        sophos["last_update_ok"] = not (failed and (last is None or failed > last))

    values = views[0]
    components = []
    for name in sorted(n for n in values if n.startswith("Details\\")):
        child = values[name]
        if not child:
            continue
        components.append({"name": _value(child, "LongName") or name[len("Details\\"):],
                           "installed_version": _value(child, "InstalledVersion"),
                           "downloaded_version": _value(child, "DownloadedVersion")})
    sophos["components"] = components

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
    health["overall"] = health_verdict(health, since_boot)["overall"]


def _windows_present(reading, name):
    """A name that Windows writes as a subkey and some tools read as a value: either counts."""
    return _has(_key(reading).get("values"), name) or _has_subkey(reading, name)


def _assess_windows_os(col, raw):
    keys = raw.get("os_keys") or {}
    readings = {}

    def read(name):
        """The key reading and its readable values; errors reported once per key."""
        if name not in readings:
            reading = _key(_lookup(keys, WINDOWS_OS_KEYS[name]))
            readings[name] = (reading, _values(col, "registry:HKLM\\" + WINDOWS_OS_KEYS[name], reading))
        return readings[name]

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

    active = _value(read("active_name")[1], "ComputerName")
    pending_name = _value(read("name")[1], "ComputerName")
    if isinstance(active, str) and isinstance(pending_name, str) and \
            active.strip().lower() != pending_name.strip().lower():
        col.reason("computer_rename", "computer name %s will become %s" % (active, pending_name))

    netlogon = read("netlogon")[0]
    joined = [n for n in ("JoinDomain", "AvoidSpnSet") if _windows_present(netlogon, n)]
    if joined:
        col.reason("domain_join", "Netlogon %s present" % " and ".join(joined))

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

    _assess_sccm(col, raw.get("sccm"))


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


# --------------------------------------------------------------------------- main entry

def _previous_boot_older(previous, last_boot, boot_id):
    prev_os = previous.get("os") if isinstance(previous.get("os"), dict) else {}
    if boot_id and prev_os.get("boot_id"):
        return prev_os["boot_id"] != boot_id
    prev_boot = iso_to_epoch(prev_os.get("last_boot"))
    # Boot times read twice differ by rounding; a minute apart is the same boot.
    return prev_boot is not None and last_boot is not None and last_boot - prev_boot > 60


def _may_be_strong(reason_id, opts):
    if reason_id in ALWAYS_WEAK:
        return False
    if reason_id == "pending_file_rename":
        return opts.get("pending_file_rename") == "strong"
    return True


def _tri(known, unknown_sources):
    """True when a strong reason is known, else None when a source that could hold one was not read."""
    if known:
        return True
    return None if unknown_sources else False


def assess(raw, options=None, previous=None):
    """Turn one host's raw readings into the ``sophos_reboot`` facts (see docs/architecture.md)."""
    opts = dict(DEFAULT_OPTIONS)
    opts.update(dict((k, v) for k, v in (options or {}).items() if v is not None))
    raw = raw if isinstance(raw, dict) else {}
    previous = previous if isinstance(previous, dict) else {}
    col = _Facts(opts)
    for entry in raw.get("errors") or []:
        if isinstance(entry, dict):
            col.error(str(entry.get("source")), entry.get("error"))

    family = raw.get("family") if raw.get("family") in ("linux", "windows") else None
    if family is None:
        col.error("probe", "readings carry no family (linux or windows)")
    now = iso_to_epoch(raw.get("now"))
    if now is None:
        col.error("probe", "readings carry no valid 'now' time: %r" % (raw.get("now"),))
    boot = iso_to_epoch(raw.get("last_boot"))
    if boot is None and raw.get("last_boot") is not None:
        col.error("os:last_boot", "not an ISO-8601 time: %r" % (raw.get("last_boot"),))
    boot_id = raw.get("boot_id") if isinstance(raw.get("boot_id"), str) else None

    sophos = _empty_sophos()
    if family == "linux":
        if isinstance(raw.get("spl"), dict):
            _assess_spl(col, raw["spl"], sophos, raw, boot)
        elif isinstance(raw.get("sav"), dict):
            _assess_sav(col, raw["sav"], sophos)
        _assess_linux_os(col, raw.get("os") if isinstance(raw.get("os"), dict) else {}, boot)
    elif family == "windows":
        _assess_windows_sophos(col, raw, sophos, boot)
        _assess_windows_os(col, raw)
        _windows_unreadable(col, raw)
        _assess_windows_install(col, raw, sophos, boot, now)

    last_update = iso_to_epoch(sophos["last_update"])
    if sophos["installed"] and last_update is not None and boot is not None:
        sophos["updated_since_boot"] = last_update > boot

    ignore = set(opts.get("ignore_reasons") or [])
    if opts.get("pending_file_rename") == "ignore":
        ignore.add("pending_file_rename")
    reasons = [r for r in col.reasons if r["id"] not in ignore]
    ignored = sorted(set(r["id"] for r in col.reasons if r["id"] in ignore))
    # Unknown is never "no": a source that could hold a strong reason and was not read makes it null.
    hidden = [(source, rid) for source, ids in col.unknown for rid in ids if _may_be_strong(rid, opts)]
    unknown = sorted(set(source for source, rid in hidden if rid not in ignore))
    reboot_required = _tri(any(r["strong"] for r in reasons), unknown)
    os_required = _tri(any(r["strong"] and r["source"] == SOURCE_OS for r in reasons),
                       [s for s, rid in hidden if rid not in ignore and REASONS[rid] == SOURCE_OS])
    if sophos["installed"] and not sophos["reboot_required"] and \
            any(REASONS[rid] == SOURCE_SOPHOS for _s, rid in hidden):
        sophos["reboot_required"] = None

    uptime_days = _days(now - boot) if now is not None and boot is not None and now >= boot else None

    pending_since, since_source = None, None
    if reboot_required:
        active = set(r["id"] for r in reasons if r["strong"])
        own = [epoch for epoch, rid in col.since if rid in active and epoch is not None]
        prev_since = iso_to_epoch(previous.get("pending_since"))
        same_boot = previous.get("reboot_required") and not _previous_boot_older(previous, boot, boot_id)
        if own:
            pending_since, since_source = min(own), "source"
        if same_boot and prev_since is not None and (pending_since is None or prev_since < pending_since):
            pending_since, since_source = prev_since, previous.get("pending_since_source") or "first_seen"
        if pending_since is None and now is not None:
            pending_since, since_source = now, "first_seen"
    pending_days = _days(now - pending_since) if pending_since is not None and now is not None else None
    if pending_days is not None and pending_days < 0:
        pending_days = 0.0

    evidence = []
    if sophos["installed"]:
        prev_sophos = previous.get("sophos") if isinstance(previous.get("sophos"), dict) else {}
        if sophos["reboot_required"] and prev_sophos.get("reboot_required") and \
                _previous_boot_older(previous, boot, boot_id):
            evidence.append("Sophos reboot flag set again after a restart (previous boot %s)"
                            % (previous.get("os") or {}).get("last_boot"))
        # After a failed install the versions differ because of the failure, not because of a queue.
        for comp in sophos["components"] if sophos["last_update_ok"] is not False else []:
            if comp["downloaded_version"] and comp["installed_version"] and \
                    str(comp["downloaded_version"]) != str(comp["installed_version"]):
                evidence.append("%s downloaded %s but installed %s"
                                % (comp["name"], comp["downloaded_version"], comp["installed_version"]))
        if sophos["updating"] and reboot_required:
            evidence.append("an update is running while a restart is pending")
        if reboot_required and uptime_days is not None and uptime_days >= LONG_UPTIME_DAYS:
            evidence.append("up %s days with a restart pending" % uptime_days)
    sophos["queued_update"] = {"suspected": bool(evidence), "evidence": evidence}

    alert = bool((pending_days is not None and pending_days > opts["alert_days"]) or
                 (sophos["reboot_urgent"] and "sophos_reboot_required" not in ignore))

    return {
        "schema": SCHEMA,
        "reboot_required": reboot_required,
        "unknown_sources": unknown if reboot_required is None else [],
        "reasons": reasons,
        "ignored_reasons": ignored,
        "sophos": sophos,
        "os": {
            "family": family,
            "reboot_required": os_required,
            "last_boot": epoch_to_iso(boot),
            "boot_id": boot_id,
            "uptime_days": uptime_days,
        },
        "pending_since": epoch_to_iso(pending_since),
        "pending_since_source": since_source,
        "pending_days": pending_days,
        "alert": alert,
        "read_errors": col.errors,
        "checked_at": epoch_to_iso(now),
    }
