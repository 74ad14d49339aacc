# -*- coding: utf-8 -*-
"""Health gates: the checks' rules (module_utils/_health.py) and their runs (plugin_utils/_gates.py) against a
real HTTP server and real TCP ports on this machine; a command through a recorded module runner."""

from __future__ import absolute_import, division, print_function

import socket
import threading
from datetime import datetime, timezone

import pytest

from ansible.module_utils.six.moves.BaseHTTPServer import BaseHTTPRequestHandler, HTTPServer

from ansible_collections.fleetops.sophos.plugins.module_utils import _health, _settings
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _gates
from ansible_collections.fleetops.sophos.tests.unit import fake_clock


T0 = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
SETTINGS = {"health_poll_seconds": 10, "health_timeout": 60}


class Handler(BaseHTTPRequestHandler):
    answers = {"/ok": (200, b"state: ready"), "/busy": (503, b"starting")}

    def do_GET(self):  # pylint: disable=invalid-name
        status, body = self.answers.get(self.path.split("?")[0], (404, b"no"))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever)
    thread.daemon = True
    thread.start()
    yield "http://127.0.0.1:%d" % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def _closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class Host(object):
    address = "127.0.0.1"

    def __init__(self, results=(), windows=False):
        self.results = list(results)
        self.calls = []
        self.windows = windows

    def module(self, name, args):
        self.calls.append((name, args))
        return self.results.pop(0)


def _one(item):
    return _health.checks([item], "reboot_cycle_health_checks")


def test_checks_are_normalised():
    assert _health.checks([{"url": "https://db1/health"}, {"tcp": 1433}, {"tcp": "[::1]:5432", "timeout": 2},
                           {"command": ["systemctl", "is-active", "mssql-server"], "name": "sql up"}], "x") == [
        {"kind": "url", "url": "https://db1/health", "status_code": [200], "contains": None,
         "validate_certs": True, "timeout": 10, "name": None},
        {"kind": "tcp", "host": None, "port": 1433, "timeout": 10, "name": None},
        {"kind": "tcp", "host": "::1", "port": 5432, "timeout": 2, "name": None},
        {"kind": "command", "argv": ["systemctl", "is-active", "mssql-server"], "name": "sql up"}]
    assert _health.checks(None, "x") == [] and _health.checks("", "x") == []


@pytest.mark.parametrize("item, message", [
    ({"url": "ftp://x/"}, "url must be an http:// or https:// URL, got ftp://x/"),
    ({"url": "https://user:s3cret@db1/h?token=abc"}, None),
    ({"url": "https://db1/", "tcp": 1}, "a check needs exactly one of url, tcp, command"),
    ({"tcp": 0}, "tcp must be a port (1-65535) or host:port, got 0"),
    ({"tcp": ":80"}, "tcp ':80' has no host before its port"),
    ({"command": "systemctl is-active x"},
     "command must be an argv list (program and its arguments, no shell), got 'systemctl is-active x'"),
    ({"command": ["true"], "name": " "}, "name must be a non-empty string"),
    ({"url": "https://db1/", "status_code": ["ok"]}, "status_code must be an integer number"),
    ({"url": "https://db1/", "status_code": [200, 42]}, "status_code must be >= 100, got 42"),
    ({"url": "https://db1/", "contains": 200}, "contains must be a string"),
    ({"url": "https://db1/", "validate_certs": "maybe"}, "validate_certs must be true or false"),
    ({"url": "https://db1/", "timeout": 0}, "timeout must be > 0, got 0"),
    ({"tcp": 1433, "timeout": "0"}, "timeout must be > 0, got '0'"),
    ({"url": "https://db1/", "header": {}}, "unknown key(s) header"),
    ("tcp 80", "a check must be a dict"),
])
def test_a_bad_check_names_the_variable_and_the_item(item, message):
    if message is None:
        assert _one(item)[0]["url"] == "https://user:s3cret@db1/h?token=abc"
        return
    with pytest.raises(_settings.SettingError) as info:
        _one(item)
    assert str(info.value).startswith("reboot_cycle_health_checks[0]: " + message)
    assert "s3cret" not in str(info.value)


def test_a_url_is_shown_without_credentials():
    check = _one({"url": "https://admin:s3cret@db1.example:8443/health?token=abc#x"})[0]
    assert _health.describe(check) == "url https://db1.example:8443/health"
    check = _one({"url": "http://admin:s3cret@[fd00::1]:8080/health?token=abc"})[0]
    assert _health.describe(check) == "url http://[fd00::1]:8080/health"
    with pytest.raises(_settings.SettingError) as info:
        _one({"url": "gopher://admin:s3cret@db1/"})
    assert "s3cret" not in str(info.value) and "admin" not in str(info.value)


def test_url_checks_against_a_real_server(server):
    host = Host()
    checks = _health.checks([
        {"url": server + "/ok", "contains": "ready"},
        {"url": server + "/busy", "status_code": [200, 204]},
        {"url": server + "/ok", "contains": "degraded"},
        {"url": server.replace("127.0.0.1", "user:pw-secret@127.0.0.1") + "/busy?key=k-secret",
         "status_code": 503},
    ], "x")
    results = _gates.run_once(checks, host, "after")
    assert [(r["passed"], r["observed"]) for r in results] == [
        (True, "status 200"), (False, "status 503 (expected 200, 204)"),
        (False, "status 200, the body does not contain 'degraded'"), (True, "status 503")]
    assert "secret" not in repr(results)


def test_an_unreachable_url_is_a_failure_without_credentials():
    url = "http://user:pw-secret@127.0.0.1:%d/x?key=k-secret" % _closed_port()
    passed, observed = _gates.check_url(_one({"url": url, "timeout": 2})[0])
    assert not passed and observed and "secret" not in observed


def test_tcp_checks_against_real_ports():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        open_port = listener.getsockname()[1]
        results = _gates.run_once(_health.checks([{"tcp": open_port}, {"tcp": "127.0.0.1:%d" % _closed_port()}],
                                                 "x"), Host(), "after")
    finally:
        listener.close()
    assert results[0]["passed"] and results[0]["observed"] == "127.0.0.1:%d accepts connections" % open_port
    assert not results[1]["passed"] and results[1]["check"].startswith("tcp 127.0.0.1:")


def test_a_command_runs_on_the_host_as_an_argv():
    host = Host([{"rc": 0, "stdout": "active"}, {"rc": 3, "stdout": "inactive\nmore", "failed": True}])
    checks = _health.checks([{"command": ["systemctl", "is-active", "x"]}] * 2, "x")
    results = _gates.run_once(checks, host, "before")
    assert host.calls == [("ansible.builtin.command", {"argv": ["systemctl", "is-active", "x"]})] * 2
    assert [(r["check"], r["when"], r["passed"], r["observed"]) for r in results] == [
        ("command systemctl is-active x", "before", True, "rc 0: active"),
        ("command systemctl is-active x", "before", False, "rc 3: inactive")]


def test_a_command_on_windows_runs_through_win_command():
    """ansible.builtin.command does not run on a Windows host: the DC-pair check of docs/awx.md goes to
    ansible.windows.win_command, still as an argv."""
    host = Host([{"rc": 0, "stdout": ""}], windows=True)
    argv = ["powershell.exe", "-NoProfile", "-Command", "exit 0"]
    results = _gates.run_once(_health.checks([{"command": argv}], "x"), host, "after")
    assert host.calls == [("ansible.windows.win_command", {"argv": argv})]
    assert results[0]["passed"] is True and results[0]["observed"] == "rc 0"


def test_polling_stops_when_all_pass_and_is_bounded_by_the_timeout():
    clock = fake_clock.Clock(T0)
    lines = []
    host = Host([{"rc": 1, "stderr": "not yet"}, {"rc": 1, "stderr": "not yet"}, {"rc": 0}])
    checks = _health.checks([{"command": ["true"]}], "x")
    results = _gates.poll(checks, host, "after", SETTINGS, clock.time, clock.sleep, lines.append)
    assert results[0]["passed"] and results[0]["polls"] == 3 and clock.sleeps == [10, 10]
    assert lines[0] == "health checks after: waiting for command true: rc 1: not yet (1m00s left)"
    clock = fake_clock.Clock(T0)
    host = Host([{"rc": 1, "stderr": "down"}] * 20)
    results = _gates.poll(checks, host, "after", SETTINGS, clock.time, clock.sleep, lambda line: None)
    assert not results[0]["passed"] and results[0]["polls"] == 7 and sum(clock.sleeps) == 60
