"""make test's lab stages run beside one another (tests/tools/run_checks.py)."""
import importlib.util
import os
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location(
    "run_checks", os.path.join(HERE, "..", "..", "tools", "run_checks.py"))
run_checks = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(run_checks)


@pytest.fixture
def logs(tmp_path, monkeypatch):
    monkeypatch.setattr(run_checks, "LOGS", str(tmp_path))
    return tmp_path


def test_lab_stages_run_at_the_same_time_and_report_in_stage_order(logs, capsys):
    # Each stage waits for the other to have started: run one after the other, the first would time out.
    started = {"first": threading.Event(), "second": threading.Event()}

    def stage(me, other):
        def func():
            started[me].set()
            if not started[other].wait(timeout=60):
                return 1, {"waited": 0}
            run_checks.run(me, ["echo", "output of " + me])
            return 0, {"waited": 1}
        return func

    results = run_checks.run_beside([("first", stage("first", "second"))], [("second", stage("second", "first"))])

    assert [(name, rc, counts) for name, rc, counts, _s in results] == [
        ("first", 0, {"waited": 1}), ("second", 0, {"waited": 1})]
    out = capsys.readouterr().out
    # The first stage is on the console as it runs; the one beside it only in its log, shown at its end.
    lines = out.splitlines()
    assert lines.count("output of second") == 1
    assert lines.index("===== second (ran beside first) =====") < lines.index("output of second")
    assert lines.index("output of first") < lines.index("===== second (ran beside first) =====")
    assert (logs / "second.log").read_text().splitlines() == ["$ echo output of second", "output of second"]


def test_a_stage_that_crashes_beside_another_is_a_failed_stage(logs, capsys):
    def crash():
        raise RuntimeError("lab could not start")

    results = run_checks.run_beside([("first", lambda: (0, {}))], [("second", crash)])

    assert [(name, rc) for name, rc, _c, _s in results] == [("first", 0), ("second", 1)]
    assert "stage second crashed: RuntimeError('lab could not start')" in capsys.readouterr().out


def test_console_stages_run_in_order_while_the_stage_beside_runs(logs, capsys):
    # The stage beside starts before the console stages and is still running when the last one ends.
    release = threading.Event()
    order = []

    def beside():
        release.wait(timeout=60)
        return (0 if order == ["one", "two"] else 1), {}

    def console(name):
        def func():
            order.append(name)
            if name == "two":
                release.set()
            return 0, {}
        return func

    results = run_checks.run_beside([("one", console("one")), ("two", console("two"))], [("lab", beside)])

    assert [(name, rc) for name, rc, _c, _s in results] == [("one", 0), ("two", 0), ("lab", 0)]
    lines = capsys.readouterr().out.splitlines()
    assert lines.index("===== lab (beside one ... two; output in %s) =====" % os.path.relpath(
        str(logs / "lab.log"), run_checks.ROOT)) < lines.index("===== one =====") < lines.index("===== two =====")
    assert lines.index("===== two =====") < lines.index("===== lab (ran beside one ... two) =====")


WEIGHTS = {"a.py": 500, "b.py": 230, "c.py": 220, "d.py": 200, "e.py": 100, "f.py": 40}


def test_shards_balance_by_weight_heaviest_first():
    assert run_checks.shards(["f.py", "e.py", "d.py", "c.py", "b.py", "a.py"], 2, WEIGHTS) == [
        ["a.py", "e.py", "f.py"], ["b.py", "c.py", "d.py"]]


def test_shards_keep_every_file_once_and_drop_empty_shards():
    assert run_checks.shards(["a.py", "b.py"], 3, WEIGHTS) == [["a.py"], ["b.py"]]
    assert run_checks.shards(["a.py", "b.py"], 1, WEIGHTS) == [["a.py", "b.py"]]
    assert run_checks.shards(["a.py", "b.py"], 0, WEIGHTS) == [["a.py", "b.py"]]


def test_the_preloaded_first_shard_gets_fewer_files_and_is_kept_empty():
    # The long tests (450) sit in the first shard: a.py (500) goes into the second, then b.py (230)
    # beside the long tests (680), c.py (220) to a.py (720), d.py (200) to the first (880), e.py (100)
    # to the second (820).
    assert run_checks.shards(["a.py", "b.py", "c.py", "d.py", "e.py"], 2, WEIGHTS, preload=450) == [
        ["b.py", "d.py"], ["a.py", "c.py", "e.py"]]
    assert run_checks.shards(["f.py"], 2, WEIGHTS, preload=450) == [[], ["f.py"]]
    assert run_checks.shards([], 2, WEIGHTS, preload=450) == [[]]


def test_the_shards_of_the_measured_weights_are_within_a_tenth_of_each_other():
    files = list(run_checks.INTEGRATION_WEIGHTS)
    parts = run_checks.shards(files, run_checks.SHARDS, preload=run_checks.LONG_WEIGHT)
    loads = [sum(run_checks.INTEGRATION_WEIGHTS[f] for f in part) for part in parts]
    loads[0] += run_checks.LONG_WEIGHT
    assert sorted(f for part in parts for f in part) == sorted(files)
    assert max(loads) <= 1.1 * min(loads), loads


def test_the_integration_stage_runs_the_long_tests_first_in_the_first_shard(monkeypatch, capsys):
    runs, downs = [], []

    def pytest_run(stage, args, env=None, junit=None):
        runs.append((stage, env["FLEETOPS_LAB"], junit, args))
        return 0, "%d passed, 3 deselected in 1.00s" % (1 if "long" in args else len(args) - 3)

    monkeypatch.setattr(run_checks, "pytest_run", pytest_run)
    monkeypatch.setattr(run_checks, "lab_down", downs.append)
    monkeypatch.setattr(run_checks.os, "geteuid", lambda: 0)
    monkeypatch.setenv("FLEETOPS_LAB", "ci")
    monkeypatch.delenv("FLEETOPS_INTEGRATION_SHARDS", raising=False)
    rc, counts = run_checks.stage_integration()
    assert rc == 0
    first = [run for run in runs if run[0] == "integration-1"]
    assert first[0][1:] == ("ci", "integration-1-long", ["tests/integration", "-m", "long"])
    assert {run[1] for run in runs} == {"ci", "ci-2", "ci-3", "ci-4"}
    files = [arg for run in runs for arg in run[3] if arg.endswith(".py")]
    assert sorted(os.path.basename(f) for f in files) == sorted(run_checks.INTEGRATION_WEIGHTS)
    assert counts == {"passed": 1 + len(files), "shards": 4}
    assert sorted(downs) == ["ci", "ci-2", "ci-2-fam", "ci-3", "ci-3-fam", "ci-4", "ci-4-fam", "ci-fam"]


def test_a_file_without_a_weight_counts_as_the_default():
    # x.py (60) goes with the lighter shard: d.py (200) + x.py beside c.py (220).
    assert run_checks.shards(["c.py", "d.py", "x.py"], 2, WEIGHTS) == [["c.py"], ["d.py", "x.py"]]
    assert run_checks.DEFAULT_WEIGHT == 60


def test_every_integration_file_has_a_measured_weight():
    files = sorted(os.path.basename(p) for p in os.listdir(os.path.join(run_checks.ROOT, "tests", "integration"))
                   if p.startswith("test_") and p.endswith(".py"))
    assert [name for name in files if name not in run_checks.INTEGRATION_WEIGHTS] == []


def test_slowest_tests_across_junit_files(tmp_path):
    (tmp_path / "a.xml").write_text(
        '<testsuites><testsuite><testcase classname="t.a" name="one" time="1.5"/>'
        '<testcase classname="t.a" name="two" time="30"/><testcase classname="t.a" name="odd" time="x"/>'
        '</testsuite></testsuites>')
    (tmp_path / "b.xml").write_text('<testsuite><testcase classname="t.b" name="three" time="12.25"/></testsuite>')
    (tmp_path / "broken.xml").write_text("<testsuite>")
    paths = [str(tmp_path / n) for n in ("a.xml", "b.xml", "broken.xml", "missing.xml")]
    assert run_checks.slowest_tests(paths, 2) == [(30.0, "t.a::two [a]"), (12.25, "t.b::three [b]")]
    # A case whose time is not a number is left out.
    assert run_checks.slowest_tests(paths) == [(30.0, "t.a::two [a]"), (12.25, "t.b::three [b]"),
                                               (1.5, "t.a::one [a]")]
