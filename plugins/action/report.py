# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleetops.sophos.report: the fleet report built, written, pruned and indexed on the controller.

It touches no managed host: the hosts' records are read from ``hostvars``, Sophos Central is asked from the
controller and the files are written there by ``plugin_utils/_report_run.py``; this class only hands it the
task's arguments, variables and environment.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from datetime import datetime, timezone

from ansible_collections.fleetops.sophos.plugins.plugin_utils import _report_run
from ansible_collections.fleetops.sophos.plugins.plugin_utils._action import Action


class ActionModule(Action):
    _VALID_ARGS = frozenset(_report_run.ARGUMENT_SPEC)

    # The clock, replaced in the tests.
    @staticmethod
    def _now():
        return datetime.now(timezone.utc)

    def run(self, tmp=None, task_vars=None):
        # The report of a check run is what the operator asked for: it is written in check mode too.
        result, task_vars = self.begin(tmp, task_vars)
        result.update(_report_run.run(self._task.args, task_vars, self._now(),
                                      check_mode=bool(self._task.check_mode), environ=os.environ,
                                      warn=self._display.warning))
        # Writing the report is output, not a change to a managed host.
        result["changed"] = False
        return result
