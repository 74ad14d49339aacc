# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the fleetops.sophos collection: the Linux readings of ``_assess``.

Sophos Protection for Linux (SPL) and the legacy Sophos Anti-Virus (SAV) from what the ``reboot_facts`` module
read, and the operating system's own restart signals (``/run/reboot-required``, needs-restarting, zypper,
needrestart, the rpm fallback). The readings' format is in ``_assess``' docstring. Pure: no Ansible imports,
no I/O. Python 3.8+, stdlib only: it travels to Linux hosts with the module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.sophos.plugins.module_utils import _spl
from ansible_collections.fleetops.sophos.plugins.module_utils._assess_collector import (
    _EPOCH_MIN, HEALTH_NAMES, INSTALL_REASON, _installed, _key, _plausible_epoch, epoch_to_iso, health_verdict,
    iso_to_epoch, stamp_to_epoch,
)

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

BECOME_HINT = "readable by root only: run the module with become (become: true, or -b ad hoc)"


# --------------------------------------------------------------------------- Linux: SPL / SAV

def assess_linux(col, raw, sophos, boot):
    """The Linux readings: SPL, else SAV, then the operating system's own restart signals."""
    if isinstance(raw.get("spl"), dict):
        _assess_spl(col, raw["spl"], sophos, raw, boot)
    elif isinstance(raw.get("sav"), dict):
        _assess_sav(col, raw["sav"], sophos)
    _assess_linux_os(col, raw.get("os") if isinstance(raw.get("os"), dict) else {}, boot)


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

    last_good = _spl_status(col, spl, sophos)
    _spl_reports(col, spl, sophos, raw, boot, last_good)
    if last_good:
        sophos["last_update"] = epoch_to_iso(max(last_good))

    markers = spl.get("markers") or {}
    if any(markers.get(m) for m in MARKERS_SPL):
        sophos["updating"] = True
    elif any(m in markers and markers[m] is None for m in MARKERS_SPL):
        sophos["updating"] = None
    _assess_spl_install(col, spl, sophos, boot, iso_to_epoch(raw.get("now")))
    _spl_health(col, spl, sophos, raw, boot)


def _spl_status(col, spl, sophos):
    """The restart flag, the last update's outcome and the components from ALC_status.xml and the update
    scheduler's state; returns the last good install times they hold (epochs)."""
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
    return last_good


def _spl_reports(col, spl, sophos, raw, boot, last_good):
    """The update reports: the latest one's outcome and restart need; each successful one's finish is
    added to ``last_good``."""
    latest = None
    for name, entry in sorted((spl.get("reports") or {}).items()):
        report = _spl_report(col, name, entry, raw, boot)
        if report is None:
            continue
        if report["status"] == "SUCCESS":
            last_good.append(report["finish_epoch"])
        if latest is None or report["finish_epoch"] >= latest["finish_epoch"]:
            latest = report
    if latest:
        if sophos["last_update_ok"] is None or latest["finish_epoch"] >= max(last_good or [0]):
            sophos["last_update_ok"] = latest["status"] == "SUCCESS"
        if latest["status"] == "RESTARTNEEDED" and (boot is None or latest["finish_epoch"] > boot):
            col.reason("sophos_reboot_required", "update report of %s: status RESTARTNEEDED"
                       % epoch_to_iso(latest["finish_epoch"]), since=latest["finish_epoch"])
            sophos["reboot_required"] = True


def _spl_report(col, name, entry, raw, boot):
    """One update report with its ``finish_epoch``, or None (with a read error) when it cannot be used."""
    source = "spl:%s/%s" % (REPORTS_DIR_SPL, name)
    if not isinstance(entry, dict):
        col.error(source, "no reading (the report disappeared while it was read)")
        return None
    hides = () if _stamp_before(name, boot, raw) else ("sophos_reboot_required",)
    if entry.get("error"):
        col.error(source, entry["error"], hides=hides, hint=_hint(entry))
        return None
    report, err = _spl.parse_update_report(entry.get("text"))
    if err:
        col.error(source, err, hides=hides)
        return None
    name_stamp = _spl.REPORT_STAMP.search(name)
    finish = stamp_to_epoch(report["finish"], raw.get("local_times")) or \
        stamp_to_epoch(name_stamp.group(1) if name_stamp else None, raw.get("local_times"))
    if finish is None:
        col.error(source, "no usable finishTime", hides=hides)
        return None
    report["finish_epoch"] = finish
    return report


def _spl_health(col, spl, sophos, raw, boot):
    """Sophos Health (SHS_status.xml, else internal_EPHEALTH.json), the service's state, and the verdict."""
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

    answered = _restart_checks(col, osr)
    rpm = osr.get("rpm_core")
    if not answered and isinstance(rpm, dict):
        _assess_rpm_fallback(col, rpm, osr.get("kernel_release"), boot)
    _assess_needrestart(col, osr)


def _restart_checks(col, osr):
    """needs-restarting, dnf5's and zypper's answers (a reason each that says yes); whether any answered."""
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
        needs = _check_says(key, rc, out)
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
    return answered


def _check_says(key, rc, out):
    """True (a restart is needed), False, or None (not understood) from one check's exit code and output."""
    needs = None
    if key == "zypper_needs_rebooting":
        needs = {102: True, 0: False}.get(rc)
    elif "reboot is required" in out.lower() or "reboot is probably required" in out.lower():
        needs = True
    elif "reboot should not be necessary" in out.lower():
        needs = False
    elif key == "needs_restarting":
        needs = {1: True, 0: False}.get(rc)
    return needs


def _assess_needrestart(col, osr):
    """needrestart -b: the running kernel against the newest (a reason) and pending CPU microcode (weak)."""
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
