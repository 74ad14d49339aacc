"""The Central inventory of 5,000 servers and 2,000 alerts from the local HTTPS Central
(tests/central/double.py): requests made, by kind, and wall time of ``ansible-inventory --list`` (and ``--graph``, the same
inventory without ansible-core's dump of every host's variables), with
Central's largest endpoint page (500, the plugin's default) side by side with Central's own default page
size (50). Also the client alone (``Client.fleet`` in this process), without ansible-inventory's start-up.
Goal: one request per page plus one token and one whoami; under 5 s. Prints figures; asserts nothing.

Usage: .venv/bin/python tests/bench/bench_central.py [--endpoints N] [--alerts N] [--runs N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(REPO, ".venv", "bin")
COLLECTIONS = os.path.join(REPO, ".venv", "collections")
sys.path.insert(0, os.path.join(REPO, "tests", "central"))
sys.path.insert(0, COLLECTIONS)
import double  # noqa: E402  pylint: disable=wrong-import-position


def kinds(model):
    counts = {"token": model.count("identity"), "whoami": model.count(path="^/whoami"),
              "endpoint pages": model.count(path="^/endpoint/v1/endpoints$"),
              "alert pages": model.count(path="^/common/v1/alerts$")}
    counts["total"] = len(model.requests)
    return counts


def run_inventory(central, work, page_size, mode="--list"):
    path = os.path.join(work, "bench_sophos_central.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("plugin: fleetops.sophos.central\nidentity_url: %s\nglobal_url: %s\nca_path: %s\npage_size: %d\n"
                     % (central.url("identity"), central.url("global"), central.ca_path, page_size))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
               SOPHOS_CENTRAL_CLIENT_ID="tenant-client", SOPHOS_CENTRAL_CLIENT_SECRET=double.SECRETS["tenant"])
    central.model.requests[:] = []
    started = time.monotonic()
    res = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", path, mode], env=env,
                         capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if res.returncode != 0:
        raise SystemExit("ansible-inventory failed:\n" + res.stderr[-3000:])
    if mode == "--list":
        hosts = res.stdout.count('"sophos_central": {')
    else:  # a host stands once under each of its groups
        hosts = len(set(line.split("|--", 1)[1] for line in res.stdout.splitlines()
                        if "|--" in line and "|--@" not in line))
    return seconds, hosts, kinds(central.model)


def run_client(central, page_size):
    from ansible_collections.fleetops.sophos.plugins.module_utils import _central  # pylint: disable=import-outside-toplevel
    central.model.requests[:] = []
    client = _central.Client("tenant-client", double.SECRETS["tenant"], central.url("identity"),
                             central.url("global"), ca_path=central.ca_path)
    started = time.monotonic()
    hosts, _orphans = client.fleet(page_size=page_size)
    return time.monotonic() - started, len(hosts), kinds(central.model)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=5000)
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-central-") as work:
        with double.Central(work) as central:
            double.seed_bench(central.model, args.endpoints, args.alerts)
            print("Central double: %d endpoints, %d alerts, one tenant; %d run(s) each, median shown"
                  % (args.endpoints, args.alerts, args.runs))
            rows = []
            # --list also serialises every host's variables (ansible-core's JSON dump, most of its time);
            # --graph builds the same inventory and prints only the groups.
            for label, func, page_size, mode in (
                    ("ansible-inventory --list,  page_size 500", run_inventory, 500, "--list"),
                    ("ansible-inventory --list,  page_size 50 ", run_inventory, 50, "--list"),
                    ("ansible-inventory --graph, page_size 500", run_inventory, 500, "--graph"),
                    ("client only,               page_size 500", run_client, 500, None)):
                results = [func(central, work, page_size, mode) if func is run_inventory else func(central, page_size)
                           for _run in range(args.runs)]
                median = statistics.median(r[0] for r in results)
                rows.append((label, median, results[-1][1], results[-1][2]))
            base = rows[0][1]
            for label, median, hosts, counts in rows:
                print("%s  %6.2f s  (x%.2f)  hosts %5d  requests %s" % (
                    label, median, median / base, hosts, ", ".join("%s %d" % kv for kv in counts.items())))
            ideal = 2 + -(-args.endpoints // 500) + -(-args.alerts // 100)
            print("ideal requests at page_size 500: %d (token + whoami + endpoint pages + alert pages)" % ideal)


if __name__ == "__main__":
    main()
