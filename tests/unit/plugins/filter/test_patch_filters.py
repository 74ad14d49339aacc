# -*- coding: utf-8 -*-
"""The patch filters: survey values through patch_settings, bad ones as a clear AnsibleFilterError."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.fleetops.sophos.plugins.filter import patch


def test_patch_settings_is_registered():
    assert "patch_settings" in patch.FilterModule().filters()


def test_survey_values():
    settings = patch.patch_settings({"enabled": "false", "security_only": "True", "exclude": "bash\nzsh"})
    assert settings["enabled"] is False and settings["security_only"] is True
    assert settings["exclude"] == ["bash", "zsh"]


def test_garbage_names_the_variable():
    with pytest.raises(AnsibleFilterError, match=r"fleetops.sophos.patch_settings: patch_enabled must be true or false"):
        patch.patch_settings({"enabled": "sometimes"})
