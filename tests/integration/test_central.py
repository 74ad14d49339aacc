"""The Central inventory plugin and modules against the local HTTPS Central (tests/central/double.py).

Everything runs on the controller against 127.0.0.1; no lab host is needed. Every output, the inventory
cache and the ansible-runner private data directory are searched for the client secrets and every
token the double handed out.
"""
import ast
import glob
import json
import os
import socket
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "central"))
import double  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.environ.get("FLEETOPS_ANSIBLE_BIN") or os.path.join(REPO, ".venv", "bin")
COLLECTIONS = os.path.join(REPO, ".venv", "collections")
A, B, X = double.TENANT_A, double.TENANT_B, double.TENANT_X


class Runs:
    """Every text the tests produced, for the secret search at the end of the module."""
    texts = []


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    with double.Central(tmp_path_factory.mktemp("central")) as server:
        double.seed_standard(server.model)
        yield server
        leaked = leaks(server, Runs.texts)
        assert not leaked, "secrets or tokens in the output: %s" % leaked


@pytest.fixture(autouse=True)
def fresh_model(central):
    model = central.model
    model.faults[:] = []
    model.expire_after_calls = None
    model.requests[:] = []
    model.loop_keys = False
    endpoints = dict((t, list(e)) for t, e in model.endpoints.items())
    alerts = dict((t, list(a)) for t, a in model.alerts.items())
    api_hosts = dict((t, d.get("api_host")) for t, d in model.tenants.items())
    yield model
    model.endpoints.update(endpoints)
    model.alerts.update(alerts)
    for tenant, api_host in api_hosts.items():
        model.tenants[tenant]["api_host"] = api_host


def leaks(server, texts):
    needles = list(double.SECRETS.values()) + list(server.model.issued)
    return sorted(set(n[:12] + "..." for n in needles for t in texts if n in t))


def config(central, tmp_path, name="cen_sophos_central.yml", **options):
    data = {"plugin": "fleetops.sophos.central", "identity_url": central.url("identity"),
            "global_url": central.url("global"), "ca_path": central.ca_path}
    data.update(options)
    data = dict((k, v) for k, v in data.items() if v is not None)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


CLIENT_SECRETS = {"tenant-client": double.SECRETS["tenant"], "partner-client": double.SECRETS["partner"],
                  "org-client": double.SECRETS["organization"], "trial-client": double.SECRETS["trial"]}


def inventory(path, client="tenant-client", secret=None, extra_env=None, check=True):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
               ANSIBLE_NOCOLOR="1", SOPHOS_CENTRAL_CLIENT_ID=client,
               SOPHOS_CENTRAL_CLIENT_SECRET=CLIENT_SECRETS[client] if secret is None else secret)
    env.update(extra_env or {})
    res = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list", "-vvv"], env=env,
                         text=True, capture_output=True, timeout=300, check=False)
    Runs.texts.extend([res.stdout, res.stderr])
    if check:
        assert res.returncode == 0, res.stderr[-3000:]
    if res.returncode != 0:
        return res, None
    # -vvv writes its preamble to stdout too; the listing is the JSON object at the end. Central's strings
    # are untrusted data: ansible-inventory marks them {"__ansible_unsafe": ...}.
    return res, json.loads(res.stdout[res.stdout.index("\n{\n"):], object_hook=unsafe_to_text)


def unsafe_to_text(item):
    return item["__ansible_unsafe"] if set(item) == {"__ansible_unsafe"} else item


def group(data, name):
    return sorted(data.get(name, {}).get("hosts", []))


def test_tenant_inventory_across_pages(central, tmp_path):
    model = central.model
    res, data = inventory(config(central, tmp_path, page_size=50))
    hosts = data["_meta"]["hostvars"]
    assert sorted(hosts) == ["WIN-SRV%04d" % i for i in range(1, 121)], "servers only, every page"
    assert group(data, "sophos_central_restart_alert") == ["WIN-SRV0003"]
    assert group(data, "sophos_central_health_bad") == ["WIN-SRV0005"]
    assert group(data, "sophos_central_offline") == ["WIN-SRV0007"]
    var = hosts["WIN-SRV0003"]["sophos_central"]
    assert var["restart_alert"]["type"] == double.REBOOT and var["restart_alert"]["age_days"] == 20
    assert (var["restart_alert"]["pending_days"], var["restart_alert"]["pending_since_source"]) == (34, "estimate")
    assert var["restart_alert"]["raised_at"].endswith("Z") and var["tenant_id"] == A
    assert set(var) == {"id", "tenant_id", "hostname", "type", "online", "last_seen_at", "health", "os",
                        "ipv4_addresses", "restart_alert"}
    assert hosts["WIN-SRV0004"]["sophos_central"]["restart_alert"] is None, "OutOfDate is no restart alert"
    assert hosts["WIN-SRV0005"]["sophos_central"]["health"]["services"]["Sophos File Scanner"] == "stopped"
    assert res.stderr.count("name no endpoint (no managedAgent.id)") == 1
    assert model.count("identity") == 1 and model.count(path="^/whoami") == 1
    assert model.count(path="^/endpoint/v1/endpoints$") == 3 and model.count(path="^/common/v1/alerts$") == 1
    assert all(r["role"] == "eu01" for r in model.requests if r["path"].startswith(("/endpoint", "/common")))


def test_partner_inventory_every_tenant_on_its_host_and_403_skipped(central, tmp_path):
    model = central.model
    res, data = inventory(config(central, tmp_path, compose={"ansible_host": "sophos_central.ipv4_addresses[0]"},
                                 keyed_groups=[{"key": "sophos_central.os.platform", "prefix": "os"}]),
                          client="partner-client")
    hosts = data["_meta"]["hostvars"]
    assert len(hosts) == 127 and "XENO-01" not in hosts
    assert group(data, "sophos_central_restart_alert") == ["Lnx-Web02", "WIN-SRV0003"]
    assert group(data, "os_linux") == ["Lnx-Web%02d" % i for i in range(1, 8)]
    assert hosts["Lnx-Web02"]["ansible_host"] == hosts["Lnx-Web02"]["sophos_central"]["ipv4_addresses"][0]
    assert "Xeno Trial (%s) skipped: it answered 403" % X in " ".join(res.stderr.split())
    regions = dict((r["tenant"], r["role"]) for r in model.requests if r["path"].startswith(("/endpoint", "/common")))
    assert regions == {A: "eu01", B: "us01", X: "eu01"}
    assert model.count(path="^/partner/v1/tenants$") == 1


def test_organization_and_tenant_ids(central, tmp_path):
    _res, data = inventory(config(central, tmp_path), client="org-client")
    assert sorted(data["_meta"]["hostvars"]) == ["Lnx-Web%02d" % i for i in range(1, 8)]
    _res, data = inventory(config(central, tmp_path, tenant_ids=[B]), client="partner-client")
    assert len(data["_meta"]["hostvars"]) == 7
    res, _data = inventory(config(central, tmp_path, tenant_ids=["nope"]), client="partner-client", check=False)
    assert res.returncode != 0 and "tenant_ids not reachable" in res.stderr and "nope" in res.stderr


def test_token_expiring_in_the_middle_of_paging_is_renewed(central, tmp_path):
    model = central.model
    model.expire_tokens_after(2)  # whoami, first page; then the token dies
    _res, data = inventory(config(central, tmp_path, page_size=40))
    assert len(data["_meta"]["hostvars"]) == 120
    assert model.count("identity") == 2
    assert model.count(path="^/endpoint/v1/endpoints$") == 4, "3 pages and the one that met the 401"


def test_429_5xx_and_slow_answers_are_retried(central, tmp_path):
    model = central.model
    model.fault("^/endpoint/v1/endpoints$", status=429, retry_after=1)
    model.fault("^/common/v1/alerts$", status=429)
    model.fault("^/whoami/v1$", status=503)
    # The slow answer never comes within the client's timeout (60 s against 10 s), and 10 s is far
    # more than any other answer of the local double takes on a loaded machine.
    model.fault("^/endpoint/v1/endpoints$", delay=60)
    _res, data = inventory(config(central, tmp_path, timeout=10))
    assert len(data["_meta"]["hostvars"]) == 120
    assert model.count(path="^/whoami") == 2 and model.count(path="^/common/v1/alerts$") == 2
    assert model.count(path="^/endpoint/v1/endpoints$") == 3, "429, timed out, answered"


def test_retries_are_bounded_and_the_error_names_the_call(central, tmp_path):
    model = central.model
    model.fault("^/endpoint/v1/endpoints$", status=500, times=10)
    res, _data = inventory(config(central, tmp_path), check=False)
    text = " ".join(res.stderr.split())
    assert res.returncode != 0 and "Sophos Central endpoints" in text and "internalServerError" in text
    assert "requestId=" in text and "after 4 attempts" in text
    assert model.count(path="^/endpoint/v1/endpoints$") == 4


def test_a_failed_later_page_leaves_no_host_of_the_source(central, tmp_path):
    """Hosts go into the inventory page by page: a read that fails on page 2 takes page 1's hosts out again."""
    central.model.fault("^/endpoint/v1/endpoints$", status=500, times=10, query="pageFromKey")
    static = tmp_path / "static.yml"
    static.write_text(yaml.safe_dump({"all": {"hosts": {"WIN-SRV0001": {"kept": 1}, "other": {"kept": 2}}}}))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
               SOPHOS_CENTRAL_CLIENT_ID="tenant-client", SOPHOS_CENTRAL_CLIENT_SECRET=CLIENT_SECRETS["tenant-client"])
    res = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(static), "-i",
                          str(config(central, tmp_path, page_size=50)), "--list"], env=env, text=True,
                         capture_output=True, timeout=300, check=False)
    assert res.returncode == 0 and "Sophos Central endpoints" in " ".join(res.stderr.split())
    hosts = json.loads(res.stdout)["_meta"]["hostvars"]
    assert sorted(hosts) == ["WIN-SRV0001", "other"], "no host of the failed source, the static ones kept"
    assert hosts["WIN-SRV0001"] == {"kept": 1}
    assert central.model.count(path="^/endpoint/v1/endpoints$") == 5, "page 1, then page 2 four times"


def test_a_truncated_answer_is_an_error_naming_the_call(central, tmp_path):
    central.model.fault("^/common/v1/alerts$", status=200, body=b'{"pages": {}, "items": [{"id": ')
    res, _data = inventory(config(central, tmp_path), check=False)
    text = " ".join(res.stderr.split())
    assert res.returncode != 0 and "Sophos Central alerts" in text and "not a JSON object" in text


def test_tls_is_verified(central, tmp_path):
    res, _data = inventory(config(central, tmp_path, ca_path=None), check=False)
    assert res.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in res.stderr
    assert central.model.count() == 0, "the TLS handshake is refused before any request"
    _res, data = inventory(config(central, tmp_path))
    assert len(data["_meta"]["hostvars"]) == 120


@pytest.mark.parametrize("options, secret, named", [
    ({}, "", "client_secret is required"),
    ({"global_url": "127.0.0.1:8443"}, None, "global_url must be an https URL"),
    ({"identity_url": "http://id.sophos.com"}, None,
     "identity_url must be an https URL such as https://id.sophos.com (http only to 127.0.0.1 or localhost"),
    ({"global_url": "http://api.central.sophos.com"}, None, "global_url must be an https URL"),
    ({"page_size": 1000}, None, "page_size must be between 1 and 500"),
])
def test_bad_options_name_the_option(central, tmp_path, options, secret, named):
    res, _data = inventory(config(central, tmp_path, **options), secret=secret, check=False)
    assert res.returncode != 0 and named in " ".join(res.stderr.split()), res.stderr[-2000:]
    assert central.model.count() == 0, "nothing asked of Central with bad options"


def test_wrong_secret_is_named_without_the_secret(central, tmp_path):
    res, _data = inventory(config(central, tmp_path), secret="wrong-secret-value", check=False)
    assert res.returncode != 0 and "oauth.invalid_client_secret" in res.stderr
    assert "wrong-secret-value" not in res.stdout + res.stderr


def test_config_file_name_is_checked(central, tmp_path):
    res, _data = inventory(config(central, tmp_path, name="central.yml"), check=False)
    assert res.returncode != 0 and central.model.count() == 0


def test_cache_holds_no_secret_and_is_used(central, tmp_path):
    cache = tmp_path / "cache"
    path = config(central, tmp_path, cache=True, cache_plugin="ansible.builtin.jsonfile",
                  cache_connection=str(cache), cache_timeout=600)
    _res, first = inventory(path)
    asked = central.model.count()
    _res, second = inventory(path)
    assert central.model.count() == asked, "the second run came from the cache"
    assert first["_meta"] == second["_meta"]
    files = glob.glob(str(cache / "*"))
    assert files
    for name in files:
        with open(name, encoding="utf-8") as handle:
            Runs.texts.append(handle.read())
    assert not leaks(central, Runs.texts[-len(files):])


def test_modules_through_ansible_runner(central, tmp_path):
    ansible_runner = pytest.importorskip("ansible_runner")
    model = central.model
    twin = double.make_endpoint(B, "dup-01", model.now())
    model.endpoints[A].append(double.make_endpoint(A, "DUP-01", model.now()))
    model.endpoints[B].append(twin)
    secret_file = tmp_path / "secret"
    secret_file.write_text(double.SECRETS["partner"])
    project = tmp_path / "project"
    project.mkdir()
    conn = {"client_id": "partner-client", "client_secret": "{{ lookup('file', secret_file) }}",
            "identity_url": central.url("identity"), "global_url": central.url("global"),
            "ca_path": central.ca_path}

    def mark(path):
        return {"name": "mark " + path, "ansible.builtin.uri": {"url": central.url("global") + path,
                                                                "ca_path": central.ca_path, "status_code": [401]}}

    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "info", "register": "info", "fleetops.sophos.central_endpoint_info": dict(
            conn, hostnames=["win-srv0003.example.com", "Lnx-Web05", "nope", "dup-01"], ids=[twin["id"]])},
        mark("/mark1"),
        {"name": "check mode", "register": "dry", "check_mode": True,
         "fleetops.sophos.central_update_check": dict(conn, hostnames=["WIN-SRV0003"])},
        mark("/mark2"),
        {"name": "update check", "register": "check",
         "fleetops.sophos.central_update_check": dict(conn, hostnames=["WIN-SRV0003"])},
        {"name": "ambiguous update check", "register": "bad", "ignore_errors": True,
         "fleetops.sophos.central_update_check": dict(conn, hostnames=["dup-01", "WIN-SRV0001"])},
        {"name": "results", "ansible.builtin.copy": {
            "dest": str(tmp_path / "results.json"),
            "content": "{{ {'info': info, 'dry': dry, 'check': check, 'bad': bad} | to_json }}"}},
    ]}]
    (project / "central.yml").write_text(yaml.safe_dump(play))
    private = tmp_path / "runner"
    private.mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(private), project_dir=str(project), playbook="central.yml",
        inventory="localhost ansible_connection=local ansible_python_interpreter=%s" % sys.executable,
        extravars={"secret_file": str(secret_file)}, verbosity=3, quiet=True, timeout=600,
        envvars={"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
                 "PATH": BIN + os.pathsep + os.environ.get("PATH", "")})
    output = runner.stdout.read()
    assert runner.status == "successful", output[-4000:]
    results = json.loads((tmp_path / "results.json").read_text())
    info = results["info"]
    assert sorted(info["endpoints"]) == ["Lnx-Web05", twin["id"], "win-srv0003.example.com"]
    assert info["endpoints"]["win-srv0003.example.com"]["restart_alert"]["age_days"] == 20
    assert info["endpoints"]["win-srv0003.example.com"]["restart_alert"]["pending_days"] == 34
    assert info["not_found"] == ["nope"] and sorted(e["tenant_id"] for e in info["ambiguous"]["dup-01"]) == [A, B]
    assert any("Xeno Trial" in w for w in info.get("warnings", []))
    assert results["dry"]["changed"] is True and results["dry"]["update_checks"] == {}
    paths = [r["path"] for r in model.requests]
    assert paths.index("/mark2") == paths.index("/mark1") + 1, "check mode asked Central nothing"
    assert [c["endpoint"] for c in model.update_checks] == [info["endpoints"]["win-srv0003.example.com"]["id"]]
    assert results["check"]["changed"] is True
    assert results["check"]["update_checks"]["WIN-SRV0003"]["status"] == "requested"
    assert results["bad"]["failed"] and "dup-01" in results["bad"]["msg"] and len(model.update_checks) == 1
    for name in glob.glob(str(private / "**" / "*"), recursive=True):
        if os.path.isfile(name):
            with open(name, encoding="utf-8", errors="replace") as handle:
                Runs.texts.append(handle.read())
    Runs.texts.append(output)
    assert not leaks(central, Runs.texts)


def shipped_config(central, tmp_path, **options):
    """The example inventory of the repository (its compose and keyed groups), pointed at the double."""
    with open(os.path.join(REPO, "inventories", "sophos_central.yml"), encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data.update({"identity_url": central.url("identity"), "global_url": central.url("global"),
                 "ca_path": central.ca_path}, **options)
    path = tmp_path / "shipped_sophos_central.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def trap(tmp_path, name):
    """A template that, if Ansible ever evaluated it, would leave the file ``name`` on the controller."""
    return "{{ lookup('pipe', 'touch %s') }}" % (tmp_path / name)


def test_central_strings_are_never_templated(central, tmp_path):
    """Root on a protected server sets its hostname, and Central repeats what the agent says: no string of
    Central's may ever be evaluated on the controller, by ansible-inventory (compose, keyed groups) or by a
    play that reads sophos_central, on the ansible-core under test (the compatibility stage runs 2.16)."""
    model = central.model
    now = model.now()
    by_name = double.make_endpoint(A, "placeholder", now)
    by_name["hostname"] = trap(tmp_path, "trace-hostname")
    host = double.make_endpoint(A, "WIN-TRAP01", now, platform="linux")
    host["os"]["name"] = "Ubuntu " + trap(tmp_path, "trace-os-name")
    host["os"]["build"] = trap(tmp_path, "trace-os-build")
    host["ipv4Addresses"] = ["10.9.9.9"]
    host["health"]["services"]["serviceDetails"].append({"name": trap(tmp_path, "trace-service-name"),
                                                         "status": trap(tmp_path, "trace-service-status")})
    alert = double.make_alert(A, "Event::Endpoint::UpdateRebootRequired", host, days_ago=2, now=now,
                              severity=trap(tmp_path, "trace-severity"))
    model.endpoints[A].extend([by_name, host])
    model.alerts[A].append(alert)
    path = shipped_config(central, tmp_path)
    res, data = inventory(path)
    hosts = data["_meta"]["hostvars"]
    assert by_name["hostname"] not in hosts and "WIN-TRAP01" in hosts
    text = "".join(res.stderr.split())  # ansible-core before 2.19 wraps warnings, at hyphens too
    assert "SophosCentralendpoint%s(hostname" % by_name["id"] in text and "notavalidhostname" in text
    var = hosts["WIN-TRAP01"]["sophos_central"]
    assert var["os"]["name"] == host["os"]["name"] and var["os"]["build"] == host["os"]["build"]
    assert var["health"]["services"][trap(tmp_path, "trace-service-name")] == trap(tmp_path, "trace-service-status")
    assert var["restart_alert"]["severity"] == alert["severity"]
    assert hosts["WIN-TRAP01"]["ansible_host"] == "10.9.9.9" and "WIN-TRAP01" in group(data, "linux")
    # A play reads every string of sophos_central, as the report and a debug task do.
    playbook = tmp_path / "read.yml"
    out = tmp_path / "read.json"
    looked_up = tmp_path / "looked_up.json"
    playbook.write_text(yaml.safe_dump([{"hosts": "WIN-TRAP01", "gather_facts": False, "tasks": [
        {"name": "every string", "ansible.builtin.debug": {"msg": "{{ sophos_central }}"}},
        {"name": "to a file", "delegate_to": "localhost", "ansible.builtin.copy": {
            "dest": str(out), "content": "{{ sophos_central | to_json }}"}},
        # The module's result is Central's data too (ansible-core marks task results unsafe itself).
        {"name": "look up", "delegate_to": "localhost", "register": "central",
         "fleetops.sophos.central_endpoint_info": {"hostnames": ["{{ inventory_hostname }}"],
                                                   "ca_path": central.ca_path}},
        {"name": "every string of the result", "ansible.builtin.debug": {"msg": "{{ central }}"}},
        {"name": "result to a file", "delegate_to": "localhost", "ansible.builtin.copy": {
            "dest": str(looked_up), "content": "{{ central.endpoints | to_json }}"}}]}]))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
               SOPHOS_CENTRAL_CLIENT_ID="tenant-client", SOPHOS_CENTRAL_CLIENT_SECRET=CLIENT_SECRETS["tenant-client"],
               SOPHOS_CENTRAL_IDENTITY_URL=central.url("identity"), SOPHOS_CENTRAL_GLOBAL_URL=central.url("global"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    res = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", str(path), str(playbook), "-e",
                          "ansible_python_interpreter=%s" % sys.executable, "-c", "local"],
                         env=env, text=True, capture_output=True, timeout=300, check=False)
    Runs.texts.extend([res.stdout, res.stderr])
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    read = json.loads(out.read_text(), object_hook=unsafe_to_text)
    assert read["os"]["name"] == host["os"]["name"] and read["restart_alert"]["severity"] == alert["severity"]
    assert read["health"]["services"][trap(tmp_path, "trace-service-name")] == trap(tmp_path, "trace-service-status")
    result = json.loads(looked_up.read_text(), object_hook=unsafe_to_text)["WIN-TRAP01"]
    assert result["os"]["name"] == host["os"]["name"] and result["restart_alert"]["severity"] == alert["severity"]
    assert sorted(p.name for p in tmp_path.glob("trace-*")) == [], "a Central string was templated"


def test_hostnames_that_would_reach_the_controller_are_left_out(central, tmp_path):
    model = central.model
    now = model.now()
    names = ["localhost", "LOCALHOST.localdomain", "db.localhost", "127.0.0.1", socket.gethostname(),
             "web1,web2", "web[1:2]", "all", "-x"]
    left_out = [double.make_endpoint(A, name, now) for name in names]
    no_address = double.make_endpoint(A, "NOADDR-01", now)
    no_address["ipv4Addresses"] = []
    model.endpoints[A].extend(left_out + [no_address])
    res, data = inventory(shipped_config(central, tmp_path))
    hosts = data["_meta"]["hostvars"]
    assert len(hosts) == 121 and not set(names) & set(hosts)
    text = "".join(res.stderr.split())  # ansible-core before 2.19 wraps warnings, at hyphens too
    for endpoint in left_out:
        assert "SophosCentralendpoint%s(hostname%r)leftout" % (endpoint["id"], endpoint["hostname"]) in text
    assert "anameofthecontrolleritself" in text and "aloopbackname" in text
    assert "ansible_host" not in hosts["NOADDR-01"], "no fallback to the inventory name"


def test_paging_that_loops_back_ends_with_a_warning(central, tmp_path):
    model = central.model
    model.loop_keys = True
    res, data = inventory(config(central, tmp_path, page_size=50))
    assert len(data["_meta"]["hostvars"]) == 120
    assert model.count(path="^/endpoint/v1/endpoints$") == 3
    assert "gave a page key already followed" in " ".join(res.stderr.split())


def test_a_connection_closed_without_an_answer_is_retried(central, tmp_path):
    model = central.model
    model.fault("^/endpoint/v1/endpoints$", drop=True)
    model.fault("^/common/v1/alerts$", drop=True, times=4)
    res, _data = inventory(config(central, tmp_path), check=False)
    text = " ".join(res.stderr.split())
    assert res.returncode != 0 and "Sophos Central alerts" in text and "answer cut off" in text
    assert "after 4 attempts" in text and model.count(path="^/common/v1/alerts$") == 4
    model.fault("^/endpoint/v1/endpoints$", drop=True)
    _res, data = inventory(config(central, tmp_path))
    assert len(data["_meta"]["hostvars"]) == 120


def test_a_403_with_tenant_credentials_is_an_error(central, tmp_path):
    res, _data = inventory(config(central, tmp_path), client="trial-client", check=False)
    text = " ".join(res.stderr.split())
    assert res.returncode != 0 and "tenant credentials may not read their own tenant %s (HTTP 403)" % X in text


def test_a_tenant_with_a_plain_http_api_host_is_skipped_the_others_read(central, tmp_path):
    model = central.model
    model.tenants[B]["api_host"] = "http://api-us01.central.example.net"
    res, data = inventory(config(central, tmp_path), client="partner-client")
    hosts = data["_meta"]["hostvars"]
    assert len(hosts) == 120 and "Lnx-Web01" not in hosts
    text = "".join(res.stderr.split())  # ansible-core before 2.19 wraps warnings, at hyphens too
    assert "tenantBetaUS(%s)hasnohttpsapiHost:'http://api-us01.central.example.net';thattenantisskipped" % B in text
    assert not any(r["tenant"] == B for r in model.requests)


def test_the_documented_overdue_group_means_what_it_says(central, tmp_path):
    """The plugin's example group (restart pending three weeks or more) on Central's two-week alerts: an alert
    raised 20 days ago is a restart pending about 34 days (in), one raised 2 days ago about 16 (out)."""
    path = os.path.join(REPO, "plugins", "inventory", "central.py")
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    examples = [ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["EXAMPLES"]][0]
    example = [doc for doc in yaml.safe_load_all(examples) if "groups" in doc][0]["groups"]
    model = central.model
    fresh = [e for e in model.endpoints[A] if e["hostname"] == "WIN-SRV0010"][0]
    model.alerts[A] = model.alerts[A] + [double.make_alert(A, double.REBOOT, fresh, days_ago=2, now=model.now())]
    _res, data = inventory(config(central, tmp_path, groups=example))
    assert group(data, "sophos_central_overdue") == ["WIN-SRV0003"]
    fresh_alert = data["_meta"]["hostvars"]["WIN-SRV0010"]["sophos_central"]["restart_alert"]
    assert (fresh_alert["age_days"], fresh_alert["pending_days"], fresh_alert["pending_since_source"]) == (
        2, 16, "estimate")
