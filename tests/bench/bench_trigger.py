"""Benchmark of reboot_cycle_trigger_update on a lab host. Prints figures; never asserts.

  FLEETOPS_LAB=<name>lab .venv/bin/python tests/bench/bench_trigger.py [--delay 120] [--poll-seconds 2]

A queued-update host (two restarts) whose simulated Sophos waits ``--delay`` s after each boot before
its post-boot update (Sophos' ~5 minutes, scaled down) runs the reboot_cycle role twice in one run:
without the trigger (the baseline: each settle waits for Sophos' own update) and with it (each restart
starts sophos-spl-update.service at once). The floor is what the host needs with the trigger: the two
restarts (the restart module's own time, from the record) + two update durations (the simulator's
UPDATE_SECONDS, read from the simulator module). Goal with the trigger: within the floor plus 10 s per
restart (readings and the poll interval), i.e. no trace of the delay.
"""
import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "lab", "sophos"))
import bench_cycle  # noqa: E402  (its queued-update playbook run)
from conftest import Lab  # noqa: E402  (the lab helper of the integration suite)
from sophos_sim import UPDATE_SECONDS  # noqa: E402  (how long one simulated update runs)

GOAL_PER_RESTART = 10.0


def run(lab, host, args, workdir, trigger):
    wall, records = bench_cycle.run(lab, [host], args, workdir, extra={"reboot_cycle_trigger_update": trigger})
    return wall, records[host]


def describe(label, wall, record, floor):
    restarts = record["restarts"]
    goal = floor + GOAL_PER_RESTART * restarts
    whole = record["duration_seconds"]
    print("  %-16s cycle %6.1f s  ratio %.2f to the floor  (goal <= %.1f s: %s)  playbook %6.1f s"
          % (label, whole, whole / floor, goal, "met" if whole <= goal else "missed", wall))
    for number, (boot, settle) in enumerate(zip(record["boots"][1:], record["settles"]), start=1):
        print("    restart %d: %4.1f s, settle ended %-15s %5.1f s after boot; trigger: %s"
              % (number, boot.get("restart_seconds") or 0, settle["ended"], settle["seconds"],
                 boot.get("update_trigger", "off")))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=120.0, help="simulator post-boot delay (s)")
    parser.add_argument("--settle-minutes", type=float, default=5.0)
    parser.add_argument("--poll-seconds", type=float, default=2.0)
    args = parser.parse_args()
    lab = Lab(os.environ.get("FLEETOPS_LAB") or "triggerbench", 1)
    lab.up()
    host = lab.hosts[0]
    workdir = tempfile.mkdtemp(prefix="bench-trigger-")
    try:
        wall_off, off = run(lab, host, args, workdir, trigger=False)
        wall_on, on = run(lab, host, args, workdir, trigger=True)
    finally:
        lab.down()
    restarts_on = sum(b.get("restart_seconds") or 0 for b in on["boots"])
    restarts_off = sum(b.get("restart_seconds") or 0 for b in off["boots"])
    floor = restarts_on + 2 * UPDATE_SECONDS
    floor_off = restarts_off + 2 * (args.delay + UPDATE_SECONDS)
    print("queued-update, post-boot delay %.0f s, update %.1f s (simulator), settle %.1f min poll, read every %.0f s"
          % (args.delay, UPDATE_SECONDS, args.settle_minutes, args.poll_seconds))
    print("  floor with the trigger (2 restarts %.1f s + 2 updates %.1f s)       %6.1f s"
          % (restarts_on, 2 * UPDATE_SECONDS, floor))
    print("  floor without it (2 restarts %.1f s + 2 x (delay + update))       %6.1f s" % (restarts_off, floor_off))
    describe("without trigger", wall_off, off, floor)
    describe("with trigger", wall_on, on, floor)
    print("  ratio without / with trigger  %.2f  (saved %.1f s)"
          % (off["duration_seconds"] / on["duration_seconds"], off["duration_seconds"] - on["duration_seconds"]))


if __name__ == "__main__":
    main()
