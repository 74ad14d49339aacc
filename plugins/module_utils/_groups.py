# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the rules of restart groups (clusters, pairs, DC sets): pure, no I/O.

A host names its groups with ``reboot_cycle_group`` (a name or a list) and each group allows at most
``reboot_cycle_group_max_down`` members in their restart at once (an integer >= 1 or a percentage of the
group's hosts in the play). A member is *in its restart* from its first restart until its cycle verified
it and its health checks passed: it holds one slot of each of its groups meanwhile. The slots are taken in
one global order (sorted group names), so two hosts in the same two groups never wait for each other.

The waiting and the locks are the runner's (``plugin_utils/_slots.py``); this module says what the
groups, their limits and their slots are, and whether members agree.
"""

from __future__ import absolute_import, division, print_function

import math
import re

from ansible_collections.fleetops.sophos.plugins.module_utils import _settings

__metaclass__ = type

# A group's name is part of a lock file's name on the controller: letters, digits and . _ - only.
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
_PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def group_names(value, name):
    """The sorted, distinct group names of ``value`` (a name, a list, or names on lines or between commas)."""
    names = _settings.text_list(value, name)
    for group in names:
        if not NAME_RE.match(group):
            raise _settings.SettingError(
                "%s: %r is not a group name (letters, digits, '.', '_' and '-', not starting with '.' or '-', "
                "at most 100)" % (name, group))
    return sorted(set(names))


def max_down(value, name):
    """An integer >= 1, or a percentage of the group's hosts in the play (``"50%"``, kept as text)."""
    if isinstance(value, str):
        match = _PERCENT_RE.match(value)
        if match:
            percent = float(match.group(1))
            if not 0 < percent <= 100:
                raise _settings.SettingError("%s must be a percentage above 0%% and at most 100%%, got %r"
                                             % (name, value))
            return "%s%%" % (int(percent) if percent == int(percent) else percent)
    try:
        return _settings.number(value, name, minimum=1, integer=True)
    except _settings.SettingError:
        raise _settings.SettingError("%s must be an integer >= 1 or a percentage such as 50%%, got %r"
                                     % (name, value))


def limit(allowed, members):
    """Slots of a group: ``allowed`` (max_down()) for a group of ``members`` hosts in the play; at least 1."""
    if isinstance(allowed, str):
        return max(1, int(math.floor(float(allowed[:-1]) * members / 100.0 + 1e-9)))
    return max(1, int(allowed))


def membership(hosts):
    """``{group: sorted member names}`` from ``{host: groups}``."""
    groups = {}
    for host, names in sorted(hosts.items()):
        for group in names:
            groups.setdefault(group, []).append(host)
    return groups


def agreement_problems(hosts, what="reboot_cycle_group_max_down"):
    """One line per group whose members do not agree on ``max_down``: ``hosts`` is
    ``{host: (groups, max_down)}`` (both as max_down() and group_names() return them)."""
    problems = []
    values = {}
    for host, (groups, allowed) in sorted(hosts.items()):
        for group in groups:
            values.setdefault(group, {}).setdefault(str(allowed), []).append(host)
    for group in sorted(values):
        if len(values[group]) > 1:
            parts = ["%s on %s" % (allowed, ", ".join(members)) for allowed, members in sorted(values[group].items())]
            problems.append("the members of restart group %s do not agree on %s: %s; give the group one value "
                            "(a group variable)" % (group, what, "; ".join(parts)))
    return problems


def slots(groups, allowed, hosts):
    """The slots a host needs, in the order it takes them: ``[(group, limit)]`` sorted by group name.

    ``groups``: the host's groups; ``allowed``: its max_down; ``hosts``: ``{host: groups}`` of the play's hosts
    (the limit of a percentage counts the group's members among them).
    """
    members = membership(hosts)
    return [(group, limit(allowed, len(members.get(group) or [None]))) for group in sorted(groups)]


# Restart groups and restart hooks are refused together. A slot is a lock held by the worker process of the cycle's
# task, and dies with it when the task ends; a hook stop ends the task. Held across tasks instead, it would
# deadlock: with the linear strategy the holder's hook (its next task) starts only once every host of the batch
# ended the current task, and a member waiting for the slot inside that task never ends it (without a window end,
# never at all). Tiers do combine with hooks: a tier's turn holds nothing, its hosts' hooks run inside it.
HOOKS_REFUSED = ("%s cannot be combined with restart hooks (%s): a restart group's slot is held by the cycle's "
                 "task, and a member waiting for it in that task would keep the holder's hook (the next task) from "
                 "starting; use reboot_cycle_after_cycle_tasks, or tiers (reboot_cycle_tier)")
HOOK_VARIABLES = ("reboot_cycle_before_restart_tasks", "reboot_cycle_after_restart_tasks")


def hook_problems(hosts):
    """One line per host with restart groups and a restart hook: ``hosts`` is ``{host: (groups, {hook: value})}``."""
    problems = []
    for host, (groups, hooks) in sorted(hosts.items()):
        used = [name for name in HOOK_VARIABLES if hooks.get(name)]
        if groups and used:
            problems.append("%s: %s" % (host, HOOKS_REFUSED % ("reboot_cycle_group", ", ".join(used))))
    return problems


def forks_warning(forks, batch):
    """A warning when a batch has more hosts than forks: a host waiting for a slot holds a fork."""
    try:
        forks = int(forks)
    except (TypeError, ValueError):
        return None
    if batch > forks:
        return ("forks (%d) is less than this batch's %d hosts: a host waiting for a restart group's slot holds "
                "a fork, so hosts of other groups may wait for a fork too; raise forks (-f) to at least %d"
                % (forks, batch, batch))
    return None


# ---------------------------------------------------------------- tiers

# What a failure in a lower tier does to the higher tiers of the batch (reboot_cycle_tier_on_failure).
ON_FAILURE = ("stop", "continue")
# How a lower-tier host of the batch stands when a higher tier's turn comes (tier_outcome()):
# finished its cycle, failed (in its cycle or before it), deferred or excluded (it restarts nothing), or
# did not reach its cycle (failed or lost before it: patching, the window guard).
OUTCOMES = ("finished", "failed", "deferred", "not_reached")
# The strategies that run a task on every host of the batch before the next task: tiers need one.
LOCKSTEP_STRATEGIES = ("linear", "debug", "ansible.builtin.linear", "ansible.builtin.debug")


def tier(value, name):
    """A host's restart tier: an integer >= 0 (None or empty: 0)."""
    if value is None or value == "":
        return 0
    return _settings.number(value, name, minimum=0, integer=True)


def tier_turns(tiers):
    """The batch's tiers in the order they restart: the sorted distinct values of ``{host: tier}``."""
    return sorted(set(tiers.values())) or [0]


def tier_outcome(reached, deferred, record):
    """How a host of the batch stands for the tiers above it.

    ``reached``: the host reached its cycle in this batch; ``deferred``: it was deferred or excluded
    before it (the window guard, maintenance_exclude); ``record``: its ``sophos_reboot_cycle`` record, or
    None. Returns ``(outcome, detail)``, ``outcome`` one of OUTCOMES. Unknown is never "finished": a host
    that reached its cycle and has no record is still running; one that neither reached it nor was
    deferred failed or was lost on its way (it will never come, so it never holds the others).
    """
    record = record if isinstance(record, dict) else {}
    status = record.get("status")
    if deferred and not reached:
        return "deferred", record.get("message") or "deferred"
    if not reached:
        if status in ("failed", "still_pending"):
            return "failed", record.get("message") or status
        return "not_reached", "it did not reach its restart (it failed or was lost before it)"
    if not status:
        return "failed", "its cycle ended without a record (it failed or was lost)"
    if status in ("failed", "still_pending"):
        return "failed", "%s: %s" % (status, record.get("message") or "no message")
    if status == "deferred":
        return "deferred", record.get("message") or "deferred"
    return "finished", status


def tier_hold(own, on_failure, lower):
    """May a host of tier ``own`` begin its cycle? ``lower``: ``{host: (tier, outcome, detail)}`` of the
    batch's other hosts (tier_outcome()); ``on_failure``: ``stop`` or ``continue``.

    Returns ``{"tier", "hold", "after", "failed"}``: ``hold`` None (go) or why the host must not restart
    (its cycle defers it, naming the hosts); ``after`` the lower-tier hosts that finished their cycle
    before it; ``failed`` the lower-tier hosts that failed or never reached their restart.
    """
    if on_failure not in ON_FAILURE:
        raise _settings.SettingError("reboot_cycle_tier_on_failure must be one of %s, got %r"
                                     % ("|".join(ON_FAILURE), on_failure))
    below = dict((host, entry) for host, entry in lower.items() if entry[0] < own)
    failed = sorted(host for host, (_tier, outcome, _detail) in below.items() if outcome in ("failed", "not_reached"))
    after = sorted(host for host, (_tier, outcome, _detail) in below.items() if outcome == "finished")
    hold = None
    if failed and on_failure == "stop":
        hold = ("tier %d stopped: lower-tier host(s) failed: %s (reboot_cycle_tier_on_failure: stop)"
                % (own, "; ".join("%s (tier %d): %s" % (host, below[host][0], below[host][2]) for host in failed)))
    return {"tier": own, "hold": hold, "after": after, "failed": failed}
