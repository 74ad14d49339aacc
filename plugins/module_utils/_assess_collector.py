# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the fleetops.sophos collection: what every ``_assess`` platform shares.

The catalogue of reasons (``REASONS``: id -> source; which are never strong), the Sophos stamp reader (times
themselves are ``_time``'s), the collector
(``_Facts``: reasons, evidence, read errors and the sources that were not read), the empty ``sophos`` facts and
THE health rule (``health_verdict``). Pure: no Ansible imports, no I/O, no clock. Python 3.8+, stdlib only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.fleetops.sophos.plugins.module_utils import _spl
from ansible_collections.fleetops.sophos.plugins.module_utils._time import (  # noqa: F401 (for the platforms)
    epoch_to_iso, iso_to_epoch,
)

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

# Reasons that are never strong: a source that could only hold one of them hides nothing that counts.
ALWAYS_WEAK = frozenset(("needrestart_microcode", "cbs_packages_pending", "windows_update_post_reboot_reporting",
                         "windows_update_services_pending"))
INSTALL_REASON = "sophos_installed_since_boot"

# A Sophos service that should start with Windows but is stopped this soon after boot is "starting",
# not broken (the cycle reads facts right after win_reboot); by start mode, in seconds. Delayed-start
# services begin about two minutes after the automatic ones (AutoStartDelay), so they get longer.
SERVICE_START_GRACE = {"automatic": 600, "delayed": 900}

HEALTH_NAMES = {1: "good", 2: "suspicious", 3: "bad"}
HEALTH_RANK = {"unknown": 0, "good": 1, "suspicious": 2, "bad": 3}

# Epoch values outside this window are not real update times (unset counters, ms read as s, ...).
_EPOCH_MIN = 946684800  # 2000-01-01
_EPOCH_MAX = 4102444800  # 2100-01-01


# --------------------------------------------------------------------------- Sophos stamps

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


# --------------------------------------------------------------------------- readings

def _key(reading):
    """A reading that should be a mapping, or an empty one."""
    return reading if isinstance(reading, dict) else {}
