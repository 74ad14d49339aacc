"""A maintenance window with a start (reboot_cycle_window_start) on lab hosts: the host is patched at once and
restarted only after the start, read from the lab's own records (the package file's change time and the host's
boot time, both on the host's clock), not only from the report."""
import json

import pytest

from test_maintenance import run, rows  # pylint: disable=import-error
from test_restart_groups import _epoch  # pylint: disable=import-error

pytestmark = pytest.mark.lab

PACKAGE = "fleetops-window-demo"
# Two minutes after the run's start: time for the run check, the window guard and the patch on a loaded machine
# before the start, so that "patched before the start" is what the run did, not what the machine allowed.
WINDOW = {"reboot_cycle_window_start": "+2m", "reboot_cycle_window_end": "+2h"}


@pytest.fixture
def pending(lab, tmp_path):
    """A host with a patch to install (1.0 -> 2.0) and a restart pending."""
    host = lab.hosts[0]
    lab.unpublish_debs(PACKAGE)
    lab.publish_deb(PACKAGE, "1.0", tmp_path)
    res = lab.ssh(host, "apt-get update -qq && apt-get install -y -qq %s" % PACKAGE, timeout=120)
    assert res.returncode == 0, res.stderr
    lab.publish_deb(PACKAGE, "2.0", tmp_path)
    lab.sophos(host, "reboot-required", delay=2)
    yield host
    lab.ssh(host, "apt-get purge -y -qq %s" % PACKAGE, timeout=120)
    lab.unpublish_debs(PACKAGE)


def changed_at(lab, host):
    """When dpkg last wrote the package's file on the host (its change time, epoch seconds)."""
    res = lab.ssh(host, "stat -c %%Z /usr/share/%s/VERSION" % PACKAGE)
    assert res.returncode == 0, res.stderr
    return float(res.stdout)


def test_a_window_that_starts_after_launch_patches_at_once_and_restarts_after_the_start(lab, tmp_path, pending):
    host = pending
    boots, boot_id = lab.boot_count(host), lab.boot_id(host)

    # Check mode: nothing waits, nothing is patched or restarted; the record says what would happen.
    res, _report = run(lab, tmp_path, [host], WINDOW, args=("--check",))
    cycle = rows(json.loads((tmp_path / "report" / "sophos-report-check.json").read_text()))[host]["maintenance"]
    assert cycle["message"].startswith("check mode: would wait until %s (the window's start), then restart 1: "
                                       % cycle["window_start"]), cycle["message"]
    assert cycle["window_start_wait"] is None
    assert (lab.boot_count(host), lab.boot_id(host), lab.installed_version(host, PACKAGE)) == (boots, boot_id, "1.0")

    res, report = run(lab, tmp_path, [host], WINDOW)
    assert "no restart before the start" in res.stdout, res.stdout[-3000:]
    row = rows(report)[host]
    cycle = row["maintenance"]
    start = _epoch(cycle["window_start"])
    assert row["status"] == "rebooted" and lab.installed_version(host, PACKAGE) == "2.0"
    assert lab.boot_count(host) == boots + 1 and lab.boot_id(host) != boot_id
    # Patched before the start; the one restart after it (the host's own boot time).
    assert changed_at(lab, host) < start <= lab.last_boot(host), (changed_at(lab, host), start, lab.last_boot(host))
    wait = cycle["window_start_wait"]
    assert wait["seconds"] > 0 and _epoch(wait["to"]) >= start, wait
    assert "waited for the window's start before restarting: %s" % host in res.stdout, res.stdout[-3000:]


def test_patching_waits_for_the_start_when_asked(lab, tmp_path, pending):
    """maintenance_patch_before_window=false: the playbook pauses for the start before it patches."""
    host = pending
    res, report = run(lab, tmp_path, [host], dict(WINDOW, maintenance_patch_before_window="false"))
    cycle = rows(report)[host]["maintenance"]
    start = _epoch(cycle["window_start"])
    assert lab.installed_version(host, PACKAGE) == "2.0" and rows(report)[host]["status"] == "rebooted"
    assert start <= changed_at(lab, host) <= lab.last_boot(host), (start, changed_at(lab, host), lab.last_boot(host))
    # The cycle itself found the start come: it did not wait again.
    assert cycle["window_start_wait"] is None, cycle
