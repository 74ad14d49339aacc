#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: reboot_facts
short_description: Sophos and OS restart state, queued Sophos updates, pending age and health
version_added: 0.1.0
description:
  - Reads, in one module execution per host, whether Sophos and the operating system are waiting for a
    restart, why, since when, whether a Sophos update is still queued behind a restart, and Sophos
    health. Returns everything as C(ansible_facts.sophos_reboot).
  - On Linux it reads Sophos Protection for Linux (SPL) status files under O(sophos_dir), the legacy
    Sophos Anti-Virus (C(/opt/sophos-av)), C(/run/reboot-required), C(needs-restarting -r) (yum, dnf 4),
    C(dnf needs-restarting) (dnf 5), C(zypper needs-rebooting), optionally C(needrestart -b), and when no
    such tool is installed compares the install time of core packages and the newest kernel with the
    last boot.
  - On Windows (PowerShell connections over WinRM or SSH) the action plugin runs the internal probe
    M(fleetops.sophos.win_reboot_probe), which reads both registry views of Sophos AutoUpdate and
    Health, the Sophos entries of both Uninstall keys, the Windows pending-restart keys, the Sophos
    services and the last boot time; the readings
    are assessed on the controller by the same code as on Linux.
  - It never changes the host. It does not restart, update or write anything.
options:
  sophos_dir:
    description:
      - Install directory of Sophos Protection for Linux (SPL supports a custom one).
      - Must be an absolute path. Linux only.
    type: path
    default: /opt/sophos-spl
  sophos_registry_roots:
    description:
      - Registry keys under C(HKLM) read as Sophos roots, in order. Restart flags count from every root;
        update data comes from the root with the newest C(LastUpdateTime) (else the one holding the most
        Sophos data), reported in RV(ansible_facts.sophos_reboot.sophos.registry_view). Windows only.
      - Change it only to test the module against a copy of the Sophos keys.
    type: list
    elements: str
    default: ['SOFTWARE\WOW6432Node\Sophos', 'SOFTWARE\Sophos']
  alert_days:
    description:
      - A restart pending longer than this many days sets RV(ansible_facts.sophos_reboot.alert), as the
        Sophos Central alert does after two weeks. Must be greater than 0.
    type: int
    default: 14
  pending_file_rename:
    description:
      - How Windows C(PendingFileRenameOperations) counts. Anti-virus products, Sophos included, write it
        routinely, so by default it is reported as a V(weak) reason that does not set
        RV(ansible_facts.sophos_reboot.reboot_required) on its own.
      - V(strong) makes it count like any other reason; V(ignore) drops it.
    type: str
    choices: [weak, strong, ignore]
    default: weak
  ignore_reasons:
    description:
      - Reason ids that do not count. They are left out of RV(ansible_facts.sophos_reboot.reasons) and
        listed in RV(ansible_facts.sophos_reboot.ignored_reasons).
      - The Sophos sub-facts (for example RV(ansible_facts.sophos_reboot.sophos.reboot_required)) still
        show what Sophos says.
    type: list
    elements: str
    default: []
    choices: [cbs_packages_pending, cbs_reboot_in_progress, cbs_reboot_pending, computer_rename, core_packages_updated,
              dnf5_needs_restarting, domain_join, kernel_updated, needrestart_kernel, needrestart_microcode,
              needs_restarting, pending_file_rename, reboot_required_file, sccm_reboot_pending, server_manager,
              sophos_installed_since_boot, sophos_pending_renames, sophos_reboot_required, update_exe_volatile,
              windows_update, windows_update_post_reboot_reporting, windows_update_services_pending,
              zypper_needs_rebooting]
  needrestart:
    description:
      - Also run C(needrestart -b) when it is installed (Linux). It is slower than the other checks.
    type: bool
    default: false
  previous_facts:
    description:
      - The host's earlier C(sophos_reboot) facts. The action plugin fills it in from the host's facts
        (an earlier task or the fact cache), so that RV(ansible_facts.sophos_reboot.pending_since) is kept
        from the first sighting and a Sophos flag set again after a restart counts as a queued update.
      - Set it only to replay a recorded state.
    type: dict
notes:
  - Facts from the Sophos registry values on Windows rest partly on field observation, not vendor
    documentation; whatever cannot be read or understood is listed in
    RV(ansible_facts.sophos_reboot.read_errors) instead of failing the task.
  - Sophos updates about 5 minutes after a boot and may then need another restart (a queued update).
    Right after a restart, RV(ansible_facts.sophos_reboot.sophos.updated_since_boot) tells whether Sophos
    has finished an update since; use the P(fleetops.sophos.reboot_cycle#role) role rather than a single
    restart when RV(ansible_facts.sophos_reboot.sophos.queued_update.suspected) is true.
  - RV(ansible_facts.sophos_reboot.pending_since) comes from the source where it has a time (file mtime,
    an update report), else from the first run that saw the restart pending. Enable a fact cache to keep
    it between playbook runs.
  - Linux needs Python 3.8 or newer on the host. Reading SPL status files needs root (C(become)); without it
    RV(ansible_facts.sophos_reboot.reboot_required) is V(null) (unknown) and RV(ansible_facts.sophos_reboot.read_errors)
    names the directories that could not be entered, with a hint. Unknown is never reported as "nothing pending".
  - A server on which Sophos was installed after its last boot is not fully protected until it restarts (Sophos'
    advice); that is the strong reason V(sophos_installed_since_boot). On Windows the Uninstall entries' C(InstallDate)
    is a local date without a time, so on the day of the last boot the answer is unknown, said in
    RV(ansible_facts.sophos_reboot.sophos.installed_since_boot_note), and no reason is made up.
  - Windows hosts read as the connecting account (an administrator) and need no C(become); C(sudo) fails
    there, so on a mixed inventory escalate the Linux group only (C(ansible_become=true) in its group
    variables, or C(-b) with a Linux host pattern). The fleetops.sophos playbooks do this by default.
seealso:
  - module: ansible.builtin.reboot
  - module: ansible.windows.win_reboot
  - module: fleetops.sophos.win_reboot_probe
  - name: Sophos Central - server restarts
    description: Why a Sophos update may need a restart, and why a second one may follow.
    link: https://docs.sophos.com/central/customer/help/en-us/PeopleAndDevices/Devices/Servers/ServersRestart/index.html
extends_documentation_fragment: []
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode runs it unchanged.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  facts:
    support: full
    description: Returns C(ansible_facts.sophos_reboot).
  platform:
    support: full
    platforms: [posix, windows]
    description: Linux through this module; Windows through the action plugin and M(fleetops.sophos.win_reboot_probe).
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
# Ad hoc. Linux needs root to read the Sophos status files; Windows must not get sudo (the Windows
# exec wrapper refuses it), so escalate per group rather than with -b on a mixed inventory:
#   ansible linux -b -m fleetops.sophos.reboot_facts
#   ansible windows -m fleetops.sophos.reboot_facts -a 'alert_days=7 pending_file_rename=ignore'
# or set ansible_become=true in the inventory's [linux:vars] and read everything at once:
#   ansible all -m fleetops.sophos.reboot_facts

- name: Read the restart state
  fleetops.sophos.reboot_facts:

- name: Read it with a custom SPL directory, counting pending file renames as a real reason
  fleetops.sophos.reboot_facts:
    sophos_dir: /srv/sophos-spl
    pending_file_rename: strong
    ignore_reasons: [computer_rename]

- name: Restart only the hosts that need it
  ansible.builtin.reboot:
  when: ansible_facts.sophos_reboot.reboot_required is true

- name: Say so where the restart state could not be read (null is unknown, not "no")
  ansible.builtin.debug:
    msg: "cannot read the restart state: {{ ansible_facts.sophos_reboot.read_errors | map(attribute='error') | join('; ') }}"
  when: ansible_facts.sophos_reboot.reboot_required is none

- name: Hosts whose restart has been pending longer than alert_days (selectattr on the facts)
  ansible.builtin.debug:
    msg: >-
      {{ ansible_play_hosts | map('extract', hostvars)
         | selectattr('ansible_facts.sophos_reboot.alert')
         | map(attribute='inventory_hostname') | list }}
  run_once: true

- name: Reason ids per host (community.general.json_query, needs jmespath)
  ansible.builtin.debug:
    msg: "{{ ansible_facts.sophos_reboot | community.general.json_query('reasons[?strong].id') }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: dict
  contains:
    sophos_reboot:
      description: Sophos and OS restart state of the host.
      returned: always
      type: dict
      contains:
        schema:
          description: Version of this fact layout; changes only on incompatible changes.
          returned: always
          type: int
          sample: 2
        reboot_required:
          description:
            - V(true) when a strong, not ignored reason asks for a restart.
            - V(null) (unknown) when no strong reason is known but a source that could hold one exists and
              could not be read or understood (permission denied, I/O error, a directory that cannot be
              entered, a corrupt status file, a check that did not answer); those sources are in
              RV(ansible_facts.sophos_reboot.unknown_sources) and RV(ansible_facts.sophos_reboot.read_errors).
            - V(false) only when everything that exists was read and nothing strong asks for a restart.
              Unknown is never "no" - test it with C(is true), C(is false) and C(is none), not for truth alone.
          returned: always
          type: bool
          sample: true
        unknown_sources:
          description:
            - The sources (as named in RV(ansible_facts.sophos_reboot.read_errors)) that make
              RV(ansible_facts.sophos_reboot.reboot_required) V(null); empty otherwise.
          returned: always
          type: list
          elements: str
          sample: ["spl:/opt/sophos-spl"]
        reasons:
          description: Every not ignored reason, strong or weak.
          returned: always
          type: list
          elements: dict
          contains:
            id:
              description:
                - Stable reason id. Sophos ones are V(sophos_reboot_required), V(sophos_pending_renames),
                  V(sophos_installed_since_boot) (Sophos was installed after the last boot; Sophos advises a restart
                  as soon as possible after the first install, so that every process runs protected).
                - Windows ones are V(cbs_reboot_pending), V(cbs_reboot_in_progress), V(cbs_packages_pending) (weak),
                  V(windows_update), V(windows_update_post_reboot_reporting) (weak),
                  V(windows_update_services_pending) (weak), V(pending_file_rename) (weak by default),
                  V(computer_rename), V(domain_join), V(server_manager), V(update_exe_volatile),
                  V(sccm_reboot_pending). Their sources are listed in the collection's docs/architecture.md.
                - Linux ones are V(reboot_required_file), V(needs_restarting), V(dnf5_needs_restarting),
                  V(core_packages_updated), V(kernel_updated), V(zypper_needs_rebooting),
                  V(needrestart_kernel), V(needrestart_microcode).
              type: str
              returned: always
              sample: sophos_reboot_required
            source:
              description: Who asks for the restart.
              type: str
              returned: always
              choices: [sophos, os]
            strong:
              description: Whether the reason counts for RV(ansible_facts.sophos_reboot.reboot_required).
              type: bool
              returned: always
            detail:
              description: What was read, for people.
              type: str
              returned: always
              sample: VolatileFlags\RebootRequired = 1 (WOW6432Node view)
        ignored_reasons:
          description: Ids of reasons found but ignored by O(ignore_reasons) or O(pending_file_rename=ignore).
          returned: always
          type: list
          elements: str
        sophos:
          description: What Sophos says.
          returned: always
          type: dict
          contains:
            installed:
              description: Sophos is installed. A missing Sophos is not an error.
              type: bool
              returned: always
            product:
              description: Which product; V(null) when not installed.
              type: str
              returned: always
              choices: [windows_endpoint, spl, sav]
            version:
              description: Product version, V(null) when unknown.
              type: str
              returned: always
              sample: 2024.3.1.2
            registry_view:
              description:
                - Windows registry view the Sophos update data was read from (the one with the newest
                  C(LastUpdateTime)); V(null) elsewhere.
                - Restart flags count from either view.
              type: str
              returned: always
              choices: [WOW6432Node, native]
            components:
              description: Sophos components with installed and downloaded versions, where Sophos lists them.
              type: list
              elements: dict
              returned: always
              sample: [{name: ServerProtectionLinux-Base, installed_version: 1.2.3, downloaded_version: 1.2.4}]
            installed_at:
              description:
                - When Sophos was first installed, ISO-8601 UTC; V(null) when unknown or known as a date only
                  (Windows C(InstallDate)).
                - Linux (SPL) - the modification time of C(base/etc/machine_id.txt), which SPL's installer
                  writes once and no update rewrites.
              type: str
              returned: always
              sample: "2026-12-01T07:30:00Z"
            installed_at_source:
              description: Where the install time came from, for people; V(null) when none was read.
              type: str
              returned: always
              sample: "spl:base/etc/machine_id.txt (mtime)"
            installed_since_boot:
              description:
                - Sophos was installed after the last boot (the reason V(sophos_installed_since_boot)).
                - V(null) when it cannot be told, with the why in
                  RV(ansible_facts.sophos_reboot.sophos.installed_since_boot_note) - for example a Windows
                  C(InstallDate) on the day of the last boot, which is a date without a time.
              type: bool
              returned: always
            installed_since_boot_note:
              description: Why RV(ansible_facts.sophos_reboot.sophos.installed_since_boot) is V(null); V(null) otherwise.
              type: str
              returned: always
            reboot_required:
              description:
                - Sophos wants a restart (its own flag, its update report, or a first install since the last boot).
                - V(null) when a Sophos source that could say so exists and could not be read.
              type: bool
              returned: always
            reboot_urgent:
              description: Sophos' own escalation (about two weeks pending), the Sophos Central alert.
              type: bool
              returned: always
            updating:
              description: A Sophos update is running now; V(null) when its marker files cannot be looked at.
              type: bool
              returned: always
            last_update:
              description: When the last successful update finished, ISO-8601 UTC, or V(null).
              type: str
              returned: always
              sample: "2026-11-20T03:12:00Z"
            last_update_ok:
              description: The last update attempt succeeded; V(null) when unknown.
              type: bool
              returned: always
            updated_since_boot:
              description: An update finished after the last boot; V(null) when unknown.
              type: bool
              returned: always
            queued_update:
              description: Whether a Sophos update is suspected to wait for a restart, and why.
              type: dict
              returned: always
              contains:
                suspected:
                  description: At least one piece of evidence.
                  type: bool
                  returned: always
                evidence:
                  description:
                    - Sophos flag set again after a restart, downloaded version not installed, an update
                      running while a restart is pending, or 30 days of uptime or more with a restart pending.
                  type: list
                  elements: str
                  returned: always
            health:
              description: Sophos health.
              type: dict
              returned: always
              contains:
                overall:
                  description:
                    - Sophos' own health value, made V(bad) by a stopped Sophos service that starts with Windows.
                    - A service that is starting (C(StartPending)), or stopped less than 10 minutes after boot (15
                      for a delayed start), counts as V(starting), not as V(bad).
                    - Sophos' own V(bad) less than 15 minutes after boot, with no such service stopped, is V(unknown),
                      because Sophos Health lags the services after boot. The rule is C(health_verdict) in docs/architecture.md.
                  type: str
                  returned: always
                  choices: [good, suspicious, bad, unknown]
                detail:
                  description: Sophos' health items (C(health), C(service), C(threat), C(threatService), C(admin)).
                  type: dict
                  returned: always
                  sample: {health: good, service: good, threat: good}
                services:
                  description: Sophos services by name, V(running), V(stopped), V(starting) or V(unknown).
                  type: dict
                  returned: always
                  sample: {"Sophos MCS Agent": running}
                start_modes:
                  description:
                    - Windows only. Start mode of each service C(Get-Service) listed, V(automatic), V(delayed),
                      V(manual), V(disabled) or V(null) (not read). A stopped V(manual) or V(disabled) service is no fault.
                  type: dict
                  returned: when the host is Windows and Sophos is installed
                  sample: {"Sophos AutoUpdate Service": manual}
        os:
          description: What the operating system says.
          returned: always
          type: dict
          contains:
            family:
              description: V(linux) or V(windows).
              type: str
              returned: always
            reboot_required:
              description: A strong, not ignored OS reason; V(null) when an OS source that could hold one was not read.
              type: bool
              returned: always
            last_boot:
              description: Last boot, ISO-8601 UTC (Linux; start of PID 1, right in containers too).
              type: str
              returned: always
              sample: "2026-07-01T02:00:00Z"
            boot_id:
              description: Linux boot id; V(null) on Windows.
              type: str
              returned: always
            uptime_days:
              description: Days since the last boot.
              type: float
              returned: always
              sample: 149.2
        pending_since:
          description: Since when a restart has been pending, ISO-8601 UTC; V(null) when none is required.
          returned: always
          type: str
        pending_since_source:
          description:
            - V(source) when a source gave the time (file mtime, update report; on Windows the Sophos value
              C(VolatileFlags\RebootRequiredSince), named in the reason's C(detail)), V(first_seen) when it is
              the first run that saw the restart pending; V(null) when none is required.
          returned: always
          type: str
        pending_days:
          description: Days since RV(ansible_facts.sophos_reboot.pending_since).
          returned: always
          type: float
        alert:
          description: Pending longer than O(alert_days), or Sophos says the restart is urgent.
          returned: always
          type: bool
        read_errors:
          description:
            - Sources that exist but could not be read or understood, each naming the path and the cause.
            - Under a directory that cannot be entered nothing is taken as absent; the directory is one entry.
          returned: always
          type: list
          elements: dict
          contains:
            source:
              description: What could not be read (C(spl:), C(os:), C(registry:HKLM\...) and the path).
              type: str
              returned: always
            error:
              description: Why.
              type: str
              returned: always
            hint:
              description: What would let it be read (root with C(become), an administrator), when that is the cause.
              type: str
              returned: when permission was refused
          sample:
            - source: spl:/opt/sophos-spl
              error: "cannot enter /opt/sophos-spl: permission denied; unknown, not absent: ALC_status.xml, update reports, machine_id.txt"
              hint: "readable by root only: run the module with become (become: true, or -b ad hoc)"
        checked_at:
          description: Host clock when the readings were taken, ISO-8601 UTC.
          returned: always
          type: str
"""

import errno
import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import (
    ARGUMENT_SPEC, CORE_PACKAGES, FILES_SPL, INSTALL_MARKER_SPL, MARKERS_SPL, REPORTS_DIR_SPL, SERVICE_SPL, assess,
    check_options, epoch_to_iso,
)
from ansible_collections.fleetops.sophos.plugins.module_utils._spl import REPORT_STAMP

SAV_DIR = "/opt/sophos-av"
MAX_BYTES = 1024 * 1024
MAX_REPORTS = 10


ABSENT = (errno.ENOENT, errno.ENOTDIR)
DENIED = (errno.EACCES, errno.EPERM)


def _failed(what, exc):
    """The reading of something that exists (or may exist) but could not be read."""
    entry = {"error": "%s: %s" % (what, exc)}
    if getattr(exc, "errno", None) in DENIED:
        entry["denied"] = True
    return entry


def _blocker(path, root, blocked):
    """The first directory from ROOT down to PATH's parent that cannot be entered (recorded in BLOCKED)."""
    directory = root
    rel = os.path.relpath(os.path.dirname(path), root)
    for part in [] if rel == "." else rel.split(os.sep):
        if directory in blocked or not os.access(directory, os.X_OK):
            break
        directory = os.path.join(directory, part)
    if directory in blocked:
        return directory
    if os.path.isdir(directory) and not os.access(directory, os.X_OK):
        blocked[directory] = {"error": "cannot enter %s: permission denied" % directory, "denied": True}
        return directory
    return None


def _lstat(path, root=None, blocked=None):
    """(stat, None) for what exists, (None, None) when absent, (None, reading) when it cannot be told."""
    try:
        return os.lstat(path), None
    except OSError as exc:
        if exc.errno in ABSENT:
            return None, None
        directory = _blocker(path, root, blocked) if root and exc.errno in DENIED else None
        return None, {"blocked": directory} if directory else _failed("cannot look at %s" % path, exc)


def _read(path, root=None, blocked=None):
    """{text} for a readable file, {error} for one that exists but cannot be read, None when absent,
    {blocked: dir} when a directory on the way under ROOT cannot be entered."""
    found, problem = _lstat(path, root, blocked)
    if found is None:
        return problem
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except (IOError, OSError) as exc:
        if getattr(exc, "errno", None) in ABSENT:
            return None
        return _failed("cannot read", exc)
    if len(data) > MAX_BYTES:
        return {"error": "larger than %d bytes" % MAX_BYTES}
    return {"text": data.decode("utf-8", "replace")}


def _read_spl(sophos_dir, command, which):
    """The SPL readings (see _assess); nothing under an unreadable directory is taken as absent."""
    blocked = {}
    spl = {"dir": sophos_dir, "files": {}, "reports": {}, "reports_dir": None, "markers": {}, "services": {},
           "install_marker": None, "blocked": blocked, "errors": []}
    # SPL's own directories are 0711 or closed to others (0700, 0770): entering, not listing, is what counts.
    if not os.access(sophos_dir, os.X_OK):
        blocked[sophos_dir] = {"error": "cannot enter %s: permission denied" % sophos_dir, "denied": True}
    for rel in FILES_SPL:
        entry = _read(os.path.join(sophos_dir, rel), sophos_dir, blocked)
        if entry is not None:
            spl["files"][rel] = entry
    reports_dir = os.path.join(sophos_dir, REPORTS_DIR_SPL)
    names = []
    found, problem = _lstat(reports_dir, sophos_dir, blocked)
    if problem:
        spl["reports_dir"] = problem
    elif found is not None:
        try:
            names = [n for n in os.listdir(reports_dir) if n.startswith("update_report") and n.endswith(".json")]
        except OSError as exc:
            if exc.errno not in ABSENT:
                spl["reports_dir"] = _failed("cannot list %s" % reports_dir, exc)
    # Sophos keeps many reports; the newest few carry everything assessed.
    # Sophos prunes reports while it updates: one may vanish between listing and reading.
    for name in sorted(names, key=lambda n: _mtime(os.path.join(reports_dir, n)))[-MAX_REPORTS:]:
        entry = _read(os.path.join(reports_dir, name))
        if entry is not None:
            spl["reports"][name] = entry
    for rel in MARKERS_SPL:
        found, problem = _lstat(os.path.join(sophos_dir, rel), sophos_dir, blocked)
        spl["markers"][rel] = None if problem else found is not None
    found, problem = _lstat(os.path.join(sophos_dir, INSTALL_MARKER_SPL), sophos_dir, blocked)
    spl["install_marker"] = problem or ({"mtime": epoch_to_iso(found.st_mtime)} if found is not None else None)
    systemctl = which("systemctl")
    if systemctl:
        shown = command([systemctl, "show", "--property=LoadState,ActiveState,SubState", SERVICE_SPL])
        if "error" in shown:
            spl["errors"].append({"source": "spl:systemctl show", "error": shown["error"]})
        else:
            spl["services"][SERVICE_SPL] = dict(line.split("=", 1) for line in shown["stdout"].splitlines()
                                                if "=" in line)
    return spl


def _mtime(path):
    """Modification time, or -1 for a file that disappeared."""
    try:
        return os.path.getmtime(path)
    except OSError:
        return -1


def _last_boot(proc):
    """Boot time from PID 1's start (field 22, clock ticks after btime): right in containers as well."""
    with open(os.path.join(proc, "stat")) as handle:
        btime = [int(line.split()[1]) for line in handle if line.startswith("btime ")][0]
    with open(os.path.join(proc, "1", "stat")) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    return btime + int(fields[19]) / float(os.sysconf("SC_CLK_TCK"))


def _local_times(texts):
    converted = {}
    for text in texts:
        for stamp in REPORT_STAMP.findall(text or ""):
            try:
                converted[stamp] = epoch_to_iso(time.mktime(time.strptime(stamp, "%Y%m%d %H%M%S")))
            except (ValueError, OverflowError):
                continue
    return converted


def read_host(options, run, which, proc="/proc", run_dirs=("/run", "/var/run")):
    """Read every source on this host into the raw readings of ``_assess`` (see its docstring).

    ``run(argv)`` returns ``(rc, stdout, stderr)``; ``which(name)`` returns a path or None. Only reads."""
    raw = {"family": "linux", "now": epoch_to_iso(time.time()), "errors": []}

    def command(argv):
        try:
            rc, out, err = run(argv)
        except Exception as exc:  # pylint: disable=broad-except  # one broken tool must not hide the others
            return {"error": "%s: %s" % (" ".join(argv), exc)}
        return {"rc": rc, "stdout": out, "stderr": err}

    try:
        raw["last_boot"] = epoch_to_iso(_last_boot(proc))
    except (IOError, OSError, IndexError, ValueError) as exc:
        raw["last_boot"] = None
        raw["errors"].append({"source": "os:last_boot", "error": "cannot read %s/1/stat or btime: %s" % (proc, exc)})
    boot_id = _read(os.path.join(proc, "sys/kernel/random/boot_id"))
    raw["boot_id"] = boot_id["text"].strip() if boot_id and "text" in boot_id else None

    sophos_dir = options["sophos_dir"]
    raw["spl"] = None
    if os.path.isdir(sophos_dir):
        spl = _read_spl(sophos_dir, command, which)
        raw["errors"].extend(spl.pop("errors"))
        raw["spl"] = spl
        raw["local_times"] = _local_times(list(spl["reports"]) + [e.get("text") for e in spl["reports"].values()])

    raw["sav"] = None
    if os.path.isdir(SAV_DIR):
        sav = {"dir": SAV_DIR, "last_update": _read(os.path.join(SAV_DIR, "etc/update.last_update"))}
        savdstatus = os.path.join(SAV_DIR, "bin/savdstatus")
        if os.access(savdstatus, os.X_OK):
            sav["version"] = command([savdstatus, "--version"])
            sav["status"] = command([savdstatus, "-v"])
        raw["sav"] = sav

    osr = {"kernel_release": os.uname()[2]}
    for run_dir in run_dirs:
        flag = os.path.join(run_dir, "reboot-required")
        found, problem = _lstat(flag)
        if problem:
            osr["reboot_required_file"] = problem
            break
        if found is not None:
            pkgs = _read(flag + ".pkgs")
            osr["reboot_required_file"] = {"mtime": epoch_to_iso(found.st_mtime),
                                           "pkgs": pkgs.get("text") if pkgs else None}
            break
    needs_restarting = which("needs-restarting")
    dnf5 = which("dnf5")
    zypper = which("zypper")
    if needs_restarting:
        osr["needs_restarting"] = command([needs_restarting, "-r"])
    elif dnf5:
        osr["dnf5_needs_restarting"] = command([dnf5, "needs-restarting"])
    if zypper:
        osr["zypper_needs_rebooting"] = command([zypper, "--non-interactive", "needs-rebooting"])
    rpm = which("rpm")
    if rpm and not (needs_restarting or dnf5 or zypper):
        osr["rpm_core"] = command([rpm, "-q", "--qf", "%{NAME} %{VERSION}-%{RELEASE}.%{ARCH} %{INSTALLTIME}\\n"]
                                  + list(CORE_PACKAGES))
    if options.get("needrestart"):
        needrestart = which("needrestart")
        if needrestart:
            osr["needrestart"] = command([needrestart, "-b"])
    raw["os"] = osr
    return raw


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    problems = check_options(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))

    def run(argv):
        return module.run_command(argv, environ_update={"LC_ALL": "C", "LANG": "C"})

    def which(name):
        return module.get_bin_path(name, opt_dirs=["/usr/sbin", "/sbin"])

    raw = read_host(module.params, run, which)
    facts = assess(raw, module.params, previous=module.params.get("previous_facts"))
    module.exit_json(changed=False, ansible_facts={"sophos_reboot": facts})


if __name__ == "__main__":
    main()
