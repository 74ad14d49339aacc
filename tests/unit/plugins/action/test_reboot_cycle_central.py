# -*- coding: utf-8 -*-
"""Replay tests of the reboot_cycle action's Sophos Central update check (central_update_check).

The real action replays recorded cycles (tests/unit/replay.py's Replay); Central is a recorded
HTTP exchange behind ``_central._open_url``. One ordered event list holds the host's restarts and
readings and Central's requests, so a test sees where each request falls in the cycle.
"""

from __future__ import absolute_import, division, print_function

import json

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _central
from ansible_collections.fleetops.sophos.tests.unit.replay import Replay, load

SECRET = "cycle-secret-Qw81"
ENDPOINT = "0d6a3f4e-5b8c-5d2e-9f01-23456789abcd"
TENANT = "a0000000-0000-4000-8000-00000000000a"
OPTIONS = {"client_id": "cid", "client_secret": SECRET, "identity_url": "https://id.test",
           "global_url": "https://api.test"}


class Answer(dict):
    def get(self, key, default=None):
        return dict.get(self, key, default)


class Central:
    """Answers token, whoami, the hostname lookup and update checks; ``refuse`` makes update checks 403."""

    def __init__(self, events, refuse=False):
        self.events = events
        self.refuse = refuse
        self.requests = []

    def __call__(self, method, url, headers, data, timeout, validate_certs, ca_path):
        self.requests.append((method, url, dict(headers)))
        if url.endswith("/api/v2/oauth2/token"):
            return 200, Answer(), json.dumps({"access_token": "tok-xyz", "expires_in": 3600}).encode()
        if url.endswith("/whoami/v1"):
            return 200, Answer(), json.dumps({"id": TENANT, "idType": "tenant",
                                              "apiHosts": {"dataRegion": "https://eu01.test"}}).encode()
        if "/endpoint/v1/endpoints?" in url:
            return 200, Answer(), json.dumps({"pages": {}, "items": [
                {"id": ENDPOINT, "hostname": "SRV1", "tenant": {"id": TENANT}},
                {"id": "other", "hostname": "SRV10", "tenant": {"id": TENANT}}]}).encode()
        if url.endswith("/update-checks"):
            self.events.append(("update_check", url.split("/")[-2]))
            if self.refuse:
                return 403, Answer(), json.dumps({"error": "forbidden", "message": "Forbidden",
                                                  "requestId": "r-1"}).encode()
            return 201, Answer(), json.dumps({"id": "chk-%d" % len(self.events), "status": "requested"}).encode()
        raise AssertionError("unexpected request %s %s" % (method, url))


@pytest.fixture
def events(monkeypatch):
    for variable in _central.ENV.values():
        monkeypatch.delenv(variable, raising=False)
    return []


def replay_with_central(monkeypatch, events, fixture="windows_queued_update.yml", args=None, refuse=False,
                        check_mode=False):
    central = Central(events, refuse=refuse)
    monkeypatch.setattr(_central, "_open_url", central)
    replay = Replay(load(fixture), args=args, check_mode=check_mode)
    restart, read = replay.host.restart, replay.host.read
    replay.host.restart = lambda name, a: events.append(("restart",)) or restart(name, a)
    replay.host.read = lambda module: events.append(("read",)) or read(module)
    return replay, central


def test_an_update_check_right_after_each_restart(monkeypatch, events):
    replay, central = replay_with_central(monkeypatch, events,
                                          args={"central_update_check": "true", "central_options": OPTIONS})
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and record["restarts"] == 2
    # each restart, the reading that sees the host back, then the request; settle readings after it
    kinds = [event[0] for event in events]
    firsts = [index for index, kind in enumerate(kinds) if kind == "restart"]
    checks = [index for index, kind in enumerate(kinds) if kind == "update_check"]
    assert len(checks) == 2 and [index + 2 for index in firsts] == checks
    assert all(event == ("update_check", ENDPOINT) for event in events if event[0] == "update_check")
    assert [(c["restart"], c["status"], c["endpoint_id"]) for c in record["central_update_checks"]] == \
        [(1, "requested", ENDPOINT), (2, "requested", ENDPOINT)]
    assert [c["id"] for c in record["central_update_checks"]] == ["chk-%d" % (checks[0] + 1),
                                                                  "chk-%d" % (checks[1] + 1)]
    # the lookup matched the exact short name (SRV10 is not srv1), on the tenant's own host
    update_urls = [url for method, url, _h in central.requests if url.endswith("/update-checks")]
    assert update_urls == ["https://eu01.test/endpoint/v1/endpoints/%s/update-checks" % ENDPOINT] * 2
    assert SECRET not in json.dumps(result) and "tok-xyz" not in json.dumps(result)


def test_check_mode_asks_central_nothing(monkeypatch, events):
    replay, central = replay_with_central(monkeypatch, events, check_mode=True,
                                          args={"central_update_check": True, "central_options": OPTIONS})
    result = replay.run()
    assert result["changed"] is True and replay.host.restarts == []
    assert central.requests == [] and result["sophos_reboot_cycle"]["central_update_checks"] == []


def test_off_by_default(monkeypatch, events):
    replay, central = replay_with_central(monkeypatch, events, args={"central_options": OPTIONS})
    record = replay.run()["sophos_reboot_cycle"]
    assert record["restarts"] == 2 and central.requests == [] and "central_update_checks" not in record


def test_a_refused_request_is_a_warning_never_a_failed_cycle(monkeypatch, events):
    replay, _central_double = replay_with_central(monkeypatch, events, refuse=True,
                                                  args={"central_update_check": True, "central_options": OPTIONS})
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and not result.get("failed") and len(replay.host.restarts) == 2
    assert [c["status"] for c in record["central_update_checks"]] == ["failed", "failed"]
    assert "HTTP 403" in record["central_update_checks"][0]["message"]
    assert "requestId=r-1" in record["central_update_checks"][0]["message"]
    assert SECRET not in json.dumps(result)


def test_without_credentials_it_is_skipped_with_a_warning(monkeypatch, events):
    replay, central = replay_with_central(monkeypatch, events, fixture="linux_os_reboot_required.yml",
                                          args={"central_update_check": "yes"})
    record = replay.run()["sophos_reboot_cycle"]
    assert central.requests == [] and record["restarts"] >= 1
    assert {c["status"] for c in record["central_update_checks"]} == {"skipped"}
    assert "SOPHOS_CENTRAL_CLIENT_ID" in record["central_update_checks"][0]["message"]


def test_a_bad_flag_is_named_before_anything_runs(monkeypatch, events):
    replay, central = replay_with_central(monkeypatch, events, args={"central_update_check": "perhaps"})
    result = replay.run()
    assert result["failed"] and "reboot_cycle_central_update_check" in result["msg"] and central.requests == []
    assert replay.loader.calls == []


def test_hook_stops_keep_the_requests_in_the_record(monkeypatch, events):
    replay, _double = replay_with_central(monkeypatch, events, args={
        "central_update_check": True, "central_options": OPTIONS, "stop_at": ["before_restart", "after_restart"]})
    result = replay.run()
    while not result["cycle"]["done"]:
        result = replay.run(resume=json.loads(json.dumps(result["cycle"])))
    assert [c["restart"] for c in result["sophos_reboot_cycle"]["central_update_checks"]] == [1, 2]


def test_the_inventorys_endpoint_is_used_without_a_lookup():
    calls = []

    class Client:
        def tenants(self, ids):
            calls.append(("tenants", ids))
            return [{"id": ids[0], "api_host": "https://eu01.test"}]

        def update_check(self, tenant, endpoint_id):
            calls.append(("update_check", tenant["id"], endpoint_id))
            return {"id": "chk"}

        def lookup(self, *args):
            raise AssertionError("no lookup when the inventory names the endpoint")

    endpoint_id, answer = _central.update_check_for(Client(), "srv1", known={"id": ENDPOINT, "tenant_id": TENANT})
    assert (endpoint_id, answer) == (ENDPOINT, {"id": "chk"})
    assert calls == [("tenants", [TENANT]), ("update_check", TENANT, ENDPOINT)]


def test_an_unexpected_answer_is_a_warning_too(monkeypatch, events):
    def broken(*args, **kwargs):
        raise IndexError("no tenant in the answer")

    monkeypatch.setattr(_central, "update_check_for", broken)
    replay, _double = replay_with_central(monkeypatch, events,
                                          args={"central_update_check": True, "central_options": OPTIONS})
    result = replay.run()
    record = result["sophos_reboot_cycle"]
    assert record["status"] == "rebooted" and not result.get("failed")
    assert [c["status"] for c in record["central_update_checks"]] == ["failed", "failed"]
    assert "IndexError: no tenant in the answer" in record["central_update_checks"][0]["message"]


def test_an_unexpected_error_keeps_the_credentials_out_of_the_record(monkeypatch, events):
    def broken(*args, **kwargs):
        raise ValueError("POST /update-checks refused: client_secret=%s, Authorization: Bearer tok-xyz" % SECRET)

    monkeypatch.setattr(_central, "update_check_for", broken)
    replay, _double = replay_with_central(monkeypatch, events,
                                          args={"central_update_check": True, "central_options": OPTIONS})
    result = replay.run()
    checks = result["sophos_reboot_cycle"]["central_update_checks"]
    assert [c["status"] for c in checks] == ["failed", "failed"]
    assert checks[0]["message"].startswith("Sophos Central update-checks: ValueError: POST /update-checks refused")
    shown = json.dumps(result) + json.dumps(replay.warnings) + json.dumps(replay.lines)
    assert SECRET not in shown and "tok-xyz" not in shown
