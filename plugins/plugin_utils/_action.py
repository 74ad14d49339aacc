# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The start every action of the collection makes: check mode supported, async not, nothing changed yet."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from datetime import datetime, timezone

from ansible.plugins.action import ActionBase


class Action(ActionBase):
    """An action of the collection. ``ASYNC_REFUSED``: why the action refuses async (None: it does not check)."""

    TRANSFERS_FILES = False
    ASYNC_REFUSED = None

    # The clock and the sleep of an action that waits, replaced in the replay tests.
    @staticmethod
    def _now():
        return datetime.now(timezone.utc)

    @staticmethod
    def _sleep(seconds):
        time.sleep(seconds)

    def begin(self, tmp, task_vars):
        """``(result, task_vars)``: the base result (``changed`` false), or a failed one when async was asked
        of an action that refuses it."""
        self._supports_check_mode = True
        self._supports_async = False
        task_vars = task_vars or {}
        result = super(Action, self).run(tmp, task_vars)
        result["changed"] = False
        if self.ASYNC_REFUSED is not None and self._task.async_val:
            result.update(failed=True, msg=self.ASYNC_REFUSED)
        return result, task_vars
