"""Benchmark: restart groups - pairs of lab hosts, at most one member of a pair down, against one host's cycle
alone. Prints figures; never asserts.

  FLEETOPS_LAB=<name> .venv/bin/python tests/bench/bench_groups.py [--pairs 3] [--keep]

Every host needs one restart (``reboot-required``). The pairs run the reboot_cycle role with forks = hosts;
each pair restarts one member after the other, the pairs side by side. Then one host runs alone. The ratio
pairs / alone is what the groups cost (one host at a time would be 2 x pairs; two in sequence is 2.0, the
goal is <= 2.3); the records' ``slot_wait_seconds`` show how long members waited for their partner. Each round
runs both sides, the first side alternating from round to round; the ratio printed last is the rounds' median.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from conftest import Lab  # noqa: E402  (the lab helper of the integration suite)

# The batch benchmark's play: the reboot_cycle role on the target hosts, each host's record kept.
from bench_batch import PLAYBOOK  # noqa: E402


def run(lab, hosts, groups, args, workdir):
    for host in hosts:
        lab.sophos(host, "reboot-required", delay=args.delay)
    out = tempfile.mkdtemp(dir=workdir)
    playbook = os.path.join(workdir, "bench.yml")
    with open(playbook, "w") as handle:
        handle.write(PLAYBOOK)
    inventory = os.path.join(workdir, "groups.yml")
    with open(inventory, "w") as handle:
        yaml.safe_dump({"all": {"hosts": dict((host, {"reboot_cycle_group": groups[host]} if groups else {})
                                              for host in hosts)}}, handle)
    variables = {"target": ":".join(hosts), "out": out, "reboot_cycle_settle_minutes": args.settle_minutes,
                 "reboot_cycle_poll_seconds": args.poll_seconds, "reboot_cycle_reboot_timeout": 180}
    started = time.monotonic()
    res = lab.playbook(playbook, "-i", inventory, "-e", json.dumps(variables), "--forks", str(len(hosts)),
                       check=False)
    wall = time.monotonic() - started
    records = {}
    for host in hosts:
        path = os.path.join(out, host + ".json")
        if not os.path.exists(path):
            sys.exit("no record for %s (rc %d):\n%s%s" % (host, res.returncode, res.stdout[-5000:], res.stderr[-3000:]))
        with open(path) as handle:
            records[host] = json.load(handle)
    return wall, records, res.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--delay", type=float, default=5.0, help="simulator post-boot delay (s)")
    parser.add_argument("--settle-minutes", type=float, default=1.5)
    parser.add_argument("--poll-seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of both sides, alternating which goes first; the ratio is their median")
    parser.add_argument("--keep", action="store_true", help="leave the lab up")
    args = parser.parse_args()
    lab = Lab(os.environ.get("FLEETOPS_LAB") or "groupbench", 2 * args.pairs)
    lab.up()
    workdir = tempfile.mkdtemp(prefix="bench-groups-")
    groups = dict((host, "pair-%d" % (index // 2)) for index, host in enumerate(lab.hosts))
    rounds = []
    try:
        for number in range(max(1, args.rounds)):
            sides = {}
            # the side that runs first alternates, so a load that comes and goes weighs on both alike
            for side in (("pairs", "alone") if number % 2 == 0 else ("alone", "pairs")):
                if side == "pairs":
                    sides[side] = run(lab, lab.hosts, groups, args, workdir)
                else:
                    sides[side] = run(lab, lab.hosts[:1], None, args, workdir)
            rounds.append(sides)
    finally:
        if not args.keep:
            lab.down()
    print("restart groups benchmark: %d pairs, at most 1 down, forks %d, settle %.1f min poll every %.0f s, %d round(s)"
          % (args.pairs, len(lab.hosts), args.settle_minutes, args.poll_seconds, len(rounds)))
    ratios, cycle_ratios = [], []
    for number, sides in enumerate(rounds, 1):
        (wall_n, records, rc_n), (wall_1, alone, rc_1) = sides["pairs"], sides["alone"]
        longest = max((records[host] or {}).get("duration_seconds", 0) for host in lab.hosts)
        single = (alone[lab.hosts[0]] or {}).get("duration_seconds") or 0
        ratios.append(wall_n / wall_1)
        if single:
            cycle_ratios.append(longest / single)
        print("  round %d (%s first): pairs, whole playbook %6.1f s (rc %d); one host alone %6.1f s (rc %d); "
              "ratio %.2f; cycles only (longest record / alone) %.1f / %.1f s = %s"
              % (number, "pairs" if number % 2 else "alone", wall_n, rc_n, wall_1, rc_1, wall_n / wall_1, longest,
                 single, "%.2f" % (longest / single) if single else "n/a"))
    print("  ratio pairs / alone, median  %7.2f    (goal <= 2.3; one host at a time: %d)"
          % (statistics.median(ratios), 2 * args.pairs))
    if cycle_ratios:
        print("  cycles only, median          %7.2f" % statistics.median(cycle_ratios))
    records = rounds[-1]["pairs"][1]
    for host in lab.hosts:
        record = records[host] or {}
        boots = record.get("boots") or [{}, {}]
        print("    %-16s %-8s %-9s restarts %d  slot wait %6.1f s  restart %5.1f s  cycle %6.1f s"
              % (host, groups[host], record.get("status"), record.get("restarts", 0),
                 record.get("slot_wait_seconds") or 0, (boots[-1] or {}).get("restart_seconds") or 0,
                 record.get("duration_seconds", 0)))
    waits = [(records[host] or {}).get("slot_wait_seconds") or 0 for host in lab.hosts]
    print("  slot waits: total %.1f s, longest %.1f s" % (sum(waits), max(waits)))


if __name__ == "__main__":
    main()
