# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: notifications sent from the controller (``report_notify``).

The messages are ``module_utils/_notify.py`` (pure); this sends them: chat and webhook targets with
``ansible.module_utils.urls.open_url`` (TLS verified unless a target says otherwise, a short bounded
timeout, no redirects followed), e-mail targets with the ``community.general.mail`` module through the
caller's ``mail`` function (the report's action runs it on the controller).

A notification never changes an outcome: every failure (refused, timed out, 4xx/5xx, a bad certificate,
anything raised) is one warning and one entry (``_notify.entry``) and the run goes on. Neither holds the
target's URL (only its scheme and host) or a password: an error's text is scrubbed of both.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.six.moves.urllib.error import HTTPError
from ansible.module_utils.urls import open_url

from ansible_collections.fleetops.sophos.plugins.module_utils import _notify

USER_AGENT = "fleetops.sophos-notify/1"


def scrub(text, target):
    """``text`` without the target's secrets (its URL, the URL's path and query, its password)."""
    text = str(text)
    url = target.get("url")
    if isinstance(url, str) and url:
        text = text.replace(url, _notify.redacted_url(url))
        rest = url.split("://", 1)[-1]
        path = rest[rest.find("/"):] if "/" in rest else ""
        if len(path) > 1:
            text = text.replace(path, "/...")
    password = target.get("password")
    if isinstance(password, str) and password:
        text = text.replace(password, "********")
    return text


def post(target, body, opener=open_url):
    """POST ``body`` as JSON to an HTTP target: ``(ok, status, error)``; never raises."""
    data = json.dumps(body, sort_keys=True).encode("utf-8")
    try:
        response = opener(target["url"], data=data, method="POST", timeout=target["timeout"],
                          headers={"Content-Type": "application/json"}, http_agent=USER_AGENT,
                          validate_certs=target["validate_certs"], ca_path=target.get("ca_path"),
                          follow_redirects="none", use_netrc=False)
        status = response.getcode()
        response.read(65536)
        return True, status, None
    except HTTPError as exc:
        return False, exc.code, scrub("HTTP %s %s" % (exc.code, exc.reason), target)
    except Exception as exc:  # pylint: disable=broad-except
        return False, None, scrub("%s: %s" % (type(exc).__name__, exc), target)


class Notifier(object):
    """Sends one event to every target that asked for it and keeps an entry per target.

    ``targets``: normalized (``_notify.normalize_targets``); ``warn``: a warning line; ``mail``: a function
    ``(target, subject, body, attachment) -> (ok, status, error)`` (None: e-mail cannot be sent from here);
    ``check_mode``: the run is a check run, ``in_check_mode``: send even so (the messages say so).
    """

    def __init__(self, targets, warn, link=None, check_mode=False, in_check_mode=False, mail=None, opener=open_url):
        self.targets = targets
        self.warn = warn
        self.link = link or None
        self.check_mode = bool(check_mode)
        self.in_check_mode = bool(in_check_mode)
        self.mail = mail
        self.opener = opener
        self.entries = []

    @property
    def quiet(self):
        """A check run sends nothing unless asked to."""
        return self.check_mode and not self.in_check_mode

    def send(self, message, host=None, attachment=None):
        """Send ``message`` (``_notify.summary_message`` or ``host_message``) to the targets of its event."""
        if self.quiet:
            return []
        sent = []
        for target in _notify.wanted(self.targets, message["event"]):
            if target["type"] == "email":
                if self.mail is None:
                    continue
                subject, body = _notify.email_text(message)
                try:
                    ok, status, error = self.mail(target, subject, body, attachment)
                except Exception as exc:  # pylint: disable=broad-except
                    ok, status, error = False, None, "%s: %s" % (type(exc).__name__, exc)
            else:
                ok, status, error = post(target, _notify.BUILDERS[target["type"]](message), self.opener)
            record = _notify.entry(target, message["event"], ok, status=status,
                                   error=scrub(error, target) if error else None, host=host)
            if not ok:
                self.warn("notification %s to %s (%s) failed: %s; the run goes on"
                          % (message["event"] + (" (host %s)" % host if host else ""), record["target"],
                             target["type"], record["error"]))
            sent.append(record)
        self.entries.extend(sent)
        return sent

    def host_event(self, event, host, record, title=None, run=None):
        """One host's event (``_notify.HOST_EVENTS``) to the targets that opted in."""
        if not _notify.wanted(self.targets, event):
            return []
        return self.send(_notify.host_message(event, host, record, link=self.link, check_mode=self.check_mode,
                                              title=title or "Sophos restart report", run=run), host=host)


def host_events(record):
    """The per-host events an ended cycle's record gives: its status's, and ``group_stopped``."""
    events = []
    status = (record or {}).get("status")
    if status == "rebooted":
        events.append("restarted")
    elif status in ("still_pending", "failed", "deferred"):
        events.append(status)
    if (record or {}).get("stopped_groups"):
        events.append("group_stopped")
    return events
