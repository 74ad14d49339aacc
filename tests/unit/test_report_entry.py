"""The maintenance playbook's report step, as playbooks/tasks/maintenance_run.yml writes it, over a few local hosts.

The role's tasks all run once, on the controller; ansible-core adds a check of the role's argument spec before
them. The playbook includes the role once (run_once), so that check runs once, not on every host of the batch
(at 5,000 hosts, minutes of controller time): these tests run the task as the file has it, with no lab.
"""
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TASKS = os.path.join(ROOT, "playbooks", "tasks", "maintenance_run.yml")
CHECK = "Validating arguments against arg spec 'main'"


def report_task():
    tasks = yaml.safe_load(open(TASKS))
    return [task for task in tasks if task.get("name") == "Write the report of the run so far"][0]


def run_play(tmp_path, extra):
    hosts = dict(("web%d" % index, {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                                    "maintenance_result": {"failed": False, "unreachable": False, "msg": None}})
                 for index in range(1, 4))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}))
    play = [{
        "name": "The report step of a maintenance batch",
        "hosts": "all",
        "gather_facts": False,
        "vars": {"_maintenance_playbook": "maintenance"},
        "tasks": [
            {"name": "Note when the run started, as the run start does (registered on every host of the batch)",
             "ansible.builtin.set_fact": {"_maintenance_start": {"start": {"run_started": "2026-12-07T02:00:00Z"}}},
             "run_once": True},
            report_task(),
        ],
    }]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".venv", "collections"),
               ANSIBLE_INVENTORY_ENABLED="yaml", ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_RETRY_FILES_ENABLED="False")
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    # ansible-playbook of the Python running the tests (`python -m ansible playbook`): the mutation venv, which
    # sees the project venv's packages, has no ansible-playbook script of its own.
    argv = [sys.executable, "-m", "ansible", "playbook", "-i", str(inventory), str(playbook),
            "-e", json.dumps(dict({"report_dir": str(tmp_path / "reports")}, **extra))]
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return proc.returncode, proc.stdout


def check_results(output):
    """The result lines (ok/fatal/...) of the argument check's task."""
    lines, inside = [], False
    for line in output.splitlines():
        if line.startswith("TASK ["):
            inside = CHECK in line
        elif inside and line.split(":", 1)[0] in ("ok", "fatal", "failed", "skipping", "changed"):
            lines.append(line)
    return lines


def test_the_report_step_checks_its_arguments_once_and_writes_the_report(tmp_path):
    status, output = run_play(tmp_path, {})
    assert status == 0, output
    results = check_results(output)
    assert len(results) == 1 and results[0].startswith("ok: [web1"), output
    written = sorted(os.listdir(str(tmp_path / "reports")))
    assert "sophos-report.json" in written and "index.html" in written
    report = json.load(open(str(tmp_path / "reports" / "sophos-report.json")))
    assert [row["host"] for row in report["hosts"]] == ["web1", "web2", "web3"]


def test_a_bad_report_setting_is_named_once_and_nothing_is_written(tmp_path):
    status, output = run_play(tmp_path, {"report_set_stats": "maybe", "report_max_text": "lots"})
    assert status != 0
    results = check_results(output)
    assert len(results) == 1 and results[0].startswith("fatal: [web1]: FAILED! => "), output
    message = json.loads(results[0].split(" => ", 1)[1])["msg"]
    assert message.startswith("Validation of arguments failed:"), message
    # Each bad setting on a line of its own, named (the wording around it is ansible-core's, and varies).
    lines = sorted(message.splitlines()[1:])
    assert len(lines) == 2, message
    assert lines[0].startswith("argument 'report_max_text' is of type") and "unable to convert to int" in lines[0]
    assert lines[1].startswith("argument 'report_set_stats' is of type") and "unable to convert to bool" in lines[1]
    assert not os.path.exists(str(tmp_path / "reports")) or not os.listdir(str(tmp_path / "reports"))
