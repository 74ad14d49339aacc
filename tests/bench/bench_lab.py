"""Lab benchmark: `lab up 4` from the cached image, and one `ansible.builtin.reboot` (median of 10).

Prints figures only; never asserts on time. Targets from issue 3: up 4 warm < 15 s, restart < 6 s.
Uses its own instance (FLEETOPS_LAB, default `fleetops-bench`) and removes it at the end.
Baseline printed beside the restart: a plain `ansible -m ping` round trip on the same host, so the
ratio shows what the restart costs over Ansible's own overhead.
"""
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB_CMD = os.path.join(REPO, "tests", "lab", "lab")
BIN = os.path.join(REPO, ".venv", "bin")
ROUNDS = 10


def timed(cmd, env):
    start = time.monotonic()
    res = subprocess.run(cmd, env=env, text=True, capture_output=True, check=False)
    elapsed = time.monotonic() - start
    if res.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), res.stdout, res.stderr))
    return elapsed, res.stdout


def main():
    if os.geteuid() != 0:
        sys.exit("the lab needs root")
    name = os.environ.get("FLEETOPS_LAB") or "fleetops-bench"
    env = dict(os.environ, FLEETOPS_LAB=name, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".venv", "collections"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    try:
        subprocess.run([LAB_CMD, "down"], env=env, check=True, capture_output=True)
        cold_hint = timed([LAB_CMD, "up", "1"], env)[0]  # builds the image only if it is not cached
        subprocess.run([LAB_CMD, "down"], env=env, check=True, capture_output=True)
        up4, out = timed([LAB_CMD, "up", "4"], env)
        inventory = out.strip().splitlines()[-1]
        again = timed([LAB_CMD, "up", "4"], env)[0]
        host = "%s-1" % name
        ansible = [os.path.join(BIN, "ansible"), "-i", inventory, host]
        pings = [timed(ansible + ["-m", "ansible.builtin.ping"], env)[0] for _round in range(ROUNDS)]
        reboots = [timed(ansible + ["-m", "ansible.builtin.reboot"], env)[0] for _round in range(ROUNDS)]
    finally:
        subprocess.run([LAB_CMD, "down"], env=env, capture_output=True, check=False)
    ping, reboot = statistics.median(pings), statistics.median(reboots)
    print("lab benchmark (instance %s)" % name)
    print("  up 1 (image cached unless first run): %6.2f s" % cold_hint)
    print("  up 4 from cached image (warm):        %6.2f s   (target < 15 s)" % up4)
    print("  up 4 again (idempotent, no change):   %6.2f s" % again)
    print("  ansible ping, median of %d:           %6.2f s   (baseline)" % (ROUNDS, ping))
    print("  ansible.builtin.reboot, median of %d: %6.2f s   (target < 6 s; %.1fx ping; min %.2f, max %.2f)"
          % (ROUNDS, reboot, reboot / ping, min(reboots), max(reboots)))


if __name__ == "__main__":
    main()
