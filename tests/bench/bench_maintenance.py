"""Benchmark: fleetops.sophos.maintenance on N lab hosts (default 48). Prints figures; never asserts.

  FLEETOPS_LAB=<name> .venv/bin/python tests/bench/bench_maintenance.py [--hosts 48] [--before DIR]

In one run, with forks = N:
- ``fleetops.sophos.reboot_facts`` against ``ansible.builtin.ping`` on the N hosts (median of --runs);
- one maintenance batch of the N hosts in four states (queued update: two restarts; OS restart: one;
  clean; failed Sophos update), a 1.5-minute poll settle read every 5 s, against its slowest host (a
  queued update) run alone: the ratio is what a host pays for sharing the batch (goals: <= 1.3 at 12
  hosts, <= 1.5 at 48);
- the tasks each kind of host ran, from the recap (ok + changed + skipped, as the issue counts them; ok
  already includes changed), with the slowest tasks of the run (ansible.posix.profile_tasks);
- the peak memory of the controller (the resident sizes of ansible-playbook and its workers, summed,
  sampled every 0.2 s from /proc);
- the log lines per host (lines of the run's output that name the host) against its settle readings.

``--before DIR`` runs the same batch and the same host alone with another checkout of the collection
first (DIR/ansible_collections/fleetops/sophos, e.g. ``git archive`` of an older commit unpacked there)
and prints both side by side. ``lab up`` raises the kernel's inotify limits that many hosts need.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from conftest import REPO, VENV_BIN, Lab  # noqa: E402  (the lab helper of the integration suite)

STATES = ("queued-update", "os-reboot-required", "clean", "update-failed")
PLAYBOOK = os.path.join(REPO, "playbooks", "maintenance.yml")
RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)"
                   r"\s+rescued=(\d+)\s+ignored=(\d+)", re.M)
PROFILE = re.compile(r"^(.+?) -+ (\d+\.\d+)s$")


def _rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children():
    """{parent pid: [child pids]} of every process now."""
    tree = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def tree_rss_kib(root):
    """Resident memory of ROOT and all its descendants, summed (KiB)."""
    tree, todo, total = _children(), [root], 0
    while todo:
        pid = todo.pop()
        total += _rss_kib(pid)
        todo.extend(tree.get(pid, []))
    return total


def timed_run(argv, env, cwd):
    """(seconds, CompletedProcess, peak KiB of the process tree)."""
    peak = [0]
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample():
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    return wall, subprocess.CompletedProcess(argv, proc.returncode, out, err), peak[0]


class Run:
    """One ansible-playbook run of the maintenance playbook and what its output says."""

    def __init__(self, wall, res, peak, hosts):
        self.wall, self.rc, self.peak = wall, res.returncode, peak
        self.stdout, self.stderr = res.stdout, res.stderr
        lines = res.stdout.splitlines()
        self.lines = len(lines)
        self.recap = dict((m.group(1), dict(zip(("ok", "changed", "unreachable", "failed", "skipped", "rescued",
                                                 "ignored"), map(int, m.groups()[1:]))))
                          for m in RECAP.finditer(res.stdout))
        self.per_host = dict((host, sum(1 for line in lines if ("[%s]" % host) in line or line.startswith(host + ":")
                                        or ("%s ->" % host) in line)) for host in hosts)
        self.profile = [(m.group(1).strip(), float(m.group(2))) for m in map(PROFILE.match, lines) if m]

    def tasks(self, host):
        counts = self.recap.get(host)
        return None if counts is None else counts["ok"] + counts["changed"] + counts["skipped"]


def maintenance(lab, hosts, states, args, workdir, collections):
    for host in hosts:
        lab.sophos(host, states[host], delay=args.delay)
    report = tempfile.mkdtemp(dir=workdir)
    variables = {"maintenance_hosts": ":".join(hosts), "reboot_cycle_settle_minutes": args.settle_minutes,
                 "reboot_cycle_poll_seconds": args.poll_seconds, "reboot_cycle_reboot_timeout": 180,
                 "reboot_cycle_fail_when_unhealthy": False, "reboot_cycle_fail_when_still_pending": False,
                 "reboot_cycle_learn_durations": False, "report_dir": report}
    env = dict(lab._ansible_env(), ANSIBLE_FORKS=str(len(hosts)),
               ANSIBLE_CALLBACKS_ENABLED="fleetops.sophos.interrupted,ansible.posix.profile_tasks",
               PROFILE_TASKS_TASK_OUTPUT_LIMIT="12")
    if collections:
        env["ANSIBLE_COLLECTIONS_PATH"] = collections + os.pathsep + env["ANSIBLE_COLLECTIONS_PATH"]
    playbook = os.path.join(collections, "ansible_collections", "fleetops", "sophos", "playbooks",
                            "maintenance.yml") if collections else PLAYBOOK
    argv = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", lab.inventory, playbook, "-e", json.dumps(variables)]
    run = Run(*timed_run(argv, env, REPO), hosts=hosts)
    missing = [host for host in hosts if run.tasks(host) is None]
    if missing:
        sys.exit("no recap for %s (rc %d):\n%s%s" % (", ".join(missing), run.rc, run.stdout[-5000:], run.stderr[-3000:]))
    with open(os.path.join(report, "sophos-report.json")) as handle:
        run.report = dict((row["host"], row) for row in json.load(handle)["hosts"])
    return run


def ping_and_facts(lab, hosts, runs):
    env = dict(lab._ansible_env(), ANSIBLE_FORKS=str(len(hosts)))
    times = {"ping": [], "reboot_facts": []}
    for _run in range(runs + 1):
        for name, module in (("ping", "ansible.builtin.ping"), ("reboot_facts", "fleetops.sophos.reboot_facts")):
            argv = [os.path.join(VENV_BIN, "ansible"), "-i", lab.inventory, ",".join(hosts), "-m", module]
            wall, res, _peak = timed_run(argv, env, REPO)
            if res.returncode != 0:
                sys.exit("%s failed:\n%s%s" % (module, res.stdout[-3000:], res.stderr[-2000:]))
            if _run:  # the first round warms SSH's control sockets and the byte code up
                times[name].append(wall)
    return dict((name, statistics.median(values)) for name, values in times.items())


def describe(label, batch, alone, hosts, states, slow, args):
    print("%s:" % label)
    print("  batch of %d  %7.1f s  (rc %d, %d output lines, peak controller memory %.0f MiB)"
          % (len(hosts), batch.wall, batch.rc, batch.lines, batch.peak / 1024.0))
    print("  %s alone %7.1f s  (rc %d, %d output lines, peak controller memory %.0f MiB)"
          % (slow, alone.wall, alone.rc, alone.lines, alone.peak / 1024.0))
    print("  ratio batch / slowest alone  %.2f  (goal <= %s)" % (batch.wall / alone.wall, "1.3" if len(hosts) <= 12 else "1.5"))
    print("  tasks per host (ok + changed + skipped; ok includes changed), log lines, settle readings:")
    for state in STATES:
        members = [h for h in hosts if states[h] == state]
        for host in members[:2] + ([members[-1]] if len(members) > 2 else []):
            counts = batch.recap[host]
            row = batch.report.get(host, {})
            cycle = row.get("maintenance") or {}
            polls = sum(max(1.0, (s.get("seconds") or 0) / args.poll_seconds) for s in cycle.get("settles") or [])
            print("    %-19s %-10s %-9s tasks %2d (ok=%d changed=%d skipped=%d failed=%d)  %3d lines  %3.0f readings"
                  % (state, host, row.get("status"), batch.tasks(host), counts["ok"], counts["changed"],
                     counts["skipped"], counts["failed"], batch.per_host[host], polls))
    counts = alone.recap[slow]
    print("    alone %-13s %-10s tasks %2d (ok=%d changed=%d skipped=%d)  %3d lines"
          % (states[slow], slow, alone.tasks(slow), counts["ok"], counts["changed"], counts["skipped"],
             alone.per_host[slow]))
    print("  slowest tasks of the batch (profile_tasks):")
    for name, seconds in batch.profile[:8]:
        print("    %7.2f s  %s" % (seconds, name[:100]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=48)
    parser.add_argument("--runs", type=int, default=3, help="runs of ping and reboot_facts (median)")
    parser.add_argument("--delay", type=float, default=10.0, help="simulator post-boot delay (s)")
    parser.add_argument("--settle-minutes", type=float, default=1.5)
    parser.add_argument("--poll-seconds", type=float, default=5.0)
    parser.add_argument("--before", default=None, help="collections dir of another checkout, measured first")
    parser.add_argument("--keep", action="store_true", help="leave the lab up")
    args = parser.parse_args()
    lab = Lab(os.environ.get("FLEETOPS_LAB") or "maintbench", args.hosts)
    started = time.monotonic()
    lab.up()
    up_seconds = time.monotonic() - started
    workdir = tempfile.mkdtemp(prefix="bench-maintenance-")
    states = dict((host, STATES[i % len(STATES)]) for i, host in enumerate(lab.hosts))
    # The slowest state, and not the play's first host (which runs the run-once tasks).
    slow = [host for host in lab.hosts if states[host] == STATES[0]][-1]
    results = []
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                            check=False).stdout
    print("maintenance benchmark at %s: %d hosts (%s), forks %d, settle %.1f min poll read every %.0f s, "
          "post-boot delay %.0f s; lab up took %.0f s" % (commit.strip(), args.hosts, "/".join(STATES), args.hosts,
                                                          args.settle_minutes, args.poll_seconds, args.delay,
                                                          up_seconds), flush=True)
    try:
        facts = ping_and_facts(lab, lab.hosts, args.runs)
        print("reboot_facts / ping at forks %d: %.2f / %.2f s = %.2fx (median of %d)"
              % (args.hosts, facts["reboot_facts"], facts["ping"], facts["reboot_facts"] / facts["ping"], args.runs),
              flush=True)
        for label, collections in ([("before (%s)" % args.before, args.before)] if args.before else []) + [
                ("this tree (%s)" % REPO, None)]:
            batch = maintenance(lab, lab.hosts, states, args, workdir, collections)
            alone = maintenance(lab, [slow], states, args, workdir, collections)
            results.append((label, batch, alone))
            describe(label, batch, alone, lab.hosts, states, slow, args)
            sys.stdout.flush()
    finally:
        if not args.keep:
            lab.down()
    if len(results) == 2:
        (_l0, b0, a0), (_l1, b1, a1) = results
        print("side by side (before -> this tree): ratio %.2f -> %.2f; batch %.0f -> %.0f s; output lines %d -> %d; "
              "peak memory %.0f -> %.0f MiB" % (b0.wall / a0.wall, b1.wall / a1.wall, b0.wall, b1.wall, b0.lines,
                                                b1.lines, b0.peak / 1024.0, b1.peak / 1024.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
