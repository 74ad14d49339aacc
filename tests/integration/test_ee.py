"""AWX execution environment: ``ansible-builder create`` accepts execution-environment.yml, and the
collection's meta/execution-environment.yml hands pywinrm, jmespath and an SSH client to any EE that
lists the collection.

Only ``create`` is tested: ``ansible-builder build`` needs a container engine (podman or docker),
which this machine does not have.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILDER = os.path.join(os.path.dirname(sys.executable), "ansible-builder")


def galaxy_version():
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)["version"]


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """The build context as a user makes it: the tarball built beside execution-environment.yml."""
    if not os.access(BUILDER, os.X_OK):
        pytest.skip("ansible-builder is not installed in this environment (requirements-test.txt)")
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(os.path.join(REPO, "execution-environment.yml"), str(work))
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    built = subprocess.run([galaxy, "collection", "build", "--force", "--output-path", str(work), REPO],
                           check=False, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    path = work / "context"
    result = subprocess.run([BUILDER, "create", "-f", str(work / "execution-environment.yml"),
                             "-c", str(path), "--output-filename", "Containerfile", "-v", "3"], check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return path


def test_create_writes_a_build_context(context):
    containerfile = (context / "Containerfile").read_text()
    assert "FROM" in containerfile
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect" in containerfile, "collection requirements are not collected at build time"
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    entries = dict((item["name"], item) for item in requirements["collections"])
    tarball = "collections/fleetops-sophos-%s.tar.gz" % galaxy_version()
    assert entries[tarball]["type"] == "file", "the EE must build fleetops.sophos from this repository's tarball"
    assert "fleetops.sophos" not in entries, "fleetops.sophos is not on Galaxy"
    assert (context / "_build" / tarball).is_file()
    assert (context / "_build" / "scripts" / "introspect.py").exists()


def test_the_build_installs_the_collection_from_the_tarball(context, tmp_path):
    """The galaxy stage of the image, run here: from /build (the context's _build), offline."""
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    # As in the image, only the target path holds collections: the checkout's own link (on
    # ANSIBLE_COLLECTIONS_PATH) would make ansible-galaxy say "already installed" and install nothing.
    result = subprocess.run([galaxy, "collection", "install", "--no-deps", "-r", "requirements.yml",
                             "-p", str(tmp_path)], cwd=str(context / "_build"), check=False,
                            capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    with open(str(tmp_path / "ansible_collections" / "fleetops" / "sophos" / "MANIFEST.json")) as handle:
        assert json.load(handle)["collection_info"]["version"] == galaxy_version()


def test_collection_meta_names_existing_files():
    with open(os.path.join(REPO, "meta", "execution-environment.yml")) as handle:
        meta = yaml.safe_load(handle)
    assert meta["version"] == 1
    for kind in ("python", "system"):
        assert os.path.isfile(os.path.join(REPO, meta["dependencies"][kind])), kind


def test_introspection_finds_the_collection_needs(context, tmp_path):
    # The same script the build runs inside the image, pointed at this collection.
    collections = tmp_path / "collections"
    (collections / "ansible_collections" / "fleetops").mkdir(parents=True)
    os.symlink(REPO, str(collections / "ansible_collections" / "fleetops" / "sophos"))
    result = subprocess.run([sys.executable, str(context / "_build" / "scripts" / "introspect.py"), "introspect",
                             "--sanitize", str(collections)], check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = yaml.safe_load(result.stdout)
    python = " ".join(found["python"])
    system = " ".join(found["system"])
    assert "pywinrm" in python and "jmespath" in python
    assert "openssh-clients [platform:rpm]" in system


def test_project_sync_requirements_install_this_collection():
    with open(os.path.join(REPO, "collections", "requirements.yml")) as handle:
        requirements = yaml.safe_load(handle)
    entries = dict((item["name"], item) for item in requirements["collections"])
    assert entries["."]["type"] == "dir"
    with open(os.path.join(REPO, "galaxy.yml")) as handle:
        galaxy = yaml.safe_load(handle)
    assert set(galaxy.get("dependencies") or {}) <= set(entries)


def test_project_sync_install_works(tmp_path):
    """What AWX's project update runs, from the project directory, offline (dependencies already present)."""
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    requirements = tmp_path / "requirements.yml"
    requirements.write_text("collections:\n  - name: .\n    type: dir\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "none"))
    result = subprocess.run([galaxy, "collection", "install", "--no-deps", "-r", str(requirements),
                             "-p", str(tmp_path / "out")], cwd=REPO, check=False, capture_output=True, text=True, timeout=300,
                            env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    installed = tmp_path / "out" / "ansible_collections" / "fleetops" / "sophos"
    assert (installed / "playbooks" / "facts.yml").exists()
    assert (installed / "roles" / "report" / "tasks" / "main.yml").exists()
    assert not (installed / ".venv").exists()
