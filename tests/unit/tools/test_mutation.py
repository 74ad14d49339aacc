"""tests/tools/mutation.py: the configuration it gives mutmut."""
import configparser
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))

import mutation  # noqa: E402  pylint: disable=wrong-import-position


def mutmut_list(text, key):
    # As mutmut 3 reads a list from setup.cfg: one item a line.
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return [line for line in parser.get("mutmut", key).split("\n") if line]


def test_each_mutant_runs_pytest_with_the_collect_plugin_and_without_the_unused_plugins():
    text = mutation.setup_cfg(["ansible_collections/fleetops/sophos/tests", "ansible_collections/fleetops/sophos/roles"])

    args = mutmut_list(text, "pytest_add_cli_args")
    assert args == mutation.PYTEST_ARGS
    assert args[0] == "-q"
    pairs = list(zip(args[1::2], args[2::2]))
    assert ("-p", "mutation_collect") in pairs and ("-p", "no:cacheprovider") in pairs
    assert ("-p", "no:junitxml") in pairs and ("-p", "no:doctest") in pairs
    # The plugin is imported by that name from the one file mutation.py puts on PYTHONPATH.
    assert os.path.basename(mutation.PLUGIN) == "mutation_collect.py" and os.path.isfile(mutation.PLUGIN)
    assert mutmut_list(text, "also_copy") == ["ansible_collections/fleetops/sophos/tests",
                                              "ansible_collections/fleetops/sophos/roles"]
    assert mutmut_list(text, "pytest_add_cli_args_test_selection") == ["ansible_collections/fleetops/sophos/tests/unit"]


def test_a_mutant_whose_test_is_not_found_is_not_killed():
    status = mutation.STATUS_BY_EXIT_CODE[mutation.mutation_collect.NOT_FOUND]

    assert status not in mutation.KILLED and status != "survived"
