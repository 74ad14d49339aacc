"""Session fixture ``lab``: real, rebootable lab hosts from ``tests/lab/lab``.

Environment: FLEETOPS_LAB (instance, default ``fleetops``), FLEETOPS_LAB_HOSTS (default 4),
FLEETOPS_LAB_KEEP=1 keeps the hosts after the session (the next session reuses them),
FLEETOPS_ANSIBLE_BIN (directory of the ``ansible`` / ``ansible-playbook`` to test, default the
project venv's; ``make test`` points it at an older ansible-core for the compatibility stage).
"""
import os
import shlex
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB_CMD = os.path.join(REPO, "tests", "lab", "lab")
VENV_BIN = os.environ.get("FLEETOPS_ANSIBLE_BIN") or os.path.join(REPO, ".venv", "bin")


def pytest_configure(config):
    config.addinivalue_line("markers", "lab: needs the lab (root, systemd-nspawn); brings hosts up")
    config.addinivalue_line("markers", "long: takes many minutes of the host's own clock; make test runs these "
                                       "beside the others, in a lab instance of their own")


class Lab:
    lab_cmd = LAB_CMD

    def __init__(self, name, count):
        self.name = name
        self.count = count
        self.env = dict(os.environ, FLEETOPS_LAB=name)
        self.hosts = ["%s-%d" % (name, i) for i in range(1, count + 1)]
        self.inventory = None
        self.repo_dir = None

    def cmd(self, *args, check=True, timeout=600):
        """Run ``tests/lab/lab ARGS`` for this instance."""
        res = subprocess.run([LAB_CMD] + [str(a) for a in args], env=self.env, text=True,
                             capture_output=True, timeout=timeout, check=False)
        if check and res.returncode != 0:
            raise AssertionError("lab %s failed (%d):\n%s%s" % (" ".join(map(str, args)), res.returncode,
                                                                res.stdout, res.stderr))
        return res

    def up(self, count=None):
        res = self.cmd("up", self.count if count is None else count)
        self.inventory = res.stdout.strip().splitlines()[-1]
        self.repo_dir = self.cmd("repo-dir").stdout.strip()
        return self.inventory

    def down(self):
        return self.cmd("down")

    def status(self):
        """{host: {"address", "state", "boots"}} from ``lab status``."""
        result = {}
        for line in self.cmd("status").stdout.splitlines():
            name, address, state, boots = line.split()
            result[name] = {"address": address, "state": state, "boots": int(boots.split("=")[1])}
        return result

    def sophos(self, host, scenario, delay=None):
        args = ["sophos", host, scenario] + ([] if delay is None else ["--delay", delay])
        return self.cmd(*args)

    def ssh(self, host, cmd, timeout=60):
        """Run the shell command CMD on HOST as root; CompletedProcess with text output."""
        return self.cmd("ssh", host, cmd, check=False, timeout=timeout)

    def read(self, host, path):
        res = self.ssh(host, "cat " + shlex.quote(path))
        assert res.returncode == 0, "cannot read %s on %s: %s" % (path, host, res.stderr)
        return res.stdout

    def publish_deb(self, package, version, workdir):
        """Build PACKAGE VERSION (one file) into the lab's apt repository and index it."""
        root = os.path.join(str(workdir), "%s-%s" % (package, version))
        os.makedirs(os.path.join(root, "DEBIAN"), exist_ok=True)
        os.makedirs(os.path.join(root, "usr/share/%s" % package), exist_ok=True)
        with open(os.path.join(root, "DEBIAN/control"), "w") as f:
            f.write("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: fleetops <lab@invalid>\n"
                    "Description: fleetops lab test package\n" % (package, version))
        with open(os.path.join(root, "usr/share/%s/VERSION" % package), "w") as f:
            f.write(version + "\n")
        subprocess.run(["dpkg-deb", "--root-owner-group", "-b", root,
                        os.path.join(self.repo_dir, "%s_%s_all.deb" % (package, version))],
                       check=True, capture_output=True)
        self.cmd("repo-index")

    def unpublish_debs(self, package):
        for name in os.listdir(self.repo_dir):
            if name.startswith(package + "_"):
                os.unlink(os.path.join(self.repo_dir, name))
        self.cmd("repo-index")

    def installed_version(self, host, package):
        res = self.ssh(host, "dpkg-query -W -f '${Version}' %s" % shlex.quote(package))
        return res.stdout.strip() if res.returncode == 0 else None

    def boot_id(self, host):
        return self.read(host, "/proc/sys/kernel/random/boot_id").strip()

    def last_boot(self, host):
        """Epoch seconds of the host's own boot: PID 1 start time (the kernel's btime is shared)."""
        res = self.ssh(host, "python3 -c 'import os;"
                             "s=open(\"/proc/1/stat\").read().rsplit(\")\",1)[1].split();"
                             "b=[l for l in open(\"/proc/stat\") if l.startswith(\"btime\")][0].split()[1];"
                             "print(int(b)+int(s[19])/os.sysconf(\"SC_CLK_TCK\"))'")
        assert res.returncode == 0, res.stderr
        return float(res.stdout)

    def boot_count(self, host):
        return self.status()[host]["boots"]

    def _ansible_env(self):
        return dict(self.env, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".venv", "collections"),
                    ANSIBLE_HOST_KEY_CHECKING="True", ANSIBLE_RETRY_FILES_ENABLED="False",
                    PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""))

    def _run_ansible(self, program, args, check):
        res = subprocess.run([os.path.join(VENV_BIN, program), "-i", self.inventory] + [str(a) for a in args],
                             env=self._ansible_env(), text=True, capture_output=True, cwd=REPO, check=False)
        if check and res.returncode != 0:
            raise AssertionError("%s %s failed (%d):\n%s%s" % (program, " ".join(map(str, args)),
                                                               res.returncode, res.stdout, res.stderr))
        return res

    def ansible(self, *args, check=True):
        return self._run_ansible("ansible", args, check)

    def playbook(self, *args, check=True):
        return self._run_ansible("ansible-playbook", args, check)


@pytest.fixture(scope="session")
def lab():
    if os.geteuid() != 0:
        pytest.skip("the lab needs root (network namespaces, mounts, cgroups)")
    name = os.environ.get("FLEETOPS_LAB") or "fleetops"
    count = int(os.environ.get("FLEETOPS_LAB_HOSTS") or 4)
    instance = Lab(name, count)
    instance.up()
    try:
        yield instance
    finally:
        if os.environ.get("FLEETOPS_LAB_KEEP") != "1":
            instance.down()
