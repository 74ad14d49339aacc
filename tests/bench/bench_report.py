"""Benchmark: the report step at fleet size, with history. Prints figures; never asserts.

  .venv/bin/python tests/bench/bench_report.py [--hosts 500,5000] [--kept 30]

No lab: the hosts are inventory entries whose variables are the facts and records a maintenance run leaves
(``sophos_reboot``, ``sophos_reboot_cycle``, ``maintenance_result``), taken in turn from the unit tests'
mixed-fleet fixture (14 hosts in every state). For each size the same play runs three times on this
controller, side by side in one bench run:

- ``baseline``: a play with the inventory and one run-once task, without the role (what loading N hosts
  costs);
- ``report``: the play with the report role (every format, history off: an empty report directory);
- ``report+kept``: the same with ``--kept`` earlier runs of the same size in the report directory, as a
  directory holding a month of nightly reports does (the index page lists them all); then ``again``: the
  same once more, as the next batch or night finds the directory.

``--import maintenance`` (the default) includes the role with ``run_once: true`` as
``playbooks/tasks/maintenance_run.yml`` does: the role is then the first host's alone, and the tasks ansible-core
adds to it (the check of its argument spec before its tasks, the end-of-role step after them) run once, like the
role's own. ``--import plain`` imports it as a play of hosts may (``import_role``, no ``run_once``): those two run
on every host of the play, a worker or a pass each (what the maintenance playbook did at first). With
``--play controller`` the play runs on ``localhost`` with ``report_hosts`` set to every host (the role's "only
role of a play on localhost" use).

The report step is ``report - baseline`` (and ``report+kept - baseline``): wall and CPU seconds (user + system
of ansible-playbook and its workers; the machine's other load moves the wall clock, much less the CPU time),
and the controller's peak memory (the largest resident set of ansible-playbook and its workers).
Goal (issue 28): <= 10 s at 5,000 hosts.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VENV_BIN = os.path.join(REPO, ".venv", "bin")
FIXTURE = os.path.join(REPO, "tests", "unit", "fixtures", "report", "mixed_fleet.json")

# The baseline: the same hosts loaded and one run-once task, without the role (its tasks and the argument check
# ansible-core adds for each host would count in the baseline even when skipped).
BASELINE_PLAYBOOK = """
- name: Bench the report step
  hosts: {hosts}
  gather_facts: false
  tasks:
    - name: Load the hosts only
      ansible.builtin.debug:
        msg: "{{{{ groups['all'] | length }}}} hosts"
      run_once: true
      delegate_to: localhost
"""

# The role as playbooks/tasks/maintenance_run.yml includes it ("maintenance": include_role, run_once), or as a
# play of hosts may import it ("plain": the argument check and the end-of-role step on every host of the play).
IMPORT = {"maintenance": ("include_role", "      run_once: true\n"), "plain": ("import_role", "")}

PLAYBOOK = """
- name: Bench the report step
  hosts: all
  gather_facts: false
  tasks:
    - name: Write the report
      ansible.builtin.{import_action}:
        name: fleetops.sophos.report
{import_keywords}      vars:
        report_result_var: maintenance_result
        report_playbook: fleetops.sophos.maintenance
        report_show_table: false
"""


CONTROLLER_PLAYBOOK = """
- name: Bench the report step on the controller
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the report
      ansible.builtin.{import_action}:
        name: fleetops.sophos.report
{import_keywords}      vars:
        report_hosts: "{{{{ groups['all'] }}}}"
        report_active_hosts: "{{{{ groups['all'] }}}}"
        report_result_var: maintenance_result
        report_playbook: fleetops.sophos.maintenance
        report_show_table: false
"""


def inventory(path, count):
    entries = json.load(open(FIXTURE))
    hostvars = {}
    for index in range(count):
        entry = entries[index % len(entries)]
        hostvars["host-%05d" % index] = {
            "ansible_connection": "local",
            "sophos_reboot": entry.get("facts"),
            "sophos_reboot_cycle": entry.get("cycle"),
            "maintenance_result": {"failed": False, "unreachable": False, "msg": None},
        }
    # JSON is YAML: the yaml inventory plugin reads it, the hosts under all.hosts with their variables.
    with open(path, "w") as handle:
        json.dump({"all": {"hosts": hostvars}}, handle)


def run(playbook, inventory_path, report_dir):
    """``(wall seconds, CPU seconds, peak MB)`` of one ansible-playbook run: CPU is user + system time of
    ansible-playbook and its workers (less sensitive than the wall clock to what else runs on the machine),
    peak the largest resident set among them."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".venv", "collections"),
               ANSIBLE_INVENTORY_ENABLED="yaml", ANSIBLE_LOCALHOST_WARNING="False")
    argv = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", inventory_path, playbook,
            "-e", json.dumps({"report_dir": report_dir})]
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    if status != 0:
        print(out[-3000:])
        raise SystemExit("ansible-playbook failed (status %d)" % status)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0  # kB -> MB


def _figures(figures):
    return "%.1f s (CPU %.1f s) %.0f MB" % figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--hosts", default="500,5000")
    parser.add_argument("--kept", type=int, default=30)
    parser.add_argument("--play", choices=("hosts", "controller"), default="hosts",
                        help="hosts: the report role in a play on every host (as the collection's playbooks); "
                             "controller: in a play on localhost over every host")
    parser.add_argument("--import", dest="import_as", choices=sorted(IMPORT), default="maintenance",
                        help="maintenance: the role included once (run_once), as the maintenance playbook does; "
                             "plain: imported (its argument check and end-of-role step on every host of the play)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-report-")
    playbook, baseline = os.path.join(work, "bench.yml"), os.path.join(work, "baseline.yml")
    with open(playbook, "w") as handle:
        handle.write((CONTROLLER_PLAYBOOK if args.play == "controller" else PLAYBOOK).format(
            import_action=IMPORT[args.import_as][0], import_keywords=IMPORT[args.import_as][1]))
    with open(baseline, "w") as handle:
        handle.write(BASELINE_PLAYBOOK.format(hosts="localhost" if args.play == "controller" else "all"))
    rows = []
    try:
        for count in [int(item) for item in args.hosts.split(",")]:
            inv = os.path.join(work, "inventory-%d.yml" % count)
            inventory(inv, count)
            fresh, kept = os.path.join(work, "fresh-%d" % count), os.path.join(work, "kept-%d" % count)
            base = run(baseline, inv, fresh)
            report = run(playbook, inv, fresh)
            # History: earlier runs of the same size under their own names (the report's JSON, copied).
            os.makedirs(kept)
            latest = os.path.join(fresh, "sophos-report.json")
            for day in range(args.kept):
                name = "sophos-report-202611%02dT020000Z-%08x.json" % (day % 28 + 1, day)
                shutil.copy(latest, os.path.join(kept, name))
            with_kept = run(playbook, inv, kept)
            # The next batch of the same run, or the next night: the kept runs as the first report left them
            # (each with its summary since 0.3.0, which the index reads instead of the run's whole JSON).
            kept_again = run(playbook, inv, kept)
            rows.append((count, base, report, with_kept, kept_again))
            print("hosts=%d: baseline %s; report %s; report+%d kept %s, again %s; report JSON %.1f MB"
                  % (count, _figures(base), _figures(report), args.kept, _figures(with_kept), _figures(kept_again),
                     os.path.getsize(latest) / 1e6))
            sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\nreport step (%s play, %s import; minus the baseline of loading the hosts), goal <= 10 s at 5,000 hosts:"
          % (args.play, args.import_as))
    for count, base, report, with_kept, kept_again in rows:
        step = [(figures[0] - base[0], figures[1] - base[1]) for figures in (report, with_kept, kept_again)]
        print("  %5d hosts: %6.1f s (CPU %.1f s), with %d kept runs %6.1f s (CPU %.1f s), again %6.1f s (CPU %.1f s); "
              "peak memory %.0f MB / %.0f MB / %.0f MB (baseline %.0f MB)"
              % ((count,) + step[0] + (args.kept,) + step[1] + step[2]
                 + (report[2], with_kept[2], kept_again[2], base[2])))


if __name__ == "__main__":
    main()
