# -*- coding: utf-8 -*-
"""plugin_utils/_connection.py: the one answer to "is this a Windows shell" for every plugin."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.plugin_utils._connection import is_windows


class Shell(object):
    def __init__(self, **markers):
        self.__dict__.update(markers)


class Connection(object):
    def __init__(self, shell):
        self._shell = shell


@pytest.mark.parametrize("shell,windows", [
    (Shell(SHELL_FAMILY="powershell"), True),
    (Shell(SHELL_FAMILY="sh"), False),
    (Shell(SHELL_FAMILY="sh", _IS_WINDOWS=True), True),     # a Windows shell plugin of another family
    (Shell(_IS_WINDOWS=False), False),
    (Shell(), False),
    (None, False),
])
def test_a_windows_shell_is_powershell_or_marked_windows(shell, windows):
    assert is_windows(Connection(shell)) is windows


def test_a_connection_without_a_shell_is_not_windows():
    assert is_windows(object()) is False


def test_every_plugin_asks_the_same_helper():
    from ansible_collections.fleetops.sophos.plugins.action import reboot_facts
    from ansible_collections.fleetops.sophos.plugins.plugin_utils import _cycle_run
    assert reboot_facts.is_windows is is_windows and _cycle_run.is_windows is is_windows
    assert not hasattr(reboot_facts, "_is_powershell")
