"""Family benchmark: the patch role on a batch of three hosts of three families (debian, el, suse) against
the slowest of them alone, each a real upgrade from the lab's repositories (median of ROUNDS).

Prints figures only; never asserts on time. Goal from issue 26: the batch within 1.3 x the slowest alone
(a batch that patches in max, not in sum, time). Uses its own instance (FLEETOPS_LAB, default
`fleetops-bench-fam`) and removes it at the end.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB_CMD = os.path.join(REPO, "tests", "lab", "lab")
BIN = os.path.join(REPO, ".venv", "bin")
ROUNDS = int(os.environ.get("FLEETOPS_BENCH_ROUNDS") or 3)
FAMILIES = ("debian", "el", "suse")
DEB = "fleetops-demo"

PLAYBOOK = """
- name: Patch
  hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - name: Patch
      ansible.builtin.include_role:
        name: fleetops.sophos.patch
"""

# Every host back at 1.0 (2.0 stays offered): RPMs from the lab's base/, the .deb by version.
RESET = {
    "debian": "apt-get install -y -qq --allow-downgrades %s=1.0" % DEB,
    "el": "rpm -e --nodeps $(rpm -qa --qf '%{NAME}-%{VERSION}\\n' 'fleetops-*' kernel) && "
          "rpm -i /srv/fleetops-repo/rpm/base/*.rpm",
}
RESET["suse"] = RESET["el"]


def run(cmd, env, check=True):
    res = subprocess.run(cmd, env=env, text=True, capture_output=True, check=False)
    if check and res.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), res.stdout, res.stderr))
    return res


def build_deb(workdir, repo, version):
    root = os.path.join(workdir, "%s-%s" % (DEB, version))
    os.makedirs(os.path.join(root, "DEBIAN"), exist_ok=True)
    with open(os.path.join(root, "DEBIAN", "control"), "w") as f:
        f.write("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: fleetops <lab@invalid>\n"
                "Description: fleetops lab bench package\n" % (DEB, version))
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", root, os.path.join(repo, "%s_%s_all.deb" % (DEB, version))],
                   check=True, capture_output=True)


def main():
    if os.geteuid() != 0:
        sys.exit("the lab needs root")
    name = os.environ.get("FLEETOPS_LAB") or "fleetops-bench-fam"
    env = dict(os.environ, FLEETOPS_LAB=name, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".venv", "collections"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    work = tempfile.mkdtemp(prefix="bench-families-")
    try:
        start = time.monotonic()
        inventory = run([LAB_CMD, "up", "3", "--family", ",".join(FAMILIES)], env).stdout.strip().splitlines()[-1]
        print("lab up 3 --family %s: %.1f s (includes building a family layer the first time)"
              % (",".join(FAMILIES), time.monotonic() - start))
        hosts = dict(zip(FAMILIES, ["%s-%d" % (name, i) for i in (1, 2, 3)]))
        repo = run([LAB_CMD, "repo-dir"], env).stdout.strip()
        for version in ("1.0", "2.0"):
            build_deb(work, repo, version)
        run([LAB_CMD, "repo-index"], env)
        run([LAB_CMD, "ssh", hosts["debian"], "apt-get update -qq"], env)
        playbook = os.path.join(work, "patch.yml")
        with open(playbook, "w") as f:
            f.write(PLAYBOOK)

        def patch(targets):
            for family in targets:
                run([LAB_CMD, "ssh", hosts[family], RESET[family]], env)
            began = time.monotonic()
            run([os.path.join(BIN, "ansible-playbook"), "-i", inventory, playbook, "-f", "10",
                 "-e", json.dumps({"target": ":".join(hosts[f] for f in targets)})], env)
            return time.monotonic() - began

        alone = {family: statistics.median(patch([family]) for _round in range(ROUNDS)) for family in FAMILIES}
        batch = statistics.median(patch(FAMILIES) for _round in range(ROUNDS))
        slowest = max(alone, key=alone.get)
        for family in FAMILIES:
            print("%-7s alone: %5.1f s (median of %d)" % (family, alone[family], ROUNDS))
        print("batch of %s: %5.1f s = %.2f x the slowest alone (%s); goal <= 1.3 x; the sum alone is %.1f s"
              % ("+".join(FAMILIES), batch, batch / alone[slowest], slowest, sum(alone.values())))
    finally:
        run([LAB_CMD, "down"], env, check=False)
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
