# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the Sophos Central client behind the ``central`` inventory plugin and the
``central_endpoint_info`` / ``central_update_check`` modules.

Two halves:

* pure pieces, no I/O: the next page of either paging model, the ``sophos_central`` shape of one endpoint
  and its alerts, which alert says a restart is pending, exact short-name matching, option checks;
* ``Client``: HTTP through ``ansible.module_utils.urls.open_url`` (TLS verified unless told otherwise,
  ``ca_path``, the usual ``https_proxy`` / ``no_proxy`` environment), a client-credentials token renewed
  before it expires and once on a 401, bounded retries on 429 / 5xx / timeouts / answers cut off, and
  errors that name the call and Central's ``error`` / ``message`` / ``requestId``. The secret and the
  token never enter an error, a warning or a return value; they go only to https URLs (``secure_url``).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re
import socket
import time

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.http_client import HTTPException
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode, urlsplit
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError, open_url

from ansible_collections.fleetops.sophos.plugins.module_utils._time import epoch_to_iso, iso_to_epoch

# Defaults of every Central option, for the three plugins (their DOCUMENTATION repeats them; a unit
# test compares).
DEFAULTS = {
    "identity_url": "https://id.sophos.com",
    "global_url": "https://api.central.sophos.com",
    "validate_certs": True,
    "timeout": 30,
    "page_size": 500,
    "endpoint_type": "server",
}
ENV = {"client_id": "SOPHOS_CENTRAL_CLIENT_ID", "client_secret": "SOPHOS_CENTRAL_CLIENT_SECRET",
       "identity_url": "SOPHOS_CENTRAL_IDENTITY_URL", "global_url": "SOPHOS_CENTRAL_GLOBAL_URL"}
ENDPOINT_PAGE_MAX = 500
# Central documents no maximum for alerts; clients in use keep to 100.
ALERT_PAGE_SIZE = 100
TENANT_PAGE_SIZE = 100
# The SIEM API's largest page; it keeps 24 hours of events and alerts (``from_date`` only within them).
SIEM_LIMIT = 1000
SIEM_KEPT = 24 * 3600
# A lookup asks Central for each name (hostnameContains) up to this many names, and lists each tenant
# once for more; ids go in chunks of IDS_CHUNK (the ``ids`` filter is a comma list in the URL).
LOOKUP_NAMES_EACH = 20
IDS_CHUNK = 100
ENDPOINT_TYPES = ("server", "computer", "all")
URGENT_RESTART_TYPE = "Event::Endpoint::UpdateRebootUrgentlyRequired"
# Central raises URGENT_RESTART_TYPE when a restart has been pending more than two weeks (Sophos' "Server
# restarts" page); the immediate restart-required event is RESTART_EVENT_TYPE (SIEM, kept 24 hours).
URGENT_RESTART_DAYS = 14
RESTART_EVENT_TYPE = "Event::Endpoint::UpdateRebootRequired"
_RESTART_TYPE = re.compile(r"(reboot|restart).*(required|needed)", re.I)
# A token is renewed this long before Central says it expires (Sophos' own client uses 120 s).
TOKEN_MARGIN = 120
RETRIES = 3
RETRY_AFTER_MAX = 60
MAX_PAGES = 10000
_REQUEST_ID_KEYS = ("requestId", "correlationId", "trackingId")
# Central's endpoint ids are UUIDs; an id is checked before it goes into a URL path or an ``ids`` filter.
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
# The only hosts a URL may name over plain http (a local test double): the secret and the bearer token
# go to every URL the client is given or told (identity_url, global_url, a tenant's apiHost).
LOOPBACK_HTTP_HOSTS = ("127.0.0.1", "localhost")
# A host name Ansible can use: RFC 1123 labels (letters, digits, hyphens inside; the underscore of
# Windows computer names too), at most 253 characters. Nothing else, so no host-pattern metacharacter
# (, : [ ] * ! & ~ ^ whitespace) and nothing Jinja can read as a template.
_HOST_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\Z")
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
                   "localhost6.localdomain6", "ip6-localhost", "ip6-loopback", "loopback")
# Names that Ansible's host patterns read as groups: a host of that name could never be chosen alone.
_RESERVED_NAMES = ("all", "ungrouped")


# The connection options of the central_* modules (doc fragment fleetops.sophos.central).
MODULE_ARGS = {
    "client_id": {"type": "str", "fallback": (env_fallback, [ENV["client_id"]])},
    "client_secret": {"type": "str", "no_log": True, "fallback": (env_fallback, [ENV["client_secret"]])},
    "identity_url": {"type": "str", "default": DEFAULTS["identity_url"],
                     "fallback": (env_fallback, [ENV["identity_url"]])},
    "global_url": {"type": "str", "default": DEFAULTS["global_url"], "fallback": (env_fallback, [ENV["global_url"]])},
    "validate_certs": {"type": "bool", "default": DEFAULTS["validate_certs"]},
    "ca_path": {"type": "path"},
    "tenant_ids": {"type": "list", "elements": "str"},
    "timeout": {"type": "int", "default": DEFAULTS["timeout"]},
    "hostnames": {"type": "list", "elements": "str", "default": []},
    "ids": {"type": "list", "elements": "str", "default": []},
}


class CentralError(Exception):
    """A Central call that failed: names the call, never a secret or a token."""

    def __init__(self, call, message, status=None, body=None):
        self.call = call
        self.status = status
        self.body = body if isinstance(body, dict) else {}
        detail = describe_error(self.body)
        text = "Sophos Central %s: %s" % (call, message)
        if status is not None:
            text += " (HTTP %s)" % status
        if detail:
            text += ": " + detail
        super(CentralError, self).__init__(text)


class TenantForbidden(CentralError):
    """A tenant that answers 403 (no Partner Assistance, trial): skipped, the others go on."""


# --------------------------------------------------------------------------- pure pieces

def describe_error(body):
    """Central's error body (``error``, ``errorCode``, ``message``, ``requestId``…) → one line."""
    if not isinstance(body, dict):
        return ""
    parts = []
    for key in ("error", "errorCode", "message"):
        value = body.get(key)
        if isinstance(value, str) and value:
            parts.append("%s=%s" % (key, value))
    for key in _REQUEST_ID_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value:
            parts.append("%s=%s" % (key, value))
            break
    return ", ".join(parts)


def check_options(options):
    """Problems in the Central options, each naming its option; [] when all is well."""
    problems = []
    for name in ("client_id", "client_secret"):
        if not options.get(name):
            problems.append("%s is required (option %s or environment variable %s)" % (name, name, ENV[name]))
    for name in ("identity_url", "global_url"):
        value = options.get(name)
        if not secure_url(value):
            problems.append("%s must be an https URL such as %s (http only to %s, for a local test), got %r"
                            % (name, DEFAULTS[name], " or ".join(LOOPBACK_HTTP_HOSTS), value))
    timeout = options.get("timeout")
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        problems.append("timeout must be a positive number of seconds, got %r" % (timeout,))
    page_size = options.get("page_size", DEFAULTS["page_size"])
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= ENDPOINT_PAGE_MAX:
        problems.append("page_size must be between 1 and %d (Central's maximum for endpoints), got %r"
                        % (ENDPOINT_PAGE_MAX, page_size))
    if options.get("endpoint_type", DEFAULTS["endpoint_type"]) not in ENDPOINT_TYPES:
        problems.append("endpoint_type must be one of %s, got %r"
                        % (", ".join(ENDPOINT_TYPES), options.get("endpoint_type")))
    return problems


def secure_url(value):
    """Whether the secret or a bearer token may be sent to ``value``: an https URL naming a host, or an
    http URL of a loopback test double (``LOOPBACK_HTTP_HOSTS``). One rule for ``identity_url``,
    ``global_url`` and every tenant's ``apiHost``."""
    if not isinstance(value, str):
        return False
    try:
        split = urlsplit(value)
        host = split.hostname
    except ValueError:
        return False
    if not host:
        return False
    return split.scheme == "https" or (split.scheme == "http" and host in LOOPBACK_HTTP_HOSTS)


def endpoint_id_problem(value):
    """Why ``value`` is not a Central endpoint id (a UUID), or None."""
    if isinstance(value, str) and _UUID.match(value):
        return None
    return ("endpoint id %s is not a UUID, as Sophos Central endpoint ids are (4f5b6c7d-1111-4222-8333-444455556666)"
            % shown_id(value))


def endpoint_url(call, api_host, endpoint_id, *rest):
    """``api_host/endpoint/v1/endpoints/<id>[/rest…]`` with the id checked and quoted, or a CentralError
    of ``call`` naming the id."""
    problem = endpoint_id_problem(endpoint_id)
    if problem:
        raise CentralError(call, problem)
    parts = [quote(endpoint_id, safe="")] + [quote(part, safe="") for part in rest]
    return "%s/endpoint/v1/endpoints/%s" % (api_host.rstrip("/"), "/".join(parts))


def host_name_problem(name, controller=()):
    """Why a Central hostname cannot be an inventory host name, or None.

    Refused: what is not a host name (RFC 1123 labels, the underscore allowed; so no host-pattern
    metacharacter and no template), a loopback name or address, a name Ansible's patterns read as a group,
    and the controller's own names (``controller``: lower-case names, see ``controller_names``), compared
    whole and by short name. Any of these would let a maintenance run connect to the controller.
    """
    if not isinstance(name, str) or not name:
        return "it has no hostname"
    lowered = name.lower()
    labels = lowered.split(".")
    if len(lowered) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        return "its hostname is not a valid host name"
    try:
        address = ipaddress.ip_address(lowered)
    except ValueError:
        address = None
    if lowered in _LOOPBACK_NAMES or labels[-1] == "localhost" or (
            address is not None and (address.is_loopback or address.is_unspecified)):
        return "its hostname is a loopback name or address"
    if lowered in _RESERVED_NAMES:
        return "its hostname is a name Ansible's host patterns read as a group"
    own = set(n.lower() for n in controller)
    if lowered in own or (address is None and short_name(lowered) in set(short_name(n) for n in own)):
        return "its hostname is a name of the controller itself"
    return None


def shown_id(value):
    """A Central id for a message: as it is when it is a UUID, else quoted and cut short."""
    if isinstance(value, str) and _UUID.match(value):
        return value
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def controller_names(hosts_file="/etc/hosts", gethostname=socket.gethostname):
    """The controller's own names, lower-case, cheaply: ``socket.gethostname()`` and the names that
    ``hosts_file`` gives the addresses listing it (its FQDN there). No DNS: ``getfqdn`` can hang
    without it."""
    try:
        own = set([gethostname().lower()])
    except (OSError, AttributeError):
        own = set()
    own.discard("")
    short = set(short_name(n) for n in own)
    try:
        with open(hosts_file, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except (OSError, IOError):
        lines = []
    for line in lines:
        names = [n.lower() for n in line.split("#", 1)[0].split()[1:]]
        if any(n in own or short_name(n) in short for n in names):
            own.update(n for n in names if n not in _LOOPBACK_NAMES)
    return sorted(own)


def safe_error(exc, secrets=()):
    """Any exception → one line safe to show: ``secrets`` (the client secret, tokens) starred out, and so
    any bearer token, ``Authorization`` header value and ``client_secret`` / ``access_token`` / ``token`` /
    ``password`` field it may quote. The one place a message the collection did not write is cleaned."""
    if isinstance(exc, CentralError):
        text = str(exc)
    else:
        detail = str(exc)
        text = "%s: %s" % (type(exc).__name__, detail) if detail else type(exc).__name__
    text = _scrub(text, sorted((s for s in secrets if isinstance(s, str) and s), key=len, reverse=True))
    text = re.sub(r"(?i)(bearer\s+)[^\s'\",;}]+", r"\1********", text)
    text = re.sub(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:(?:bearer|basic|digest|token|negotiate|ntlm)\s+)?)"
                  r"[^\s'\",;}]+", r"\1********", text)
    text = re.sub(r"(?i)\b((?:client_secret|access_token|token|password)['\"]?\s*[:=]\s*['\"]?)[^\s&'\",;}]+",
                  r"\1********", text)
    return " ".join(text.split())


def failure_message(exc, options, what="Sophos Central"):
    """What a failed call from the controller says (the report's lookup, the cycle's update check): a
    CentralError's own text, or, for an answer Central was not expected to give, ``what`` and the error
    without the credentials of ``options`` (its text is not ours and may quote a request)."""
    if isinstance(exc, CentralError):
        return str(exc)
    return "%s: %s" % (what, safe_error(exc, (options.get("client_secret"),)))


def next_key(pages, from_key):
    """Key paging (endpoints, alerts): the next ``pageFromKey``, or None on the last page.

    The last page has no ``nextKey`` (or an empty one); a ``nextKey`` equal to the key just asked for
    would loop forever, so it ends paging too.
    """
    key = (pages or {}).get("nextKey") if isinstance(pages, dict) else None
    if not isinstance(key, str) or not key or key == from_key:
        return None
    return key


def next_page_number(pages, current):
    """Page-number paging (tenant lists): the next ``page`` (pages start at 1), or None after the last.

    Central's ``current`` counts; an answer that does not move past the page asked for (Central ignoring
    ``page``) would loop to ``MAX_PAGES``, so it ends paging, as a repeated ``nextKey`` does.
    """
    pages = pages if isinstance(pages, dict) else {}
    total = pages.get("total")
    at = pages.get("current", current)
    if not isinstance(total, int) or not isinstance(at, int) or at >= total or at < current:
        return None
    return at + 1


def next_cursor(answer):
    """Cursor paging (SIEM): ``(cursor, parameters)`` of the next page while Central says ``has_more``."""
    cursor = answer.get("next_cursor") if isinstance(answer, dict) else None
    if answer.get("has_more") is not True or not isinstance(cursor, str) or not cursor:
        return None
    return cursor, {"cursor": cursor, "from_date": None}


def short_name(name):
    """The short, lower-case machine name: Central reports ``WIN-CEAESQ7V08E``, an inventory may say
    ``win-ceaesq7v08e.example.com``."""
    if not isinstance(name, str):
        return ""
    return name.strip().split(".", 1)[0].lower()


def match_names(names, endpoints):
    """Exact, case-insensitive short-name matching (``hostnameContains`` is only a substring filter).

    → ``{name: [endpoint, …]}`` for every asked name: one item is a match, none or several are reported
    as such by the caller, never guessed. An endpoint seen twice (listed for two names) counts once.
    """
    result = {}
    for name in names:
        wanted = short_name(name)
        seen = {}
        for endpoint in endpoints:
            if isinstance(endpoint, dict) and wanted and short_name(endpoint.get("hostname")) == wanted:
                seen.setdefault(endpoint.get("id"), endpoint)
        result[name] = list(seen.values())
    return result


def is_restart_alert(alert):
    """The 2-week "Reboot required" alert, or any alert whose type says a reboot/restart is required."""
    kind = alert.get("type") if isinstance(alert, dict) else None
    return isinstance(kind, str) and (kind == URGENT_RESTART_TYPE or bool(_RESTART_TYPE.search(kind)))


def alert_endpoint_id(alert):
    agent = alert.get("managedAgent") if isinstance(alert, dict) else None
    value = agent.get("id") if isinstance(agent, dict) else None
    return value if isinstance(value, str) and value else None


def iso_utc(value):
    """Central's times (``…Z``, or without a zone as some answers have them: UTC) → ``…Z``, or None."""
    epoch = iso_to_epoch(value)
    return epoch_to_iso(epoch) if epoch is not None else None


def restart_alert(alerts, now, event_at=None):
    """The restart alert to show for one endpoint, or None: the urgent type first, then the oldest.

    Central raises the urgent alert (``URGENT_RESTART_TYPE``, "Reboot required") only when a restart has
    been pending more than two weeks, so its ``raisedAt`` is not when the restart became pending: the
    alert's own age is ``age_days``; ``pending_since`` is the restart-required event's time
    (``event_at``, epoch seconds, from the SIEM event) when known and not after the alert, else an
    estimate, ``raisedAt`` - 14 days (``pending_since_source: estimate``). Another restart type is an
    alert raised when the restart became pending (``pending_since_source: alert``).
    """
    candidates = [a for a in alerts if is_restart_alert(a)]
    if not candidates:
        return None

    def order(alert):
        raised = iso_to_epoch(alert.get("raisedAt"))
        return (alert.get("type") != URGENT_RESTART_TYPE, raised is None, raised or 0)

    alert = sorted(candidates, key=order)[0]
    raised = iso_to_epoch(alert.get("raisedAt"))
    since, source = None, None
    if event_at is not None and (raised is None or event_at <= raised):
        since, source = event_at, "event"
    elif raised is not None and alert.get("type") == URGENT_RESTART_TYPE:
        since, source = raised - URGENT_RESTART_DAYS * 86400, "estimate"
    elif raised is not None:
        since, source = raised, "alert"
    return {"id": alert.get("id"), "type": alert.get("type"), "severity": alert.get("severity"),
            "raised_at": epoch_to_iso(raised) if raised is not None else None, "age_days": whole_days(raised, now),
            "pending_since": epoch_to_iso(since) if since is not None else None, "pending_since_source": source,
            "pending_days": whole_days(since, now)}


def whole_days(since, now):
    """Whole days from ``since`` to ``now`` (epoch seconds), never negative; None when either is unknown."""
    return int(max(0, now - since) // 86400) if since is not None and now is not None else None


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def shape_endpoint(endpoint, alerts, now):
    """One Central endpoint (``view=full``) and its alerts → the ``sophos_central`` host variable.

    Keys are always present; what Central did not say is None (unknown is never "no").
    """
    services = {}
    for item in _get(endpoint, "health", "services", "serviceDetails") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            services[item["name"]] = item.get("status")
    online = endpoint.get("online")
    addresses = endpoint.get("ipv4Addresses")
    return {
        "id": endpoint.get("id"),
        "tenant_id": _get(endpoint, "tenant", "id"),
        "hostname": endpoint.get("hostname"),
        "type": endpoint.get("type"),
        "online": online if isinstance(online, bool) else None,
        "last_seen_at": iso_utc(endpoint.get("lastSeenAt")),
        "health": {"overall": _get(endpoint, "health", "overall"), "services": services},
        "os": {"platform": _get(endpoint, "os", "platform"), "name": _get(endpoint, "os", "name"),
               "is_server": _get(endpoint, "os", "isServer"), "build": _get(endpoint, "os", "build")},
        "ipv4_addresses": [a for a in addresses if isinstance(a, str)] if isinstance(addresses, list) else [],
        "restart_alert": restart_alert(alerts, now),
    }


def alerts_by_endpoint(alerts):
    """Alerts (any iterable, read once: the paging generator) → ({endpoint id: [restart alert, …]},
    [``{"type": …}`` of each alert without ``managedAgent.id``]).

    Only what a host's ``restart_alert`` and the orphan warning need is kept while paging: a tenant's other
    alerts (most of them) are dropped as they come.
    """
    joined, orphans = {}, []
    for alert in alerts:
        endpoint_id = alert_endpoint_id(alert)
        if endpoint_id is None:
            orphans.append({"type": alert.get("type") if isinstance(alert, dict) else None})
        elif is_restart_alert(alert):
            joined.setdefault(endpoint_id, []).append(alert)
    return joined, orphans


def orphan_warning(orphans):
    """One warning for every alert that names no endpoint (Central's "console" alerts)."""
    if not orphans:
        return None
    kinds = sorted(set(str(a.get("type")) for a in orphans))
    return ("%d Sophos Central alert(s) name no endpoint (no managedAgent.id) and are left out of the hosts: %s"
            % (len(orphans), ", ".join(kinds)))


def groups_of(central):
    """The inventory groups one ``sophos_central`` value belongs to."""
    groups = []
    if central.get("restart_alert"):
        groups.append("sophos_central_restart_alert")
    if central.get("health", {}).get("overall") == "bad":
        groups.append("sophos_central_health_bad")
    if central.get("online") is False:
        groups.append("sophos_central_offline")
    return groups


# --------------------------------------------------------------------------- HTTP client

def _open_url(method, url, headers, data, timeout, validate_certs, ca_path):
    """One request → (status, headers, body bytes). HTTP errors are answers, not exceptions."""
    try:
        response = open_url(url, method=method, headers=headers, data=data, timeout=timeout,
                            validate_certs=validate_certs, ca_path=ca_path, follow_redirects="none",
                            use_proxy=True, http_agent="fleetops.sophos")
        return response.getcode(), response.headers, response.read()
    except HTTPError as exc:
        try:
            body = exc.read()
        except Exception:  # pylint: disable=broad-except
            body = b""
        return exc.code, exc.headers, body


def _json(body):
    try:
        value = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    return value


class Client:
    """Sophos Central for one set of API credentials.

    ``transport``, ``clock`` and ``sleep`` are for tests. ``warn`` receives warnings (a skipped tenant);
    it never receives a secret or a token.
    """

    def __init__(self, client_id, client_secret, identity_url=DEFAULTS["identity_url"],
                 global_url=DEFAULTS["global_url"], validate_certs=True, ca_path=None,
                 timeout=DEFAULTS["timeout"], warn=None, transport=None, clock=time.time, sleep=time.sleep,
                 retries=RETRIES):
        self._client_id = client_id
        self._secret = client_secret
        self.identity_url = identity_url.rstrip("/")
        self.global_url = global_url.rstrip("/")
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self.warn = warn or (lambda message: None)
        self._transport = transport or _open_url
        self.clock = clock
        self._sleep = sleep
        self.retries = retries
        self._token = None
        self._token_expires = 0
        self._whoami = None
        self.requests = {}

    # -- low level
    def _send(self, call, method, url, headers, data):
        """One attempt; connection problems other than timeouts and cut-off answers are final (a TLS
        refusal stays one). A timeout or an answer cut off (``http.client.HTTPException``: the server
        closed the connection without an answer, an incomplete body) → ``(None, {}, what happened)``,
        which ``_exchange`` retries."""
        self.requests[call] = self.requests.get(call, 0) + 1
        try:
            return self._transport(method, url, headers, data, self.timeout, self.validate_certs, self.ca_path)
        except (socket.timeout, TimeoutError):
            return None, {}, b"timed out after %ss" % str(self.timeout).encode()
        except HTTPException as exc:
            return None, {}, self._cut_off(exc)
        except URLError as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
                return None, {}, b"timed out after %ss" % str(self.timeout).encode()
            if isinstance(reason, HTTPException):
                return None, {}, self._cut_off(reason)
            raise CentralError(call, "cannot reach %s: %s" % (_origin(url), _scrub(str(reason), self._secrets())))
        except (OSError, ValueError, UrlsConnectionError) as exc:
            raise CentralError(call, "cannot reach %s: %s" % (_origin(url), _scrub(str(exc), self._secrets())))

    def _cut_off(self, exc):
        return ("answer cut off (%s)" % safe_error(exc, self._secrets())).encode("utf-8", "replace")

    def _secrets(self):
        return [s for s in (self._secret, self._token) if s]

    def _retry_delay(self, attempt, headers):
        value = None
        if headers is not None:
            try:
                value = headers.get("Retry-After")
            except AttributeError:
                value = None
        try:
            delay = float(value)
        except (TypeError, ValueError):
            delay = float(2 ** attempt)
        return min(max(delay, 0.0), RETRY_AFTER_MAX)

    def _exchange(self, call, method, url, headers, data, authorized):
        """Send with bounded retries (429, 5xx, timeouts, cut-off answers) and one token renewal on a 401.

        POSTs are retried as GETs are, deliberately: the token request changes nothing, and an update
        check asked twice only makes the endpoint look for updates once more, so a retry after an answer
        that never came is better than failing over a check that may never have reached Central.
        """
        renewed = False
        attempt = 0
        while True:
            send_headers = dict(headers)
            if authorized:
                send_headers["Authorization"] = "Bearer " + self.token()
            status, answer_headers, body = self._send(call, method, url, send_headers, data)
            if status is not None and 200 <= status < 300:
                return status, _json(body)
            if status == 401 and authorized and not renewed:
                renewed = True
                self._token = None
                continue
            retryable = status is None or status == 429 or status >= 500
            if retryable and attempt < self.retries:
                self._sleep(self._retry_delay(attempt, answer_headers if status == 429 else None))
                attempt += 1
                continue
            if status is None:
                raise CentralError(call, "%s %s %s (after %d attempts)"
                                   % (method, _origin(url), body.decode("utf-8", "replace"), attempt + 1))
            parsed = _json(body)
            if not isinstance(parsed, dict):
                parsed = {}
            message = "%s %s failed" % (method, _path(url))
            if attempt:
                message += " after %d attempts" % (attempt + 1)
            error_class = TenantForbidden if status == 403 and "X-Tenant-ID" in headers else CentralError
            raise error_class(call, message, status=status, body=_scrub_body(parsed, self._secrets()))

    def token(self):
        """A valid bearer token, requested again shortly before Central says it expires."""
        now = self.clock()
        if self._token and now < self._token_expires:
            return self._token
        data = urlencode({"grant_type": "client_credentials", "client_id": self._client_id,
                          "client_secret": self._secret, "scope": "token"})
        self._token = None
        _status, body = self._exchange("token", "POST", self.identity_url + "/api/v2/oauth2/token",
                                       {"Content-Type": "application/x-www-form-urlencoded"}, data, False)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise CentralError("token", "the identity service answered without an access_token")
        lifetime = body.get("expires_in")
        lifetime = lifetime if isinstance(lifetime, (int, float)) and lifetime > 0 else 3600
        self._token = token
        self._token_expires = now + lifetime - min(TOKEN_MARGIN, lifetime / 10.0)
        return token

    def call(self, call, method, url, headers=None, params=None, body=None):
        """An authorized JSON call → the decoded answer (dict)."""
        if params:
            url += "?" + urlencode([(k, v) for k, v in params.items() if v is not None])
        headers = dict(headers or {}, Accept="application/json")
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        _status, answer = self._exchange(call, method, url, headers, data, True)
        if not isinstance(answer, dict):
            raise CentralError(call, "%s %s answered something that is not a JSON object" % (method, _path(url)))
        return answer

    # -- Central
    def whoami(self):
        if self._whoami is None:
            answer = self.call("whoami", "GET", self.global_url + "/whoami/v1")
            if answer.get("idType") not in ("tenant", "partner", "organization") or not answer.get("id"):
                raise CentralError("whoami", "unexpected answer: idType=%r" % (answer.get("idType"),))
            self._whoami = answer
        return self._whoami

    def tenants(self, tenant_ids=None):
        """Every tenant the credentials reach: [{id, name, api_host}], limited to ``tenant_ids``."""
        who = self.whoami()
        if who["idType"] == "tenant":
            host = _get(who, "apiHosts", "dataRegion")
            tenants = [{"id": who["id"], "name": who["id"], "api_host": host}]
        else:
            tenants = self._tenant_list(who)
        if tenant_ids:
            wanted = set(tenant_ids)
            unknown = sorted(wanted - set(t["id"] for t in tenants))
            if unknown:
                raise CentralError("tenants", "tenant_ids not reachable with these credentials (%s %s): %s"
                                   % (who["idType"], who["id"], ", ".join(unknown)))
            tenants = [t for t in tenants if t["id"] in wanted]
        if who["idType"] == "tenant":
            for tenant in tenants:
                check_api_host(tenant)
            return tenants
        usable = []
        for tenant in tenants:
            try:
                check_api_host(tenant)
            except CentralError as exc:
                self.warn("%s; that tenant is skipped, the others go on" % exc)
                continue
            usable.append(tenant)
        return usable

    def _tenant_list(self, who):
        kind = who["idType"]
        header = {"partner": "X-Partner-ID", "organization": "X-Organization-ID"}[kind]
        url = "%s/%s/v1/tenants" % (self.global_url, kind)
        tenants, page = [], 1
        for _count in range(MAX_PAGES):
            answer = self.call("%s tenants" % kind, "GET", url, {header: who["id"]},
                               {"page": page, "pageSize": TENANT_PAGE_SIZE, "pageTotal": "true"})
            pages = answer.get("pages") if isinstance(answer.get("pages"), dict) else {}
            if isinstance(pages.get("current"), int) and pages["current"] < page:
                # Central ignored the page asked for: its items were listed already.
                self.warn("Sophos Central %s tenants: asked for page %d, got page %d again; the tenant list ends "
                          "there (%d tenants)" % (kind, page, pages["current"], len(tenants)))
                break
            for item in answer.get("items") or []:
                if isinstance(item, dict) and item.get("id"):
                    tenants.append({"id": item["id"], "name": item.get("showAs") or item.get("name") or item["id"],
                                    "api_host": item.get("apiHost")})
            page = next_page_number(pages, page)
            if page is None:
                break
        return tenants

    def pages(self, call, tenant, url, params, follow, token_name="page key"):
        """Every answer of a paged list of one tenant, one page at a time: the one paging loop of the
        client (key paging of endpoints and alerts, cursor paging of the SIEM lists).

        ``follow(answer)`` → None after the last page, else ``(token, {parameter: value or None})``: the
        token that names the next page and the parameters that ask for it (None drops one). A token sent
        before ends paging with a warning: following it would loop over the same pages.
        """
        headers = {"X-Tenant-ID": tenant["id"]}
        params = dict(params)
        seen = set()
        for count in range(MAX_PAGES):
            answer = self.call(call, "GET", tenant["api_host"].rstrip("/") + url, headers,
                               dict((k, v) for k, v in params.items() if v is not None))
            yield answer
            step = follow(answer)
            if step is None:
                return
            token, changes = step
            if token in seen:
                self.warn("Sophos Central %s of tenant %s (%s): page %d gave a %s already followed; the list "
                          "ends there and may be incomplete" % (call, tenant.get("name"), tenant["id"], count + 1,
                                                                token_name))
                return
            seen.add(token)
            params.update(changes)

    def key_pages(self, call, tenant, url, params):
        """Every item of a key-paged list (endpoints, alerts) of one tenant."""
        def follow(answer):
            key = next_key(answer.get("pages"), None)
            return None if key is None else (key, {"pageFromKey": key})

        for answer in self.pages(call, tenant, url, params, follow):
            for item in answer.get("items") or []:
                if isinstance(item, dict):
                    yield item

    def siem(self, tenant, kind="events", cursor=None, from_date=None, limit=SIEM_LIMIT, exclude_types=None):
        """Central's SIEM ``events`` (or ``alerts``) of one tenant, one page at a time → ``(items, cursor)``:
        the page's items and the cursor to go on from after them (Central's ``next_cursor``; None when it
        gave none). From ``cursor``, else from ``from_date`` (unix seconds, within Central's last 24
        hours), else Central's own start; ``from_date`` is dropped once a cursor is held."""
        params = {"limit": limit, "cursor": cursor or None,
                  "from_date": int(from_date) if from_date is not None and not cursor else None,
                  "exclude_types": ",".join(exclude_types) if exclude_types else None}
        for answer in self.pages("siem %s" % kind, tenant, "/siem/v1/%s" % kind, params, next_cursor, "cursor"):
            items = [item for item in answer.get("items") or [] if isinstance(item, dict)]
            token = answer.get("next_cursor")
            yield items, token if isinstance(token, str) and token else None

    def endpoints(self, tenant, endpoint_type=DEFAULTS["endpoint_type"], page_size=DEFAULTS["page_size"],
                  **filters):
        """Every endpoint (``view=full``) of one tenant, page by page (a generator)."""
        params = {"view": "full", "pageSize": page_size}
        if endpoint_type != "all":
            params["type"] = endpoint_type
        params.update((k, v) for k, v in filters.items() if v is not None)
        return self.key_pages("endpoints", tenant, "/endpoint/v1/endpoints", params)

    def alerts(self, tenant):
        """Every alert of one tenant, page by page (a generator: nothing is held beyond one page)."""
        return self.key_pages("alerts", tenant, "/common/v1/alerts", {"pageSize": ALERT_PAGE_SIZE})

    def update_check(self, tenant, endpoint_id):
        url = endpoint_url("update-checks", tenant["api_host"], endpoint_id, "update-checks")
        return self.call("update-checks", "POST", url, {"X-Tenant-ID": tenant["id"]}, body={})

    def each_tenant(self, tenants, work, done=None):
        """``(tenant, item)`` for every item of ``work(tenant)`` (an iterable, read as it comes) of every
        tenant, ``done(tenant)`` after each tenant read to the end; with partner or organization credentials a tenant that answers 403 is skipped with a
        warning. With tenant credentials the one tenant is the credentials' own: a 403 there is an error
        (a role that may not read it), never an empty answer."""
        for tenant in tenants:
            try:
                for item in work(tenant):
                    yield tenant, item
                if done:
                    done(tenant)
            except TenantForbidden as exc:
                if (self._whoami or {}).get("idType") == "tenant":
                    raise CentralError(exc.call, "the tenant credentials may not read their own tenant %s (HTTP 403); "
                                       "give the API credential a role that may (Service Principal ReadOnly or more)"
                                       % tenant["id"], body=exc.body)
                self.warn("Sophos Central tenant %s (%s) skipped: it answered 403 Forbidden (no Partner Assistance "
                          "or a trial account?): %s" % (tenant["name"], tenant["id"], exc))

    def lookup(self, hostnames, ids, tenant_ids=None):
        """Endpoints of any type by exact short hostname or by id, in every reachable tenant.

        Up to ``LOOKUP_NAMES_EACH`` names are asked one by one (Central's ``hostnameContains``); more are
        matched while listing each tenant once. Ids go in chunks of ``IDS_CHUNK``. Only the endpoints that
        match are kept.

        → ({asked: [(tenant, endpoint), …]}, tenants searched); one item is a match, none or several
        are for the caller to report.
        """
        for endpoint_id in ids:
            problem = endpoint_id_problem(endpoint_id)
            if problem:
                raise CentralError("ids", problem)
        found = dict((name, []) for name in list(hostnames) + list(ids))
        wanted = set(short_name(name) for name in hostnames)
        wanted_ids = set(ids)

        def one(tenant):
            if len(hostnames) > LOOKUP_NAMES_EACH:
                lists = [self.endpoints(tenant, "all", ENDPOINT_PAGE_MAX)]
            else:
                lists = [self.endpoints(tenant, "all", ENDPOINT_PAGE_MAX, hostnameContains=short_name(name))
                         for name in hostnames]
            lists.extend(self.endpoints(tenant, "all", ENDPOINT_PAGE_MAX, ids=",".join(ids[at:at + IDS_CHUNK]))
                         for at in range(0, len(ids), IDS_CHUNK))
            for listed in lists:
                for endpoint in listed:
                    if short_name(endpoint.get("hostname")) in wanted or endpoint.get("id") in wanted_ids:
                        yield endpoint

        searched, listed = [], {}
        for tenant, endpoint in self.each_tenant(self.tenants(tenant_ids), one, searched.append):
            listed.setdefault(tenant["id"], (tenant, []))[1].append(endpoint)
        for tenant, endpoints in listed.values():
            for name, matches in match_names(hostnames, endpoints).items():
                found[name].extend((tenant, e) for e in matches)
            for endpoint_id in ids:
                found[endpoint_id].extend((tenant, e) for e in endpoints if e.get("id") == endpoint_id)
        for name, pairs in found.items():
            unique = dict(((t["id"], e.get("id")), (t, e)) for t, e in pairs)
            found[name] = list(unique.values())
        return found, searched

    def each_host(self, orphans, tenant_ids=None, endpoint_type=DEFAULTS["endpoint_type"],
                  page_size=DEFAULTS["page_size"], now=None, **filters):
        """Every endpoint of every reachable tenant, shaped with its restart alert, one at a time (a
        generator: a tenant's restart alerts and one page of endpoints are all it holds). Each tenant's
        alerts that name no endpoint are appended to ``orphans``."""
        now = self.clock() if now is None else now

        def one(tenant):
            joined, lost = alerts_by_endpoint(self.alerts(tenant))
            orphans.extend(lost)
            for endpoint in self.endpoints(tenant, endpoint_type, page_size, **filters):
                yield shape_endpoint(endpoint, joined.get(endpoint.get("id"), []), now)

        for _tenant, host in self.each_tenant(self.tenants(tenant_ids), one):
            yield host

    def fleet(self, tenant_ids=None, endpoint_type=DEFAULTS["endpoint_type"], page_size=DEFAULTS["page_size"],
              now=None, **filters):
        """``each_host`` as a list → (shaped endpoints, orphan alerts)."""
        orphans = []
        hosts = list(self.each_host(orphans, tenant_ids, endpoint_type, page_size, now, **filters))
        return hosts, orphans


def resolved(found):
    """``lookup()``'s answer → (one match per name, names without a match, names with several)."""
    single, missing, several = {}, [], {}
    for name, pairs in found.items():
        if len(pairs) == 1:
            single[name] = pairs[0]
        elif not pairs:
            missing.append(name)
        else:
            several[name] = [{"id": e.get("id"), "hostname": e.get("hostname"), "tenant_id": t["id"]}
                             for t, e in pairs]
    return single, missing, several


def endpoints_info(client, hostnames=None, ids=None, tenant_ids=None):
    """Central's view of hosts by name or endpoint id: ``{endpoints, not_found, ambiguous, tenants}``, each
    endpoint shaped with its restart alerts (the central_endpoint_info module and the report's lookup).
    Raises CentralError."""
    found, searched = client.lookup(hostnames or [], ids or [], tenant_ids)
    single, missing, several = resolved(found)
    now = client.clock()
    alerts = {}
    endpoints = {}
    for name, (tenant, endpoint) in single.items():
        if tenant["id"] not in alerts:
            alerts[tenant["id"]] = alerts_by_endpoint(client.alerts(tenant))[0]
        endpoints[name] = shape_endpoint(endpoint, alerts[tenant["id"]].get(endpoint.get("id"), []), now)
    return {"endpoints": endpoints, "not_found": missing, "ambiguous": several,
            "tenants": [t["id"] for t in searched]}


def module_client(module):
    """A Client from a module's checked parameters, or ``fail_json`` naming the bad options."""
    problems = check_options(dict(module.params, page_size=DEFAULTS["page_size"],
                                  endpoint_type=DEFAULTS["endpoint_type"]))
    if not module.params["hostnames"] and not module.params["ids"]:
        problems.append("hostnames or ids: give at least one")
    problems.extend("ids: %s" % problem for problem in
                    (endpoint_id_problem(value) for value in module.params["ids"] or []) if problem)
    if problems:
        module.fail_json(msg="; ".join(problems))
    return client_from(module.params, warn=module.warn)


# The connection options of a caller on the controller (the reboot_cycle and report actions' central_options):
# the modules' own, without their defaults and fallbacks (controller_options() applies those).
CONTROLLER_OPTIONS = dict(
    (name, dict((key, value) for key, value in spec.items() if key in ("type", "elements", "no_log")))
    for name, spec in MODULE_ARGS.items() if name not in ("hostnames", "ids"))


def controller_options(options, environ):
    """Central connection options of a caller on the controller (an action plugin, the report): those
    given, else the environment variables the modules fall back to (the AWX credential type sets them),
    else the defaults."""
    result = dict((k, v) for k, v in (options or {}).items() if v is not None and v != "")
    for name, variable in ENV.items():
        if not result.get(name) and environ.get(variable):
            result[name] = environ[variable]
    for name in ("identity_url", "global_url", "validate_certs", "timeout"):
        result.setdefault(name, DEFAULTS[name])
    return result


def has_credentials(options):
    return bool(options.get("client_id") and options.get("client_secret"))


def client_from(options, warn=None):
    """A Client from ``controller_options()``; a CentralError naming the bad options, never their values'
    secrets."""
    problems = check_options(dict(options, page_size=DEFAULTS["page_size"], endpoint_type=DEFAULTS["endpoint_type"]))
    if problems:
        raise CentralError("options", "; ".join(problems))
    return Client(options["client_id"], options["client_secret"], options["identity_url"], options["global_url"],
                  options["validate_certs"], options.get("ca_path"), options["timeout"], warn=warn)


def update_check_for(client, hostname, known=None, tenant_ids=None):
    """Ask Central for an update check of one host → ``(endpoint id, answer)``.

    ``known``: the host's ``sophos_central`` (the inventory's: its ``id`` and ``tenant_id``); without it
    the host is looked up by exact short name, and no match or several is an error, never a guess.
    """
    if isinstance(known, dict) and known.get("id") and known.get("tenant_id"):
        tenants = client.tenants([known["tenant_id"]])
        if not tenants:
            raise CentralError("update-checks", "tenant %s of %s cannot be reached (see the warning)"
                               % (known["tenant_id"], hostname))
        return known["id"], client.update_check(tenants[0], known["id"])
    found, _searched = client.lookup([hostname], [], tenant_ids)
    single, missing, several = resolved(found)
    if missing:
        raise CentralError("update-checks", "no endpoint named %s in the tenants searched" % hostname)
    if several:
        raise CentralError("update-checks", "several endpoints named %s: %s" % (
            hostname, ", ".join("%s (tenant %s)" % (e["id"], e["tenant_id"]) for e in several[hostname])))
    tenant, endpoint = single[hostname]
    return endpoint.get("id"), client.update_check(tenant, endpoint.get("id"))


def check_api_host(tenant):
    """The bearer token goes to a tenant's ``apiHost``: only an https URL (or http for a loopback test)."""
    if not secure_url(tenant.get("api_host") or ""):
        raise CentralError("tenants", "tenant %s (%s) has no https apiHost: %r"
                           % (tenant.get("name"), tenant.get("id"), tenant.get("api_host")))


def _origin(url):
    split = urlsplit(url)
    return "%s://%s" % (split.scheme, split.netloc)


def _path(url):
    split = urlsplit(url)
    return "%s://%s%s" % (split.scheme, split.netloc, split.path)


def _scrub(text, secrets):
    for secret in secrets:
        text = text.replace(secret, "********")
    return text


def _scrub_body(body, secrets):
    return dict((k, _scrub(v, secrets) if isinstance(v, str) else v) for k, v in body.items())
