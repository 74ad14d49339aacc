"""Benchmark of the reboot cycle on lab hosts (queued-update scenario). Prints figures; never asserts.

  FLEETOPS_LAB=cyclebench .venv/bin/python tests/bench/bench_cycle.py [--delay 20] [--settle-minutes 1]

Floor = what the host itself needs: two restarts (the restart module's own time, as measured in the
run) + Sophos' post-boot update after each boot (the simulated delay + update time, twice: after the
first restart it installs the queued update, after the second it is the data-only update that every
start-up runs; the poll settle ends on the evidence of that update, so it cannot end sooner). The
cycle's overhead is everything above it: fact readings, poll granularity, Ansible task overhead.
The older floor, with one post-boot update only, is printed beside it for comparison with earlier
runs (it ignores a wait the host really has). Then 4 hosts against 1 host in one run.
"""
import argparse
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "lab", "sophos"))
from conftest import Lab  # noqa: E402  (the lab helper of the integration suite)
from sophos_sim import UPDATE_SECONDS  # noqa: E402  (the simulator's update duration)

PLAYBOOK = """
- name: Benchmark run
  hosts: "{{ target }}"
  gather_facts: false
  roles:
    - role: fleetops.sophos.reboot_cycle
  post_tasks:
    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ sophos_reboot_cycle | to_json }}"
        dest: "{{ out }}/{{ inventory_hostname }}.json"
        mode: "0600"
      delegate_to: localhost
      changed_when: false
"""


def run(lab, hosts, args, workdir, extra=None):
    """One playbook run of the role on HOSTS (queued-update); EXTRA: more role variables."""
    for host in hosts:
        lab.sophos(host, "queued-update", delay=args.delay)
    out = tempfile.mkdtemp(dir=workdir)
    playbook = os.path.join(workdir, "bench.yml")
    with open(playbook, "w") as handle:
        handle.write(PLAYBOOK)
    variables = {"target": ":".join(hosts), "out": out, "reboot_cycle_settle_minutes": args.settle_minutes,
                 "reboot_cycle_poll_seconds": args.poll_seconds, "reboot_cycle_reboot_timeout": 120}
    variables.update(extra or {})
    started = time.monotonic()
    lab.playbook(playbook, "-e", json.dumps(variables), "--forks", str(max(5, len(hosts))))
    wall = time.monotonic() - started
    records = {}
    for host in hosts:
        with open(os.path.join(out, host + ".json")) as handle:
            records[host] = json.load(handle)
    return wall, records


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=20.0, help="simulator post-boot delay (s)")
    parser.add_argument("--settle-minutes", type=float, default=1.0)
    parser.add_argument("--poll-seconds", type=float, default=2.0)
    args = parser.parse_args()
    lab = Lab(os.environ.get("FLEETOPS_LAB") or "cyclebench", 4)
    lab.up()
    workdir = tempfile.mkdtemp(prefix="bench-cycle-")
    try:
        wall1, rec1 = run(lab, lab.hosts[:1], args, workdir)
        wall4, rec4 = run(lab, lab.hosts, args, workdir)
    finally:
        lab.down()
    r = rec1[lab.hosts[0]]
    restarts = sum(b.get("restart_seconds", 0) for b in r["boots"])
    settle1, settle2 = r["settles"][0], r["settles"][1]
    update = args.delay + UPDATE_SECONDS  # one post-boot update, from boot to its end
    floor = restarts + 2 * update
    old_floor = restarts + update
    # The part of the cycle the old floor describes: up to the end of the first settle + the 2nd restart.
    cycle_to_second_boot = r["duration_seconds"] - settle2["seconds"]
    whole = r["duration_seconds"]
    print("queued-update, delay %.0f s, settle %.1f min, poll %.0f s" % (args.delay, args.settle_minutes,
                                                                         args.poll_seconds))
    print("  restarts (module time)   %6.1f s  (%d restarts)" % (restarts, r["restarts"]))
    print("  first settle             %6.1f s after boot, ended %s  (update ends at %.1f s)"
          % (settle1["seconds"], settle1["ended"], update))
    print("  second settle            %6.1f s after boot, ended %s  (update ends at %.1f s)"
          % (settle2["seconds"], settle2["ended"], update))
    print("  floor (2 restarts + post-boot update after each boot)   %6.1f s" % floor)
    print("  old floor (2 restarts + one post-boot update)           %6.1f s" % old_floor)
    print("  cycle up to the second settle            %6.1f s   ratio %.2f to the old floor"
          % (cycle_to_second_boot, cycle_to_second_boot / old_floor))
    print("  whole cycle (record)                     %6.1f s   ratio %.2f to the floor, %.2f to the old floor"
          % (whole, whole / floor, whole / old_floor))
    print("  whole playbook, 1 host                   %6.1f s" % wall1)
    print("  whole playbook, 4 hosts                  %6.1f s   ratio 4/1 %.2f" % (wall4, wall4 / wall1))
    print("  per-host cycle durations, 4 hosts: %s" % ", ".join(
        "%.1f" % rec["duration_seconds"] for rec in rec4.values()))
    print("  restarts per host, 4 hosts: %s" % ", ".join(str(rec["restarts"]) for rec in rec4.values()))


if __name__ == "__main__":
    main()
