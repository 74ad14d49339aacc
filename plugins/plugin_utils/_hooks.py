# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the reboot cycle's hook files found and read on the controller.

A relative hook path counts from the directory ansible-playbook runs in (an AWX job's project), then from the
playbook's directory (``_run.hook_places``). A hook is found when its file exists and holds a YAML list of
tasks (or nothing); otherwise the problem line names the variable, the value and where it looked. Used by the
reboot_cycle action (``hook_files``) and the run check of the collection's playbooks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _run

# The reboot_cycle action's hook points and the role variable that names each one's task file.
POINTS = ("before_restart", "after_restart", "after_cycle")


def variable(point):
    return "%s%s_tasks" % (_cycle.VAR_PREFIX, point)


def find(name, value, playbook_dir, cwd=None):
    """``(path, problem)`` of one hook file: the path it is run from, or the problem line (missing, not tasks)."""
    places = _run.hook_places(value, os.getcwd() if cwd is None else cwd, playbook_dir)
    found = next((place for place in places if os.path.isfile(place)), None)
    if found is None:
        return None, _run.hook_problem(name, value, places)
    try:
        tasks = DataLoader().load_from_file(found)
    except AnsibleError as exc:
        return found, _run.hook_problem(name, value, [found], str(exc).splitlines()[0])
    if tasks is not None and not (isinstance(tasks, list) and all(hasattr(task, "keys") for task in tasks)):
        return found, _run.hook_problem(name, value, [found], "not a YAML list of tasks")
    return found, None


def files(given, playbook_dir, cwd=None):
    """``(paths, problems)`` of the action's ``hook_files`` (hook point -> path as the role's variable gave it;
    an empty one is no hook): each found path by point, and a problem line for each hook that cannot be run
    (a hook that cannot be read keeps the path as given, so including it fails naming it)."""
    paths, problems = {}, []
    for point in POINTS:
        value = (given or {}).get(point)
        if value is None or not str(value).strip():
            continue
        found, problem = find(variable(point), str(value), playbook_dir, cwd)
        paths[point] = found if problem is None else str(value)
        if problem is not None:
            problems.append(problem)
    return paths, problems
