"""The plain-text table at the end of a play (module_utils/_report/render_text.py)."""
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_text
from ansible_collections.fleetops.sophos.plugins.module_utils._report.render_text import to_lines


# ----------------------------------------------------------------------------------------------------
# The report reads a record's restart groups, slot wait and health checks (module_utils/_report/model.py).

def test_the_end_of_run_table_names_the_stopped_groups():
    hosts = [model.host_row("sql1", facts={}, cycle={"status": "failed", "restarts": 1, "groups": ["sql-ag", "site"],
                                                     "stopped_groups": ["site", "sql-ag"],
                                                     "message": "health check failed: tcp 1433: refused"}),
             model.host_row("sql2", facts={}, cycle={"status": "deferred", "restarts": 0, "groups": ["sql-ag"],
                                                     "message": "restart group sql-ag was stopped"})]
    report = {"title": "t", "summary": {"total": 2, "counts": dict((s, 0) for s in model.STATUSES),
                                        "attention": []}, "hosts": hosts}
    lines = render_text.to_lines(report)
    assert lines[-1] == ("stopped restart groups (members not restarted were deferred): site (sql1 failed), "
                         "sql-ag (sql1 failed)")


# ----------------------------------------------------------------------------------------------------
# The report reads a record's wait for the window's start and shows it (module_utils/_report/model.py, the text table
# and the HTML page).

def _report_of(*hosts):
    return {"title": "t", "summary": {"total": len(hosts), "counts": dict((s, 0) for s in model.STATUSES),
                                      "attention": []}, "hosts": list(hosts)}


def test_the_wait_for_the_windows_start_is_read_and_shown():
    cycle = {"status": "rebooted", "restarts": 1, "message": "clean after 1 restart(s)",
             "window_start": "2026-12-01T21:00:00Z",
             "window_start_wait": {"seconds": "7205.0", "from": "2026-12-01T19:00:00Z", "to": "2026-12-01T21:00:05Z"}}
    row = model.host_row("web1", facts={}, cycle=cycle)
    assert row["maintenance"]["window_start"] == "2026-12-01T21:00:00Z"
    assert row["maintenance"]["window_start_wait"] == {"seconds": 7205.0, "from": "2026-12-01T19:00:00Z",
                                                       "to": "2026-12-01T21:00:05Z"}
    plain = model.host_row("db1", facts={}, cycle={"status": "ok", "restarts": 0})
    assert (plain["maintenance"]["window_start"], plain["maintenance"]["window_start_wait"]) == (None, None)
    lines = render_text.to_lines(_report_of(row, plain))
    assert lines[-1] == ("waited for the window's start before restarting: web1 2h00m "
                         "(2026-12-01T19:00:00Z to 2026-12-01T21:00:05Z)")


def test_a_check_run_says_the_restart_would_come_after_the_start():
    cycle = {"status": "ok", "restarts": 0, "check_mode": True, "would_reboot": True, "started": "2026-12-01T19:00:00Z",
             "reasons_before": ["os_reboot_required"], "window_start": "2026-12-01T21:00:00Z",
             "message": "check mode: would wait until 2026-12-01T21:00:00Z (the window's start), then restart 1: x"}
    row = model.host_row("web1", facts={}, cycle=cycle)
    assert render_text.why(row) == ("would restart: os_reboot_required after the window's start at "
                                    "2026-12-01T21:00:00Z")


# ----------------------------------------------------------------------------------------------------
# The plain-text table at the end of a play, rendered exactly from a small hand-written report.

ZERO = {"unreachable": 0, "failed": 0, "still_pending": 0, "unhealthy": 0, "alert": 0, "no_data": 0, "unknown": 0,
        "not_run": 0, "deferred": 0, "pending": 0, "rebooted": 0, "ok": 0}


def _host(host, status, issues=(), maintenance=None, reboot_required=None):
    return {"host": host, "status": status, "issues": list(issues), "maintenance": maintenance,
            "reboot_required": reboot_required}


def _row(host, status, restarts, why):
    """Columns start at 0, 62, 72 and 82: a 60-character host column, then 8 and 8, two spaces between."""
    return (host + " " * (62 - len(host)) + status + " " * (10 - len(status))
            + restarts + " " * (10 - len(restarts)) + why)


def test_table_exact():
    report = {
        "title": u"Nightly\n  restart", "check_mode": True,
        "summary": {"total": 6, "counts": dict(ZERO, failed=1, deferred=2, pending=1, rebooted=1, ok=1),
                    "attention": ["db-1", "web-1"]},
        "hosts": [
            _host("web-1", "rebooted", [{"text": "restarted 3 time(s)"}, {"text": "second issue"}],
                  {"restarts": 3,
                   "boots": [{"reasons": [{"id": "os_reboot_required"}, {"id": "sophos_reboot_required"}]},
                             {"reasons": [{"id": None}]}]}),
            _host("db-1", "failed", [{"text": "restart failed"}],
                  {"restarts": 1, "message": "not shown", "boots": [{"reasons": [{"id": "x"}]}]}),
            _host("h" * 60, "deferred", maintenance={"restarts": 0, "message": "w" * 100}),
            _host("d" * 60, "deferred", maintenance={"restarts": 0, "message": "waiting  for\n the\twindow"},
                  reboot_required=False),
            _host("x" * 61, "pending", reboot_required=True),
            _host("ok-1", "ok", reboot_required=False),
        ],
    }
    assert to_lines(report, location=u"/srv/r/\n  sophos-report.{json,html}") == [
        u"Nightly restart (check run): 6 host(s), failed=1, deferred=2, pending=1, rebooted=1, ok=1; "
        u"needs attention: db-1, web-1",
        _row(u"HOST", u"STATUS", u"RESTARTS", u"WHY"),
        _row(u"web-1", u"rebooted", u"3", u"restarted 3 time(s): os_reboot_required, sophos_reboot_required; "
                                          u"reason not recorded"),
        _row(u"db-1", u"failed", u"1", u"restart failed"),
        _row(u"h" * 60, u"deferred", u"0", u"w" * 100),
        _row(u"d" * 60, u"deferred", u"0", u"waiting for the window"),
        _row(u"x" * 59 + u"\u2026", u"pending", u"-", u"-"),
        _row(u"ok-1", u"ok", u"-", u"no restart pending"),
        u"report: /srv/r/ sophos-report.{json,html}",
    ]


def test_table_of_an_empty_real_run():
    report = {"title": u"Sophos restart report", "check_mode": "yes",
              "summary": {"total": 0, "counts": dict(ZERO), "attention": []}, "hosts": []}
    assert to_lines(report) == [u"Sophos restart report: 0 host(s), none; needs attention: none",
                                u"HOST  STATUS  RESTARTS  WHY"]


def test_why_cut_after_one_hundred_characters():
    report = {"title": u"t", "summary": {"total": 1, "counts": dict(ZERO, ok=1), "attention": []},
              "hosts": [_host("a", "ok", maintenance={"message": "m" * 101})]}
    assert to_lines(report)[2] == u"a     ok      -         " + u"m" * 99 + u"\u2026"


def test_a_check_run_says_what_it_would_do_and_each_status_its_next_step():
    report = {
        "title": u"Sophos restart report", "check_mode": True,
        "summary": {"total": 3, "counts": dict(ZERO, failed=1, not_run=1, pending=1), "attention": ["db-1"],
                    "hosts": {"failed": ["db-1"], "not_run": ["db-2"], "pending": ["web-1"]}},
        "hosts": [
            dict(_host("web-1", "pending", [{"text": "restart pending: os_reboot_required"}],
                       {"restarts": 0, "check_mode": True, "would_reboot": True,
                        "reasons_before": ["os_reboot_required", "sophos_reboot_required"],
                        "message": "check mode: would restart now, restart 1 of at most 3"}),
                 patch={"status": "unchanged", "changes": [], "would_install": ["a 1", "b 2"]}),
            _host("db-1", "failed", [{"text": "restart failed"}], {"restarts": 0}),
            _host("db-2", "not_run", [{"text": "not run yet"}]),
        ],
    }
    lines = to_lines(report)
    assert lines[2].split(None, 3) == [
        u"web-1", u"pending", u"would", u"would patch: 2 package(s); would restart: os_reboot_required, "
        u"sophos_reboot_required"]
    assert lines[4].split(None, 3) == [u"db-2", u"not_run", u"-", u"not run: the run stopped before this host's batch"]
    # The window's arithmetic comes before the reasons, which the column may cut.
    report["hosts"][0]["maintenance"]["window"] = u"fits: 3h00m left, needs 38m00s"
    assert to_lines(report)[2].split(None, 3)[3] == (
        u"would patch: 2 package(s); would restart (fits: 3h00m left, needs 38m00s): os_reboot_required, "
        u"soph\u2026")
    assert lines[5:] == [
        u"next, failed (db-1): fix what WHY says, then rerun with -e maintenance_hosts=db-1",
        u"next, not run (db-2): never ran (the run stopped before their batch): rerun with -e maintenance_hosts=db-2",
        u"next, pending (web-1): restart pending: run fleetops.sophos.maintenance on the host(s)",
    ]
