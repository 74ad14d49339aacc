# -*- coding: utf-8 -*-
"""The report says when a pending age counts only from the first run that saw the restart pending."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_html, render_markdown


def facts(source):
    return {"reboot_required": True, "reasons": [{"id": "sophos_reboot_required", "strong": True}],
            "pending_since": "2026-11-30T08:00:00Z", "pending_days": 1.5, "pending_since_source": source}


@pytest.mark.parametrize("source,said", [("first_seen", True), ("source", False), (None, False)])
def test_first_seen_ages_are_marked(source, said):
    report = model.build_report([{"host": "h1", "facts": facts(source), "run": {"state": "ok"}}],
                                generated="2026-12-01T20:00:00Z")
    row = report["hosts"][0]
    assert row["pending_since_source"] == source
    assert ("| 1.5 (since first seen) |" in render_markdown.to_markdown(report)) is said
    assert ("since first seen" in render_html.to_html(report)) is said


def test_a_strange_source_never_marks_the_age():
    report = model.build_report([{"host": "h1", "facts": dict(facts(None), pending_since_source=["x"])}])
    assert "since first seen" not in render_markdown.to_markdown(report)
