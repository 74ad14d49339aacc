# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the fleetops.sophos collection: turn raw probe readings into ``sophos_reboot`` facts.

``assess(raw, options, previous=None) -> facts`` is pure: no Ansible imports, no I/O, no clock (the
probe's ``now`` is used). It runs on Linux hosts inside the ``reboot_facts`` module (Python 3.8+,
stdlib only) and on the controller for Windows readings. Bad or unexpected input never raises: it
becomes an entry of ``read_errors`` and the facts it would have fed stay ``null``/``unknown``.

This module is the entry (``assess``, its options, the facts' shape); the readings are assessed by platform in
``_assess_linux`` and ``_assess_windows``, over what both share in ``_assess_collector`` (the catalogue of
reasons, the collector of reasons and read errors, the time helpers, the health rule). The constants named
below (``FILES_SPL``, ``WINDOWS_OS_KEYS``, ...) live in their platform's module.

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

from ansible_collections.fleetops.sophos.plugins.module_utils._assess_collector import (
    ALWAYS_WEAK, KNOWN_REASONS, REASONS, SOURCE_OS, SOURCE_SOPHOS, _Facts, _days, _empty_sophos, epoch_to_iso,
    health_verdict, iso_to_epoch, stamp_to_epoch,
)
from ansible_collections.fleetops.sophos.plugins.module_utils._assess_linux import (
    CORE_PACKAGES, FILES_SPL, INSTALL_MARKER_SPL, MARKERS_SPL, REPORTS_DIR_SPL, SERVICE_SPL, assess_linux,
)
from ansible_collections.fleetops.sophos.plugins.module_utils._assess_windows import (
    DEFAULT_REGISTRY_ROOTS, assess_windows,
)

# What callers import from here (the reboot_facts module, its action, the cycle, the report, the Central
# client): the entry, its options, the Linux probe's paths and the shared time helpers.
__all__ = [
    "ARGUMENT_SPEC", "CORE_PACKAGES", "DEFAULT_OPTIONS", "FILES_SPL", "INSTALL_MARKER_SPL", "KNOWN_REASONS",
    "MARKERS_SPL", "REASONS", "REPORTS_DIR_SPL", "SCHEMA", "SERVICE_SPL", "assess", "check_options", "epoch_to_iso",
    "health_verdict", "iso_to_epoch", "stamp_to_epoch",
]

# 2: reboot_required, sophos.reboot_required and os.reboot_required may be null (unknown);
#    unknown_sources; read_errors entries may carry a hint; sophos.installed_at & co.
SCHEMA = 2

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

# Sophos queues updates on servers "not restarted for a long time (typically months)"; a month is the
# shortest reading of that.
LONG_UPTIME_DAYS = 30


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


def _clock(col, raw):
    """(family, now, boot, boot_id) of the readings; what is missing or malformed is a read error."""
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
    return family, now, boot, boot_id


def _verdicts(col, opts, sophos):
    """The reasons that count, the ignored ones, and the three-valued verdicts (host, OS) they give.

    Returns ``(reasons, ignored, ignore, unknown, reboot_required, os_required)``."""
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
    return reasons, ignored, ignore, unknown, reboot_required, os_required


def _pending_since(col, reasons, previous, now, boot, boot_id):
    """(pending since, its source) while a restart is needed: the sources' own time, the previous facts' on
    the same boot when earlier, else this reading (first seen)."""
    pending_since, since_source = None, None
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
    return pending_since, since_source


def _queued_evidence(sophos, previous, boot, boot_id, reboot_required, uptime_days):
    """What suggests that Sophos queued an update until the next restart (``sophos.queued_update.evidence``)."""
    evidence = []
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
    return evidence


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
    family, now, boot, boot_id = _clock(col, raw)

    sophos = _empty_sophos()
    try:
        if family == "linux":
            assess_linux(col, raw, sophos, boot)
        elif family == "windows":
            assess_windows(col, raw, sophos, boot, now)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        # A reading of a shape the probe never gives (its contract broken): named in the facts, never a
        # traceback, and whatever it may have held is unknown, never "no".
        col.error("probe", "a reading of an unexpected shape stopped the assessment: %s: %s"
                  % (type(exc).__name__, exc), hides=tuple(KNOWN_REASONS))

    last_update = iso_to_epoch(sophos["last_update"])
    if sophos["installed"] and last_update is not None and boot is not None:
        sophos["updated_since_boot"] = last_update > boot

    reasons, ignored, ignore, unknown, reboot_required, os_required = _verdicts(col, opts, sophos)
    uptime_days = _days(now - boot) if now is not None and boot is not None and now >= boot else None
    pending_since, since_source = None, None
    if reboot_required:
        pending_since, since_source = _pending_since(col, reasons, previous, now, boot, boot_id)
    pending_days = _days(now - pending_since) if pending_since is not None and now is not None else None
    if pending_days is not None and pending_days < 0:
        pending_days = 0.0

    evidence = []
    if sophos["installed"]:
        evidence = _queued_evidence(sophos, previous, boot, boot_id, reboot_required, uptime_days)
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
