# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: what the reboot cycle's runner works with beside the host, made from the task.

The cycle action (``plugins/action/reboot_cycle.py``) checks its options and shapes its result; the runner
(``_cycle_run.CycleRun``) runs the steps. Between them, these functions make the runner's companions from
the task, its variables and the play: the host's restart-group slots, its Alertmanager silence, its
per-host notifications, and the check that tiers can take their turns. Each takes what it needs as
arguments (the clock, the run's id, the templar): no state of its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _groups, _notify, _settings
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _notify as _send, _silence, _slots


def tier_problem(turn, strategy):
    """Tiers take their turns only where every host of the batch runs a task before the next one: the problem
    with ``turn`` (``_tiers.hold``'s) under the play's ``strategy``, or None."""
    if not turn:
        return None
    if not isinstance(turn.get("turns"), list) or not isinstance(turn.get("after"), list):
        return "tier_turn must be a tier's turn (hold, after, failed, turns, since), as tier_batch gives it"
    if len(turn["turns"]) > 1 and strategy not in _groups.LOCKSTEP_STRATEGIES:
        return ("reboot_cycle_tier: the batch has tiers %s, and the strategy %s does not run them in turn; tiers "
                "need the linear strategy (the default)" % (", ".join(str(t) for t in turn["turns"]), strategy))
    return None


def slots(host, settings, run_id, check_mode, now, sleep, show):
    """The host's restart-group slots (None without groups, or in check mode): the limits count each group's
    hosts in the play."""
    if not settings["group"] or check_mode:
        return None
    task_vars = host.task_vars
    hostvars = task_vars.get("hostvars") or {}
    members = {}
    for name in task_vars.get("ansible_play_hosts_all") or [host.name]:
        if name == host.name:
            members[name] = settings["group"]
            continue
        try:
            members[name] = _groups.group_names(hostvars[name].get(_cycle.VAR_PREFIX + "group"), "group")
        except (KeyError, _settings.SettingError):
            members[name] = []
    needed = _groups.slots(settings["group"], settings["group_max_down"], members)
    directory = _slots.run_directory(settings["run_started"], run_id)
    return _slots.Slots(directory, host.name, needed, now=now, sleep=sleep, show=show,
                        gap_seconds=settings["group_gap_seconds"])


def silence(host, options, settings, resume, run_id, now, show, warn, heartbeat):
    """The host's Alertmanager silence (None without ``silence``); the comment names the run."""
    if not options["silence"]:
        return None
    job = host.task_vars.get("awx_job_id") or host.task_vars.get("tower_job_id")
    run = ("AWX job %s" % job) if job else ("started %s" % (settings["run_started"] or now().isoformat()))
    return _silence.Silence(options["silence"], host.name, host.address, "%s, pid %d" % (run, run_id),
                            now=now, show=show, warn=warn, heartbeat=heartbeat,
                            carried=(resume or {}).get("silence"))


def notifier(host, templar, check_mode, warn):
    """The per-host notifications of ``report_notify`` (the report role's variable), None without a target
    for a per-host event. Targets the run check did not see (the role alone) and that are wrong give one
    warning and no notification: a notification never changes an outcome."""
    variables = host.task_vars
    if not variables.get("report_notify"):
        return None
    try:
        targets = _notify.normalize_targets(templar.template(variables.get("report_notify")))
        in_check_mode = _settings.flag(templar.template(variables.get("report_notify_in_check_mode", False)),
                                       "report_notify_in_check_mode")
        link = templar.template(variables.get("report_notify_link") or "")
    except _settings.SettingError as exc:
        warn("%s: no notification from reboot_cycle: %s" % (host.name, exc))
        return None
    if not any(_notify.wanted(targets, event) for event in _notify.HOST_EVENTS):
        return None
    return _send.Notifier(targets, warn, link=link, check_mode=check_mode, in_check_mode=in_check_mode)
