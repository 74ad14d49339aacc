"""Hosts of a later serial batch: the report says ``not_run``, never failed or unreachable."""
from ansible_collections.fleetops.sophos.plugins.filter import report as report_filter
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model

FILTERS = report_filter.FilterModule().filters()
GENERATED = "2026-11-27T00:00:00Z"


def test_run_state_of_a_host_not_run_yet():
    state = model.run_state(None, active=True, ran=False)
    assert state["state"] == "not_run" and "later batch" in state["message"]
    # A host that ran and then dropped out is still a failure.
    assert model.run_state(None, active=False)["state"] == "failed"


def test_not_run_hosts_in_the_report():
    hostvars = {
        "done": {"sophos_reboot": {"reboot_required": False, "reasons": []},
                 "sophos_reboot_cycle": {"status": "rebooted", "restarts": 1},
                 "maintenance_result": {"failed": False, "unreachable": False}},
        "broke": {"sophos_reboot_cycle": {"status": "failed", "message": "patch: apt failed"},
                  "maintenance_result": {"failed": True, "unreachable": False, "msg": "patch: apt failed"}},
        "lost": {"maintenance_result": {"failed": True, "unreachable": True, "msg": "did not come back"}},
        "later": {},
    }
    entries = FILTERS["report_entries"](sorted(hostvars), hostvars, active=sorted(hostvars),
                                        result_var="maintenance_result", not_run=["later"])
    report = FILTERS["report_build"](entries, generated=GENERATED)
    status = dict((row["host"], row["status"]) for row in report["hosts"])
    assert status == {"done": "rebooted", "broke": "failed", "lost": "unreachable", "later": "not_run"}
    row = [row for row in report["hosts"] if row["host"] == "later"][0]
    assert not row["attention"] and row["run"]["state"] == "not_run"
    assert report["summary"]["hosts"]["not_run"] == ["later"]
    assert report["summary"]["attention"] == ["lost", "broke"]
    assert "Not run yet" in FILTERS["report_html"](report)
    assert "not_run" in FILTERS["report_csv"](report)


def test_not_run_ranks_after_the_problems_and_before_deferred():
    order = model.STATUSES
    assert order.index("no_data") < order.index("not_run") < order.index("deferred")
    assert "not_run" not in model.ATTENTION_STATUSES


def test_unknown_restart_state_needs_attention_and_is_counted():
    facts = {"reboot_required": None, "unknown_sources": ["spl:/opt/sophos-spl"], "reasons": [],
             "read_errors": [{"source": "spl:/opt/sophos-spl", "error": "cannot enter /opt/sophos-spl: permission denied"}],
             "sophos": {"installed": True, "health": {"overall": "unknown"}}, "os": {"family": "linux"}}
    known = dict(facts, reboot_required=False, unknown_sources=[], read_errors=[])
    report = model.build_report([{"host": "a", "facts": facts}, {"host": "b", "facts": known}])
    rows = dict((row["host"], row) for row in report["hosts"])
    assert rows["a"]["status"] == "unknown" and rows["a"]["attention"] is True
    assert rows["a"]["issues"][0]["text"] == "cannot read the restart state: spl:/opt/sophos-spl"
    assert rows["b"]["status"] == "ok"
    assert report["summary"]["counts"]["unknown"] == 1 and report["summary"]["attention"] == ["a"]
    assert "cannot read the restart state" in FILTERS["report_markdown"](report).split("## Needs attention")[1]
    assert "Restart state unknown" in FILTERS["report_html"](report)
