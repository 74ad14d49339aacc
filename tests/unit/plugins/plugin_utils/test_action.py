# -*- coding: utf-8 -*-
"""plugin_utils/_action.py: the start every action of the collection makes."""

from __future__ import absolute_import, division, print_function

from unittest import mock

from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.fleetops.sophos.plugins.plugin_utils._action import Action


class Plain(Action):
    def run(self, tmp=None, task_vars=None):
        return self.begin(tmp, task_vars)[0]


class Refusing(Plain):
    ASYNC_REFUSED = "refused: waits for restarts itself"


def _begin(cls, async_val, task_vars=None):
    task = Task()
    task.async_val = async_val
    action = cls(task, mock.MagicMock(), PlayContext(), loader=None, templar=None, shared_loader_obj=None)
    with mock.patch("ansible.plugins.action.ActionBase.run", side_effect=lambda *a, **k: {"invocation": {}}):
        return action, action.begin(None, task_vars)


def test_the_base_result_changes_nothing_and_check_mode_is_supported():
    action, (result, task_vars) = _begin(Refusing, 0)
    assert result == {"invocation": {}, "changed": False} and task_vars == {}
    assert action._supports_check_mode is True and action._supports_async is False


def test_async_is_refused_with_the_actions_reason():
    _action, (result, _task_vars) = _begin(Refusing, 60, {"x": 1})
    assert result["failed"] is True and result["msg"] == "refused: waits for restarts itself"


def test_an_action_without_a_reason_does_not_check_async():
    _action, (result, task_vars) = _begin(Plain, 60, {"x": 1})
    assert "failed" not in result and task_vars == {"x": 1}


def test_the_clock_is_utc_and_the_sleep_is_times():
    before = Action._now()
    assert before.utcoffset().total_seconds() == 0
    with mock.patch("time.sleep") as sleep:
        Action._sleep(2.5)
    sleep.assert_called_once_with(2.5)
    assert Action._now() >= before
