#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation of the action plugin plugins/action/report_notify.py; this file holds no code.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: report_notify
short_description: Tell people how a run went - Teams, Slack, webhooks and e-mail
version_added: 0.1.0
description:
  - Runs on the controller (an action plugin). Sends the run's summary (counts first, then the hosts that need
    attention and why, then a link to or the path of the report) to every target of O(targets) whose C(events)
    hold C(summary).
  - C(webhook) targets receive a JSON POST (schema C(fleetops.sophos.notify/v1), C(docs/notify.md)); C(teams)
    targets (a Microsoft Teams Workflows webhook) an Adaptive Card; C(slack) targets (an incoming webhook) Block
    Kit blocks; C(email) targets a plain-text e-mail sent by M(community.general.mail) with the HTML report
    attached.
  - HTTP goes through C(ansible.module_utils.urls) - TLS certificates verified unless a target sets
    C(validate_certs=false), C(ca_path) for a private CA, redirects not followed, a short bounded timeout.
  - B(Never fails.) A target that is wrong, refuses, times out or answers 4xx/5xx gives one warning and an entry
    in RV(notifications); the hosts' results and the run's status are unchanged.
  - A check run (the report's C(check_mode)) sends nothing unless O(in_check_mode); then each message is marked
    C([check mode]).
  - The targets hold secrets (webhook URLs, SMTP passwords) - run the task with C(no_log=true). Nothing it
    returns or prints holds them; a target is named by its C(name), else its type and the URL's scheme and host.
  - The C(fleetops.sophos.report) role calls it with C(report_notify); the per-host events are sent by
    M(fleetops.sophos.reboot_cycle).
options:
  targets:
    description:
      - The targets, as the report role's C(report_notify) (every key in C(docs/notify.md)).
    type: list
    elements: raw
    required: true
  report:
    description: The report (C(report_data), made by the P(fleetops.sophos.report_build#filter) filter).
    type: dict
    required: true
  link:
    description: The report's address for readers (a web server publishing O(fleetops.sophos.report#role:main:report_dir)).
    type: str
    default: ""
  location:
    description: The report's path on the controller, named when there is no O(link).
    type: str
    default: ""
  in_check_mode:
    description: Send in a check run too (the messages say C([check mode])).
    type: raw
    default: false
  attach:
    description: Attach the HTML report to e-mails.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Sends nothing in a check run (the report's C(check_mode)) unless O(in_check_mode).
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  platform:
    support: full
    platforms: posix
    description: The controller.
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Tell people how the run went
  fleetops.sophos.report_notify:
    targets:
      - type: teams
        name: ops channel
        url: "{{ fleetops_notify_teams_url }}"
    report: "{{ report_data }}"
    link: https://reports.example.com/sophos/
  delegate_to: localhost
  run_once: true
  no_log: true
  register: notified
"""

RETURN = r"""
notifications:
  description:
    - One entry per target the summary went to - C(type), C(target) (its name, or its type and the URL's scheme
      and host), C(event) (C(summary)), C(host) (null), C(ok), C(status) (the HTTP status, null for e-mail) and
      C(error) (why it failed, null when it did not).
  returned: always
  type: list
  elements: dict
  sample: [{"type": "teams", "target": "ops channel", "event": "summary", "host": null, "ok": true, "status": 202,
            "error": null}]
report:
  description: O(report) with RV(notifications) added to its C(notifications) list.
  returned: always
  type: dict
"""
