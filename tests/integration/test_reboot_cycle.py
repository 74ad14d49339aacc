"""fleetops.sophos.reboot_cycle on lab hosts: real restarts, checked by boot ids.

The settle ends on Sophos' evidence (the simulator's post-boot update, 5 s after boot by default),
so its interval is only a generous bound (``lab.settle_minutes``), as is the restart timeout
(``lab.reboot_timeout``): a loaded machine makes the suite slower, not red. Faults are made on an
event of the run (a progress line of the cycle), never after a delay; nothing asserts on time.
"""
import collections
import datetime
import json
import re
import subprocess

import pytest

pytestmark = pytest.mark.lab


def fast(lab):
    """Settings that keep the suite short: readings every 2 s; bounds from the lab (see conftest)."""
    return {"reboot_cycle_settle_minutes": lab.settle_minutes, "reboot_cycle_poll_seconds": 2,
            "reboot_cycle_reboot_timeout": lab.reboot_timeout}


PLAYBOOK = """
- name: Reboot cycle under test
  hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - name: Run the role, keeping each host's result even when it fails
      block:
        - name: Reboot cycle
          ansible.builtin.include_role:
            name: fleetops.sophos.reboot_cycle
      always:
        - name: Write the result
          ansible.builtin.copy:
            content: "{{ sophos_reboot_cycle | default(none) | to_json }}"
            dest: "{{ out }}/{{ inventory_hostname }}.json"
            mode: "0600"
          delegate_to: localhost
          check_mode: false
          changed_when: false
"""


Run = collections.namedtuple("Run", "results res fired")


def run_cycle(lab, tmp_path, target, extra=None, check=False, expect_rc=0, on_line=()):
    """The cycle on TARGET; ON_LINE: (pattern, action) pairs fired on the run's output lines."""
    playbook = tmp_path / "cycle.yml"
    playbook.write_text(PLAYBOOK)
    out = tmp_path / "results"
    out.mkdir(exist_ok=True)
    for stale in out.iterdir():
        stale.unlink()
    variables = dict(fast(lab), target=target, out=str(out))
    variables.update(extra or {})
    args = [str(playbook), "-e", json.dumps(variables)] + (["--check"] if check else [])
    res, fired = lab.watch_playbook(*args, on_line=on_line)
    assert res.returncode == expect_rc, "rc %d, expected %d:\n%s%s" % (res.returncode, expect_rc,
                                                                       res.stdout[-6000:], res.stderr)
    results = {path.stem: json.loads(path.read_text()) for path in out.iterdir()}
    return Run(results, res, fired)


def recap(res, host):
    match = re.search(r"^%s\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)"
                      % re.escape(host), res.stdout, re.M)
    assert match, res.stdout[-3000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def test_nothing_pending_no_restart(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "clean")
    before = lab.boot_id(host)
    results, res = run_cycle(lab, tmp_path, host)[:2]
    assert lab.boot_id(host) == before
    assert results[host]["status"] == "ok" and results[host]["restarts"] == 0
    assert recap(res, host)["changed"] == 0


def test_os_reboot_required_one_restart_then_nothing(lab, tmp_path):
    host = lab.hosts[1]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    results, res = run_cycle(lab, tmp_path, host)[:2]
    after = lab.boot_id(host)
    record = results[host]
    assert after != before
    assert record["status"] == "rebooted" and record["restarts"] == 1
    assert [b["boot_id"] for b in record["boots"]] == [before, after]
    assert record["reasons_before"] == ["reboot_required_file"] and record["reasons_after"] == []
    assert recap(res, host)["changed"] == 1
    # The same run again changes nothing and restarts nothing.
    results, res = run_cycle(lab, tmp_path, host)[:2]
    assert lab.boot_id(host) == after
    assert results[host]["status"] == "ok" and recap(res, host)["changed"] == 0


def test_queued_update_two_restarts_poll_ends_early(lab, tmp_path):
    host = lab.hosts[2]
    lab.sophos(host, "queued-update", delay=5)
    first = lab.boot_id(host)
    boots = lab.boot_count(host)
    results = run_cycle(lab, tmp_path, host).results
    record = results[host]
    assert lab.boot_count(host) == boots + 2
    assert record["status"] == "rebooted" and record["restarts"] == 2
    ids = [b["boot_id"] for b in record["boots"]]
    assert ids[0] == first and ids[-1] == lab.boot_id(host) and len(set(ids)) == 3
    settle = record["settles"][0]
    # The queued update installs 5 s after boot and asks for a restart again: the settle ends on
    # that event, not by its interval (which would be "interval").
    assert settle["ended"] == "reboot_required" and settle["seconds"] < lab.settle_minutes * 60, settle


def test_queued_twice_still_pending_fails_clearly(lab, tmp_path):
    host = lab.hosts[3]
    lab.sophos(host, "queued-twice", delay=3)
    boots = lab.boot_count(host)
    results, res = run_cycle(lab, tmp_path, host, {"reboot_cycle_max_cycles": 2}, expect_rc=2)[:2]
    record = results[host]
    assert lab.boot_count(host) == boots + 2
    assert record["status"] == "still_pending" and record["restarts"] == 2
    assert "still pending after 2 restart(s)" in record["message"]
    assert "still_pending: still pending after 2 restart(s)" in res.stdout


def test_check_mode_restarts_nothing(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "os-reboot-required")
    before, boots = lab.boot_id(host), lab.boot_count(host)
    results, res = run_cycle(lab, tmp_path, host, check=True)[:2]
    assert lab.boot_id(host) == before and lab.boot_count(host) == boots
    record = results[host]
    assert record["check_mode"] and record["would_reboot"] and record["restarts"] == 0
    # Check mode reports the restart it would make as a change, and makes none.
    assert recap(res, host)["changed"] == 1


def test_window_too_short_defers(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    # 10 minutes left (more than any start-up of the run takes), and a restart is expected to take 15
    # plus the settle: the guard defers without restarting.
    end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)).isoformat()
    results = run_cycle(lab, tmp_path, host, {"reboot_cycle_window_end": end,
                                              "reboot_cycle_restart_expected_minutes": 15}).results
    assert lab.boot_id(host) == before
    assert results[host]["status"] == "deferred" and "left before the window ends" in results[host]["message"]


def test_bad_window_fails_before_any_change(lab, tmp_path):
    host = lab.hosts[0]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    res = run_cycle(lab, tmp_path, host, {"reboot_cycle_window_end": "tomorrow 6am"}, expect_rc=2).res
    assert lab.boot_id(host) == before
    assert "window_end 'tomorrow 6am' is not a window end; write an ISO 8601 date-time" in res.stdout


POWEROFF_HOOK = """
- name: Power the host off as it comes back (a host lost mid-cycle)
  ansible.builtin.copy:
    dest: /etc/systemd/system/fleetops-test-poweroff.service
    mode: "0644"
    content: |
      [Unit]
      DefaultDependencies=no
      Before=ssh.service sysinit.target
      [Service]
      Type=oneshot
      ExecStart=/bin/rm -f /etc/systemd/system/sysinit.target.wants/fleetops-test-poweroff.service
      ExecStart=/bin/systemctl --no-block poweroff
  when: inventory_hostname == lost

- name: Enable it for the next boot only
  ansible.builtin.file:
    src: /etc/systemd/system/fleetops-test-poweroff.service
    dest: /etc/systemd/system/sysinit.target.wants/fleetops-test-poweroff.service
    state: link
  when: inventory_hostname == lost
"""


def test_host_lost_mid_cycle_fails_alone(lab, tmp_path):
    lost = lab.hosts[3]
    for host in lab.hosts:
        lab.sophos(host, "os-reboot-required")
    hook = tmp_path / "before_restart.yml"
    hook.write_text(POWEROFF_HOOK)
    before = {h: lab.boot_id(h) for h in lab.hosts}
    # The lost host's timeout is short: it is powered off and never answers, so its length only sets how
    # long the run waits for it. The hosts that do come back keep the lab's generous one (a loaded machine).
    timeout = 20
    per_host = "{{ %d if inventory_hostname == lost else %d }}" % (timeout, lab.reboot_timeout)
    try:
        results, res = run_cycle(
            lab, tmp_path, "lab", {"lost": lost, "reboot_cycle_reboot_timeout": per_host,
                                   "reboot_cycle_before_restart_tasks": str(hook)}, expect_rc=2)[:2]
        assert lab.status()[lost]["state"] == "down"
    finally:
        lab.up()
    # The event, not the time: the record says the host did not come back within the restart
    # timeout (the wait was that restart's, not another), and every other host finished its cycle.
    record = results[lost]
    assert record["status"] == "failed" and record["unreachable"] is True, record
    assert "did not come back from restart 1 within %d s" % timeout in record["message"], record["message"]
    assert recap(res, lost)["failed"] == 1
    for host in lab.hosts[:3]:
        assert results[host]["status"] == "rebooted", results[host]
        assert lab.boot_id(host) != before[host]
        assert recap(res, host)["failed"] == 0 and recap(res, host)["unreachable"] == 0


SETTLING = r"^%s: reboot_cycle settle after restart 1 \(fixed\): "


def in_netns(lab, host, *argv):
    """Run ARGV in HOST's network namespace from the controller: a link fault made from outside, so it
    does not depend on a session to the host that the fault itself cuts."""
    res = subprocess.run(["ip", "netns", "exec", host] + list(argv), capture_output=True, text=True,
                         check=False, timeout=lab.wait)
    assert res.returncode == 0, "%s in %s: %s" % (" ".join(argv), host, res.stderr)


def test_network_blip_while_settling_is_tolerated(lab, tmp_path):
    """A reading that fails while settling (the link is down longer than the SSH keepalive allows)
    is read again after the poll interval; the cycle goes on once the host answers. The link goes
    down when the cycle prints its first settle line and comes back when it reports the failed
    reading: both are events of the run, so the fault falls inside the settle at any speed."""
    host = lab.hosts[1]
    lab.sophos(host, "os-reboot-required")
    boots = lab.boot_count(host)
    try:
        run = run_cycle(lab, tmp_path, host, {
            # fixed: the settle cannot end on evidence before the blip; long enough to hold a
            # failed reading (keepalive ~9 s) and the next one on a loaded machine
            "reboot_cycle_settle_mode": "fixed", "reboot_cycle_settle_minutes": 2},
            on_line=[(SETTLING % re.escape(host), lambda _l: in_netns(lab, host, "ip", "link", "set", "eth0", "down")),
                     (r"settle reading failed \(1 in a row", lambda _l: in_netns(lab, host, "ip", "link", "set", "eth0", "up"))])
    finally:
        in_netns(lab, host, "ip", "link", "set", "eth0", "up")
    record = run.results[host]
    assert len(run.fired) == 2, "the blip was not made and seen while settling: %s\n%s" % (
        run.fired, run.res.stdout[-4000:])
    assert lab.boot_count(host) == boots + 1
    assert record["status"] == "rebooted" and not record["unreachable"], record
    assert re.search(r"settle reading failed \(1 in a row", run.res.stdout), run.res.stdout[-4000:]
    assert record["settles"][0]["ended"] == "interval"


def test_host_lost_while_settling_is_recorded_as_unreachable(lab, tmp_path):
    """While a host shuts down its readings may fail before it stops answering: the retries
    outlast the shutdown, so the last reading is the unreachable one. The power-off is made when the
    cycle prints its first settle line (an event, not a delay); the fixed settle is far longer than
    the run, so it cannot end before the host is gone, whatever the machine's speed."""
    host = lab.hosts[2]
    lab.sophos(host, "os-reboot-required")

    def power_off(_line):
        res = lab.ssh(host, "systemctl --no-block poweroff", timeout=lab.wait)
        assert res.returncode in (0, 255), res.stderr  # 255: the session went with the host

    try:
        # 15 retries 2 s apart: the shutdown of a loaded host ends well within them
        run = run_cycle(lab, tmp_path, host, {
            "reboot_cycle_settle_mode": "fixed", "reboot_cycle_settle_minutes": 60, "reboot_cycle_poll_retries": 15},
            expect_rc=2, on_line=[(SETTLING % re.escape(host), power_off)])
        assert lab.status()[host]["state"] == "down"
    finally:
        lab.up()
    results, res = run.results, run.res
    assert run.fired, "the cycle never printed its settle line:\n" + res.stdout[-4000:]
    record = results[host]
    assert record["status"] == "failed" and record["unreachable"] is True, record["message"]
    assert "the host stayed unreachable while settling after restart 1" in record["message"]
    assert record["restarts"] == 1
    assert recap(res, host)["failed"] == 1


@pytest.mark.long
def test_long_fixed_settle_polled_every_second_ends_normally(lab, tmp_path):
    """A 15-minute fixed settle read every second: one restart, the settle ends by its interval, the
    record is written, and the log has one progress line per reading (plus a constant), not a
    growing pile of include lines. Takes the settle's 15 minutes: the host's own clock must pass."""
    host = lab.hosts[3]
    lab.sophos(host, "os-reboot-required")
    before = lab.boot_id(host)
    run = run_cycle(lab, tmp_path, host, {"reboot_cycle_settle_mode": "fixed", "reboot_cycle_settle_minutes": 15,
                                          "reboot_cycle_poll_seconds": 1, "reboot_cycle_reboot_timeout": 120})
    record = run.results[host]
    after = lab.boot_id(host)
    assert after != before and [b["boot_id"] for b in record["boots"]] == [before, after]
    assert record["status"] == "rebooted" and record["restarts"] == 1
    settle = record["settles"][0]
    assert settle["mode"] == "fixed" and settle["ended"] == "interval" and settle["seconds"] >= 900
    progress = [line for line in run.res.stdout.splitlines()
                if line.startswith(host + ": reboot_cycle settle after restart 1 (fixed): ")]
    # one line per reading, as many as the record counts (how many fit in the 15 minutes is the machine's
    # speed, not the cycle's: at most one per second of the settle, as each reading waits a second first)
    assert len(progress) == settle["readings"], (len(progress), settle["readings"])
    assert 2 <= len(progress) <= settle["seconds"] + 1, len(progress)
    # each line is its own reading: the time left falls from line to line
    left = [_seconds(re.search(r": (\S+) left of 15m00s after boot", line).group(1)) for line in progress]
    assert all(a > b for a, b in zip(left, left[1:])), left
    host_lines = [line for line in run.res.stdout.splitlines() if host in line]
    assert len(host_lines) <= len(progress) + 30, len(host_lines) - len(progress)


def _seconds(text):
    match = re.match(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$", text)
    hours, minutes, secs = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + secs


def sim_state(lab, host):
    res = lab.ssh(host, "python3 /opt/fleetops-sim/sophos_sim.py show")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_trigger_update_ends_each_settle_on_the_unit_run_update(lab, tmp_path):
    """With reboot_cycle_trigger_update the post-boot update of each boot is run by
    sophos-spl-update.service: the simulator's own post-boot update waits its longest delay (an hour, far
    beyond the 10-minute settle), so each settle ends on the evidence of the update the unit ran, which nothing
    else could have produced, however slow the machine."""
    host = lab.hosts[0]
    lab.sophos(host, "queued-update", delay=3600)
    boots = lab.boot_count(host)
    run = run_cycle(lab, tmp_path, host, {"reboot_cycle_trigger_update": True, "reboot_cycle_settle_minutes": 10,
                                          "reboot_cycle_poll_seconds": 2})
    record = run.results[host]
    assert lab.boot_count(host) == boots + 2
    assert record["status"] == "rebooted" and record["restarts"] == 2, record
    assert [s["ended"] for s in record["settles"]] == ["reboot_required", "evidence"], record["settles"]
    restarts = record["boots"][1:]
    assert [b["update_triggered"] for b in restarts] == [True, True], restarts
    assert all("started sophos-spl-update.service" in b["update_trigger"] for b in restarts), restarts
    # The update of each boot of the cycle was run by the unit, and the delay ran none in them.
    updates = sim_state(lab, host)["updates"]
    for boot in restarts:
        runs = [u for u in updates if u["boot_id"] == boot["boot_id"]]
        assert [u["by"] for u in runs] == ["unit"], (boot["boot_id"], updates)
        # after that boot (host clock)
        boot_epoch = datetime.datetime.fromisoformat(boot["last_boot"].replace("Z", "+00:00")).timestamp()
        assert runs[0]["started"] >= boot_epoch - 1, (runs[0], boot)


def test_trigger_update_without_the_unit_says_so_once(lab, tmp_path):
    """No sophos-spl-update.service (Sophos absent, an OS restart): said once, the cycle as before."""
    host = lab.hosts[1]
    lab.sophos(host, "absent")
    lab.ssh(host, "touch /run/reboot-required")
    run = run_cycle(lab, tmp_path, host, {"reboot_cycle_trigger_update": True})
    record = run.results[host]
    assert record["status"] == "rebooted" and record["restarts"] == 1, record
    assert record["boots"][1]["update_triggered"] is None
    lines = [line for line in run.res.stdout.splitlines() if "update trigger after restart" in line]
    assert len(lines) == 1 and "Sophos is not installed" in lines[0], lines
    assert record["settles"][0]["ended"] == "skipped"


def test_trigger_update_unit_absent_is_read_not_guessed(lab, tmp_path):
    """Sophos installed but its update unit removed: systemctl reads it not-found; said once, the
    settle ends on Sophos' own post-boot update, as without the trigger."""
    host = lab.hosts[2]
    lab.sophos(host, "os-reboot-required", delay=3)
    # the simulator installs the unit again at its next start: mask it instead (LoadState=masked)
    res = lab.ssh(host, "systemctl mask sophos-spl-update.service")
    assert res.returncode == 0, res.stderr
    try:
        run = run_cycle(lab, tmp_path, host, {"reboot_cycle_trigger_update": True, "reboot_cycle_settle_minutes": 1})
    finally:
        lab.ssh(host, "systemctl unmask sophos-spl-update.service")
    record = run.results[host]
    assert record["status"] == "rebooted" and record["restarts"] == 1, record
    assert record["boots"][1]["update_triggered"] is None
    assert "sophos-spl-update.service is masked" in record["boots"][1]["update_trigger"]
    assert record["settles"][0]["ended"] == "evidence"
    updates = [u for u in sim_state(lab, host)["updates"] if u["boot_id"] == record["boots"][1]["boot_id"]]
    assert [u["by"] for u in updates] == ["delay"], updates
