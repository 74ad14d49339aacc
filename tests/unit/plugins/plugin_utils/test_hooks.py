"""The reboot cycle's hook files (plugin_utils/_hooks.py): found from the working directory, then from the
playbook's; read as task lists; every problem named."""
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _hooks


# The hook files: the ``hooks`` fixture of tests/unit/conftest.py.


def test_the_working_directory_comes_first_then_the_playbooks(hooks):
    work, book = hooks
    assert _hooks.find("h", "hooks/drain.yml", str(book)) == (str(work / "hooks" / "drain.yml"), None)
    assert _hooks.find("h", "hooks/own.yml", str(book)) == (str(book / "hooks" / "own.yml"), None)
    assert _hooks.find("h", str(book / "hooks" / "own.yml"), None) == (str(book / "hooks" / "own.yml"), None)
    assert _hooks.find("h", "hooks/empty.yml", None) == (str(work / "hooks" / "empty.yml"), None)


def test_the_files_of_the_action_every_problem_named_and_empty_hooks_skipped(hooks):
    work, book = hooks
    paths, problems = _hooks.files({"before_restart": "hooks/nowhere.yml", "after_restart": "hooks/broken.yml",
                                    "after_cycle": "hooks/mapping.yml"}, str(book))
    # a hook that cannot be run keeps its path as given: including it fails naming it
    assert paths == {"before_restart": "hooks/nowhere.yml", "after_restart": "hooks/broken.yml",
                     "after_cycle": "hooks/mapping.yml"}
    assert len(problems) == 3, problems
    assert problems[0].startswith("reboot_cycle_before_restart_tasks 'hooks/nowhere.yml': no such file; looked at "
                                  "%s/hooks/nowhere.yml and %s/hooks/nowhere.yml" % (work, book))
    assert problems[1].startswith("reboot_cycle_after_restart_tasks 'hooks/broken.yml' (%s) is not a task file: "
                                  % (work / "hooks" / "broken.yml"))
    assert problems[2] == ("reboot_cycle_after_cycle_tasks 'hooks/mapping.yml' (%s) is not a task file: not a YAML "
                           "list of tasks" % (work / "hooks" / "mapping.yml"))
    assert _hooks.files({"before_restart": "", "after_restart": None, "after_cycle": "hooks/own.yml"},
                        str(book)) == ({"after_cycle": str(book / "hooks" / "own.yml")}, [])
