# -*- coding: utf-8 -*-
"""The run check's window start (module_utils/_run.py): resolved once with the end, a start too far away or at
or after the end stopped before any host is touched, and the one window line printed at play start."""

from __future__ import absolute_import, division, print_function

import glob
import os
from datetime import datetime, timezone

import yaml

from ansible_collections.fleetops.sophos.plugins.module_utils import _run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def _spec(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


KNOWN = _run.known_variables([_spec(path) for path in
                              sorted(glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")))])
# Tuesday 1 December 2026, 19:00 UTC = 20:00 in Berlin.
LAUNCH = datetime(2026, 12, 1, 19, 0, tzinfo=timezone.utc)
NAMES = ["reboot_cycle_window_end", "reboot_cycle_window_start"]


def check(start, end, now=LAUNCH, **more):
    settings = dict({"reboot_cycle_window_start": start}, **more)
    return _run.check_run(NAMES + list(more), end, KNOWN, now, settings)


def test_the_window_is_resolved_once_and_printed_on_one_line():
    result = check("22:00 Europe/Berlin", "02:00 Europe/Berlin")
    assert result["errors"] == []
    assert (result["window_start"], result["window_end"]) == ("2026-12-01T21:00:00Z", "2026-12-02T01:00:00Z")
    assert result["window_start_given"] == "22:00 Europe/Berlin" and result["patch_before_window"] is True
    assert result["window_line"] == (u"window 22:00\u201302:00 Europe/Berlin = 2026-12-01T21:00:00Z\u2013"
                                     u"2026-12-02T01:00:00Z; no restart before the start (2h00m from now); run started "
                                     u"2026-12-01T19:00:00Z; blackouts: none")


def test_the_blackouts_end_the_one_window_line():
    """The play-start line is one line: the window, the run's start, then the blackouts resolved with them."""
    result = check("22:00 Europe/Berlin", "02:00 Europe/Berlin",
                   maintenance_blackouts="backups: 2026-12-02T00:30:00Z to 2026-12-02T02:00:00Z")
    assert result["errors"] == []
    assert result["window_line"] == (u"window 22:00\u201302:00 Europe/Berlin = 2026-12-01T21:00:00Z\u2013"
                                     u"2026-12-02T01:00:00Z; no restart before the start (2h00m from now); run started "
                                     u"2026-12-01T19:00:00Z; blackouts: backups 2026-12-02T00:30:00Z\u2013"
                                     u"2026-12-02T02:00:00Z")
    assert result["blackouts_line"] in result["window_line"]


def test_a_job_launched_inside_its_window_does_not_wait():
    result = check("22:00 Europe/Berlin", "02:00 Europe/Berlin", now=datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc))
    assert result["errors"] == [] and result["window_start"] == "2026-12-01T21:00:00Z"
    assert "no restart before" not in result["window_line"]


def test_the_window_line_takes_more_parts():
    line = _run.window_line("2026-12-01T19:00:00Z", "2026-12-01T21:00:00Z", None, "+2h", None,
                            extra=["blackouts: none", ""])
    assert line == (u"window +2h\u2013no end = 2026-12-01T21:00:00Z\u2013no end; no restart before the start (2h00m "
                    u"from now); run started 2026-12-01T19:00:00Z; blackouts: none")


def test_a_start_at_or_after_the_end_is_a_problem():
    result = check("+5h", "+4h")
    assert result["errors"] == ["reboot_cycle_window_start '+5h' starts at 2026-12-02T00:00:00Z, at or after the "
                                "window's end 2026-12-01T23:00:00Z (reboot_cycle_window_end): no restart could be "
                                "made; give a start before the end"]
    assert result["window_start"] is None and result["window_end"] is None


def test_a_start_more_than_a_day_away_is_a_problem():
    result = check("2026-12-02T19:00:01Z", None)
    assert result["errors"] == ["reboot_cycle_window_start '2026-12-02T19:00:01Z' is 2026-12-02T19:00:01Z, 24h00m "
                                "after this run started (2026-12-01T19:00:00Z): more than 24 hours away; start the job "
                                "nearer its window, or give a nearer start"]
    assert check("2026-12-02T19:00:00Z", None)["errors"] == []


def test_patching_before_the_start_with_windows_update_restarts_is_a_problem():
    result = check("+1h", "+4h", patch_win_reboot=True)
    assert result["errors"] == ["patch_win_reboot=true lets Windows Update restart hosts while they are patched, "
                                "before the window's start at 2026-12-01T20:00:00Z; set "
                                "maintenance_patch_before_window=false (patching then waits for the start) or "
                                "patch_win_reboot=false"]
    waited = check("+1h", "+4h", patch_win_reboot=True, maintenance_patch_before_window="false")
    assert waited["errors"] == [] and waited["patch_before_window"] is False
    assert check("+1h", "+4h", maintenance_patch_before_window="sometimes")["errors"] == [
        "maintenance_patch_before_window must be true or false (also yes/no, on/off, 1/0, any case), got 'sometimes'"]
