# -*- coding: utf-8 -*-
"""plugin_utils/_after_restart.py: the steps after each restart, each returning an entry."""

from __future__ import absolute_import, division, print_function

from ansible_collections.fleetops.sophos.plugins.module_utils import _central
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _after_restart

SECRET = "s3cr3t-Value-91"
OPTIONS = {"client_id": "cid", "client_secret": SECRET, "identity_url": "https://id.test",
           "global_url": "https://api.test"}
INSTALLED = {"reasons": [], "sophos": {"installed": True}, "os": {}}
STATE = {"boots": [{"boot_id": "a"}, {"boot_id": "b"}], "restarts": 1}


class Host(object):
    def __init__(self, windows, answers):
        self.windows = windows
        self.answers = list(answers)
        self.calls = []

    def module(self, name, args):
        self.calls.append((name, args))
        return self.answers.pop(0)


# ------------------------------------------------------------ Central update check

def test_no_credentials_is_a_skipped_entry(monkeypatch):
    entry = _after_restart.central_update_check(1, "srv1", {}, None, {})
    assert entry["status"] == "skipped" and entry["restart"] == 1
    assert _central.ENV["client_secret"] in entry["message"]


def test_an_unexpected_error_names_its_type_without_the_secret(monkeypatch):
    def broken(client, hostname, known=None, tenant_ids=None):
        raise ValueError("bad answer to POST with client_secret=%s Authorization: Bearer tok-1" % SECRET)

    monkeypatch.setattr(_central, "update_check_for", broken)
    entry = _after_restart.central_update_check(2, "srv1", OPTIONS, None, {})
    assert entry["status"] == "failed" and entry["restart"] == 2
    assert entry["message"].startswith("Sophos Central update-checks: ValueError: bad answer to POST")
    assert SECRET not in entry["message"] and "tok-1" not in entry["message"]


def test_a_requested_check_carries_the_endpoint_and_the_check(monkeypatch):
    monkeypatch.setattr(_central, "update_check_for",
                        lambda client, hostname, known=None, tenant_ids=None: ("e-1", {"id": "chk-1"}))
    entry = _after_restart.central_update_check(1, "srv1", OPTIONS, {"id": "e-1"}, {})
    assert entry == {"restart": 1, "status": "requested", "endpoint_id": "e-1", "id": "chk-1", "message": None}


# ------------------------------------------------------------ update trigger

def test_the_linux_trigger_reads_the_unit_then_starts_it():
    host = Host(False, [{"rc": 0, "stdout": "LoadState=loaded\nActiveState=inactive\n"}, {"changed": True}])
    outcome = _after_restart.update_trigger(host, STATE, INSTALLED)
    assert outcome["triggered"] is True
    assert [name for name, _args in host.calls] == [_after_restart.UNIT_READ, _after_restart.UNIT_START]
    assert host.calls[1][1] == {"name": "sophos-spl-update.service", "state": "started", "no_block": True}


def test_the_windows_trigger_runs_the_tool():
    host = Host(True, [{"path": "C:/x/SAUcli.exe", "exited": True, "rc": 0}])
    outcome = _after_restart.update_trigger(host, STATE, INSTALLED)
    assert outcome["triggered"] is True and host.calls == [(_after_restart.WINDOWS_TRIGGER, {})]


def test_no_trigger_without_sophos():
    host = Host(False, [])
    outcome = _after_restart.update_trigger(host, STATE, {"reasons": [], "sophos": {"installed": False}, "os": {}})
    assert outcome["triggered"] is None and host.calls == []
