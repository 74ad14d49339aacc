"""fleetops.sophos.reboot_facts on lab hosts over SSH, one test per Sophos simulator scenario."""
import json
import os
import re
import tempfile
import time

import pytest

pytestmark = pytest.mark.lab

HOST = "%s-1" % (os.environ.get("FLEETOPS_LAB") or "fleetops")
RESULT = re.compile(r"^(\S+) \| (\w+)!?(?: \| rc=\d+)? => \{$", re.M)


def adhoc(lab, pattern, args="", extra=()):
    """Run the module ad hoc, as users do; {host: result} parsed from the default output."""
    res = lab.ansible(pattern, "-m", "fleetops.sophos.reboot_facts", *(["-a", args] if args else []), *extra,
                      check=False)
    starts = list(RESULT.finditer(res.stdout))
    results = {}
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(res.stdout)
        results[match.group(1)] = dict(json.loads(res.stdout[match.end() - 1:end]), _status=match.group(2))
    assert results, "no result in output:\n%s%s" % (res.stdout, res.stderr)
    return results


def facts(lab, args="", extra=()):
    result = adhoc(lab, HOST, args, extra)[HOST]
    assert result["_status"] == "SUCCESS" and result["changed"] is False, result
    return result["ansible_facts"]["sophos_reboot"]


def scenario(lab, name, delay=None):
    lab.sophos(HOST, name, delay=delay)


def test_clean(lab):
    scenario(lab, "clean")
    found = facts(lab)
    sophos = found["sophos"]
    assert (sophos["installed"], sophos["product"], sophos["reboot_required"]) == (True, "spl", False)
    assert sophos["version"] == lab.read(HOST, "/opt/sophos-spl/base/VERSION.ini").split("PRODUCT_VERSION = ")[1].split()[0]
    assert sophos["last_update_ok"] is True and sophos["last_update"]
    assert sophos["health"]["overall"] == "good"
    assert found["reboot_required"] is False and found["reasons"] == [] and found["read_errors"] == []
    assert found["os"]["boot_id"] == lab.boot_id(HOST)
    last_boot = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(lab.last_boot(HOST))))
    assert found["os"]["last_boot"] == last_boot


def test_update_failed(lab):
    scenario(lab, "update-failed")
    sophos = facts(lab)["sophos"]
    assert sophos["last_update_ok"] is False
    assert sophos["queued_update"]["suspected"] is False
    scenario(lab, "clean")
    assert facts(lab)["sophos"]["last_update_ok"] is True


def test_service_stopped(lab):
    scenario(lab, "service-stopped")
    health = facts(lab)["sophos"]["health"]
    assert health["overall"] == "bad"
    assert "stopped" in health["services"].values()
    scenario(lab, "clean")


def test_reboot_required(lab):
    scenario(lab, "reboot-required")
    found = facts(lab)
    assert found["sophos"]["reboot_required"] is True and found["reboot_required"] is True
    assert [r["id"] for r in found["reasons"]] == ["sophos_reboot_required"]
    assert found["os"]["reboot_required"] is False
    ignored = facts(lab, "ignore_reasons=sophos_reboot_required")
    assert ignored["reboot_required"] is False and ignored["ignored_reasons"] == ["sophos_reboot_required"]


def test_queued_update_before_and_after_the_first_restart(lab):
    """The vendor's case: restart, Sophos installs the queued update after boot and wants another restart."""
    scenario(lab, "queued-update", delay=2)
    playbook = """
- hosts: %(host)s
  gather_facts: false
  tasks:
    - name: Before the first restart
      fleetops.sophos.reboot_facts:
    - name: Keep the first reading
      ansible.builtin.set_fact:
        before: "{{ ansible_facts.sophos_reboot }}"
    - name: First restart
      ansible.builtin.reboot:
    - name: Wait for Sophos' post-boot update
      fleetops.sophos.reboot_facts:
      register: settle
      until: settle.ansible_facts.sophos_reboot.sophos.updated_since_boot and not settle.ansible_facts.sophos_reboot.sophos.updating
      retries: %(retries)d
      delay: 1
    - name: Record
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'before': before, 'after': ansible_facts.sophos_reboot} | to_json }}"
      delegate_to: localhost
""" % {"host": HOST, "retries": int(lab.wait)}  # a generous bound: the wait ends on the event
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "queued.yml")
        out = os.path.join(tmp, "out.json")
        with open(path, "w") as handle:
            handle.write(playbook)
        boot_before = lab.boot_id(HOST)
        lab.playbook(path, "-e", "out=%s" % out)
        with open(out) as handle:
            recorded = json.load(handle)
    before, after = recorded["before"], recorded["after"]
    assert before["reboot_required"] is True and before["sophos"]["queued_update"]["suspected"] is False
    assert after["os"]["boot_id"] != boot_before == before["os"]["boot_id"]
    assert after["sophos"]["reboot_required"] is True and after["sophos"]["updated_since_boot"] is True
    assert after["sophos"]["queued_update"]["suspected"] is True
    assert after["sophos"]["queued_update"]["evidence"][0].startswith("Sophos reboot flag set again after a restart")
    assert after["sophos"]["version"] != before["sophos"]["version"]
    # Second restart: the queue is empty, nothing stays pending.
    lab.ansible(HOST, "-m", "ansible.builtin.reboot")
    lab.wait_sim_boot(HOST)  # the simulator has handled the boot: what a restart clears is cleared
    assert facts(lab)["reboot_required"] is False


def test_os_reboot_required(lab):
    scenario(lab, "os-reboot-required")
    found = facts(lab)
    assert [r["id"] for r in found["reasons"]] == ["reboot_required_file"]
    assert "libc6" in found["reasons"][0]["detail"]
    assert found["os"]["reboot_required"] is True and found["sophos"]["reboot_required"] is False
    mtime = int(lab.ssh(HOST, "stat -c %Y /run/reboot-required").stdout)
    assert found["pending_since"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))
    assert found["pending_since_source"] == "source" and found["alert"] is False
    scenario(lab, "clean")


def test_absent(lab):
    scenario(lab, "absent")
    found = facts(lab)
    assert found["sophos"]["installed"] is False and found["sophos"]["product"] is None
    assert found["read_errors"] == []
    scenario(lab, "clean")


def test_adhoc_whole_inventory_and_bad_option(lab):
    results = adhoc(lab, "all")
    assert sorted(results) == sorted(lab.hosts)
    assert all(r["_status"] == "SUCCESS" and r["ansible_facts"]["sophos_reboot"]["schema"] == 2
               for r in results.values())
    boots = dict((h, lab.boot_count(h)) for h in lab.hosts)
    bad = adhoc(lab, "all", "alert_days=0")
    assert all(r["_status"] == "FAILED" and "alert_days must be greater than 0" in r["msg"] for r in bad.values())
    assert dict((h, lab.boot_count(h)) for h in lab.hosts) == boots


def test_check_mode_changes_nothing(lab):
    scenario(lab, "os-reboot-required")
    listing = "find /opt/sophos-spl /run/reboot-required -newermt '-1 day' -printf '%p %T@\\n' | sort"
    before = lab.ssh(HOST, listing).stdout
    res = lab.ansible(HOST, "-m", "fleetops.sophos.reboot_facts", "--check")
    assert "SUCCESS" in res.stdout and '"changed": false' in res.stdout
    assert lab.ssh(HOST, listing).stdout == before
    scenario(lab, "clean")


def test_unreadable_sophos_dir_as_a_user_without_become_is_unknown(lab):
    """A 0700 Sophos directory read by the ordinary user `fleetops`: not "nothing pending", but unknown."""
    scenario(lab, "reboot-required")
    assert lab.ssh(HOST, "chmod 0700 /opt/sophos-spl").returncode == 0
    try:
        found = facts(lab, extra=("-e", "ansible_user=fleetops"))
        whoami = lab.ansible(HOST, "-e", "ansible_user=fleetops", "-m", "ansible.builtin.command", "-a", "id -un")
        assert "fleetops" in whoami.stdout.splitlines()[-1]
        assert lab.ssh(HOST, "stat -c %a /opt/sophos-spl").stdout.strip() == "700"
        as_root = facts(lab, extra=("-e", "ansible_user=fleetops", "--become"))
    finally:
        lab.ssh(HOST, "chmod 0755 /opt/sophos-spl")
        scenario(lab, "clean")
    assert found["sophos"]["installed"] is True
    assert found["reboot_required"] is None and found["sophos"]["reboot_required"] is None
    assert found["reasons"] == [] and found["pending_since"] is None
    [error] = [e for e in found["read_errors"] if e["source"] == "spl:/opt/sophos-spl"]
    assert "permission denied" in error["error"] and "ALC_status.xml" in error["error"]
    assert "become" in error["hint"]
    assert found["unknown_sources"] == ["spl:/opt/sophos-spl"]
    # With become the same host reads in full, and the restart Sophos wants is there.
    assert as_root["reboot_required"] is True and as_root["read_errors"] == []
    assert [r["id"] for r in as_root["reasons"]] == ["sophos_reboot_required"]


def test_fresh_install_until_the_restart(lab):
    """Sophos installed after the last boot wants a restart; the restart clears it."""
    boot_before = lab.boot_id(HOST)
    scenario(lab, "fresh-install")
    found = facts(lab)
    mtime = int(lab.ssh(HOST, "stat -c %Y /opt/sophos-spl/base/etc/machine_id.txt").stdout)
    assert mtime > lab.last_boot(HOST)
    assert [r["id"] for r in found["reasons"]] == ["sophos_installed_since_boot"]
    assert found["reboot_required"] is True and found["sophos"]["reboot_required"] is True
    sophos = found["sophos"]
    assert sophos["installed_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))
    assert sophos["installed_at_source"] == "spl:base/etc/machine_id.txt (mtime)"
    assert sophos["installed_since_boot"] is True
    assert found["pending_since"] == sophos["installed_at"] and found["pending_since_source"] == "source"
    lab.ansible(HOST, "-m", "ansible.builtin.reboot")
    after = facts(lab)
    assert after["os"]["boot_id"] != boot_before
    assert after["reasons"] == [] and after["reboot_required"] is False
    assert after["sophos"]["installed_since_boot"] is False
    assert after["sophos"]["installed_at"] == sophos["installed_at"]
