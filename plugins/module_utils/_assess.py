# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the fleetops.sophos collection: turn raw probe readings into ``sophos_reboot`` facts.

``assess(raw, options, previous=None) -> facts`` is pure: no Ansible imports, no I/O, no clock (the
probe's ``now`` is used). It runs on Linux hosts inside the ``reboot_facts`` module (Python 3.8+,
stdlib only) and on the controller for Windows readings. Bad or unexpected input never raises: it
becomes an entry of ``read_errors`` and the facts it would have fed stay ``null``/``unknown``.

Raw readings (schema 1) — a dict; every key is optional, ``null`` means "not there":

Common
  ``family``      ``linux`` | ``windows``
  ``now``         ISO-8601 UTC of the host clock at read time (``YYYY-MM-DDTHH:MM:SSZ``)
  ``last_boot``   ISO-8601 UTC of the last boot (Linux: PID 1 start; Windows: LastBootUpTime)
  ``boot_id``     Linux ``/proc/sys/kernel/random/boot_id``
  ``errors``      ``[{source, error}]`` reads the probe itself could not do

Linux (``reboot_facts`` module). A command reading is ``{rc, stdout, stderr}`` and is present only
when the tool exists on the host.
  ``spl``  null when the install dir is missing, else
      ``{dir, files: {relpath: {text} | {error}}, reports: {file name: {text} | {error}},
         markers: {relpath: bool}, services: {unit: {LoadState, ActiveState, ...}}}``
      ``files`` holds only files that exist, among ``FILES_SPL``; ``reports`` the
      ``update_report*.json`` files; ``markers`` whether each of ``MARKERS_SPL`` exists;
      ``services`` the ``systemctl show`` properties of ``sophos-spl.service``.
  ``sav``  null when ``/opt/sophos-av`` is missing, else
      ``{dir, version: cmd, status: cmd, last_update: {text} | {error}}``
      (``savdstatus --version``, ``savdstatus -v``, ``etc/update.last_update``)
  ``local_times``  ``{"YYYYmmdd HHMMSS": ISO UTC}``: every update report stamp, converted with the
      host's time zone on the host (the stamps are host local time)
  ``os``  ``{reboot_required_file: null | {mtime: ISO UTC, pkgs: str | null},
             needs_restarting: cmd (needs-restarting -r), dnf5_needs_restarting: cmd,
             zypper_needs_rebooting: cmd, needrestart: cmd (needrestart -b),
             rpm_core: cmd (rpm -q --qf '%{NAME} %{VERSION}-%{RELEASE}.%{ARCH} %{INSTALLTIME}\\n' CORE),
             kernel_release: uname -r}``

Windows (``win_reboot_probe``). A key reading is
  ``{exists: bool, values: {name: {type: RegistryValueKind, value}}, subkeys: [name],
     children: {name: key reading}, error: str}`` (``children`` only where the probe reads deeper).
  ``sophos``    ``[{root, keys: {"AutoUpdate" | "AutoUpdate\\UpdateStatus" | ...: key reading}}]``,
                one entry per registry root read (the 32-bit ``WOW6432Node`` view and the native one)
  ``os_keys``   ``{path under HKLM: key reading}`` for the keys in ``WINDOWS_OS_KEYS``
  ``services``  ``[{name, display_name, status, start_type}]`` (Sophos services only), or null
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import re
import time

from ansible_collections.fleetops.sophos.plugins.module_utils import _spl

SCHEMA = 1

SOURCE_SOPHOS = "sophos"
SOURCE_OS = "os"

# Reason ids are a public contract: ignore_reasons, the reboot cycle and the report use them.
REASONS = {
    "sophos_reboot_required": SOURCE_SOPHOS,
    "sophos_pending_renames": SOURCE_SOPHOS,
    "cbs_reboot_pending": SOURCE_OS,
    "windows_update": SOURCE_OS,
    "pending_file_rename": SOURCE_OS,
    "computer_rename": SOURCE_OS,
    "domain_join": SOURCE_OS,
    "server_manager": SOURCE_OS,
    "update_exe_volatile": SOURCE_OS,
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
SERVICE_SPL = "sophos-spl.service"

# needs-restarting's own rule (dnf-plugins-core), reused by the fallback when no tool is installed.
CORE_PACKAGES = ("kernel", "kernel-core", "kernel-rt", "glibc", "linux-firmware", "systemd", "dbus",
                 "dbus-broker", "dbus-daemon", "microcode_ctl")
KERNEL_PACKAGES = ("kernel", "kernel-core", "kernel-rt")

WINDOWS_OS_KEYS = {
    "cbs": "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending",
    "wu": "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired",
    "session": "SYSTEM\\CurrentControlSet\\Control\\Session Manager",
    "active_name": "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName",
    "name": "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName",
    "netlogon": "SYSTEM\\CurrentControlSet\\Services\\Netlogon",
    "server_manager": "SOFTWARE\\Microsoft\\ServerManager",
    "updates": "SOFTWARE\\Microsoft\\Updates",
    "sed": "SYSTEM\\CurrentControlSet\\Services\\Sophos Endpoint Defense",
}
SOPHOS_SUBKEYS = ("AutoUpdate", "AutoUpdate\\UpdateStatus", "AutoUpdate\\UpdateStatus\\VolatileFlags",
                  "AutoUpdate\\UpdateStatus\\Details", "Health\\Status")

# Sophos queues updates on servers "not restarted for a long time (typically months)"; a month is the
# shortest reading of that.
LONG_UPTIME_DAYS = 30

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


# --------------------------------------------------------------------------- collector

class _Facts(object):
    """Collects reasons, evidence and read errors while one reading is assessed."""

    def __init__(self, options):
        self.options = options
        self.reasons = []
        self.errors = []
        self.since = []  # (epoch, reason id) pending-since candidates from the sources themselves

    def error(self, source, message):
        self.errors.append({"source": source, "error": str(message)})

    def reason(self, reason_id, detail, strong=True, since=None):
        self.reasons.append({"id": reason_id, "source": REASONS[reason_id], "strong": bool(strong),
                             "detail": detail})
        if since is not None:
            self.since.append((since, reason_id))


def _empty_sophos():
    return {
        "installed": False, "product": None, "version": None, "registry_view": None, "components": [],
        "reboot_required": False, "reboot_urgent": False, "updating": False,
        "last_update": None, "last_update_ok": None, "updated_since_boot": None,
        "queued_update": {"suspected": False, "evidence": []},
        "health": {"overall": "unknown", "detail": {}, "services": {}},
    }


def _worst(*names):
    return max(names, key=lambda n: HEALTH_RANK.get(n, 0))


# --------------------------------------------------------------------------- Linux: SPL / SAV

def _spl_file(col, spl, relpath, parser):
    entry = (spl.get("files") or {}).get(relpath)
    if not entry:
        return None
    source = "spl:" + relpath
    if entry.get("error"):
        col.error(source, entry["error"])
        return None
    value, err = parser(entry.get("text"))
    if err:
        col.error(source, err)
    return value


def _assess_spl(col, spl, sophos, raw, boot):
    sophos.update(installed=True, product="spl")
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
        if entry.get("error"):
            col.error(source, entry["error"])
            continue
        report, err = _spl.parse_update_report(entry.get("text"))
        if err:
            col.error(source, err)
            continue
        name_stamp = _spl.REPORT_STAMP.search(name)
        finish = stamp_to_epoch(report["finish"], raw.get("local_times")) or \
            stamp_to_epoch(name_stamp.group(1) if name_stamp else None, raw.get("local_times"))
        if finish is None:
            col.error(source, "no usable finishTime")
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
    sophos["updating"] = any(markers.get(m) for m in MARKERS_SPL)

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
    if "stopped" in health["services"].values():
        health["overall"] = _worst(health["overall"], "bad")


def _cmd_ok(col, source, cmd):
    """A command reading, or None (recording an error) when it did not produce output to read."""
    if not isinstance(cmd, dict):
        if cmd is not None:
            col.error(source, "expected a command reading (a mapping), got %s" % type(cmd).__name__)
        return None
    if cmd.get("error"):
        col.error(source, cmd["error"])
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
    if isinstance(flag, dict):
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
        cmd = _cmd_ok(col, "os:" + label, osr.get(key))
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
            col.error("os:" + label, "unexpected exit code %s: %s" % (rc, " / ".join(_lines(out, 3))))
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

    need = _cmd_ok(col, "os:needrestart -b", osr.get("needrestart"))
    if need:
        values = {}
        for line in _lines(need.get("stdout"), 100):
            key, sep, value = line.partition(":")
            if sep and key.startswith("NEEDRESTART-"):
                values[key[len("NEEDRESTART-"):]] = value.strip()
        ksta = _spl.to_int(values.get("KSTA"))
        if ksta is None:
            col.error("os:needrestart -b", "no NEEDRESTART-KSTA line (exit %s)" % need.get("rc"))
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
            col.error("os:rpm -q", "exit %s: %s" % (rpm.get("rc"), " / ".join(_lines(rpm.get("stderr"), 3))))
        return
    if boot is not None:
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

def _key(reading):
    return reading if isinstance(reading, dict) else {}


def _values(col, source, reading):
    reading = _key(reading)
    if reading.get("error"):
        col.error(source, reading["error"])
    return reading.get("values") or {}


def _value(values, name):
    entry = values.get(name)
    if isinstance(entry, dict):
        return entry.get("value")
    return entry


def _flag(col, source, values, name):
    """A Sophos flag that may be a DWORD, a QWORD or a string: True/False, None when absent or unreadable."""
    if name not in values:
        return None
    value = _value(values, name)
    number = _spl.to_int(value)
    if number is None:
        if isinstance(value, str) and value.strip().lower() in ("true", "yes"):
            return True
        col.error(source, "%s has an unexpected value %r" % (name, value))
        return None
    return number != 0


def _pick_sophos_root(roots):
    """The registry root that holds Sophos AutoUpdate data; the WOW6432Node view wins a tie (SAU's own)."""
    best, best_score = None, 0
    for root in roots:
        keys = root.get("keys") or {}
        score = sum(1 for sub in SOPHOS_SUBKEYS if _key(keys.get(sub)).get("exists"))
        score += sum(len(_key(keys.get(sub)).get("values") or {}) for sub in SOPHOS_SUBKEYS) / 1000.0
        if score > best_score:
            best, best_score = root, score
    return best


def _assess_windows_sophos(col, raw, sophos, boot):
    roots = [r for r in (raw.get("sophos") or []) if isinstance(r, dict)]
    for root in roots:
        for sub, reading in (root.get("keys") or {}).items():
            if _key(reading).get("error"):
                col.error("registry:HKLM\\%s\\%s" % (root.get("root"), sub), reading["error"])
    services = [s for s in (raw.get("services") or []) if isinstance(s, dict)]
    chosen = _pick_sophos_root(roots)
    sed = _key((raw.get("os_keys") or {}).get(WINDOWS_OS_KEYS["sed"]))
    if sed.get("error"):
        # Unreadable is not "no pending renames": say so.
        col.error("registry:HKLM\\" + WINDOWS_OS_KEYS["sed"], sed["error"])
    if chosen is None and not services and not sed.get("exists"):
        return
    sophos.update(installed=True, product="windows_endpoint")

    health = sophos["health"]
    for svc in services:
        name = svc.get("display_name") or svc.get("name")
        status = str(svc.get("status") or "").lower()
        state = status if status in ("running", "stopped") else "unknown"
        health["services"][name] = state
        if state != "running" and str(svc.get("start_type") or "").lower() == "automatic":
            health["overall"] = "bad"

    pfr = [n for n in ("sophosPFRs", "cleanPFRs") if n in (sed.get("values") or {}) or n in (sed.get("subkeys") or [])]
    if pfr:
        col.reason("sophos_pending_renames", "Sophos Endpoint Defense %s present" % " and ".join(pfr))
        sophos["reboot_required"] = True

    if chosen is None:
        return
    root = chosen.get("root") or ""
    sophos["registry_view"] = "WOW6432Node" if "wow6432node" in root.lower() else "native"
    keys = chosen.get("keys") or {}
    prefix = "registry:HKLM\\%s\\" % root

    autoupdate = (_key(keys.get("AutoUpdate")).get("values") or {})
    status_values = _key(keys.get("AutoUpdate\\UpdateStatus")).get("values") or {}
    flags = _key(keys.get("AutoUpdate\\UpdateStatus\\VolatileFlags")).get("values") or {}
    details_key = _key(keys.get("AutoUpdate\\UpdateStatus\\Details"))
    details = details_key.get("values") or {}

    version = _value(details, "Version") or _value(autoupdate, "ProductVersion")
    sophos["version"] = str(version) if version not in (None, "") else None

    flag_source = prefix + "AutoUpdate\\UpdateStatus\\VolatileFlags"
    required = _flag(col, flag_source, flags, "RebootRequired")
    urgent = _flag(col, flag_source, flags, "UrgentRebootRequired")
    if required or urgent:
        which = "UrgentRebootRequired" if urgent else "RebootRequired"
        col.reason("sophos_reboot_required", "VolatileFlags\\%s = %s (%s view)"
                   % (which, _value(flags, which), sophos["registry_view"]))
        sophos["reboot_required"] = True
    sophos["reboot_urgent"] = bool(urgent)

    updating = "IsUpdating" in status_values and _flag(col, prefix + "AutoUpdate\\UpdateStatus",
                                                       status_values, "IsUpdating") is not False
    sophos["updating"] = bool(updating)

    last = _plausible_epoch(_value(status_values, "LastUpdateTime"))
    if last is None and "LastUpdateTime" in status_values:
        col.error(prefix + "AutoUpdate\\UpdateStatus", "LastUpdateTime is not an epoch timestamp: %r"
                  % (_value(status_values, "LastUpdateTime"),))
    if last is None:
        last = _plausible_epoch(_value(details, "LastGoodInstallTime"))
    sophos["last_update"] = epoch_to_iso(last)
    result = _spl.to_int(_value(status_values, "Result")) if "Result" in status_values else None
    if result is not None:
        sophos["last_update_ok"] = result == 0
    elif "FirstFailedUpdateTime" in status_values:
        failed = _plausible_epoch(_value(status_values, "FirstFailedUpdateTime"))
        sophos["last_update_ok"] = not (failed and (last is None or failed > last))

    components = []
    for guid, child in sorted((details_key.get("children") or {}).items()):
        values = _key(child).get("values") or {}
        if _key(child).get("error"):
            col.error(prefix + "AutoUpdate\\UpdateStatus\\Details\\" + guid, child["error"])
        if not values:
            continue
        components.append({"name": _value(values, "LongName") or guid,
                           "installed_version": _value(values, "InstalledVersion"),
                           "downloaded_version": _value(values, "DownloadedVersion")})
    sophos["components"] = components

    hvalues = _values(col, prefix + "Health\\Status", keys.get("Health\\Status"))
    detail = {}
    for name in ("health", "service", "threat", "threatService", "admin"):
        if name in hvalues:
            detail[name] = HEALTH_NAMES.get(_spl.to_int(_value(hvalues, name)), "unknown")
    health["detail"] = detail
    if "health" in detail:
        health["overall"] = _worst(health["overall"], detail["health"])
    for name in hvalues:
        if name.startswith("service."):
            state = {0: "running", 1: "stopped"}.get(_spl.to_int(_value(hvalues, name)), "unknown")
            svc = name[len("service."):]
            if health["services"].get(svc) in (None, "unknown") or state == "stopped":
                health["services"][svc] = state
            if state == "stopped":
                health["overall"] = "bad"


def _assess_windows_os(col, raw):
    keys = raw.get("os_keys") or {}

    def read(name):
        reading = _key(keys.get(WINDOWS_OS_KEYS[name]))
        if reading.get("error"):
            col.error("registry:HKLM\\" + WINDOWS_OS_KEYS[name], reading["error"])
        return reading

    if read("cbs").get("exists"):
        col.reason("cbs_reboot_pending", "Component Based Servicing\\RebootPending exists")
    if read("wu").get("exists"):
        col.reason("windows_update", "WindowsUpdate\\Auto Update\\RebootRequired exists")

    session = read("session").get("values") or {}
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

    active = _value(read("active_name").get("values") or {}, "ComputerName")
    pending = _value(read("name").get("values") or {}, "ComputerName")
    if isinstance(active, str) and isinstance(pending, str) and active.strip().lower() != pending.strip().lower():
        col.reason("computer_rename", "computer name %s will become %s" % (active, pending))

    netlogon = read("netlogon").get("values") or {}
    joined = [n for n in ("JoinDomain", "AvoidSpnSet") if n in netlogon]
    if joined:
        col.reason("domain_join", "Netlogon %s present" % " and ".join(joined))

    attempts = read("server_manager").get("values") or {}
    if "CurrentRebootAttempts" in attempts:
        col.reason("server_manager", "ServerManager\\CurrentRebootAttempts = %s"
                   % _value(attempts, "CurrentRebootAttempts"))

    volatile = read("updates").get("values") or {}
    if "UpdateExeVolatile" in volatile:
        number = _spl.to_int(_value(volatile, "UpdateExeVolatile"))
        if number is None or number != 0:
            col.reason("update_exe_volatile", "Updates\\UpdateExeVolatile = %s" % _value(volatile, "UpdateExeVolatile"))


# --------------------------------------------------------------------------- main entry

def _previous_boot_older(previous, last_boot, boot_id):
    prev_os = previous.get("os") if isinstance(previous.get("os"), dict) else {}
    if boot_id and prev_os.get("boot_id"):
        return prev_os["boot_id"] != boot_id
    prev_boot = iso_to_epoch(prev_os.get("last_boot"))
    # Boot times read twice differ by rounding; a minute apart is the same boot.
    return prev_boot is not None and last_boot is not None and last_boot - prev_boot > 60


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

    last_update = iso_to_epoch(sophos["last_update"])
    if sophos["installed"] and last_update is not None and boot is not None:
        sophos["updated_since_boot"] = last_update > boot

    ignore = set(opts.get("ignore_reasons") or [])
    if opts.get("pending_file_rename") == "ignore":
        ignore.add("pending_file_rename")
    reasons = [r for r in col.reasons if r["id"] not in ignore]
    ignored = sorted(set(r["id"] for r in col.reasons if r["id"] in ignore))
    reboot_required = any(r["strong"] for r in reasons)
    os_required = any(r["strong"] and r["source"] == SOURCE_OS for r in reasons)

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
