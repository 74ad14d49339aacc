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

    results = run_checks.run_beside([("first", stage("first", "second")), ("second", stage("second", "first"))])

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

    results = run_checks.run_beside([("first", lambda: (0, {})), ("second", crash)])

    assert [(name, rc) for name, rc, _c, _s in results] == [("first", 0), ("second", 1)]
    assert "stage second crashed: RuntimeError('lab could not start')" in capsys.readouterr().out
