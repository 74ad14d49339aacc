# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleetops.sophos.reboot_facts: one module execution per host, on Linux or Windows.

Options are validated here, before anything runs on the host. Linux hosts run the ``reboot_facts``
module (it reads and assesses on the host). PowerShell hosts run the ``win_reboot_probe`` module, which
only reads, and its readings are assessed here by the same ``assess()``. Either way the host's earlier
``sophos_reboot`` facts are handed to ``assess()`` so that the pending-since time and a Sophos flag set
again after a restart survive between runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import ARGUMENT_SPEC, assess, check_options
from ansible_collections.fleetops.sophos.plugins.plugin_utils._connection import is_windows
from ansible_collections.fleetops.sophos.plugins.plugin_utils._action import Action

LINUX_MODULE = "fleetops.sophos.reboot_facts"
WINDOWS_PROBE = "fleetops.sophos.win_reboot_probe"
PROBE_KEYS = ("now", "last_boot", "sophos", "os_keys", "services", "errors", "sccm", "uninstall", "service_installs")


class ActionModule(Action):
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result, task_vars = self.begin(tmp, task_vars)

        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(self._task.args))
        problems = list(validation.error_messages) or check_options(validation.validated_parameters)
        if problems:
            result.update(failed=True, msg="Invalid options for reboot_facts: %s" % "; ".join(problems))
            return result
        options = validation.validated_parameters

        previous = options.get("previous_facts")
        if previous is None:
            previous = (task_vars.get("ansible_facts") or {}).get("sophos_reboot") or task_vars.get("sophos_reboot")

        if is_windows(self._connection):
            probe = self._execute_module(
                module_name=WINDOWS_PROBE,
                module_args={"sophos_registry_roots": options["sophos_registry_roots"]},
                task_vars=task_vars,
            )
            if probe.get("failed"):
                result.update(failed=True, msg="Windows probe failed: %s" % probe.get("msg", "no message"))
                for key in ("exception", "module_stderr", "module_stdout", "rc"):
                    if key in probe:
                        result[key] = probe[key]
                return result
            if probe.get("warnings"):
                result["warnings"] = list(probe["warnings"])
            raw = dict((key, probe.get(key)) for key in PROBE_KEYS)
            raw["family"] = "windows"
            facts = assess(raw, options, previous=previous if isinstance(previous, dict) else None)
            result["ansible_facts"] = {"sophos_reboot": facts}
            return result

        module_args = dict(self._task.args)
        if isinstance(previous, dict):
            module_args["previous_facts"] = previous
        module_result = self._execute_module(module_name=LINUX_MODULE, module_args=module_args,
                                             task_vars=task_vars)
        result.update(module_result)
        result["changed"] = False
        return result
