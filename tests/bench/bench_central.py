"""The Central inventory from the local HTTPS Central (tests/central/double.py): requests made, by kind, wall time
and peak memory.

* ``ansible-inventory --list`` and ``--graph`` (the same inventory without ansible-core's dump of every host's
  variables) on 5,000 servers and 2,000 alerts, with Central's largest endpoint page (500, the plugin's default)
  side by side with Central's own default page size (50);
* the client alone, in a child process of its own (``Client.fleet``: the shaped hosts kept, as the inventory
  needs them; ``Client.each_host``: consumed one at a time, the client's own working set), at 5,000 and
  100,000 servers: peak memory, requests and client time.

Peak memory is the child's own ``VmHWM`` (/proc/self/status, read as it exits; the interpreter and its
imports included). Not ``ru_maxrss``: a child forked from this process, which holds the double's fleet,
inherits its high-water mark.

Goals: one request per page plus one token and one whoami; the inventory under 5 s at 5,000; the client's
memory flat with the fleet, under 150 MB at 100,000. Prints figures; asserts nothing.

Usage: .venv/bin/python tests/bench/bench_central.py [--endpoints N] [--alerts N] [--runs N]
       [--memory-endpoints 5000,100000] [--collections PATH]
"""
import argparse
import json
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
import double  # noqa: E402  pylint: disable=wrong-import-position

# The child: the client alone against the double, its figures as one JSON line. ``each_host`` is measured
# where the collection has it (an older one only has ``fleet``, which then stands for both).
HWM = r"""
import atexit, os
def _hwm():
    with open("/proc/self/status") as status, open(os.environ["BENCH_HWM_FILE"], "w") as out:
        out.write([line.split()[1] for line in status if line.startswith("VmHWM:")][0])
atexit.register(_hwm)
"""
# ansible-inventory under the same interpreter, with the hook above.
INVENTORY = HWM + r"""
import runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
CHILD = HWM + r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.fleetops.sophos.plugins.module_utils import _central
identity, global_url, ca_path, secret, page_size, mode = sys.argv[2:8]
client = _central.Client("tenant-client", secret, identity, global_url, ca_path=ca_path)
started = time.monotonic()
if mode == "stream" and hasattr(client, "each_host"):
    hosts = sum(1 for _host in client.each_host([], page_size=int(page_size)))
else:
    hosts = len(client.fleet(page_size=int(page_size))[0])
seconds = time.monotonic() - started
print(json.dumps({"seconds": seconds, "hosts": hosts}))
"""


def kinds(model):
    counts = {"token": model.count("identity"), "whoami": model.count(path="^/whoami"),
              "endpoint pages": model.count(path="^/endpoint/v1/endpoints$"),
              "alert pages": model.count(path="^/common/v1/alerts$")}
    counts["total"] = len(model.requests)
    return counts


def run_child(argv, env):
    """A child process (one of the hooked scripts above) → (stdout, stderr, returncode, its peak RSS in MB)."""
    with tempfile.NamedTemporaryFile(prefix="bench-hwm-") as hwm:
        res = subprocess.run(argv, env=dict(env, BENCH_HWM_FILE=hwm.name), capture_output=True, text=True,
                             check=False)
        with open(hwm.name, encoding="ascii") as handle:
            text = handle.read().strip()
    return res.stdout, res.stderr, res.returncode, int(text) / 1024.0 if text else float("nan")


def run_inventory(central, work, collections, page_size, mode="--list"):
    path = os.path.join(work, "bench_sophos_central.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("plugin: fleetops.sophos.central\nidentity_url: %s\nglobal_url: %s\nca_path: %s\npage_size: %d\n"
                     % (central.url("identity"), central.url("global"), central.ca_path, page_size))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
               SOPHOS_CENTRAL_CLIENT_ID="tenant-client", SOPHOS_CENTRAL_CLIENT_SECRET=double.SECRETS["tenant"])
    central.model.requests[:] = []
    started = time.monotonic()
    stdout, stderr, code, rss = run_child([sys.executable, "-c", INVENTORY, os.path.join(BIN, "ansible-inventory"),
                                           "-i", path, mode], env)
    seconds = time.monotonic() - started
    if code != 0:
        raise SystemExit("ansible-inventory failed:\n" + stderr[-3000:])
    if mode == "--list":
        hosts = stdout.count('"sophos_central": {')
    else:  # a host stands once under each of its groups
        hosts = len(set(line.split("|--", 1)[1] for line in stdout.splitlines()
                        if "|--" in line and "|--@" not in line))
    return seconds, hosts, rss, kinds(central.model)


def run_client(central, collections, page_size, mode):
    central.model.requests[:] = []
    argv = [sys.executable, "-c", CHILD, collections, central.url("identity"), central.url("global"),
            central.ca_path, double.SECRETS["tenant"], str(page_size), mode]
    stdout, stderr, code, rss = run_child(argv, dict(os.environ))
    if code != 0:
        raise SystemExit("the client failed:\n" + stderr[-3000:])
    figures = json.loads(stdout.strip().splitlines()[-1])
    return figures["seconds"], figures["hosts"], rss, kinds(central.model)


def show(label, results, base=None):
    median = statistics.median(r[0] for r in results)
    _seconds, hosts, rss, counts = results[-1]
    ratio = " (x%.2f)" % (median / base) if base else ""
    print("%s  %7.2f s%s  hosts %6d  peak %6.0f MB  requests %s" % (
        label, median, ratio, hosts, max(r[2] for r in results), ", ".join("%s %d" % kv for kv in counts.items())))
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=5000)
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-endpoints", default="5000,100000",
                        help="fleet sizes for the client's memory (comma list)")
    parser.add_argument("--collections", default=COLLECTIONS,
                        help="collections path to measure (another checkout's, for a before/after)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-central-") as work:
        with double.Central(work) as central:
            double.seed_bench(central.model, args.endpoints, args.alerts)
            print("Central double: %d endpoints, %d alerts, one tenant; %d run(s) each, median shown"
                  % (args.endpoints, args.alerts, args.runs))
            base = None
            # --list also serialises every host's variables (ansible-core's JSON dump, most of its time);
            # --graph builds the same inventory and prints only the groups.
            for label, page_size, mode in (("ansible-inventory --list,  page_size 500", 500, "--list"),
                                           ("ansible-inventory --list,  page_size 50 ", 50, "--list"),
                                           ("ansible-inventory --graph, page_size 500", 500, "--graph")):
                results = [run_inventory(central, work, args.collections, page_size, mode) for _run in range(args.runs)]
                median = show(label, results, base)
                base = base or median
            ideal = 2 + -(-args.endpoints // 500) + -(-args.alerts // 100)
            print("ideal requests at page_size 500: %d (token + whoami + endpoint pages + alert pages)" % ideal)
    print("client alone, in a child process (peak = its VmHWM, the interpreter included), page_size 500:")
    for size in [int(n) for n in args.memory_endpoints.split(",") if n.strip()]:
        alerts = max(args.alerts, size * 2 // 5)
        with tempfile.TemporaryDirectory(prefix="bench-central-") as work:
            with double.Central(work) as central:
                double.seed_bench(central.model, size, alerts)
                for label, mode in (("fleet (hosts kept)   ", "list"), ("each_host (streamed)", "stream")):
                    show("  %7d endpoints, %6d alerts, %s" % (size, alerts, label),
                         [run_client(central, args.collections, 500, mode)])


if __name__ == "__main__":
    main()
