# -*- coding: utf-8 -*-
"""The run start's checks (plugins/plugin_utils/_run_start.py) called as the fleetops.sophos.run_start action calls
them, with ``now`` given as an ISO time (the controller's clock when None), for the tests of the rules they apply."""

from __future__ import absolute_import, division, print_function

from datetime import datetime, timezone

from ansible_collections.fleetops.sophos.plugins.module_utils import _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _run_start


def run_check(variables, now=None, playbook="maintenance", playbook_dir=None, play_hosts=None):
    moment = datetime.now(timezone.utc) if now is None else _time.parse_time(now, "now")
    return _run_start.check(variables, moment, playbook, playbook_dir, play_hosts)


def learned_durations(hosts, report_dir=None, basename="sophos-report", enabled=True):
    return _run_start.durations(hosts, report_dir, basename, enabled)[0]
