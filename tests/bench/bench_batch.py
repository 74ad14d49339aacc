"""Benchmark: one batch of mixed lab hosts against its slowest host run alone. Prints figures; never asserts.

  FLEETOPS_LAB=<name>lab .venv/bin/python tests/bench/bench_batch.py [--hosts 12] [--collections DIR]

A batch of N hosts (default 12) in four states - queued update (two restarts), OS restart (one),
clean (none), failed Sophos update (none) - runs the reboot_cycle role with forks = N, a 1.5-minute
poll settle read every 5 s. Then the slowest state (the queued update) runs alone on one host. The
ratio batch / alone is what a host of the batch pays for sharing it (goal: <= 1.3); the per-host
``duration_seconds`` shows whether a host's record carries its own time or the batch's. Log lines are
counted per host (lines of the run's output that name the host) and per settle reading.

``--collections DIR`` puts DIR first on the collections path, to measure another checkout of the
collection (e.g. ``git archive`` of an older commit unpacked under DIR/ansible_collections/fleetops/sophos)
with the same lab and the same bench.
"""
import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from conftest import REPO, Lab  # noqa: E402  (the lab helper of the integration suite)

STATES = ("queued-update", "os-reboot-required", "clean", "update-failed")

PLAYBOOK = """
- name: Benchmark batch
  hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - name: Run the role, keeping each host's record when it fails
      block:
        - name: Reboot cycle
          ansible.builtin.include_role:
            name: fleetops.sophos.reboot_cycle
      always:
        - name: Keep the record
          ansible.builtin.copy:
            content: "{{ sophos_reboot_cycle | default(none) | to_json }}"
            dest: "{{ out }}/{{ inventory_hostname }}.json"
            mode: "0600"
          delegate_to: localhost
          changed_when: false
"""


class BenchLab(Lab):
    def __init__(self, name, count, collections):
        super(BenchLab, self).__init__(name, count)
        self.collections = collections

    def _ansible_env(self):
        env = super(BenchLab, self)._ansible_env()
        if self.collections:
            env["ANSIBLE_COLLECTIONS_PATH"] = self.collections + os.pathsep + env["ANSIBLE_COLLECTIONS_PATH"]
        return env


def run(lab, hosts, states, args, workdir):
    for host in hosts:
        lab.sophos(host, states[host], delay=args.delay)
    out = tempfile.mkdtemp(dir=workdir)
    playbook = os.path.join(workdir, "bench.yml")
    with open(playbook, "w") as handle:
        handle.write(PLAYBOOK)
    variables = {"target": ":".join(hosts), "out": out, "reboot_cycle_settle_minutes": args.settle_minutes,
                 "reboot_cycle_poll_seconds": args.poll_seconds, "reboot_cycle_reboot_timeout": 180,
                 "reboot_cycle_fail_when_unhealthy": False, "reboot_cycle_fail_when_still_pending": False}
    started = time.monotonic()
    res = lab.playbook(playbook, "-e", json.dumps(variables), "--forks", str(len(hosts)), check=False)
    wall = time.monotonic() - started
    records = {}
    for host in hosts:
        if not os.path.exists(os.path.join(out, host + ".json")):
            sys.exit("no record for %s (rc %d):\n%s%s" % (host, res.returncode, res.stdout[-5000:], res.stderr[-3000:]))
        with open(os.path.join(out, host + ".json")) as handle:
            records[host] = json.load(handle)
    lines = res.stdout.splitlines()
    per_host = {}
    for host in hosts:
        per_host[host] = sum(1 for line in lines if ("[%s]" % host) in line or line.startswith(host + ":")
                             or ("%s ->" % host) in line)
    return wall, records, per_host, len(lines), res.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=12)
    parser.add_argument("--delay", type=float, default=10.0, help="simulator post-boot delay (s)")
    parser.add_argument("--settle-minutes", type=float, default=1.5)
    parser.add_argument("--poll-seconds", type=float, default=5.0)
    parser.add_argument("--collections", default=None, help="collections dir to measure instead of this tree")
    parser.add_argument("--label", default=None)
    parser.add_argument("--keep", action="store_true", help="leave the lab up")
    args = parser.parse_args()
    lab = BenchLab(os.environ.get("FLEETOPS_LAB") or "cyclebench", args.hosts, args.collections)
    lab.up()
    workdir = tempfile.mkdtemp(prefix="bench-batch-")
    states = dict((host, STATES[i % len(STATES)]) for i, host in enumerate(lab.hosts))
    try:
        wall_n, rec_n, lines_n, total_n, rc_n = run(lab, lab.hosts, states, args, workdir)
        slow = lab.hosts[0]  # a queued-update host: two restarts and two settles, the slowest state
        wall_1, rec_1, lines_1, total_1, rc_1 = run(lab, [slow], states, args, workdir)
    finally:
        if not args.keep:
            lab.down()
    label = args.label or (args.collections or REPO)
    print("batch benchmark: %s" % label)
    print("  %d hosts (%s), forks %d, settle %.1f min poll, read every %.0f s, post-boot delay %.0f s"
          % (args.hosts, "/".join(STATES), args.hosts, args.settle_minutes, args.poll_seconds, args.delay))
    print("  batch of %d, whole playbook     %7.1f s   (rc %d, %d output lines)" % (args.hosts, wall_n, rc_n, total_n))
    print("  slowest host alone (%s)  %7.1f s   (rc %d, %d output lines)" % (states[slow], wall_1, rc_1, total_1))
    print("  ratio batch / slowest alone       %7.2f   (goal <= 1.3)" % (wall_n / wall_1))
    longest = max((rec or {}).get("duration_seconds", 0) for rec in rec_n.values())
    alone = (rec_1[slow] or {}).get("duration_seconds") or 0
    if alone:
        print("  cycle only: longest record in the batch / alone  %.1f / %.1f s = %.2f"
              % (longest, alone, longest / alone))
    print("  per state in the batch: status, restarts, duration_seconds (record), log lines, lines per settle reading")
    for state in STATES:
        for host in [h for h in lab.hosts if states[h] == state]:
            rec = rec_n[host] or {}
            polls = sum(max(1.0, s.get("seconds", 0) / args.poll_seconds) for s in rec.get("settles", []))
            print("    %-19s %-12s %-14s %d  %7.1f s  %4d lines  %s"
                  % (state, host, rec.get("status"), rec.get("restarts", 0), rec.get("duration_seconds", 0),
                     lines_n[host], ("%.1f" % (lines_n[host] / polls)) if polls else "-"))
    rec = rec_1[slow] or {}
    print("  alone: %s %s, %d restarts, %.1f s, %d lines"
          % (slow, rec.get("status"), rec.get("restarts", 0), rec.get("duration_seconds", 0), lines_1[slow]))


if __name__ == "__main__":
    main()
