# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleetops.sophos.central_events: an ansible-rulebook event source that polls Sophos Central's SIEM events.

ansible-rulebook finds it through ``ansible-galaxy collection list`` (the collections path) and runs this
file alone (``runpy.run_path``), not as part of a package: ``_central`` (the collection's Central client) is
imported as ``ansible_collections.fleetops.sophos.plugins.module_utils._central`` - from the Python path when
the collection is there, else from the collections directory this file sits in.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
short_description: Sophos Central's restart-required events, as Central's SIEM API gives them.
description:
  - An ansible-rulebook event source that polls Sophos Central's SIEM events (C(/siem/v1/events), cursor
    paging) of every tenant the API credential reaches and puts one event on the queue for each event of
    the chosen types - by default C(Event::Endpoint::UpdateRebootRequired), which Central sends the moment an
    update needs a restart (its two-week "Reboot required" alert comes 14 days later).
  - "Each event: C(sophos_central_event) with C(host) (Central's name of the endpoint, checked as the
    C(fleetops.sophos.central) inventory checks it), C(endpoint_id), C(endpoint_type), C(tenant_id),
    C(tenant_name), C(type), C(time) (ISO-8601 UTC, Central's C(when)), C(id), C(severity) and C(raw) (the
    event as Central gave it; data from outside, never to be templated)."
  - An event whose host name could reach the controller or is no host name (none, not RFC 1123, a loopback
    name, C(all)/C(ungrouped), the controller's own) is not put on the queue; a warning names its endpoint id.
  - "The cursor of every tenant is saved to O(state_file) (written whole, then renamed) after the events
    of each page are on the queue, with the ids of that page: a restarted rulebook goes on where it
    stopped, without losing or repeating events."
  - "Central keeps 24 hours. A source stopped longer, whose cursor Central no longer serves, starts again at
    the oldest event Central keeps and puts C(sophos_central_gap) on the queue: C(tenant_id), C(tenant_name),
    C(from) and C(to) (ISO-8601 UTC: events of that time may have been missed) and C(message). A restart
    pending since then is still seen by the C(fleetops.sophos.facts) playbook or, after two weeks, by
    Central's alert (the C(fleetops.sophos.central) inventory)."
  - Blocking HTTP runs in a worker thread, off the event loop. A failed poll is logged (never the secret)
    and tried again at the next interval from the saved cursor; a tenant that answers 403 is skipped with a
    warning when the credential is a partner's or an organization's.
  - Needs ansible-core in the Python that runs ansible-rulebook (as the collection's client does).
options:
  client_id:
    description: Client ID of a Sophos Central API credential (tenant, partner or organization).
    type: str
    env: SOPHOS_CENTRAL_CLIENT_ID
  client_secret:
    description: Its client secret. Prefer the environment variable to the rulebook.
    type: str
    env: SOPHOS_CENTRAL_CLIENT_SECRET
  identity_url:
    description: An https URL (http only to 127.0.0.1 or localhost, for a test double).
    type: str
    default: https://id.sophos.com
    env: SOPHOS_CENTRAL_IDENTITY_URL
  global_url:
    description: An https URL (http only to 127.0.0.1 or localhost).
    type: str
    default: https://api.central.sophos.com
    env: SOPHOS_CENTRAL_GLOBAL_URL
  validate_certs:
    description: Verify Central's TLS certificates.
    type: bool
    default: true
  ca_path:
    description: PEM file of CA certificates to verify Central with.
    type: str
  tenant_ids:
    description: With partner or organization credentials, only these tenants.
    type: list
    elements: str
  timeout:
    description: Seconds to wait for one answer (retried as the inventory's are).
    type: int
    default: 30
  types:
    description: The event types to put on the queue.
    type: list
    elements: str
    default: [Event::Endpoint::UpdateRebootRequired]
  endpoint_type:
    description: Events of which endpoints (Central's C(endpoint_type)).
    type: str
    choices: [server, computer, all]
    default: server
  interval:
    description: Seconds between two polls.
    type: int
    default: 60
  state_file:
    description:
      - Where the cursors are saved. Default C($XDG_STATE_HOME/fleetops.sophos/central_events-<key>.json)
        (C(~/.local/state) without C(XDG_STATE_HOME)), C(<key>) naming the credential and URLs.
    type: str
  first_start:
    description:
      - Without a saved cursor, V(kept) reads every event Central keeps (24 hours), V(now) only new ones.
    type: str
    choices: [kept, now]
    default: kept
"""

EXAMPLES = r"""
- name: Restart-required events from Sophos Central
  hosts: all
  sources:
    - fleetops.sophos.central_events:
        interval: 60
        state_file: /var/lib/eda/sophos-central-events.json
  rules:
    - name: A server needs a restart
      condition: event.sophos_central_event is defined
      action:
        run_playbook:
          name: fleetops.sophos.facts
          extra_vars:
            facts_hosts: "{{ event.sophos_central_event.host }}"
            facts_restart_required_at: "{{ event.sophos_central_event.time }}"
"""

import asyncio
import hashlib
import json
import logging
import os
import sys
import tempfile

LOGGER = logging.getLogger(__name__)
OPTIONS = ("client_id", "client_secret", "identity_url", "global_url", "validate_certs", "ca_path", "tenant_ids",
           "timeout", "types", "endpoint_type", "interval", "state_file", "first_start")
FIRST_STARTS = ("kept", "now")
# A cursor is taken as Central's while it is younger than 24 hours less this margin (a poll's duration).
MARGIN = 120
STATE_VERSION = 1


def central_client_module():
    """The collection's ``_central``: from the Python path, else from the collections tree of this file
    (``…/ansible_collections/fleetops/sophos/extensions/eda/plugins/event_source/central_events.py``)."""
    try:
        from ansible_collections.fleetops.sophos.plugins.module_utils import _central  # pylint: disable=import-outside-toplevel
        return _central
    except ImportError:
        pass
    parts = os.path.abspath(globals().get("__file__") or "").split(os.sep)
    if len(parts) < 9 or parts[-8:-5] != ["ansible_collections", "fleetops", "sophos"]:
        raise ImportError("fleetops.sophos.central_events: the collection fleetops.sophos is neither on the Python "
                          "path nor around this file (%s)" % os.sep.join(parts))
    sys.path.append(os.sep.join(parts[:-8]) or os.sep)
    from ansible_collections.fleetops.sophos.plugins.module_utils import _central  # pylint: disable=import-outside-toplevel
    return _central


_central = central_client_module()


def default_state_file(options, environ):
    base = environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    scope = "|".join(str(options.get(name)) for name in ("client_id", "identity_url", "global_url"))
    return os.path.join(base, "fleetops.sophos",
                        "central_events-%s.json" % hashlib.sha256(scope.encode()).hexdigest()[:12])


def read_options(args, environ):
    """The source's arguments (and the environment) → options, or ValueError naming every problem."""
    args = dict((k, v) for k, v in (args or {}).items() if not k.startswith("eda_"))
    problems = ["unknown option %s (known: %s)" % (name, ", ".join(OPTIONS)) for name in sorted(args)
                if name not in OPTIONS]
    options = _central.controller_options(dict((k, v) for k, v in args.items() if k in OPTIONS), environ)
    options.setdefault("types", [_central.RESTART_EVENT_TYPE])
    options.setdefault("endpoint_type", _central.DEFAULTS["endpoint_type"])
    options.setdefault("interval", 60)
    options.setdefault("first_start", "kept")
    problems.extend(_central.check_options(dict(options, page_size=_central.DEFAULTS["page_size"])))
    types = options["types"]
    if not isinstance(types, list) or not types or not all(isinstance(t, str) and t for t in types):
        problems.append("types must be a list of Central event types such as %s, got %r"
                        % (_central.RESTART_EVENT_TYPE, types))
    interval = options["interval"]
    if not isinstance(interval, (int, float)) or isinstance(interval, bool) or interval <= 0:
        problems.append("interval must be a positive number of seconds, got %r" % (interval,))
    if options["first_start"] not in FIRST_STARTS:
        problems.append("first_start must be one of %s, got %r" % (", ".join(FIRST_STARTS), options["first_start"]))
    tenant_ids = options.get("tenant_ids")
    if tenant_ids is not None and (not isinstance(tenant_ids, list) or not all(isinstance(t, str) for t in tenant_ids)):
        problems.append("tenant_ids must be a list of tenant ids, got %r" % (tenant_ids,))
    if problems:
        raise ValueError("fleetops.sophos.central_events: " + "; ".join(problems))
    options.setdefault("state_file", default_state_file(options, environ))
    return options


def load_state(path):
    """The saved cursors ``{tenant id: {cursor, read_to, recent_ids}}``; {} when there is none. A file
    that cannot be read is named in a warning and not used (the source then starts as the first time)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        LOGGER.warning("fleetops.sophos.central_events: the state file %s cannot be read (%s); starting as the "
                       "first time", path, exc)
        return {}
    tenants = data.get("tenants") if isinstance(data, dict) and data.get("version") == STATE_VERSION else None
    if not isinstance(tenants, dict):
        LOGGER.warning("fleetops.sophos.central_events: the state file %s is not one this source wrote; starting "
                       "as the first time", path)
        return {}
    return dict((k, v) for k, v in tenants.items() if isinstance(v, dict))


def save_state(path, tenants):
    """All cursors, written whole to a file beside ``path`` and renamed over it (never half a file)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", dir=directory, prefix=".central_events-", suffix=".tmp",
                                         delete=False, encoding="utf-8")
    try:
        with handle:
            json.dump({"version": STATE_VERSION, "tenants": tenants}, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        try:
            os.unlink(handle.name)
        except OSError:
            pass
        raise


class CentralEvents:
    """The source's work, one poll at a time. ``client``, ``controller`` are for tests."""

    def __init__(self, options, client=None, controller=None):
        self.options = options
        self.client = client or _central.client_from(options, warn=lambda message: LOGGER.warning("%s", message))
        self.controller = _central.controller_names() if controller is None else controller
        self.types = set(options["types"])
        self.state_file = options["state_file"]
        self.state = load_state(self.state_file)

    def _secrets(self):
        return [self.options.get("client_secret") or ""]

    async def poll(self, queue):
        """One poll of every tenant; a failure is logged and the next poll starts from the saved cursor."""
        try:
            tenants = await asyncio.to_thread(self.client.tenants, self.options.get("tenant_ids"))
        except _central.CentralError as exc:
            LOGGER.error("fleetops.sophos.central_events: %s", _central.safe_error(exc, self._secrets()))
            return
        tenant_credentials = (self.client.whoami() or {}).get("idType") == "tenant"
        for tenant in tenants:
            try:
                await self.poll_tenant(queue, tenant)
            except _central.TenantForbidden as exc:
                if tenant_credentials:
                    LOGGER.error("fleetops.sophos.central_events: the tenant credentials may not read the SIEM events "
                                 "of their own tenant %s: %s", tenant["id"], _central.safe_error(exc, self._secrets()))
                else:
                    LOGGER.warning("fleetops.sophos.central_events: tenant %s (%s) skipped: %s", tenant["name"],
                                   tenant["id"], _central.safe_error(exc, self._secrets()))
            except _central.CentralError as exc:
                LOGGER.error("fleetops.sophos.central_events: tenant %s (%s): %s; tried again at the next poll",
                             tenant["name"], tenant["id"], _central.safe_error(exc, self._secrets()))

    async def poll_tenant(self, queue, tenant):
        saved = self.state.get(tenant["id"]) or {}
        now = self.client.clock()
        oldest = now - _central.SIEM_KEPT + MARGIN
        cursor, from_date = saved.get("cursor"), None
        read_to = saved.get("read_to")
        if cursor and (not isinstance(read_to, (int, float)) or read_to < oldest):
            await queue.put(self.gap(tenant, read_to, oldest))
            cursor, from_date = None, oldest
        elif not cursor:
            from_date = oldest if self.options["first_start"] == "kept" else now
        recent = set(saved.get("recent_ids") or [])
        pages = self.client.siem(tenant, "events", cursor, from_date)
        while True:
            asked = self.client.clock()
            page = await asyncio.to_thread(next, pages, None)
            if page is None:
                break
            items, next_cursor = page
            for item in items:
                if item.get("id") in recent:
                    continue
                event = self.event(tenant, item)
                if event is not None:
                    await queue.put(event)
            recent = set(item.get("id") for item in items if isinstance(item.get("id"), str))
            if next_cursor:
                self.state[tenant["id"]] = {"cursor": next_cursor, "read_to": asked, "recent_ids": sorted(recent)}
                await asyncio.to_thread(save_state, self.state_file, self.state)

    def gap(self, tenant, read_to, oldest):
        since = _central.epoch_to_iso(read_to) if isinstance(read_to, (int, float)) else None
        message = ("Sophos Central keeps SIEM events 24 hours; tenant %s (%s) was last read %s: events from then "
                   "to %s may have been missed" % (tenant["name"], tenant["id"], since or "at an unknown time",
                                                   _central.epoch_to_iso(oldest)))
        LOGGER.warning("fleetops.sophos.central_events: %s", message)
        return {"sophos_central_gap": {"tenant_id": tenant["id"], "tenant_name": tenant["name"], "from": since,
                                       "to": _central.epoch_to_iso(oldest), "message": message}}

    def event(self, tenant, item):
        """One SIEM event → the queue's event, or None (another type or endpoint type, or a host name that
        cannot safely be one: then a warning names the endpoint id)."""
        if item.get("type") not in self.types:
            return None
        endpoint_type = item.get("endpoint_type")
        if self.options["endpoint_type"] != "all" and endpoint_type != self.options["endpoint_type"]:
            return None
        host = item.get("location")
        problem = _central.host_name_problem(host, self.controller)
        if problem:
            LOGGER.warning("fleetops.sophos.central_events: Sophos Central event %s of endpoint %s left out: %s",
                           _central.shown_id(item.get("id")), _central.shown_id(item.get("endpoint_id")), problem)
            return None
        return {"sophos_central_event": {
            "host": host, "endpoint_id": item.get("endpoint_id"), "endpoint_type": endpoint_type,
            "tenant_id": tenant["id"], "tenant_name": tenant["name"], "type": item.get("type"),
            "time": _central.iso_utc(item.get("when") or item.get("created_at")), "id": item.get("id"),
            "severity": item.get("severity"), "raw": item}}


async def main(queue, args):
    """Poll Sophos Central's SIEM events every ``interval`` seconds and put the chosen ones on ``queue``."""
    source = CentralEvents(read_options(args, os.environ))
    while True:
        await source.poll(queue)
        await asyncio.sleep(source.options["interval"])


if __name__ == "__main__":
    class _PrintQueue:
        """Prints the events (a try from the command line: the SOPHOS_CENTRAL_* variables set)."""

        async def put(self, event):
            print(json.dumps(event))

    asyncio.run(main(_PrintQueue(), {"interval": 60}))
