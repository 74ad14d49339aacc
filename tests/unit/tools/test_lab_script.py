"""The lab script (tests/lab/lab): host families (the --family spec, the inventory groups, a Debian image
the families leave alone) and the kernel limits it raises for its hosts (never lowered, always said)."""
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


def test_a_list_gives_hosts_from_host_one_and_the_rest_keep_theirs():
    assert LAB.parse_families("debian,el,suse", 3, {}) == {1: "debian", 2: "el", 3: "suse"}
    assert LAB.parse_families("el", 3, {"3": "suse"}) == {1: "el", 2: "debian", 3: "suse"}
    assert LAB.parse_families(None, 2, {"1": "suse", "5": "el"}) == {1: "suse", 2: "debian"}
    assert LAB.parse_families("2=el, 3=suse", 4, {}) == {1: "debian", 2: "el", 3: "suse", 4: "debian"}


@pytest.mark.parametrize("spec,count,words", [
    ("debian,rhel", 2, "unknown family 'rhel'"),
    ("5=el", 3, "names host 5 but `up 3` runs hosts 1..3"),
    ("debian,el,suse", 2, "names host 3"),
    ("x=el", 2, "bad --family entry 'x=el'"),
    ("", 0, None),
])
def test_bad_specs_name_the_problem(spec, count, words):
    if words is None:
        assert LAB.parse_families(spec, count, {}) == {}
        return
    with pytest.raises(LAB.LabError, match=words.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        LAB.parse_families(spec, count, {})


def test_inventory_groups_each_family(tmp_path, monkeypatch):
    lab = LAB.Lab("unitlab")
    monkeypatch.setattr(lab, "dir", str(tmp_path))
    monkeypatch.setattr(lab, "inventory", str(tmp_path / "inventory.ini"))
    monkeypatch.setattr(lab, "known_hosts", str(tmp_path / "known_hosts"))
    monkeypatch.setattr(lab, "address", lambda i: "10.0.0.%d" % (10 + i))
    lab.write_access_files([1, 2, 3], {1: "debian", 2: "el", 3: "suse"})
    text = (tmp_path / "inventory.ini").read_text()
    assert "[debian]\nunitlab-1\n" in text and "[el]\nunitlab-2\n" in text and "[suse]\nunitlab-3\n" in text


def test_the_debian_image_hash_ignores_the_families(monkeypatch):
    before = LAB.image_hash("bookworm")
    el = LAB.family_hash("el", before)
    monkeypatch.setitem(LAB.FAMILY_RECIPES["el"], "packages", ["dnf", "python3-dnf"])
    assert LAB.image_hash("bookworm") == before
    assert LAB.family_hash("el", before) != el
    assert LAB.family_hash("el", "another-debian-image") != LAB.family_hash("el", before)


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


def test_a_console_that_says_the_boot_cannot_go_on_is_caught(tmp_path):
    """`up` fails at once on such a line, with the console's tail, instead of waiting out its SSH timeout."""
    console = tmp_path / "console.log"
    assert LAB.boot_stuck(str(console)) is None  # no console yet: still booting
    console.write_text("systemd 252 running in system mode\n[  OK  ] Reached target Basic System.\n")
    assert LAB.boot_stuck(str(console)) is None
    console.write_text("systemd 252 running in system mode\nFailed to allocate manager object: Too many open files\n"
                       "[!!!!!!] Failed to allocate manager object.\nFreezing execution.\n")
    assert LAB.boot_stuck(str(console)) == "Failed to allocate manager object: Too many open files"
