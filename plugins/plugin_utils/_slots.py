# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: restart-group slots on the controller, as advisory file locks.

The hosts' cycles run in separate worker processes of one ``ansible-playbook`` (or AWX job) process. They
coordinate through a per-run directory on the controller: slot ``n`` of group ``g`` is the file
``<rundir>/g.n.lock``, held with ``fcntl.flock`` while its host is in its restart. A lock dies with its
process: a worker or a run that is killed never leaves a stuck slot behind, and there is no server.
A stopped group (a member failed its restart or its health checks) is the marker file ``g.stopped``.

The rules (which groups, how many slots, in what order) are ``module_utils/_groups.py``; this module takes
the locks, waits for them (one progress line a minute naming the group and who holds it) and gives up when
the caller says the wait is too late (the maintenance window). One controller per run: an AWX job sliced
into several jobs is several runs, whose slots do not see each other.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import os
import re
import shutil
import tempfile

from ansible_collections.fleetops.sophos.plugins.module_utils import _time

# How often a waiting host tries its slots again, and how often it says so.
TRY_SECONDS = 1
SHOW_SECONDS = 60
_RUN_RE = re.compile(r"^(?P<started>[0-9TZ]+)-(?P<pid>\d+)$")


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def run_directory(run_started, run_id, base=None):
    """The per-run directory (created, mode 0700): ``<base>/fleetops-sophos-<uid>/<start>-<run id>``.

    ``run_started``: the run's start (ISO 8601, the same for every host of the run); ``run_id``: the run's
    process id (the ``ansible-playbook`` process, the workers' parent), so two runs started in the same
    second do not share. Directories of earlier runs whose process is gone are removed on the way.
    """
    root = os.path.join(base or tempfile.gettempdir(), "fleetops-sophos-%d" % os.getuid())
    try:
        os.mkdir(root, 0o700)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise
    if os.stat(root).st_uid != os.getuid() or os.path.islink(root):
        raise OSError("%s belongs to another user: restart groups need it to be this user's" % root)
    started = re.sub(r"[^0-9TZ]", "", run_started or "") or "0"
    name = "%s-%d" % (started, int(run_id))
    for entry in os.listdir(root):
        match = _RUN_RE.match(entry)
        if match and entry != name and not _alive(int(match.group("pid"))):
            shutil.rmtree(os.path.join(root, entry), ignore_errors=True)
    path = os.path.join(root, name)
    try:
        os.mkdir(path, 0o700)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise
    return path


def remove_run_directory(path):
    """Remove a run's directory at its end (its locks are gone with their processes)."""
    shutil.rmtree(path, ignore_errors=True)


class Slots(object):
    """One host's slots in its restart groups: ``acquire()`` them in order, ``release()`` them all.

    ``needed``: ``[(group, limit)]`` in the order to take them (``_groups.slots()``); ``gap_seconds``: the
    pause after a member of a group is released before the next one restarts; ``now``/``sleep``/``show``:
    the clock, the wait and the progress line.
    """

    def __init__(self, directory, host, needed, now, sleep, show, gap_seconds=0, try_seconds=TRY_SECONDS):
        self.directory = directory
        self.host = host
        self.needed = list(needed)
        self.now = now
        self.sleep = sleep
        self.show = show
        self.gap_seconds = gap_seconds
        self.try_seconds = try_seconds
        self.held = []   # [(group, slot, file object)]

    def _path(self, group, slot):
        return os.path.join(self.directory, "%s.%d.lock" % (group, slot))

    def _marker(self, group):
        return os.path.join(self.directory, "%s.stopped" % group)

    def stopped(self, group):
        """Why ``group`` was stopped (its marker's text), or None."""
        try:
            with open(self._marker(group)) as handle:
                return handle.read().strip() or "stopped"
        except (IOError, OSError):
            return None

    def stop(self, why):
        """Mark this host's groups stopped: their members that have not begun their restart are deferred."""
        for group, _limit in self.needed:
            path = self._marker(group)
            if not os.path.exists(path):
                with open(path, "w") as handle:
                    handle.write("%s failed: %s" % (self.host, why))

    def holders(self, group, limit):
        """Who holds the slots of ``group`` now (as the holders wrote it), for the progress line."""
        names = []
        for slot in range(limit):
            try:
                with open(self._path(group, slot)) as handle:
                    text = handle.read().strip()
            except (IOError, OSError):
                continue
            if text.startswith("held by "):
                names.append(text[len("held by "):])
        return names

    def _try(self, group, limit):
        """Take a free slot of ``group``: ``(slot, handle, released_at)`` or None when all are held."""
        for slot in range(limit):
            handle = open(self._path(group, slot), "a+")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (IOError, OSError) as exc:
                handle.close()
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    continue
                raise
            handle.seek(0)
            before = handle.read().strip()
            handle.seek(0)
            handle.truncate()
            handle.write("held by %s" % self.host)
            handle.flush()
            released = None
            if before.startswith("released "):
                try:
                    released = float(before.split()[1])
                except (IndexError, ValueError):
                    released = None
            return slot, handle, released
        return None

    def acquire(self, still_fits):
        """Take every slot, in order. ``still_fits()``: False when a restart would no longer fit the window.

        Returns ``(None, waited_seconds)`` once all are held, or ``(reason, waited_seconds)`` when the host
        must not restart (a group was stopped, or the slot came too late); nothing is then held.
        """
        started = self.now()
        for group, limit in self.needed:
            shown = None
            while True:
                why = self.stopped(group)
                if why is not None:
                    self.release()
                    return ("restart group %s was stopped (%s)" % (group, why),
                            (self.now() - started).total_seconds())
                taken = self._try(group, limit)
                if taken is not None:
                    slot, handle, released = taken
                    self.held.append((group, slot, handle))
                    self._gap(group, released)
                    break
                waited = (self.now() - started).total_seconds()
                if not still_fits():
                    holders = ", ".join(self.holders(group, limit)) or "another member"
                    self.release()
                    return ("waited %s for a slot of restart group %s (held by %s): the restart no longer fits "
                            "the window" % (_time.human_seconds(waited), group, holders), waited)
                if shown is None or (self.now() - shown).total_seconds() >= SHOW_SECONDS:
                    shown = self.now()
                    self.show("waiting for a slot of restart group %s (at most %d down), held by %s; waited %s"
                              % (group, limit, ", ".join(self.holders(group, limit)) or "another member",
                                 _time.human_seconds(waited)))
                self.sleep(self.try_seconds)
        return None, (self.now() - started).total_seconds()

    def _gap(self, group, released):
        """Wait out ``gap_seconds`` after the previous holder of this slot released it."""
        if not self.gap_seconds or released is None:
            return
        left = released + self.gap_seconds - self.now().timestamp()
        if left > 0:
            self.show("restart group %s: %s pause after the previous member (group_gap_seconds)"
                      % (group, _time.human_seconds(left)))
            self.sleep(left)

    def release(self):
        """Release every held slot (each file says when, for the next member's gap)."""
        for _group, _slot, handle in reversed(self.held):
            try:
                handle.seek(0)
                handle.truncate()
                handle.write("released %.3f" % self.now().timestamp())
                handle.flush()
            finally:
                handle.close()
        self.held = []
