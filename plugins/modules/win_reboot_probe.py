#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation of the PowerShell module win_reboot_probe.ps1; this file holds no code.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: win_reboot_probe
short_description: Internal Windows probe of fleetops.sophos.reboot_facts (raw readings only)
version_added: 0.1.0
description:
  - The Windows half of M(fleetops.sophos.reboot_facts). Use that module; its action plugin runs this
    probe once per Windows host and turns the readings into C(ansible_facts.sophos_reboot) on the controller.
  - Reads, and interprets nothing, in Windows PowerShell 5.1 - every value and subkey name of the Sophos
    AutoUpdate, UpdateStatus, VolatileFlags, Details (with one level of component GUID subkeys) and
    Health\Status keys under each of O(sophos_registry_roots); the Windows pending-restart keys
    (Component Based Servicing and its RebootPending, Windows Update Auto Update RebootRequired and
    PostRebootReporting, Services\Pending, Session Manager pending file renames, computer name,
    Netlogon, Server Manager and its ServerComponentCache, Updates and UpdateExeVolatile in both views)
    and the Sophos Endpoint Defense service key; the Sophos services; the programs of both Uninstall
    keys whose display name starts with C(Sophos); the SCCM client's C(DetermineIfRebootPending); the
    last boot time.
  - Registry keys are read through the 64-bit view, so C(SOFTWARE\WOW6432Node\...) is the 32-bit view
    whatever the bitness of the PowerShell process. Values are read unexpanded (REG_EXPAND_SZ as written).
  - A read that fails is returned as an error entry, not as a failed task; each registry value, each
    service property and each CIM call is read on its own, so one failure loses only that reading.
    CIM calls time out after 30 seconds. Reads that fail outside the registry are also task warnings.
options:
  sophos_registry_roots:
    description:
      - Keys under C(HKLM) read as Sophos roots.
    type: list
    elements: str
    default: ['SOFTWARE\WOW6432Node\Sophos', 'SOFTWARE\Sophos']
notes:
  - Returns raw values with their registry type, so that DWORD and string flags both reach the controller.
seealso:
  - module: fleetops.sophos.reboot_facts
attributes:
  check_mode:
    support: full
    description: Only reads.
  diff_mode:
    support: none
    description: Nothing is changed.
  platform:
    support: full
    platforms: windows
    description: Windows PowerShell 5.1 or newer, over WinRM or SSH.
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Raw readings of a copy of the Sophos keys (testing only; use fleetops.sophos.reboot_facts)
  fleetops.sophos.win_reboot_probe:
    sophos_registry_roots:
      - SOFTWARE\FleetopsTest\Sophos
  register: probe
"""

RETURN = r"""
now:
  description: Host clock when read, ISO-8601 UTC.
  returned: always
  type: str
  sample: "2026-11-20T03:12:00Z"
last_boot:
  description: Win32_OperatingSystem LastBootUpTime, ISO-8601 UTC; null when it could not be read.
  returned: always
  type: str
  sample: "2026-07-01T02:00:00Z"
sophos:
  description:
    - One entry per registry root, in the order of O(sophos_registry_roots).
    - Each C(keys) entry maps a subkey (C(AutoUpdate), C(AutoUpdate\UpdateStatus),
      C(AutoUpdate\UpdateStatus\VolatileFlags), C(AutoUpdate\UpdateStatus\Details), C(Health\Status)) to a
      key reading.
    - 'A key reading is C({exists: false}) for a missing key, C({exists: null, error}) for a key that could
      not be opened or listed, else C({exists: true, values, subkeys}) (plus C(children), key readings by
      subkey name, where the probe reads deeper).'
    - C(values) maps each value name to C({type, value}), where C(type) is the RegistryValueKind (C(DWord),
      C(QWord), C(String), C(ExpandString), C(MultiString), C(Binary), ...), or to C({error}) when that
      one value could not be read. DWORD and QWORD values come as signed .NET integers.
  returned: always
  type: list
  elements: dict
  sample:
    - root: SOFTWARE\WOW6432Node\Sophos
      keys:
        AutoUpdate\UpdateStatus\VolatileFlags:
          exists: true
          values: {RebootRequired: {type: DWord, value: 1}}
          subkeys: []
os_keys:
  description: Key readings of the Windows pending-restart keys, by path under HKLM.
  returned: always
  type: dict
  sample:
    SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending: {exists: false}
    SYSTEM\CurrentControlSet\Services\Netlogon: {exists: true, values: {}, subkeys: [JoinDomain, Parameters]}
service_installs:
  description:
    - When Sophos' services were created, from the System log's event 7045 of the Service Control Manager ("A
      service was installed in the system"), as C({oldest, events, complete}), or C({error}) when the log
      could not be read.
    - C(oldest) is the time of the log's oldest record (ISO 8601 UTC); the log wraps, so nothing older is known.
    - C(events) lists C({time, service}) for the services named C(Sophos*), C(HitmanPro*), C(SntpService),
      C(hmpalertsvc), C(SAVService) or C(SAVAdminService), newest first.
    - C(complete) is false when the newest 2000 events 7045 were read and older ones may exist.
  returned: always
  type: dict
  sample:
    oldest: '2026-10-02T07:12:40Z'
    events: [{time: '2026-12-01T09:14:02Z', service: Sophos MCS Agent}]
    complete: true
uninstall:
  description:
    - 'The two Uninstall keys (C(SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall) and
      C(SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall)), by path, each
      C({exists: true, children}), C({exists: false}) or C({exists: null, error}).'
    - C(children) maps the subkey name of each entry whose C(DisplayName) starts with C(Sophos) to its key
      reading with the values C(DisplayName), C(DisplayVersion), C(Publisher) and C(InstallDate) only; an
      entry that could not be read, or whose C(DisplayName) could not be read, is kept with its error.
  returned: always
  type: dict
  sample:
    SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall:
      exists: true
      children:
        "{4B8B7B7E-0000-4B3A-9C2E-7C1D2E3F4A5B}":
          exists: true
          subkeys: []
          values:
            DisplayName: {type: String, value: Sophos Endpoint Agent}
            DisplayVersion: {type: String, value: 2024.3.1.2}
            Publisher: {type: String, value: Sophos Limited}
            InstallDate: {type: String, value: "20261130"}
services:
  description:
    - Services whose name or display name starts with C(Sophos), plus SntpService, hmpalertsvc,
      SAVService and SAVAdminService; null when the service list could not be read.
    - Each property is read on its own; one that could not be read is null (or empty) and its message is
      in C(errors) by property name (C(DisplayName), C(Status), C(StartType)). C(StartType) does not exist
      on older .NET Framework; C(registry) is the key reading of the service's key with its C(Start) and
      C(DelayedAutostart) values.
  returned: always
  type: list
  elements: dict
  sample:
    - name: Sophos MCS Agent
      display_name: Sophos MCS Agent
      status: Running
      start_type: Automatic
      errors: {}
      registry: {exists: true, subkeys: [], values: {Start: {type: DWord, value: 2}}}
sccm:
  description:
    - The SCCM client's C(CCM_ClientUtilities.DetermineIfRebootPending) as C({return_value, reboot_pending,
      hard_reboot_pending}), each as the call returned it (V(null) stays V(null)); C({error}) when the call
      failed or timed out, or when the client service C(CcmExec) is not running (it starts late after boot).
    - V(null) when the C(ROOT\ccm) namespace does not exist, or exists without a C(CcmExec) service (a client
      removed and its namespace left behind).
  returned: always
  type: dict
  sample: {return_value: 0, reboot_pending: false, hard_reboot_pending: false}
errors:
  description: Reads that failed outside a registry key (boot time, services), as C({source, error}).
  returned: always
  type: list
  elements: dict
"""
