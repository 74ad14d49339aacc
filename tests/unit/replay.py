"""The replay harness of the reboot_cycle action: the REAL action class drives whole cycles.

Only what lies beyond the controller is replaced: the restart actions (``reboot`` / ``win_reboot``
results as they return them), the host's readings (Windows: probe output as ``win_reboot_probe``
returns it, assessed by the real ``reboot_facts`` action; Linux: ``reboot_facts`` module results),
the clock and the sleep. A host follows a timeline (tests/unit/fixtures/cycle/*.yml: per boot,
readings by seconds after that boot; a Windows entry may name the recorded probe reading, ``probe``,
that the host answers with from then on); a restart moves it to its next boot, and a restart beyond the
timeline's last boot fails the test, as does a settle that stops reading before it should.

``Replay(load("windows_queued_update.yml")).run()`` runs one cycle and returns the action's result.
"""
import copy
from datetime import datetime, timedelta, timezone
from unittest import mock

from ansible.errors import AnsibleConnectionFailure
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar

from ansible_collections.fleetops.sophos.plugins.action import reboot_cycle as cycle_action
from ansible_collections.fleetops.sophos.plugins.action.reboot_cycle import ActionModule
from ansible_collections.fleetops.sophos.plugins.action.reboot_facts import ActionModule as FactsAction
from ansible_collections.fleetops.sophos.plugins.module_utils import _time
from ansible_collections.fleetops.sophos.tests.unit import fake_clock, fixture_files, readings


T0 = datetime(2026, 11, 28, 2, 0, 0, tzinfo=timezone.utc)
SOPHOS_ROOT = "SOFTWARE\\WOW6432Node\\Sophos"
SESSION = "SYSTEM\\CurrentControlSet\\Control\\Session Manager"
WU = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired"


def _epoch(moment):
    return int((moment - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds())


class Host:
    """A lab-less host: readings from a timeline, restarts that move it to the next boot.

    ``failures``: {(boot index, reading number in that boot): "unreachable" | "failed"} readings
    that do not come through. ``lost_at``: the restart (1, 2, ...) after which the host stays away.
    ``restart_result``: replaces the restart action's result (a restart that fails to start).
    ``trigger``: how the host answers the update trigger's modules - ``unit`` (the LoadState that
    ``systemctl show`` prints), ``start`` / ``tool`` (replace the systemd_service / win_sophos_update_now
    result), ``lost`` (the connection breaks). Timeline entries with ``after_trigger`` apply that many
    seconds after a trigger in that boot.
    """

    def __init__(self, fixture, clock, failures=None, lost_at=None, restart_result=None, unknown=False,
                 trigger=None):
        self.fixture = fixture
        self.family = fixture["family"]
        self.boots = fixture["boots"]
        self.clock = clock
        self.index = 0
        self.boot_time = T0 - timedelta(seconds=fixture.get("boot_age", 30 * 86400))
        self.failures = dict(failures or {})
        self.lost_at = lost_at
        self.restart_result = restart_result
        self.unknown = unknown
        self.readings = [0]
        self.restarts = []
        self.gone = False
        self.trigger = dict(trigger or {})
        self.modules = []  # (boot index, readings so far in that boot, module name, args)
        self.triggered_at = {}

    # -- what the host reads like now
    def seen(self):
        seen = {"strong": [], "weak": [], "updating": False, "updated_since_boot": False, "probe": "endpoint-clean"}
        age = (self.clock.now - self.boot_time).total_seconds()
        trigger = self.triggered_at.get(self.index)
        for entry in self.boots[self.index]:
            if "after_trigger" in entry:
                due = trigger is not None and (self.clock.now - trigger).total_seconds() >= entry["after_trigger"]
            else:
                due = entry["after"] <= age
            if due:
                seen.update({k: v for k, v in entry.items() if k not in ("after", "after_trigger")})
        return seen

    def linux_result(self):
        seen = self.seen()
        installed = self.fixture.get("installed", True)
        reasons = [{"id": r, "source": "sophos" if r.startswith("sophos") else "os", "strong": True,
                    "detail": "replay %s" % r} for r in seen["strong"]]
        reasons += [{"id": r, "source": "os", "strong": False, "detail": "replay"} for r in seen["weak"]]
        facts = {
            "schema": 1,
            "checked_at": _time.iso(self.clock.now),
            "reboot_required": None if self.unknown and not seen["strong"] else bool(seen["strong"]),
            "reasons": reasons,
            "sophos": {"installed": installed, "updating": seen["updating"] if installed else False,
                       "updated_since_boot": seen["updated_since_boot"] if installed else None,
                       "last_update": None, "health": {"overall": "good", "services": {"sophos-spl": "running"}}},
            "os": {"family": "linux", "last_boot": _time.iso(self.boot_time), "boot_id": "boot-%d" % self.index},
            "read_errors": [{"source": "needs_restarting", "error": "exit 3"}] if self.unknown else [],
        }
        return {"changed": False, "ansible_facts": {"sophos_reboot": facts}}

    def windows_probe(self):
        seen = self.seen()
        # A timeline entry's ``probe`` names the recorded reading the host answers with from then on.
        probe = readings.probe(seen["probe"])
        probe["now"] = _time.iso(self.clock.now)
        probe["last_boot"] = _time.iso(self.boot_time)
        keys = [root for root in probe["sophos"] if root["root"] == SOPHOS_ROOT][0]["keys"]
        status = keys["AutoUpdate\\UpdateStatus"]["values"]
        last = self.clock.now - timedelta(seconds=5) if seen["updated_since_boot"] else self.boot_time - timedelta(days=1)
        status["LastUpdateTime"] = {"type": "DWord", "value": _epoch(last)}
        if seen["updating"]:
            status["IsUpdating"] = {"type": "DWord", "value": 1}
        flags = keys["AutoUpdate\\UpdateStatus\\VolatileFlags"]
        if "sophos_reboot_required" in seen["strong"]:
            flags["values"]["RebootRequired"] = {"type": "DWord", "value": 1}
        if "windows_update" in seen["strong"]:
            probe["os_keys"][WU] = {"exists": True, "subkeys": [], "values": {}}
        if "pending_file_rename" in seen["weak"]:
            probe["os_keys"][SESSION]["values"]["PendingFileRenameOperations"] = {
                "type": "MultiString", "value": ["\\??\\C:\\Temp\\a", ""]}
        return probe

    # -- what the inner actions see
    def read(self, module_name):
        if self.gone:
            raise AnsibleConnectionFailure("Failed to connect to the host via ssh: No route to host")
        self.readings[-1] += 1
        failure = self.failures.get((self.index, self.readings[-1]))
        if failure == "unreachable":
            raise AnsibleConnectionFailure("Failed to connect to the host via ssh: Connection timed out")
        if failure == "failed":
            return {"failed": True, "msg": "MODULE FAILURE: the read was interrupted"}
        if self.family == "windows":
            assert module_name == "fleetops.sophos.win_reboot_probe"
            return self.windows_probe()
        assert module_name == "fleetops.sophos.reboot_facts"
        return self.linux_result()

    def module(self, name, args):
        """The update trigger's modules, run by the cycle action itself."""
        self.modules.append((self.index, self.readings[-1], name, copy.deepcopy(args)))
        if self.trigger.get("lost"):
            raise AnsibleConnectionFailure("Failed to connect to the host via ssh: Connection reset by peer")
        if name == "ansible.builtin.command":
            assert self.family == "linux" and args == {"argv": [
                "systemctl", "show", "--property=LoadState,ActiveState", "sophos-spl-update.service"]}
            load = self.trigger.get("unit", "loaded")
            return {"changed": True, "rc": 0, "stderr": "",
                    "stdout": "LoadState=%s\nActiveState=inactive" % load}
        if name == "ansible.builtin.systemd_service":
            assert self.family == "linux"
            result = self.trigger.get("start", {"changed": True, "name": args["name"], "state": "started"})
        else:
            assert name == "fleetops.sophos.win_sophos_update_now" and self.family == "windows"
            path = "C:\\Program Files\\Sophos\\AutoUpdate\\SAUcli.exe"
            result = self.trigger.get("tool", {"changed": True, "path": path, "exited": True, "rc": 0,
                                               "output": "", "searched": [path.rsplit("\\", 1)[0]]})
        started = not result.get("failed") and (
            name.endswith("systemd_service") or (result.get("path") and (not result.get("exited") or result.get("rc") == 0)))
        if started:
            self.triggered_at.setdefault(self.index, self.clock.now)
        return dict(result)

    def restart(self, name, args):
        assert name == ("ansible.windows.win_reboot" if self.family == "windows" else "ansible.builtin.reboot")
        self.restarts.append(dict(args))
        if self.restart_result is not None:
            return dict(self.restart_result)
        self.index += 1
        assert self.index < len(self.boots), "the cycle restarted more often than the host needs"
        seconds = self.fixture["restart_seconds"]
        self.boot_time = self.clock.now + timedelta(seconds=seconds / 2.0)
        self.clock.now += timedelta(seconds=seconds)
        self.readings.append(0)
        if self.lost_at == len(self.restarts):
            self.gone = True
            return {"failed": True, "rebooted": True, "elapsed": seconds,
                    "msg": "Timed out waiting for last boot time check (timeout=600)"}
        return {"changed": True, "rebooted": True, "elapsed": seconds}


class Loader:
    """The shared action loader: the real reboot_facts action, recorded restart results."""

    def __init__(self, host):
        self.host = host
        self.calls = []

    def get(self, name, task, connection, play_context, loader, templar, shared_loader_obj):
        self.calls.append((name, copy.deepcopy(task.args)))
        if name == "fleetops.sophos.reboot_facts":
            plugin = FactsAction(task, connection, play_context, loader=None, templar=None, shared_loader_obj=None)
            plugin._execute_module = lambda module_name, module_args, task_vars: self.host.read(module_name)
            return plugin
        restart = mock.MagicMock()
        restart.run.side_effect = lambda task_vars=None: self.host.restart(name, task.args)
        return restart


class Replay:
    def __init__(self, fixture, args=None, check_mode=False, async_val=0, **host_options):
        self.clock = fake_clock.Clock(T0, least=1)
        self.host = Host(fixture, self.clock, **host_options)
        self.loader = Loader(self.host)
        self.fixture = fixture
        self.args = dict(fixture.get("settings") or {})
        if fixture.get("prior_restart"):
            self.args["prior_restart"] = True
        self.args.update(args or {})
        self.check_mode = check_mode
        self.async_val = async_val
        self.lines = []
        self.warnings = []
        # More of the host's variables (report_notify: the per-host notifications).
        self.task_vars = {}

    def run(self, **extra):
        task = Task()
        task.args = dict(self.args, **extra)
        task.check_mode = self.check_mode
        task.async_val = self.async_val
        connection = mock.MagicMock()
        windows = self.fixture["family"] == "windows"
        connection._shell.SHELL_FAMILY = "powershell" if windows else "sh"
        connection._shell._IS_WINDOWS = windows
        shared = mock.MagicMock()
        shared.action_loader = self.loader
        plugin = ActionModule(task, connection, PlayContext(), loader=None, templar=Templar(loader=DataLoader()),
                              shared_loader_obj=shared)
        plugin._shared_loader_obj = shared  # ActionBase keeps ansible.plugins.loader itself
        plugin._now = self.clock.time
        plugin._sleep = self.clock.sleep
        plugin._execute_module = lambda module_name, module_args, task_vars: self.host.module(module_name, module_args)
        display = mock.MagicMock()
        display.display.side_effect = lambda msg, *a, **k: self.lines.append(msg)
        display.warning.side_effect = lambda msg, *a, **k: self.warnings.append(msg)
        with mock.patch("ansible.plugins.action.ActionBase.run", side_effect=lambda *a, **k: {}), \
                mock.patch.object(cycle_action, "display", display):
            return plugin.run(task_vars=dict(self.task_vars, inventory_hostname="srv1"))

    def progress(self):
        return [line for line in self.lines if "reboot_cycle settle " in line and " ended: " not in line
                and "reading failed" not in line]


def load(name):
    """A recorded timeline, tests/unit/fixtures/cycle/NAME."""
    return fixture_files.load("cycle", name)


def timelines():
    """The names of every recorded timeline."""
    return fixture_files.names("cycle", suffix=".yml")


def linux_one_restart():
    """A Linux host that needs one restart and settles 200 s after it (Sophos updated since that boot)."""
    return {"family": "linux", "restart_seconds": 40,
            "settings": {"settle_mode": "poll", "settle_minutes": 5, "poll_seconds": 30, "poll_retries": 3},
            "boots": [[{"after": 0, "strong": ["reboot_required_file"]}],
                      [{"after": 0}, {"after": 200, "updated_since_boot": True}]]}
