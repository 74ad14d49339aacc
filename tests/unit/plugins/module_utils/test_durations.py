"""Each host's own restart and settle durations from the kept reports (module_utils/_durations.py), and the
window fit and record that use them (_cycle.expected())."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _durations, _settings, _time
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _run_start

T0 = datetime(2026, 12, 12, 21, 0, tzinfo=timezone.utc)


def report(started, hosts, check=False, kind="fleetops.sophos.report"):
    """A run's JSON report: hosts maps a host to (restart seconds, [(settle seconds, how it ended)])."""
    rows = []
    for host, (restarts, settles) in hosts.items():
        boots = [{"boot_id": "b0", "restarted_at": None}] + [
            {"number": i + 1, "restarted_at": started, "restart_seconds": seconds} for i, seconds in enumerate(restarts)]
        rows.append({"host": host, "maintenance": {
            "boots": boots, "settles": [{"seconds": seconds, "ended": ended} for seconds, ended in settles]}})
    return json.dumps({"kind": kind, "check_mode": check, "run": {"started": started}, "hosts": rows})


def name(day, token="ab12", check=False):
    return "sophos-report-202612%02dT210000Z-%s%s.json" % (day, token, "-check" if check else "")


def started(day):
    return "2026-12-%02dT21:00:00Z" % day


def test_the_percentile_is_the_nearest_rank():
    assert _durations.percentile(range(1, 11)) == 9
    assert _durations.percentile([10, 1, 5]) == 10
    assert _durations.percentile([4, 1, 3, 2], 50) == 2
    assert _durations.percentile([7]) == 7
    assert _durations.percentile([]) is None
    # Of 19 values the 90th percentile is the ceil(17.1) = 18th; the 100th is the longest.
    assert _durations.percentile(range(1, 20)) == 18
    assert _durations.percentile(range(1, 20), 100) == 19
    with pytest.raises(ValueError):
        _durations.percentile([1], 0)
    with pytest.raises(ValueError, match=r"^a percentile is above 0 and at most 100, got 101$"):
        _durations.percentile([1], 101)


def test_a_host_takes_the_90th_percentile_of_its_last_ten_restarts_and_settles():
    # Twelve runs, one restart each: the two oldest (very long) are beyond the last ten.
    files = [(name(day), report(started(day), {"web1": ([3600 if day <= 2 else 60 * day], [(30 * day, "evidence")])}))
             for day in range(1, 13)]
    records, warnings = _durations.history_records(files)
    assert warnings == []
    learned = _durations.learn(records, ["web1", "web2"])
    # Last ten restarts: days 3..12 -> 180..720 s; the 9th of ten sorted is 660 s = 11 min.
    assert learned == {"web1": {"restart_minutes": 11.0, "restart_samples": 10,
                                "settle_minutes": 5.5, "settle_samples": 10}}
    line = _durations.plan_line(learned, ["web1", "web2", "web3"])
    assert line == ("expected restart and settle from history (the 90th percentile of the last 10 measured): "
                    "web1 restart 11 min (10 restarts), settle 5.5 min (10 settles); 2 host(s) on the defaults")


def test_fewer_than_three_measured_values_keep_the_default():
    files = [(name(1), report(started(1), {"web1": ([300, 320], [(600, "evidence")] * 3),
                                           "web2": ([200], [])}))]
    learned = _durations.learn(_durations.history_records(files)[0])
    assert learned == {"web1": {"restart_minutes": None, "restart_samples": 2,
                                "settle_minutes": 10.0, "settle_samples": 3}}
    assert "web1 settle 10 min (3 settles); 1 host(s) on the defaults" in _durations.plan_line(learned, ["web1", "web2"])


def test_only_real_runs_own_files_count_and_skipped_settles_measure_nothing():
    host = {"web1": ([60, 60, 60], [(5, "skipped"), (5, "skipped"), (5, "skipped")])}
    files = [("sophos-report.json", report(started(3), {"web1": ([999] * 3, [])})),  # the latest copy
             (name(2, check=True), report(started(2), {"web1": ([999] * 3, [])}, check=True)),
             (name(1).replace(".json", ".csv"), "host,status"),
             (name(1), report(started(1), host))]
    learned = _durations.learn(_durations.history_records(files)[0])
    assert learned == {"web1": {"restart_minutes": 1.0, "restart_samples": 3, "settle_minutes": None,
                                "settle_samples": 0}}


def test_a_corrupt_history_file_is_a_warning_and_the_others_still_count():
    files = [(name(1), '{"kind": "fleetops.sophos.report", "hosts": [{"host": "web1", '),
             (name(2, "cd34"), json.dumps({"kind": "something else"})),
             (name(3), report(started(3), {"web1": ([90, "long", None, float("nan"), -5, True], [])})),
             (name(4), json.dumps({"kind": "fleetops.sophos.report", "hosts": ["web1", {"host": 7}]}))]
    records, warnings = _durations.history_records(files)
    assert [w.split(" ")[0] for w in warnings] == [name(1), name(2, "cd34")]
    assert "is not JSON" in warnings[0] and "is not a fleetops.sophos report" in warnings[1]
    # Only one number is a measured duration: fewer than three, so web1 keeps the defaults.
    assert _durations.learn(records) == {}


def test_a_report_that_is_no_report_or_a_check_run_measures_nothing_whatever_its_name():
    measured = {"web1": ([60, 60, 60], [])}
    undated = json.loads(report(started(4), {"web2": ([90], [(30, "evidence")])}))
    undated["run"]["started"] = 20261204
    files = [(name(1), json.dumps([{"host": "web1"}])),
             (name(2), report(started(2), measured, kind="other.report")),
             (name(3), report(started(3), measured, check=True)),
             (name(4), json.dumps(undated))]
    records, warnings = _durations.history_records(files)
    assert warnings == ["%s is not a fleetops.sophos report: its restart and settle durations are not used" % name(day)
                        for day in (1, 2)]
    # A run start that is not a time is no run start.
    assert records == [{"host": "web2", "started": "", "id": "20261204T210000Z-ab12", "restarts": [90.0],
                        "settles": [30.0]}]


def test_learned_durations_are_checked_as_the_cycle_takes_them():
    assert _durations.checked(None, "x") == {} and _durations.checked({}, "x") == {}
    assert _durations.checked({"restart_minutes": "6", "restart_samples": 10}, "x") == {
        "restart_minutes": 6.0, "restart_samples": 10, "settle_minutes": None, "settle_samples": 0}
    for bad in ({"restart": 6}, [6], {"restart_minutes": 0}, {"settle_samples": -1}):
        with pytest.raises(_settings.SettingError):
            _durations.checked(bad, "reboot_cycle_learned_durations")


@pytest.mark.parametrize("value, message", [
    ({"restart": 6}, "reboot_cycle_learned_durations must be a mapping of restart_minutes, restart_samples, "
                     "settle_minutes, settle_samples (the playbooks set it from the kept reports), got {'restart': 6}"),
    ({"restart_minutes": 0}, "reboot_cycle_learned_durations.restart_minutes must be > 0, got 0"),
    ({"settle_samples": -1}, "reboot_cycle_learned_durations.settle_samples must be >= 0, got -1"),
])
def test_bad_learned_durations_name_the_setting_and_the_key(value, message):
    with pytest.raises(_settings.SettingError) as info:
        _durations.checked(value, "reboot_cycle_learned_durations")
    assert str(info.value) == message


def settings(**raw):
    return _cycle.resolve_by_os(_cycle.normalize_settings(dict(raw, run_started=_time.iso(T0)), T0), windows=False)


def facts():
    return {"reasons": [{"id": "sophos_reboot_required", "strong": True}], "sophos": {"installed": True},
            "os": {"last_boot": "2026-12-01T00:00:00Z", "boot_id": "b0"}}


def test_the_window_fit_counts_the_hosts_own_durations_and_says_so():
    own = {"restart_minutes": 6, "restart_samples": 10, "settle_minutes": 4, "settle_samples": 8}
    window = _time.iso(T0 + timedelta(minutes=12))
    # The defaults (Linux: restart 5 min, settle 20 min) do not fit 12 minutes; its own 6 + 4 minutes do (no reserve).
    assert not _cycle.window_check(settings(window_end=window, restart_reserve_minutes=0), facts(), T0)["fits"]
    check = _cycle.window_check(settings(window_end=window, learned_durations=own, restart_reserve_minutes=0),
                                facts(), T0)
    assert check["fits"] and check["seconds_needed"] == 600
    assert check["reason"] == ("needs 0 min reserve + 6 min restart + 4 min settle = 10 min; 12 min left before the "
                               "window ends at 2026-12-12T21:12:00Z (this host's own from history: restart of 10, "
                               "settle of 8)")
    # Turned off: the defaults again.
    off = settings(window_end=window, learned_durations=own, learn_durations="false", restart_reserve_minutes=0)
    assert not _cycle.window_check(off, facts(), T0)["fits"]


def test_the_record_says_where_the_expectation_came_from():
    own = {"restart_minutes": 6, "restart_samples": 10, "settle_minutes": None, "settle_samples": 1}
    state = _cycle.start(facts(), settings(learned_durations=own), T0)
    record = _cycle.result(state, _cycle.plan(facts(), state, T0), facts(), T0, check_mode=True)
    assert record["expected"] == {"restart_minutes": 6.0, "restart_from": "history", "restart_samples": 10,
                                  "settle_minutes": 20.0, "settle_from": "setting", "settle_samples": 0}
    plain = _cycle.start(facts(), settings(restart_expected_minutes=7), T0)
    assert _cycle.result(plain, _cycle.plan(facts(), plain, T0), facts(), T0, check_mode=True)["expected"] == {
        "restart_minutes": 7.0, "restart_from": "setting", "restart_samples": 0,
        "settle_minutes": 20.0, "settle_from": "setting", "settle_samples": 0}


def test_the_plan_line_names_twenty_hosts_and_counts_the_rest():
    learned = dict(("h%02d" % i, {"restart_minutes": 2, "restart_samples": 5, "settle_minutes": None,
                                  "settle_samples": 0}) for i in range(25))
    line = _durations.plan_line(learned, list(learned) + ["other"])
    assert line.count("restart 2 min (5 restarts)") == 20 and "; and 5 more; 1 host(s) on the defaults" in line
    assert _durations.plan_line(learned, ["a", "b"], enabled=False) == (
        "expected restart and settle: the defaults for all 2 host(s) (reboot_cycle_learn_durations is false)")


def test_the_run_start_reads_the_report_directory_and_a_corrupt_file_is_a_warning(tmp_path):
    for day in (1, 2, 3):
        (tmp_path / name(day)).write_text(report(started(day), {"web1": ([120 * day], [])}))
    (tmp_path / name(4)).write_text("{not json")
    (tmp_path / "sophos-report.json").write_text("{also not json: the latest copy is never read")
    got, warnings = _run_start.durations(["web1", "web2"], str(tmp_path))
    assert got["hosts"] == {"web1": {"restart_minutes": 6.0, "restart_samples": 3, "settle_minutes": None,
                                     "settle_samples": 0}}
    assert got["line"].endswith("web1 restart 6 min (3 restarts); 1 host(s) on the defaults")
    assert len(warnings) == 1 and warnings[0].startswith("report history: %s is not JSON" % name(4))
    # No directory yet (the first run): no history, no warning. Turned off: nothing is read.
    assert _run_start.durations(["web1"], str(tmp_path / "none")) == (
        {"hosts": {}, "line": _durations.plan_line({}, ["web1"])}, [])
    off = _run_start.durations(["web1"], str(tmp_path), enabled="false")
    assert off[0]["hosts"] == {} and off[1] == [] and "reboot_cycle_learn_durations is false" in off[0]["line"]
