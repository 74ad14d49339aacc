"""The reboot cycle's hook files (plugin_utils/_hooks.py): found from the working directory, then from the
playbook's; read as task lists; every problem named."""
import pytest

from ansible_collections.fleetops.sophos.plugins.plugin_utils import _hooks


@pytest.fixture
def places(tmp_path, monkeypatch):
    work, book = tmp_path / "work", tmp_path / "book"
    for folder in (work / "hooks", book / "hooks"):
        folder.mkdir(parents=True)
    (work / "hooks" / "drain.yml").write_text("- name: Drain\n  ansible.builtin.debug:\n    msg: drain\n")
    (book / "hooks" / "drain.yml").write_text("- name: Not this one\n  ansible.builtin.debug:\n    msg: x\n")
    (book / "hooks" / "own.yml").write_text("- name: Own\n  ansible.builtin.debug:\n    msg: own\n")
    (work / "hooks" / "broken.yml").write_text("- name: Broken\n  debug: {msg: [\n")
    (work / "hooks" / "mapping.yml").write_text("name: not a list\n")
    (work / "hooks" / "empty.yml").write_text("")
    monkeypatch.chdir(work)
    return work, book


def test_the_working_directory_comes_first_then_the_playbooks(places):
    work, book = places
    assert _hooks.find("h", "hooks/drain.yml", str(book)) == (str(work / "hooks" / "drain.yml"), None)
    assert _hooks.find("h", "hooks/own.yml", str(book)) == (str(book / "hooks" / "own.yml"), None)
    assert _hooks.find("h", str(book / "hooks" / "own.yml"), None) == (str(book / "hooks" / "own.yml"), None)
    assert _hooks.find("h", "hooks/empty.yml", None) == (str(work / "hooks" / "empty.yml"), None)


def test_the_files_of_the_action_every_problem_named_and_empty_hooks_skipped(places):
    work, book = places
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
