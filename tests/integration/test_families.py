"""The patch role (the fleetops.sophos.patch action) and reboot_facts on lab hosts of three families, with
real package managers, and the maintenance playbook restarting exactly the hosts that need it.

One lab instance of its own (`FLEETOPS_FAMILY_LAB`, default `<FLEETOPS_LAB>-fam`) runs a Debian, an
RPM-family (`el`: dnf on an rpm database, a Rocky os-release) and a SUSE-family (`suse`: zypper) host,
`tests/lab/lab up 3 --family debian,el,suse`. The el and suse hosts share the lab's rpm-md repository
(`<repo-dir>/rpm/main`): fleetops-demo, fleetops-held, fleetops-sec (with a security advisory in
updateinfo.xml) and a `kernel` at 2.0, all installed at 1.0; `fleetops-broken` is a disabled repository
whose metadata does not parse. Versions are read with each family's own tool (rpm -q, dpkg-query).
"""
import json
import os

import pytest

from conftest import Lab

pytestmark = pytest.mark.lab

FAMILIES = ("debian", "el", "suse")
MAINTENANCE = os.path.join(os.path.dirname(__file__), "..", "..", "playbooks", "maintenance.yml")
RPMS = ("fleetops-demo", "fleetops-held", "fleetops-sec")
DEB = "fleetops-demo"

PLAYBOOK = """
- name: Patch under test
  hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - name: Patch, keeping the record of a failed host too
      block:
        - name: Patch
          ansible.builtin.include_role:
            name: fleetops.sophos.patch
      always:
        - name: Keep the result
          ansible.builtin.copy:
            content: "{{ sophos_patch | to_json }}"
            dest: "{{ out }}/{{ inventory_hostname }}.json"
            mode: "0600"
          delegate_to: localhost
          check_mode: false
          changed_when: false
"""

# What a reset puts back: the 1.0 packages, every newer kernel gone (an install-only package keeps both).
RESET = ("rpm -e --nodeps $(rpm -qa --qf '%{NAME}-%{VERSION}\\n' 'fleetops-*' kernel) && "
         "rpm -i /srv/fleetops-repo/rpm/base/*.rpm")


@pytest.fixture(scope="module")
def fam(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the lab needs root (network namespaces, mounts, cgroups)")
    name = os.environ.get("FLEETOPS_FAMILY_LAB") or (os.environ.get("FLEETOPS_LAB") or "fleetops") + "-fam"
    lab = Lab(name, len(FAMILIES), families=",".join(FAMILIES))
    lab.up()
    lab.by_family = dict(zip(FAMILIES, lab.hosts))
    try:
        yield lab
    finally:
        if os.environ.get("FLEETOPS_LAB_KEEP") != "1":
            lab.down()


@pytest.fixture
def fresh(fam, tmp_path):
    """Every host back at 1.0 with 2.0 offered: RPMs from the lab's base/, the .deb published here."""
    for family in ("el", "suse"):
        res = fam.ssh(fam.by_family[family], RESET, timeout=120)
        assert res.returncode == 0, res.stderr
    fam.unpublish_debs(DEB)
    fam.publish_deb(DEB, "1.0", tmp_path)
    host = fam.by_family["debian"]
    res = fam.ssh(host, "apt-get update -qq && apt-get install -y -qq --allow-downgrades %s=1.0" % DEB, timeout=120)
    assert res.returncode == 0, res.stderr
    fam.publish_deb(DEB, "2.0", tmp_path)
    return fam


def versions(lab):
    """{family: {package: version}} read with each family's own tool."""
    out = {"debian": {DEB: lab.installed_version(lab.by_family["debian"], DEB)}}
    for family in ("el", "suse"):
        out[family] = {p: lab.rpm_version(lab.by_family[family], p) for p in RPMS + ("kernel",)}
    return out


def patch(lab, tmp_path, hosts, extra=None, check=False, expect_ok=True):
    """Run the patch role on HOSTS (one play, one batch); {host: sophos_patch} and the run."""
    playbook = tmp_path / "patch.yml"
    playbook.write_text(PLAYBOOK)
    out = tmp_path / "records"
    out.mkdir(exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    variables = dict(target=":".join(hosts), out=str(out), **(extra or {}))
    res = lab.playbook(str(playbook), "-e", json.dumps(variables), *(["--check"] if check else []),
                       check=expect_ok)
    return {p.stem: json.loads(p.read_text()) for p in out.iterdir()}, res


def test_facts_say_each_family(fam):
    res = fam.ansible("lab", "-m", "ansible.builtin.setup", "-a", "gather_subset=!all,!min,distribution,pkg_mgr",
                      "-o")
    facts = {}
    for line in res.stdout.splitlines():
        host, _sep, rest = line.partition(" | SUCCESS => ")
        facts[host] = json.loads(rest)["ansible_facts"]
    expected = {"debian": ("Debian", "apt"), "el": ("RedHat", "dnf"), "suse": ("Suse", "zypper")}
    for family, host in fam.by_family.items():
        assert (facts[host]["ansible_os_family"], facts[host]["ansible_pkg_mgr"]) == expected[family], host
    groups = fam.ansible("el:suse", "--list-hosts").stdout.split()
    assert sorted(groups[-2:]) == sorted([fam.by_family["el"], fam.by_family["suse"]])
    # The Sophos simulator keeps SPL's files at the same place on every family, and the reader finds them.
    for family, host in fam.by_family.items():
        assert "PRODUCT_VERSION" in fam.read(host, "/opt/sophos-spl/base/VERSION.ini"), family
        res = fam.ansible(host, "-m", "fleetops.sophos.reboot_facts", "-o")
        sophos = json.loads(res.stdout.partition(" => ")[2])["ansible_facts"]["sophos_reboot"]["sophos"]
        assert sophos["installed"], (family, sophos)


def test_mixed_batch_patched_for_real(fresh, tmp_path):
    lab = fresh
    before = versions(lab)
    assert all(v == "1.0" for fam_versions in before.values() for v in fam_versions.values()), before

    # Check mode: each family says what it would install and installs nothing.
    records = patch(lab, tmp_path, lab.hosts, check=True)[0]
    assert versions(lab) == before
    for family, host in lab.by_family.items():
        assert records[host]["status"] == "unchanged" and records[host]["would_install"], (family, records[host])

    # Security-only: the advisory's package and nothing else (Debian's lab repo has no security origin).
    records = patch(lab, tmp_path, lab.hosts, {"patch_security_only": True})[0]
    after = versions(lab)
    for family in ("el", "suse"):
        assert after[family] == {"fleetops-demo": "1.0", "fleetops-held": "1.0", "fleetops-sec": "2.0",
                                 "kernel": "1.0"}, (family, after[family], records)
    assert after["debian"] == {DEB: "1.0"}

    # An exclusion is kept by every family: dnf's own, apt's and zypper's update lists read and the others
    # upgraded by name. With security-only zypper installs patches, which cannot leave a package out: refused.
    records = patch(lab, tmp_path, lab.hosts, {"patch_exclude": ["fleetops-held", DEB]})[0]
    after = versions(lab)
    assert after["el"] == {"fleetops-demo": "1.0", "fleetops-held": "1.0", "fleetops-sec": "2.0",
                           "kernel": "1.0 2.0"}, after["el"]
    assert after["debian"] == {DEB: "1.0"}
    assert {p: after["suse"][p] for p in RPMS} == {"fleetops-demo": "1.0", "fleetops-held": "1.0",
                                                   "fleetops-sec": "2.0"}, after["suse"]
    assert "2.0" in after["suse"]["kernel"].split(), after["suse"]
    assert records[lab.by_family["el"]]["status"] == records[lab.by_family["suse"]]["status"] == "patched"
    records, res = patch(lab, tmp_path, [lab.by_family["suse"]],
                         {"patch_exclude": ["fleetops-held"], "patch_security_only": True}, expect_ok=False)
    suse = records[lab.by_family["suse"]]
    assert suse["status"] == "failed", suse
    assert "patch_exclude with patch_security_only is not supported on SUSE" in suse["message"]
    assert versions(lab)["suse"] == after["suse"]

    # Everything, then nothing left to do.
    records = patch(lab, tmp_path, lab.hosts)[0]
    after = versions(lab)
    assert after["debian"] == {DEB: "2.0"}
    for family in ("el", "suse"):
        assert {p: after[family][p] for p in RPMS} == {p: "2.0" for p in RPMS}, (family, after[family])
        assert "2.0" in after[family]["kernel"].split()
    assert {r["status"] for r in records.values()} == {"patched"}
    records = patch(lab, tmp_path, lab.hosts)[0]
    for host, record in records.items():
        assert record["status"] == "unchanged" and record["changes"] == [], (host, record)


def os_reasons(lab, host):
    res = lab.ansible(host, "-m", "fleetops.sophos.reboot_facts", "-o")
    facts = json.loads(res.stdout.partition(" => ")[2])["ansible_facts"]["sophos_reboot"]
    return {r["id"] for r in facts["reasons"]}, facts


@pytest.mark.parametrize("family,reason", [("el", "needs_restarting"), ("suse", "zypper_needs_rebooting")])
def test_restart_hint_after_a_kernel_update(fresh, tmp_path, family, reason):
    lab = fresh
    host = lab.by_family[family]
    # Reinstalling 1.0 was itself a core-package change after boot: start from a boot after it.
    boot = lab.boot_id(host)
    lab.ansible(host, "-m", "ansible.builtin.reboot")
    assert lab.boot_id(host) != boot
    keys, facts = os_reasons(lab, host)
    assert reason not in keys, facts

    patch(lab, tmp_path, [host])
    assert "2.0" in lab.rpm_version(host, "kernel").split()
    keys, facts = os_reasons(lab, host)
    assert reason in keys and facts["reboot_required"], facts


def test_broken_repository_fails_only_its_host(fresh, tmp_path):
    lab = fresh
    el, suse = lab.by_family["el"], lab.by_family["suse"]
    enable = {el: "dnf config-manager --set-enabled fleetops-broken",
              suse: "zypper -q mr -e fleetops-broken"}
    disable = {el: "dnf config-manager --set-disabled fleetops-broken",
               suse: "zypper -q mr -d fleetops-broken"}
    for host, cmd in enable.items():
        assert lab.ssh(host, cmd).returncode == 0
    try:
        records, res = patch(lab, tmp_path, lab.hosts, expect_ok=False)
    finally:
        for host, cmd in disable.items():
            lab.ssh(host, cmd)
    assert res.returncode != 0
    assert records[lab.by_family["debian"]]["status"] == "patched"
    assert lab.installed_version(lab.by_family["debian"], DEB) == "2.0"
    # dnf stops before changing anything, with its own words naming the repository.
    assert records[el]["status"] == "failed" and "broken" in records[el]["message"], records[el]
    assert lab.rpm_version(el, "fleetops-demo") == "1.0"
    # zypper skips the bad repository, upgrades from the good one and exits 106: done, with a warning
    # naming the skipped repository, and every change listed.
    record = records[suse]
    assert record["status"] == "patched" and lab.rpm_version(suse, "fleetops-demo") == "2.0", record
    assert "fleetops-demo 1.0-1 -> 2.0-1" in record["changes"], record
    assert len(record["warnings"]) == 1 and "broken" in record["warnings"][0] and "106" in record["warnings"][0]


# Holds rpm's transaction lock as a transaction would (a POSIX write lock), says so, and holds it until RELEASE -
# or for half an hour at most (longer than any patch of the batch on a loaded machine, so the lock is still held
# when the el host's patch comes to it; a patch step that waited for the lock without a bound would end then,
# and the test fail, not hang). Ready when it says so (a minute at most for python3 to start).
HOLD = ("rm -f /run/fleetops-rpm-hold; nohup python3 -c \"import fcntl, time; f = open('/var/lib/rpm/.rpm.lock', 'a'); "
        "fcntl.lockf(f, fcntl.LOCK_EX); open('/run/fleetops-rpm-hold', 'w').close(); time.sleep(1800)\" "
        ">/dev/null 2>&1 & echo $! > /run/fleetops-rpm-hold.pid; "
        "for i in $(seq 600); do [ -e /run/fleetops-rpm-hold ] && exit 0; sleep 0.1; done; exit 1")
RELEASE = "kill $(cat /run/fleetops-rpm-hold.pid) 2>/dev/null; rm -f /run/fleetops-rpm-hold /run/fleetops-rpm-hold.pid"


def test_a_held_rpm_lock_fails_only_its_host_naming_the_lock(fresh, tmp_path):
    lab = fresh
    el = lab.by_family["el"]
    assert lab.ssh(el, HOLD, timeout=120).returncode == 0
    try:
        records, res = patch(lab, tmp_path, lab.hosts, {"patch_lock_timeout": 5}, expect_ok=False)
    finally:
        lab.ssh(el, RELEASE)
    assert res.returncode != 0
    record = records[el]
    assert record["status"] == "failed" and record["changes"] == [], record
    assert ("the rpm database is locked: /var/lib/rpm/.rpm.lock is held by process" in record["message"]
            and "(python3)" in record["message"] and "patch_lock_timeout (5 s)" in record["message"]), record
    assert versions(lab)["el"] == {p: "1.0" for p in RPMS + ("kernel",)}
    # The other hosts went on.
    assert records[lab.by_family["debian"]]["status"] == "patched"
    assert records[lab.by_family["suse"]]["status"] == "patched"


def maintain(lab, tmp_path, name):
    variables = {"maintenance_hosts": ":".join(lab.hosts), "maintenance_serial": len(lab.hosts),
                 "reboot_cycle_settle_minutes": lab.settle_minutes, "reboot_cycle_poll_seconds": 2,
                 "reboot_cycle_reboot_timeout": lab.reboot_timeout, "report_dir": str(tmp_path / name)}
    lab.playbook(MAINTENANCE, "-e", json.dumps(variables))
    report = json.loads((tmp_path / name / "sophos-report.json").read_text())
    return dict((row["host"], row) for row in report["hosts"])


def test_maintenance_restarts_exactly_the_hosts_that_need_it(fresh, tmp_path):
    lab = fresh
    debian, el, suse = (lab.by_family[f] for f in FAMILIES)
    # Reinstalling 1.0 was a core-package change after boot: start the rpm hosts from a boot after it.
    for host in (el, suse):
        lab.ansible(host, "-m", "ansible.builtin.reboot")
    for host in lab.hosts:
        lab.sophos(host, "clean", delay=2)
    boots = dict((host, lab.boot_count(host)) for host in lab.hosts)

    # The kernel update makes el and suse want a restart; Debian's update does not: only they restart.
    rows = maintain(lab, tmp_path, "first")
    assert dict((h, lab.boot_count(h) - boots[h]) for h in lab.hosts) == {debian: 0, el: 1, suse: 1}, rows
    for host in lab.hosts:
        assert rows[host]["patch"]["status"] == "patched", rows[host]
    assert rows[debian]["status"] == "ok" and rows[el]["status"] == rows[suse]["status"] == "rebooted", rows

    # Nothing left to install: a host with nothing pending is not restarted, on every family; one that
    # was pending (Sophos asks for a restart on Debian) is, though its patch changed nothing.
    lab.sophos(debian, "reboot-required", delay=2)
    boots = dict((host, lab.boot_count(host)) for host in lab.hosts)
    rows = maintain(lab, tmp_path, "second")
    assert dict((h, lab.boot_count(h) - boots[h]) for h in lab.hosts) == {debian: 1, el: 0, suse: 0}, rows
    for host in lab.hosts:
        assert rows[host]["patch"]["status"] == "unchanged", rows[host]
