"""Sophos Protection for Linux (SPL) simulator for fleetops lab hosts.

Keeps the on-disk state of SPL under /opt/sophos-spl in the product's real file formats and a
running sophos-spl.service, driven by a named scenario (see tests/lab/README.md):

    sophos_sim.py daemon                    run at every boot by fleetops-sophos-sim.service
    sophos_sim.py set SCENARIO [--delay S]  switch scenario now (files rewritten at once)
    sophos_sim.py show                      print the simulator state as JSON
    sophos_sim.py update-now                run by sophos-spl-update.service: the post-boot update now

Every file is written to a temporary name and renamed, so a reader never sees half a file.
Actions are logged to the journal (syslog identifier "sophos-sim").
"""
import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import syslog
import time

SPL = "/opt/sophos-spl"
STATE_DIR = "/var/lib/fleetops-sim"
STATE = os.path.join(STATE_DIR, "state.json")
UNIT = "/etc/systemd/system/sophos-spl.service"
WANTS = "/etc/systemd/system/multi-user.target.wants/sophos-spl.service"
# SPL's one-shot update unit, installed with SPL where packages put units (so an admin can mask it in
# /etc); the lab copies its text beside the simulator.
UPDATE_UNIT = "/usr/lib/systemd/system/sophos-spl-update.service"
UPDATE_UNIT_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sophos-spl-update.service")
UPDATES_KEPT = 20  # entries of the state's "updates" history (who ran each post-boot update, when)
OS_FLAG = "/run/reboot-required"
SCENARIOS = ("clean", "update-failed", "service-stopped", "reboot-required",
             "queued-update", "queued-twice", "os-reboot-required", "fresh-install", "absent")
QUEUED = {"queued-update": 1, "queued-twice": 2}
# Sophos is down or missing: no update after boot. Every other scenario runs one, as real SPL does
# about 5 minutes after every start-up (then hourly; the hourly updates are not imitated).
NO_UPDATE = ("service-stopped", "absent")
DEFAULT_DELAY = 5.0
PID_FILE = "var/lock-sophosspl/suldownloader.pid"
UPDATE_SECONDS = 2.0  # how long suldownloader.pid exists during a simulated update
# Test hook (tests/lab/README.md, "Holding the post-boot update"): while this file names a stage
# ("start", "finish"), the post-boot update waits there, so a test sees the state before the update
# or while it runs (pid file present) as an event, whatever the machine's speed.
HOLD = os.path.join(STATE_DIR, "hold")
RIGID = "ServerProtectionLinux-Base"
# SPL's installer creates it once (its `machineid` tool writes it only when it is missing) and no update
# rewrites it: its mtime is the first install time.
MACHINE_ID = "base/etc/machine_id.txt"
# A host of any other scenario had Sophos long before its current boot.
INSTALLED_DAYS_BEFORE_BOOT = 30
SERVICES = ("Sophos MCS Client", "Sophos Linux AntiVirus")

UNIT_TEXT = """[Unit]
Description=Sophos Linux Protection (fleetops lab simulator)
After=network.target

[Service]
ExecStart=/opt/sophos-spl/base/bin/sophos_watchdog
Restart=always
KillMode=mixed

[Install]
WantedBy=multi-user.target
"""
WATCHDOG = "#!/bin/sh\n# Stands in for the SPL watchdog: a process that stays up.\nexec sleep infinity\n"
WDCTL = """#!/bin/sh
# wdctl isrunning <plugin>: 0 running, 1 not running, 2 error (as the real tool).
[ "$1" = isrunning ] && [ -n "$2" ] || { echo "usage: wdctl isrunning PLUGIN" >&2; exit 2; }
systemctl -q is-active sophos-spl.service || exit 1
[ -e /opt/sophos-spl/var/fleetops-sim-stopped ] && exit 1
exit 0
"""


def log(msg):
    syslog.syslog(syslog.LOG_INFO, msg)


def write_atomic(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def boot_id():
    with open("/proc/sys/kernel/random/boot_id") as f:
        return f.read().strip()


def boot_time():
    """Epoch of this host's boot: PID 1's start time (the kernel's btime is the machine's)."""
    with open("/proc/1/stat") as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/stat") as f:
        btime = next(int(line.split()[1]) for line in f if line.startswith("btime"))
    return btime + ticks / os.sysconf("SC_CLK_TCK")


def systemctl(*args):
    subprocess.run(("systemctl",) + args, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def version(index):
    return "1.2.%d.%d" % (40 + index, 100 + index)


def report_time(epoch):
    """SPL report time format, in the host's local time."""
    return time.strftime("%Y%m%d %H%M%S", time.localtime(epoch))


def newest_report_start(folder):
    """Start time (epoch) of the newest update report in FOLDER, or None."""
    starts = []
    for name in os.listdir(folder) if os.path.isdir(folder) else ():
        match = re.match(r"update_report(\d{8} \d{6})\.json$", name)
        if match:
            starts.append(time.mktime(time.strptime(match.group(1), "%Y%m%d %H%M%S")))
    return max(starts) if starts else None


def iso_utc(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))


class Sim:
    def __init__(self):
        os.makedirs(STATE_DIR, exist_ok=True)
        self.lock_fd = os.open(os.path.join(STATE_DIR, "lock"), os.O_CREAT | os.O_RDWR, 0o600)

    def __enter__(self):
        fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        try:
            with open(STATE) as f:
                self.st = json.load(f)
        except FileNotFoundError:
            self.st = {"scenario": "clean", "delay": DEFAULT_DELAY, "reboot_required": False,
                       "queued": 0, "update_due_boot": None, "boot_id": boot_id(),
                       "version_index": 0, "installed": False, "last_good": None,
                       "failed_since": None, "last_error": None}
        self.st.setdefault("running", None)
        self.st.setdefault("updates", [])
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            write_atomic(STATE, json.dumps(self.st, indent=1, sort_keys=True) + "\n")
        fcntl.flock(self.lock_fd, fcntl.LOCK_UN)

    # ---- transitions
    def set(self, scenario, delay):
        st = self.st
        log("scenario %s -> %s" % (st["scenario"], scenario))
        st.update(scenario=scenario, delay=DEFAULT_DELAY if delay is None else delay,
                  reboot_required=scenario in ("reboot-required",) + tuple(QUEUED),
                  queued=QUEUED.get(scenario, 0), update_due_boot=None, boot_id=boot_id())
        if scenario == "os-reboot-required":
            write_atomic(OS_FLAG, "*** System restart required ***\n")
            write_atomic(OS_FLAG + ".pkgs", "libc6\nlinux-image-amd64\n")
            log("created %s and %s.pkgs" % (OS_FLAG, OS_FLAG))
        else:
            for path in (OS_FLAG, OS_FLAG + ".pkgs"):
                remove(path)
        if scenario == "absent":
            self.uninstall()
            return
        if scenario == "fresh-install":
            # A first install now, after this boot: what was there before goes, as on a new server.
            if st["installed"]:
                self.uninstall()
            st.update(version_index=0, last_good=None)
            self.install(fresh=True)
        if not st["installed"]:
            self.install()
        now = time.time()
        if scenario == "update-failed" and not st["failed_since"]:
            st["failed_since"] = now
            self.fail_update(now - 3, now)
        elif scenario != "update-failed" and st["failed_since"]:
            st["failed_since"] = st["last_error"] = None
            self.finish_update(now - 3, now)
        self.render()

    def boot(self):
        """First start in a new boot: what a restart clears, and the post-boot update falling due."""
        st = self.st
        current = boot_id()
        if st["boot_id"] == current:
            return
        st["boot_id"] = current
        log("new boot %s (scenario %s)" % (current, st["scenario"]))
        if st["reboot_required"]:
            st["reboot_required"] = False
            log("restart done: rebootState/required cleared")
        cleared = ("reboot-required", "os-reboot-required", "fresh-install") + tuple(QUEUED)
        if st["queued"] == 0 and st["scenario"] in cleared:
            st["scenario"] = "clean"
        if st["scenario"] not in NO_UPDATE:
            st["update_due_boot"] = current
            log("post-boot update will run %.1f s after boot%s" % (
                st["delay"], " and install a queued update" if st["queued"] else ""))

    def update_can_start(self):
        """The post-boot update of this boot is due and nobody runs it yet."""
        current = boot_id()
        return self.st["update_due_boot"] == current and self.st["running"] != current

    def start_update(self, by):
        """Write the pid file; the update itself runs without the lock so readers see it running.

        BY: "delay" (the daemon, --delay s after boot) or "unit" (sophos-spl-update.service)."""
        write_atomic(os.path.join(SPL, PID_FILE), "%d\n" % os.getpid())
        started = time.time()
        self.st["running"] = boot_id()
        self.st["updates"] = (self.st["updates"] + [{"boot_id": boot_id(), "by": by, "started": started}])[-UPDATES_KEPT:]
        log("update started by %s (suldownloader.pid written)"
            % ("sophos-spl-update.service" if by == "unit" else "the post-boot delay"))
        return started

    def finish_post_boot_update(self, started):
        """The update's outcome: a queued version installed (restart wanted again), a failed install
        again (update-failed: a restart does not repair it), or a data-only update (nothing new)."""
        st = self.st
        if st["update_due_boot"] == boot_id():  # `set` may have cancelled it meanwhile
            now = time.time()
            if st["scenario"] == "update-failed":
                self.fail_update(started, now)
                log("post-boot update failed again: INSTALLFAILED")
            elif st["queued"] > 0:
                st["version_index"] += 1
                self.finish_update(started, now, "UPGRADED")
                st["queued"] -= 1
                st["reboot_required"] = True
                log("update to %s finished: SUCCESS, restart required again (%d more queued)"
                    % (version(st["version_index"]), st["queued"]))
            else:
                self.finish_update(started, now, supplement_only=True)
                log("post-boot update finished: SUCCESS, data only, %s up to date"
                    % version(st["version_index"]))
            st["update_due_boot"] = None
            self.render()
        st["running"] = None
        if st["updates"] and st["updates"][-1]["boot_id"] == boot_id():
            st["updates"][-1]["finished"] = time.time()
        # Last, so a reader that sees no pid file also sees every file of the finished update.
        remove(os.path.join(SPL, PID_FILE))

    # ---- files
    def install(self, fresh=False):
        """Install SPL. Fresh: now, after this boot; else as on a server that has had it for a while."""
        st = self.st
        log("installing SPL %s%s" % (version(st["version_index"]), " (first install, now)" if fresh else ""))
        self.write_machine_id(fresh)
        write_atomic(os.path.join(SPL, "base/bin/sophos_watchdog"), WATCHDOG, 0o755)
        write_atomic(os.path.join(SPL, "bin/wdctl"), WDCTL, 0o755)
        write_atomic(os.path.join(SPL, "base/etc/sophosspl/mcs.config"),
                     "MCSID=fleetops-lab-%s\ndevice_id=%s\ntenant_id=fleetops-lab\n"
                     % (self.machine_id(), self.machine_id()), 0o600)
        for rel in ("var/lock-sophosspl", "var/sophosspl"):
            os.makedirs(os.path.join(SPL, rel), exist_ok=True)
        st["installed"] = True
        now = time.time()
        self.finish_update(now - 3, now)
        write_atomic(UNIT, UNIT_TEXT)
        if not os.path.lexists(WANTS):
            os.symlink(UNIT, WANTS)
        self.install_update_unit()
        systemctl("daemon-reload")

    def install_update_unit(self):
        """SPL's update unit, with SPL. Returns True when it was (re)written."""
        with open(UPDATE_UNIT_SOURCE) as f:
            text = f.read()
        try:
            with open(UPDATE_UNIT) as f:
                if f.read() == text:
                    return False
        except FileNotFoundError:
            pass
        write_atomic(UPDATE_UNIT, text)
        log("installed %s" % UPDATE_UNIT)
        return True

    def write_machine_id(self, fresh):
        path = os.path.join(SPL, MACHINE_ID)
        if os.path.exists(path):
            return
        digest = hashlib.md5(self.machine_id().encode()).hexdigest()  # SPL's is an MD5 of the MAC addresses
        write_atomic(path, digest + "\n", 0o644)
        if not fresh:
            then = boot_time() - INSTALLED_DAYS_BEFORE_BOOT * 86400
            os.utime(path, (then, then))
        log("wrote %s (mtime %s)" % (MACHINE_ID, iso_utc(os.path.getmtime(path))))

    def uninstall(self):
        log("removing SPL (scenario absent)")
        systemctl("stop", "sophos-spl.service")
        for path in (WANTS, UNIT, UPDATE_UNIT, SPL):
            remove(path)
        systemctl("daemon-reload")
        self.st.update(installed=False, failed_since=None, last_error=None)

    def finish_update(self, started, finished, product_status="UPTODATE", supplement_only=False):
        self.st["last_good"] = finished
        self.report(started, finished, "SUCCESS", version(self.st["version_index"]), product_status,
                    supplement_only)

    def fail_update(self, started, finished):
        """The downloaded next version fails to install (download good, install bad)."""
        self.st["last_error"] = finished
        self.report(started, finished, "INSTALLFAILED", version(self.st["version_index"] + 1),
                    "INSTALLFAILED")

    def report(self, started, finished, status, product_version, product_status, supplement_only=False):
        failed = status != "SUCCESS"
        # Reports are named after their start second, and readers take the newest name as the last
        # update: a scenario switch (its report backdated 3 s) right after a post-boot update must
        # neither replace that update's report nor sort before it.
        folder = os.path.join(SPL, "base/update/var/updatescheduler")
        newest = newest_report_start(folder)
        if newest is not None and started < newest + 1:
            started = newest + 1
        finished = max(finished, started)
        data = {
            "startTime": report_time(started), "finishTime": report_time(finished), "status": status,
            "sulError": "", "errorDescription": "Update failed" if failed else "", "urlSource": "Sophos",
            "supplementOnlyUpdate": supplement_only,
            "products": [{"rigidName": RIGID, "productName": "%s#%s" % (RIGID, product_version),
                          "downloadVersion": product_version,
                          "productStatus": product_status,
                          "errorDescription": "Product %s failed to install" % RIGID if failed else ""}],
            "warehouseComponents": [{"rigidName": RIGID, "productName": RIGID,
                                     "installedVersion": version(self.st["version_index"]),
                                     "warehouseVersion": product_version}],
        }
        name = "update_report%s.json" % report_time(started)
        write_atomic(os.path.join(folder, name), json.dumps(data, indent=1))
        log("wrote %s (status %s)" % (name, status))

    def machine_id(self):
        with open("/etc/machine-id") as f:
            return f.read().strip()

    def render(self):
        """Rewrite every status file from the state (idempotent)."""
        st = self.st
        if not st["installed"]:
            return
        self.write_machine_id(fresh=False)  # a host installed by an older simulator gets one too
        installed = version(st["version_index"])
        failed = bool(st["failed_since"])
        downloaded = version(st["version_index"] + 1) if failed else installed
        stopped = st["scenario"] == "service-stopped"
        write_atomic(os.path.join(SPL, "base/VERSION.ini"),
                     "PRODUCT_NAME = SPL-Base-Component\nPRODUCT_VERSION = %s\nBUILD_DATE = 2024-03-11\n"
                     % installed)
        failed_tag = "<failedSince>%s</failedSince>" % iso_utc(st["failed_since"]) if failed else ""
        alc = (
            '<?xml version="1.0" encoding="utf-8" ?>\n'
            '<status xmlns="com.sophos\\mansys\\status" type="sau">\n'
            '  <CompRes xmlns="com.sophos\\msys\\csc" Res="Same" RevID="fleetops-lab" policyType="1" />\n'
            '  <autoUpdate xmlns="http://www.sophos.com/xml/mansys/AutoUpdateStatus.xsd" version="%s">\n'
            '    <endpoint id="%s" />\n'
            '    <rebootState><required>%s</required></rebootState>\n'
            '    <downloadState><state>good</state></downloadState>\n'
            '    <installState><state>%s</state><lastGood>%s</lastGood>%s</installState>\n'
            '  </autoUpdate>\n'
            '  <subscriptions><subscription rigidName="%s" version="%s" displayVersion="%s" /></subscriptions>\n'
            '  <products><product rigidName="%s" productName="Sophos Server Protection Linux - Base" '
            'downloadedVersion="%s" installedVersion="%s" /></products>\n'
            '  <Features></Features>\n'
            '</status>\n' % (
                installed, self.machine_id(), "yes" if st["reboot_required"] else "no",
                "bad" if failed else "good", iso_utc(st["last_good"]), failed_tag,
                RIGID, downloaded, downloaded, RIGID, downloaded, installed))
        write_atomic(os.path.join(SPL, "base/mcs/status/ALC_status.xml"), alc)
        service = 3 if stopped else 1
        details = "".join('<detail name="%s" value="%d" />' % (name, 1 if stopped and n == 1 else 0)
                          for n, name in enumerate(SERVICES))
        shs = ('<?xml version="1.0" encoding="utf-8" ?><health version="3.0.0" activeHeartbeat="false" '
               'activeHeartbeatUtmId=""><item name="health" value="%d" /><item name="admin" value="1" />'
               '<item name="service" value="%d" >%s</item><item name="threatService" value="1" >'
               '<detail name="Sophos MCS Client" value="0" /></item><item name="threat" value="1" />'
               '</health>' % (service, service, details))
        write_atomic(os.path.join(SPL, "base/mcs/status/SHS_status.xml"), shs)
        write_atomic(os.path.join(SPL, "base/mcs/internal_policy/internal_EPHEALTH.json"),
                     json.dumps({"health": service, "service": service, "threatService": 1, "threat": 1}))
        last_good = str(int(st["last_good"]))
        failed_since = str(int(st["failed_since"])) if failed else "0"
        last_error = str(int(st.get("last_error") or st["failed_since"])) if failed else "0"
        write_atomic(os.path.join(SPL, "base/update/var/updatescheduler/state_machine_raw_data.json"),
                     json.dumps({"DownloadFailedSinceTime": "0", "DownloadState": "0",
                                 "EventStateLastErrorTime": last_error,
                                 "EventStateLastTime": last_good,
                                 "InstallFailedSinceTime": failed_since,
                                 "InstallState": "1" if failed else "0",
                                 "LastGoodInstallTime": last_good}))
        marker = os.path.join(SPL, "var/fleetops-sim-stopped")
        if stopped:
            write_atomic(marker, "")
            systemctl("stop", "--no-block", "sophos-spl.service")
        else:
            remove(marker)
            systemctl("start", "--no-block", "sophos-spl.service")


def wait_while_held(stage):
    """Wait while HOLD names STAGE (a test hook; without the file nothing waits)."""
    held = False
    while True:
        try:
            with open(HOLD) as f:
                stages = f.read().split()
        except OSError:
            stages = []
        if stage not in stages:
            break
        if not held:
            log("post-boot update held at %s (%s)" % (stage, HOLD))
            held = True
        time.sleep(0.1)
    if held:
        log("post-boot update released at %s" % stage)


def run_post_boot_update(sim, started):
    """The post-boot update once it has started (by its delay or by the unit): its duration, then done."""
    time.sleep(UPDATE_SECONDS)
    wait_while_held("finish")
    with sim:
        sim.finish_post_boot_update(started)


def update_now(sim):
    """sophos-spl-update.service: run this boot's post-boot update now instead of after its delay.

    One already running (started by the delay or by an earlier start) is waited for, not run again;
    with none due in this boot (it ran already, or Sophos is down) nothing happens."""
    with sim:
        sim.boot()
        current = boot_id()
        joined = sim.st["running"] == current
        started = sim.start_update("unit") if sim.update_can_start() else None
    if started:
        run_post_boot_update(sim, started)
        return 0
    if not joined:
        log("update-now: no post-boot update due in this boot: nothing to do")
        return 0
    log("update-now: an update is running already: waiting for it")
    deadline = time.time() + 10 * UPDATE_SECONDS + 30
    while time.time() < deadline:
        time.sleep(0.2)
        with sim:
            if sim.st["running"] != current:
                return 0
    log("update-now: the running update did not finish in time")
    return 1


def main(argv):
    parser = argparse.ArgumentParser(prog="sophos_sim.py")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("daemon")
    p = sub.add_parser("set")
    p.add_argument("scenario", choices=SCENARIOS)
    p.add_argument("--delay", type=float, default=None)
    sub.add_parser("show")
    sub.add_parser("update-now")
    args = parser.parse_args(argv)
    syslog.openlog("sophos-sim")
    sim = Sim()
    if args.command == "set":
        if args.delay is not None and not 0 <= args.delay <= 3600:
            parser.error("--delay must be between 0 and 3600 seconds")
        with sim:
            sim.set(args.scenario, args.delay)
            print(json.dumps(sim.st, sort_keys=True))
    elif args.command == "show":
        with sim:
            print(json.dumps(sim.st, sort_keys=True))
    elif args.command == "update-now":
        return update_now(sim)
    else:
        with sim:
            sim.boot()
            if sim.st["scenario"] != "absent" and not sim.st["installed"]:
                sim.install()
            if sim.st["installed"] and sim.install_update_unit():
                systemctl("daemon-reload")
            sim.render()
            due, delay = sim.st["update_due_boot"], sim.st["delay"]
        if due:
            # Counted from the boot, not from this start: a simulator restarted within the boot
            # (changed by `lab up`) does not push the update back.
            time.sleep(max(0.0, boot_time() + delay - time.time()))
            wait_while_held("start")
            with sim:
                # `set` may have changed the scenario meanwhile (it clears update_due_boot), and
                # sophos-spl-update.service may have run the update already or be running it.
                started = sim.start_update("delay") if sim.update_can_start() else None
            if started:
                run_post_boot_update(sim, started)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
