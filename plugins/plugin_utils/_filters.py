# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: what the roles' filter plugins share."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.sophos.plugins.module_utils._settings import SettingError


def guard(name, func, *args, **kwargs):
    """Call a role decision; a bad role variable becomes a filter error that names the filter."""
    try:
        return func(*args, **kwargs)
    except SettingError as exc:
        raise AnsibleFilterError("fleetops.sophos.%s: %s" % (name, exc))
