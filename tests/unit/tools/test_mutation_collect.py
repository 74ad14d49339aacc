"""The mutation run's pytest plugin: only the tests asked for by node id are collected, and all of them run."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOOLS = os.path.join(ROOT, "tests", "tools")
sys.path.insert(0, TOOLS)

import mutation_collect  # noqa: E402  pylint: disable=wrong-import-position

# Each function pytest collects logs its name (module-level pytest_generate_tests runs once per test
# function collected); the class's methods too.
TESTS = '''
import os
import pytest


def pytest_generate_tests(metafunc):
    with open(os.environ["COLLECTED_LOG"], "a") as log:
        log.write(metafunc.function.__name__ + "\\n")
    if "n" in metafunc.fixturenames:
        metafunc.parametrize("n", [1, 2, 3])


def test_asked(n):
    assert n != 2, "the second parameter fails"


def test_not_asked(n):
    pass


def test_plain():
    pass


class TestGroup:
    def test_in_class(self):
        pass

    def test_other_in_class(self):
        pass
'''


def run_pytest(tmp_path, args, plugin=True):
    (tmp_path / "test_sample.py").write_text(TESTS)
    log = tmp_path / "collected.log"
    if log.exists():
        log.unlink()
    env = dict(os.environ, COLLECTED_LOG=str(log), PYTHONPATH=TOOLS)
    command = [sys.executable, "-m", "pytest", "--rootdir=.", "-p", "no:cacheprovider", "-q", "-rA",
               "-p", "no:randomly"] + (["-p", "mutation_collect"] if plugin else []) + args
    result = subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False)
    collected = log.read_text().split() if log.exists() else []
    return result, collected


@pytest.mark.parametrize("plugin", [True, False])
def test_only_the_asked_functions_are_collected_and_each_asked_test_runs(tmp_path, plugin):
    result, collected = run_pytest(tmp_path, [
        "test_sample.py::test_asked[1]", "test_sample.py::test_asked[2]", "test_sample.py::TestGroup::test_in_class"],
        plugin=plugin)

    # Without the plugin pytest makes every item of the file, then drops those not asked for.
    assert sorted(collected) == (["test_asked", "test_in_class"] if plugin else
                                 ["test_asked", "test_in_class", "test_not_asked", "test_other_in_class",
                                  "test_plain"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PASSED test_sample.py::test_asked[1]" in result.stdout
    assert "FAILED test_sample.py::test_asked[2]" in result.stdout
    assert "PASSED test_sample.py::TestGroup::test_in_class" in result.stdout
    assert "1 failed, 2 passed" in result.stdout


def test_a_parameter_id_holding_colons_is_found(tmp_path):
    (tmp_path / "test_colons.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('name', ['Event::Endpoint::Update', 'other'])\n"
        "def test_named(name):\n    assert name\n\n\ndef test_other():\n    pass\n")
    result, _collected = run_pytest(tmp_path, ["test_colons.py::test_named[Event::Endpoint::Update]"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED test_colons.py::test_named[Event::Endpoint::Update]" in result.stdout
    assert "1 passed" in result.stdout


def test_a_test_asked_for_and_not_found_is_not_a_failing_test(tmp_path):
    result, _collected = run_pytest(tmp_path, ["test_sample.py::test_asked[1]", "test_sample.py::test_gone"])

    # pytest's usage error (4) would make mutmut's process for the mutant exit 1: "killed".
    assert result.returncode == mutation_collect.NOT_FOUND, result.stdout + result.stderr


def test_a_file_given_whole_is_collected_whole(tmp_path):
    result, collected = run_pytest(tmp_path, ["test_sample.py::test_plain", "test_sample.py"])

    assert sorted(collected) == ["test_asked", "test_in_class", "test_not_asked", "test_other_in_class",
                                 "test_plain"]
    assert "1 failed, 8 passed" in result.stdout


def test_wanted_names_reach_through_classes_and_drop_parameters(tmp_path):
    wanted = mutation_collect.wanted_names(
        ["tests/test_a.py::test_one[x-1]", "tests/test_a.py::TestB::test_two[y]", "tests/test_c.py::test_three",
         "tests/test_c.py::test_four[Event::Endpoint::UpdateRebootRequired-True]"],
        str(tmp_path), str(tmp_path))

    assert wanted == {"tests/test_a.py": {"test_one", "TestB"}, "tests/test_a.py::TestB": {"test_two"},
                      "tests/test_c.py": {"test_three", "test_four"}}


@pytest.mark.parametrize("args", [["tests/test_a.py::test_one", "tests"], ["tests/test_a.py::"],
                                  ["../elsewhere/test_a.py::test_one"]])
def test_wanted_names_prune_nothing_when_an_argument_is_not_a_test_inside_the_root(tmp_path, args):
    assert mutation_collect.wanted_names(args, str(tmp_path), str(tmp_path)) == {}


def test_wanted_names_are_relative_to_the_root_from_where_pytest_runs(tmp_path):
    wanted = mutation_collect.wanted_names(["test_a.py::test_one"], str(tmp_path), str(tmp_path / "tests"))

    assert wanted == {"tests/test_a.py": {"test_one"}}
