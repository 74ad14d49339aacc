# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: each host's own restart and settle durations, learned from the kept reports.

Every run's JSON report (``report_dir``, ``<basename>-<start>-<token>.json``) holds, per host, how long each
restart took (``maintenance.boots[].restart_seconds``) and how long each settle after a boot lasted
(``maintenance.settles[].seconds``). A host that has enough of them gets its own expected restart and settle
for the window fit instead of the defaults (``reboot_cycle_restart_expected_minutes``, by OS, and
``reboot_cycle_settle_minutes``): the PERCENTILE-th percentile of its last SAMPLES measured values.

The percentile is the nearest-rank one: the values sorted from short to long, the ceil(p/100 x n)-th of them
(of 10 values the 9th, the second longest). It is always a duration the host really took, and one slow
outlier among ten does not move it. A host with fewer than MINIMUM measured values keeps the defaults.

Pure Python, no Ansible imports, no I/O: the caller lists and reads the files (plugins/filter/maintenance.py).
"""

from __future__ import absolute_import, division, print_function

import json
import math

from ansible_collections.fleetops.sophos.plugins.module_utils import _settings
from ansible_collections.fleetops.sophos.plugins.module_utils._report import history
from ansible_collections.fleetops.sophos.plugins.module_utils._time import iso_to_epoch

__metaclass__ = type

SAMPLES = 10
PERCENTILE = 90
MINIMUM = 3
# A settle that ended "skipped" had no Sophos to wait for: it measured nothing.
_NOT_MEASURED = ("skipped",)
# How many hosts the plan line names before it counts the rest.
SHOWN = 20
# The keys of one host's learned durations (the reboot cycle's reboot_cycle_learned_durations).
KEYS = ("restart_minutes", "restart_samples", "settle_minutes", "settle_samples")


def percentile(values, pct=PERCENTILE):
    """The nearest-rank ``pct``-th percentile of ``values`` (numbers): the ceil(pct/100 x n)-th smallest.

    None for no values. 90 of [1..10] is 9; 90 of [1, 2, 3] is 3; 50 of [1, 2, 3, 4] is 2.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 < pct <= 100:
        raise ValueError("a percentile is above 0 and at most 100, got %r" % (pct,))
    return ordered[max(1, int(math.ceil(pct / 100.0 * len(ordered)))) - 1]


def _seconds(value):
    """A measured duration: a finite number of seconds > 0, else None (a report is data from outside)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        return None
    return float(value)


def _host_measures(row):
    """``(restarts, settles)`` of one report row, in the order they happened (seconds)."""
    cycle = row.get("maintenance") if isinstance(row.get("maintenance"), dict) else {}
    boots = cycle.get("boots") if isinstance(cycle.get("boots"), list) else []
    settles = cycle.get("settles") if isinstance(cycle.get("settles"), list) else []
    restarts = [_seconds(boot.get("restart_seconds")) for boot in boots if isinstance(boot, dict)]
    waits = [_seconds(settle.get("seconds")) for settle in settles
             if isinstance(settle, dict) and settle.get("ended") not in _NOT_MEASURED]
    return [value for value in restarts if value], [value for value in waits if value]


def run_file(name, basename="sophos-report"):
    """The run id of a real run's own JSON report file name, else None (the latest copy, a check run, CSV...)."""
    parsed = history.parse_name(name, basename)
    if parsed is None or parsed[1] or parsed[2] != "json":
        return None
    return parsed[0]


def history_records(files, basename="sophos-report"):
    """``(records, warnings)`` from the report directory's JSON files, ``[(name, text)]``.

    A record is one host's measures in one real run: ``{host, started, restarts: [s], settles: [s]}``.
    Only a run's own file counts (``<basename>-<start>-<token>.json``, not the latest report's copy, not a
    check run's, which restarts nothing). A file that is not JSON or not a report is left out with a warning
    naming it; its hosts keep what the other files say.
    """
    records, warnings = [], []
    for name, text in files:
        run_id = run_file(name, basename)
        if run_id is None:
            continue
        try:
            report = json.loads(text)
        except ValueError as exc:
            warnings.append(u"%s is not JSON (%s): its restart and settle durations are not used" % (name, exc))
            continue
        if not isinstance(report, dict) or report.get("kind") != "fleetops.sophos.report" \
                or not isinstance(report.get("hosts"), list):
            warnings.append(u"%s is not a fleetops.sophos report: its restart and settle durations are not used"
                            % name)
            continue
        if report.get("check_mode") is True:
            continue
        run = report.get("run") if isinstance(report.get("run"), dict) else {}
        started = run.get("started") if isinstance(run.get("started"), str) else None
        for row in report["hosts"]:
            if not isinstance(row, dict) or not isinstance(row.get("host"), str):
                continue
            restarts, settles = _host_measures(row)
            if restarts or settles:
                records.append({"host": row["host"], "started": started or u"", "id": run_id,
                                "restarts": restarts, "settles": settles})
    return records, warnings


def learn(records, hosts=None, samples=SAMPLES, minimum=MINIMUM, pct=PERCENTILE):
    """Each host's own expected restart and settle, in minutes, from its last ``samples`` measured values.

    ``records``: history_records()'s; ``hosts``: the hosts to learn for (None: every host of the records).
    Returns ``{host: {restart_minutes, restart_samples, settle_minutes, settle_samples}}`` for the hosts with
    at least ``minimum`` values of either; a duration with fewer is None (the default applies), its count kept.
    """
    wanted = None if hosts is None else set(hosts)
    newest_first = sorted(records, key=lambda r: (iso_to_epoch(r["started"]) or 0.0, r.get("id") or u""),
                          reverse=True)
    measured = {}
    for record in newest_first:
        if wanted is not None and record["host"] not in wanted:
            continue
        restarts, settles = measured.setdefault(record["host"], ([], []))
        restarts.extend(reversed(record["restarts"]))
        settles.extend(reversed(record["settles"]))
    learned = {}
    for host, (restarts, settles) in measured.items():
        restarts, settles = restarts[:samples], settles[:samples]
        entry = {"restart_minutes": _minutes(restarts, minimum, pct), "restart_samples": len(restarts),
                 "settle_minutes": _minutes(settles, minimum, pct), "settle_samples": len(settles)}
        if entry["restart_minutes"] is not None or entry["settle_minutes"] is not None:
            learned[host] = entry
    return learned


def _minutes(values, minimum, pct):
    if len(values) < minimum:
        return None
    return round(percentile(values, pct) / 60.0, 2)


def _amount(minutes):
    return u"%g min" % round(minutes, 1)


def plan_line(learned, hosts, enabled=True):
    """The line the run prints at its start: which hosts use their own durations, how many the defaults."""
    hosts = sorted(set(hosts))
    if not enabled:
        return (u"expected restart and settle: the defaults for all %d host(s) (reboot_cycle_learn_durations is "
                u"false)" % len(hosts))
    own = [host for host in hosts if host in learned]
    parts = []
    for host in own[:SHOWN]:
        entry, words = learned[host], []
        if entry["restart_minutes"] is not None:
            words.append(u"restart %s (%d restarts)" % (_amount(entry["restart_minutes"]), entry["restart_samples"]))
        if entry["settle_minutes"] is not None:
            words.append(u"settle %s (%d settles)" % (_amount(entry["settle_minutes"]), entry["settle_samples"]))
        parts.append(u"%s %s" % (host, u", ".join(words)))
    if len(own) > SHOWN:
        parts.append(u"and %d more" % (len(own) - SHOWN))
    line = u"expected restart and settle from history (the %dth percentile of the last %d measured): %s" % (
        PERCENTILE, SAMPLES, u"; ".join(parts) if parts else u"none")
    return line + u"; %d host(s) on the defaults" % (len(hosts) - len(own))


def checked(value, name):
    """One host's learned durations as the reboot cycle takes them (``reboot_cycle_learned_durations``):
    ``{}`` for none (None, empty), else a dict of KEYS, minutes None or > 0 and counts >= 0."""
    if value is None or value == {} or (isinstance(value, str) and not value.strip()):
        return {}
    if not isinstance(value, dict) or set(value) - set(KEYS):
        raise _settings.SettingError("%s must be a mapping of %s (the playbooks set it from the kept reports), got %r"
                                     % (name, ", ".join(KEYS), value))
    result = {}
    for key in KEYS:
        item = value.get(key)
        if key.endswith("_samples"):
            result[key] = _settings.number(item or 0, "%s.%s" % (name, key), minimum=0, integer=True)
        else:
            result[key] = None if item is None else _settings.number(item, "%s.%s" % (name, key), minimum=0,
                                                                     above=True)
    return result
