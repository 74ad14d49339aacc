"""The report action plugin, driven through its class: options, the hosts' records, the files, pruning, the index."""
import json
import os
import stat
from datetime import datetime, timezone
from unittest import mock

import pytest

from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.fleetops.sophos.plugins.action.report import ActionModule
from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    history, model, render_csv, render_html, render_markdown)

try:  # ansible-core 2.19: only a trusted template is templated (the test's own expressions)
    from ansible.template import trust_as_template
except ImportError:  # 2.16-2.18: every string is, unless marked unsafe
    def trust_as_template(text):
        return text

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "report", "mixed_fleet.json")
NOW = datetime(2026, 11, 28, 3, 0, 0, tzinfo=timezone.utc)
INJECTION = "{{ 6 * 7 }}"


def fleet():
    with open(FIXTURE, encoding="utf-8") as handle:
        entries = json.load(handle)
    hostvars = dict((entry["host"], {"sophos_reboot": entry.get("facts"), "maintenance_result": {"failed": False}})
                    for entry in entries)
    # One host's facts as set by the facts module (ansible_facts), one string that looks like a template.
    first = entries[0]["host"]
    reasons = [{"id": "reboot_required_file", "strong": True, "detail": INJECTION}]
    hostvars[first] = {"ansible_facts": {"sophos_reboot": dict(entries[0]["facts"], reboot_required=True, reasons=reasons)},
                       "maintenance_result": {"failed": False}}
    return [entry["host"] for entry in entries], hostvars


def record(started="2026-11-28T02:00:00Z", token="ab12", check=False):
    return history.new_run(started, token, check_mode=check, playbook="fleetops.sophos.maintenance")


def run(args, task_vars=None, check_mode=False, now=NOW):
    task = Task()
    task.args = args
    task.check_mode = check_mode
    plugin = ActionModule(task, mock.MagicMock(), PlayContext(), loader=None, templar=None, shared_loader_obj=None)
    plugin._now = lambda: now
    with mock.patch("ansible.plugins.action.ActionBase.run", return_value={}):
        return plugin.run(task_vars=task_vars or {})


def written(tmp_path, **args):
    hosts, hostvars = fleet()
    options = dict(dir=str(tmp_path), hosts=hosts, result_var="maintenance_result", run=record(), mode="0640")
    options.update(args)
    return run(options, {"hostvars": hostvars, "ansible_play_hosts_all": hosts, "ansible_play_hosts": hosts})


def test_writes_every_format_the_latest_copies_the_summary_and_the_index(tmp_path):
    result = written(tmp_path)
    assert result["changed"] is False and not result.get("failed"), result.get("msg")
    stem = record()["stem"]
    assert sorted(os.listdir(tmp_path)) == sorted(
        [stem + ext for ext in (".json", ".csv", ".md", ".html", ".summary.json")]
        + ["sophos-report" + ext for ext in (".json", ".csv", ".md", ".html")] + ["index.html"])
    report = json.loads((tmp_path / (stem + ".json")).read_text())
    # The contents are the renderers' (the role's filters render with the same functions).
    assert (tmp_path / (stem + ".json")).read_text() == json.dumps(report, indent=2, sort_keys=True) + "\n"
    assert (tmp_path / (stem + ".csv")).read_text(encoding="utf-8") == render_csv.to_csv(report) or \
        (tmp_path / (stem + ".csv")).read_bytes() == render_csv.to_csv(report).encode("utf-8")
    assert (tmp_path / (stem + ".md")).read_text() == render_markdown.to_markdown(report)
    assert (tmp_path / (stem + ".html")).read_text() == render_html.to_html(report)
    for ext in ("json", "csv", "md", "html"):
        assert (tmp_path / ("sophos-report." + ext)).read_bytes() == (tmp_path / ("%s.%s" % (stem, ext))).read_bytes()
    for name in os.listdir(tmp_path):
        assert stat.S_IMODE(os.stat(str(tmp_path / name)).st_mode) == 0o640, name
    assert report["generated"] == "2026-11-28T03:00:00Z" and report["run"]["stem"] == stem
    assert report["summary"]["total"] == 14
    assert result["index"] == str(tmp_path / "index.html") and result["pruned"] == []
    assert 'href="%s.html"' % stem in (tmp_path / "index.html").read_text()


def test_the_hosts_records_are_read_from_hostvars_and_host_text_is_marked_unsafe(tmp_path):
    result = written(tmp_path, formats=["json"])
    rows = dict((row["host"], row) for row in result["report"]["hosts"])
    hosts, hostvars = fleet()
    expected = model.build_report(
        [{"host": host, "facts": (hostvars[host].get("ansible_facts") or hostvars[host])["sophos_reboot"],
          "run": model.run_state(hostvars[host].get("maintenance_result"), True)} for host in hosts],
        generated="2026-11-28T03:00:00Z", run=record())
    assert result["report"] == expected
    # What the role's later tasks (set_stats, the table) do with it: the host's text stays text.
    templar = Templar(loader=DataLoader(), variables={"report_data": result["report"]})
    shown = templar.template(trust_as_template("{{ report_data }}"))
    assert [reason["detail"] for reason in shown["hosts"][[row["host"] for row in shown["hosts"]].index(hosts[0])]
            ["reasons"]] == [INJECTION]
    assert rows[hosts[0]]["reasons"][0]["detail"] == INJECTION


def test_every_bad_option_is_named_at_once_and_nothing_is_written(tmp_path):
    target = tmp_path / "reports"
    result = run({"dir": str(target), "alert_days": "soon", "formats": ["pdf"], "keep": -1, "mode": "rw-r--r--",
                  "basename": "../x", "colour": "red"})
    assert result["failed"] is True and result["changed"] is False
    for problem in ("colour", "report_alert_days", "report_formats", "report_keep", "report_mode", "report_basename"):
        assert problem in result["msg"], problem
    assert result["msg"].startswith("Invalid options for report: ")
    assert not target.exists()


def test_a_run_record_of_another_basename_is_refused(tmp_path):
    result = written(tmp_path, basename="other")
    assert result["failed"] is True and "run must be a run named by the report role's plan.yml" in result["msg"]
    assert os.listdir(tmp_path) == []


def test_without_a_run_a_check_run_is_named_now(tmp_path):
    hosts, hostvars = fleet()
    result = run({"dir": str(tmp_path), "formats": "json", "hosts": hosts}, {"hostvars": hostvars}, check_mode=True)
    assert not result.get("failed"), result.get("msg")
    assert result["run"]["check_mode"] is True and result["run"]["stem"].endswith("-check")
    assert result["run"]["id"].startswith("20261128T030000Z-")
    assert (tmp_path / "sophos-report-check.json").exists() and not (tmp_path / "sophos-report.json").exists()


def test_prunes_the_runs_beyond_keep_with_their_summaries_never_this_run(tmp_path):
    older = [record("2026-11-%02dT02:00:00Z" % day, "%04x" % day) for day in (20, 21, 22)]
    for old in older:
        written(tmp_path, run=old, formats=["json", "html"])
    assert (tmp_path / (older[0]["stem"] + ".summary.json")).exists()
    result = written(tmp_path, run=record(), formats=["json", "html"], keep=2)
    gone = older[:2]
    assert result["pruned"] == sorted(run_["stem"] + ext for run_ in gone for ext in (".html", ".json", ".summary.json"))
    names = os.listdir(tmp_path)
    assert not any(name.startswith(tuple(run_["stem"] for run_ in gone)) for name in names)
    for kept in (older[2], record()):
        assert kept["stem"] + ".summary.json" in names and kept["stem"] + ".json" in names
    assert (tmp_path / "index.html").read_text().count("<tr data-index=") == 2


def test_the_index_reads_the_summaries_not_the_runs(tmp_path):
    old = record("2026-11-20T02:00:00Z", "0a0a")
    written(tmp_path, run=old, formats=["json", "html"])
    # The old run's report is now large and unreadable: only its summary may be read for the index.
    (tmp_path / (old["stem"] + ".json")).write_text("not json")
    written(tmp_path, run=record(), formats=["json", "html"])
    index = (tmp_path / "index.html").read_text()
    assert "not JSON" not in index and index.count("<tr data-index=") == 2
    assert 'data-run="%s"' % old["id"] in index


def test_a_run_without_a_summary_is_read_once_and_gets_one(tmp_path):
    old = record("2026-11-20T02:00:00Z", "0b0b")
    written(tmp_path, run=old, formats=["json", "html"])
    summary = tmp_path / (old["stem"] + ".summary.json")
    expected = json.loads(summary.read_text())
    summary.unlink()  # as an older version left it
    written(tmp_path, run=record(), formats=["json", "html"])
    assert json.loads(summary.read_text()) == expected
    assert stat.S_IMODE(os.stat(str(summary)).st_mode) == 0o640
    assert expected["total"] == 14 and expected["attention"] and expected["file"] == old["stem"] + ".json"


def test_a_file_that_cannot_be_written_fails_the_task_with_its_path(tmp_path):
    (tmp_path / "blocked").write_text("a file, not a directory")
    result = written(tmp_path / "blocked", formats=["json"])
    assert result["failed"] is True and result["msg"].startswith("report: ") and "blocked" in result["msg"]


def test_a_report_given_is_written_as_it_is(tmp_path):
    first = written(tmp_path, formats=["json", "markdown"])
    again = dict(first["report"], notifications=[{"target": "ops", "ok": True}])
    result = run({"dir": str(tmp_path), "report": again, "run": record(), "formats": ["json", "markdown"],
                  "mode": "0640"})
    assert not result.get("failed"), result.get("msg")
    assert json.loads((tmp_path / (record()["stem"] + ".json")).read_text()) == again
    assert json.loads((tmp_path / "sophos-report.json").read_text())["notifications"] == again["notifications"]
    refused = run({"dir": str(tmp_path), "report": {"hosts": []}, "run": record()})
    assert refused["failed"] is True and "report must be a report this action returned" in refused["msg"]


def test_a_mode_read_by_yaml_as_a_number_is_the_bits_themselves(tmp_path):
    # report_mode: 0644 unquoted: YAML reads 420, which Ansible's copy module took as 0o644.
    result = written(tmp_path, formats=["json"], mode=0o644)
    assert not result.get("failed"), result.get("msg")
    assert stat.S_IMODE(os.stat(str(tmp_path / "sophos-report.json")).st_mode) == 0o644


# ---------------------------------------------------------------- the Sophos Central lookup (central_lookup)
# Central is a recorded HTTP exchange behind _central._open_url: token, whoami, the hostname lookup, the alerts.

SECRET = "report-secret-Zx42"
TENANT = "a0000000-0000-4000-8000-00000000000a"
CENTRAL = {"client_id": "cid", "client_secret": SECRET, "identity_url": "https://id.test",
           "global_url": "https://api.test"}


class Central:
    """Knows the endpoints ``known`` (hostname -> count of endpoints of that name); ``fail`` refuses the token."""

    def __init__(self, known, fail=False):
        self.known, self.fail, self.urls = known, fail, []

    def __call__(self, method, url, headers, data, timeout, validate_certs, ca_path):
        self.urls.append(url)
        if url.endswith("/api/v2/oauth2/token"):
            if self.fail:
                return 401, {}, json.dumps({"error": "invalid_client", "message": "bad " + SECRET}).encode()
            return 200, {}, json.dumps({"access_token": "tok-xyz", "expires_in": 3600}).encode()
        if url.endswith("/whoami/v1"):
            return 200, {}, json.dumps({"id": TENANT, "idType": "tenant",
                                        "apiHosts": {"dataRegion": "https://eu01.test"}}).encode()
        if "/endpoint/v1/endpoints?" in url:
            name = url.split("hostnameContains=")[1].split("&")[0]
            items = [{"id": "e-%s-%d" % (name, n), "hostname": name.upper(), "tenant": {"id": TENANT},
                      "health": {"overall": INJECTION}} for n in range(self.known.get(name, 0))]
            return 200, {}, json.dumps({"pages": {}, "items": items}).encode()
        if "/common/v1/alerts" in url:
            return 200, {}, json.dumps({"pages": {}, "items": []}).encode()
        raise AssertionError("unexpected request %s %s" % (method, url))


def looked_up(monkeypatch, tmp_path, central, batch, **args):
    """The action with central_lookup over the fixture's fleet, whose second host has a view from the inventory."""
    from ansible_collections.fleetops.sophos.plugins.module_utils import _central
    for variable in _central.ENV.values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(_central, "_open_url", central)
    hosts, hostvars = fleet()
    hostvars[hosts[1]]["sophos_central"] = {"id": "from-inventory", "restart_alert": None}
    options = dict(dir=str(tmp_path), hosts=hosts, result_var="maintenance_result", run=record(),
                   central_lookup=True, central_options=CENTRAL)
    options.update(args)
    return hosts, run(options, {"hostvars": hostvars, "ansible_play_hosts_all": hosts, "ansible_play_hosts": hosts,
                                "ansible_play_batch": batch(hosts)})


def test_the_lookup_asks_the_batch_hosts_without_a_view_once_and_returns_the_answers_as_facts(monkeypatch, tmp_path):
    hosts = fleet()[0]
    central = Central({hosts[0]: 1, hosts[2]: 2})
    hosts, result = looked_up(monkeypatch, tmp_path, central, lambda h: h[:4])
    assert not result.get("failed"), result.get("msg")
    facts = result["ansible_facts"]
    asked = [url.split("hostnameContains=")[1].split("&")[0] for url in central.urls if "hostnameContains" in url]
    # the batch's hosts, not the one the inventory gave a view, each asked once
    assert asked == [hosts[0], hosts[2], hosts[3]] and facts["report_central_asked"] == asked
    assert sorted(facts["report_central_views"]) == [hosts[0]]
    assert facts["report_central_views"][hosts[0]]["checked_at"] == "2026-11-28T03:00:00Z"
    assert facts["report_central_state"] == {"lookup": "done", "message": "not in Sophos Central: %s; several "
                                             "Central endpoints: %s" % (hosts[3], hosts[2])}
    rows = dict((row["host"], row) for row in result["report"]["hosts"])
    assert rows[hosts[0]]["central"]["source"] == "lookup" and rows[hosts[1]]["central"]["source"] == "inventory"
    assert result["report"]["central"]["lookup"] == "done"
    assert SECRET not in json.dumps(result) and "tok-xyz" not in json.dumps(result)
    # Central's strings come back unsafe: the next batch passes them back through a template
    assert facts["report_central_views"][hosts[0]]["health"]["overall"] == INJECTION


def test_hosts_asked_earlier_in_the_run_are_not_asked_again_and_the_state_stays(monkeypatch, tmp_path):
    hosts = fleet()[0]
    central = Central({})
    earlier = {"lookup": "done", "message": "not in Sophos Central: x"}
    hosts, result = looked_up(monkeypatch, tmp_path, central, lambda h: h[:1], central_asked=[hosts[0]],
                              central_state=earlier, central_run=record()["id"])
    assert central.urls == [] and result["ansible_facts"]["report_central_state"] == earlier
    assert result["ansible_facts"]["report_central_asked"] == [hosts[0]]
    assert result["ansible_facts"]["report_central_run"] == record()["id"]


@pytest.mark.parametrize("central_run", [None, "20261127T030000Z-0badcafe"])
def test_answers_of_another_run_are_not_used_the_hosts_are_asked_afresh(monkeypatch, tmp_path, central_run):
    """A fact cache keeps the action's facts for the next run: its answers (another run id, or none) are not its own."""
    hosts = fleet()[0]
    central = Central({hosts[0]: 1})
    stale = {hosts[0]: {"id": "stale", "checked_at": "2026-11-01T00:00:00Z"}}
    args = dict(central_asked=[hosts[0]], central_views=stale, central_state={"lookup": "failed", "message": "old"})
    if central_run:
        args["central_run"] = central_run
    hosts, result = looked_up(monkeypatch, tmp_path, central, lambda h: h[:1], **args)
    facts = result["ansible_facts"]
    assert [url for url in central.urls if "hostnameContains=%s" % hosts[0] in url], central.urls
    assert facts["report_central_asked"] == [hosts[0]] and facts["report_central_state"]["lookup"] == "done"
    assert facts["report_central_views"][hosts[0]]["id"] != "stale"
    assert facts["report_central_run"] == record()["id"] != central_run


def test_without_credentials_nothing_is_asked_and_the_report_says_so(monkeypatch, tmp_path):
    central = Central({})
    hosts, result = looked_up(monkeypatch, tmp_path, central, lambda h: h, central_options={"client_id": "cid"})
    assert central.urls == [] and not result.get("failed")
    assert result["ansible_facts"]["report_central_state"] == {"lookup": "no_credentials"}
    assert result["report"]["central"]["lookup"] == "no_credentials"


def test_a_failed_lookup_is_named_in_the_report_without_the_secret_and_the_report_is_written(monkeypatch, tmp_path):
    hosts, result = looked_up(monkeypatch, tmp_path, Central({}, fail=True), lambda h: h)
    state = result["ansible_facts"]["report_central_state"]
    assert not result.get("failed") and state["lookup"] == "failed" and "401" in state["message"], state
    assert SECRET not in json.dumps(result) and os.path.exists(result["files"][0])


def test_without_central_lookup_central_is_not_asked_and_no_facts_are_returned(monkeypatch, tmp_path):
    central = Central({})
    hosts, result = looked_up(monkeypatch, tmp_path, central, lambda h: h, central_lookup=False)
    assert central.urls == [] and "ansible_facts" not in result and not result.get("failed")


def test_bad_central_options_are_named_with_the_others(tmp_path):
    result = written(tmp_path, central_lookup="perhaps", central_options={"timeout": "soon", "bogus": 1}, keep=-1)
    assert result["failed"] and "central_lookup" in result["msg"] and "timeout" in result["msg"], result["msg"]
    assert "bogus" in result["msg"] and "keep" in result["msg"]
