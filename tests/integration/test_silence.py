"""reboot_cycle_silence against a real Alertmanager (Debian's prometheus-alertmanager, started here on
loopback with its own configuration, storage and a free port) during fleetops.sophos.maintenance runs on
lab hosts: the restarted host is silenced while it restarts and the silence is expired after; a run killed
while the host settles leaves a silence that ends by itself within its lease.

Everything waits for events (Alertmanager's /-/ready, a progress line of the cycle, a state Alertmanager
reports), each wait bounded; nothing asserts on time.
"""
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from conftest import REPO, VENV_BIN

pytestmark = pytest.mark.lab

PLAYBOOK = os.path.join(REPO, "playbooks", "maintenance.yml")
BINARY = "/usr/bin/prometheus-alertmanager"
SECRET = "am-bearer-Kq58"  # Alertmanager ignores it; it must appear nowhere
CONFIG = """route:
  receiver: nobody
receivers:
  - name: nobody
"""


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Alertmanager:
    def __init__(self, url):
        self.url = url

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as answer:
            return json.loads(answer.read() or b"null")

    def silences(self, host):
        """This collection's silences whose matchers name HOST."""
        escaped = re.escape(host)
        return [silence for silence in self.get("/api/v2/silences") if silence["createdBy"] == "fleetops.sophos"
                and any(m["value"] == escaped + "(:.*)?" for m in silence["matchers"])]

    def silence(self, silence_id):
        return self.get("/api/v2/silence/" + urllib.parse.quote(silence_id))


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory, lab):
    assert os.path.exists(BINARY), "%s is missing: make setup installs Debian's prometheus-alertmanager" % BINARY
    home = tmp_path_factory.mktemp("alertmanager")
    (home / "alertmanager.yml").write_text(CONFIG)
    url = "http://127.0.0.1:%d" % _free_port()
    log = open(home / "log", "w")
    process = subprocess.Popen([BINARY, "--config.file=%s" % (home / "alertmanager.yml"),
                                "--storage.path=%s" % (home / "data"),
                                "--web.listen-address=" + url[len("http://"):], "--cluster.listen-address="],
                               stdout=log, stderr=subprocess.STDOUT)

    def ready():
        if process.poll() is not None:
            raise AssertionError("alertmanager exited (%s): %s" % (process.returncode, (home / "log").read_text()))
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=5) as answer:
                return answer.status == 200
        except OSError:
            return False
    try:
        lab.wait_for("alertmanager ready at " + url, ready)
        yield Alertmanager(url)
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def _variables(lab, tmp_path, hosts, alertmanager, lease):
    return {"maintenance_hosts": ":".join(hosts), "maintenance_serial": 2, "patch_enabled": False,
            "reboot_cycle_settle_minutes": lab.settle_minutes, "reboot_cycle_poll_seconds": 2,
            "reboot_cycle_reboot_timeout": lab.reboot_timeout, "report_dir": str(tmp_path / "report"),
            "reboot_cycle_silence": {"url": alertmanager.url, "lease_minutes": lease, "timeout": 5}}


def _children(pid):
    """The processes whose parent is PID (ansible's workers: each a session of its own, see the killed-run test)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _kill(pids):
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _active(alertmanager, host):
    silences = alertmanager.silences(host)
    return [silence for silence in silences if silence["status"]["state"] == "active"]


def test_the_restarted_host_is_silenced_while_it_restarts_and_the_silence_expired_after(
        lab, tmp_path, alertmanager):
    restarted, clean = lab.hosts[0], lab.hosts[1]
    lab.sophos(restarted, "os-reboot-required")
    lab.sophos(clean, "clean")
    boot = lab.boot_id(restarted)
    seen = {}

    def silenced(_line):
        # The cycle said it silenced the host: before the restart, the silence is there and active.
        seen["before"] = _active(alertmanager, restarted)
        seen["boot_before"] = lab.boot_id(restarted)

    def settling(_line):
        # The host restarted and answers again: the silence is still active, its end within a lease of now.
        seen["after"] = _active(alertmanager, restarted)
        seen["now"] = datetime.datetime.now(datetime.timezone.utc)

    variables = _variables(lab, tmp_path, [restarted, clean], alertmanager, 30)
    variables["reboot_cycle_silence"]["auth"] = {"token": SECRET}
    res, fired = lab.watch_playbook(PLAYBOOK, "-vvv", "-e", json.dumps(variables), on_line=[
        (r"^%s: reboot_cycle silenced in Alertmanager: silence " % re.escape(restarted), silenced),
        (r"^%s: reboot_cycle settle after restart 1 " % re.escape(restarted), settling)])
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert len(fired) == 2, res.stdout[-4000:]
    assert lab.boot_id(restarted) != boot and seen["boot_before"] == boot
    [before] = seen["before"]
    [after] = seen["after"]
    assert before["id"] == after["id"] and before["comment"].startswith("fleetops.sophos.reboot_cycle: %s " % restarted)
    ends = datetime.datetime.strptime(after["endsAt"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    assert ends <= seen["now"] + datetime.timedelta(minutes=30)
    # Expired when the cycle ended; the host without a restart was never silenced.
    assert alertmanager.silence(before["id"])["status"]["state"] == "expired"
    assert alertmanager.silences(clean) == []
    report = json.loads((tmp_path / "report" / "sophos-report.json").read_text())
    rows = dict((row["host"], row) for row in report["hosts"])
    silence = rows[restarted]["maintenance"]["silence"]
    assert (silence["status"], silence["id"], silence["warning"]) == ("expired", before["id"], None)
    assert rows[clean]["maintenance"]["silence"] is None
    # The token reached no output and no report file.
    assert SECRET not in res.stdout + res.stderr
    for path in (tmp_path / "report").rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path


@pytest.mark.parametrize("what", ["group", "run"])
def test_a_killed_run_leaves_a_silence_that_ends_by_itself_within_its_lease(lab, tmp_path, alertmanager, what):
    """``group``: ansible-playbook's process group is killed; its workers, each a session of its own (ansible
    calls setsid), live on, orphaned - the silence must not be extended by them. ``run``: the whole run dies
    at once (workers too), as when the controller's container is killed."""
    host = lab.hosts[0]
    lab.sophos(host, "os-reboot-required")
    lab.hold_update(host, "start")  # the settle after the restart waits for Sophos' update: held
    lease = 1  # the option's documented minimum
    variables = _variables(lab, tmp_path, [host], alertmanager, lease)
    env = dict(lab._ansible_env(), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([os.path.join(VENV_BIN, "ansible-playbook"), "-i", lab.inventory, PLAYBOOK,
                                "-e", json.dumps(variables)], env=env, cwd=REPO, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    killed_at, output, workers = None, [], []
    try:
        deadline = time.monotonic() + 4 * lab.wait
        for line in process.stdout:
            output.append(line)
            if re.match(r"^%s: reboot_cycle settle after restart 1 " % re.escape(host), line):
                workers = _children(process.pid)
                _kill([process.pid] + (workers if what == "run" else []))  # the run dies while the host settles
                killed_at = datetime.datetime.now(datetime.timezone.utc)
                break
            assert time.monotonic() < deadline, "no settle line within the bound:\n" + "".join(output[-50:])
        assert killed_at is not None, "".join(output[-80:])
        [silence] = _active(alertmanager, host)
        ends = datetime.datetime.strptime(silence["endsAt"][:19], "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=datetime.timezone.utc)
        assert ends <= killed_at + datetime.timedelta(minutes=lease)
        # Nobody expires or extends it (an orphaned worker still settles the held host): Alertmanager reports
        # it expired once its lease is over, its end untouched.
        lab.wait_for("silence %s expired by itself" % silence["id"],
                     lambda: alertmanager.silence(silence["id"])["status"]["state"] == "expired",
                     timeout=lease * 60 + lab.wait, interval=2)
        assert alertmanager.silence(silence["id"])["endsAt"] == silence["endsAt"]
    finally:
        _kill([process.pid] + workers)
        process.wait()
        lab.hold_update(host, "")
        lab.sophos(host, "clean")
