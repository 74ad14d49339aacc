"""The lab raises the kernel's inotify limits its hosts need, never lowers them, and says so."""
import importlib.machinery
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def load_lab():
    path = os.path.join(ROOT, "tests", "lab", "lab")
    loader = importlib.machinery.SourceFileLoader("fleetops_lab_script", path)
    spec = importlib.util.spec_from_loader("fleetops_lab_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


LAB = load_lab()


def proc_sys(tmp_path, instances, watches):
    for key, value in (("fs/inotify/max_user_instances", instances), ("fs/inotify/max_user_watches", watches)):
        path = tmp_path / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("%s\n" % value)
    return str(tmp_path)


def read(root, key):
    with open(os.path.join(root, key)) as handle:
        return handle.read()


def test_debian_defaults_are_raised_and_said(tmp_path, capsys):
    root = proc_sys(tmp_path, 128, 192540)
    LAB.ensure_kernel_limits(root)
    assert read(root, "fs/inotify/max_user_instances") == "3200\n"
    assert read(root, "fs/inotify/max_user_watches") == "1048576\n"
    err = capsys.readouterr().err
    assert "raised fs.inotify.max_user_instances from 128 to 3200" in err
    assert "raised fs.inotify.max_user_watches from 192540 to 1048576" in err


def test_values_at_or_above_the_floor_are_left_alone(tmp_path, capsys):
    root = proc_sys(tmp_path, 3200, 2000000)
    LAB.ensure_kernel_limits(root)
    assert read(root, "fs/inotify/max_user_instances") == "3200\n"
    assert read(root, "fs/inotify/max_user_watches") == "2000000\n"
    assert capsys.readouterr().err == ""


def test_one_below_the_floor_is_raised(tmp_path):
    root = proc_sys(tmp_path, 3199, 1048576)
    LAB.ensure_kernel_limits(root)
    assert read(root, "fs/inotify/max_user_instances") == "3200\n"


def test_an_unreadable_limit_is_named(tmp_path):
    with pytest.raises(LAB.LabError, match=r"cannot read .*fs/inotify/max_user_instances"):
        LAB.ensure_kernel_limits(str(tmp_path))


def test_a_limit_that_cannot_be_written_is_named(tmp_path, monkeypatch):
    root = proc_sys(tmp_path, 128, 1048576)

    def refuse(path, text):
        raise PermissionError(13, "Permission denied", path)
    monkeypatch.setattr(LAB, "write_file_in_place", refuse)
    with pytest.raises(LAB.LabError, match=r"cannot raise .*max_user_instances from 128 to 3200 .*Permission denied"):
        LAB.ensure_kernel_limits(root)
    assert read(root, "fs/inotify/max_user_instances") == "128\n"


def test_tail_of_a_missing_file_says_so(tmp_path):
    assert LAB.tail_of(str(tmp_path / "console.log"), 3).startswith("no %s (" % (tmp_path / "console.log"))
    (tmp_path / "supervisor.log").write_text("a\nb\nc\nd\n")
    assert LAB.tail_of(str(tmp_path / "supervisor.log"), 2) == "last lines of %s:\nc\nd\n" % (tmp_path / "supervisor.log")
