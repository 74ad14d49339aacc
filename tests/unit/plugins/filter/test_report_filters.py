"""The report filters: collecting entries from hostvars-like mappings, and errors named for bad input."""
import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.sophos.plugins.filter import report as report_filter

FILTERS = report_filter.FilterModule().filters()


def test_entries_from_hostvars():
    hostvars = {
        "a": {"ansible_facts": {"sophos_reboot": {"reboot_required": False}}},
        "b": {"sophos_reboot": {"reboot_required": True}, "sophos_reboot_cycle": {"status": "rebooted"}},
        "c": {"sophos_reboot_facts_result": {"unreachable": True, "msg": "timed out"}},
        "d": {},
    }
    entries = FILTERS["report_entries"](["a", "b", "c", "d", "e"], hostvars, active=["a", "b", "c"])
    by_host = dict((entry["host"], entry) for entry in entries)
    assert by_host["a"]["facts"] == {"reboot_required": False}
    assert by_host["b"]["cycle"] == {"status": "rebooted"}
    assert by_host["c"]["run"] == {"state": "unreachable", "message": "timed out"}
    assert by_host["d"]["run"]["state"] == "failed"
    assert by_host["e"]["facts"] is None and by_host["e"]["run"]["state"] == "failed"


def test_build_and_render_through_the_filters():
    entries = FILTERS["report_entries"](["a"], {"a": {}})
    report = FILTERS["report_build"](entries, alert_days=7, generated="2026-11-27T00:00:00Z", title="T")
    assert report["summary"]["counts"]["no_data"] == 1
    assert "<title>T</title>" in FILTERS["report_html"](report)
    assert FILTERS["report_csv"](report).startswith("host,status")
    assert FILTERS["report_markdown"](report).startswith("# T")


@pytest.mark.parametrize("hosts", ["a,b", None, 5])
def test_entries_need_a_list(hosts):
    with pytest.raises(AnsibleFilterError, match="list of host names"):
        FILTERS["report_entries"](hosts, {})


def test_bad_settings_are_filter_errors():
    with pytest.raises(AnsibleFilterError, match="alert_days"):
        FILTERS["report_build"]([], alert_days=-1)
    with pytest.raises(AnsibleFilterError, match="report_html"):
        FILTERS["report_html"]({"no": "report"})


def test_centrals_view_from_the_inventory_or_the_lookup():
    view = {"id": "e-1", "hostname": "WEB1", "restart_alert": None}
    hostvars = {"web1": {"sophos_central": view}, "web2": {}, "web3": {}}
    looked_up = {"web1": dict(view, id="from-lookup", checked_at="x"),
                 "web2": dict(view, id="e-2", checked_at="2026-12-01T09:00:00Z")}
    entries = report_filter.report_entries(["web1", "web2", "web3"], hostvars, central=looked_up)
    first, second, third = entries
    assert (first["central"]["id"], first["central_source"], first["central_checked_at"]) == ("e-1", "inventory", None)
    assert (second["central"]["id"], second["central_source"]) == ("e-2", "lookup")
    assert second["central_checked_at"] == "2026-12-01T09:00:00Z" and "checked_at" not in second["central"]
    assert third["central"] is None and third["central_source"] is None
