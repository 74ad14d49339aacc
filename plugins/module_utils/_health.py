# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: health gates (``reboot_cycle_health_checks``, ``..._before``), pure: no I/O.

Each check is one of
- ``url``: checked from the controller; ``status_code`` (a list, default ``[200]``), optional ``contains``
  (text the body must contain), ``validate_certs`` (default true), ``timeout`` (seconds, default 10);
- ``tcp``: a port on the host, or ``host:port``; connected to from the controller;
- ``command``: an argv list run on the host (``ansible.builtin.command``); rc 0 passes.
This module checks and normalises the items and names a check for people: a URL without its user, password,
query or fragment, so no credential reaches output, logs or the report. The checks are run by
``plugin_utils/_gates.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six.moves.urllib.parse import urlsplit, urlunsplit

from ansible_collections.fleetops.sophos.plugins.module_utils import _settings

KINDS = ("url", "tcp", "command")
_URL_KEYS = ("url", "status_code", "contains", "validate_certs", "timeout", "name")
_TCP_KEYS = ("tcp", "timeout", "name")
_COMMAND_KEYS = ("command", "name")


def _error(name, index, text):
    return _settings.SettingError("%s[%d]: %s" % (name, index, text))


def _keys(item, allowed, name, index):
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        raise _error(name, index, "unknown key(s) %s (a check takes %s)" % (", ".join(unknown), ", ".join(allowed)))


def safe_url(url):
    """The URL as shown to people: no user or password, no query, no fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = "[%s]" % host
        if parts.port:
            host += ":%d" % parts.port
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "(a URL that cannot be parsed)"


def describe(check):
    """The check in a few words, without credentials: ``url https://db1/health``, ``tcp 1433``, ``command a b``."""
    if check.get("name"):
        return check["name"]
    if check["kind"] == "url":
        return "url %s" % safe_url(check["url"])
    if check["kind"] == "tcp":
        return "tcp %s" % ("%s:%d" % (check["host"], check["port"]) if check["host"] else check["port"])
    return "command %s" % " ".join(check["argv"])


def _tcp(value, name, index):
    host, port = None, value
    if isinstance(value, str) and ":" in value:
        host, _colon, port = value.strip().rpartition(":")
        host = host.strip("[]")
        if not host:
            raise _error(name, index, "tcp %r has no host before its port" % value)
    try:
        port = _settings.number(port, "port", minimum=1, integer=True)
    except _settings.SettingError:
        port = 0
    if not 1 <= port <= 65535:
        raise _error(name, index, "tcp must be a port (1-65535) or host:port, got %r" % (value,))
    return host, port


def _timeout(item, name, index):
    try:
        return _settings.number(item.get("timeout", 10), "timeout", minimum=0, above=True)
    except _settings.SettingError as exc:
        raise _error(name, index, str(exc))


def checks(value, name):
    """The normalised checks of ``value`` (a list of dicts; empty or None: none). A bad item raises SettingError."""
    if value is None or value == "":
        return []
    if not isinstance(value, (list, tuple)):
        raise _settings.SettingError("%s must be a list of checks (url, tcp or command), got %s"
                                     % (name, type(value).__name__))
    normalised = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _error(name, index, "a check must be a dict with one of %s, got %r" % (", ".join(KINDS), item))
        kinds = [kind for kind in KINDS if kind in item]
        if len(kinds) != 1:
            raise _error(name, index, "a check needs exactly one of %s, got keys %s"
                         % (", ".join(KINDS), ", ".join(sorted(item)) or "none"))
        label = item.get("name")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise _error(name, index, "name must be a non-empty string")
        if kinds[0] == "url":
            _keys(item, _URL_KEYS, name, index)
            url = item["url"]
            parts = urlsplit(url.strip()) if isinstance(url, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
                raise _error(name, index, "url must be an http:// or https:// URL, got %s"
                             % (safe_url(url) if isinstance(url, str) else repr(url)))
            codes = item.get("status_code", [200])
            codes = codes if isinstance(codes, (list, tuple)) else [codes]
            try:
                codes = [_settings.number(code, "status_code", minimum=100, integer=True) for code in codes]
            except _settings.SettingError as exc:
                raise _error(name, index, str(exc))
            contains = item.get("contains")
            if contains is not None and not isinstance(contains, str):
                raise _error(name, index, "contains must be a string")
            try:
                validate = _settings.flag(item.get("validate_certs", True), "validate_certs")
            except _settings.SettingError as exc:
                raise _error(name, index, str(exc))
            normalised.append({"kind": "url", "url": url.strip(), "status_code": codes or [200],
                               "contains": contains, "validate_certs": validate,
                               "timeout": _timeout(item, name, index), "name": label})
        elif kinds[0] == "tcp":
            _keys(item, _TCP_KEYS, name, index)
            host, port = _tcp(item["tcp"], name, index)
            normalised.append({"kind": "tcp", "host": host, "port": port, "timeout": _timeout(item, name, index),
                               "name": label})
        else:
            _keys(item, _COMMAND_KEYS, name, index)
            argv = item["command"]
            if not isinstance(argv, (list, tuple)) or not argv or \
                    not all(isinstance(arg, (str, int, float)) and not isinstance(arg, bool) for arg in argv):
                raise _error(name, index, "command must be an argv list (program and its arguments, no shell), "
                                          "got %r" % (argv,))
            normalised.append({"kind": "command", "argv": [str(arg) for arg in argv], "name": label})
    return normalised


def first_failure(results):
    """``"<check>: <observed>"`` of the first failed result, or None when all passed."""
    for result in results:
        if not result["passed"]:
            return "%s: %s" % (result["check"], result["observed"])
    return None
