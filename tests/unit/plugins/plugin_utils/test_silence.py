# -*- coding: utf-8 -*-
"""Alertmanager silences (plugin_utils/_silence.py): the option's rules, the matchers and the payload, and
the requests against a loopback stand-in (tests/unit/fake_alertmanager.py) that answers, answers 500 or
never answers. The real Alertmanager: tests/integration/test_silence.py."""

from __future__ import absolute_import, division, print_function

import base64
import json
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.plugin_utils import _silence
from ansible_collections.fleetops.sophos.tests.unit import fake_clock
from ansible_collections.fleetops.sophos.tests.unit.fake_alertmanager import FakeAlertmanager

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
SECRET = "am-secret-Zt93"


def _option(url, **extra):
    option = {"url": url, "matchers": None, "lease_minutes": 30, "timeout": 5, "validate_certs": True,
              "ca_path": None, "auth": None}
    option.update(extra)
    return option


class Lines(object):
    def __init__(self):
        self.shown, self.warned = [], []


def _made(option, clock, lines, host="web.example.com", **extra):
    return _silence.Silence(option, host, extra.pop("address", None), "started 2026-12-07T02:00:00Z, pid 7",
                            now=clock.time, show=lines.shown.append, warn=lines.warned.append,
                            heartbeat=extra.pop("heartbeat", False), **extra)


# ---------------------------------------------------------------- matchers and payload

def test_the_default_matcher_is_the_instance_label_with_the_host_regex_escaped():
    [matcher] = _silence.matchers({"matchers": None}, "web.example.com")
    assert matcher == {"name": "instance", "value": r"web\.example\.com(:.*)?", "isRegex": True, "isEqual": True}
    pattern = re.compile(matcher["value"])
    assert pattern.fullmatch("web.example.com:9100") and pattern.fullmatch("web.example.com")
    # An unescaped dot would also silence another host.
    assert not pattern.fullmatch("webXexample.com:9100") and not pattern.fullmatch("web.example.com.evil")
    assert _silence.matcher_text(matcher) == r'instance=~"web\.example\.com(:.*)?"'


def test_configured_matchers_fill_the_host_and_address_literally_when_not_regex():
    option = {"matchers": [{"name": "host", "value": "{host}", "regex": False, "equal": True},
                           {"name": "addr", "value": "{address}:9100", "regex": True, "equal": True},
                           {"name": "job", "value": "blackbox", "regex": False, "equal": False}]}
    built = _silence.matchers(option, "db+1.example.com", "10.0.0.5")
    assert [(m["name"], m["value"], m["isRegex"], m["isEqual"]) for m in built] == [
        ("host", "db+1.example.com", False, True), ("addr", r"10\.0\.0\.5:9100", True, True),
        ("job", "blackbox", False, False)]
    assert _silence.matcher_text(built[2]) == 'job!="blackbox"'


def test_the_payload_is_a_lease_from_now_named_for_the_run():
    body = _silence.payload(_option("http://am", lease_minutes=2), "srv1", None, "AWX job 42, pid 7",
                            T0, T0 + timedelta(minutes=2))
    assert body["startsAt"] == "2026-12-07T02:00:00.000Z" and body["endsAt"] == "2026-12-07T02:02:00.000Z"
    assert body["createdBy"] == "fleetops.sophos" and "srv1" in body["comment"] and "AWX job 42" in body["comment"]
    assert "id" not in body
    assert _silence.payload(_option("http://am"), "srv1", None, "r", T0, T0, "abc")["id"] == "abc"


# ---------------------------------------------------------------- the option's rules

def test_every_problem_of_the_option_is_named_at_once():
    found = _silence.problems({"url": "ftp://am", "lease_minutes": 0.5, "timeout": 100,
                               "matchers": [{"name": "bad-name", "value": "(", "regex": True}],
                               "auth": {"user": "u"}})
    text = "\n".join(found)
    assert len(found) == 7, found
    for part in ("url must be an http:// or https:// URL", "lease_minutes must be between 1 and 240, got 0.5",
                 "timeout must be between 1 and 60, got 100", "matchers[0].name must be a label name",
                 "matchers[0].value is not a regular expression", "no value names the host",
                 ):
        assert part in text, (part, found)
    assert "auth needs both user and password" in text
    assert all(line.startswith("reboot_cycle_silence.") for line in found)


@pytest.mark.parametrize("lease,good", [(1, True), (240, True), (30, True), (0.99, False), (241, False), (0, False)])
def test_the_lease_is_bounded(lease, good):
    assert (_silence.problems(_option("https://am:9093", lease_minutes=lease)) == []) is good


@pytest.mark.parametrize("option,message", [
    ({"lease_minutes": 5}, "url is required"),
    ({"url": "https://user:pw@am"}, "must not hold credentials"),
    ({"url": "https://am/?x=1"}, "without a query"),
    ({"url": "https://am", "auth": {"token": "t", "user": "u", "password": "p"}}, "a token or a user and password"),
])
def test_bad_options(option, message):
    found = _silence.problems(option)
    assert len(found) == 1 and message in found[0], found
    assert "pw" not in found[0]


# ---------------------------------------------------------------- against a loopback Alertmanager

def test_create_extend_when_due_and_expire():
    clock, lines = fake_clock.Clock(T0), Lines()
    with FakeAlertmanager() as am:
        silence = _made(_option(am.url + "/", lease_minutes=3, auth={"token": SECRET}), clock, lines)
        silence.create()
        silence.keep()  # not due yet: a third of the lease
        clock.sleep(59)
        silence.keep()
        clock.sleep(1)
        silence.keep()
        silence.expire()
        assert am.methods() == ["create", "extend", "DELETE /api/v2/silence/%s" % silence.id]
    create, extend = am.requests[0][3], am.requests[1][3]
    assert am.requests[0][1] == "/api/v2/silences"
    assert create["endsAt"] == "2026-12-07T02:03:00.000Z"
    # The same silence, the same start, its end moved to now + lease (never further).
    assert extend["id"] == silence.id and extend["startsAt"] == create["startsAt"]
    assert extend["endsAt"] == "2026-12-07T02:04:00.000Z" and extend["matchers"] == create["matchers"]
    assert all(headers["Authorization"] == "Bearer " + SECRET for _m, _p, headers, _b in am.requests)
    record = silence.record()
    assert record["status"] == "expired" and record["extensions"] == 1 and record["warning"] is None
    assert record["from"] == "2026-12-07T02:00:00.000Z" and record["to"] == "2026-12-07T02:01:00.000Z"
    assert SECRET not in json.dumps(record) + json.dumps(silence.carry()) + "".join(lines.shown)
    assert lines.warned == [] and any(silence.id in line for line in lines.shown)


def test_basic_auth_is_sent_and_kept_out_of_everything():
    clock, lines = fake_clock.Clock(T0), Lines()
    with FakeAlertmanager() as am:
        silence = _made(_option(am.url, auth={"user": "fleet", "password": SECRET}), clock, lines)
        silence.create()
        silence.expire()
    expected = "Basic " + base64.b64encode(("fleet:" + SECRET).encode()).decode()
    assert [headers["Authorization"] for _m, _p, headers, _b in am.requests] == [expected, expected]
    assert SECRET not in json.dumps(silence.record()) + "".join(lines.shown + lines.warned)


def test_an_alertmanager_answering_500_is_one_warning():
    clock, lines = fake_clock.Clock(T0), Lines()
    with FakeAlertmanager("500") as am:
        silence = _made(_option(am.url, auth={"token": SECRET}), clock, lines)
        silence.create()
        silence.keep(force=True)
        silence.expire()
        assert am.methods() == ["create"]  # nothing more after a silence that was not made
    [warning] = lines.warned
    assert "could not create the silence: POST /api/v2/silences answered 500" in warning
    assert "web.example.com" in warning and SECRET not in warning
    record = silence.record()
    assert record["status"] == "failed" and record["id"] is None and record["warning"] in warning


def test_an_alertmanager_that_never_answers_times_out_as_a_warning():
    clock, lines = fake_clock.Clock(T0), Lines()
    with FakeAlertmanager("hang") as am:
        silence = _made(_option(am.url, timeout=1), clock, lines)
        silence.create()
    [warning] = lines.warned
    assert "could not create the silence: POST /api/v2/silences failed: " in warning and "timed out" in warning
    assert silence.record()["status"] == "failed"


def test_a_failed_extension_warns_once_and_a_failed_expiry_leaves_the_lease():
    clock, lines = fake_clock.Clock(T0), Lines()
    with FakeAlertmanager() as am:
        silence = _made(_option(am.url, lease_minutes=1), clock, lines)
        silence.create()
        am.mode = "500"
        for _tick in range(3):
            clock.sleep(30)
            silence.keep()
        silence.expire()
    assert am.methods()[0] == "create" and am.methods()[1:4] == ["extend"] * 3
    assert len(lines.warned) == 2, lines.warned
    assert "could not extend silence %s (it ends at 2026-12-07T02:01:00.000Z" % silence.id in lines.warned[0]
    assert "could not expire silence %s (it ends by itself at 2026-12-07T02:01:00.000Z)" % silence.id \
        in lines.warned[1]
    record = silence.record()
    assert record["status"] == "lapsing" and record["to"] == "2026-12-07T02:01:00.000Z"


def test_a_carried_silence_is_extended_on_resume_and_not_created_again():
    clock, lines = fake_clock.Clock(T0), Lines()
    with FakeAlertmanager() as am:
        first = _made(_option(am.url), clock, lines)
        first.create()
        clock.sleep(600)  # a hook ran
        carried = json.loads(json.dumps(first.carry()))
        second = _made(_option(am.url), clock, lines, carried=carried)
        second.resume()
        second.create()
        second.expire()
        assert am.methods() == ["create", "extend", "DELETE /api/v2/silence/%s" % first.id]
    assert am.requests[1][3]["startsAt"] == "2026-12-07T02:00:00.000Z"
    assert am.requests[1][3]["endsAt"] == "2026-12-07T02:40:00.000Z"


class RealClock(object):
    @staticmethod
    def time():
        return datetime.now(timezone.utc)


def test_the_heartbeat_extends_while_a_step_blocks_and_stops_when_paused():
    clock, lines = RealClock(), Lines()
    with FakeAlertmanager() as am:
        silence = _made(_option(am.url), clock, lines, heartbeat=True)
        silence.interval = 0.01
        extended = threading.Event()
        original = silence.keep

        def keep(force=False):
            original(force)
            if silence.extensions >= 2:
                extended.set()
        silence.keep = keep
        silence.create()
        assert extended.wait(30), am.methods()  # the main thread blocks here, as in a restart
        silence.pause()
        count = len(am.requests)
        assert silence._thread is None and am.methods()[:3] == ["create", "extend", "extend"]
        silence.expire()
        assert am.methods()[count:] == ["DELETE /api/v2/silence/%s" % silence.id]


def test_a_worker_whose_run_died_extends_no_more():
    """ansible-playbook killed: its worker (a session of its own) lives on, but the silence must lapse."""
    clock, lines, run = fake_clock.Clock(T0), Lines(), {"alive": True}
    with FakeAlertmanager() as am:
        silence = _made(_option(am.url, lease_minutes=1), clock, lines, alive=lambda: run["alive"])
        silence.create()
        clock.sleep(30)
        silence.keep()
        run["alive"] = False
        for _tick in range(3):
            clock.sleep(30)
            silence.keep()
        assert am.methods() == ["create", "extend"]
    [warning] = lines.warned
    assert "the run's ansible-playbook process is gone: silence %s is no longer extended and ends by itself at " \
        "2026-12-07T02:01:30.000Z" % silence.id in warning
