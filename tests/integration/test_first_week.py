"""A sysadmin's first week (issue 16), on lab hosts: what a new user meets first.

Mixed inventories with a Windows host, window ends that are past or relative, typos in extra
variables, a pattern that matches nothing, excluded hosts, pending ages kept by a fact cache,
unreachable hosts counted as unreachable.
"""
import datetime
import json
import os
import re
import socket
import subprocess
from zoneinfo import ZoneInfo

import pytest

from conftest import VENV_BIN, Lab

pytestmark = pytest.mark.lab

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAINTENANCE = os.path.join(REPO, "playbooks", "maintenance.yml")
FACTS = os.path.join(REPO, "playbooks", "facts.yml")
# A short settle (its poll ends on the simulator's evidence); the restart timeout is the lab's, an upper bound
# for a loaded machine, never a figure the tests wait out.
FAST = {"reboot_cycle_settle_minutes": 0.4, "reboot_cycle_poll_seconds": 2, "reboot_cycle_reboot_timeout": Lab.reboot_timeout}


def closed_port():
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def play(lab, playbook, tmp_path, variables, inventories=(), env=None, args=()):
    variables = dict({"report_dir": str(tmp_path / "report")}, **variables)
    # A check run's report is marked in its name and never replaces the latest real one.
    report = tmp_path / "report" / ("sophos-report-check.json" if "--check" in args else "sophos-report.json")
    if report.exists():
        report.unlink()
    command = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", lab.inventory]
    for inventory in inventories:
        command += ["-i", str(inventory)]
    command += [playbook, "-e", json.dumps(variables)] + list(args)
    res = subprocess.run(command, env=dict(lab._ansible_env(), **(env or {})), text=True, capture_output=True,
                         cwd=REPO, check=False, timeout=900)
    return res, (json.loads(report.read_text()) if report.exists() else None)


def rows(report):
    assert report is not None, "no report was written"
    return dict((row["host"], row) for row in report["hosts"])


def recap(res, host):
    match = re.search(r"^%s\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)" % re.escape(host),
                      res.stdout, re.M)
    assert match, res.stdout[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


@pytest.fixture()
def winrm_inventory(tmp_path):
    path = tmp_path / "windows.ini"
    path.write_text("[windows]\nwin-closed ansible_host=127.0.0.1 ansible_port=%d\n\n[windows:vars]\n"
                    "ansible_connection=winrm\nansible_winrm_transport=ntlm\nansible_winrm_scheme=http\n"
                    "ansible_user=Administrator\nansible_password=not-a-secret\n"
                    "ansible_winrm_connection_timeout=5\nansible_winrm_read_timeout_sec=10\n" % closed_port())
    return path


# ---------------------------------------------------------------- 1, 11: Windows in a mixed inventory

@pytest.mark.parametrize("mode", ["check", "real"])
def test_mixed_inventory_windows_host_is_unreachable_never_a_become_error(lab, tmp_path, winrm_inventory, mode):
    host = lab.hosts[0]
    lab.sophos(host, "clean")
    before = lab.boot_id(host)
    res, report = play(lab, MAINTENANCE, tmp_path, dict(FAST, maintenance_hosts="%s:windows" % host,
                                                        patch_enabled=False),
                       inventories=[winrm_inventory], args=("--check",) if mode == "check" else ())
    out = res.stdout + res.stderr
    assert "Become plugin" not in out and "become method" not in out, out[-3000:]
    assert res.returncode != 0
    assert rows(report)["win-closed"]["status"] == "unreachable"
    assert rows(report)[host]["status"] == "ok"
    # Counted as unreachable in the recap (AWX reads it), not as failed.
    assert recap(res, "win-closed")["unreachable"] == 1 and recap(res, "win-closed")["failed"] == 0
    assert recap(res, host)["failed"] == 0 and recap(res, host)["unreachable"] == 0
    assert lab.boot_id(host) == before


def test_facts_mixed_inventory_escalates_linux_only(lab, tmp_path, winrm_inventory):
    host = lab.hosts[0]
    lab.sophos(host, "reboot-required")
    try:
        # As the lab's sudo user: Ansible skips a become from root to root, so only this shows it.
        res, report = play(lab, FACTS, tmp_path, {"facts_hosts": "%s:windows" % host, "ansible_user": "fleetops"},
                           inventories=[winrm_inventory], args=("-vvv",))
    finally:
        lab.sophos(host, "clean")
    assert "Become plugin" not in res.stdout + res.stderr
    assert rows(report)["win-closed"]["status"] == "unreachable"
    assert rows(report)[host]["reboot_required"] is True
    assert recap(res, "win-closed")["unreachable"] == 1 and recap(res, "win-closed")["failed"] == 0
    assert re.search(r"sudo -H -S -n\s+-u root", res.stdout), "the Linux host was not escalated"


def test_facts_become_can_be_switched_off(lab, tmp_path):
    host = lab.hosts[0]
    res = play(lab, FACTS, tmp_path, {"facts_hosts": host, "facts_become": "false", "ansible_user": "fleetops"},
               args=("-vvv",))[0]
    assert "ESTABLISH SSH CONNECTION FOR USER: fleetops" in res.stdout, res.stdout[-3000:]
    assert not re.search(r"sudo -H -S -n", res.stdout)


# ---------------------------------------------------------------- 3: window ends

def test_a_window_end_already_past_fails_the_run_before_any_host_is_touched(lab, tmp_path):
    host = lab.hosts[1]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    try:
        res, report = play(lab, MAINTENANCE, tmp_path, dict(FAST, maintenance_hosts=host,
                                                            reboot_cycle_window_end="2025-12-01T06:00:00+01:00"))
    finally:
        lab.sophos(host, "clean")
    assert res.returncode != 0
    assert "reboot_cycle_window_end '2025-12-01T06:00:00+01:00' ended at 2025-12-01T05:00:00Z, before this run " \
           "started" in res.stdout, res.stdout[-3000:]
    assert "Read the restart state" not in res.stdout, "a host was contacted"
    assert report is None
    assert lab.boot_id(host) == before


def window_line(res, given):
    # The run check's one line: "window run start\u2013<given> = <start>\u2013<end>; run started <start>[; blackouts:
    # ...]" (the dash as the callback writes it, itself or escaped).
    dash = r"(?:\u2013|\\u2013)"
    found = re.search(r"window run start%s%s = \S+?%s(\S+?); run started (\S+?)(?:;|\")" % (dash, re.escape(given), dash),
                      res.stdout)
    assert found, res.stdout[-3000:]
    return [datetime.datetime.fromisoformat(text.rstrip(")").replace("Z", "+00:00")) for text in found.groups()]


def test_relative_window_ends(lab, tmp_path):
    host = lab.hosts[1]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    try:
        # One minute from the run's start: a restart (up to 60 s + 24 s settle) never fits.
        res, report = play(lab, MAINTENANCE, tmp_path, dict(FAST, maintenance_hosts=host, patch_enabled=False,
                                                            reboot_cycle_window_end="+1m"))
        assert res.returncode == 0, res.stdout[-3000:]
        end, begin = window_line(res, "+1m")
        assert end - begin == datetime.timedelta(minutes=1)
        assert rows(report)[host]["status"] == "deferred"
        assert lab.boot_id(host) == before
        # ISO 8601 duration, check run: counted from the run's start.
        res, report = play(lab, MAINTENANCE, tmp_path, dict(FAST, maintenance_hosts=host, patch_enabled=False,
                                                            reboot_cycle_window_end="PT2H"), args=("--check",))
        end, begin = window_line(res, "PT2H")
        assert end - begin == datetime.timedelta(hours=2)
        assert rows(report)[host]["maintenance"]["would_reboot"] is True
        # A time of day that has just passed in Berlin: its next occurrence is tomorrow, ~24 h away,
        # more than maintenance_window_max_hours (12): a relaunched job is refused before any host
        # is touched, the message saying how to mean it.
        berlin = ZoneInfo("Europe/Berlin")
        given = (datetime.datetime.now(berlin) - datetime.timedelta(minutes=2)).strftime("%H:%M") + " Europe/Berlin"
        res, report = play(lab, MAINTENANCE, tmp_path, dict(FAST, maintenance_hosts=host, patch_enabled=False,
                                                            reboot_cycle_window_end=given))
        assert res.returncode == 2, res.stdout[-3000:]
        assert re.search(r"^problem: reboot_cycle_window_end '%s' is a time of day whose next occurrence, .* is "
                         r"23h\d\dm after this run started .* more than maintenance_window_max_hours \(12\)"
                         % re.escape(given), res.stdout, re.M), res.stdout[-3000:]
        assert report is None and lab.boot_id(host) == before
        # Meant, with the limit raised: the restart fits and is made (the end stays ~24 h away).
        res, report = play(lab, MAINTENANCE, tmp_path, dict(FAST, maintenance_hosts=host, patch_enabled=False,
                                                            reboot_cycle_window_end=given,
                                                            maintenance_window_max_hours=24))
        assert res.returncode == 0, res.stdout[-3000:]
        end, begin = window_line(res, given)
        assert datetime.timedelta(hours=23) < end - begin < datetime.timedelta(hours=24)
        assert end.astimezone(berlin).strftime("%H:%M") == given.split()[0]
        assert rows(report)[host]["status"] == "rebooted"
        assert lab.boot_id(host) != before
    finally:
        lab.sophos(host, "clean")


# ---------------------------------------------------------------- 4: pending age across runs

def test_a_fact_cache_keeps_a_first_seen_pending_age(lab, tmp_path):
    host = lab.hosts[2]
    lab.sophos(host, "reboot-required")
    cache = {"ANSIBLE_CACHE_PLUGIN": "ansible.builtin.jsonfile",
             "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(tmp_path / "facts-cache"), "ANSIBLE_CACHE_PLUGIN_TIMEOUT": "0"}
    try:
        first = [play(lab, FACTS, tmp_path, {"facts_hosts": host}, env=cache)[1] for run in (1, 2)]
        uncached = play(lab, FACTS, tmp_path / "nocache", {"facts_hosts": host})[1]
    finally:
        lab.sophos(host, "clean")
    one, two = (rows(report)[host] for report in first)
    assert one["pending_since_source"] == "first_seen" and one["pending_since"]
    assert two["pending_since"] == one["pending_since"], "the cache did not keep the first sighting"
    assert rows(uncached)[host]["pending_since"] >= one["pending_since"]
    markdown = (tmp_path / "report" / "sophos-report.md").read_text()
    assert re.search(r"\| %s \| [^|]+ \| [\d.]+ \(since first seen\) \|" % re.escape(host), markdown), markdown


# ---------------------------------------------------------------- 5: typos and empty patterns

def test_typos_stop_the_run_each_named_once_with_the_closest_known_variable(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "clean")
    res, report = play(lab, MAINTENANCE, tmp_path, dict(FAST, maintenance_hosts=host, patch_enabled=False,
                                                        reboot_cycle_max_cycle=3, patch_exlude="x",
                                                        report_zzzzzzzzzz="y"), args=("--check",))
    assert res.returncode == 2, res.stdout[-3000:]
    out = res.stdout + res.stderr
    for line in ("problem: unknown variable reboot_cycle_max_cycle (did you mean reboot_cycle_max_cycles?): ",
                 "problem: unknown variable patch_exlude (did you mean patch_exclude?): ",
                 "problem: unknown variable report_zzzzzzzzzz: "):
        assert out.count(line) == 1, (line, out[-3000:])
    assert "list it in maintenance_allow_variables" in out
    assert "3 problem(s) in the settings" in out
    assert report is None
    # Listed as meant, the same variables pass (the facts playbook has its own list).
    res, report = play(lab, FACTS, tmp_path, dict(facts_hosts=host, reboot_cycle_max_cycle=3, patch_exlude="x",
                                                  facts_allow_variables="reboot_cycle_max_cycle,patch_exlude"))
    assert res.returncode == 0, res.stdout[-3000:]
    assert rows(report)[host]["status"] == "ok"


@pytest.mark.parametrize("playbook,variable", [(MAINTENANCE, "maintenance_hosts"), (FACTS, "facts_hosts")])
def test_a_pattern_that_matches_no_host_fails(lab, tmp_path, playbook, variable):
    res, report = play(lab, playbook, tmp_path, {variable: "ux-9"})
    assert res.returncode != 0
    assert "no host matches %s='ux-9'" % variable in res.stdout + res.stderr
    assert report is None


# ---------------------------------------------------------------- 10: excluding a host

def test_an_excluded_host_is_reported_deferred_and_never_touched(lab, tmp_path):
    excluded, other = lab.hosts[1], lab.hosts[2]
    for host in (excluded, other):
        lab.sophos(host, "os-reboot-required")
    before = {h: lab.boot_id(h) for h in (excluded, other)}
    extra = tmp_path / "exclude.ini"
    extra.write_text('[frozen]\n%s maintenance_exclude=yes maintenance_exclude_reason="change freeze"\n' % excluded)
    try:
        res, report = play(lab, MAINTENANCE, tmp_path, dict(FAST, maintenance_hosts="%s:%s" % (excluded, other),
                                                            patch_enabled=False), inventories=[extra])
    finally:
        for host in (excluded, other):
            lab.sophos(host, "clean")
    assert res.returncode == 0, res.stdout[-3000:]
    row = rows(report)[excluded]
    assert row["status"] == "deferred" and not row["attention"]
    assert row["maintenance"]["message"] == "excluded (maintenance_exclude): change freeze"
    assert row["reboot_required"] is True, "the excluded host is still read and reported"
    assert lab.boot_id(excluded) == before[excluded]
    assert rows(report)[other]["status"] == "rebooted" and lab.boot_id(other) != before[other]
    assert recap(res, excluded)["changed"] == 0 and recap(res, excluded)["failed"] == 0
