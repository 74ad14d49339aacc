# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: what the action plugins ask of a task's connection.

The one place that decides whether a connection's shell is a Windows one (PowerShell): the
``reboot_facts`` action picks its probe, the ``reboot_cycle`` action its restart and update trigger.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def is_windows(connection):
    """True when the connection's shell is PowerShell (a Windows host), from its shell plugin's markers."""
    shell = getattr(connection, "_shell", None)
    return getattr(shell, "SHELL_FAMILY", None) == "powershell" or bool(getattr(shell, "_IS_WINDOWS", False))
