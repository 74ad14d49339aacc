# -*- coding: utf-8 -*-
"""The report reads a record's Alertmanager silence (sophos_reboot_cycle.silence) and every rendering shows it."""

from __future__ import absolute_import, division, print_function

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_html, render_markdown

BOOT = {"boot_id": "b1", "boot_id_before": "b0", "last_boot": "2026-12-07T02:01:30Z",
        "restarted_at": "2026-12-07T02:02:00Z", "restart_seconds": 40, "reasons": [{"id": "kernel", "detail": "x"}]}


def _cycle(silence):
    return {"status": "rebooted", "restarts": 1, "message": "restarted once", "boots": [{"boot_id": "b0"}, BOOT],
            "silence": silence}


def _report_of(silence):
    return model.build_report([{"host": "web1", "facts": None, "cycle": _cycle(silence)}], generated="g")


def test_an_expired_silence_is_read_and_shown_from_to():
    silence = {"status": "expired", "id": "5f0c", "from": "2026-12-07T02:00:00.000Z",
               "to": "2026-12-07T02:09:00.000Z", "extensions": 3, "warning": None,
               "matchers": [{"name": "instance", "value": "web1(:.*)?", "isRegex": True, "isEqual": True}],
               "lease_minutes": 30}
    report = _report_of(silence)
    assert report["hosts"][0]["maintenance"]["silence"] == {
        "status": "expired", "id": "5f0c", "from": "2026-12-07T02:00:00.000Z", "to": "2026-12-07T02:09:00.000Z",
        "warning": None}
    line = u"silenced 2026-12-07T02:00:00.000Z \u2013 2026-12-07T02:09:00.000Z (5f0c)"
    assert line in render_markdown.to_markdown(report)
    assert line in render_html.to_html(report)


def test_a_silence_that_failed_shows_the_warning():
    report = _report_of({"status": "failed", "id": None, "warning": "could not create the silence: POST x answered 500"})
    text = u"silence: not created (could not create the silence: POST x answered 500)"
    assert text in render_markdown.to_markdown(report) and text in render_html.to_html(report)


def test_a_lapsing_silence_says_it_ends_by_itself_and_odd_values_are_noted():
    report = _report_of({"status": "lapsing", "id": "9a", "from": "a", "to": "b", "warning": "DELETE failed"})
    assert u"silenced a \u2013 b (9a), not expired: it ends by itself" in render_markdown.to_markdown(report)
    odd = _report_of({"status": "sleeping", "id": ["x"]})
    row = odd["hosts"][0]
    assert row["maintenance"]["silence"]["status"] is None and row["maintenance"]["silence"]["id"] is None
    assert any("sophos_reboot_cycle.silence.status" in error for error in row["data_errors"])


def test_no_silence_is_null():
    assert model.build_report([{"host": "h", "facts": None, "cycle": {"status": "ok", "restarts": 0}}],
                              generated="g")["hosts"][0]["maintenance"]["silence"] is None
