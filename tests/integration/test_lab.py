"""The lab itself: real restarts, the Sophos simulator's on-disk state, power-off, clean teardown."""
import hashlib
import json
import os
import re
import shlex
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.lab

SPL = "/opt/sophos-spl"
ALC = SPL + "/base/mcs/status/ALC_status.xml"
SHS = SPL + "/base/mcs/status/SHS_status.xml"
EPHEALTH = SPL + "/base/mcs/internal_policy/internal_EPHEALTH.json"
REPORTS = SPL + "/base/update/var/updatescheduler"
RAW = REPORTS + "/state_machine_raw_data.json"
PID_FILE = SPL + "/var/lock-sophosspl/suldownloader.pid"
NS = {"s": "com.sophos\\mansys\\status", "au": "http://www.sophos.com/xml/mansys/AutoUpdateStatus.xsd"}


def pick(lab, index):
    """A host per test where there are enough (FLEETOPS_LAB_HOSTS may be smaller than 4)."""
    return lab.hosts[index % len(lab.hosts)]


def reboot(lab, host):
    lab.ansible(host, "-m", "ansible.builtin.reboot")


# Runs on the host: every file the simulator keeps, plus service and flag state, as one JSON document
# (one SSH round trip, so a short-lived state such as the update pid file is not missed).
DUMP = """
import glob, json, os, subprocess
def read(p):
    try:
        return open(p).read()
    except OSError:
        return None
spl = %r
# The simulator's state first: it waits for a running update, so the files read next are not older.
out = {"sim": json.loads(subprocess.run(["python3", "/opt/fleetops-sim/sophos_sim.py", "show"],
                                        capture_output=True, text=True, check=False).stdout),
       "boot_id": read("/proc/sys/kernel/random/boot_id").strip()}
out["files"] = {p: read(p) for p in glob.glob(spl + "/**", recursive=True) if os.path.isfile(p)}
out["service"] = subprocess.run(["systemctl", "is-active", "sophos-spl.service"],
                                capture_output=True, text=True, check=False).stdout.strip()
out["os_flag"] = os.path.exists("/run/reboot-required") and os.path.exists("/run/reboot-required.pkgs")
print(json.dumps(out))
""" % SPL


def spl_state(lab, host):
    """Everything the simulator keeps on disk, parsed; None when SPL is absent."""
    res = lab.ssh(host, "python3 -c " + shlex.quote(DUMP))
    assert res.returncode == 0, res.stderr
    dump = json.loads(res.stdout)
    files = dump["files"]
    if not files:
        return None
    alc = ET.fromstring(files[ALC])
    au = alc.find("au:autoUpdate", NS)
    product = alc.find("s:products/s:product", NS)
    shs = ET.fromstring(files[SHS])
    reports = sorted(os.path.basename(p) for p in files
                     if os.path.dirname(p) == REPORTS and os.path.basename(p).startswith("update_report"))
    return {
        "reboot_required": au.find("au:rebootState/au:required", NS).text,
        "download": au.find("au:downloadState/au:state", NS).text,
        "install": au.find("au:installState/au:state", NS).text,
        "last_good": au.find("au:installState/au:lastGood", NS).text,
        "installed_version": product.get("installedVersion"),
        "downloaded_version": product.get("downloadedVersion"),
        "health": {i.get("name"): int(i.get("value")) for i in shs.findall("item")},
        "ephealth": json.loads(files[EPHEALTH]),
        "raw": json.loads(files[RAW]),
        "reports": reports,
        "last_report": json.loads(files["%s/%s" % (REPORTS, reports[-1])]),
        "version_ini": files[SPL + "/base/VERSION.ini"],
        "service": dump["service"],
        "os_flag": dump["os_flag"],
        "pid_file": PID_FILE in files,
        "settled": dump["sim"]["boot_id"] == dump["boot_id"] and not dump["sim"]["update_due_boot"],
    }


def settled(lab, host):
    """State once the simulator has handled the boot and any post-boot update has finished."""
    def done():
        state = spl_state(lab, host)
        return {"state": state} if state is None or (state["settled"] and not state["pid_file"]) else None
    return lab.wait_for("the simulator on %s settling" % host, done)["state"]


def wait_pid_file(lab, host):
    """The state once the post-boot update runs (its pid file is there); hold it at "finish" first."""
    def running():
        state = spl_state(lab, host)
        return state if state["pid_file"] else None
    return lab.wait_for("the post-boot update running (pid file) on %s" % host, running)


def assert_clean(state):
    assert state["reboot_required"] == "no"
    assert (state["download"], state["install"]) == ("good", "good")
    assert state["health"]["health"] == 1 and state["health"]["service"] == 1
    assert state["ephealth"] == {"health": 1, "service": 1, "threatService": 1, "threat": 1}
    assert state["raw"]["InstallState"] == "0" and state["raw"]["DownloadState"] == "0"
    assert state["last_report"]["status"] == "SUCCESS"
    assert state["installed_version"] == state["downloaded_version"]
    assert "PRODUCT_VERSION = %s" % state["installed_version"] in state["version_ini"]
    assert state["service"] == "active"
    assert not state["os_flag"] and not state["pid_file"]


def test_reboot_changes_boot_id_and_last_boot(lab):
    host = lab.hosts[0]
    before_id, before_boot, before_count = lab.boot_id(host), lab.last_boot(host), lab.boot_count(host)
    asked = time.time()
    reboot(lab, host)
    returned = time.time()
    assert lab.boot_id(host) != before_id
    after_boot = lab.last_boot(host)
    assert after_boot > before_boot
    # The host's own boot, not the machine's: it happened during the restart (the same kernel clock;
    # 2 s for the whole-second btime the boot time is counted from).
    assert asked - 2 <= after_boot <= returned + 2, (asked, after_boot, returned)
    assert lab.boot_count(host) == before_count + 1


def test_inventory_contract(lab):
    text = open(lab.inventory).read()
    assert "[lab]" in text and "[linux:children]" in text
    for host in lab.hosts:
        assert re.search(r"^%s ansible_host=\d+\.\d+\.\d+\.\d+$" % host, text, re.M)
    assert "StrictHostKeyChecking=yes" in text and "ServerAliveInterval=3" in text
    # The sudo user shares the key: become works without a password. The inventory's ansible_user=root
    # wins over -u, so the README's example sets the user as an extra variable: it logs in as fleetops
    # (not root) and becomes root through sudo.
    res = lab.ansible(lab.hosts[0], "-e", "ansible_user=fleetops", "--become", "-m", "ansible.builtin.shell",
                      "-a", "echo $(id -u) $SUDO_USER")
    assert "CHANGED" in res.stdout and "\n0 fleetops" in res.stdout, res.stdout
    readme = open(os.path.join(os.path.dirname(__file__), "..", "lab", "README.md")).read()
    assert "ansible -i $INV lab -e ansible_user=fleetops --become -m command -a id" in readme
    assert "lab -u fleetops" not in readme


def test_up_is_idempotent(lab):
    counts = {h: lab.boot_count(h) for h in lab.hosts}
    assert lab.up() == lab.inventory
    assert {h: lab.boot_count(h) for h in lab.hosts} == counts


@pytest.mark.parametrize("scenario", ["clean", "update-failed", "service-stopped", "reboot-required",
                                      "os-reboot-required", "absent"])
def test_scenario_on_disk(lab, scenario):
    host = pick(lab, 1)
    lab.sophos(host, "clean")
    reports_before = len(spl_state(lab, host)["reports"])
    lab.sophos(host, scenario)
    now = spl_state(lab, host)  # takes effect at once, without a restart
    reboot(lab, host)
    boot = host_time(lab, host, lab.last_boot(host))
    after = settled(lab, host)
    if scenario not in ("service-stopped", "absent"):
        # Sophos' post-boot update ran once, after the boot.
        assert len(after["reports"]) == len(now["reports"]) + 1
        assert after["last_report"]["finishTime"] >= boot
    if scenario == "clean":
        assert_clean(now)
        assert_clean(after)
    elif scenario == "update-failed":
        for state in (now, after):  # a restart does not repair a failed update; it fails again
            assert state["install"] == "bad" and state["raw"]["InstallState"] == "1"
            assert state["last_report"]["status"] == "INSTALLFAILED"
            assert state["last_report"]["products"][0]["productStatus"] == "INSTALLFAILED"
            assert state["downloaded_version"] != state["installed_version"]
        assert len(now["reports"]) == reports_before + 1
        # No evidence of a good update after the boot: lastGood and the raw data stay as they were.
        assert after["last_good"] == now["last_good"] and after["raw"]["LastGoodInstallTime"] == \
            now["raw"]["LastGoodInstallTime"]
        assert int(after["raw"]["EventStateLastErrorTime"]) > int(now["raw"]["EventStateLastErrorTime"])
    elif scenario == "service-stopped":
        assert after["reports"] == now["reports"]  # the service is down: no update
        for state in (now, after):
            assert state["health"]["health"] == 3 and state["health"]["service"] == 3
            assert state["ephealth"]["health"] == 3
            assert state["service"] != "active"
            assert lab.ssh(host, SPL + "/bin/wdctl isrunning av").returncode == 1
    elif scenario == "reboot-required":
        assert now["reboot_required"] == "yes"
        assert_clean(after)
    elif scenario == "os-reboot-required":
        assert now["os_flag"] and now["reboot_required"] == "no"
        assert_clean(after)
    elif scenario == "absent":
        assert now is None and after is None
        assert lab.ssh(host, "systemctl cat sophos-spl.service").returncode != 0
    lab.sophos(host, "clean")
    assert_clean(spl_state(lab, host))


def host_time(lab, host, epoch):
    """EPOCH in the SPL report format, in the host's local time."""
    return lab.ssh(host, "date -d @%d '+%%Y%%m%%d %%H%%M%%S'" % epoch).stdout.strip()


def test_post_boot_update_after_every_restart(lab):
    """As real SPL: an update about `delay` s after every boot, also with nothing pending. The
    simulator's hold keeps the running update (pid file present) until the test has seen it."""
    host = pick(lab, 1)
    lab.sophos(host, "clean", delay=2)
    before = spl_state(lab, host)
    lab.hold_update(host, "finish")
    try:
        reboot(lab, host)
        boot = lab.last_boot(host)
        boot_stamp = host_time(lab, host, boot)
        running = wait_pid_file(lab, host)
        assert running["reports"] == before["reports"]  # running, not finished yet
    finally:
        lab.hold_update(host, "")

    def finished():
        state = spl_state(lab, host)
        return state if state["reports"] != before["reports"] and not state["pid_file"] else None
    state = lab.wait_for("the post-boot update finished on %s" % host, finished)
    assert len(state["reports"]) == len(before["reports"]) + 1
    report = state["last_report"]
    assert report["status"] == "SUCCESS" and report["finishTime"] >= boot_stamp
    assert report["supplementOnlyUpdate"] is True  # data only: no new product version
    assert report["products"][0]["productStatus"] == "UPTODATE"
    assert state["installed_version"] == before["installed_version"]
    assert state["last_good"] > before["last_good"]
    assert float(state["raw"]["LastGoodInstallTime"]) >= int(boot)
    assert_clean(state)  # no restart is required


@pytest.mark.parametrize("scenario,restarts", [("queued-update", 2), ("queued-twice", 3)])
def test_queued_updates_need_extra_restarts(lab, scenario, restarts):
    host = pick(lab, 2)
    lab.sophos(host, "clean")
    lab.sophos(host, scenario)  # default delay: 5 s after boot
    state = spl_state(lab, host)
    assert state["reboot_required"] == "yes"
    done = 0
    try:
        while state["reboot_required"] == "yes":
            assert done < restarts + 2, "still requires a restart after %d restarts" % done
            version, reports = state["installed_version"], state["reports"]
            # The update is held before it starts, then while it runs: each stage is seen as an
            # event, whatever the machine's speed.
            lab.hold_update(host, "start finish")
            reboot(lab, host)
            done += 1
            boot = lab.last_boot(host)
            lab.wait_sim_boot(host)
            # After boot, before the update: nothing pending yet: the trap a settle wait must avoid.
            early = spl_state(lab, host)
            assert early["reboot_required"] == "no" and not early["pid_file"] and early["reports"] == reports
            lab.hold_update(host, "finish")
            wait_pid_file(lab, host)  # every boot runs an update
            lab.hold_update(host, "")
            state = settled(lab, host)
            new = sorted(set(state["reports"]) - set(reports))
            assert len(new) == 1
            assert state["last_report"]["status"] == "SUCCESS"
            assert state["last_report"]["finishTime"] >= host_time(lab, host, boot)
            if state["reboot_required"] == "yes":  # the queued update installed a new version
                assert state["installed_version"] != version
                assert state["last_report"]["products"][0]["productStatus"] == "UPGRADED"
                assert state["last_report"]["supplementOnlyUpdate"] is False
            else:  # the queue is empty: the update after the last restart installs nothing new
                assert state["installed_version"] == version
                assert state["last_report"]["supplementOnlyUpdate"] is True
    finally:
        lab.hold_update(host, "")
    assert done == restarts
    assert_clean(state)


def test_powered_off_host_stays_off_until_up(lab):
    host = pick(lab, 3)
    boots = lab.boot_count(host)
    lab.ssh(host, "systemctl poweroff", timeout=lab.wait)
    lab.wait_for("%s powering off" % host, lambda: lab.status()[host]["state"] == "down", interval=0.2)
    # "down" means its supervisor has exited: nothing is left to boot it again (no boot counted).
    assert not os.path.exists("/var/lib/fleetops-lab/%s/hosts/%s/supervisor.pid" % (lab.name, host))
    assert lab.boot_count(host) == boots and lab.status()[host]["state"] == "down"
    assert lab.ssh(host, "true").returncode != 0
    lab.up()
    status = lab.status()[host]
    assert (status["state"], status["boots"]) == ("up", boots + 1)
    assert lab.ssh(host, "systemctl is-active sophos-spl.service").stdout.strip() == "active"


def test_bad_input_is_rejected(lab):
    host = lab.hosts[0]
    res = lab.cmd("sophos", host, "no-such-scenario", check=False)
    assert res.returncode != 0 and "no-such-scenario" in res.stderr
    res = lab.cmd("sophos", host, "clean", "--delay", "-1", check=False)
    assert res.returncode != 0 and "--delay" in res.stderr
    res = lab.cmd("sophos", "%s-999" % lab.name, "clean", check=False)
    assert res.returncode != 0 and "no host" in res.stderr
    res = subprocess.run([lab.lab_cmd, "status"], env=dict(os.environ, FLEETOPS_LAB="Bad_Name"),
                         capture_output=True, text=True, check=False)
    assert res.returncode != 0 and "invalid FLEETOPS_LAB" in res.stderr


def leftovers(name):
    """Everything an instance can leave on the machine, as a list of descriptions."""
    found = []
    own = re.compile(r"^%s-\d+$" % re.escape(name))
    found += ["netns " + n for n in os.listdir("/run/netns") if own.match(n)] if os.path.isdir("/run/netns") else []
    tag = hashlib.sha256(name.encode()).hexdigest()[:6]
    found += ["link " + n for n in os.listdir("/sys/class/net") if n.startswith("fl%s" % tag)]
    state_dir = "/var/lib/fleetops-lab/" + name
    found += ["mount " + line for line in open("/proc/self/mounts") if state_dir in line]
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open("/proc/%s/cmdline" % pid).read().split("\0")
        except OSError:
            continue
        if any(own.match(a.split("=")[-1]) for a in cmdline) or any(state_dir in a for a in cmdline):
            found.append("process %s %s" % (pid, " ".join(cmdline)))
    for hierarchy in os.listdir("/sys/fs/cgroup"):
        path = os.path.join("/sys/fs/cgroup", hierarchy, "fleetops-lab", name)
        if os.path.exists(path):
            found.append("cgroup " + path)
    if os.path.exists(state_dir):
        found.append("state dir " + state_dir)
    return found


def test_down_leaves_nothing_even_after_a_crash(lab):
    """A second instance: grow, shrink, kill a supervisor mid-restart, then `down`."""
    other = type(lab)("%s-d" % lab.name, 3)
    try:
        other.up()
        assert other.ssh(other.hosts[2], "true").returncode == 0
        other.up(2)
        assert set(other.status()) == set(other.hosts[:2])
        assert any(l.startswith("netns") for l in leftovers(other.name))
        state_dir = "/var/lib/fleetops-lab/" + other.name
        victim = other.hosts[1]
        pid = int(open("%s/hosts/%s/supervisor.pid" % (state_dir, victim)).read())
        os.kill(pid, 9)
        other.ssh(victim, "systemctl reboot", timeout=lab.wait)
        # Its supervisor is gone: whether nspawn has exited 133 yet or not, nobody starts it again
        # (status says down at once) and netns, overlay, cgroups stay for `down` to remove.
        assert other.status()[victim]["state"] == "down"
    finally:
        other.down()
    assert leftovers(other.name) == []
    assert other.cmd("down").returncode == 0  # idempotent


def test_two_instances_up_and_down_side_by_side(lab):
    """Two instances come up, serve SSH and go down at the same time, round after round, and neither
    disturbs the other (the lab stages of make test run instances side by side)."""
    import threading
    rounds = 4
    pairs = [type(lab)("%s-%s" % (lab.name, suffix), 2) for suffix in ("p", "q")]
    failures = []

    def cycle(other):
        try:
            for number in range(1, rounds + 1):
                other.up()
                for host in other.hosts:
                    res = other.ssh(host, "cat /proc/sys/kernel/random/boot_id")
                    if res.returncode != 0:
                        failures.append("%s round %d: %s: %s" % (other.name, number, host, res.stderr))
                other.down()
                if leftovers(other.name):
                    failures.append("%s round %d left %s" % (other.name, number, leftovers(other.name)))
        except AssertionError as exc:  # a failed `lab up`/`down`, with its output
            failures.append("%s: %s" % (other.name, exc))

    threads = [threading.Thread(target=cycle, args=(other,)) for other in pairs]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for other in pairs:
            other.down()
    assert failures == []
    with open("/proc/sys/fs/inotify/max_user_instances") as handle:
        assert int(handle.read()) >= 3200
