#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation of the action plugin plugins/action/patch.py; this file holds no code.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: patch
short_description: Patch one host with its family's package manager, without restarting it; one record for every family
version_added: 0.3.0
description:
  - Runs on the controller (an action plugin). Decides the host's family once - Windows from the connection (as
    every action of the collection does), else the C(os_family) fact (gathered with C(gather_subset=min) when the
    play has none) - and runs that family's own module on the host - Debian and Ubuntu with
    M(ansible.builtin.apt), the RHEL family with M(ansible.builtin.dnf), SUSE with M(community.general.zypper),
    Windows with M(ansible.windows.win_updates).
  - One task for every family, so a mixed batch patches in the time of its slowest host, not in the sum of its
    families.
  - "On apt, apt simulates the upgrade (C(apt-get -s dist-upgrade)) and the step picks the packages from its plan
    (security-only: an origin that names a security archive; O(exclude)), so check mode and the record list exactly
    what apt installs. The package lists are refreshed even in check mode; that changes no package."
  - On dnf and zypper the step first waits for the rpm database's transaction lock (C(/var/lib/rpm/.rpm.lock)) at most
    O(lock_timeout) seconds (M(fleetops.sophos.rpm_lock_wait)); dnf and zypper would wait for it without a bound, and
    M(ansible.builtin.dnf) ignores its own C(lock_timeout). A lock still held fails the host with a message naming the
    lock and its holder; nothing is changed.
  - A zypper run that exits 106 (a repository could not be read and was skipped) but updated from the others is
    done, with a warning naming the skipped repository.
  - Never restarts a Linux host; on Windows M(ansible.windows.win_updates) restarts only when O(win_reboot) asks.
  - After a change (or a restart Windows Update made), and when the play has no reading yet, the restart state is
    read with M(fleetops.sophos.reboot_facts) (O(ignore_reasons)) and returned as C(ansible_facts.sophos_reboot).
  - Options accept what AWX surveys send (flags as C(true)/C(false) strings, numbers as numeric strings, lists as
    one string with an entry per line or entries between commas) and are checked before anything runs, with
    messages that name the C(patch_*) role variable of the option.
  - The P(fleetops.sophos.patch#role) role is the usual way to run it; it sets the C(sophos_patch) host fact.
options:
  enabled:
    description: Patch this host; when false the record is C(skipped). Same as the role's C(patch_enabled).
    type: raw
    default: true
  security_only:
    description:
      - Security updates only (apt - an origin naming a security archive; dnf - advisories of type security; zypper -
        patches of category security; Windows - C(SecurityUpdates) and C(CriticalUpdates) unless O(win_categories)).
    type: raw
    default: false
  exclude:
    description:
      - Packages never updated, as names or glob patterns. On Windows titles or KB numbers added to
        O(win_reject_list). On SUSE C(zypper list-updates) is read first and the packages not excluded are
        upgraded by name (C(community.general.zypper) has no exclusion); with O(security_only) it is refused
        there (a security patch cannot leave one of its packages out).
    type: raw
    default: []
  ignore_reasons:
    description: Reason ids M(fleetops.sophos.reboot_facts) drops when the step reads the restart state.
    type: list
    elements: str
    default: []
  apt_cache_valid_time:
    description: Seconds the apt package lists stay valid before they are refreshed; C(0) refreshes on every run.
    type: raw
    default: 0
  lock_timeout:
    description:
      - Seconds to wait for the package manager's lock before the host fails - the rpm transaction lock (dnf,
        zypper), or apt's own locks (M(ansible.builtin.apt)'s C(lock_timeout)).
    type: raw
    default: 120
  win_categories:
    description: Windows Update categories; empty means all, or security and critical ones with O(security_only).
    type: raw
    default: []
  win_accept_list:
    description: Only these Windows updates (titles or KB numbers, regular expressions).
    type: raw
    default: []
  win_reject_list:
    description: Never these Windows updates (titles or KB numbers, regular expressions).
    type: raw
    default: []
  win_reboot:
    description: Let M(ansible.windows.win_updates) restart the host when an update needs it to go on.
    type: raw
    default: false
  win_reboot_timeout:
    description: Seconds M(ansible.windows.win_updates) waits for a restart it made.
    type: raw
    default: 1200
  wait_until:
    description:
      - An ISO 8601 date-time with a timezone (the maintenance window's start, when the C(fleetops.sophos.maintenance)
        playbook's C(maintenance_patch_before_window) is false) - the step waits on the controller until then before
        it patches; a moment that has come does not wait. Check mode says it would wait, and does not. Empty - no wait.
    type: str
    default: ""
notes:
  - The package managers' modules run through this task's connection and C(become); C(module_defaults) set for
    them do not reach them.
  - Async is refused.
  - Check mode installs nothing and lists in C(would_install) what a run would install.
seealso:
  - module: ansible.builtin.apt
  - module: ansible.builtin.dnf
  - module: community.general.zypper
  - module: ansible.windows.win_updates
  - module: fleetops.sophos.reboot_facts
  - module: fleetops.sophos.rpm_lock_wait
attributes:
  action:
    support: full
    description: Runs on the controller and runs the family's module on the host.
  async:
    support: none
    description: Refused.
  check_mode:
    support: full
    description: Installs nothing; lists what would be installed.
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: [posix, windows]
    description: Debian/Ubuntu, the RHEL family and SUSE over SSH; Windows over WinRM or SSH (PowerShell).
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Patch every host of the batch, security updates only
  fleetops.sophos.patch:
    security_only: true
    exclude: [linux-image-*]
  register: patched

- name: Keep the record
  ansible.builtin.set_fact:
    sophos_patch: "{{ patched.sophos_patch }}"
"""

RETURN = r"""
sophos_patch:
  description: The host's patch record, the same shape for every family (schema in C(docs/architecture.md)).
  returned: unless the options are invalid
  type: dict
  contains:
    status:
      description: C(patched), C(unchanged) (nothing to install, or check mode), C(skipped) (O(enabled) false) or C(failed).
      type: str
    changes:
      description: What was installed, one line each - C(name old -> new) for an upgrade, C(name version) for a
        package new to the host (an install-only kernel), the title with its KBs on Windows.
      type: list
      elements: str
    would_install:
      description: Check mode - what a run would install, as in RV(sophos_patch.changes).
      type: list
      elements: str
    removed:
      description: Packages the manager removed (not the old versions an upgrade replaced); never counted as installed.
      type: list
      elements: str
    reboot_required:
      description: The host wants a restart after patching (the restart reading, or Windows Update said so).
      type: bool
    rebooted:
      description: Windows Update restarted the host itself (O(win_reboot)).
      type: bool
    manager:
      description: V(apt), V(dnf), V(zypper), V(win_updates), or V(null) when the host failed before one was chosen.
      type: str
    check_mode:
      description: The task ran in check mode.
      type: bool
    message:
      description: What happened in words (for C(failed) the step and the manager's own message).
      type: str
    warnings:
      description: What went through with a warning (a repository zypper skipped).
      type: list
      elements: str
ansible_facts:
  description: The restart reading after a change, as C(ansible_facts.sophos_reboot) (see M(fleetops.sophos.reboot_facts)).
  returned: when the step read the host
  type: dict
"""
