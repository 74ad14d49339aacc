"""Session fixture ``lab``: real, rebootable lab hosts from ``tests/lab/lab``.

Environment: FLEETOPS_LAB (instance, default ``fleetops``), FLEETOPS_LAB_HOSTS (default 4),
FLEETOPS_LAB_KEEP=1 keeps the hosts after the session (the next session reuses them),
FLEETOPS_ANSIBLE_BIN (directory of the ``ansible`` / ``ansible-playbook`` to test, default the
project venv's; ``make test`` points it at an older ansible-core for the compatibility stage).

The tests wait for events (a boot id, a file the simulator writes, a progress line of the cycle),
never for a fixed time. Each wait is bounded, generously, so that a loaded machine only makes a run
slower; the bounds can be raised for a machine slower still (tests/lab/README.md, "Under load"):
FLEETOPS_LAB_WAIT (s, default 300) bounds every wait for an event; FLEETOPS_LAB_SETTLE_MINUTES
(default 5) is the poll-mode settle interval of the cycle tests (it ends on Sophos' evidence, so
it costs nothing when the evidence comes); FLEETOPS_LAB_REBOOT_TIMEOUT (s, default 180) is their
restart timeout (a test with a host that never comes back waits it out once).
"""
import json
import os
import re
import shlex
import signal
import subprocess
import threading
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB_CMD = os.path.join(REPO, "tests", "lab", "lab")
VENV_BIN = os.environ.get("FLEETOPS_ANSIBLE_BIN") or os.path.join(REPO, ".venv", "bin")
SIM = "/opt/fleetops-sim/sophos_sim.py"
SIM_HOLD = "/var/lib/fleetops-sim/hold"  # the simulator's test hook (tests/lab/README.md)


def _env_number(name, default):
    text = os.environ.get(name) or ""
    try:
        return float(text) if text else float(default)
    except ValueError:
        raise ValueError("%s must be a number, got %r" % (name, text)) from None


def pytest_configure(config):
    config.addinivalue_line("markers", "lab: needs the lab (root, systemd-nspawn); brings hosts up")
    config.addinivalue_line("markers", "long: takes many minutes of the host's own clock; make test runs these "
                                       "beside the others, in a lab instance of their own")


class Lab:
    lab_cmd = LAB_CMD
    wait = _env_number("FLEETOPS_LAB_WAIT", 300)
    settle_minutes = _env_number("FLEETOPS_LAB_SETTLE_MINUTES", 5)
    reboot_timeout = int(_env_number("FLEETOPS_LAB_REBOOT_TIMEOUT", 180))

    def __init__(self, name, count, families=None):
        self.name = name
        self.count = count
        self.families = families  # `lab up --family` spec, e.g. "debian,el,suse"; None: Debian (or as recorded)
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
        res = self.cmd("up", self.count if count is None else count,
                       *(["--family", self.families] if self.families else []))
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

    def rpm_version(self, host, package):
        """Version(s) of PACKAGE in HOST's rpm database, as `rpm -q` says (an install-only package may have
        several, space-separated), or None when it is not installed."""
        res = self.ssh(host, "rpm -q --qf '%%{VERSION} ' %s" % shlex.quote(package))
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

    # ---- waiting for events

    def wait_for(self, what, check, timeout=None, interval=0.3):
        """CHECK()'s first true value, polled; fails naming WHAT after the bound (FLEETOPS_LAB_WAIT)."""
        bound = self.wait if timeout is None else timeout
        deadline = time.monotonic() + bound
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("%s: not seen within %d s (FLEETOPS_LAB_WAIT raises the bound)"
                                     % (what, bound))
            time.sleep(interval)

    def sim_state(self, host):
        """The simulator's own state (``sophos_sim.py show``) and the host's current boot id."""
        res = self.ssh(host, "python3 %s show && cat /proc/sys/kernel/random/boot_id" % SIM)
        assert res.returncode == 0, "cannot read the simulator state on %s: %s" % (host, res.stderr)
        text, _sep, boot = res.stdout.strip().rpartition("\n")
        return dict(json.loads(text), current_boot_id=boot.strip())

    def wait_sim_boot(self, host):
        """Wait until the simulator has handled the host's current boot (what a restart clears is cleared)."""
        def handled():
            state = self.sim_state(host)
            return state if state["boot_id"] == state["current_boot_id"] else None
        return self.wait_for("the simulator on %s handling the new boot" % host, handled)

    def hold_update(self, host, stages):
        """Hold the post-boot update at STAGES ("start", "finish"; "" releases it): the simulator's hook."""
        if stages:
            cmd = "printf '%%s\\n' %s > %s.tmp && mv %s.tmp %s" % (shlex.quote(stages), SIM_HOLD, SIM_HOLD, SIM_HOLD)
        else:
            cmd = "rm -f " + SIM_HOLD
        res = self.ssh(host, cmd)
        assert res.returncode == 0, "cannot set the update hold on %s: %s" % (host, res.stderr)

    def watch_playbook(self, *args, on_line=(), timeout=None, interrupt_on=None, interrupt_again_on=None):
        """Run ansible-playbook, calling ACTION(line) once for the first stdout line matching each
        (PATTERN, ACTION) of ON_LINE as it is printed: a fault made on an event of the run, not
        after a delay. INTERRUPT_ON: a pattern whose first line sends ansible-playbook SIGINT, as
        Ctrl-C does (INTERRUPT_AGAIN_ON: a second one; should ansible-playbook still be there a minute after
        it, Ctrl-C again, as an operator would: CPython drops a SIGINT that arrives while a Python handler is
        being replaced by the default action). Once ansible-playbook has ended, its output is what it printed
        (a worker it left behind may hold the pipe). Returns the CompletedProcess and the patterns that fired.
        Bounded by TIMEOUT (default 4 x FLEETOPS_LAB_WAIT): the run is killed and the test fails saying so."""
        env = dict(self._ansible_env(), PYTHONUNBUFFERED="1")  # each line reaches us as printed
        proc = subprocess.Popen([os.path.join(VENV_BIN, "ansible-playbook"), "-i", self.inventory]
                                + [str(a) for a in args], env=env, text=True, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        bound = 4 * self.wait if timeout is None else timeout
        killed = []

        def kill():
            killed.append(True)
            proc.kill()

        timer = threading.Timer(bound, kill)
        timer.start()
        err = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
        reader.start()
        presses = []

        def press_until_gone():
            while proc.poll() is None:
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    presses.append(True)
                    proc.send_signal(signal.SIGINT)

        def interrupt(again):
            proc.send_signal(signal.SIGINT)
            if again:
                threading.Thread(target=press_until_gone, daemon=True).start()

        on_line = list(on_line) + [(pattern, lambda _line, again=again: interrupt(again))
                                   for pattern, again in ((interrupt_on, False), (interrupt_again_on, True)) if pattern]
        out, fired, pending = [], [], [(re.compile(p), a) for p, a in on_line]

        def pump():
            for line in proc.stdout:
                out.append(line)
                for item in list(pending):
                    if item[0].search(line):
                        pending.remove(item)
                        fired.append(item[0].pattern)
                        item[1](line)

        pumper = threading.Thread(target=pump, daemon=True)
        pumper.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            pumper.join(timeout=60)
            reader.join(timeout=60)
        stdout = "".join(out)
        assert not killed, "ansible-playbook still running after %d s, killed:\n%s" % (bound, stdout[-4000:])
        return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, "".join(err)), fired

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
