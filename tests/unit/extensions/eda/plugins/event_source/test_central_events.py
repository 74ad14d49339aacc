# -*- coding: utf-8 -*-
"""The event source fleetops.sophos.central_events (extensions/eda/plugins/event_source/central_events.py),
loaded as ansible-rulebook loads it (``runpy.run_path``), polled with an asyncio queue against a SIEM API
held in memory: the events and their checks, the cursor saved and taken up again, the 24-hour gap, the
options, and HTTP off the event loop."""

from __future__ import absolute_import, division, print_function

import asyncio
import base64
import json
import logging
import os
import runpy
import stat
import subprocess
import sys
import threading

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _central

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))))
SOURCE_PATH = os.path.join(ROOT, "extensions", "eda", "plugins", "event_source", "central_events.py")
SOURCE = runpy.run_path(SOURCE_PATH)
NOW = 1796115600.0  # 2026-12-01T09:00:00Z
TENANT = "a0000000-0000-4000-8000-00000000000a"
REBOOT = "Event::Endpoint::UpdateRebootRequired"
SECRET = "s3cret-Vv81"
ENV = {"SOPHOS_CENTRAL_CLIENT_ID": "cid", "SOPHOS_CENTRAL_CLIENT_SECRET": SECRET}


class Siem:
    """Central for one tenant (tenant credentials), SIEM events only: cursor paging, 24 hours kept, the
    clock in ``now``. Records each request and the thread it came in on."""

    def __init__(self):
        self.now = NOW
        self.events = []   # (seq, created, item)
        self.sent = []
        self.threads = []
        self.fail = []     # statuses to answer the next SIEM requests with

    def add(self, kind=REBOOT, host="WEB1", endpoint_id="e1111111-1111-4111-8111-111111111111", created=None,
            endpoint_type="server"):
        created = self.now if created is None else created
        item = {"id": "ev-%d" % (len(self.events) + 1), "type": kind, "location": host, "endpoint_id": endpoint_id,
                "endpoint_type": endpoint_type, "severity": "low", "when": _central.epoch_to_iso(created),
                "created_at": _central.epoch_to_iso(created), "customer_id": TENANT}
        self.events.append((len(self.events) + 1, created, item))
        return item

    def __call__(self, method, url, headers, data, timeout, validate_certs, ca_path):
        self.threads.append(threading.current_thread())
        path, _sep, query = url.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&") if p)
        self.sent.append((path, params))
        if path.endswith("/oauth2/token"):
            return 200, {}, json.dumps({"access_token": "tok", "expires_in": 3600}).encode()
        if path.endswith("/whoami/v1"):
            return 200, {}, json.dumps({"id": TENANT, "idType": "tenant",
                                        "apiHosts": {"dataRegion": "https://eu.example"}}).encode()
        assert path == "https://eu.example/siem/v1/events" and headers["X-Tenant-ID"] == TENANT
        if self.fail:
            return self.fail.pop(0), {}, json.dumps({"error": "forbidden", "requestId": "r-1"}).encode()
        oldest = self.now - 86400
        after, since = 0, oldest
        if "cursor" in params:
            when, seq = base64.b64decode(params["cursor"].replace("%3D", "=")).decode().split("|")
            if float(when) >= oldest:
                after = int(seq)
        elif "from_date" in params:
            since = float(params["from_date"])
            assert oldest <= since <= self.now, "from_date outside Central's 24 hours"
        items = [e for e in self.events if e[0] > after and e[1] >= since and e[1] >= oldest]
        limit = int(params.get("limit", 200))
        page = items[:limit]
        last = page[-1] if page else None
        cursor = "%s|%d" % (last[1], last[0]) if last else "%s|%d" % (self.now, max([after] + [e[0] for e in self.events]))
        return 200, {}, json.dumps({"has_more": len(items) > limit, "items": [e[2] for e in page],
                                    "next_cursor": base64.b64encode(cursor.encode()).decode()}).encode()

    def siem_requests(self):
        return [params for path, params in self.sent if path.endswith("/siem/v1/events")]


class Queue:
    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)


def make(siem, tmp_path, controller=("ctl",), **args):
    args.setdefault("state_file", str(tmp_path / "state.json"))
    options = SOURCE["read_options"](args, ENV)
    client = _central.Client("cid", SECRET, transport=siem, clock=lambda: siem.now, sleep=lambda s: None)
    return SOURCE["CentralEvents"](options, client=client, controller=list(controller))


def poll(source):
    queue = Queue()
    asyncio.run(source.poll(queue))
    return queue.events


def test_a_restart_required_event_of_a_server_is_one_event_with_its_host_and_the_raw_event(tmp_path):
    siem = Siem()
    raw = siem.add(created=NOW - 600)
    siem.add(kind="Event::Endpoint::UpdateSuccess")
    siem.add(host="LAPTOP-1", endpoint_type="computer")
    [event] = poll(make(siem, tmp_path))
    assert event == {"sophos_central_event": {
        "host": "WEB1", "endpoint_id": "e1111111-1111-4111-8111-111111111111", "endpoint_type": "server",
        "tenant_id": TENANT, "tenant_name": TENANT, "type": REBOOT, "time": "2026-12-01T08:50:00Z",
        "id": "ev-1", "severity": "low", "raw": raw}}


def test_types_and_endpoint_type_choose_the_events(tmp_path):
    siem = Siem()
    siem.add(kind="Event::Endpoint::UpdateSuccess")
    siem.add(host="LAPTOP-1", endpoint_type="computer")
    events = poll(make(siem, tmp_path, types=["Event::Endpoint::UpdateSuccess", REBOOT], endpoint_type="all"))
    assert [(e["sophos_central_event"]["host"], e["sophos_central_event"]["type"]) for e in events] == [
        ("WEB1", "Event::Endpoint::UpdateSuccess"), ("LAPTOP-1", REBOOT)]


@pytest.mark.parametrize("host, problem", [
    ("localhost", "loopback"), ("{{ lookup('pipe', 'id') }}", "not a valid host name"), ("ctl", "the controller"),
    ("web1,db1", "not a valid host name"), (None, "no hostname"), ("all", "as a group")])
def test_an_event_whose_host_name_is_unsafe_is_left_out_naming_the_endpoint(tmp_path, caplog, host, problem):
    siem = Siem()
    siem.add(host=host, endpoint_id="e2222222-2222-4222-8222-222222222222")
    siem.add(host="WEB3")
    with caplog.at_level(logging.WARNING):
        events = poll(make(siem, tmp_path))
    assert [e["sophos_central_event"]["host"] for e in events] == ["WEB3"]
    [line] = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert "endpoint e2222222-2222-4222-8222-222222222222 left out" in line and problem in line


def test_the_cursor_is_saved_and_a_restarted_source_neither_loses_nor_repeats(tmp_path):
    siem = Siem()
    siem.add(host="WEB1")
    assert [e["sophos_central_event"]["host"] for e in poll(make(siem, tmp_path))] == ["WEB1"]
    siem.now += 300
    siem.add(host="WEB2")
    # A new source (the rulebook restarted) with the same state file: only what came since.
    again = make(siem, tmp_path)
    assert [e["sophos_central_event"]["host"] for e in poll(again)] == ["WEB2"]
    assert "cursor" in siem.siem_requests()[-1] and "from_date" not in siem.siem_requests()[-1]
    assert poll(again) == []
    saved = json.loads((tmp_path / "state.json").read_text())
    assert saved["version"] == 1 and saved["tenants"][TENANT]["read_to"] == siem.now
    assert stat.S_IMODE(os.stat(tmp_path / "state.json").st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["state.json"], "no temporary file left beside it"


def test_pages_are_followed_and_the_cursor_saved_after_each(tmp_path):
    siem = Siem()
    for index in range(2500):
        siem.add(host="WEB%d" % index, created=NOW - 3600 + index)
    source = make(siem, tmp_path)
    assert len(poll(source)) == 2500
    requests = siem.siem_requests()
    assert [r.get("limit") for r in requests] == ["1000"] * 3 and "from_date" in requests[0]
    assert "cursor" in requests[1] and "from_date" not in requests[1]


def test_first_start_kept_reads_central_24_hours_now_only_new(tmp_path):
    siem = Siem()
    siem.add(host="OLD", created=NOW - 20 * 3600)
    assert [e["sophos_central_event"]["host"] for e in poll(make(siem, tmp_path))] == ["OLD"]
    assert float(siem.siem_requests()[0]["from_date"]) == NOW - 86400 + SOURCE["MARGIN"]
    siem = Siem()
    siem.add(host="OLD", created=NOW - 20 * 3600)
    assert poll(make(siem, tmp_path / "now", first_start="now")) == []
    assert float(siem.siem_requests()[0]["from_date"]) == NOW


def test_a_cursor_older_than_central_keeps_is_a_gap_event_and_a_fresh_start(tmp_path, caplog):
    siem = Siem()
    siem.add(host="WEB1")
    poll(make(siem, tmp_path))
    siem.now += 30 * 3600
    siem.add(host="WEB2")
    with caplog.at_level(logging.WARNING):
        events = poll(make(siem, tmp_path))
    gap = events[0]["sophos_central_gap"]
    assert gap["tenant_id"] == TENANT and gap["from"] == "2026-12-01T09:00:00Z"
    assert gap["to"] == _central.epoch_to_iso(siem.now - 86400 + SOURCE["MARGIN"])
    assert "may have been missed" in gap["message"] and any("may have been missed" in r.getMessage()
                                                            for r in caplog.records)
    assert [e["sophos_central_event"]["host"] for e in events[1:]] == ["WEB2"]
    assert "cursor" not in siem.siem_requests()[-1], "a stale cursor is not sent"


def test_http_runs_off_the_event_loop(tmp_path):
    siem = Siem()
    siem.add()
    source = make(siem, tmp_path)
    loop_thread = []

    async def run():
        loop_thread.append(threading.current_thread())
        await source.poll(Queue())

    asyncio.run(run())
    assert siem.threads and loop_thread[0] not in siem.threads


def test_a_failed_poll_is_logged_without_the_secret_and_the_next_goes_on(tmp_path, caplog):
    siem = Siem()
    siem.add(host="WEB1")
    source = make(siem, tmp_path)
    siem.fail = [500] * 4
    with caplog.at_level(logging.ERROR):
        assert poll(source) == []
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "siem events" in text and "tried again at the next poll" in text and SECRET not in text
    assert [e["sophos_central_event"]["host"] for e in poll(source)] == ["WEB1"]


def test_options_from_the_environment_and_every_problem_named():
    options = SOURCE["read_options"]({"eda_feedback_queue": object()}, dict(ENV, XDG_STATE_HOME="/st"))
    assert (options["client_id"], options["client_secret"], options["types"], options["endpoint_type"],
            options["interval"], options["first_start"]) == ("cid", SECRET, [REBOOT], "server", 60, "kept")
    assert options["state_file"].startswith("/st/fleetops.sophos/central_events-")
    with pytest.raises(ValueError) as caught:
        SOURCE["read_options"]({"interval": 0, "types": [], "colour": "red", "first_start": "later",
                                "identity_url": "http://id.example", "tenant_ids": "t1"}, ENV)
    text = str(caught.value)
    for named in ("unknown option colour", "interval must be a positive number", "types must be a list",
                  "first_start must be one of kept, now", "identity_url must be an https URL",
                  "tenant_ids must be a list"):
        assert named in text
    with pytest.raises(ValueError, match="client_secret is required"):
        SOURCE["read_options"]({}, {"SOPHOS_CENTRAL_CLIENT_ID": "cid"})


def test_a_state_file_that_cannot_be_read_is_named_and_the_source_starts_anew(tmp_path, caplog):
    (tmp_path / "state.json").write_text("{not json")
    siem = Siem()
    siem.add()
    with caplog.at_level(logging.WARNING):
        assert len(poll(make(siem, tmp_path))) == 1
    assert any("state.json cannot be read" in r.getMessage() for r in caplog.records)


def test_main_polls_and_puts_events_on_the_queue(tmp_path, monkeypatch):
    siem = Siem()
    siem.add(host="WEB9")
    made = make(siem, tmp_path)
    monkeypatch.setitem(SOURCE["main"].__globals__, "CentralEvents", lambda options: made)

    async def run():
        queue = asyncio.Queue()
        task = asyncio.ensure_future(SOURCE["main"](queue, {"client_id": "cid", "client_secret": SECRET,
                                                            "interval": 3600, "state_file": str(tmp_path / "s")}))
        event = await queue.get()
        task.cancel()
        return event

    assert asyncio.run(run())["sophos_central_event"]["host"] == "WEB9"


def test_the_source_loaded_alone_finds_the_collection_around_it(tmp_path):
    """ansible-rulebook runs the file by path from the collections directory; nothing else on sys.path."""
    tree = tmp_path / "collections" / "ansible_collections" / "fleetops"
    tree.mkdir(parents=True)
    os.symlink(ROOT, str(tree / "sophos"))
    path = tree / "sophos" / "extensions" / "eda" / "plugins" / "event_source" / "central_events.py"
    code = ("import runpy, sys; sys.path[:] = [p for p in sys.path if 'collections' not in p]; "
            "m = runpy.run_path(sys.argv[1]); print(m['_central'].__file__)")
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False,
                         cwd=str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().startswith(str(tmp_path / "collections" / "ansible_collections"))
