# -*- coding: utf-8 -*-
"""Sending notifications (plugin_utils/_notify.py) to loopback receivers (tests/notify/receiver.py): what arrives,
and that a receiver that fails, answers 500, never answers or shows a certificate nobody vouches for gives one
warning and an entry, never an exception, and never the URL's secret path."""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _notify
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _notify as _send

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(REPO, "tests", "notify"))
import receiver  # noqa: E402  pylint: disable=wrong-import-position

TOKEN = "/workflows/7f3c9a1e0b/triggers/manual/paths/invoke?sig=c2VjcmV0LXRva2Vu"
MESSAGE = _notify.host_message("failed", "db1", {"status": "failed", "message": "restart 1 failed", "restarts": 1})


def _notifier(targets, **options):
    warnings = []
    notifier = _send.Notifier(_notify.normalize_targets(targets), warnings.append, **options)
    return notifier, warnings


def _target(hook, kind="teams", **extra):
    return dict({"type": kind, "url": hook.url(TOKEN), "allow_insecure": hook.scheme == "http",
                 "events": ["failed"], "timeout": 2}, **extra)


def _no_secret(*texts):
    text = json.dumps(texts)
    assert "c2VjcmV0LXRva2Vu" not in text and "7f3c9a1e0b" not in text


@pytest.mark.parametrize("kind", ["webhook", "teams", "slack"])
def test_each_type_posts_its_json_to_the_url(kind):
    with receiver.Receiver(answer=202) as hook:
        notifier, warnings = _notifier([_target(hook, kind)])
        entries = notifier.send(MESSAGE, host="db1")
    assert warnings == [] and len(hook.requests) == 1
    request = hook.requests[0]
    assert request["path"] == TOKEN and request["headers"]["Content-Type"] == "application/json"
    assert request["json"] == json.loads(json.dumps(_notify.BUILDERS[kind](MESSAGE)))
    assert entries == [{"type": kind, "target": "%s http://127.0.0.1:%d" % (kind, hook.server.server_address[1]),
                        "event": "failed", "host": "db1", "ok": True, "status": 202, "error": None}]
    _no_secret(entries)


def test_a_500_is_one_warning_and_an_entry():
    with receiver.Receiver(answer=500) as hook:
        notifier, warnings = _notifier([_target(hook, name="ops channel")])
        entries = notifier.send(MESSAGE, host="db1")
    assert len(warnings) == 1 and "notification failed (host db1) to ops channel (teams) failed: HTTP 500" in warnings[0]
    assert entries[0]["ok"] is False and entries[0]["status"] == 500
    _no_secret(entries, warnings)


def test_a_receiver_that_never_answers_is_cut_off_by_the_timeout():
    with receiver.Receiver(answer="hang") as hook:
        notifier, warnings = _notifier([_target(hook, timeout=1)])
        entries = notifier.send(MESSAGE, host="db1")
        assert hook.received.wait(60), "the receiver never read the request"
    assert len(warnings) == 1 and "timed out" in warnings[0]
    assert entries[0]["ok"] is False and entries[0]["status"] is None
    _no_secret(entries, warnings)


def test_a_certificate_nobody_vouches_for_is_refused_and_a_ca_path_trusts_it(tmp_path):
    with receiver.Receiver(tls=True, directory=str(tmp_path)) as hook:
        notifier, warnings = _notifier([_target(hook)])
        refused = notifier.send(MESSAGE, host="db1")
        assert hook.requests == []
        trusting, trusted_warnings = _notifier([_target(hook, ca_path=hook.ca_path)])
        trusted = trusting.send(MESSAGE, host="db1")
    assert refused[0]["ok"] is False and len(warnings) == 1
    assert "certificate" in warnings[0].lower() or "CERTIFICATE" in warnings[0]
    assert trusted[0]["ok"] is True and trusted_warnings == [] and len(hook.requests) == 1
    _no_secret(refused, warnings)


def test_a_refused_connection_is_a_warning():
    port = receiver.free_port()
    notifier, warnings = _notifier([{"type": "webhook", "url": "http://127.0.0.1:%d%s" % (port, TOKEN),
                                     "allow_insecure": True, "events": ["failed"]}])
    entries = notifier.send(MESSAGE, host="db1")
    assert entries[0]["ok"] is False and len(warnings) == 1
    _no_secret(entries, warnings)


def test_only_the_targets_of_the_event_are_sent_to_and_a_check_run_sends_nothing_unless_asked():
    with receiver.Receiver() as hook:
        summary_only = dict(_target(hook), events=["summary"])
        notifier, _warnings = _notifier([summary_only, _target(hook, "webhook")])
        assert [entry["type"] for entry in notifier.host_event("failed", "db1", {"status": "failed"})] == ["webhook"]
        quiet, _warnings = _notifier([_target(hook)], check_mode=True)
        assert quiet.host_event("failed", "db1", {"status": "failed"}) == []
        asked, _warnings = _notifier([_target(hook)], check_mode=True, in_check_mode=True)
        assert asked.host_event("failed", "db1", {"status": "failed"})[0]["ok"] is True
    assert len(hook.requests) == 2
    assert hook.requests[1]["json"]["attachments"][0]["content"]["body"][0]["text"] == "[check mode] db1: failed"


def test_a_mail_function_that_raises_is_a_warning_with_the_password_scrubbed():
    def mail(target, subject, body, attachment):
        raise RuntimeError("login failed for %s" % target["password"])

    notifier, warnings = _notifier([{"type": "email", "host": "smtp", "sender": "a@x", "to": ["b@x"],
                                     "username": "u", "password": "hunter2-secret"}], mail=mail)
    entries = notifier.send(_notify.summary_message({"summary": {"total": 0, "counts": {}}}, lambda row: ""))
    assert entries[0]["ok"] is False and "hunter2" not in json.dumps([entries, warnings])
    assert entries[0]["error"] == "RuntimeError: login failed for ********"


def test_the_events_of_an_ended_cycle():
    assert _send.host_events({"status": "rebooted"}) == ["restarted"]
    assert _send.host_events({"status": "ok"}) == []
    assert _send.host_events({"status": "failed", "stopped_groups": ["db"]}) == ["failed", "group_stopped"]
    assert _send.host_events({"status": "still_pending"}) == ["still_pending"]
    assert _send.host_events({"status": "deferred"}) == ["deferred"]
