# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the patch role: thin wrappers over module_utils/_patch.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.sophos.plugins.module_utils import _patch
from ansible_collections.fleetops.sophos.plugins.plugin_utils._filters import guard as _guard


def patch_settings(settings):
    """The role's variables checked and converted (survey strings included); fails naming a bad one."""
    return _guard("patch_settings", _patch.settings, settings)


def apt_candidates(simulation, security_only=False, exclude=None):
    return _guard("apt_candidates", _patch.apt_candidates, simulation, security_only, exclude or [])


def patch_changes(candidates):
    return _patch.describe(candidates)


def win_update_titles(updates):
    return _patch.win_update_titles(updates)


def patch_error(result):
    return _patch.manager_error(result)


def patch_record(status, changes=None, reboot_required=False, **kwargs):
    return _guard("patch_record", _patch.record, status, changes, reboot_required, **kwargs)


class FilterModule(object):
    def filters(self):
        return {
            "patch_settings": patch_settings,
            "apt_candidates": apt_candidates,
            "patch_changes": patch_changes,
            "win_update_titles": win_update_titles,
            "patch_record": patch_record,
            "patch_error": patch_error,
        }
