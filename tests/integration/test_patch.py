"""fleetops.sophos.patch on lab hosts: a real apt upgrade of a package built here, from the lab repo."""
import json

import pytest

pytestmark = pytest.mark.lab

PACKAGE = "fleetops-patch-demo"

PLAYBOOK = """
- name: Patch under test
  hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - name: Patch
      ansible.builtin.include_role:
        name: fleetops.sophos.patch
    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ sophos_patch | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
      delegate_to: localhost
      check_mode: false
      changed_when: false
"""


def installed_version(lab, host):
    return lab.installed_version(host, PACKAGE)


def apt_history(lab, host):
    """What apt did on HOST lately, for a failure's message: which command installed what, and when."""
    return lab.ssh(host, "tail -n 30 /var/log/apt/history.log").stdout


def run_patch(lab, tmp_path, host, extra=None, check=False):
    playbook = tmp_path / "patch.yml"
    playbook.write_text(PLAYBOOK)
    out = tmp_path / "patch.json"
    variables = dict(target=host, out=str(out), **(extra or {}))
    res = lab.playbook(str(playbook), "-e", json.dumps(variables), *(["--check"] if check else []))
    return json.loads(out.read_text()), res


@pytest.fixture
def repo(lab, tmp_path):
    lab.unpublish_debs(PACKAGE)
    lab.publish_deb(PACKAGE, "1.0", tmp_path)
    host = lab.hosts[0]
    res = lab.ssh(host, "apt-get update -qq && apt-get install -y -qq %s" % PACKAGE, timeout=120)
    assert res.returncode == 0, res.stderr
    assert installed_version(lab, host) == "1.0", apt_history(lab, host)
    lab.publish_deb(PACKAGE, "2.0", tmp_path)
    yield host
    lab.ssh(host, "apt-get purge -y -qq %s" % PACKAGE, timeout=120)
    lab.unpublish_debs(PACKAGE)


def test_patch_upgrades_and_records(lab, tmp_path, repo):
    host = repo
    before = lab.boot_id(host)
    record = run_patch(lab, tmp_path, host, check=True)[0]
    assert installed_version(lab, host) == "1.0", apt_history(lab, host)
    assert record["status"] == "unchanged" and record["check_mode"]
    assert "%s 1.0 -> 2.0" % PACKAGE in record["would_install"]

    # The second half is what an AWX survey sends: strings, and a text area with one entry per line.
    for extra in ({"patch_exclude": ["fleetops-patch-*"]}, {"patch_security_only": True},
                  {"patch_exclude": "bash\nfleetops-patch-*\n"}, {"patch_security_only": "True"},
                  {"patch_enabled": False}, {"patch_enabled": "false"}):
        record = run_patch(lab, tmp_path, host, extra)[0]
        assert installed_version(lab, host) == "1.0", extra
        assert not any(c.startswith(PACKAGE) for c in record["changes"]), extra
    assert record["status"] == "skipped"

    record, res = run_patch(lab, tmp_path, host)
    assert installed_version(lab, host) == "2.0"
    assert record["status"] == "patched" and record["manager"] == "apt"
    assert "%s 1.0 -> 2.0" % PACKAGE in record["changes"]
    assert lab.boot_id(host) == before, "patching must never restart"

    record = run_patch(lab, tmp_path, host)[0]
    assert not any(c.startswith(PACKAGE) for c in record["changes"])
