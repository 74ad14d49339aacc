"""The Linux probe's real reading code against a directory tree built by the test, and on a tree it may not read
(run as an unprivileged user)."""
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


@pytest.fixture
def host(tmp_path):
    """A fake host: /proc with btime and PID 1 started 3600 s after it, an SPL tree, a /run dir."""
    proc = tmp_path / "proc"
    put(str(proc / "stat"), "cpu  1 2 3\nbtime 1764000000\nprocesses 42\n")
    ticks = os.sysconf("SC_CLK_TCK")
    fields = ["S"] + ["0"] * 18 + [str(3600 * ticks)] + ["0"] * 30
    put(str(proc / "1" / "stat"), "1 (systemd (init) x) " + " ".join(fields) + "\n")
    put(str(proc / "sys/kernel/random/boot_id"), "3c1e9e5e-1111-2222-3333-444455556666\n")
    spl = tmp_path / "sophos-spl"
    put(str(spl / "base/VERSION.ini"), fixture("spl", "VERSION.ini"))
    put(str(spl / "base/mcs/status/ALC_status.xml"), fixture("spl", "ALC_status.good.xml"))
    put(str(spl / "base/mcs/status/SHS_status.xml"), fixture("spl", "SHS_status.good.xml"))
    put(str(spl / "base/update/var/updatescheduler/update_report20261126 101500.json"),
        fixture("spl", "update_report.SUCCESS.json"))
    put(str(spl / "var/lock-sophosspl/suldownloader.pid"), "1234\n")
    put(str(spl / "base/etc/machine_id.txt"), "ab" * 16 + "\n", mtime=1763000000)  # before the boot
    (tmp_path / "run").mkdir()
    return tmp_path


class Tools(object):
    """Records every command run; answers from a table."""

    def __init__(self, paths, answers):
        self.paths, self.answers, self.calls = paths, answers, []

    def which(self, name):
        return self.paths.get(name)

    def run(self, argv):
        self.calls.append(argv)
        return self.answers[os.path.basename(argv[0])]


def read(host, tools, **options):
    opts = dict(DEFAULT_OPTIONS, sophos_dir=str(host / "sophos-spl"))
    opts.update(options)
    return reboot_facts.read_host(opts, tools.run, tools.which, proc=str(host / "proc"), run_dirs=(str(host / "run"),))


def test_reads_spl_tree_boot_time_and_reports(host):
    tools = Tools({"systemctl": "/usr/bin/systemctl"},
                  {"systemctl": (0, "LoadState=loaded\nActiveState=active\nSubState=running\n", "")})
    raw = read(host, tools)
    assert raw["last_boot"] == "2025-11-24T17:00:00Z"  # btime + 3600 s of PID 1 start
    assert raw["boot_id"] == "3c1e9e5e-1111-2222-3333-444455556666"
    assert sorted(raw["spl"]["files"]) == ["base/VERSION.ini", "base/mcs/status/ALC_status.xml",
                                           "base/mcs/status/SHS_status.xml"]
    assert list(raw["spl"]["reports"]) == ["update_report20261126 101500.json"]
    expected = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.mktime(time.strptime("20261126 101500", "%Y%m%d %H%M%S"))))
    assert raw["local_times"] == {"20261126 101500": expected}
    assert raw["spl"]["markers"]["var/lock-sophosspl/suldownloader.pid"] is True
    assert tools.calls == [["/usr/bin/systemctl", "show", "--property=LoadState,ActiveState,SubState",
                            "sophos-spl.service"]]
    facts = assess(raw, DEFAULT_OPTIONS)
    assert facts["sophos"]["version"] == "1.2.3.45" and facts["sophos"]["updating"] is True
    assert facts["sophos"]["health"]["services"]["sophos-spl.service"] == "running"
    assert facts["read_errors"] == []


def test_no_tools_no_commands_and_absent_sophos(host):
    shutil.rmtree(str(host / "sophos-spl"))
    tools = Tools({}, {})
    raw = read(host, tools)
    assert raw["spl"] is None and tools.calls == []
    assert assess(raw)["sophos"]["installed"] is False


def test_reboot_required_file_and_os_tools(host):
    put(str(host / "run" / "reboot-required"), "*** System restart required ***\n", mtime=1764100000)
    put(str(host / "run" / "reboot-required.pkgs"), "libc6\n")
    tools = Tools({"needs-restarting": "/usr/bin/needs-restarting", "zypper": "/usr/bin/zypper",
                   "rpm": "/usr/bin/rpm", "needrestart": "/usr/sbin/needrestart"},
                  {"needs-restarting": (1, fixture("os", "needs-restarting.reboot.txt"), ""),
                   "zypper": (0, fixture("os", "zypper-needs-rebooting.clean.txt"), ""),
                   "needrestart": (0, fixture("os", "needrestart-b.kernel.txt"), "")})
    raw = read(host, tools, sophos_dir=str(host / "missing"), needrestart=True)
    assert raw["os"]["reboot_required_file"] == {"mtime": "2025-11-25T19:46:40Z", "pkgs": "libc6\n"}
    assert [c[1:] for c in tools.calls] == [["-r"], ["--non-interactive", "needs-rebooting"], ["-b"]]
    facts = assess(raw, dict(DEFAULT_OPTIONS, needrestart=True))
    assert [r["id"] for r in facts["reasons"]] == ["reboot_required_file", "needs_restarting", "needrestart_kernel",
                                                   "needrestart_microcode"]
    assert facts["pending_since"] == "2025-11-25T19:46:40Z"


def test_rpm_fallback_only_without_tools(host):
    tools = Tools({"rpm": "/usr/bin/rpm"}, {"rpm": (3, fixture("os", "rpm-core.txt"), "")})
    raw = read(host, tools, sophos_dir=str(host / "missing"))
    assert tools.calls[0][:3] == ["/usr/bin/rpm", "-q", "--qf"] and "microcode_ctl" in tools.calls[0]
    assert raw["os"]["rpm_core"]["rc"] == 3


def test_dnf5_when_needs_restarting_missing(host):
    tools = Tools({"dnf5": "/usr/bin/dnf5"}, {"dnf5": (1, fixture("os", "dnf5-needs-restarting.reboot.txt"), "")})
    raw = read(host, tools)
    assert tools.calls[-1] == ["/usr/bin/dnf5", "needs-restarting"]
    assert [r["id"] for r in assess(raw)["reasons"]] == ["dnf5_needs_restarting"]


def test_unreadable_sources_become_errors(host):
    os.remove(str(host / "proc" / "1" / "stat"))
    os.remove(str(host / "sophos-spl/base/mcs/status/ALC_status.xml"))
    os.makedirs(str(host / "sophos-spl/base/mcs/status/ALC_status.xml"))  # a directory cannot be read as a file

    def broken(argv):
        raise OSError("[Errno 8] Exec format error")
    tools = Tools({"needs-restarting": "/usr/bin/needs-restarting"}, {})
    tools.run = broken
    raw = read(host, tools)
    facts = assess(raw)
    sources = [e["source"] for e in facts["read_errors"]]
    assert sources == ["os:last_boot", "spl:base/mcs/status/ALC_status.xml", "os:needs-restarting -r"]
    assert facts["os"]["last_boot"] is None


def test_large_file_is_refused(host):
    put(str(host / "sophos-spl/base/VERSION.ini"), "x" * (reboot_facts.MAX_BYTES + 1))
    raw = read(host, Tools({}, {}))
    assert raw["spl"]["files"]["base/VERSION.ini"] == {"error": "larger than 1048576 bytes"}


def test_report_pruned_while_reading_is_left_out(host, monkeypatch):
    """Sophos prunes reports while it updates: one listed but gone by the time it is read."""
    reports = host / "sophos-spl" / "base" / "update" / "var" / "updatescheduler"
    real_getmtime = os.path.getmtime

    def vanishing(path):
        if os.path.basename(path).startswith("update_report"):
            os.remove(path)
        return real_getmtime(path)

    monkeypatch.setattr(reboot_facts.os.path, "getmtime", vanishing)
    raw = read(host, Tools({}, {}))
    monkeypatch.undo()
    assert raw["spl"]["reports"] == {} and not os.listdir(str(reports))
    assert assess(raw, DEFAULT_OPTIONS)["sophos"]["installed"] is True


# ---------------------------------------------------------------- the Linux reader on a tree it may not read:
# unknown, never absent (run as an unprivileged user)

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
