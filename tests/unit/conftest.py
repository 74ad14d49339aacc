"""Make the collection importable as ``ansible_collections.fleetops.sophos`` for plain pytest."""
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS = os.path.join(_ROOT, ".venv", "collections")
_LINK = os.path.join(_COLLECTIONS, "ansible_collections", "fleetops", "sophos")

if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(_ROOT, _LINK)
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)


import pytest  # noqa: E402  (after the path is set up)


@pytest.fixture
def hooks(tmp_path, monkeypatch):
    """Hook files in a working directory and a playbook directory (``(work, book)``; the test runs in ``work``):
    drain.yml in both (the working directory's comes first), own.yml in the playbook's only, and in the working
    directory a broken YAML file, a mapping instead of a task list, and an empty file."""
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
