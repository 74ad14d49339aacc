"""The Central client's pure pieces, and its retry / token / tenancy logic over a scripted transport."""
import json

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _central as central

NOW = 1764576000.0  # 2025-12-01T08:00:00Z
E1 = "e1111111-1111-4111-8111-111111111111"
E7 = "e7777777-7777-4777-8777-777777777777"
LOOPBACK = " (http only to 127.0.0.1 or localhost, for a local test), got "


def endpoint(**extra):
    item = {"id": "e1", "type": "server", "tenant": {"id": "t1"}, "hostname": "WIN-CEAESQ7V08E",
            "health": {"overall": "good", "services": {"serviceDetails": [
                {"name": "Sophos MCS Agent", "status": "running"},
                {"name": "Sophos File Scanner", "status": "stopped"}]}},
            "os": {"isServer": True, "platform": "windows", "name": "Windows Server 2019", "build": 17763},
            "ipv4Addresses": ["192.168.66.10"], "lastSeenAt": "2025-11-30T10:09:56.722Z", "online": True}
    item.update(extra)
    return item


def alert(kind, raised="2025-11-11T08:00:00.000Z", agent="e1", **extra):
    item = {"id": "a-" + kind, "type": kind, "severity": "medium", "raisedAt": raised}
    if agent:
        item["managedAgent"] = {"id": agent, "type": "server"}
    item.update(extra)
    return item


def test_next_key_stops_without_next_key_and_on_a_repeated_key():
    assert central.next_key({"nextKey": "k2", "fromKey": "k1"}, "k1") == "k2"
    assert central.next_key({"fromKey": "k1"}, "k1") is None
    assert central.next_key({"nextKey": ""}, None) is None
    assert central.next_key({"nextKey": "k1"}, "k1") is None
    assert central.next_key(None, None) is None


def test_next_page_number_counts_from_one_to_total():
    assert central.next_page_number({"current": 1, "total": 3}, 1) == 2
    assert central.next_page_number({"current": 3, "total": 3}, 3) is None
    assert central.next_page_number({"current": 1}, 1) is None


@pytest.mark.parametrize("kind, expected", [
    ("Event::Endpoint::UpdateRebootUrgentlyRequired", True),
    ("Event::Endpoint::UpdateRebootRequired", True),
    ("Event::Endpoint::UpdateFailure::RESTART_NEEDED", True),
    ("Event::Endpoint::UpdateSuccess", False),
    ("Event::Endpoint::OutOfDate", False),
    (None, False),
])
def test_restart_alert_classification(kind, expected):
    assert central.is_restart_alert({"type": kind}) is expected


def test_shape_endpoint_with_urgent_alert_preferred_and_its_age():
    alerts = [alert("Event::Endpoint::UpdateRebootRequired", raised="2025-10-01T08:00:00Z"),
              alert("Event::Endpoint::UpdateRebootUrgentlyRequired", raised="2025-11-11T07:00:00.123")]
    shaped = central.shape_endpoint(endpoint(), alerts, NOW)
    assert shaped == {
        "id": "e1", "tenant_id": "t1", "hostname": "WIN-CEAESQ7V08E", "type": "server", "online": True,
        "last_seen_at": "2025-11-30T10:09:56Z",
        "health": {"overall": "good", "services": {"Sophos MCS Agent": "running", "Sophos File Scanner": "stopped"}},
        "os": {"platform": "windows", "name": "Windows Server 2019", "is_server": True, "build": 17763},
        "ipv4_addresses": ["192.168.66.10"],
        "restart_alert": {"id": "a-Event::Endpoint::UpdateRebootUrgentlyRequired",
                          "type": "Event::Endpoint::UpdateRebootUrgentlyRequired", "severity": "medium",
                          "raised_at": "2025-11-11T07:00:00Z", "age_days": 20,
                          "pending_since": "2025-10-28T07:00:00Z", "pending_since_source": "estimate",
                          "pending_days": 34},
    }
    assert central.groups_of(shaped) == ["sophos_central_restart_alert"]


def test_shape_endpoint_unknowns_stay_unknown():
    shaped = central.shape_endpoint({"id": "e2", "online": "True", "health": "odd"},
                                    [alert("Event::Endpoint::UpdateRebootRequired", raised="yesterday")], NOW)
    assert shaped["online"] is None and shaped["last_seen_at"] is None
    assert shaped["health"] == {"overall": None, "services": {}}
    assert shaped["restart_alert"]["raised_at"] is None and shaped["restart_alert"]["pending_days"] is None
    assert shaped["restart_alert"]["pending_since"] is None and shaped["restart_alert"]["pending_since_source"] is None
    assert shaped["restart_alert"]["age_days"] is None
    assert central.groups_of(shaped) == ["sophos_central_restart_alert"]
    assert central.groups_of(central.shape_endpoint(endpoint(online=False, health={"overall": "bad"}), [], NOW)) \
        == ["sophos_central_health_bad", "sophos_central_offline"]


def test_alerts_join_on_managed_agent_and_orphans_warned_once():
    joined, orphans = central.alerts_by_endpoint([alert(REBOOT), alert("B", agent=None), alert(REBOOT, agent="e9"),
                                                  {"type": "D", "managedAgent": {"type": "server"}},
                                                  alert("Event::Endpoint::OutOfDate", agent="e2")])
    assert sorted(joined) == ["e1", "e9"] and orphans == [{"type": "B"}, {"type": "D"}]
    assert central.orphan_warning(orphans).startswith("2 Sophos Central alert(s) name no endpoint")
    assert central.orphan_warning([]) is None


def test_match_names_exact_short_name_case_insensitive():
    items = [endpoint(id="e1", hostname="WEB1"), endpoint(id="e2", hostname="web10"),
             endpoint(id="e3", hostname="db1"), endpoint(id="e4", hostname="DB1")]
    found = central.match_names(["web1.example.com", "Web1", "db1", "nope"], items)
    assert [e["id"] for e in found["web1.example.com"]] == ["e1"]
    assert [e["id"] for e in found["Web1"]] == ["e1"]
    assert sorted(e["id"] for e in found["db1"]) == ["e3", "e4"]
    assert found["nope"] == []


def good_options(**extra):
    options = dict(central.DEFAULTS, client_id="id", client_secret="s3cret")
    options.update(extra)
    return options


@pytest.mark.parametrize("extra, option", [
    ({"client_secret": None}, "client_secret"), ({"client_id": ""}, "client_id"),
    ({"global_url": "api.central.sophos.com"}, "global_url"), ({"identity_url": "ftp://x"}, "identity_url"),
    ({"page_size": 501}, "page_size"), ({"page_size": 0}, "page_size"), ({"timeout": 0}, "timeout"),
    ({"endpoint_type": "laptop"}, "endpoint_type"),
])
def test_check_options_names_the_option(extra, option):
    problems = central.check_options(good_options(**extra))
    assert len(problems) == 1 and problems[0].startswith(option), problems
    assert "s3cret" not in problems[0]


def test_check_options_accepts_defaults():
    assert central.check_options(good_options()) == []


def test_defaults_match_the_documentation():
    """The DOCUMENTATION of the plugins repeats DEFAULTS: they must agree."""
    import yaml
    from ansible_collections.fleetops.sophos.plugins.inventory import central as inventory
    from ansible_collections.fleetops.sophos.plugins.doc_fragments import central as fragment
    for text in (inventory.DOCUMENTATION, fragment.ModuleDocFragment.DOCUMENTATION):
        options = yaml.safe_load(text)["options"]
        for name, value in central.DEFAULTS.items():
            if name in options:
                assert options[name].get("default") == value, (name, text[:40])


class Script:
    """A transport that answers from a list of (status, headers, body) and records the requests."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = []

    def __call__(self, method, url, headers, data, timeout, validate_certs, ca_path):
        self.sent.append({"method": method, "url": url, "headers": headers, "data": data, "timeout": timeout,
                          "validate_certs": validate_certs, "ca_path": ca_path})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, headers, body = answer
        return status, headers, json.dumps(body).encode() if not isinstance(body, bytes) else body


TOKEN = (200, {}, {"access_token": "tok-1", "expires_in": 3600})
TOKEN2 = (200, {}, {"access_token": "tok-2", "expires_in": 3600})
WHO = (200, {}, {"id": "t1", "idType": "tenant", "apiHosts": {"dataRegion": "https://eu.example"}})


def client(script, clock=lambda: NOW, warn=None):
    sleeps = []
    made = central.Client("id", "s3cret", "https://id.example", "https://api.example", transport=script,
                          clock=clock, sleep=sleeps.append, warn=warn)
    return made, sleeps


def test_retry_after_is_honoured_and_5xx_backs_off_within_bounds():
    script = Script([TOKEN, (429, {"Retry-After": "7"}, {}), (503, {}, {}), (429, {}, {}), WHO])
    made, sleeps = client(script)
    assert made.whoami()["id"] == "t1"
    assert sleeps == [7.0, 2.0, 4.0]


def test_retries_are_bounded_and_the_error_names_call_and_request_id():
    body = {"error": "internalServerError", "message": "Internal Server Error.", "requestId": "r-42"}
    script = Script([TOKEN] + [(500, {}, body)] * 4)
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.whoami()
    text = str(caught.value)
    assert "whoami" in text and "r-42" in text and "after 4 attempts" in text and "HTTP 500" in text
    assert "tok-1" not in text and "s3cret" not in text
    assert len(script.sent) == 5


def test_a_401_renews_the_token_once_then_fails():
    script = Script([TOKEN, (401, {}, {"error": "Unauthorized"}), TOKEN2, WHO])
    made, _sleeps = client(script)
    made.whoami()
    assert script.sent[-1]["headers"]["Authorization"] == "Bearer tok-2"
    script = Script([TOKEN, (401, {}, {}), TOKEN2, (401, {}, {"error": "Unauthorized", "requestId": "r-1"})])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError, match="HTTP 401.*r-1"):
        made.whoami()


def test_token_is_renewed_before_it_expires():
    now = [NOW]
    script = Script([TOKEN, WHO, TOKEN2, (200, {}, {"items": []})])
    made, _sleeps = client(script, clock=lambda: now[0])
    made.whoami()
    now[0] += 3600 - 100  # inside the renewal margin
    made.call("x", "GET", "https://eu.example/x")
    assert [s["url"].split("/")[-1] for s in script.sent] == ["token", "v1", "token", "x"]
    assert script.sent[-1]["headers"]["Authorization"] == "Bearer tok-2"
    assert "client_secret=s3cret" in script.sent[0]["data"] and "scope=token" in script.sent[0]["data"]


def test_wrong_secret_names_the_identity_error():
    script = Script([(401, {}, {"errorCode": "oauth.invalid_client_secret", "message": "Unauthorized",
                                "trackingId": "tr-9"})])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.token()
    assert "oauth.invalid_client_secret" in str(caught.value) and "tr-9" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_partner_tenants_paged_and_a_403_tenant_skipped_with_a_warning():
    who = (200, {}, {"id": "p1", "idType": "partner", "apiHosts": {"global": "https://api.example"}})
    page1 = (200, {}, {"pages": {"current": 1, "total": 2}, "items": [
        {"id": "t1", "showAs": "One", "apiHost": "https://eu.example"}]})
    page2 = (200, {}, {"pages": {"current": 2, "total": 2}, "items": [
        {"id": "t2", "showAs": "Two", "apiHost": "https://us.example"}]})
    forbidden = (403, {}, {"error": "forbidden", "message": "Forbidden", "requestId": "r-403"})
    endpoints = (200, {}, {"pages": {"nextKey": "k2"}, "items": [endpoint()]})
    last = (200, {}, {"pages": {"fromKey": "k2"}, "items": [endpoint(id="e2", hostname="B")]})
    alerts = (200, {}, {"pages": {}, "items": [alert("Event::Endpoint::UpdateRebootUrgentlyRequired")]})
    script = Script([TOKEN, who, page1, page2, forbidden, alerts, endpoints, last])
    warnings = []
    made, _sleeps = client(script, warn=warnings.append)
    hosts, orphans = made.fleet(now=NOW)
    assert [h["id"] for h in hosts] == ["e1", "e2"] and orphans == []
    assert hosts[0]["restart_alert"]["age_days"] == 20
    assert len(warnings) == 1 and "One (t1)" in warnings[0] and "r-403" in warnings[0]
    sent = script.sent
    assert sent[2]["headers"]["X-Partner-ID"] == "p1" and "page=1" in sent[2]["url"]
    assert "page=2" in sent[3]["url"]
    assert sent[5]["url"].startswith("https://us.example/common/v1/alerts?")
    assert sent[6]["url"].startswith("https://us.example/endpoint/v1/endpoints?")
    assert sent[6]["headers"]["X-Tenant-ID"] == "t2"
    assert "pageFromKey=k2" in sent[7]["url"] and "view=full" in sent[7]["url"]


def test_tenant_ids_limit_and_unknown_ids_are_named():
    script = Script([TOKEN, WHO])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError, match="tenant_ids.*t-other"):
        made.tenants(["t-other"])


def test_api_host_must_be_https():
    with pytest.raises(central.CentralError, match="https apiHost"):
        central.check_api_host({"id": "t", "name": "T", "api_host": "http://evil.example"})
    central.check_api_host({"id": "t", "name": "T", "api_host": "https://api-eu01.central.sophos.com"})


def test_awx_credential_type_injects_what_the_plugins_read():
    import os
    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
    with open(os.path.join(root, "docs", "awx", "sophos-central-credential-type.json")) as handle:
        kind = json.load(handle)
    fields = dict((f["id"], f) for f in kind["inputs"]["fields"])
    assert fields["client_secret"]["secret"] is True and kind["kind"] == "cloud"
    assert kind["injectors"]["env"] == dict((central.ENV[name], "{{ %s }}" % name) for name in central.ENV)
    for name in ("identity_url", "global_url"):
        assert fields[name]["default"] == central.DEFAULTS[name]
    with open(os.path.join(root, "docs", "awx", "sophos-central-inventory-source.json")) as handle:
        source = json.load(handle)
    assert source["source_path"].endswith("sophos_central.yml")
    assert os.path.isfile(os.path.join(root, source["source_path"]))


# --------------------------------------------------------------------------- pure pieces: every edge

def test_describe_error_orders_the_fields_and_names_one_request_id():
    body = {"message": "m", "errorCode": "c", "error": "e", "trackingId": "t", "correlationId": "c2",
            "requestId": "r"}
    assert central.describe_error(body) == "error=e, errorCode=c, message=m, requestId=r"
    assert central.describe_error({"correlationId": "c2", "trackingId": "t"}) == "correlationId=c2"
    assert central.describe_error({"trackingId": "t"}) == "trackingId=t"
    assert central.describe_error({"error": "", "message": 5, "requestId": "", "correlationId": "c3"}) \
        == "correlationId=c3"
    assert central.describe_error({"error": ["x"], "requestId": 7}) == ""
    assert central.describe_error(["error"]) == ""
    assert central.describe_error(None) == ""


def test_central_error_text_status_and_body():
    error = central.CentralError("whoami", "GET x failed", status=500, body={"error": "e", "requestId": "r"})
    assert str(error) == "Sophos Central whoami: GET x failed (HTTP 500): error=e, requestId=r"
    assert (error.call, error.status, error.body) == ("whoami", 500, {"error": "e", "requestId": "r"})
    plain = central.CentralError("token", "no token", body=["not", "a", "dict"])
    assert str(plain) == "Sophos Central token: no token" and plain.status is None and plain.body == {}
    assert str(central.CentralError("x", "m", status=0)) == "Sophos Central x: m (HTTP 0)"


def test_check_options_exact_messages():
    assert central.check_options(good_options(client_id=None, client_secret="")) == [
        "client_id is required (option client_id or environment variable SOPHOS_CENTRAL_CLIENT_ID)",
        "client_secret is required (option client_secret or environment variable SOPHOS_CENTRAL_CLIENT_SECRET)"]
    assert central.check_options(good_options(identity_url=None, global_url="https://")) == [
        "identity_url must be an https URL such as https://id.sophos.com" + LOOPBACK + "None",
        "global_url must be an https URL such as https://api.central.sophos.com" + LOOPBACK + "'https://'"]
    assert central.check_options(good_options(global_url=7)) == [
        "global_url must be an https URL such as https://api.central.sophos.com" + LOOPBACK + "7"]
    assert central.check_options(good_options(timeout=True)) == [
        "timeout must be a positive number of seconds, got True"]
    assert central.check_options(good_options(timeout=-1)) == ["timeout must be a positive number of seconds, got -1"]
    assert central.check_options(good_options(timeout="30")) == [
        "timeout must be a positive number of seconds, got '30'"]
    assert central.check_options(good_options(page_size=501)) == [
        "page_size must be between 1 and 500 (Central's maximum for endpoints), got 501"]
    assert central.check_options(good_options(page_size=True)) == [
        "page_size must be between 1 and 500 (Central's maximum for endpoints), got True"]
    assert central.check_options(good_options(page_size="50")) == [
        "page_size must be between 1 and 500 (Central's maximum for endpoints), got '50'"]
    assert central.check_options(good_options(endpoint_type="laptop")) == [
        "endpoint_type must be one of server, computer, all, got 'laptop'"]


@pytest.mark.parametrize("extra", [
    {"identity_url": "http://127.0.0.1:8443", "global_url": "https://api.example/"},
    {"timeout": 0.5}, {"timeout": 1}, {"page_size": 1}, {"page_size": 500},
    {"endpoint_type": "all"}, {"endpoint_type": "computer"},
])
def test_check_options_accepts_the_edges(extra):
    assert central.check_options(good_options(**extra)) == []


def test_check_options_defaults_page_size_and_endpoint_type_when_absent():
    options = good_options()
    del options["page_size"], options["endpoint_type"]
    assert central.check_options(options) == []


def test_next_key_odd_pages():
    assert central.next_key(["nextKey"], None) is None
    assert central.next_key({}, None) is None
    assert central.next_key({"nextKey": 5}, None) is None
    assert central.next_key({"nextKey": "k1"}, None) == "k1"


def test_next_page_number_edges():
    assert central.next_page_number({"current": 2, "total": 3}, 1) == 3   # Central's page counts, not ours
    assert central.next_page_number({"total": 3}, 2) == 3                 # no current: the page asked for
    assert central.next_page_number({"current": 2, "total": 2}, 2) is None
    assert central.next_page_number({"current": 4, "total": 3}, 4) is None
    assert central.next_page_number({"current": "1", "total": 3}, 1) is None
    # Central answering page 1 again when page 2 was asked for: paging ends instead of asking for page 2
    # until MAX_PAGES; the page asked for itself (current == asked) still advances.
    assert central.next_page_number({"current": 1, "total": 3}, 2) is None
    assert central.next_page_number({"current": 2, "total": 3}, 2) == 3
    assert central.next_page_number({"current": 1, "total": "3"}, 1) is None
    assert central.next_page_number(["current"], 1) is None
    assert central.next_page_number(None, 1) is None


def test_short_name():
    assert central.short_name("  Web1.Example.COM ") == "web1"
    assert central.short_name("WIN-CEAESQ7V08E") == "win-ceaesq7v08e"
    assert central.short_name("") == "" and central.short_name(None) == "" and central.short_name(5) == ""


def test_match_names_dedupes_keeps_order_and_skips_junk():
    first, again = endpoint(id="e1", hostname="web1"), endpoint(id="e1", hostname="WEB1", type="copy")
    items = ["web1", None, first, endpoint(id="e5", hostname=None), again, endpoint(id="e2", hostname="Web1.lan")]
    found = central.match_names(["web1", ""], items)
    assert found["web1"] == [first, items[-1]]
    assert found[""] == []       # an empty name matches nothing, not the endpoints without a hostname


@pytest.mark.parametrize("kind, expected", [
    ("Event::Endpoint::VirtualisationCertificateRenewal", False),
    ("event::endpoint::restartneeded", True),
    ("Event::Endpoint::RebootRecommended", False),
    ("Event::Endpoint::RequiredReboot", False),
    (7, False),
])
def test_restart_alert_classification_edges(kind, expected):
    assert central.is_restart_alert({"type": kind}) is expected


def test_restart_alert_classification_of_junk():
    assert central.is_restart_alert(["Event::Endpoint::UpdateRebootUrgentlyRequired"]) is False
    assert central.is_restart_alert(None) is False


def test_alert_endpoint_id():
    assert central.alert_endpoint_id({"managedAgent": {"id": "e1"}}) == "e1"
    assert central.alert_endpoint_id({"managedAgent": {"id": ""}}) is None
    assert central.alert_endpoint_id({"managedAgent": {"id": 12}}) is None
    assert central.alert_endpoint_id({"managedAgent": "e1"}) is None
    assert central.alert_endpoint_id({}) is None
    assert central.alert_endpoint_id(["managedAgent"]) is None


def test_iso_utc():
    assert central.iso_utc("2021-02-12T15:04:53.780") == "2021-02-12T15:04:53Z"
    assert central.iso_utc("2020-11-04T09:31:17.546Z") == "2020-11-04T09:31:17Z"
    assert central.iso_utc("2020-11-04T10:31:17+01:00") == "2020-11-04T09:31:17Z"
    assert central.iso_utc("last week") is None and central.iso_utc(None) is None


REBOOT = "Event::Endpoint::UpdateRebootRequired"


def test_restart_alert_oldest_first_then_undated():
    newer = alert(REBOOT, raised="2025-11-20T08:00:00Z", id="newer")
    older = alert(REBOOT, raised="2025-10-01T08:00:00Z", id="older")
    undated = alert(REBOOT, raised="soon", id="undated")
    other = alert("Event::Endpoint::OutOfDate", raised="2025-01-01T08:00:00Z", id="other")
    assert central.restart_alert([undated, other, newer, older], NOW) == {
        "id": "older", "type": REBOOT, "severity": "medium", "raised_at": "2025-10-01T08:00:00Z", "age_days": 61,
        "pending_since": "2025-10-01T08:00:00Z", "pending_since_source": "alert", "pending_days": 61}
    assert central.restart_alert([undated, newer], NOW)["id"] == "newer"
    assert central.restart_alert([other], NOW) is None and central.restart_alert([], NOW) is None


def test_restart_alert_epoch_zero_is_a_time_not_a_missing_one():
    at_zero = alert(REBOOT, raised="1970-01-01T00:00:00Z", id="zero")
    half = alert(REBOOT, raised="1970-01-01T00:00:00.500Z", id="half")
    assert central.restart_alert([half, at_zero], NOW)["id"] == "zero"
    assert central.restart_alert([at_zero], 0.0)["raised_at"] == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize("age, days", [(0, 0), (86399, 0), (86400, 1), (86401, 1), (14 * 86400 - 1, 13),
                                       (14 * 86400, 14), (-3600, 0)])
def test_restart_alert_pending_days_edges(age, days):
    raised = alert(REBOOT, raised="2025-11-01T00:00:00Z")
    start = 1761955200.0  # 2025-11-01T00:00:00Z
    assert central.restart_alert([raised], start + age)["pending_days"] == days


def test_restart_alert_without_now_has_no_age():
    shown = central.restart_alert([alert(REBOOT, raised="2025-11-01T00:00:00Z")], None)
    assert shown["raised_at"] == "2025-11-01T00:00:00Z" and shown["pending_days"] is None
    assert shown["age_days"] is None and shown["pending_since"] == "2025-11-01T00:00:00Z"


URGENT = "Event::Endpoint::UpdateRebootUrgentlyRequired"


@pytest.mark.parametrize("age, days", [(0, 14), (86399, 14), (86400, 15), (-3600, 13)])
def test_urgent_alert_is_raised_two_weeks_after_the_restart_became_pending(age, days):
    """Central raises "Reboot required" after two weeks pending: the alert's raisedAt is not the pending-since.
    A new urgent alert means a restart pending 14 days, so ``pending_days >= 14`` selects it."""
    start = 1761955200.0  # 2025-11-01T00:00:00Z
    shown = central.restart_alert([alert(URGENT, raised="2025-11-01T00:00:00Z")], start + age)
    assert shown["raised_at"] == "2025-11-01T00:00:00Z" and shown["age_days"] == max(0, age) // 86400
    assert (shown["pending_since"], shown["pending_since_source"]) == ("2025-10-18T00:00:00Z", "estimate")
    assert shown["pending_days"] == days


def test_restart_alert_takes_the_event_time_as_exact_pending_since():
    start = 1761955200.0  # 2025-11-01T00:00:00Z, the alert
    event = start - 15 * 86400 - 3600
    shown = central.restart_alert([alert(URGENT, raised="2025-11-01T00:00:00Z")], start + 86400, event_at=event)
    assert (shown["pending_since"], shown["pending_since_source"]) == ("2025-10-16T23:00:00Z", "event")
    assert (shown["pending_days"], shown["age_days"]) == (16, 1)
    # An event after the alert is about another restart: the estimate stays.
    later = central.restart_alert([alert(URGENT, raised="2025-11-01T00:00:00Z")], start, event_at=start + 60)
    assert later["pending_since_source"] == "estimate"
    undated = central.restart_alert([alert(URGENT, raised="soon")], start, event_at=event)
    assert (undated["pending_since_source"], undated["pending_days"]) == ("event", 15)


def test_shape_endpoint_skips_odd_services_and_addresses():
    odd = endpoint(health={"overall": "suspicious", "services": {"serviceDetails": [
        "Sophos MCS Agent", {"status": "running"}, {"name": 5, "status": "x"}, {"name": "Sophos Clean", "status": None}]}},
        ipv4Addresses=["10.0.0.1", 10, None], os="windows", tenant="t1")
    shaped = central.shape_endpoint(odd, [], NOW)
    assert shaped["health"] == {"overall": "suspicious", "services": {"Sophos Clean": None}}
    assert shaped["ipv4_addresses"] == ["10.0.0.1"]
    assert shaped["os"] == {"platform": None, "name": None, "is_server": None, "build": None}
    assert shaped["tenant_id"] is None and shaped["restart_alert"] is None
    assert central.shape_endpoint(endpoint(ipv4Addresses="10.0.0.1"), [], NOW)["ipv4_addresses"] == []
    assert central.shape_endpoint(endpoint(online=False), [], NOW)["online"] is False


def test_orphan_warning_exact_text():
    orphans = [alert("Event::Other::B", agent=None), alert("Event::Other::A", agent=None),
               alert("Event::Other::B", agent=None), {"id": "no-type"}]
    assert central.orphan_warning(orphans) == (
        "4 Sophos Central alert(s) name no endpoint (no managedAgent.id) and are left out of the hosts: "
        "Event::Other::A, Event::Other::B, None")


def test_alerts_by_endpoint_keeps_order_per_endpoint_and_only_restart_alerts():
    one, two, lost = alert(REBOOT, agent="e1"), alert("Event::Endpoint::UpdateRebootUrgentlyRequired", agent="e1"), \
        alert("C", agent=None)
    other = alert("Event::Endpoint::OutOfDate", agent="e1")
    assert central.alerts_by_endpoint(iter([one, other, lost, two])) == ({"e1": [one, two]}, [{"type": "C"}])


def test_groups_of_every_group_and_missing_keys():
    assert central.groups_of({"restart_alert": {"id": "a"}, "health": {"overall": "bad"}, "online": False}) == [
        "sophos_central_restart_alert", "sophos_central_health_bad", "sophos_central_offline"]
    assert central.groups_of({"online": False}) == ["sophos_central_offline"]
    assert central.groups_of({"online": None, "health": {"overall": "suspicious"}, "restart_alert": None}) == []


def test_resolved_sorts_single_missing_and_several():
    t1, t2 = {"id": "t1"}, {"id": "t2"}
    found = {"web1": [(t1, {"id": "e1", "hostname": "WEB1"})], "db1": [],
             "app": [(t1, {"id": "e2", "hostname": "APP"}), (t2, {"id": "e3", "hostname": "app"})]}
    single, missing, several = central.resolved(found)
    assert single == {"web1": (t1, {"id": "e1", "hostname": "WEB1"})}
    assert missing == ["db1"]
    assert several == {"app": [{"id": "e2", "hostname": "APP", "tenant_id": "t1"},
                               {"id": "e3", "hostname": "app", "tenant_id": "t2"}]}


def test_check_api_host_loopback_http_only():
    for host in ("http://127.0.0.1:9000", "http://localhost:9000/", "https://api-eu01.central.sophos.com"):
        central.check_api_host({"id": "t", "name": "T", "api_host": host})
    for host, shown in (("http://10.0.0.1", "'http://10.0.0.1'"), ("http://localhost.evil.example", None),
                        ("ftp://127.0.0.1", None), ("", "''"), (None, "None")):
        with pytest.raises(central.CentralError) as caught:
            central.check_api_host({"id": "t9", "name": "Nine", "api_host": host})
        if shown:
            assert str(caught.value) == "Sophos Central tenants: tenant Nine (t9) has no https apiHost: " + shown
    with pytest.raises(central.CentralError, match=r"^Sophos Central tenants: tenant None \(None\) has no https"):
        central.check_api_host({})


def test_controller_options_given_then_environment_then_defaults():
    environ = {"SOPHOS_CENTRAL_CLIENT_ID": "env-id", "SOPHOS_CENTRAL_CLIENT_SECRET": "env-secret",
               "SOPHOS_CENTRAL_GLOBAL_URL": "https://env-global.example", "SOPHOS_CENTRAL_IDENTITY_URL": ""}
    assert central.controller_options({"client_id": "opt-id", "client_secret": "", "timeout": None,
                                       "tenant_ids": ["t1"]}, environ) == {
        "client_id": "opt-id", "client_secret": "env-secret", "global_url": "https://env-global.example",
        "identity_url": "https://id.sophos.com", "validate_certs": True, "timeout": 30, "tenant_ids": ["t1"]}
    assert central.controller_options(None, {}) == {
        "identity_url": "https://id.sophos.com", "global_url": "https://api.central.sophos.com",
        "validate_certs": True, "timeout": 30}
    assert central.controller_options({"validate_certs": False, "timeout": 5}, {})["validate_certs"] is False
    assert central.controller_options({"ca_path": "", "timeout": ""}, {}) == {
        "identity_url": "https://id.sophos.com", "global_url": "https://api.central.sophos.com",
        "validate_certs": True, "timeout": 30}


def test_has_credentials():
    assert central.has_credentials({"client_id": "a", "client_secret": "b"}) is True
    assert central.has_credentials({"client_id": "a", "client_secret": ""}) is False
    assert central.has_credentials({"client_secret": "b"}) is False


def test_client_from_builds_the_client_or_names_the_options():
    warnings = []
    made = central.client_from({"client_id": "id", "client_secret": "s3cret", "identity_url": "https://id.example/",
                                "global_url": "https://api.example", "validate_certs": False,
                                "ca_path": "/etc/ca.pem", "timeout": 12}, warn=warnings.append)
    assert (made.identity_url, made.global_url, made.validate_certs, made.ca_path, made.timeout) == (
        "https://id.example", "https://api.example", False, "/etc/ca.pem", 12)
    made.warn("w")
    assert warnings == ["w"]
    assert central.client_from(central.controller_options({"client_id": "i", "client_secret": "s"}, {})).ca_path is None
    with pytest.raises(central.CentralError) as caught:
        central.client_from({"client_id": "id", "client_secret": "s3cret", "identity_url": "x",
                             "global_url": "https://api.example", "validate_certs": True, "timeout": 0})
    assert str(caught.value) == ("Sophos Central options: identity_url must be an https URL such as "
                                 "https://id.sophos.com" + LOOPBACK + "'x'; timeout must be a positive number of "
                                 "seconds, got 0")
    assert "s3cret" not in str(caught.value)


class Module:
    """What module_client() uses of an AnsibleModule."""

    def __init__(self, **params):
        self.params = dict(client_id="id", client_secret="s3cret", identity_url="https://id.example",
                           global_url="https://api.example", validate_certs=True, ca_path=None, tenant_ids=None,
                           timeout=30, hostnames=[], ids=[])
        self.params.update(params)
        self.warnings = []

    def fail_json(self, **result):
        raise AssertionError(result)

    def warn(self, message):
        self.warnings.append(message)


def test_module_client_from_checked_parameters():
    module = Module(hostnames=["web1"], ca_path="/ca.pem", timeout=9, validate_certs=False)
    made = central.module_client(module)
    assert (made.identity_url, made.global_url, made.validate_certs, made.ca_path, made.timeout) == (
        "https://id.example", "https://api.example", False, "/ca.pem", 9)
    made.warn("careful")
    assert module.warnings == ["careful"]
    assert central.module_client(Module(ids=[E1])).global_url == "https://api.example"


def test_module_client_fails_naming_every_problem():
    with pytest.raises(AssertionError) as caught:
        central.module_client(Module(client_secret=None, timeout=0))
    assert caught.value.args[0] == {"msg": (
        "client_secret is required (option client_secret or environment variable SOPHOS_CENTRAL_CLIENT_SECRET); "
        "timeout must be a positive number of seconds, got 0; hostnames or ids: give at least one")}
    with pytest.raises(AssertionError) as caught:
        central.module_client(Module())
    assert caught.value.args[0] == {"msg": "hostnames or ids: give at least one"}


def test_origin_and_path_drop_what_they_should():
    assert central._origin("https://user@eu.example:8443/endpoint/v1/endpoints?x=1") == "https://user@eu.example:8443"
    assert central._path("https://eu.example:8443/endpoint/v1/endpoints?pageSize=5#f") \
        == "https://eu.example:8443/endpoint/v1/endpoints"


# --------------------------------------------------------------------------- the client over a scripted transport

TOKEN_URL = "https://id.example/api/v2/oauth2/token"
TOKEN_BODY = "grant_type=client_credentials&client_id=id&client_secret=s3cret&scope=token"
TENANT = {"id": "t1", "name": "One", "api_host": "https://eu.example/"}


def test_token_request_exactly_and_cached_until_renewal():
    script = Script([TOKEN, WHO])
    made, _sleeps = client(script)
    assert made.token() == "tok-1" and made.token() == "tok-1"
    assert script.sent == [{"method": "POST", "url": TOKEN_URL, "data": TOKEN_BODY, "timeout": 30,
                            "validate_certs": True, "ca_path": None,
                            "headers": {"Content-Type": "application/x-www-form-urlencoded"}}]
    made.whoami()
    assert made.requests == {"token": 1, "whoami": 1}


@pytest.mark.parametrize("lifetime, age, renewed", [
    (3600, 3479.5, False), (3600, 3480, True), (3600, 3481, True),   # 3600 s - 120 s
    (600, 539.5, False), (600, 540, True),                            # short token: a tenth of its life
    (1200, 1079.5, False), (1200, 1080, True),                        # 120 s is exactly a tenth
    (1, 0.85, False), (1, 0.95, True),                                # a one-second token is still one
])
def test_token_renewal_edges(lifetime, age, renewed):
    now = [NOW]
    first = (200, {}, {"access_token": "tok-1", "expires_in": lifetime})
    script = Script([first, TOKEN2])
    made, _sleeps = client(script, clock=lambda: now[0])
    made.token()
    now[0] = NOW + age
    assert made.token() == ("tok-2" if renewed else "tok-1")
    assert len(script.sent) == (2 if renewed else 1)


@pytest.mark.parametrize("lifetime", [None, 0, -5, "600"])
def test_token_lifetime_not_understood_is_an_hour(lifetime):
    now = [NOW]
    body = {"access_token": "tok-1"}
    if lifetime is not None:
        body["expires_in"] = lifetime
    script = Script([(200, {}, body), TOKEN2])
    made, _sleeps = client(script, clock=lambda: now[0])
    made.token()
    now[0] = NOW + 3479.5
    assert made.token() == "tok-1"
    now[0] = NOW + 3480
    assert made.token() == "tok-2"


@pytest.mark.parametrize("answer", [
    (200, {}, {"token_type": "bearer"}), (200, {}, {"access_token": ""}), (200, {}, {"access_token": 5}),
    (200, {}, ["access_token"]), (200, {}, b"<html>"), (201, {}, b""),
])
def test_token_answer_without_access_token(answer):
    made, _sleeps = client(Script([answer]))
    with pytest.raises(central.CentralError) as caught:
        made.token()
    assert str(caught.value) == "Sophos Central token: the identity service answered without an access_token"


def test_token_request_is_not_renewed_on_a_401_and_never_shows_the_secret():
    body = {"errorCode": "oauth.invalid_client_secret", "message": "Unauthorized s3cret", "trackingId": "tr-9"}
    script = Script([(401, {}, body)])
    made, _sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.token()
    assert str(caught.value) == (
        "Sophos Central token: POST https://id.example/api/v2/oauth2/token failed (HTTP 401): "
        "errorCode=oauth.invalid_client_secret, message=Unauthorized ********, trackingId=tr-9")
    assert caught.value.body["message"] == "Unauthorized ********" and caught.value.status == 401
    assert len(script.sent) == 1


def test_whoami_call_is_cached_and_sends_bearer_and_accept():
    script = Script([TOKEN, WHO])
    made, _sleeps = client(script)
    made.global_url = "https://api.example"
    assert made.whoami() is made.whoami()
    assert script.sent[1] == {"method": "GET", "url": "https://api.example/whoami/v1", "data": None, "timeout": 30,
                              "validate_certs": True, "ca_path": None,
                              "headers": {"Accept": "application/json", "Authorization": "Bearer tok-1"}}
    assert len(script.sent) == 2


def test_urls_lose_their_trailing_slash():
    made = central.Client("id", "s", "https://id.example/", "https://api.example//")
    assert (made.identity_url, made.global_url) == ("https://id.example", "https://api.example")


@pytest.mark.parametrize("who, shown", [
    ({"id": "x", "idType": "user"}, "'user'"), ({"idType": "tenant"}, "'tenant'"), ({"id": ""}, "None"),
])
def test_whoami_unexpected_answer(who, shown):
    made, _sleeps = client(Script([TOKEN, (200, {}, who)]))
    with pytest.raises(central.CentralError) as caught:
        made.whoami()
    assert str(caught.value) == "Sophos Central whoami: unexpected answer: idType=" + shown


@pytest.mark.parametrize("kind", ["partner", "organization"])
def test_whoami_accepts_partner_and_organization(kind):
    made, _sleeps = client(Script([TOKEN, (200, {}, {"id": "p1", "idType": kind})]))
    assert made.whoami()["idType"] == kind


def test_call_builds_query_headers_and_json_body():
    script = Script([TOKEN, (201, {}, {"id": "u1"})])
    made, _sleeps = client(script)
    answer = made.call("x", "POST", "https://eu.example/x", {"X-Tenant-ID": "t1"},
                       {"a": 1, "skip": None, "b": "x y,z"}, body={"k": [1]})
    assert answer == {"id": "u1"}
    sent = script.sent[1]
    assert sent["url"] == "https://eu.example/x?a=1&b=x+y%2Cz" and sent["data"] == '{"k": [1]}'
    assert sent["headers"] == {"X-Tenant-ID": "t1", "Accept": "application/json", "Content-Type": "application/json",
                               "Authorization": "Bearer tok-1"}
    script = Script([TOKEN, (200, {}, {})])
    made, _sleeps = client(script)
    made.call("x", "GET", "https://eu.example/x", params={})
    assert script.sent[1]["url"] == "https://eu.example/x"


@pytest.mark.parametrize("body", [[{"id": 1}], b"", b"not json", b"\xff\xfe"])
def test_call_answer_that_is_not_an_object(body):
    made, _sleeps = client(Script([TOKEN, (200, {}, body)]))
    with pytest.raises(central.CentralError) as caught:
        made.call("alerts", "GET", "https://eu.example/common/v1/alerts", params={"pageSize": 100})
    assert str(caught.value) == ("Sophos Central alerts: GET https://eu.example/common/v1/alerts answered "
                                 "something that is not a JSON object")


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_every_2xx_is_an_answer(status):
    made, _sleeps = client(Script([TOKEN, (status, {}, {"ok": 1})]))
    assert made.call("x", "GET", "https://eu.example/x") == {"ok": 1}


@pytest.mark.parametrize("status", [199, 300, 302, 400, 404, 499])
def test_other_statuses_fail_at_once(status):
    script = Script([TOKEN, (status, {}, {"error": "e%d" % status, "requestId": "r-1"})])
    made, sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.call("endpoints", "GET", "https://eu.example/endpoint/v1/endpoints", params={"view": "full"})
    assert str(caught.value) == ("Sophos Central endpoints: GET https://eu.example/endpoint/v1/endpoints failed "
                                 "(HTTP %d): error=e%d, requestId=r-1" % (status, status))
    assert not isinstance(caught.value, central.TenantForbidden) and caught.value.call == "endpoints"
    assert sleeps == [] and len(script.sent) == 2


@pytest.mark.parametrize("status", [429, 500, 501, 502, 503, 504, 599])
def test_retryable_statuses_are_retried_three_times(status):
    script = Script([TOKEN] + [(status, {}, b"<html>busy</html>")] * 4)
    made, sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.call("alerts", "GET", "https://eu.example/common/v1/alerts?pageSize=100")
    assert str(caught.value) == ("Sophos Central alerts: GET https://eu.example/common/v1/alerts failed after "
                                 "4 attempts (HTTP %d)" % status)
    assert sleeps == [1.0, 2.0, 4.0] and made.requests == {"token": 1, "alerts": 4}
    assert caught.value.body == {}


def test_retries_can_be_turned_off():
    script = Script([TOKEN, (503, {}, {"error": "busy"})])
    made = central.Client("id", "s3cret", "https://id.example", "https://api.example", transport=script,
                          clock=lambda: NOW, sleep=pytest.fail, retries=0)
    with pytest.raises(central.CentralError) as caught:
        made.call("x", "GET", "https://eu.example/x")
    assert str(caught.value) == "Sophos Central x: GET https://eu.example/x failed (HTTP 503): error=busy"


def test_a_retry_that_succeeds_returns_the_answer():
    script = Script([TOKEN, (502, {}, {}), (200, {}, {"items": [1]})])
    made, sleeps = client(script)
    assert made.call("x", "GET", "https://eu.example/x") == {"items": [1]}
    assert sleeps == [1.0] and script.sent[2]["headers"]["Authorization"] == "Bearer tok-1"


@pytest.mark.parametrize("header, delay", [
    ("7", 7.0), ("0", 0.0), ("-5", 0.0), ("2.5", 2.5), ("60", 60.0), ("61", 60.0), ("3600", 60.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 1.0), ("", 1.0),
])
def test_retry_after_of_a_429_capped_at_a_minute(header, delay):
    script = Script([TOKEN, (429, {"Retry-After": header}, {}), (200, {}, {})])
    made, sleeps = client(script)
    made.call("x", "GET", "https://eu.example/x")
    assert sleeps == [delay]


def test_retry_after_without_a_header_mapping_backs_off():
    class Headers:
        """Headers that cannot be asked for one value."""

    script = Script([TOKEN, (429, Headers(), {}), (429, None, {}), (200, {}, {})])
    made, sleeps = client(script)
    made.call("x", "GET", "https://eu.example/x")
    assert sleeps == [1.0, 2.0]


def test_retry_after_of_a_5xx_is_not_what_the_wait_follows():
    script = Script([TOKEN, (503, {"Retry-After": "30"}, {}), (200, {}, {})])
    made, sleeps = client(script)
    made.call("x", "GET", "https://eu.example/x")
    assert sleeps == [1.0]


def test_401_on_a_data_call_renews_the_token_even_before_it_expires():
    script = Script([TOKEN, (401, {}, {}), TOKEN2, (200, {}, {"ok": 1})])
    made, sleeps = client(script)
    assert made.call("x", "GET", "https://eu.example/x") == {"ok": 1}
    assert [s["url"] for s in script.sent] == [TOKEN_URL, "https://eu.example/x", TOKEN_URL, "https://eu.example/x"]
    assert made.token() == "tok-2" and sleeps == [] and made.requests == {"token": 2, "x": 2}


def test_a_second_401_is_the_error_without_retries():
    script = Script([TOKEN, (401, {}, {}), TOKEN2, (401, {}, {"error": "Unauthorized", "requestId": "r-1"})])
    made, sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.call("x", "GET", "https://eu.example/x")
    assert str(caught.value) == "Sophos Central x: GET https://eu.example/x failed (HTTP 401): error=Unauthorized, " \
                                "requestId=r-1"
    assert sleeps == [] and len(script.sent) == 4


def test_403_of_a_tenant_call_is_tenant_forbidden_other_403s_are_errors():
    body = {"error": "forbidden", "message": "Forbidden", "requestId": "r-403"}
    made, _sleeps = client(Script([TOKEN, (403, {}, body)]))
    with pytest.raises(central.TenantForbidden) as caught:
        made.call("alerts", "GET", "https://eu.example/common/v1/alerts", {"X-Tenant-ID": "t1"})
    assert str(caught.value) == ("Sophos Central alerts: GET https://eu.example/common/v1/alerts failed (HTTP 403): "
                                 "error=forbidden, message=Forbidden, requestId=r-403")
    made, _sleeps = client(Script([TOKEN, (403, {}, body)]))
    with pytest.raises(central.CentralError) as caught:
        made.call("partner tenants", "GET", "https://api.example/partner/v1/tenants", {"X-Partner-ID": "p1"})
    assert not isinstance(caught.value, central.TenantForbidden)
    made, _sleeps = client(Script([TOKEN, (404, {}, body)]))
    with pytest.raises(central.CentralError) as caught:
        made.call("alerts", "GET", "https://eu.example/common/v1/alerts", {"X-Tenant-ID": "t1"})
    assert not isinstance(caught.value, central.TenantForbidden)


def test_error_bodies_are_scrubbed_of_the_secret_and_the_token():
    body = {"error": "bad", "message": "token tok-1 with s3cret", "requestId": "r-7", "code": 12}
    made, _sleeps = client(Script([TOKEN, (400, {}, body)]))
    with pytest.raises(central.CentralError) as caught:
        made.call("x", "GET", "https://eu.example/x")
    assert caught.value.body == {"error": "bad", "message": "token ******** with ********", "requestId": "r-7",
                                 "code": 12}
    assert "tok-1" not in str(caught.value) and "s3cret" not in str(caught.value)


def test_timeouts_are_retried_and_named():
    import socket
    script = Script([TOKEN, socket.timeout("t"), TimeoutError(), central.URLError(socket.timeout()),
                     central.URLError("The read operation timed out")])
    made, sleeps = client(script)
    with pytest.raises(central.CentralError) as caught:
        made.call("whoami", "GET", "https://api.example/whoami/v1?x=1")
    assert str(caught.value) == "Sophos Central whoami: GET https://api.example timed out after 30s (after 4 attempts)"
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_timeout_then_an_answer():
    import socket
    script = Script([TOKEN, socket.timeout("t"), (200, {}, {"ok": 1})])
    made, sleeps = client(script)
    made.timeout = 2.5
    assert made.call("x", "GET", "https://eu.example/x") == {"ok": 1}
    assert sleeps == [1.0] and script.sent[1]["timeout"] == 2.5


@pytest.mark.parametrize("failure, shown", [
    (central.URLError(ConnectionRefusedError(111, "Connection refused")), "[Errno 111] Connection refused"),
    (central.URLError("certificate verify failed for s3cret"), "certificate verify failed for ********"),
    (OSError("network unreachable tok-1"), "network unreachable ********"),
    (ValueError("bad url"), "bad url"),
    (central.UrlsConnectionError("proxy refused"), "proxy refused"),
])
def test_connection_failures_are_final_and_scrubbed(failure, shown):
    script = Script([TOKEN, failure])
    made, sleeps = client(script)
    made.token()
    with pytest.raises(central.CentralError) as caught:
        made.call("endpoints", "GET", "https://eu.example:8443/endpoint/v1/endpoints?view=full")
    assert str(caught.value) == "Sophos Central endpoints: cannot reach https://eu.example:8443: " + shown
    assert sleeps == [] and made.requests == {"token": 1, "endpoints": 1}


def test_transport_gets_the_tls_options():
    script = Script([TOKEN])
    made = central.Client("id", "s3cret", "https://id.example", "https://api.example", validate_certs=False,
                          ca_path="/ca.pem", timeout=7, transport=script, clock=lambda: NOW, sleep=pytest.fail)
    made.token()
    assert (script.sent[0]["validate_certs"], script.sent[0]["ca_path"], script.sent[0]["timeout"]) == (
        False, "/ca.pem", 7)


def test_client_defaults():
    made = central.Client("id", "s3cret")
    assert (made.identity_url, made.global_url, made.validate_certs, made.ca_path, made.timeout, made.retries) == (
        "https://id.sophos.com", "https://api.central.sophos.com", True, None, 30, 3)
    assert made.warn("ignored") is None and made.requests == {}


# --------------------------------------------------------------------------- tenancy, paging and the calls on top

def page(items, **pages):
    return (200, {}, {"pages": pages, "items": items})


def partner_who(kind="partner"):
    return (200, {}, {"id": "p1", "idType": kind, "apiHosts": {"global": "https://api.example"}})


def test_tenant_credentials_are_their_own_tenant():
    made, _sleeps = client(Script([TOKEN, WHO]))
    assert made.tenants() == [{"id": "t1", "name": "t1", "api_host": "https://eu.example"}]
    assert made.tenants(["t1"]) == [{"id": "t1", "name": "t1", "api_host": "https://eu.example"}]


def test_tenant_credentials_without_a_data_region():
    made, _sleeps = client(Script([TOKEN, (200, {}, {"id": "t1", "idType": "tenant", "apiHosts": {}})]))
    with pytest.raises(central.CentralError) as caught:
        made.tenants()
    assert str(caught.value) == "Sophos Central tenants: tenant t1 (t1) has no https apiHost: None"


@pytest.mark.parametrize("kind, header", [("partner", "X-Partner-ID"), ("organization", "X-Organization-ID")])
def test_tenant_list_requests_and_names(kind, header):
    script = Script([TOKEN, partner_who(kind),
                     page([{"id": "t1", "showAs": "One", "name": "one-ltd", "apiHost": "https://eu.example"},
                           {"id": "t2", "name": "two-ltd", "apiHost": "https://us.example"},
                           "junk", {"name": "no id", "apiHost": "https://eu.example"}], current=1, total=2),
                     page([{"id": "t3", "showAs": "", "name": "", "apiHost": "https://eu.example"}], current=2, total=2)])
    made, _sleeps = client(script)
    assert made.tenants() == [{"id": "t1", "name": "One", "api_host": "https://eu.example"},
                              {"id": "t2", "name": "two-ltd", "api_host": "https://us.example"},
                              {"id": "t3", "name": "t3", "api_host": "https://eu.example"}]
    base = "https://api.example/%s/v1/tenants" % kind
    assert [s["url"] for s in script.sent[2:]] == [base + "?page=1&pageSize=100&pageTotal=true",
                                                   base + "?page=2&pageSize=100&pageTotal=true"]
    assert [s["method"] for s in script.sent[2:]] == ["GET", "GET"]
    assert script.sent[2]["headers"] == {header: "p1", "Accept": "application/json", "Authorization": "Bearer tok-1"}
    assert made.requests == {"token": 1, "whoami": 1, "%s tenants" % kind: 2}


def test_tenant_list_pages_without_current_follow_the_page_asked_for():
    script = Script([TOKEN, partner_who(), page([{"id": "t1", "apiHost": "https://eu.example"}], total=2),
                     page([{"id": "t2", "apiHost": "https://eu.example"}], total=2)])
    made, _sleeps = client(script)
    assert [t["id"] for t in made.tenants()] == ["t1", "t2"]
    assert len(script.sent) == 4


def test_tenant_list_ends_when_central_ignores_the_page_asked_for():
    # Central answering "page 1 of 3" whatever page is asked for: two requests, not MAX_PAGES.
    script = Script([TOKEN, partner_who(), page([{"id": "t1", "apiHost": "https://eu.example"}], current=1, total=3),
                     page([{"id": "t1", "apiHost": "https://eu.example"}], current=1, total=3)])
    made, _sleeps = client(script)
    made.tenants()
    assert len(script.sent) == 4
    assert made.requests["partner tenants"] == 2


def test_tenant_list_without_items_or_pages():
    made, _sleeps = client(Script([TOKEN, partner_who(), (200, {}, {})]))
    assert made.tenants() == []


def test_tenant_list_error_names_the_call():
    made, _sleeps = client(Script([TOKEN, partner_who("organization"), (400, {}, {"error": "badRequest"})]))
    with pytest.raises(central.CentralError) as caught:
        made.tenants()
    assert str(caught.value) == ("Sophos Central organization tenants: GET https://api.example/organization/v1/"
                                 "tenants failed (HTTP 400): error=badRequest")


def test_paging_stops_after_max_pages(monkeypatch):
    monkeypatch.setattr(central, "MAX_PAGES", 2)
    script = Script([TOKEN, partner_who()] + [page([{"id": "t%d" % n, "apiHost": "https://eu.example"}], current=n,
                                                   total=9) for n in (1, 2)])
    made, _sleeps = client(script)
    assert [t["id"] for t in made.tenants()] == ["t1", "t2"]
    keyed = Script([TOKEN] + [page([{"id": "e%d" % n}], nextKey="k%d" % n) for n in range(2)])
    made, _sleeps = client(keyed)
    assert [e["id"] for e in made.endpoints(TENANT)] == ["e0", "e1"]
    assert len(keyed.sent) == 3


def test_tenant_ids_keep_the_listed_order_and_name_the_unknown():
    listing = page([{"id": "t1", "apiHost": "https://eu.example"}, {"id": "t2", "apiHost": "https://eu.example"},
                    {"id": "t3", "apiHost": "https://eu.example"}], current=1, total=1)
    made, _sleeps = client(Script([TOKEN, partner_who(), listing]))
    assert [t["id"] for t in made.tenants(["t3", "t1"])] == ["t1", "t3"]
    made, _sleeps = client(Script([TOKEN, partner_who(), listing]))
    with pytest.raises(central.CentralError) as caught:
        made.tenants(["t2", "t-y", "t-x"])
    assert str(caught.value) == ("Sophos Central tenants: tenant_ids not reachable with these credentials "
                                 "(partner p1): t-x, t-y")


def test_a_tenant_without_https_api_host_is_skipped_with_a_warning_the_others_go_on():
    listing = page([{"id": "t1", "showAs": "One", "apiHost": "https://eu.example"},
                    {"id": "t2", "showAs": "Two", "apiHost": "http://eu.example"},
                    {"id": "t3", "showAs": "Three", "apiHost": "https://us.example"}], current=1, total=1)
    warnings = []
    made, _sleeps = client(Script([TOKEN, partner_who(), listing]), warn=warnings.append)
    assert [t["id"] for t in made.tenants()] == ["t1", "t3"]
    assert warnings == ["Sophos Central tenants: tenant Two (t2) has no https apiHost: 'http://eu.example'; that "
                        "tenant is skipped, the others go on"]
    warnings[:] = []
    made, _sleeps = client(Script([TOKEN, partner_who(), listing]), warn=warnings.append)
    assert made.tenants(["t1"])[0]["id"] == "t1" and warnings == []   # only the tenants asked for are checked


def test_tenant_credentials_without_an_https_data_region_are_an_error():
    who = (200, {}, {"id": "t1", "idType": "tenant", "apiHosts": {"dataRegion": "http://eu.example"}})
    made, _sleeps = client(Script([TOKEN, who]))
    with pytest.raises(central.CentralError, match=r"tenant t1 \(t1\) has no https apiHost: 'http://eu.example'"):
        made.tenants()


def test_endpoints_request_and_key_paging():
    script = Script([TOKEN, page([endpoint(id="e1"), "junk"], nextKey="k2", fromKey=""),
                     page([endpoint(id="e2")], nextKey="k3", fromKey="k2"), (200, {}, {"pages": {"fromKey": "k3"}})])
    made, _sleeps = client(script)
    assert [e["id"] for e in made.endpoints(TENANT, lastSeenAfter="-P14D", healthStatus=None)] == ["e1", "e2"]
    base = "https://eu.example/endpoint/v1/endpoints?view=full&pageSize=500&type=server&lastSeenAfter=-P14D"
    assert [s["url"] for s in script.sent[1:]] == [base, base + "&pageFromKey=k2", base + "&pageFromKey=k3"]
    assert script.sent[1]["headers"] == {"X-Tenant-ID": "t1", "Accept": "application/json",
                                         "Authorization": "Bearer tok-1"}
    assert made.requests == {"token": 1, "endpoints": 3}


def test_endpoints_of_every_type_and_page_size():
    script = Script([TOKEN, page([])])
    made, _sleeps = client(script)
    assert list(made.endpoints(TENANT, "all", 20)) == []
    assert script.sent[1]["url"] == "https://eu.example/endpoint/v1/endpoints?view=full&pageSize=20"


def test_alerts_request_and_paging():
    script = Script([TOKEN, page([alert("A")], nextKey="a2"), page([alert("B")])])
    made, _sleeps = client(script)
    assert [a["type"] for a in made.alerts(TENANT)] == ["A", "B"]
    assert [s["url"] for s in script.sent[1:]] == ["https://eu.example/common/v1/alerts?pageSize=100",
                                                   "https://eu.example/common/v1/alerts?pageSize=100&pageFromKey=a2"]
    assert made.requests == {"token": 1, "alerts": 2}
    made, _sleeps = client(Script([TOKEN, (500, {}, {"requestId": "r-5"})]))
    made.retries = 0
    with pytest.raises(central.CentralError) as caught:
        list(made.alerts(TENANT))
    assert str(caught.value) == ("Sophos Central alerts: GET https://eu.example/common/v1/alerts failed (HTTP 500): "
                                 "requestId=r-5")


def test_update_check_request():
    script = Script([TOKEN, (201, {}, {"id": "u1", "status": "requested"})])
    made, _sleeps = client(script)
    assert made.update_check(TENANT, E1) == {"id": "u1", "status": "requested"}
    assert script.sent[1] == {"method": "POST", "url": "https://eu.example/endpoint/v1/endpoints/%s/update-checks" % E1,
                              "data": "{}", "timeout": 30, "validate_certs": True, "ca_path": None,
                              "headers": {"X-Tenant-ID": "t1", "Accept": "application/json",
                                          "Content-Type": "application/json", "Authorization": "Bearer tok-1"}}
    assert made.requests == {"token": 1, "update-checks": 1}


def test_each_tenant_skips_403_only():
    warnings = []
    made, _sleeps = client(Script([]), warn=warnings.append)
    two = {"id": "t2", "name": "Two", "api_host": "https://eu.example"}

    def work(tenant):
        if tenant["id"] == "t1":
            raise central.TenantForbidden("alerts", "GET x failed", status=403, body={"requestId": "r-3"})
        return [tenant["id"] + "!"]

    done = []
    assert list(made.each_tenant([TENANT, two], work, done.append)) == [(two, "t2!")] and done == [two]
    assert warnings == ["Sophos Central tenant One (t1) skipped: it answered 403 Forbidden (no Partner Assistance "
                        "or a trial account?): Sophos Central alerts: GET x failed (HTTP 403): requestId=r-3"]

    def broken(tenant):
        raise central.CentralError("alerts", "GET x failed", status=500)

    with pytest.raises(central.CentralError):
        list(made.each_tenant([TENANT], broken))


def test_lookup_asks_by_short_name_and_by_ids_and_matches_exactly():
    web1, web10, other = endpoint(id=E1, hostname="WEB1"), endpoint(id="e2", hostname="web10"), endpoint(id=E7)
    script = Script([TOKEN, WHO, page([web1, web10]), page([web1, other])])
    made, _sleeps = client(script)
    found, searched = made.lookup(["web1.example.com"], [E7, E1])
    tenant = {"id": "t1", "name": "t1", "api_host": "https://eu.example"}
    assert searched == [tenant]
    assert found == {"web1.example.com": [(tenant, web1)], E7: [(tenant, other)], E1: [(tenant, web1)]}
    assert [s["url"] for s in script.sent[2:]] == [
        "https://eu.example/endpoint/v1/endpoints?view=full&pageSize=500&hostnameContains=web1",
        "https://eu.example/endpoint/v1/endpoints?view=full&pageSize=500&ids=%s%%2C%s" % (E7, E1)]


def test_lookup_without_ids_or_names_asks_only_what_is_needed():
    script = Script([TOKEN, WHO, page([endpoint(id="e1", hostname="db1")])])
    made, _sleeps = client(script)
    found, _searched = made.lookup(["DB1"], [])
    assert [e["id"] for _t, e in found["DB1"]] == ["e1"] and len(script.sent) == 3
    script = Script([TOKEN, WHO, page([endpoint(id=E1)])])
    made, _sleeps = client(script)
    found, _searched = made.lookup([], [E1])
    assert [e["id"] for _t, e in found[E1]] == [E1] and len(script.sent) == 3


def test_lookup_over_tenants_skips_forbidden_and_limits_to_tenant_ids():
    listing = page([{"id": "t1", "showAs": "One", "apiHost": "https://eu.example"},
                    {"id": "t2", "showAs": "Two", "apiHost": "https://us.example"},
                    {"id": "t3", "showAs": "Three", "apiHost": "https://us.example"}], current=1, total=1)
    forbidden = (403, {}, {"error": "forbidden"})
    script = Script([TOKEN, partner_who(), listing, forbidden, page([endpoint(id="e3", hostname="app")])])
    warnings = []
    made, _sleeps = client(script, warn=warnings.append)
    found, searched = made.lookup(["app"], [], tenant_ids=["t3", "t1"])
    assert [t["id"] for t in searched] == ["t3"] and len(warnings) == 1 and "One (t1)" in warnings[0]
    assert [(t["id"], e["id"]) for t, e in found["app"]] == [("t3", "e3")]


def test_lookup_same_endpoint_in_two_tenants_is_two_matches():
    listing = page([{"id": "t1", "apiHost": "https://eu.example"}, {"id": "t2", "apiHost": "https://us.example"}],
                   current=1, total=1)
    same = page([endpoint(id="e1", hostname="app")])
    made, _sleeps = client(Script([TOKEN, partner_who(), listing, same, same]))
    found, _searched = made.lookup(["app"], [])
    assert [(t["id"], e["id"]) for t, e in found["app"]] == [("t1", "e1"), ("t2", "e1")]


def test_fleet_passes_type_size_filters_and_clock():
    script = Script([TOKEN, WHO, page([alert(REBOOT, raised="2025-11-01T00:00:00Z"), alert("X", agent=None)]),
                     page([endpoint(id="e1")])])
    made, _sleeps = client(script, clock=lambda: 1761955200.0 + 3 * 86400)
    hosts, orphans = made.fleet(tenant_ids=["t1"], endpoint_type="computer", page_size=50, healthStatus="bad")
    assert script.sent[3]["url"] == ("https://eu.example/endpoint/v1/endpoints?view=full&pageSize=50&type=computer"
                                     "&healthStatus=bad")
    assert hosts[0]["restart_alert"]["age_days"] == 3 and [o["type"] for o in orphans] == ["X"]
    script = Script([TOKEN, WHO, page([alert(REBOOT, raised="2025-11-01T00:00:00Z")]), page([endpoint(id="e1")])])
    made, _sleeps = client(script, clock=lambda: 1761955200.0 + 3 * 86400)
    hosts, _orphans = made.fleet(now=1761955200.0 + 9 * 86400)
    assert hosts[0]["restart_alert"]["age_days"] == 9
    with pytest.raises(central.CentralError, match="tenant_ids.*t9"):
        client(Script([TOKEN, WHO]))[0].fleet(tenant_ids=["t9"])


class Known:
    """A client whose Central answers are canned, for update_check_for()."""

    def __init__(self, found=None):
        self.found = found or {}
        self.calls = []

    def tenants(self, tenant_ids=None):
        self.calls.append(("tenants", tenant_ids))
        return [{"id": tenant_ids[0], "name": "T", "api_host": "https://eu.example"}]

    def lookup(self, hostnames, ids, tenant_ids=None):
        self.calls.append(("lookup", hostnames, ids, tenant_ids))
        return self.found, []

    def update_check(self, tenant, endpoint_id):
        self.calls.append(("update_check", tenant["id"], endpoint_id))
        return {"id": "u1"}


def test_update_check_for_a_known_host_asks_no_lookup():
    known = Known()
    assert central.update_check_for(known, "srv1", known={"id": "e1", "tenant_id": "t1"}) == ("e1", {"id": "u1"})
    assert known.calls == [("tenants", ["t1"]), ("update_check", "t1", "e1")]


@pytest.mark.parametrize("partial", [{"id": "e1"}, {"tenant_id": "t1"}, {"id": "", "tenant_id": "t1"}, "e1"])
def test_update_check_for_looks_up_what_is_not_fully_known(partial):
    tenant = {"id": "t1"}
    known = Known({"srv1": [(tenant, {"id": "e5", "hostname": "SRV1"})]})
    assert central.update_check_for(known, "srv1", known=partial, tenant_ids=["t1"]) == ("e5", {"id": "u1"})
    assert known.calls == [("lookup", ["srv1"], [], ["t1"]), ("update_check", "t1", "e5")]


def test_update_check_for_no_match_or_several_is_an_error():
    with pytest.raises(central.CentralError) as caught:
        central.update_check_for(Known({"srv1": []}), "srv1")
    assert str(caught.value) == "Sophos Central update-checks: no endpoint named srv1 in the tenants searched"
    several = Known({"srv1": [({"id": "t1"}, {"id": "e1", "hostname": "SRV1"}),
                              ({"id": "t2"}, {"id": "e2", "hostname": "srv1"})]})
    with pytest.raises(central.CentralError) as caught:
        central.update_check_for(several, "srv1")
    assert str(caught.value) == ("Sophos Central update-checks: several endpoints named srv1: e1 (tenant t1), "
                                 "e2 (tenant t2)")
    assert [c[0] for c in several.calls] == ["lookup"]


# --------------------------------------------------------------------------- _open_url: what goes to the wire

class Response:
    def __init__(self, code, headers, body):
        self.code, self.headers, self.body = code, headers, body

    def getcode(self):
        return self.code

    def read(self):
        return self.body


def test_open_url_passes_every_option(monkeypatch):
    seen = []

    def fake(url, **kwargs):
        seen.append((url, kwargs))
        return Response(201, {"X-A": "1"}, b'{"id": "u1"}')

    monkeypatch.setattr(central, "open_url", fake)
    answer = central._open_url("POST", "https://eu.example/x", {"X-Tenant-ID": "t1"}, "{}", 7, False, "/ca.pem")
    assert answer == (201, {"X-A": "1"}, b'{"id": "u1"}')
    assert seen == [("https://eu.example/x", {
        "method": "POST", "headers": {"X-Tenant-ID": "t1"}, "data": "{}", "timeout": 7, "validate_certs": False,
        "ca_path": "/ca.pem", "follow_redirects": "none", "use_proxy": True, "http_agent": "fleetops.sophos"})]


def test_open_url_turns_http_errors_into_answers(monkeypatch):
    import io

    def refuse(url, **kwargs):
        raise central.HTTPError(url, 429, "Too Many Requests", {"Retry-After": "5"}, io.BytesIO(b'{"error": "x"}'))

    monkeypatch.setattr(central, "open_url", refuse)
    assert central._open_url("GET", "https://eu.example/x", {}, None, 7, True, None) == (
        429, {"Retry-After": "5"}, b'{"error": "x"}')

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise OSError("connection reset")

    def broken(url, **kwargs):
        raise central.HTTPError(url, 502, "Bad Gateway", {}, Unreadable())

    monkeypatch.setattr(central, "open_url", broken)
    assert central._open_url("GET", "https://eu.example/x", {}, None, 7, True, None) == (502, {}, b"")


def test_open_url_on_loopback_sends_the_agent_and_follows_no_redirect(monkeypatch):
    """A real request through ansible's open_url to a plain HTTP server on 127.0.0.1."""
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.command, self.path, self.headers.get("User-Agent"), self.headers.get("X-Tenant-ID")))
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b'{"error": "notFound", "requestId": "r-404"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 10  # a request that never comes ends the server thread, and the test fails
    thread = threading.Thread(target=lambda: [server.handle_request() for _request in range(2)], daemon=True)
    thread.start()
    try:
        base = "http://127.0.0.1:%d" % server.server_port
        status, headers, body = central._open_url("GET", base + "/missing", {"X-Tenant-ID": "t1"}, None, 10, True,
                                                  None)
        assert (status, headers.get("Content-Type")) == (404, "application/json")
        assert body == b'{"error": "notFound", "requestId": "r-404"}'
        status, headers, _body = central._open_url("GET", base + "/moved", {}, None, 10, True, None)
        assert status == 302 and headers.get("Location") == "/elsewhere"
    finally:
        thread.join(timeout=30)
        server.server_close()
    assert seen == [("GET", "/missing", "fleetops.sophos", "t1"), ("GET", "/moved", "fleetops.sophos", None)]


# --------------------------------------------------------------------------- what the first mutation run left

def test_client_from_and_module_client_send_the_credentials_given(monkeypatch):
    script = Script([TOKEN, TOKEN])
    monkeypatch.setattr(central, "_open_url", script)
    central.client_from(central.controller_options({"client_id": "id", "client_secret": "s3cret",
                                                    "identity_url": "https://id.example"}, {})).token()
    central.module_client(Module(ids=[E1])).token()
    assert [s["data"] for s in script.sent] == [TOKEN_BODY, TOKEN_BODY]


def test_client_from_ignores_the_inventory_only_options():
    options = central.controller_options({"client_id": "id", "client_secret": "s3cret", "page_size": 9999,
                                          "endpoint_type": "laptop"}, {})
    assert central.client_from(options).global_url == "https://api.central.sophos.com"


def test_json_bodies_are_utf8_text():
    def transport(method, url, headers, data, timeout, validate_certs, ca_path):
        return (200, {}, '{"access_token": "tok-s", "expires_in": 3600}')

    assert central.Client("id", "s3cret", transport=transport, clock=lambda: NOW).token() == "tok-s"
    for body in ('{"ok": 1}'.encode("utf-16"), b'\xef\xbb\xbf{"ok": 1}'):
        made, _sleeps = client(Script([TOKEN, (200, {}, body)]))
        with pytest.raises(central.CentralError, match="not a JSON object"):
            made.call("x", "GET", "https://eu.example/x")


def test_urls_lose_only_their_trailing_slashes():
    made = central.Client("id", "s", "https://id.example/X/", "https://api.example/centralX/")
    assert (made.identity_url, made.global_url) == ("https://id.example/X", "https://api.example/centralX")
    script = Script([TOKEN, page([]), (201, {}, {})])
    made, _sleeps = client(script)
    tenant = {"id": "t1", "name": "One", "api_host": "https://eu.example/regionX/"}
    list(made.alerts(tenant))
    made.update_check(tenant, E1)
    assert [s["url"] for s in script.sent[1:]] == [
        "https://eu.example/regionX/common/v1/alerts?pageSize=100",
        "https://eu.example/regionX/endpoint/v1/endpoints/%s/update-checks" % E1]


def test_a_last_attempt_that_timed_out_names_the_timeout():
    import socket
    script = Script([TOKEN] + [socket.timeout("t")] * 4)
    made, _sleeps = client(script)
    made.timeout = 2.5
    with pytest.raises(central.CentralError) as caught:
        made.call("whoami", "GET", "https://api.example/whoami/v1")
    assert str(caught.value) == "Sophos Central whoami: GET https://api.example timed out after 2.5s (after 4 attempts)"


def test_key_paging_stops_when_central_repeats_the_key_asked_for():
    script = Script([TOKEN, page([endpoint(id="e1")], nextKey="k2"), page([endpoint(id="e2")], nextKey="k2")])
    made, _sleeps = client(script)
    assert [e["id"] for e in made.endpoints(TENANT)] == ["e1", "e2"]
    assert len(script.sent) == 3


def test_lookup_keeps_two_endpoints_of_one_name_in_one_tenant():
    one, two = endpoint(id="e3", hostname="DB1"), endpoint(id="e4", hostname="db1")
    made, _sleeps = client(Script([TOKEN, WHO, page([one, two])]))
    found, _searched = made.lookup(["db1"], [])
    assert [e["id"] for _t, e in found["db1"]] == ["e3", "e4"]


def test_lookup_of_many_names_lists_each_tenant_once_and_keeps_only_matches():
    names = ["web%02d.example.com" % i for i in range(central.LOOKUP_NAMES_EACH + 1)]
    listing = [endpoint(id="x%d" % i, hostname="OTHER%d" % i) for i in range(5)] + \
        [endpoint(id="w3", hostname="WEB03"), endpoint(id="w20", hostname="web20")]
    script = Script([TOKEN, WHO, page(listing[:4], nextKey="k2"), page(listing[4:])])
    made, _sleeps = client(script)
    found, searched = made.lookup(names, [])
    urls = [s["url"] for s in script.sent[2:]]
    assert urls == ["https://eu.example/endpoint/v1/endpoints?view=full&pageSize=500",
                    "https://eu.example/endpoint/v1/endpoints?view=full&pageSize=500&pageFromKey=k2"]
    assert [e["id"] for _t, e in found["web03.example.com"]] == ["w3"]
    assert [e["id"] for _t, e in found["web20.example.com"]] == ["w20"]
    assert found["web00.example.com"] == [] and [t["id"] for t in searched] == ["t1"]
    # Up to LOOKUP_NAMES_EACH names: one request per name, by hostnameContains.
    script = Script([TOKEN, WHO] + [page([])] * central.LOOKUP_NAMES_EACH)
    made, _sleeps = client(script)
    made.lookup(names[:central.LOOKUP_NAMES_EACH], [])
    assert all("hostnameContains=web" in s["url"] for s in script.sent[2:]) and len(script.sent) == 22


def test_lookup_sends_ids_in_chunks():
    ids = ["%08x-1111-4111-8111-111111111111" % i for i in range(central.IDS_CHUNK + 5)]
    script = Script([TOKEN, WHO, page([endpoint(id=ids[0])]), page([endpoint(id=ids[-1])])])
    made, _sleeps = client(script)
    found, _searched = made.lookup([], ids)
    sent = [s["url"] for s in script.sent[2:]]
    assert len(sent) == 2
    assert sent[0].count("%2C") == central.IDS_CHUNK - 1 and sent[1].count("%2C") == 4
    assert [e["id"] for _t, e in found[ids[0]]] == [ids[0]] and [e["id"] for _t, e in found[ids[-1]]] == [ids[-1]]


def test_each_host_shapes_page_by_page():
    """The first host comes before the second endpoint page is asked for: no tenant's endpoints are held whole."""
    script = Script([TOKEN, WHO, page([alert(REBOOT), alert("Event::Endpoint::OutOfDate")]),
                     page([endpoint(id="e1")], nextKey="k2"), page([endpoint(id="e2", hostname="B")])])
    made, _sleeps = client(script)
    orphans = []
    hosts = made.each_host(orphans, now=NOW)
    first = next(hosts)
    assert first["id"] == "e1" and first["restart_alert"]["type"] == REBOOT and len(script.sent) == 4
    assert [h["id"] for h in hosts] == ["e2"] and len(script.sent) == 5 and orphans == []


def siem_page(items, cursor, more):
    return (200, {}, {"has_more": more, "next_cursor": cursor, "items": items})


def test_siem_cursor_paging_drops_from_date_once_a_cursor_is_held():
    script = Script([TOKEN, siem_page([{"id": "1"}, "odd"], "c1", True), siem_page([{"id": "2"}], "c2", False)])
    made, _sleeps = client(script)
    pages = list(made.siem(TENANT, "events", from_date=1796115600.5, exclude_types=["A", "B"]))
    assert pages == [([{"id": "1"}], "c1"), ([{"id": "2"}], "c2")]
    assert [s["url"] for s in script.sent[1:]] == [
        "https://eu.example/siem/v1/events?limit=1000&from_date=1796115600&exclude_types=A%2CB",
        "https://eu.example/siem/v1/events?limit=1000&cursor=c1&exclude_types=A%2CB"]
    assert script.sent[1]["headers"]["X-Tenant-ID"] == "t1" and made.requests["siem events"] == 2


def test_siem_from_a_cursor_and_a_repeated_cursor_ends_with_a_warning():
    warnings = []
    script = Script([TOKEN, siem_page([], "c1", True), siem_page([], "c1", True)])
    made, _sleeps = client(script, warn=warnings.append)
    assert list(made.siem(TENANT, "alerts", cursor="c0", from_date=5, limit=10)) == [([], "c1"), ([], "c1")]
    assert script.sent[1]["url"] == "https://eu.example/siem/v1/alerts?limit=10&cursor=c0"
    assert len(warnings) == 1 and "gave a cursor already followed" in warnings[0]
    assert central.next_cursor({"has_more": True, "next_cursor": ""}) is None
    assert central.next_cursor({"has_more": "yes", "next_cursor": "c"}) is None
    assert central.next_cursor({"has_more": True, "next_cursor": "c"}) == ("c", {"cursor": "c", "from_date": None})
