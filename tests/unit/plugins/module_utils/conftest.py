"""Fixtures of the report's unit tests: the mixed fleet of tests/unit/fixtures/report and its report."""
import json
import os

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "report")


@pytest.fixture
def entries():
    with open(os.path.join(FIXTURES, "mixed_fleet.json")) as handle:
        return json.load(handle)


@pytest.fixture
def report(entries):
    return model.build_report(entries, generated="2026-11-27T03:00:00Z")
