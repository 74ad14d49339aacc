# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: an Alertmanager silence for one host's reboot cycle (``reboot_cycle_silence``).

The silence is a lease: created (``POST /api/v2/silences``) just before the host's first restart,
ending ``lease_minutes`` later; extended while the cycle runs (the same silence POSTed again with its
id, its end moved to now + lease: at each step and, from a thread of the action, every minute while a
restart or a settle blocks); expired (``DELETE /api/v2/silence/{id}``) when the cycle ends, however it
ends. A run that dies leaves a silence that ends by itself within one lease.

A silence never changes a host's outcome: a request that fails, times out or is answered 4xx/5xx is
one warning and a line in the record (``sophos_reboot_cycle.silence``). The credentials (``auth``)
never reach the record, a message or the report.

HTTP goes through ``ansible.module_utils.urls.open_url`` (TLS verified unless ``validate_certs: false``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import threading
from datetime import datetime, timedelta, timezone

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible.module_utils.urls import open_url

CREATED_BY = "fleetops.sophos"
# The lease's bounds (minutes): one minute at least (the lab's tests use it), four hours at most.
LEASE_MIN, LEASE_MAX, LEASE_DEFAULT = 1, 240, 30
TIMEOUT_MIN, TIMEOUT_MAX, TIMEOUT_DEFAULT = 1, 60, 10
# The default matcher: the host's Prometheus instance label, with or without a port.
DEFAULT_MATCHERS = ({"name": "instance", "value": "{host}(:.*)?", "regex": True, "equal": True},)
# The placeholders a matcher's value may hold (filled by plain replacement, never templated).
PLACEHOLDERS = ("{host}", "{address}")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

# The option as the action's argument spec checks it (types; the bounds and the rest are problems()').
OPTIONS = {
    "url": {"type": "str"},
    "matchers": {"type": "list", "elements": "dict", "options": {
        "name": {"type": "str", "required": True},
        "value": {"type": "str", "required": True},
        "regex": {"type": "bool", "default": True},
        "equal": {"type": "bool", "default": True},
    }},
    "lease_minutes": {"type": "float", "default": LEASE_DEFAULT},
    "timeout": {"type": "float", "default": TIMEOUT_DEFAULT},
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path"},
    "auth": {"type": "dict", "options": {
        "user": {"type": "str"},
        "password": {"type": "str", "no_log": True},
        "token": {"type": "str", "no_log": True},
    }},
}
NAME = "reboot_cycle_silence"


def problems(option):
    """Every problem of the option (given: not empty) after the argument spec's checks, one line each;
    ``[]`` when it is good. Values of a wrong type are left to the spec's messages."""
    if not isinstance(option, dict):
        return []
    found = []
    url = option.get("url")
    if not url:
        found.append("%s.url is required (the Alertmanager's base URL, e.g. https://alertmanager:9093)" % NAME)
    elif isinstance(url, str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            found.append("%s.url must be an http:// or https:// URL with a host, got %r" % (NAME, url))
        elif parts.username is not None or parts.password is not None:
            found.append("%s.url must not hold credentials: give them in %s.auth" % (NAME, NAME))
        elif parts.query or parts.fragment:
            found.append("%s.url must be the Alertmanager's base URL, without a query or fragment" % NAME)
    for key, low, high in (("lease_minutes", LEASE_MIN, LEASE_MAX), ("timeout", TIMEOUT_MIN, TIMEOUT_MAX)):
        value = option.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not low <= value <= high:
            found.append("%s.%s must be between %s and %s, got %s" % (NAME, key, low, high, value))
    given = [matcher for matcher in option.get("matchers") or [] if isinstance(matcher, dict)]
    for index, matcher in enumerate(given):
        label = matcher.get("name")
        if isinstance(label, str) and not _LABEL_NAME.match(label):
            found.append("%s.matchers[%d].name must be a label name ([a-zA-Z_][a-zA-Z0-9_]*), got %r"
                         % (NAME, index, label))
        value = matcher.get("value")
        if isinstance(value, str) and matcher.get("regex", True):
            try:
                re.compile(value.replace("{host}", "h").replace("{address}", "a"))
            except re.error as exc:
                found.append("%s.matchers[%d].value is not a regular expression: %s" % (NAME, index, exc))
    if given and not any(isinstance(item.get("value"), str) and any(mark in item["value"] for mark in PLACEHOLDERS)
                         for item in given):
        found.append("%s.matchers: no value names the host ({host} or {address}): the silence would cover "
                     "every host's alerts" % NAME)
    auth = option.get("auth") or {}
    if isinstance(auth, dict):
        if auth.get("token") and (auth.get("user") or auth.get("password")):
            found.append("%s.auth takes a token or a user and password, not both" % NAME)
        elif bool(auth.get("user")) != bool(auth.get("password")):
            found.append("%s.auth needs both user and password" % NAME)
    return found


def option_problems(value):
    """Every problem of a ``reboot_cycle_silence`` value as given (empty: none), one line each: the types
    the argument spec checks, then problems()' rules, so a run can name them all before any host is touched."""
    if not value:
        return []
    validation = ArgumentSpecValidator({NAME: {"type": "dict", "options": OPTIONS}}).validate({NAME: value})
    if validation.error_messages:
        return list(validation.error_messages)
    return problems(validation.validated_parameters[NAME])


def matchers(option, host, address=None):
    """The silence's matchers for ``host``: each value's placeholders replaced by the host name (and its
    address), regex-escaped in a regex matcher."""
    built = []
    for matcher in option.get("matchers") or DEFAULT_MATCHERS:
        regex = bool(matcher.get("regex", True))
        fill = re.escape if regex else (lambda text: text)
        value = matcher["value"].replace("{host}", fill(host)).replace("{address}", fill(address or host))
        built.append({"name": matcher["name"], "value": value, "isRegex": regex,
                      "isEqual": bool(matcher.get("equal", True))})
    return built


def lease(option):
    return timedelta(minutes=float(option.get("lease_minutes") or LEASE_DEFAULT))


def stamp(moment):
    """RFC 3339 in UTC, to the millisecond, as Alertmanager writes it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def comment(host, run):
    return "fleetops.sophos.reboot_cycle: %s is being restarted (run %s); ends with the cycle" % (host, run)


def payload(option, host, address, run, starts, ends, silence_id=None):
    """The body of ``POST /api/v2/silences`` (with ``silence_id``: the same silence, extended)."""
    body = {"matchers": matchers(option, host, address), "startsAt": stamp(starts), "endsAt": stamp(ends),
            "createdBy": CREATED_BY, "comment": comment(host, run)}
    if silence_id:
        body["id"] = silence_id
    return body


def _same_parent(parent):
    """Whether this process's parent is still ``parent`` (an orphan's is init or a subreaper)."""
    def alive():
        return os.getppid() == parent
    return alive


class SilenceError(Exception):
    """One request to Alertmanager failed (the message holds no credential)."""


def request(option, method, path, body=None):
    """One request to Alertmanager: its JSON answer (None when empty); raises SilenceError."""
    url = option["url"].rstrip("/") + path
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    auth = option.get("auth") or {}
    kwargs = {}
    if auth.get("token"):
        headers["Authorization"] = "Bearer " + auth["token"]
    elif auth.get("user"):
        kwargs = {"url_username": auth["user"], "url_password": auth["password"], "force_basic_auth": True}
    try:
        response = open_url(url, data=data, headers=headers, method=method,
                            validate_certs=option.get("validate_certs", True), ca_path=option.get("ca_path"),
                            timeout=float(option.get("timeout") or TIMEOUT_DEFAULT), follow_redirects="none",
                            **kwargs)
        text = response.read()
    except Exception as exc:  # pylint: disable=broad-except
        raise SilenceError(_failure(method, path, exc))
    if not text or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise SilenceError("%s %s: the answer is not JSON" % (method, path))


def _failure(method, path, exc):
    """A failed request in words: the status and Alertmanager's message, or the error (no credential)."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        try:
            detail = exc.read().decode("utf-8", "replace").strip()
        except Exception:  # pylint: disable=broad-except
            detail = ""
        return "%s %s answered %d%s" % (method, path, code, (": " + detail[:200]) if detail else "")
    reason = getattr(exc, "reason", None) or exc
    return "%s %s failed: %s" % (method, path, str(reason)[:300] or type(exc).__name__)


class Silence(object):
    """One host's silence across the calls of its cycle.

    ``option``: the checked option; ``host``/``address``: the names its matchers are built from; ``run``:
    the run the comment names; ``now``: the clock; ``show``/``warn``: the two kinds of line;
    ``heartbeat``: extend from a thread while a step blocks (off in the replay tests); ``carried``: what
    an earlier call of the same cycle returned (carry()); ``alive``: whether the run is still there (default:
    this worker's parent, the ansible-playbook process, is the one it started with). A worker outlives a
    killed ansible-playbook (it is a session of its own): it then extends no more, so the silence lapses.
    """

    def __init__(self, option, host, address, run, now, show, warn, heartbeat=True, carried=None, alive=None):
        self.option = option
        self.host = host
        self.address = address
        self.run = run
        self.now = now
        self.show = show
        self.warn = warn
        self.heartbeat = heartbeat
        carried = dict(carried or {})
        self.id = carried.get("id")
        self.starts = carried.get("from")
        self.ends = carried.get("to")
        self.status = carried.get("status")  # None: not asked for yet
        self.extensions = int(carried.get("extensions") or 0)
        self.warning = carried.get("warning")
        self.extended_at = None
        self.alive = alive or _same_parent(os.getppid())
        self.orphaned = False
        # Seconds between two extensions: a minute, or a third of a shorter lease.
        self.interval = min(60.0, lease(option).total_seconds() / 3.0)
        self._lock = threading.Lock()
        self._stop = None
        self._thread = None

    def _warn(self, message):
        self.warning = message
        self.warn("%s: reboot_cycle silence: %s (the cycle goes on)" % (self.host, message))

    def _post(self, now, silence_id):
        starts = self.starts_at() if silence_id else now
        ends = now + lease(self.option)
        body = payload(self.option, self.host, self.address, self.run, starts, ends, silence_id)
        answer = request(self.option, "POST", "/api/v2/silences", body)
        new_id = (answer or {}).get("silenceID") if isinstance(answer, dict) else None
        if not isinstance(new_id, str) or not new_id:
            raise SilenceError("POST /api/v2/silences: the answer has no silenceID")
        self.id, self.ends = new_id, stamp(ends)
        if not silence_id:
            self.starts = stamp(starts)
        self.extended_at = now

    def starts_at(self):
        return datetime.strptime(self.starts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)

    def create(self):
        """Silence the host (once per cycle): before its first restart."""
        with self._lock:
            if self.status is not None:
                return
            try:
                self._post(self.now(), None)
            except SilenceError as exc:
                self.status = "failed"
                self._warn("could not create the silence: %s" % exc)
                return
            self.status = "active"
        self.show("silenced in Alertmanager: silence %s until %s (a lease of %s min, extended while the cycle runs)"
                  % (self.id, self.ends, _minutes(self.option)))
        self.start_heartbeat()

    def keep(self, force=False):
        """Extend an active silence to now + lease when an extension is due (or ``force``)."""
        with self._lock:
            if self.status != "active":
                return
            now = self.now()
            if not force and self.extended_at is not None and \
                    (now - self.extended_at).total_seconds() < self.interval:
                return
            if not self.alive():
                if not self.orphaned:
                    self.orphaned = True
                    self._warn("the run's ansible-playbook process is gone: silence %s is no longer extended and "
                               "ends by itself at %s" % (self.id, self.ends))
                return
            try:
                self._post(now, self.id)
                self.extensions += 1
            except SilenceError as exc:
                if self.warning is None:
                    self._warn("could not extend silence %s (it ends at %s unless a later extension works): %s"
                               % (self.id, self.ends, exc))
                self.extended_at = now

    def resume(self):
        """A later call of the same cycle: extend at once, then keep extending."""
        if self.status == "active":
            self.keep(force=True)
            self.start_heartbeat()

    def start_heartbeat(self):
        if not self.heartbeat or self._thread is not None:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="fleetops-silence")
        self._thread.daemon = True
        self._thread.start()

    def _beat(self):
        while not self._stop.wait(self.interval):
            self.keep()

    def pause(self):
        """Stop the thread (the action returns at a hook point; the lease covers the hook)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = self._stop = None

    def expire(self):
        """The cycle ended: expire the silence (a failure leaves it to lapse at its end)."""
        self.pause()
        with self._lock:
            if self.status != "active":
                return
            try:
                request(self.option, "DELETE", "/api/v2/silence/%s" % self.id)
            except SilenceError as exc:
                self.status = "lapsing"
                self._warn("could not expire silence %s (it ends by itself at %s): %s" % (self.id, self.ends, exc))
                return
            self.status = "expired"
            self.ends = stamp(self.now())
        self.show("expired silence %s" % self.id)

    def carry(self):
        """What the next call of the cycle needs (and the record holds): no option, no credential."""
        return {"status": self.status, "id": self.id, "from": self.starts, "to": self.ends,
                "extensions": self.extensions, "warning": self.warning}

    def record(self):
        """The host record's ``silence``: None when none was asked for."""
        if self.status is None:
            return None
        return dict(self.carry(), matchers=matchers(self.option, self.host, self.address),
                    lease_minutes=_minutes(self.option))

    def would_create(self):
        """Check mode: what would be created, and a line saying it."""
        record = {"status": "check_mode", "id": None, "from": None, "to": None, "extensions": 0, "warning": None,
                  "matchers": matchers(self.option, self.host, self.address), "lease_minutes": _minutes(self.option)}
        self.show("check mode: would silence %s in Alertmanager (matchers %s, a lease of %s min) before restarting"
                  % (self.host, ", ".join(matcher_text(item) for item in record["matchers"]), record["lease_minutes"]))
        return record


def matcher_text(matcher):
    """A matcher as Alertmanager writes it: ``instance=~"web\\.example\\.com(:.*)?"``."""
    operator = {(True, False): "=", (True, True): "=~", (False, False): "!=", (False, True): "!~"}[
        (bool(matcher["isEqual"]), bool(matcher["isRegex"]))]
    return '%s%s"%s"' % (matcher["name"], operator, matcher["value"])


def _minutes(option):
    value = float(option.get("lease_minutes") or LEASE_DEFAULT)
    return int(value) if value == int(value) else value
