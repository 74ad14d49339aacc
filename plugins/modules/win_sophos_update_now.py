#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation of the PowerShell module win_sophos_update_now.ps1; this file holds no code.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: win_sophos_update_now
short_description: Internal Windows step of fleetops.sophos.reboot_cycle - start Sophos AutoUpdate's update now
version_added: 0.2.0
description:
  - The Windows half of the O(fleetops.sophos.reboot_cycle#module:trigger_update) option of
    M(fleetops.sophos.reboot_cycle), which runs it after each restart. Use that option.
  - Looks for C(SAUcli.exe) in C(Sophos\AutoUpdate) under the 64-bit Program Files, Program Files and
    Program Files (x86), in that order, and runs C(SAUcli.exe UpdateNow) from the first one found - the
    update an admin starts by hand.
  - The tool runs as a one-shot scheduled task named C(fleetops-sophos-update-now) (as SYSTEM, time limit one
    hour), not as a child of the module, because under WinRM, PSRP and SSH the shell's job object ends every
    child still running when the module returns. The task is removed once the tool has exited.
  - Waits at most O(wait_seconds) for the tool to exit. A tool still running after that keeps running as the
    task (RV(exited) false); the next call joins it (RV(joined) true) instead of starting a second one, and
    removes the task once it has ended. Its exit code is returned as read, and its meaning is given on the
    controller.
  - Without C(SAUcli.exe) it changes nothing and returns RV(path) null.
options:
  wait_seconds:
    description:
      - Seconds to wait for C(SAUcli.exe) to exit, from 0 to 600.
    type: int
    default: 30
notes:
  - What C(SAUcli.exe UpdateNow) does while an update is already running, its exit codes, and that it
    works when run as SYSTEM are confirmed only on a real Windows host with Sophos (see the README).
  - The tool's output is not captured (a scheduled task has no console); RV(output) stays empty.
seealso:
  - module: fleetops.sophos.reboot_cycle
attributes:
  check_mode:
    support: full
    description: Looks for the tool, runs nothing, and says in RV(would_run) what it would run.
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: windows
    description: Windows PowerShell 5.1 or newer, over WinRM or SSH.
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Start Sophos' update now (testing only; use reboot_cycle's trigger_update)
  fleetops.sophos.win_sophos_update_now:
    wait_seconds: 60
  register: update_now
"""

RETURN = r"""
searched:
  description: The AutoUpdate directories looked in, in order.
  returned: always
  type: list
  elements: str
  sample: ['C:\Program Files\Sophos\AutoUpdate', 'C:\Program Files (x86)\Sophos\AutoUpdate']
path:
  description: The C(SAUcli.exe) found and run; null when none was found.
  returned: always
  type: str
  sample: C:\Program Files\Sophos\AutoUpdate\SAUcli.exe
exited:
  description: The tool exited within O(wait_seconds).
  returned: always
  type: bool
rc:
  description: Its exit code (the task's last result); null when it was not run or has not exited.
  returned: always
  type: int
output:
  description: Always empty since the tool runs as a scheduled task; kept for the results of earlier versions.
  returned: always
  type: str
task:
  description: The name of the one-shot scheduled task that runs the tool.
  returned: always
  type: str
  sample: fleetops-sophos-update-now
joined:
  description: The task of an earlier call was still running; nothing was started.
  returned: always
  type: bool
would_run:
  description: Check mode only - what a real run would start; null otherwise.
  returned: always
  type: str
wait_seconds:
  description: O(wait_seconds) as used.
  returned: always
  type: int
"""
