"""Wall time of ``ansible all -m fleetops.sophos.reboot_facts`` on lab hosts, side by side with
``ansible.builtin.ping`` (one round trip, the floor) and a naive playbook that reads the same sources
with separate stat/slurp/command tasks. Prints medians and ratios; asserts nothing.

Usage: FLEETOPS_LAB=<instance> .venv/bin/python tests/bench/bench_reboot_facts.py [--runs N] [--hosts N]
(brings the instance up with N hosts unless it is running; leaves it as it found it).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(REPO, "tests", "lab", "lab")
BIN = os.path.join(REPO, ".venv", "bin")

# The same sources reboot_facts reads on an SPL host, one task each, as a playbook written without it would.
NAIVE = """
- hosts: all
  gather_facts: false
  tasks:
    - {name: PID 1 stat, ansible.builtin.slurp: {src: /proc/1/stat}}
    - {name: btime, ansible.builtin.command: {argv: [grep, btime, /proc/stat]}, changed_when: false}
    - {name: boot id, ansible.builtin.slurp: {src: /proc/sys/kernel/random/boot_id}}
    - {name: SPL dir, ansible.builtin.stat: {path: /opt/sophos-spl}}
    - {name: VERSION.ini, ansible.builtin.slurp: {src: /opt/sophos-spl/base/VERSION.ini}}
    - {name: ALC status, ansible.builtin.slurp: {src: /opt/sophos-spl/base/mcs/status/ALC_status.xml}}
    - {name: SHS status, ansible.builtin.slurp: {src: /opt/sophos-spl/base/mcs/status/SHS_status.xml}}
    - {name: EP health, ansible.builtin.slurp: {src: /opt/sophos-spl/base/mcs/internal_policy/internal_EPHEALTH.json}}
    - {name: state machine, ansible.builtin.slurp: {src: /opt/sophos-spl/base/update/var/updatescheduler/state_machine_raw_data.json}}
    - name: update reports
      ansible.builtin.find: {paths: /opt/sophos-spl/base/update/var/updatescheduler, patterns: "update_report*.json"}
    - {name: updating, ansible.builtin.stat: {path: /opt/sophos-spl/var/lock-sophosspl/suldownloader.pid}}
    - {name: upgrading, ansible.builtin.stat: {path: /opt/sophos-spl/var/sophosspl/upgrade_marker_file}}
    - name: service
      ansible.builtin.command: {argv: [systemctl, show, --property=LoadState,ActiveState, sophos-spl.service]}
      changed_when: false
    - {name: legacy SAV, ansible.builtin.stat: {path: /opt/sophos-av}}
    - {name: reboot-required, ansible.builtin.stat: {path: /run/reboot-required}}
    - {name: needs-restarting, ansible.builtin.stat: {path: /usr/bin/needs-restarting}}
"""


def timed(argv, env):
    start = time.monotonic()
    res = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=REPO, check=False)
    elapsed = time.monotonic() - start
    if res.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(argv), res.stdout[-2000:], res.stderr[-2000:]))
    return elapsed


def hosts_up(status_text):
    """Hosts that `lab status` lists as up (its lines: HOST ADDRESS up|down boots=N)."""
    fields = [line.split() for line in status_text.splitlines()]
    return set(f[0] for f in fields if len(f) >= 3 and f[2] == "up")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--hosts", type=int, default=4)
    args = parser.parse_args()
    env = dict(os.environ, FLEETOPS_LAB=os.environ.get("FLEETOPS_LAB") or "fleetops")
    status = subprocess.run([LAB, "status"], env=env, capture_output=True, text=True, check=False)
    wanted = ["%s-%d" % (env["FLEETOPS_LAB"], i) for i in range(1, args.hosts + 1)]
    started = not set(wanted) <= hosts_up(status.stdout)
    if started:
        subprocess.run([LAB, "up", str(args.hosts)], env=env, check=True, capture_output=True)
    try:
        inventory = subprocess.run([LAB, "inventory"], env=env, check=True, capture_output=True,
                                   text=True).stdout.strip().splitlines()[-1]
        hosts = wanted
        for host in hosts:
            subprocess.run([LAB, "sophos", host, "clean"], env=env, check=True, capture_output=True)
        aenv = dict(env, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".venv", "collections"),
                    ANSIBLE_HOST_KEY_CHECKING="True", ANSIBLE_FORKS=str(max(5, len(hosts))))
        limit = ",".join(hosts)
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as naive:
            naive.write(NAIVE)
            naive.flush()
            cases = [
                ("ping", [os.path.join(BIN, "ansible"), "-i", inventory, limit, "-m", "ansible.builtin.ping"]),
                ("reboot_facts", [os.path.join(BIN, "ansible"), "-i", inventory, limit, "-m",
                                  "fleetops.sophos.reboot_facts"]),
                ("naive playbook", [os.path.join(BIN, "ansible-playbook"), "-i", inventory, "-l", limit,
                                    naive.name]),
            ]
            times = dict((case[0], []) for case in cases)
            for case in cases:  # warm-up: SSH control sockets, Python byte code
                timed(case[1], aenv)
            for _run in range(args.runs):
                for name, argv in cases:  # interleaved, so load changes hit every case alike
                    times[name].append(timed(argv, aenv))
    finally:
        if started:
            subprocess.run([LAB, "down"], env=env, capture_output=True, check=True)
    med = dict((name, statistics.median(values)) for name, values in times.items())
    print("hosts: %d, runs: %d (median wall time, seconds)" % (len(hosts), args.runs))
    for name, value in med.items():
        print("  %-16s %6.2f   (min %.2f, max %.2f)" % (name, value, min(times[name]), max(times[name])))
    print("reboot_facts / ping:           %.2fx  (target <= 1.5x)" % (med["reboot_facts"] / med["ping"]))
    print("naive playbook / reboot_facts: %.2fx  (target >= 3x)" % (med["naive playbook"] / med["reboot_facts"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
