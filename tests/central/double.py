"""A local Sophos Central over HTTPS, for tests and benchmarks (reference sophos-central-api.md §8).

Standard library servers on 127.0.0.1, one port per "host": identity, global and two data regions
(``eu01``, ``us01``). Certificates come from a CA made at start with ``cryptography``; ``ca_path``
is its PEM file. The in-memory ``Model`` holds clients, tenants, endpoints and alerts, a clock tests can
move, fault rules (429 with or without ``Retry-After``, 5xx, slow answers, non-JSON bodies, a connection
closed without an answer), page keys that loop back (``loop_keys``), a tenant listed with a plain-http
``apiHost`` (``Model.tenants[id]["api_host"]``), tokens
that expire after a number of data calls (expiry in the middle of paging), the SIEM lists
(``/siem/v1/events`` and ``/siem/v1/alerts``: cursor paging, 24 hours kept, a cursor older than that falling
back to the last 24 hours, ``from_date`` refused outside them; ``Model.add_siem``, ``make_siem_event``), and
a log of every request (the ``Authorization`` header is never logged; tokens handed out are in
``Model.issued``).

    with Central(tmp_path) as central:
        seed_standard(central.model, central)
        central.url("identity"), central.url("global"), central.ca_path, central.model.requests
"""
import base64
import datetime
import ipaddress
import json
import os
import re
import secrets
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROLES = ("identity", "global", "eu01", "us01")
SERVICES = ["Sophos MCS Agent", "Sophos MCS Client", "Sophos Endpoint Defense", "Sophos File Scanner",
            "Sophos AutoUpdate Service", "Sophos Anti-Virus", "HitmanPro.Alert service"]
ENDPOINT_PAGE_MAX = 500
ALERT_PAGE_MAX = 100
TENANT_PAGE_MAX = 100
SIEM_LIMIT_MAX = 1000
SIEM_KEPT = 24 * 3600


def make_certificates(directory):
    """A CA and a server certificate for 127.0.0.1 / localhost → (ca.pem, server.pem, server.key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fleetops test Central CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = [os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server.key")]
    with open(paths[0], "wb") as handle:
        handle.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[2], "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return paths


def iso(epoch, zone=True):
    text = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return text + ("Z" if zone else "")


def parse_time(value, now):
    """An ISO time, or an ISO-8601 duration relative to now (``-P14D``, ``-PT2H``, ``-P3DT4H5M0S``)."""
    match = re.match(r"^([+-]?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", value)
    if match and any(match.groups()[1:]):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups()[1:])
        delta = days * 86400 + hours * 3600 + minutes * 60 + seconds
        return now - delta if match.group(1) == "-" else now + delta
    text = value.rstrip("Z")
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=datetime.timezone.utc).timestamp()


class Fault:
    """``drop``: close the connection without answering (the client sees ``RemoteDisconnected``);
    ``query``: only a request with that query parameter (``pageFromKey``: a later page)."""

    def __init__(self, path, status=None, times=1, retry_after=None, delay=None, body=None, role=None,
                 drop=False, query=None):
        self.path = re.compile(path)
        self.query = query
        self.status, self.times, self.retry_after = status, times, retry_after
        self.delay, self.body, self.role, self.drop = delay, body, role, drop


class Model:
    """Everything the double knows. Thread-safe through one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.offset = 0.0
        self.clients = {}
        self.tenants = {}
        self.endpoints = {}
        self.alerts = {}
        self.tokens = {}
        self.issued = []
        self.faults = []
        self.requests = []
        self.update_checks = []
        self.token_lifetime = 3600
        self.expire_after_calls = None
        self.hostname_first_10 = False
        self.repeat_last_key = False
        # The last page of a list points back to its second page (a loop longer than one page).
        self.loop_keys = False
        self.wrong_region_status = 404
        self.partner_data_region = False
        # SIEM: {"events"|"alerts": {tenant id: [{"seq", "created", "item"}]}}, in arrival order.
        self.siem = {"events": {}, "alerts": {}}
        self.siem_seq = 0

    def now(self):
        return time.time() + self.offset

    def advance(self, seconds):
        self.offset += seconds

    def add_client(self, client_id, secret, id_type, owner_id, tenant_ids, region=None):
        self.clients[client_id] = {"secret": secret, "id_type": id_type, "id": owner_id,
                                   "tenants": list(tenant_ids), "region": region}

    def add_tenant(self, tenant_id, name, region, forbidden=False, api_host=None):
        """``api_host``: what the tenant lists give as its ``apiHost`` (default the region's URL)."""
        self.tenants[tenant_id] = {"id": tenant_id, "name": name, "region": region, "forbidden": forbidden,
                                   "api_host": api_host}
        self.endpoints.setdefault(tenant_id, [])
        self.alerts.setdefault(tenant_id, [])

    def add_siem(self, tenant_id, item, kind="events", created=None):
        """One SIEM event (or alert) of a tenant, arrived now; ``created``: its time (default now)."""
        with self.lock:
            self.siem_seq += 1
            created = self.now() if created is None else created
            item = dict(item, created_at=item.get("created_at") or iso(created))
            self.siem[kind].setdefault(tenant_id, []).append({"seq": self.siem_seq, "created": created,
                                                              "item": item})
        return item

    def fault(self, path, **kwargs):
        rule = Fault(path, **kwargs)
        with self.lock:
            self.faults.append(rule)
        return rule

    def take_fault(self, role, path, query=None):
        with self.lock:
            for rule in self.faults:
                if rule.times > 0 and rule.path.search(path) and (rule.role is None or rule.role == role) \
                        and (rule.query is None or rule.query in (query or {})):
                    rule.times -= 1
                    return rule
        return None

    def expire_tokens_after(self, calls):
        """Every token handed out so far stops working after ``calls`` more data calls."""
        self.expire_after_calls = calls

    def count(self, role=None, path=None, method=None):
        return sum(1 for r in self.requests if (role is None or r["role"] == role)
                   and (path is None or re.search(path, r["path"])) and (method is None or r["method"] == method))


def _key(offset):
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _offset(key):
    try:
        return int(json.loads(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)))["o"])
    except (ValueError, KeyError, TypeError):
        return None


def _error(status, error, message):
    return status, {"error": error, "message": message, "correlationId": str(uuid.uuid4()),
                    "code": error, "createdAt": iso(time.time()), "requestId": str(uuid.uuid4())}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "central-double"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method):
        central = self.server.central
        model = central.model
        role = self.server.role
        split = urlsplit(self.path)
        query = dict((k, v[-1]) for k, v in parse_qs(split.query, keep_blank_values=True).items())
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with model.lock:
            model.requests.append({"role": role, "method": method, "path": split.path, "query": query,
                                   "tenant": self.headers.get("X-Tenant-ID"), "time": time.time()})
        rule = model.take_fault(role, split.path, query)
        headers = {}
        if rule and rule.delay:
            time.sleep(rule.delay)
        if rule and rule.drop:
            self.close_connection = True
            return None
        if rule and rule.status:
            if rule.retry_after is not None:
                headers["Retry-After"] = str(rule.retry_after)
            if rule.body is not None:
                return self._send(rule.status, rule.body, headers)
            names = {429: ("tooManyRequests", "Too many requests. See Retry-After header."),
                     500: ("internalServerError", "Internal Server Error."), 502: ("badGateway", "Bad Gateway"),
                     503: ("serviceUnavailable", "Service Unavailable"), 504: ("gatewayTimeout", "Gateway Timeout")}
            status, body = _error(rule.status, *names.get(rule.status, ("error", "Error")))
            return self._send(status, body, headers)
        try:
            status, body = central.route(role, method, split.path, query, self.headers, raw)
        except Exception as exc:  # pylint: disable=broad-except
            status, body = _error(500, "internalServerError", "double: %r" % (exc,))
        if status == 201 and body and "requestedAt" in body:
            headers["Location"] = split.path + "/" + body["id"]
        self._send(status, body, headers)

    def _send(self, status, body, headers):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True


class Central:
    """Four HTTPS servers on 127.0.0.1 around one ``Model``."""

    def __init__(self, directory):
        self.model = Model()
        self.ca_path, cert, key = make_certificates(str(directory))
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.servers = {}
        self.threads = []

    def __enter__(self):
        for role in ROLES:
            server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            server.daemon_threads = True
            server.socket = self.context.wrap_socket(server.socket, server_side=True)
            server.role = role
            server.central = self
            self.servers[role] = server
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def __exit__(self, *exc):
        for server in self.servers.values():
            server.shutdown()
            server.server_close()
        for thread in self.threads:
            thread.join(10)

    def url(self, role):
        return "https://127.0.0.1:%d" % self.servers[role].server_address[1]

    # ------------------------------------------------------------------ routing
    def route(self, role, method, path, query, headers, raw):
        model = self.model
        if role == "identity":
            if method == "POST" and path == "/api/v2/oauth2/token":
                return self.token(raw)
            return _error(404, "notFound", "no such path on the identity host")
        client, problem = self.authorize(headers)
        if problem:
            return problem
        if role == "global":
            if method == "GET" and path == "/whoami/v1":
                return self.whoami(client)
            match = re.match(r"^/(partner|organization)/v1/tenants(?:/([^/]+))?$", path)
            if match and method == "GET":
                return self.tenant_list(client, match.group(1), match.group(2), query, headers)
            return _error(404, "notFound", "no such path on the global host")
        tenant_id = headers.get("X-Tenant-ID")
        if not tenant_id:
            return _error(400, "badRequest", "Missing X-Tenant-ID header")
        tenant = model.tenants.get(tenant_id)
        if tenant is None or tenant_id not in client["tenants"]:
            return _error(403, "forbidden", "Forbidden")
        if tenant["forbidden"]:
            return _error(403, "forbidden", "Forbidden")
        if tenant["region"] != role:
            return _error(model.wrong_region_status, "notFound", "tenant is not served by this region")
        if path == "/endpoint/v1/endpoints" and method == "GET":
            return self.endpoint_list(tenant_id, query)
        match = re.match(r"^/endpoint/v1/endpoints/([^/]+)(/update-checks)?$", path)
        if match:
            endpoint = next((e for e in model.endpoints[tenant_id] if e["id"] == match.group(1)), None)
            if endpoint is None:
                return _error(404, "notFound", "Can't find endpoint")
            if match.group(2) and method == "POST":
                check = {"id": str(uuid.uuid4()), "status": "requested", "requestedAt": iso(model.now())}
                with model.lock:
                    model.update_checks.append({"tenant": tenant_id, "endpoint": endpoint["id"], "answer": check})
                return 201, check
            if not match.group(2) and method == "GET":
                return 200, self.view(endpoint, query.get("view", "summary"))
            return _error(405, "methodNotAllowed", "Method not allowed")
        if path in ("/siem/v1/events", "/siem/v1/alerts") and method == "GET":
            return self.siem_list(tenant_id, path.rsplit("/", 1)[1], query)
        if path == "/common/v1/alerts" and method == "GET":
            filters = dict((k, v.split(",")) for k, v in query.items()
                           if k in ("product", "category", "severity", "ids"))
            filters.update((k, query[k]) for k in ("from", "to", "groupKey", "sort") if k in query)
            return self.alert_list(tenant_id, filters, query.get("pageSize"), query.get("pageFromKey"))
        if path == "/common/v1/alerts/search" and method == "POST":
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return _error(400, "badRequest", "body is not JSON")
            filters = dict((k, body[k]) for k in ("product", "category", "severity", "ids", "from", "to",
                                                  "groupKey", "sort") if k in body)
            return self.alert_list(tenant_id, filters, body.get("pageSize"), body.get("pageFromKey"))
        match = re.match(r"^/common/v1/alerts/([^/]+)(/actions)?$", path)
        if match:
            alert = next((a for a in model.alerts[tenant_id] if a["id"] == match.group(1)), None)
            if alert is None:
                return _error(404, "notFound", "Can't find alert")
            if match.group(2) and method == "POST":
                action = (json.loads(raw or b"{}") or {}).get("action")
                if action not in alert["allowedActions"]:
                    return _error(400, "badRequest", "action %r is not allowed" % (action,))
                with model.lock:
                    model.alerts[tenant_id].remove(alert)
                return 201, {"id": str(uuid.uuid4()), "alertId": alert["id"], "action": action,
                             "status": "requested", "requestedAt": iso(model.now())}
            return 200, alert
        return _error(404, "notFound", "no such path")

    def token(self, raw):
        model = self.model
        form = dict((k, v[-1]) for k, v in parse_qs(raw.decode()).items())
        client = model.clients.get(form.get("client_id"))
        if form.get("grant_type") != "client_credentials" or form.get("scope") != "token":
            return 400, {"errorCode": "oauth.invalid_request", "message": "Bad Request",
                         "trackingId": str(uuid.uuid4())}
        if client is None or client["secret"] != form.get("client_secret"):
            return 401, {"errorCode": "oauth.invalid_client_secret", "message": "Unauthorized",
                         "trackingId": str(uuid.uuid4())}
        token = "eyJ" + secrets.token_urlsafe(48)
        refresh = secrets.token_urlsafe(32)
        with model.lock:
            model.tokens[token] = {"client": form["client_id"], "expires": model.now() + model.token_lifetime}
            model.issued.extend([token, refresh])
        return 200, {"access_token": token, "refresh_token": refresh, "token_type": "bearer",
                     "expires_in": model.token_lifetime, "errorCode": "success", "message": "OK",
                     "trackingId": str(uuid.uuid4())}

    def authorize(self, headers):
        model = self.model
        value = headers.get("Authorization") or ""
        token = value[7:] if value.startswith("Bearer ") else None
        with model.lock:
            if model.expire_after_calls is not None:
                if model.expire_after_calls <= 0:
                    for record in model.tokens.values():
                        record["expires"] = 0
                    model.expire_after_calls = None
                else:
                    model.expire_after_calls -= 1
            record = model.tokens.get(token)
            valid = record is not None and record["expires"] > model.now()
        if not valid:
            return None, _error(401, "Unauthorized", "Unauthorized")
        return model.clients[record["client"]], None

    def whoami(self, client):
        hosts = {"global": self.url("global")}
        if client["id_type"] == "tenant" or self.model.partner_data_region:
            hosts["dataRegion"] = self.url(client["region"] or self.model.tenants[client["tenants"][0]]["region"])
        return 200, {"id": client["id"], "idType": client["id_type"], "apiHosts": hosts}

    def tenant_item(self, tenant, kind, owner):
        return {"id": tenant["id"], "name": tenant["name"], "showAs": tenant["name"], "dataGeography": "EU",
                "dataRegion": tenant["region"], "billingType": "usage", kind: {"id": owner},
                "apiHost": tenant.get("api_host") or self.url(tenant["region"])}

    def tenant_list(self, client, kind, tenant_id, query, headers):
        header = {"partner": "X-Partner-ID", "organization": "X-Organization-ID"}[kind]
        if client["id_type"] != kind:
            return _error(403, "forbidden", "Forbidden")
        if headers.get(header) != client["id"]:
            return _error(401, "Unauthorized", "Missing or wrong %s header" % header)
        tenants = [self.model.tenants[t] for t in client["tenants"]]
        if tenant_id:
            tenant = next((t for t in tenants if t["id"] == tenant_id), None)
            if tenant is None:
                return _error(404, "notFound", "not a managed tenant")
            return 200, self.tenant_item(tenant, kind, client["id"])
        try:
            page = int(query.get("page", 1))
            size = int(query.get("pageSize", 50))
        except ValueError:
            return _error(400, "badRequest", "page and pageSize must be numbers")
        if size > TENANT_PAGE_MAX or size < 1 or page < 1:
            return _error(400, "badRequest", "pageSize must be 1..%d" % TENANT_PAGE_MAX)
        total = max(1, -(-len(tenants) // size))
        items = [self.tenant_item(t, kind, client["id"]) for t in tenants[(page - 1) * size:page * size]]
        pages = {"current": page, "size": size, "maxSize": TENANT_PAGE_MAX}
        if query.get("pageTotal") == "true":
            pages.update(total=total, items=len(tenants))
        return 200, {"pages": pages, "items": items}

    @staticmethod
    def view(endpoint, view):
        if view == "basic":
            return dict((k, endpoint[k]) for k in ("id", "type", "tenant", "hostname"))
        if view == "summary":
            return dict((k, v) for k, v in endpoint.items() if k not in ("encryption", "cloud", "serialNumber"))
        return endpoint

    def siem_list(self, tenant_id, kind, query):
        """Cursor paging as Central's SIEM API: ``limit`` (default 200, at most 1000), ``cursor`` (a
        ``next_cursor``; one older than 24 hours falls back to the last 24 hours, silently), ``from_date``
        (unix seconds, only within the last 24 hours; ignored with a cursor), ``exclude_types`` (events).
        Only the last 24 hours are kept."""
        model = self.model
        now = model.now()
        oldest = now - SIEM_KEPT
        try:
            limit = int(query.get("limit", 200))
        except ValueError:
            return _error(400, "badRequest", "limit must be a number")
        if not 1 <= limit <= SIEM_LIMIT_MAX:
            return _error(400, "badRequest", "limit must be between 1 and %d" % SIEM_LIMIT_MAX)
        after_seq, since = 0, oldest
        if query.get("cursor"):
            position = siem_cursor_position(query["cursor"])
            if position is None:
                return _error(400, "badRequest", "cursor is not valid")
            if position[0] >= oldest:
                after_seq, since = position[1], oldest
        elif "from_date" in query:
            try:
                since = float(query["from_date"])
            except ValueError:
                return _error(400, "badRequest", "from_date must be a unix time in seconds")
            if since < oldest or since > now + 60:
                return _error(400, "badRequest", "from_date must be within last 24 hours")
        excluded = set(query.get("exclude_types", "").split(",")) if kind == "events" else set()
        with model.lock:
            stored = list(model.siem[kind].get(tenant_id, []))
            last_seq = model.siem_seq
        items = [e for e in stored if e["seq"] > after_seq and e["created"] >= since and e["created"] >= oldest
                 and e["item"].get("type") not in excluded]
        page, has_more = items[:limit], len(items) > limit
        if page:
            cursor = siem_cursor(page[-1]["created"], page[-1]["seq"])
        else:
            cursor = siem_cursor(now, max(after_seq, last_seq))
        return 200, {"has_more": has_more, "next_cursor": cursor, "items": [e["item"] for e in page]}

    def page(self, items, size, key, maximum):
        try:
            size = int(size if size is not None else 50)
        except ValueError:
            return _error(400, "badRequest", "pageSize must be a number")
        if size < 1 or size > maximum:
            return _error(400, "badRequest", "pageSize must be between 1 and %d" % maximum)
        start = 0
        if key:
            start = _offset(key)
            if start is None:
                return _error(400, "badRequest", "pageFromKey is not valid")
        chunk = items[start:start + size]
        pages = {"size": size, "maxSize": maximum}
        if key:
            pages["fromKey"] = key
        if start + size < len(items):
            pages["nextKey"] = _key(start + size)
        elif self.model.repeat_last_key and key:
            pages["nextKey"] = key
        elif self.model.loop_keys and start >= 2 * size:
            pages["nextKey"] = _key(size)
        return 200, {"pages": pages, "items": chunk}

    def endpoint_list(self, tenant_id, query):
        model = self.model
        items = list(model.endpoints[tenant_id])
        now = model.now()
        if "type" in query:
            items = [e for e in items if e["type"] in query["type"].split(",")]
        if "healthStatus" in query:
            items = [e for e in items if e["health"]["overall"] in query["healthStatus"].split(",")]
        if "hostnameContains" in query:
            needle = query["hostnameContains"].lower()
            if model.hostname_first_10:
                needle = needle[:10]
            items = [e for e in items if needle in e["hostname"].lower()]
        if "ids" in query:
            wanted = set(query["ids"].split(","))
            items = [e for e in items if e["id"] in wanted]
        if "online" in query:
            items = [e for e in items if str(e["online"]).lower() == query["online"].lower()]
        if "isolationStatus" in query:
            items = [e for e in items if e["isolation"]["status"] == query["isolationStatus"]]
        for name, keep in (("lastSeenBefore", lambda seen, limit: seen < limit),
                           ("lastSeenAfter", lambda seen, limit: seen >= limit)):
            if name in query:
                limit = parse_time(query[name], now)
                if limit is None:
                    return _error(400, "badRequest", "%s is not a time or duration" % name)
                items = [e for e in items if keep(parse_time(e["lastSeenAt"], now), limit)]
        view = query.get("view", "summary")
        if view not in ("basic", "summary", "full"):
            return _error(400, "badRequest", "view must be basic, summary or full")
        status, body = self.page(items, query.get("pageSize"), query.get("pageFromKey"), ENDPOINT_PAGE_MAX)
        if status == 200:
            body["items"] = [self.view(e, view) for e in body["items"]]
            if query.get("fields"):
                fields = query["fields"].split(",")
                body["items"] = [dict((k, e[k]) for k in fields if k in e) for e in body["items"]]
        return status, body

    def alert_list(self, tenant_id, filters, size, key):
        model = self.model
        items = list(model.alerts[tenant_id])
        for name in ("product", "category", "severity", "ids"):
            if name in filters:
                wanted = set(filters[name])
                items = [a for a in items if a["id" if name == "ids" else name] in wanted]
        if "groupKey" in filters:
            items = [a for a in items if a["groupKey"] == filters["groupKey"]]
        now = model.now()
        if "from" in filters:
            limit = parse_time(filters["from"], now)
            items = [a for a in items if parse_time(a["raisedAt"], now) >= limit]
        if "to" in filters:
            limit = parse_time(filters["to"], now)
            items = [a for a in items if parse_time(a["raisedAt"], now) < limit]
        sort = filters.get("sort")
        if sort:
            field, _sep, order = (sort[0] if isinstance(sort, list) else sort).partition(":")
            items.sort(key=lambda a: parse_time(a["raisedAt"], now) if field == "raisedAt" else str(a.get(field)),
                       reverse=order == "desc")
        return self.page(items, size, key, ALERT_PAGE_MAX)


# ---------------------------------------------------------------------- seeding

def make_endpoint(tenant_id, hostname, now, kind="server", platform="windows", health="good", online=True,
                  seen_days_ago=0.0, stopped=()):
    endpoint_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, "%s.%s" % (hostname, tenant_id)))
    windows = platform == "windows"
    return {
        "id": endpoint_id, "type": kind, "tenant": {"id": tenant_id}, "hostname": hostname,
        "health": {"overall": health, "threats": {"status": "good"},
                   "services": {"status": "bad" if stopped else "good",
                                "serviceDetails": [{"name": name, "status": "stopped" if name in stopped else "running"}
                                                   for name in SERVICES]}},
        "os": {"isServer": kind == "server", "platform": platform,
               "name": "Windows Server 2019 Standard" if windows else "Ubuntu 22.04.4 LTS",
               "majorVersion": 10 if windows else 22, "minorVersion": 0 if windows else 4,
               "build": 17763 if windows else None},
        "ipv4Addresses": ["10.20.%d.%d" % (len(hostname) % 250, sum(map(ord, hostname)) % 250)],
        "ipv6Addresses": [], "macAddresses": ["00:50:56:B0:5C:BA"],
        "associatedPerson": {"id": str(uuid.uuid4()), "name": "admin", "viaLogin": hostname + "\\Administrator"},
        "tamperProtectionSupported": True, "tamperProtectionEnabled": True,
        "assignedProducts": [{"code": "coreAgent", "version": "2024.3.1.2", "status": "installed"},
                             {"code": "interceptX", "version": "2024.3.1.2", "status": "installed"}],
        "lastSeenAt": iso(now - seen_days_ago * 86400), "lastOsUpdateAt": iso(now - 40 * 86400),
        "lastAgentUpdateAt": iso(now - 20 * 86400), "serialNumber": "VMware-%s" % endpoint_id[:8],
        "encryption": {"volumes": [], "overallStatus": "notEncrypted"},
        "lockdown": {"status": "notInstalled", "updateStatus": "notInstalled"}, "online": online,
        "isolation": {"status": "notIsolated", "adminIsolated": False, "selfIsolated": False}, "cloned": False,
    }


def siem_cursor(created, seq):
    """A SIEM cursor: base64 of ``V2_CURSOR|<ISO time>|<arrival number>`` (Sophos' test cursor has the first two)."""
    return base64.b64encode(("V2_CURSOR|%s|%d" % (iso(created), seq)).encode()).decode()


def siem_cursor_position(cursor):
    """A cursor → (epoch, arrival number), or None."""
    try:
        tag, when, seq = base64.b64decode(cursor.encode(), validate=True).decode().split("|")
        created = parse_time(when, time.time())
        return (created, int(seq)) if tag == "V2_CURSOR" and created is not None else None
    except (ValueError, UnicodeDecodeError):
        return None


def make_siem_event(tenant_id, kind, endpoint, when=None, hostname=None, severity="low"):
    """A SIEM event as the raw API gives it (Sophos' SIEM script's test sample); ``hostname``: its
    ``location``, default the endpoint's."""
    names = {"Event::Endpoint::UpdateRebootRequired": ("Reboot to complete update; computer stays protected in the "
                                                       "meantime", "UPDATING"),
             "Event::Endpoint::UpdateSuccess": ("Update succeeded", "UPDATING")}
    name, group = names.get(kind, ("Event %s" % kind, "OTHER"))
    return {"when": iso(when if when is not None else time.time()), "id": str(uuid.uuid4()), "customer_id": tenant_id,
            "severity": severity, "source_info": {"ip": "10.0.0.1"}, "endpoint_type": endpoint["type"],
            "endpoint_id": endpoint["id"], "origin": None, "type": kind,
            "location": endpoint["hostname"] if hostname is None else hostname, "source": "n/a", "group": group,
            "name": name}


def make_alert(tenant_id, kind, endpoint=None, days_ago=1.0, now=None, severity="medium", category="updating",
               zone=True, description="alert"):
    now = time.time() if now is None else now
    alert = {"id": str(uuid.uuid4()), "allowedActions": ["acknowledge"], "category": category,
             "description": description, "groupKey": base64.b64encode(kind.encode()).decode(),
             "product": "endpoint", "raisedAt": iso(now - days_ago * 86400, zone), "severity": severity,
             "tenant": {"id": tenant_id, "name": tenant_id}, "type": kind}
    if endpoint is not None:
        alert["managedAgent"] = {"id": endpoint["id"], "type": endpoint["type"]}
        alert["person"] = {"id": str(uuid.uuid4())}
    return alert


REBOOT = "Event::Endpoint::UpdateRebootUrgentlyRequired"
TENANT_A = "a0000000-0000-4000-8000-00000000000a"
TENANT_B = "b0000000-0000-4000-8000-00000000000b"
TENANT_X = "f0000000-0000-4000-8000-00000000000f"
PARTNER = "c0000000-0000-4000-8000-00000000000c"
ORGANIZATION = "d0000000-0000-4000-8000-00000000000d"
SECRETS = {"tenant": "tenant-secret-Zq81xWv", "partner": "partner-secret-Yk27pLm",
           "organization": "org-secret-Ht55nRc", "trial": "trial-secret-Wb39qTs"}


def seed_standard(model, a_servers=120, b_servers=7, alerts=None):
    """Three tenants: A on eu01 (``a_servers`` servers, some laptops), B on us01, X (403 for everyone).

    Clients: ``tenant-client`` (tenant A), ``partner-client`` (A, B, X), ``org-client`` (B, X),
    ``trial-client`` (tenant credentials of X, whose data calls answer 403). Secrets
    in ``SECRETS``. Alerts: a 20-day restart alert on ``WIN-SRV0003`` (raisedAt without a zone), a
    recommended-reboot alert on the mixed-case ``Lnx-Web02`` of B, OutOfDate and malware alerts, and one
    console alert without ``managedAgent``. Returns {name: endpoint}.
    """
    now = model.now()
    model.add_tenant(TENANT_A, "Acme EU", "eu01")
    model.add_tenant(TENANT_B, "Beta US", "us01")
    model.add_tenant(TENANT_X, "Xeno Trial", "eu01", forbidden=True)
    model.add_client("tenant-client", SECRETS["tenant"], "tenant", TENANT_A, [TENANT_A], region="eu01")
    model.add_client("partner-client", SECRETS["partner"], "partner", PARTNER, [TENANT_A, TENANT_B, TENANT_X])
    model.add_client("org-client", SECRETS["organization"], "organization", ORGANIZATION, [TENANT_B, TENANT_X])
    model.add_client("trial-client", SECRETS["trial"], "tenant", TENANT_X, [TENANT_X], region="eu01")
    named = {}
    for index in range(1, a_servers + 1):
        name = "WIN-SRV%04d" % index
        endpoint = make_endpoint(TENANT_A, name, now, health="bad" if index == 5 else "good",
                                 online=index != 7, seen_days_ago=3 if index == 7 else 0,
                                 stopped=("Sophos File Scanner",) if index == 5 else ())
        model.endpoints[TENANT_A].append(endpoint)
        named[name] = endpoint
    for index in range(1, 4):
        endpoint = make_endpoint(TENANT_A, "LAPTOP-%02d" % index, now, kind="computer")
        model.endpoints[TENANT_A].append(endpoint)
        named[endpoint["hostname"]] = endpoint
    for index in range(1, b_servers + 1):
        endpoint = make_endpoint(TENANT_B, "Lnx-Web%02d" % index, now, platform="linux")
        model.endpoints[TENANT_B].append(endpoint)
        named[endpoint["hostname"]] = endpoint
    model.endpoints[TENANT_X].append(make_endpoint(TENANT_X, "XENO-01", now))
    if alerts is None:
        model.alerts[TENANT_A].extend([
            make_alert(TENANT_A, REBOOT, named["WIN-SRV0003"], days_ago=20.5, now=now, zone=False,
                       description="Reboot required after software update"),
            make_alert(TENANT_A, "Event::Endpoint::OutOfDate", named["WIN-SRV0004"], days_ago=2, now=now),
            make_alert(TENANT_A, "Event::Endpoint::Threat::Detected", named["WIN-SRV0004"], days_ago=1, now=now,
                       severity="high", category="malware"),
            make_alert(TENANT_A, "Event::Endpoint::CorePuaDetection", None, days_ago=1, now=now, severity="low",
                       category="general", description="console alert"),
        ])
        model.alerts[TENANT_B].append(make_alert(TENANT_B, "Event::Endpoint::UpdateRebootRequired",
                                                 named["Lnx-Web02"], days_ago=3.2, now=now, severity="low"))
    return named


def seed_bench(model, endpoints=5000, alerts=2000):
    """One tenant with ``endpoints`` servers and ``alerts`` alerts (a third of them restart alerts)."""
    now = model.now()
    model.add_tenant(TENANT_A, "Bench", "eu01")
    model.add_client("tenant-client", SECRETS["tenant"], "tenant", TENANT_A, [TENANT_A], region="eu01")
    items = [make_endpoint(TENANT_A, "SRV-%05d" % i, now) for i in range(endpoints)]
    model.endpoints[TENANT_A] = items
    kinds = [REBOOT, "Event::Endpoint::OutOfDate", "Event::Endpoint::UpdateSuccess"]
    model.alerts[TENANT_A] = [make_alert(TENANT_A, kinds[i % 3], items[(i * 7) % endpoints], days_ago=1 + i % 30,
                                         now=now) for i in range(alerts)]
    return items
