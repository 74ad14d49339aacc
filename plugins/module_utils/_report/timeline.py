# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cycle timelines of the fleet report: PRIVATE to the collection.

From a host's ``sophos_reboot_cycle`` record (as read by ``model``): when each restart was down
and when each settle waited, as intervals in seconds since the epoch; and the geometry that puts
every restarted host of a run on one time axis. Pure functions, no I/O.

Where the record has them, ``settles[].started_at`` / ``ended_at`` are used as they are. Otherwise
they are derived: a restart is down from ``restarted_at - restart_seconds`` until ``restarted_at``
(the first reading after it); the settle after restart *n* starts at that restart's ``restarted_at``
and lasts ``seconds``. Settles beyond the restarts (the settle after a restart made by
``win_updates`` itself) come first, from the cycle's ``started``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.fleetops.sophos.plugins.module_utils._time import human_seconds as _seconds, iso_to_epoch


def segments(maintenance):
    """The intervals of one host's cycle, in time order; ``[]`` when it made no restart.

    Each is ``{kind: restart|settle, n, start, end, ended, label}``: ``n`` the restart it belongs
    to (1 = first restart), ``start``/``end`` epoch seconds, ``ended`` how a settle ended.
    """
    if not maintenance:
        return []
    boots = [boot for boot in maintenance.get("boots") or [] if boot.get("restarted_at")]
    result = []
    restart_ends = []
    for n, boot in enumerate(boots, 1):
        end = iso_to_epoch(boot["restarted_at"])
        if end is None:
            continue
        down = boot.get("restart_seconds")
        start = end - down if down is not None and down >= 0 else end
        restart_ends.append((n, end))
        why = u", ".join(reason.get("id") or u"?" for reason in boot.get("reasons") or [])
        label = u"restart %d: down %s" % (n, _seconds(end - start) if down is not None else u"(time not known)")
        if boot.get("queued_update"):
            label += u", the queued Sophos update"
        if why:
            label += u" (%s)" % why
        result.append({"kind": "restart", "n": n, "start": start, "end": end, "ended": None, "label": label})
    if not result:
        return []
    settles = maintenance.get("settles") or []
    extra = max(0, len(settles) - len(restart_ends))
    cursor = iso_to_epoch(maintenance.get("started") or u"")
    for index, settle in enumerate(settles):
        if index < extra:
            n, after = 0, cursor
        else:
            n, after = restart_ends[min(index - extra, len(restart_ends) - 1)]
        start = iso_to_epoch(settle.get("started_at") or u"")
        if start is None:
            start = after
        end = iso_to_epoch(settle.get("ended_at") or u"")
        if end is None and start is not None and settle.get("seconds") is not None:
            end = start + max(0.0, settle["seconds"])
        if start is None or end is None:
            continue
        cursor = end
        label = u"settle %s %s, %s" % (settle.get("mode") or u"?", _seconds(end - start), settle.get("ended") or u"?")
        result.append({"kind": "settle", "n": n, "start": start, "end": end, "ended": settle.get("ended"),
                       "label": label})
    result.sort(key=lambda segment: (segment["start"], segment["kind"] != "restart"))
    return result


def sections(cycles):
    """The timeline's rows by restart tier and group: ``[{"header", "level"} | {"host": index}]``.

    ``cycles``: each restarted host's record (``maintenance``), in the hosts' order. Without tiers and
    groups, one row per host. Otherwise a header per tier (lowest first; ``no tier`` last) and within it
    a header per restart group (by name; ``no restart group`` last), each group's members under it: a
    host in several groups is shown under each, so an operator sees that members never overlapped.
    """
    tiers = any(cycle.get("tier") is not None for cycle in cycles)
    groups = any(cycle.get("groups") for cycle in cycles)
    if not tiers and not groups:
        return [{"host": index} for index in range(len(cycles))]
    found = {}
    for index, cycle in enumerate(cycles):
        for group in cycle.get("groups") or [None]:
            found.setdefault(cycle.get("tier"), {}).setdefault(group, []).append(index)
    result = []
    for tier in sorted(found, key=lambda value: (value is None, value or 0)):
        if tiers:
            result.append({"header": u"tier %d" % tier if tier is not None else u"no tier", "level": 0})
        for group in sorted(found[tier], key=lambda name: (name is None, name or u"")):
            if groups:
                result.append({"header": u"restart group %s" % group if group else u"no restart group",
                               "level": 1 if tiers else 0})
            result.extend({"host": index} for index in found[tier][group])
    return result


def geometry(rows, width=900.0):
    """One time axis for every restarted host: ``{start, end, hosts: [{host, bars: [...]}], rows, ticks}``.

    Bars carry ``x`` and ``w`` in pixels of ``width`` (at least 2 px wide, so a short restart shows);
    hosts keep the order of ``rows``; hosts without a restart are left out. ``rows`` is the order to
    draw them in, with headers by tier and restart group (sections()). ``None`` when no host restarted.
    """
    hosts = []
    for row in rows:
        found = segments(row.get("maintenance"))
        if found:
            hosts.append((row["host"], row.get("maintenance") or {}, found))
    if not hosts:
        return None
    start = min(segment["start"] for _host, _cycle, found in hosts for segment in found)
    end = max(segment["end"] for _host, _cycle, found in hosts for segment in found)
    for _host, cycle, _found in hosts:
        for key in ("started", "finished"):
            moment = iso_to_epoch(cycle.get(key) or u"")
            if moment is not None:
                start, end = min(start, moment), max(end, moment)
    span = max(end - start, 1.0)
    scale = width / span

    def x_of(moment):
        return round((moment - start) * scale, 1)

    result = []
    for host, cycle, found in hosts:
        bars = []
        for segment in found:
            x = x_of(segment["start"])
            bars.append(dict(segment, x=x, w=max(2.0, round(x_of(segment["end"]) - x, 1))))
        first = iso_to_epoch(cycle.get("started") or u"")
        last = iso_to_epoch(cycle.get("finished") or u"")
        line = (x_of(first if first is not None else found[0]["start"]),
                x_of(last if last is not None else found[-1]["end"]))
        result.append({"host": host, "bars": bars, "line": line})
    return {"start": start, "end": end, "width": width, "hosts": result,
            "rows": sections([cycle for _host, cycle, _found in hosts]), "ticks": _ticks(start, span, scale)}


def _ticks(start, span, scale, wanted=6):
    """Axis marks at round minutes / hours: ``[(x, 'HH:MM')]``."""
    step = 60.0
    for candidate in (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400):
        step = float(candidate)
        if span / step <= wanted:
            break
    first = (int(start // step) + 1) * step
    ticks = []
    moment = first
    while moment < start + span:
        ticks.append((round((moment - start) * scale, 1), time.strftime("%H:%M", time.gmtime(moment))))
        moment += step
    return ticks
