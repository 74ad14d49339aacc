# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: health gates run - read-only checks, polled with a bound.

The checks' rules and names are ``module_utils/_health.py``. A ``url`` and a ``tcp`` check are made from the
controller, a ``command`` on the host through the action's module runner (``ansible.builtin.command``, on
Windows ``ansible.windows.win_command``, with an argv: no shell). What a check observed is shown without
credentials (the URL's user and password, its query).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import socket

from ansible.module_utils.six.moves.urllib.error import HTTPError
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible.module_utils.urls import open_url

from ansible_collections.fleetops.sophos.plugins.module_utils import _central, _health, _time

COMMAND = "ansible.builtin.command"
WINDOWS_COMMAND = "ansible.windows.win_command"
_BODY_LIMIT = 1024 * 1024


def _short(text, limit=200):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _secrets(url):
    parts = urlsplit(url)
    return tuple(s for s in (parts.password, parts.username, parts.query, url) if s)


def check_url(check, opener=open_url):
    """``(passed, observed)`` of a url check, from the controller."""
    url = check["url"]
    try:
        response = opener(url, method="GET", validate_certs=check["validate_certs"], timeout=check["timeout"],
                          follow_redirects="safe")
        status = response.getcode()
        body = response.read(_BODY_LIMIT)
    except HTTPError as exc:
        status = exc.code
        body = exc.read(_BODY_LIMIT) if hasattr(exc, "read") else b""
    except Exception as exc:  # pylint: disable=broad-except
        # A refused connection, a certificate, a timeout: the message is not ours and may quote the URL.
        return False, _short(_central.safe_error(exc, _secrets(url)))
    if status not in check["status_code"]:
        return False, "status %s (expected %s)" % (status, ", ".join(str(code) for code in check["status_code"]))
    if check["contains"] is not None:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        if check["contains"] not in text:
            return False, "status %s, the body does not contain %r" % (status, check["contains"])
    return True, "status %s" % status


def check_tcp(check, address, connect=socket.create_connection):
    """``(passed, observed)`` of a tcp check: a connection from the controller to the port."""
    target = check["host"] or address
    try:
        connection = connect((target, check["port"]), check["timeout"])
    except (socket.error, OSError) as exc:
        return False, "%s:%d: %s" % (target, check["port"], _short(getattr(exc, "strerror", None) or exc))
    connection.close()
    return True, "%s:%d accepts connections" % (target, check["port"])


def check_command(check, host):
    """``(passed, observed)`` of a command check, run on the host."""
    result = host.module(WINDOWS_COMMAND if host.windows else COMMAND, {"argv": list(check["argv"])})
    rc = result.get("rc")
    output = (result.get("stderr") or result.get("stdout") or result.get("msg") or "").strip().splitlines()
    observed = "rc %s%s" % (rc, (": " + _short(output[0])) if output else "")
    return rc == 0 and not result.get("failed"), observed


def run_once(checks, host, when):
    """One pass of every check: one result each (``check``, ``when``, ``passed``, ``observed``)."""
    results = []
    for check in checks:
        if check["kind"] == "url":
            passed, observed = check_url(check)
        elif check["kind"] == "tcp":
            passed, observed = check_tcp(check, host.address)
        else:
            passed, observed = check_command(check, host)
        results.append({"check": _health.describe(check), "when": when, "passed": passed, "observed": observed})
    return results


def poll(checks, host, when, settings, now, sleep, show):
    """Every check until all pass or ``health_timeout`` runs out, every ``health_poll_seconds``.

    Returns the last pass's results, each with the number of ``polls`` and the ``seconds`` it took.
    """
    started = now()
    polls = 0
    while True:
        polls += 1
        results = run_once(checks, host, when)
        elapsed = (now() - started).total_seconds()
        failure = _health.first_failure(results)
        if failure is None or elapsed >= settings["health_timeout"]:
            for result in results:
                result.update(polls=polls, seconds=round(elapsed, 1))
            return results
        show("health checks %s: waiting for %s (%s left)"
             % (when, failure, _time.human_seconds(settings["health_timeout"] - elapsed)))
        sleep(max(1, int(math.ceil(min(settings["health_poll_seconds"], settings["health_timeout"] - elapsed)))))
