"""The report role's default report_dir is one per controller user (HOME) and inventory (issue 21): two
estates run from one account never share a directory, its history or its latest report. No lab needed."""
import glob
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("FLEETOPS_ANSIBLE_BIN") or os.path.dirname(sys.executable)

PLAYBOOK = """
- name: Report on the controller only
  hosts: localhost
  gather_facts: false
  roles:
    - role: fleetops.sophos.report
      report_formats: [json]
"""


def report_run(tmp_path, home, inventory):
    env = dict(os.environ, HOME=str(home), ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".venv", "collections"))
    playbook = tmp_path / "report.yml"
    playbook.write_text(PLAYBOOK)
    res = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", str(inventory), str(playbook)], cwd=str(tmp_path),
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    return res


def test_the_default_report_dir_is_per_user_and_inventory(tmp_path):
    (tmp_path / "prod").mkdir()
    (tmp_path / "test").mkdir()
    for name in ("prod", "test"):
        (tmp_path / name / "hosts.ini").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n"
                                                   % sys.executable)
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    for home in (alice, bob):
        home.mkdir()
    report_run(tmp_path, alice, tmp_path / "prod" / "hosts.ini")
    report_run(tmp_path, alice, tmp_path / "test" / "hosts.ini")
    res = report_run(tmp_path, bob, tmp_path / "prod")
    dirs = sorted(os.path.relpath(os.path.dirname(path), str(tmp_path))
                  for path in glob.glob(str(tmp_path / "*" / "fleetops-sophos-reports" / "*" / "sophos-report.json")))
    assert len(dirs) == 3, dirs
    alice_dirs = [d for d in dirs if d.startswith("alice/")]
    assert len(alice_dirs) == 2 and all(d.startswith("alice/fleetops-sophos-reports/hosts.ini-") for d in alice_dirs)
    bob_dir = [d for d in dirs if d.startswith("bob/")]
    assert len(bob_dir) == 1 and bob_dir[0].startswith("bob/fleetops-sophos-reports/prod-"), dirs
    assert "report: %s/" % (tmp_path / bob_dir[0]) in res.stdout
