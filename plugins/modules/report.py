#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation of the action plugin plugins/action/report.py; this file holds no code.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: report
short_description: Build the fleet report from the hosts' records and write its files, on the controller
version_added: 0.3.0
description:
  - Runs on the controller (an action plugin) and touches no managed host. Reads each host's
    C(sophos_reboot) facts, C(sophos_reboot_cycle) and C(sophos_patch) records, the result variable
    O(result_var) and C(sophos_central) from C(hostvars), builds the report (one row per host, worst first,
    a summary; the schema is in C(docs/report.md)) and writes it in each of O(formats) as
    C(<basename>-<run id>[-check].<ext>) and as the latest report C(<basename>[-check].<ext>) in O(dir).
  - With JSON, a small summary of the run (C(<stem>.summary.json)) is written beside it; C(index.html) (with
    JSON and HTML) lists the runs kept and their trend from those summaries, reading in full, once, a run
    written without one.
  - Removes the runs beyond the newest O(keep) (never this run), with their summaries.
  - Host data is never templated; the returned RV(report) has every string that could be read as a template
    marked unsafe.
  - Writing never counts as a change, and happens in check mode too (the report of a check run is what was
    asked for). Run it once per play, for example with C(run_once) and C(delegate_to) C(localhost); the
    P(fleetops.sophos.report#role) role does that, and adds the run's naming, the Sophos Central lookup,
    C(set_stats) and the end-of-run table.
  - Every bad option is named in one message before anything is read or written.
options:
  alert_days:
    description:
      - Days a restart may stay pending before the host is an C(alert); greater than 0. Same as the role's
        O(fleetops.sophos.report#role:main:report_alert_days).
    type: raw
    default: 14
  max_text:
    description:
      - Longest text in a cell (longer text from a host is cut); at least 20.
    type: raw
    default: 1000
  keep:
    description:
      - Runs kept in O(dir), this one included; older runs' files are removed. C(0) keeps every run.
    type: raw
    default: 30
  formats:
    description:
      - The files to write, some of C(json), C(csv), C(markdown), C(html) (a list, or one string with an entry
        per line or between commas).
    type: raw
    default: [json, csv, markdown, html]
  dir:
    description:
      - The directory on the controller the files go to; created (mode C(0755)) when missing.
    type: path
    required: true
  basename:
    description:
      - The first part of every file name (letters, digits, C(.), C(_), C(-)).
    type: str
    default: sophos-report
  hosts:
    description:
      - The hosts of the report, in this order before sorting. Default C(ansible_play_hosts_all).
    type: list
    elements: str
  active_hosts:
    description:
      - The hosts still active in the play; the others without a result are C(unreachable) or C(failed).
        Default C(ansible_play_hosts).
    type: list
    elements: str
  result_var:
    description:
      - The host variable holding the registered result of the play's main task.
    type: str
    default: sophos_reboot_facts_result
  not_run_hosts:
    description:
      - Hosts that have not run yet (later serial batches); they are C(not_run).
    type: list
    elements: str
    default: []
  title:
    description:
      - The report's title.
    type: str
    default: Sophos restart report
  mode:
    description:
      - Permissions of the files written, octal text such as C('0644'); a number is taken as the permission bits
        themselves, as Ansible's file modules take it (YAML reads an unquoted C(0644) as 420, that is C('0644')).
    type: raw
    default: "0644"
  restart_required_at:
    description:
      - Host name to the time Sophos Central raised the restart-required event of the host.
    type: dict
    default: {}
  run:
    description:
      - The run's identity (C(id), C(started), C(check_mode), C(playbook), C(stem), C(latest)) that the role's
        C(plan.yml) names once per run, so every serial batch writes the same files.
      - Without it, a new run started now is named (in check mode a check run).
    type: dict
  central_lookup:
    description:
      - Ask Sophos Central, from the controller, for its view of the report's hosts that the inventory gave no
        C(sophos_central) (a static inventory) - those of the current batch (C(ansible_play_batch)) not asked yet
        in this run (O(central_asked)), by their inventory name, one lookup per report, as
        M(fleetops.sophos.central_endpoint_info) looks hosts up.
      - Off without credentials (O(central_options), or E(SOPHOS_CENTRAL_CLIENT_ID) and
        E(SOPHOS_CENTRAL_CLIENT_SECRET)); the report then says so. A failed lookup is named in the report and
        never fails the task.
      - Returns the run's answers so far as facts (C(ansible_facts)); with C(delegate_facts) they stay on
        C(localhost) for the next batch's report, which passes them back as O(central_views), O(central_state)
        and O(central_asked).
    type: bool
    default: false
  central_options:
    description:
      - Connection options for O(central_lookup), as M(fleetops.sophos.central_endpoint_info) takes them; an
        option left out comes from the module's environment variables or default.
    type: dict
  central_views:
    description:
      - Sophos Central's view of hosts the inventory gave no C(sophos_central), host name to endpoint (with
        C(checked_at)), as this run looked them up so far (the C(report_central_views) fact of an earlier call).
    type: dict
    default: {}
  central_state:
    description:
      - How this run asked Sophos Central (C(lookup), C(message)); see C(docs/report.md). The
        C(report_central_state) fact of an earlier call.
    type: dict
  central_asked:
    description:
      - The hosts this run asked Sophos Central about already (the C(report_central_asked) fact of an earlier
        call); they are not asked again.
    type: list
    elements: str
    default: []
  central_run:
    description:
      - The run O(central_views), O(central_state) and O(central_asked) belong to (the C(report_central_run) fact
        of an earlier call). They are used only when it is this run's (the C(id) of O(run)). A fact cache keeps an
        action's facts from run to run; a new run asks Sophos Central afresh.
    type: str
  report:
    description:
      - A report this action returned earlier in the run (RV(report)), written again as it is instead of one
        built from the hosts' records; the role passes the report with the notifications' entries
        (M(fleetops.sophos.report_notify)) this way. The options about hosts are then not used.
    type: dict
extends_documentation_fragment:
  - fleetops.sophos.central.central_options
notes:
  - The report's layout and every field are in C(docs/report.md) of the collection.
seealso:
  - module: fleetops.sophos.reboot_facts
  - module: fleetops.sophos.reboot_cycle
author:
  - fleetops maintainers (@fleetops)
"""

EXAMPLES = r"""
- name: Write the fleet report after a maintenance run
  fleetops.sophos.report:
    dir: /var/lib/fleetops/reports
    result_var: maintenance_result
    formats: [json, html]
    keep: 60
  run_once: true
  delegate_to: localhost
  register: written

- name: Show how many hosts want attention
  ansible.builtin.debug:
    msg: "{{ written.report.summary.attention | length }} host(s) want attention, see {{ written.index }}"
  run_once: true
"""

RETURN = r"""
report:
  description: The report, as written to the JSON file (see C(docs/report.md)).
  returned: success
  type: dict
run:
  description: The run's identity (C(id), C(started), C(check_mode), C(playbook), C(stem), C(latest)).
  returned: success
  type: dict
files:
  description: The paths written (the run's files, the latest copies and the run's summary).
  returned: success
  type: list
  elements: str
pruned:
  description: The file names removed (runs beyond O(keep) and their summaries).
  returned: success
  type: list
  elements: str
index:
  description: The path of C(index.html), or null when JSON and HTML are not both written.
  returned: success
  type: str
ansible_facts:
  description: With O(central_lookup), the run's answers from Sophos Central so far, to pass to the next call.
  returned: when O(central_lookup) is true
  type: dict
  contains:
    report_central_views:
      description: Host name to Central's view of it, with C(checked_at) (see O(central_views)).
      type: dict
    report_central_asked:
      description: The hosts asked so far in this run.
      type: list
      elements: str
    report_central_state:
      description: C(lookup) (V(done), V(failed) or V(no_credentials)) and C(message).
      type: dict
    report_central_run:
      description: The run these answers belong to (see O(central_run)).
      type: str
"""
