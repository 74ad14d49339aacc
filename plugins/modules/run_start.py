#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation of the action plugin plugins/action/run_start.py; this file holds no code.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: run_start
short_description: Check a run of the collection's playbooks before any host is touched, and start each batch
version_added: 0.1.0
description:
  - Runs on the controller (an action plugin), once per batch (C(run_once)); it touches no host. The
    C(fleetops.sophos.maintenance), C(fleetops.sophos.restart) and C(fleetops.sophos.facts) playbooks start with it.
  - B(The run check), in the first batch (without O(earlier)), of the variables of the task's host (the first host of
    the batch - the extra variables, and that host's inventory variables) - a variable named like the collection's
    (C(reboot_cycle_*), C(patch_*), C(report_*), C(maintenance_*), C(facts_*), or a near miss of these prefixes)
    that the collection does not know, named with the closest known one (list a deliberate one in
    C(maintenance_allow_variables) / C(facts_allow_variables)); every bad setting; the window (C(reboot_cycle_window_end),
    C(reboot_cycle_window_start)) and the blackouts (C(maintenance_blackouts), C(maintenance_blackout_calendar))
    resolved against the run's start; each hook file found and read (relative to the working directory, then to the
    playbook's). O(playbook=facts) checks C(facts_restart_required_at) against the play's hosts instead of the window.
  - B(Every batch) (O(playbook=maintenance) and O(playbook=restart)) - the restart groups and tiers of every host of
    the play (C(reboot_cycle_group), C(reboot_cycle_group_max_down), C(reboot_cycle_tier),
    C(reboot_cycle_tier_on_failure); restart groups refused with restart hooks; tiers need the linear strategy), a
    warning when a batch with restart groups has more hosts than C(forks), and whether the batch needs the
    P(fleetops.sophos.reboot_cycle#role) role's steps (RV(staged)).
  - Each problem is printed on a C(problem:) line, and the task fails naming how many there were - before any host is
    touched. Otherwise the first batch prints the hosts' own expected restart and settle durations (read from the runs
    kept in O(report_dir), with O(learn_durations)), that a restart-only run only restarts, and the window; every batch
    prints which it is and which hosts it holds.
  - Its only state is RV(start), passed back to the next batch's call as O(earlier). Keep it with
    M(ansible.builtin.set_fact) (on localhost, whose facts outlive the batches) - a plain fact, which a fact cache
    never carries over to the next run.
options:
  playbook:
    description: The playbook that starts (it names the variables it knows and the one that allows extra ones).
    type: str
    required: true
    choices: [maintenance, restart, facts]
  report_dir:
    description:
      - Where the runs' reports are kept (P(fleetops.sophos.report#role)'s C(report_dir)); each host's own restart
        and settle durations are read from them in the first batch. Not read by O(playbook=facts).
    type: path
  report_basename:
    description: The report files' base name (C(report_basename)).
    type: str
    default: sophos-report
  learn_durations:
    description: Read the hosts' own durations (C(reboot_cycle_learn_durations)); V(false) uses the defaults for every host.
    type: raw
    default: true
  earlier:
    description:
      - RV(start) of the previous batch's call; without it the call is the run's first batch and checks the run.
    type: dict
attributes:
  check_mode:
    support: full
    description: It only reads; a check run is checked the same way.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  platform:
    support: full
    platforms: posix
    description: The controller.
notes:
  - Run it with C(run_once); its registered result reaches every host of the batch.
  - The window's and the blackouts' words come from the operator's variables and calendar file and are never
    templated again.
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Check the run and start the batch
  fleetops.sophos.run_start:
    playbook: maintenance
    report_dir: "{{ report_dir }}"
    earlier: "{{ hostvars['localhost'].maintenance_start | default(omit) }}"
  register: started
  run_once: true

- name: Keep the run's start for the next batch
  ansible.builtin.set_fact:
    maintenance_start: "{{ started.start }}"
  run_once: true
  delegate_to: localhost
  delegate_facts: true
"""

RETURN = r"""
start:
  description:
    - What the batches so far found, for the next batch's O(earlier) - C(playbook), C(run) (RV(run)), C(run_started),
      C(batch) (this batch's number, from 1), C(hosts_started) (the hosts of this batch and the batches before it)
      and C(durations) (C(hosts), host name to its own expected durations; C(line), in words).
  returned: success
  type: dict
run:
  description:
    - The run check - C(errors) (empty on success), C(run_started) (ISO 8601 UTC), C(window_end) and C(window_start)
      (ISO 8601 UTC or null) with C(window_given) and C(window_start_given) (as written), C(window_line) (the window
      in words), C(patch_before_window), C(blackouts) and C(blackouts_line), C(restart_required_at) (facts).
  returned: success
  type: dict
staged:
  description: Whether a host of the batch has a tier or a hook, so that the batch runs the reboot_cycle role's steps.
  returned: with O(playbook=maintenance) or O(playbook=restart), on success
  type: bool
batch_hosts:
  description: The batch's hosts as it starts (the tiers' turns count the hosts lost on the way).
  returned: with O(playbook=maintenance) or O(playbook=restart), on success
  type: list
  elements: str
lines:
  description: What the call printed (the window, the durations, the batch).
  returned: success
  type: list
  elements: str
"""
