"""The monitoring hook recipes (docs/recipes/, docs/monitoring.md) against the collections they use, where
those are installed (they are no dependency of this collection): each recipe passes
``ansible-playbook --syntax-check`` as a hook file, and every option it gives is one its module documents.
A recipe whose collection is not installed is skipped, saying so."""
import glob
import importlib
import os
import subprocess

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("FLEETOPS_ANSIBLE_BIN") or os.path.join(REPO, ".venv", "bin")
RECIPES = sorted(glob.glob(os.path.join(REPO, "docs", "recipes", "*.yml")))
# The hook variables (roles/reboot_cycle) a recipe is written for, by its name's end.
HOOKS = {"before_restart": "reboot_cycle_before_restart_tasks", "after_cycle": "reboot_cycle_after_cycle_tasks"}
PLAY = """- name: A host's cycle with the recipe as its hook
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The recipe, imported so that the syntax check reads its tasks
      ansible.builtin.import_tasks: {recipe}
"""


def _module(name):
    """The module's documented options, or None when its collection is not installed."""
    namespace, collection, module = name.split(".")
    try:
        code = importlib.import_module("ansible_collections.%s.%s.plugins.modules.%s" % (namespace, collection, module))
    except ImportError:
        return None
    return yaml.safe_load(code.DOCUMENTATION)["options"]


def _tasks(recipe):
    with open(recipe) as handle:
        return yaml.safe_load(handle)


def test_there_are_recipes_for_zabbix_and_checkmk():
    names = [os.path.basename(recipe) for recipe in RECIPES]
    assert names == ["checkmk_downtime_after_cycle.yml", "checkmk_downtime_before_restart.yml",
                     "zabbix_maintenance_after_cycle.yml", "zabbix_maintenance_before_restart.yml"]
    for recipe in RECIPES:
        with open(os.path.join(REPO, "docs", "monitoring.md")) as handle:
            assert "recipes/" + os.path.basename(recipe) in handle.read()
        assert any(recipe.endswith("_%s.yml" % point) for point in HOOKS), recipe


@pytest.mark.parametrize("recipe", RECIPES, ids=os.path.basename)
def test_a_recipe_passes_the_syntax_check_and_gives_only_documented_options(tmp_path, recipe):
    tasks = _tasks(recipe)
    names = [name for task in tasks for name in task if "." in name and name.count(".") == 2]
    assert len(names) == len(tasks), tasks
    options = [_module(name) for name in names]
    if any(option is None for option in options):
        pytest.skip("%s: the collection of %s is not installed" % (os.path.basename(recipe), ", ".join(names)))
    for task, name, documented in zip(tasks, names, options):
        assert set(task[name]) <= set(documented), (name, sorted(set(task[name]) - set(documented)))
        required = [option for option, spec in documented.items() if spec.get("required")]
        assert set(required) <= set(task[name]), (name, required)
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY.format(recipe=recipe))
    checked = subprocess.run([os.path.join(BIN, "ansible-playbook"), "--syntax-check", str(playbook)], cwd=REPO,
                             capture_output=True, text=True, timeout=300, check=False)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
