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
