"""The lab's host families: the --family spec, the inventory groups, and a Debian image the families leave alone."""
import importlib.machinery
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def load_lab():
    path = os.path.join(ROOT, "tests", "lab", "lab")
    loader = importlib.machinery.SourceFileLoader("fleetops_lab_families", path)
    spec = importlib.util.spec_from_loader("fleetops_lab_families", loader)
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
