"""The Linux reader on a tree it may not read: unknown, never absent (run as an unprivileged user)."""
import json
import os
import shutil
import tempfile
import time
import traceback

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import DEFAULT_OPTIONS, assess
from ansible_collections.fleetops.sophos.plugins.modules import reboot_facts
from ansible_collections.fleetops.sophos.tests.unit.readings import fixture, put

NOBODY = 65534
ALC = "base/mcs/status/ALC_status.xml"


@pytest.fixture
def tree():
    """A host tree in a directory every user may enter (pytest's own tmp dirs are private to root)."""
    base = tempfile.mkdtemp(prefix="fleetops-unreadable-")
    os.chmod(base, 0o755)
    proc = os.path.join(base, "proc")
    put(os.path.join(proc, "stat"), "btime 1764000000\n")
    ticks = os.sysconf("SC_CLK_TCK")
    put(os.path.join(proc, "1", "stat"), "1 (systemd) " + " ".join(["S"] + ["0"] * 18 + [str(3600 * ticks)] + ["0"] * 30))
    spl = os.path.join(base, "sophos-spl")
    put(os.path.join(spl, "base/VERSION.ini"), fixture("spl", "VERSION.ini"))
    put(os.path.join(spl, ALC), fixture("spl", "ALC_status.reboot-urgent.xml"))
    put(os.path.join(spl, "base/update/var/updatescheduler/update_report20261126 101500.json"),
        fixture("spl", "update_report.SUCCESS.json"))
    put(os.path.join(spl, "base/etc/machine_id.txt"), "ab" * 16 + "\n", mtime=1763000000)
    os.makedirs(os.path.join(base, "run"))
    for root, dirs, files in os.walk(base):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    yield base
    for root, dirs, _files in os.walk(base):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    os.chmod(base, 0o755)
    shutil.rmtree(base)


def read_unprivileged(base):
    """read_host() as an ordinary user: a forked child that drops root, if the tests run as root."""
    def read():
        opts = dict(DEFAULT_OPTIONS, sophos_dir=os.path.join(base, "sophos-spl"))
        return reboot_facts.read_host(opts, None, lambda name: None, proc=os.path.join(base, "proc"),
                                      run_dirs=(os.path.join(base, "run"),))
    if os.geteuid() != 0:
        return read()
    # The interpreter's own library may be closed to that user: load what the reader imports lazily.
    time.strptime("20000101", "%Y%m%d")
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(rfd)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                result = read()
            except Exception:  # pylint: disable=broad-except  # handed to the parent, which fails the test
                result = {"child_exception": traceback.format_exc()}
            os.write(wfd, json.dumps(result).encode())
        finally:
            os._exit(0)
    os.close(wfd)
    chunks = []
    while True:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(rfd)
    os.waitpid(pid, 0)
    result = json.loads(b"".join(chunks).decode())
    assert "child_exception" not in result, result.get("child_exception")
    return result


def test_install_dir_0700_is_unknown_not_absent(tree):
    spl = os.path.join(tree, "sophos-spl")
    os.chmod(spl, 0o700 if os.geteuid() == 0 else 0o000)
    raw = read_unprivileged(tree)
    assert raw["spl"]["files"][ALC] == {"blocked": spl}
    assert raw["spl"]["markers"] == {m: None for m in raw["spl"]["markers"]}
    facts = assess(raw, DEFAULT_OPTIONS)
    assert facts["sophos"]["installed"] is True
    assert facts["sophos"]["reboot_required"] is None and facts["reboot_required"] is None
    assert facts["sophos"]["updating"] is None and facts["sophos"]["installed_since_boot"] is None
    [error] = facts["read_errors"]
    assert error["source"] == "spl:" + spl
    assert "permission denied" in error["error"] and "ALC_status.xml" in error["error"]
    assert "become" in error["hint"]
    assert facts["unknown_sources"] == ["spl:" + spl]


def test_status_dir_closed_hides_the_flag_but_the_rest_is_read(tree):
    status = os.path.join(tree, "sophos-spl", "base/mcs/status")
    os.chmod(status, 0o700 if os.geteuid() == 0 else 0o000)
    facts = assess(read_unprivileged(tree), DEFAULT_OPTIONS)
    assert facts["sophos"]["version"] == "1.2.3.45"  # VERSION.ini is outside the closed directory
    assert facts["sophos"]["installed_since_boot"] is False
    assert facts["reboot_required"] is None
    assert [e["source"] for e in facts["read_errors"]] == ["spl:" + status]


def test_unreadable_file_in_a_readable_directory(tree):
    alc = os.path.join(tree, "sophos-spl", ALC)
    os.chmod(alc, 0o600 if os.geteuid() == 0 else 0o000)
    facts = assess(read_unprivileged(tree), DEFAULT_OPTIONS)
    assert facts["reboot_required"] is None
    [error] = facts["read_errors"]
    assert error["source"] == "spl:" + ALC and "Permission denied" in error["error"] and "become" in error["hint"]


def test_reports_directory_that_cannot_be_listed(tree):
    reports = os.path.join(tree, "sophos-spl", "base/update/var/updatescheduler")
    os.chmod(os.path.join(tree, "sophos-spl", ALC), 0o644)
    os.chmod(reports, 0o711 if os.geteuid() == 0 else 0o300)
    facts = assess(read_unprivileged(tree), DEFAULT_OPTIONS)
    sources = [e["source"] for e in facts["read_errors"]]
    assert sources == ["spl:base/update/var/updatescheduler"]
    # The ALC flag is read and says yes: a known strong reason wins over an unknown one.
    assert facts["reboot_required"] is True and facts["unknown_sources"] == []


def test_everything_readable_is_false_only_then(tree):
    os.remove(os.path.join(tree, "sophos-spl", ALC))
    facts = assess(read_unprivileged(tree), DEFAULT_OPTIONS)
    assert facts["read_errors"] == [] and facts["reboot_required"] is False
    assert facts["sophos"]["reboot_required"] is False


def test_install_dir_0711_as_spl_makes_it_is_read_through(tree):
    """SPL's own mode for its install dir: not listable by others, but every readable file is read."""
    os.chmod(os.path.join(tree, "sophos-spl"), 0o711)
    facts = assess(read_unprivileged(tree), DEFAULT_OPTIONS)
    assert facts["read_errors"] == [] and facts["reboot_required"] is True  # the ALC fixture says yes
