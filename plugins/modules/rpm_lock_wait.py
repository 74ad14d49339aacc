#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rpm_lock_wait
short_description: Wait, for a bounded time, until the rpm database's transaction lock is free
version_added: 0.3.0
description:
  - Internal to the collection, used by M(fleetops.sophos.patch) before it runs M(ansible.builtin.dnf) or
    M(community.general.zypper); not meant for use outside the collection.
  - C(dnf) and C(zypper) (through librpm) wait without a bound for the rpm transaction lock another process
    holds, and M(ansible.builtin.dnf) ignores its own C(lock_timeout). This module tries the lock once a second
    and says whether it became free within O(timeout) seconds, and which process holds it when not.
  - Takes the lock for an instant to test it and lets it go at once; changes nothing.
options:
  path:
    description: The lock file.
    type: path
    default: /var/lib/rpm/.rpm.lock
  timeout:
    description: Seconds to wait for the lock; C(0) tries it once.
    type: int
    default: 120
attributes:
  check_mode:
    support: full
    description: Changes nothing in any mode.
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: posix
    description: Linux hosts with an rpm database.
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Wait at most two minutes for the rpm lock
  fleetops.sophos.rpm_lock_wait:
    timeout: 120
  register: rpm_lock
"""

RETURN = r"""
free:
  description: The lock was free (or the file absent) within O(timeout); C(null) when it could not be tried.
  type: bool
  returned: always
waited:
  description: Seconds waited.
  type: float
  returned: always
holder_pid:
  description: The process holding the lock when it stayed held (from C(/proc/locks)), else C(null).
  type: int
  returned: always
holder_command:
  description: That process's command name, else C(null).
  type: str
  returned: always
problem:
  description: Why the lock could not be tried (C(free) is C(null)), else C(null).
  type: str
  returned: always
"""

import errno
import fcntl
import os
import time

from ansible.module_utils.basic import AnsibleModule


def _holder(path):
    """``(pid, command)`` of the process holding a lock on PATH, from /proc/locks; Nones when not found."""
    try:
        stat = os.stat(path)
        with open("/proc/locks") as handle:
            lines = handle.read().splitlines()
    except (IOError, OSError):
        return None, None
    wanted = "%02x:%02x:%d" % (os.major(stat.st_dev), os.minor(stat.st_dev), stat.st_ino)
    for line in lines:
        fields = line.split()
        if len(fields) > 5 and fields[5] == wanted and fields[4].isdigit() and fields[4] != "0":
            pid = int(fields[4])
            try:
                with open("/proc/%d/comm" % pid) as handle:
                    return pid, handle.read().strip()
            except (IOError, OSError):
                return pid, None
    return None, None


def _try(path):
    """True: free (or no file); False: held by another process."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return True
        raise
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (IOError, OSError) as exc:
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    finally:
        os.close(fd)  # closing the file lets a lock taken here go
    return True


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type="path", default="/var/lib/rpm/.rpm.lock"),
                                              timeout=dict(type="int", default=120)),
                           supports_check_mode=True)
    path, timeout = module.params["path"], module.params["timeout"]
    if timeout < 0:
        module.fail_json(msg="timeout must be 0 or more, got %d" % timeout)
    started = time.time()
    result = dict(changed=False, free=None, waited=0.0, holder_pid=None, holder_command=None, problem=None)
    while True:
        try:
            free = _try(path)
        except (IOError, OSError) as exc:
            result.update(problem="cannot try the lock %s: %s" % (path, exc), waited=round(time.time() - started, 1))
            module.exit_json(**result)
        waited = time.time() - started
        if free or waited >= timeout:
            break
        time.sleep(min(1.0, max(0.0, timeout - waited)))
    result.update(free=free, waited=round(waited, 1))
    if not free:
        result["holder_pid"], result["holder_command"] = _holder(path)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
