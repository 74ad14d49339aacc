"""The Central client's safety rules: where the secret may go, what goes into a URL, what is retried,
when paging ends, and which Central hostnames may become inventory host names."""
import http.client
import json
import socket

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _central as central

NOW = 1764576000.0
E1 = "e1111111-1111-4111-8111-111111111111"
TENANT = {"id": "t1", "name": "One", "api_host": "https://eu.example"}
TOKEN = (200, {}, {"access_token": "tok-1", "expires_in": 3600})


class Script:
    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = []

    def __call__(self, method, url, headers, data, timeout, validate_certs, ca_path):
        self.sent.append({"method": method, "url": url, "headers": headers, "data": data})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, headers, body = answer
        return status, headers, json.dumps(body).encode()


def client(script, warn=None):
    sleeps = []
    made = central.Client("id", "s3cret", "https://id.example", "https://api.example", transport=script,
                          clock=lambda: NOW, sleep=sleeps.append, warn=warn)
    return made, sleeps


def page(items, **pages):
    return (200, {}, {"pages": pages, "items": items})


# --------------------------------------------------------------------------- where the secret may go

@pytest.mark.parametrize("url, secure", [
    ("https://id.sophos.com", True),
    ("https://api-eu01.central.sophos.com/", True),
    ("http://127.0.0.1:8443", True),
    ("http://localhost:9000/x", True),
    ("http://id.sophos.com", False),
    ("http://10.0.0.1", False),
    ("http://localhost.evil.example", False),
    ("http://127.0.0.1.evil.example", False),
    ("ftp://127.0.0.1", False),
    ("https://", False),
    ("https://[::1", False),
    ("id.sophos.com", False),
    ("", False),
    (None, False),
])
def test_secure_url_https_or_loopback_http_only(url, secure):
    assert central.secure_url(url) is secure


@pytest.mark.parametrize("option", ["identity_url", "global_url"])
def test_identity_and_global_url_refuse_plain_http_to_any_other_host(option):
    options = {"client_id": "id", "client_secret": "s", option: "http://central.example.net",
               "timeout": 30}
    options.setdefault("identity_url", "https://id.sophos.com")
    options.setdefault("global_url", "https://api.central.sophos.com")
    assert central.check_options(options) == [
        "%s must be an https URL such as %s (http only to 127.0.0.1 or localhost, for a local test), got "
        "'http://central.example.net'" % (option, central.DEFAULTS[option])]
    options[option] = "http://127.0.0.1:8443"
    assert central.check_options(options) == []


def test_one_rule_for_urls_and_api_hosts():
    for url in ("http://127.0.0.1:1", "http://central.example.net", "https://x.example"):
        tenant = {"id": "t", "name": "T", "api_host": url}
        if central.secure_url(url):
            central.check_api_host(tenant)
        else:
            with pytest.raises(central.CentralError):
                central.check_api_host(tenant)


def test_awx_credential_type_says_https():
    import os
    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
    with open(os.path.join(root, "docs", "awx", "sophos-central-credential-type.json")) as handle:
        kind = json.load(handle)
    fields = dict((f["id"], f) for f in kind["inputs"]["fields"])
    for name in ("identity_url", "global_url"):
        assert "https" in fields[name]["help_text"] and central.secure_url(fields[name]["default"])


# --------------------------------------------------------------------------- ids in URLs

@pytest.mark.parametrize("bad", ["e1", "../../partner/v1/tenants", E1 + "/../x", E1 + "?x=1", "", None, 7,
                                 "E1111111-1111-4111-8111-11111111111g"])
def test_update_check_refuses_an_id_that_is_not_a_uuid_and_sends_nothing(bad):
    script = Script([])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.update_check(TENANT, bad)
    assert str(caught.value).startswith("Sophos Central update-checks: endpoint id %s is not a UUID"
                                        % central.shown_id(bad))
    assert script.sent == []


def test_lookup_refuses_ids_that_are_not_uuids_before_asking_anything():
    script = Script([])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.lookup([], [E1, "%s,%s" % (E1, E1)])
    assert "endpoint id '%s,%s' is not a UUID" % (E1, E1) in str(caught.value)
    assert script.sent == []


def test_endpoint_url_quotes_its_parts():
    assert central.endpoint_url("x", "https://eu.example/", E1.upper(), "update checks") == (
        "https://eu.example/endpoint/v1/endpoints/%s/update%%20checks" % E1.upper())


def test_shown_id_quotes_and_cuts_what_is_not_a_uuid():
    assert central.shown_id(E1) == E1
    assert central.shown_id("a\nb") == "'a\\nb'"
    assert len(central.shown_id("x" * 500)) == 80


# --------------------------------------------------------------------------- cut-off answers, POST retries

@pytest.mark.parametrize("failure", [
    http.client.RemoteDisconnected("Remote end closed connection without response"),
    http.client.IncompleteRead(b"{\"items\": [", 300),
    http.client.BadStatusLine("HTTP/1.1 2"),
    central.URLError(http.client.RemoteDisconnected("closed")),
])
def test_an_answer_cut_off_is_retried_like_a_timeout(failure):
    script = Script([TOKEN, failure, (200, {}, {"ok": 1})])
    made, sleeps = client(script)
    assert made.call("x", "GET", "https://eu.example/x") == {"ok": 1}
    assert sleeps == [1.0]


def test_answers_cut_off_every_time_are_named_after_the_retries():
    script = Script([TOKEN] + [http.client.RemoteDisconnected("Remote end closed connection tok-1")] * 4)
    made, sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.call("alerts", "GET", "https://eu.example/common/v1/alerts?pageSize=100")
    assert str(caught.value) == ("Sophos Central alerts: GET https://eu.example answer cut off (RemoteDisconnected: "
                                 "Remote end closed connection ********) (after 4 attempts)")
    assert sleeps == [1.0, 2.0, 4.0]


def test_an_update_check_post_is_retried_once_its_answer_never_came():
    script = Script([TOKEN, http.client.RemoteDisconnected("closed"), socket.timeout("t"), (503, {}, {}),
                     (201, {}, {"id": "u1", "status": "requested"})])
    made, sleeps = client(script)
    assert made.update_check(TENANT, E1) == {"id": "u1", "status": "requested"}
    assert [s["method"] for s in script.sent[1:]] == ["POST"] * 4 and len(sleeps) == 3
    assert made.requests == {"token": 1, "update-checks": 4}


# --------------------------------------------------------------------------- paging

def test_paging_ends_on_any_repeated_key_with_a_warning():
    warnings = []
    script = Script([TOKEN, page([{"id": "1"}], nextKey="k2"), page([{"id": "2"}], nextKey="k3"),
                     page([{"id": "3"}], nextKey="k2")])
    made, _sleeps = client(script, warn=warnings.append)
    assert [e["id"] for e in made.key_pages("endpoints", TENANT, "/endpoint/v1/endpoints", {})] == ["1", "2", "3"]
    assert len(script.sent) == 4
    assert warnings == ["Sophos Central endpoints of tenant One (t1): page 3 gave a page key already followed; the "
                        "list ends there and may be incomplete"]


def test_paging_ends_on_an_immediately_repeated_key_with_a_warning():
    warnings = []
    script = Script([TOKEN, page([{"id": "1"}], nextKey="k2"), page([{"id": "2"}], nextKey="k2")])
    made, _sleeps = client(script, warn=warnings.append)
    assert [e["id"] for e in made.key_pages("alerts", TENANT, "/common/v1/alerts", {})] == ["1", "2"]
    assert len(warnings) == 1 and "page 2 gave a page key already followed" in warnings[0]


def test_a_tenant_list_page_repeated_ends_the_list_with_a_warning():
    warnings = []
    who = (200, {}, {"id": "p1", "idType": "partner", "apiHosts": {"global": "https://api.example"}})
    one = {"id": "t1", "showAs": "One", "apiHost": "https://eu.example"}
    script = Script([TOKEN, who, page([one], current=1, total=3), page([one], current=1, total=3)])
    made, _sleeps = client(script, warn=warnings.append)
    assert [t["id"] for t in made.tenants()] == ["t1"], "the repeated page's items are not listed twice"
    assert warnings == ["Sophos Central partner tenants: asked for page 2, got page 1 again; the tenant list ends "
                        "there (1 tenants)"]


# --------------------------------------------------------------------------- 403

def test_a_403_with_tenant_credentials_is_an_error_not_an_empty_fleet():
    who = (200, {}, {"id": "t1", "idType": "tenant", "apiHosts": {"dataRegion": "https://eu.example"}})
    forbidden = (403, {}, {"error": "forbidden", "message": "Forbidden", "requestId": "r-403"})
    warnings = []
    made, _sleeps = client(Script([TOKEN, who, forbidden]), warn=warnings.append)
    with pytest.raises(central.CentralError) as caught:
        made.fleet()
    assert not isinstance(caught.value, central.TenantForbidden) and warnings == []
    assert str(caught.value) == ("Sophos Central alerts: the tenant credentials may not read their own tenant t1 "
                                 "(HTTP 403); give the API credential a role that may (Service Principal ReadOnly "
                                 "or more): error=forbidden, message=Forbidden, requestId=r-403")


def test_update_check_for_a_known_host_of_a_skipped_tenant_is_an_error():
    class Known:
        def tenants(self, tenant_ids):
            return []

    with pytest.raises(central.CentralError, match="tenant t9 of srv1 cannot be reached"):
        central.update_check_for(Known(), "srv1", known={"id": E1, "tenant_id": "t9"})


# --------------------------------------------------------------------------- messages safe to show

def test_safe_error_stars_out_secrets_tokens_and_authorization():
    exc = RuntimeError("call failed: client_secret=s3cret&scope=token; headers {'Authorization': 'Bearer tok-1'} "
                       "Authorization: Basic QWxhZGRpbjpvcGVu bearer eyJhbGciOi.x.y")
    text = central.safe_error(exc, secrets=("s3cret", "", None))
    assert "s3cret" not in text and "tok-1" not in text and "QWxhZGRpbjpvcGVu" not in text and "eyJ" not in text
    assert text == ("RuntimeError: call failed: client_secret=********&scope=token; headers {'Authorization': "
                    "'Bearer ********'} Authorization: Basic ******** bearer ********")


def test_safe_error_stars_out_token_and_password_fields_and_leaves_plain_text():
    exc = RuntimeError('POST https://id.test/token {"access_token": "tok-xyz"} password: hunter2 token=abc')
    assert central.safe_error(exc) == ('RuntimeError: POST https://id.test/token {"access_token": "********"} '
                                       'password: ******** token=********')
    assert central.safe_error(RuntimeError("no tenant in the answer"), (None, "")) == (
        "RuntimeError: no tenant in the answer")


def test_safe_error_of_a_central_error_and_of_an_empty_exception():
    assert central.safe_error(central.CentralError("whoami", "GET x failed", status=500)) == (
        "Sophos Central whoami: GET x failed (HTTP 500)")
    assert central.safe_error(KeyError()) == "KeyError"
    assert central.safe_error(ValueError("a\nmulti-line   text with s3cret"), ["s3cret"]) == (
        "ValueError: a multi-line text with ********")


def test_safe_error_stars_the_longer_secret_first():
    assert central.safe_error(OSError("abc abcdef"), ["abc", "abcdef"]) == "OSError: ******** ********"


def test_a_failed_controller_call_names_what_failed_without_the_secret():
    options = {"client_secret": "s3cret"}
    assert central.failure_message(central.CentralError("whoami", "GET x failed", status=500), options) == (
        "Sophos Central whoami: GET x failed (HTTP 500)")
    assert central.failure_message(ValueError("bad answer for s3cret"), options) == (
        "Sophos Central: ValueError: bad answer for ********")
    assert central.failure_message(KeyError("items"), {}, "Sophos Central update-checks") == (
        "Sophos Central update-checks: KeyError: 'items'")


# --------------------------------------------------------------------------- host names

@pytest.mark.parametrize("name", ["WIN-SRV0003", "lnx-web02", "web1.example.com", "SQL_01", "10.20.1.5",
                                  "a" * 63, "x"])
def test_host_names_that_may_be_inventory_hosts(name):
    assert central.host_name_problem(name, ["controller", "controller.example.com"]) is None


@pytest.mark.parametrize("name, problem", [
    (None, "it has no hostname"),
    ("", "it has no hostname"),
    ("localhost", "loopback"),
    ("LOCALHOST", "loopback"),
    ("localhost.localdomain", "loopback"),
    ("foo.localhost", "loopback"),
    ("ip6-localhost", "loopback"),
    ("ip6-loopback", "loopback"),
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("0.0.0.0", "loopback"),
    ("::1", "not a valid host name"),
    ("controller", "the controller itself"),
    ("CONTROLLER.example.com", "the controller itself"),
    ("Controller.other.example", "the controller itself"),
    ("all", "group"),
    ("ungrouped", "group"),
    ("web1,web2", "not a valid host name"),
    ("web1:22", "not a valid host name"),
    ("web[1:3]", "not a valid host name"),
    ("web*", "not a valid host name"),
    ("!web1", "not a valid host name"),
    ("&web1", "not a valid host name"),
    ("~web", "not a valid host name"),
    ("web 1", "not a valid host name"),
    ("web1\n", "not a valid host name"),
    ("-web1", "not a valid host name"),
    ("web1-", "not a valid host name"),
    ("web..example", "not a valid host name"),
    ("web1.", "not a valid host name"),
    ("a" * 64, "not a valid host name"),
    (".".join(["a" * 60] * 5), "not a valid host name"),
    ("{{ lookup('pipe', 'id') }}", "not a valid host name"),
    ("web{{1}}", "not a valid host name"),
    (7, "it has no hostname"),
])
def test_host_names_refused(name, problem):
    assert problem in central.host_name_problem(name, ["controller", "controller.example.com"])


def test_controller_names_from_gethostname_and_hosts_file(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n127.0.1.1 ctl.example.com ctl  # this machine\n"
                     "::1 ip6-localhost ip6-loopback\n10.0.0.9 other.example.com other\n# ctl2\n")
    assert central.controller_names(str(hosts), lambda: "CTL") == ["ctl", "ctl.example.com"]
    assert central.controller_names(str(tmp_path / "none"), lambda: "ctl") == ["ctl"]

    def broken():
        raise OSError("no name")

    assert central.controller_names(str(hosts), broken) == []


def test_module_ids_that_are_not_uuids_fail_before_anything_even_in_check_mode():
    class Module:
        def __init__(self, **params):
            self.params = dict({"client_id": "id", "client_secret": "s", "identity_url": "https://id.example",
                                "global_url": "https://api.example", "validate_certs": True, "ca_path": None,
                                "tenant_ids": None, "timeout": 30, "hostnames": [], "ids": []}, **params)
            self.check_mode = True

        def fail_json(self, **result):
            raise AssertionError(result)

        def warn(self, message):
            raise AssertionError(message)

    with pytest.raises(AssertionError) as caught:
        central.module_client(Module(ids=[E1, "../x", E1 + ",x"]))
    assert caught.value.args[0] == {"msg": (
        "ids: endpoint id '../x' is not a UUID, as Sophos Central endpoint ids are "
        "(4f5b6c7d-1111-4222-8333-444455556666); ids: endpoint id '%s,x' is not a UUID, as Sophos Central "
        "endpoint ids are (4f5b6c7d-1111-4222-8333-444455556666)" % E1)}
    assert central.module_client(Module(ids=[E1])).global_url == "https://api.example"
