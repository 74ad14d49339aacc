"""``make demo``: the maintenance playbook on three lab hosts, one of which needs two restarts.

The lab instance is FLEETOPS_LAB (default ``demo``), its hosts <instance>-1, -2, -3: the first has a
Sophos restart pending with a second update queued behind it (it installs after the first restart,
about DEMO_DELAY seconds after boot, and needs its own restart); the second has an OS restart pending;
the third is clean. The settle time is shortened to DEMO_SETTLE_MINUTES (Sophos advises 20). The lab
stays up afterwards when DEMO_KEEP=1 (``tests/lab/lab down`` with the same FLEETOPS_LAB stops it).
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".venv", "bin")
LAB = os.path.join(ROOT, "tests", "lab", "lab")
REPORT_DIR = os.path.join(ROOT, "tests", "output", "demo-report")
SCENARIOS = ("queued-update", "os-reboot-required", "clean")


def lab_instance(environ):
    """The lab instance the demo runs on: FLEETOPS_LAB when set, else ``demo``."""
    return environ.get("FLEETOPS_LAB") or "demo"


def scenarios(instance):
    """Each demo host of ``instance`` (``<instance>-N``, as ``tests/lab/lab`` names them) and its scenario."""
    return dict(("%s-%d" % (instance, number), scenario) for number, scenario in enumerate(SCENARIOS, 1))


def show_report():
    with open(os.path.join(REPORT_DIR, "sophos-report.md"), encoding="utf-8") as handle:
        print(handle.read(), flush=True)


def main():
    if os.geteuid() != 0:
        sys.exit("make demo starts lab hosts (systemd-nspawn) and needs root")
    instance = lab_instance(os.environ)
    hosts = scenarios(instance)
    env = dict(os.environ, FLEETOPS_LAB=instance,
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".venv", "collections"))
    delay = os.environ.get("DEMO_DELAY", "20")
    settle = os.environ.get("DEMO_SETTLE_MINUTES", "1.5")

    def step(title, argv, **kwargs):
        print("\n### %s\n$ %s" % (title, " ".join(argv)), flush=True)
        return subprocess.run(argv, env=env, cwd=ROOT, check=True, **kwargs)

    inventory = step("Start three lab hosts", [LAB, "up", str(len(hosts))],
                     stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
    try:
        for host, scenario in hosts.items():
            argv = [LAB, "sophos", host, scenario]
            if scenario.startswith("queued"):
                argv += ["--delay", delay]
            step("%s: %s" % (host, scenario), argv)
        step("Before: what each host waits for (fleetops.sophos.facts changes nothing)",
             [os.path.join(BIN, "ansible-playbook"), "-i", inventory, "fleetops.sophos.facts",
              "-e", json.dumps({"report_dir": REPORT_DIR})], stdout=subprocess.DEVNULL)
        show_report()
        extra = {"maintenance_hosts": "all", "reboot_cycle_settle_minutes": float(settle),
                 "reboot_cycle_poll_seconds": 5, "report_dir": REPORT_DIR}
        step("Maintenance: patch, restart, settle, restart again while queued, verify, report",
             [os.path.join(BIN, "ansible-playbook"), "-i", inventory, "fleetops.sophos.maintenance",
              "-e", json.dumps(extra)])
        print("\n### After (%s)\n" % REPORT_DIR)
        show_report()
        print("\n### Lab status: boots per host since the lab started", flush=True)
        subprocess.run([LAB, "status"], env=env, check=True)
    finally:
        if os.environ.get("DEMO_KEEP") != "1":
            subprocess.run([LAB, "down"], env=env, check=False)


if __name__ == "__main__":
    main()
