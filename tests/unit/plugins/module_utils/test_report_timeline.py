"""Cycle timelines (module_utils/_report/timeline.py): segments, rows by tier and group, pixels, ticks."""
import json
import time

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, timeline
from ansible_collections.fleetops.sophos.plugins.module_utils._report.timeline import _ticks, geometry, segments
from ansible_collections.fleetops.sophos.plugins.module_utils._time import iso_to_epoch
from ansible_collections.fleetops.sophos.tests.unit.report_cases import TWO_RESTARTS


# ----------------------------------------------------------------------------------------------------
# Report history: run names, pruning, the index data and page, check runs, and the cycle timeline.

def _maintenance(cycle):
    return model.host_row("h", facts={"reboot_required": False}, cycle=cycle)["maintenance"]


def test_timeline_derived_from_restart_times():
    found = timeline.segments(_maintenance(TWO_RESTARTS))
    assert [(s["kind"], s["n"]) for s in found] == [("restart", 1), ("settle", 1), ("restart", 2), ("settle", 2)]
    base = iso_to_epoch("2026-11-28T02:00:00Z")
    assert [(s["start"] - base, s["end"] - base) for s in found] == [
        (90.0, 180.0), (180.0, 480.0), (660.0, 720.0), (720.0, 1140.0)]
    assert found[1]["ended"] == "reboot_required" and "queued Sophos update" in found[2]["label"]


def test_timeline_uses_recorded_settle_times():
    cycle = json.loads(json.dumps(TWO_RESTARTS))
    cycle["settles"][0].update(started_at="2026-11-28T02:03:10Z", ended_at="2026-11-28T02:08:00Z")
    found = timeline.segments(_maintenance(cycle))
    assert found[1]["end"] - found[1]["start"] == 290.0


def test_timeline_empty_without_restart():
    assert timeline.segments(_maintenance({"status": "ok", "restarts": 0, "boots": [{"boot_id": "x"}],
                                           "settles": []})) == []
    assert timeline.segments(None) == []
    bad = _maintenance({"status": "rebooted", "boots": [{"restarted_at": "yesterday"}], "settles": "no"})
    assert timeline.segments(bad) == []


def test_timeline_geometry_one_axis_for_the_run():
    later = json.loads(json.dumps(TWO_RESTARTS).replace("T02:", "T03:"))
    rows = [{"host": "one", "maintenance": _maintenance(TWO_RESTARTS)},
            {"host": "none", "maintenance": None},
            {"host": "two", "maintenance": _maintenance(later)}]
    shape = timeline.geometry(rows, width=1000.0)
    assert [host["host"] for host in shape["hosts"]] == ["one", "two"]
    span = shape["end"] - shape["start"]
    assert span == 3600.0 + 1200.0
    first, second = shape["hosts"][0]["bars"], shape["hosts"][1]["bars"]
    assert first[0]["x"] == round(90 * 1000.0 / span, 1)
    assert second[0]["x"] == round((3600 + 90) * 1000.0 / span, 1)
    assert all(segment["w"] >= 2.0 for segment in first + second)
    assert [x for x, _label in shape["ticks"]] == sorted(x for x, _label in shape["ticks"])
    assert timeline.geometry([{"host": "none", "maintenance": None}]) is None


# ----------------------------------------------------------------------------------------------------
# Cycle timelines, pinned exactly: the segments of a hand-written cycle, their pixels, and the axis ticks.

T0 = iso_to_epoch("2026-11-28T02:00:00Z")


MIDNIGHT = iso_to_epoch("2026-11-28T00:00:00Z")


CYCLE = {
    "started": "2026-11-28T02:00:00Z", "finished": "2026-11-28T02:30:00Z",
    "boots": [
        {"boot_id": "b0"},
        {"restarted_at": "2026-11-28T02:05:00Z", "restart_seconds": 90,
         "reasons": [{"id": "os_reboot_required"}, {"id": None}]},
        {"restarted_at": "2026-11-28T02:15:00Z", "restart_seconds": None, "queued_update": True},
        {"restarted_at": "2026-11-28T02:25:00Z", "restart_seconds": -5, "reasons": [{"id": "sophos_reboot_required"}]},
    ],
    "settles": [
        {"mode": "wait", "seconds": 60, "ended": "timeout"},     # one more settle than restarts: from the start
        {"mode": "poll", "seconds": 200, "ended": "evidence"},
        {"seconds": -10},
        {"mode": "poll", "started_at": "2026-11-28T02:25:10Z", "ended_at": "2026-11-28T02:27:00Z",
         "ended": "reboot_required"},
    ],
}


def _seg(kind, n, start, end, label, ended=None):
    return {"kind": kind, "n": n, "start": T0 + start, "end": T0 + end, "ended": ended, "label": label}


def test_segments_exact():
    assert segments(CYCLE) == [
        _seg("settle", 0, 0, 60, u"settle wait 1m00s, timeout", "timeout"),
        _seg("restart", 1, 210, 300, u"restart 1: down 1m30s (os_reboot_required, ?)"),
        _seg("settle", 1, 300, 500, u"settle poll 3m20s, evidence", "evidence"),
        _seg("restart", 2, 900, 900, u"restart 2: down (time not known), the queued Sophos update"),
        _seg("settle", 2, 900, 900, u"settle ? 0s, ?"),
        _seg("restart", 3, 1500, 1500, u"restart 3: down 0s (sophos_reboot_required)"),
        _seg("settle", 3, 1510, 1620, u"settle poll 1m50s, reboot_required", "reboot_required"),
    ]


def test_segments_skip_what_has_no_time():
    cycle = {"started": "2026-11-28T02:00:00Z",
             "boots": [{"restarted_at": "later"}, {"restarted_at": "2026-11-28T02:05:00Z", "restart_seconds": 0}],
             "settles": [{"mode": "poll"}, {"mode": "poll", "seconds": 30, "ended": "evidence"}]}
    # The unreadable restart keeps its number: restart 2 is the one that has a time.
    assert segments(cycle) == [
        _seg("restart", 2, 300, 300, u"restart 2: down 0s"),
        _seg("settle", 2, 300, 330, u"settle poll 30s, evidence", "evidence"),
    ]
    # A settle from the start when the cycle's start is unreadable has no time either.
    assert segments(dict(cycle, started="soon", settles=[{"seconds": 5}, {"seconds": 5}, {"seconds": 5}])) == [
        _seg("restart", 2, 300, 300, u"restart 2: down 0s"),
        _seg("settle", 2, 300, 305, u"settle ? 5s, ?"),
    ]


def test_settles_before_the_first_restart_follow_one_another():
    cycle = {"started": "2026-11-28T02:00:00Z",
             "boots": [{"restarted_at": "2026-11-28T02:05:00Z", "restart_seconds": 30}],
             "settles": [{"mode": "poll", "seconds": 40, "ended": "evidence"},
                         {"mode": "wait", "seconds": 20, "ended": "timeout"},
                         {"mode": "poll", "seconds": 10, "ended": "evidence"}]}
    assert segments(cycle) == [
        _seg("settle", 0, 0, 40, u"settle poll 40s, evidence", "evidence"),
        _seg("settle", 0, 40, 60, u"settle wait 20s, timeout", "timeout"),
        _seg("restart", 1, 270, 300, u"restart 1: down 30s"),
        _seg("settle", 1, 300, 310, u"settle poll 10s, evidence", "evidence"),
    ]


def test_geometry_exact():
    other = {"started": "2026-11-28T02:10:00Z",
             "boots": [{"restarted_at": "2026-11-28T02:40:00Z", "restart_seconds": 61}], "settles": []}
    shape = geometry([{"host": "a", "maintenance": CYCLE}, {"host": "none", "maintenance": None},
                      {"host": "b", "maintenance": other}], width=960.0)
    assert (shape["start"], shape["end"], shape["width"]) == (T0, T0 + 2400, 960.0)
    assert [host["host"] for host in shape["hosts"]] == ["a", "b"]
    assert [(seg["kind"], seg["n"], seg["x"], seg["w"]) for seg in shape["hosts"][0]["bars"]] == [
        ("settle", 0, 0.0, 24.0), ("restart", 1, 84.0, 36.0), ("settle", 1, 120.0, 80.0),
        ("restart", 2, 360.0, 2.0), ("settle", 2, 360.0, 2.0), ("restart", 3, 600.0, 2.0),
        ("settle", 3, 604.0, 44.0)]
    assert shape["hosts"][0]["bars"][1]["label"] == u"restart 1: down 1m30s (os_reboot_required, ?)"
    assert shape["hosts"][0]["line"] == (0.0, 720.0)
    assert [(seg["kind"], seg["x"], seg["w"]) for seg in shape["hosts"][1]["bars"]] == [("restart", 935.6, 24.4)]
    assert shape["hosts"][1]["line"] == (240.0, 960.0)
    assert shape["ticks"] == [(240.0, u"02:10"), (480.0, u"02:20"), (720.0, u"02:30")]


def test_geometry_of_a_restart_shorter_than_a_second():
    cycle = {"boots": [{"restarted_at": "2026-11-28T02:05:00Z", "restart_seconds": 0.5}]}
    shape = geometry([{"host": "a", "maintenance": cycle}])
    # The axis spans at least one second: the half-second restart fills half of it.
    assert [(seg["x"], seg["w"]) for seg in shape["hosts"][0]["bars"]] == [(0.0, 450.0)]
    assert shape["hosts"][0]["line"] == (0.0, 450.0) and shape["ticks"] == [(450.0, u"02:05")]


# Six steps of each size fit: that size is chosen; the first mark is the first round time after the start
# (30 s after midnight); marks stop before the end.
@pytest.mark.parametrize("step, labels", [
    (60, ["00:01", "00:02", "00:03", "00:04", "00:05", "00:06"]),
    (120, ["00:02", "00:04", "00:06", "00:08", "00:10", "00:12"]),
    (300, ["00:05", "00:10", "00:15", "00:20", "00:25", "00:30"]),
    (600, ["00:10", "00:20", "00:30", "00:40", "00:50", "01:00"]),
    (900, ["00:15", "00:30", "00:45", "01:00", "01:15", "01:30"]),
    (1800, ["00:30", "01:00", "01:30", "02:00", "02:30", "03:00"]),
    (3600, ["01:00", "02:00", "03:00", "04:00", "05:00", "06:00"]),
    (7200, ["02:00", "04:00", "06:00", "08:00", "10:00", "12:00"]),
    (10800, ["03:00", "06:00", "09:00", "12:00", "15:00", "18:00"]),
    (21600, ["06:00", "12:00", "18:00", "00:00", "06:00", "12:00"]),
    (43200, ["12:00", "00:00", "12:00", "00:00", "12:00", "00:00"]),
    (86400, ["00:00"] * 6),
])
def test_ticks_choose_the_round_step(step, labels):
    ticks = _ticks(MIDNIGHT + 30, 6.0 * step, 10.0 / step)
    assert [label for _x, label in ticks] == labels
    # Each mark sits 10 px after the previous one, the first 30 s (300 / step px) before 10 px.
    assert [x for x, _label in ticks] == [round(10.0 * k - 300.0 / step, 1) for k in range(1, 7)]


def test_ticks_exact_positions():
    assert _ticks(MIDNIGHT + 30, 390.0, 1.0 / 7) == [(12.9, u"00:02"), (30.0, u"00:04"), (47.1, u"00:06")]
    # Beyond six days the step stays one day.
    assert [label for _x, label in _ticks(MIDNIGHT + 30, 7 * 86400.0, 0.001)] == [u"00:00"] * 7


@pytest.fixture
def india_time(monkeypatch):
    monkeypatch.setenv("TZ", "IST-05:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_ticks_in_utc_whatever_the_local_time_zone(india_time):
    assert time.strftime("%H:%M", time.localtime(MIDNIGHT)) == "05:30"
    assert _ticks(MIDNIGHT + 30, 390.0, 1.0 / 7)[0][1] == u"00:02"


# ----------------------------------------------------------------------------------------------------
# The HTML timeline's rows by restart tier and group (module_utils/_report/timeline.py sections(), drawn by
# render_html.timeline_html()): a header per tier and per group, each member under its group.

def test_without_tiers_and_groups_one_row_per_host():
    assert timeline.sections([{}, {"groups": []}]) == [{"host": 0}, {"host": 1}]


def test_rows_by_tier_then_group_a_member_of_two_groups_under_each():
    cycles = [{"tier": 2, "groups": ["sql"]}, {"tier": 1, "groups": ["web"]}, {"tier": 1, "groups": ["web", "dc"]},
              {"tier": 1, "groups": []}, {}]
    assert timeline.sections(cycles) == [
        {"header": "tier 1", "level": 0},
        {"header": "restart group dc", "level": 1}, {"host": 2},
        {"header": "restart group web", "level": 1}, {"host": 1}, {"host": 2},
        {"header": "no restart group", "level": 1}, {"host": 3},
        {"header": "tier 2", "level": 0},
        {"header": "restart group sql", "level": 1}, {"host": 0},
        {"header": "no tier", "level": 0},
        {"header": "no restart group", "level": 1}, {"host": 4},
    ]
    assert timeline.sections([{"groups": ["b"]}, {"groups": ["a"]}, {"groups": ["b"]}]) == [
        {"header": "restart group a", "level": 0}, {"host": 1},
        {"header": "restart group b", "level": 0}, {"host": 0}, {"host": 2}]
