# -*- coding: utf-8 -*-
"""The settings tables (module_utils/_settings.py Table; the cycle's in _cycle.py, the patch role's in _patch.py,
the report role's in _report.py) and every place that repeats them: each role's defaults and argument spec,
the cycle role's vars/main.yml, the cycle action's doc stub and the AWX surveys. A setting added to a table
and forgotten in one of them fails here."""

from __future__ import absolute_import, division, print_function

import json
import os
import re
from datetime import datetime, timezone

import pytest
import yaml

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _patch, _report, _settings
from ansible_collections.fleetops.sophos.plugins.modules import reboot_cycle as doc_stub

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ROLE = os.path.join(ROOT, "roles", "reboot_cycle")
TABLE = _cycle.SETTINGS
PREFIX = _cycle.VAR_PREFIX
# Each area: its table, its role, and the role's variables that are not in the table (the cycle's hooks:
# the role runs them between its calls to the action).
AREAS = {
    "cycle": (_cycle.SETTINGS, "reboot_cycle", ("before_restart_tasks", "after_restart_tasks", "after_cycle_tasks")),
    "patch": (_patch.SETTINGS, "patch", ()),
    "report": (_report.SETTINGS, "report", ()),
}
ROLE_ONLY = AREAS["cycle"][2]
# The action's options that are no role variable: how the role calls it.
ACTION_ONLY = ("guard_only", "stop_at", "resume")
# The kinds the table converts from what was sent (the action's spec lets them through as raw).
CONVERTED = ("flag", "number", "integer", "choice", "run_started", "window_end", "window_start", "by_os", "by_os_zero", "max_down", "groups", "checks")
# What an AWX survey question of each type can carry, for each public type of a setting.
SURVEY_TYPES = {"bool": ("multiplechoice",), "int": ("integer",), "float": ("float", "integer"),
                "str": ("text", "textarea", "multiplechoice"), "list": ("textarea", "text"),
                "raw": ("text", "integer")}
# A survey proposes its own answer here: a window of four hours from the run's start (docs/awx.md).
SURVEY_PROPOSES = {"reboot_cycle_window_end": "+4h"}


def _yaml(*parts, **role):
    with open(os.path.join(ROOT, "roles", role.get("role", "reboot_cycle"), *parts)) as handle:
        return yaml.safe_load(handle)


def _converted(setting, value, table=TABLE):
    """The value as the table converts it (unconverted kinds as given)."""
    if setting.kind not in CONVERTED + ("list",):
        return value
    return table.normalize({setting.name: value}, group=setting.group)[setting.name]


@pytest.mark.parametrize("area", sorted(AREAS))
def test_the_role_defaults_are_the_tables(area):
    table, role, role_only = AREAS[area]
    defaults = _yaml("defaults", "main.yml", role=role)
    assert set(defaults) == set(table.prefix + name for name in table.names(None) + role_only)
    for setting in table.settings:
        assert defaults[table.prefix + setting.name] == setting.role_default, setting.name


@pytest.mark.parametrize("area", sorted(AREAS))
def test_the_argument_spec_is_the_tables(area):
    table, role, role_only = AREAS[area]
    options = _yaml("meta", "argument_specs.yml", role=role)["argument_specs"]["main"]["options"]
    assert set(options) == set(table.prefix + name for name in table.names(None) + role_only)
    for setting in table.settings:
        option = options[table.prefix + setting.name]
        assert option["type"] == setting.type, setting.name
        if "{{" in str(setting.role_default):
            # A default computed at run time: the spec documents it in words, or not at all.
            assert "default" not in option or not isinstance(option["default"], bool), setting.name
        else:
            assert option.get("default") == setting.default, setting.name
        assert (tuple(option.get("choices") or ()) or None) == setting.choices, setting.name
        assert option.get("description"), setting.name


def test_the_role_passes_every_setting_to_the_action():
    args = _yaml("vars", "main.yml")["_reboot_cycle_args"]
    assert set(args) == set(TABLE.names(None)) | {"stop_at"}
    for name in TABLE.names(None):
        assert re.match(r"^\{\{ *%s%s *\}\}$" % (PREFIX, name), args[name]), name


def test_the_doc_stub_is_the_tables():
    options = yaml.safe_load(doc_stub.DOCUMENTATION)["options"]
    assert set(options) == set(TABLE.names(None) + ACTION_ONLY)
    for setting in TABLE.settings:
        option = options[setting.name]
        assert option["type"] == ("raw" if setting.kind in CONVERTED else setting.type), setting.name
        # A dict option has no default in the spec (the validator would fill a shared one): none is empty.
        default = option.get("default", {} if setting.type == "dict" else None)
        assert _converted(setting, default) == _converted(setting, setting.default), setting.name
        if setting.kind not in CONVERTED:
            assert (tuple(option.get("choices") or ()) or None) == setting.choices, setting.name


@pytest.mark.parametrize("name", sorted(os.listdir(os.path.join(ROOT, "docs", "awx"))))
def test_the_awx_surveys_ask_the_tables_settings(name):
    with open(os.path.join(ROOT, "docs", "awx", name)) as handle:
        document = json.load(handle)
    tables = [AREAS[area][0] for area in sorted(AREAS)]
    questions = [(q, t) for q in document.get("spec") or [] for t in tables if q["variable"].startswith(t.prefix)]
    for question, table in questions:
        setting = table.by_name.get(question["variable"][len(table.prefix):])
        assert setting is not None, question["variable"]
        assert question["type"] in SURVEY_TYPES[setting.type], question["variable"]
        choices = question.get("choices")
        if isinstance(choices, str):
            choices = choices.split("\n")
        if setting.type == "bool":
            assert sorted(choices) == ["false", "true"], question["variable"]
        elif setting.choices:
            assert question["type"] == "multiplechoice" and sorted(choices) == sorted(setting.choices)
        default = question.get("default")
        if question["variable"] in SURVEY_PROPOSES:
            assert default == SURVEY_PROPOSES[question["variable"]]
            _converted(setting, default, table)  # a value the table takes
        else:
            assert _converted(setting, default, table) == _converted(setting, setting.default, table), \
                question["variable"]


def test_defaults_come_from_the_table():
    assert _patch.DEFAULTS == _patch.SETTINGS.defaults() and _patch.DEFAULTS["win_reboot_timeout"] == 1200
    assert _cycle.DEFAULTS == TABLE.defaults()
    assert set(_cycle.DEFAULTS) == set(TABLE.names())
    assert _cycle.DEFAULTS["settle_minutes"] == 20.0 and _cycle.DEFAULTS["window_end"] is None


# ---------------------------------------------------------------- the generic table

SMALL = _settings.Table("demo", "demo_", (
    _settings.Setting("mode", "a", "str", choices=("a", "b")),
    _settings.Setting("count", 2, "int", minimum=1),
    _settings.Setting("ratio", 0.5, "float", minimum=0, above=True),
    _settings.Setting("on", False, "bool"),
    _settings.Setting("items", [], "list"),
    _settings.Setting("note", "", "str", group="other"),
))


def test_a_table_converts_what_surveys_send_and_fills_defaults():
    assert SMALL.normalize({"count": "3", "on": "yes", "items": "x\ny,"}) == {
        "mode": "a", "count": 3, "ratio": 0.5, "on": True, "items": ["x", "y"]}
    assert SMALL.defaults() == {"mode": "a", "count": 2, "ratio": 0.5, "on": False, "items": []}
    assert SMALL.defaults("other") == {"note": ""}
    assert SMALL.names() == ("mode", "count", "ratio", "on", "items") and SMALL.names("other") == ("note",)


def test_a_table_names_every_problem_with_the_prefix():
    assert SMALL.problems({"ratio": 0, "mode": "c", "count": "x", "zz": 1}) == [
        "demo_count must be an integer number, got 'x'",
        "demo_mode must be one of a|b, got 'c'",
        "demo_ratio must be > 0, got 0",
        "unknown demo setting(s): zz",
    ]
    with pytest.raises(_settings.SettingError, match="^demo_mode must be one of a|b, got 'c'$"):
        SMALL.normalize({"mode": "c", "count": 0})
    with pytest.raises(_settings.SettingError, match="^unknown demo setting\\(s\\): note$"):
        SMALL.normalize({"note": "x"})


def test_a_tables_error_class_is_raised():
    with pytest.raises(_cycle.CycleError, match="^reboot_cycle_max_cycles must be >= 1, got 0$"):
        TABLE.normalize({"max_cycles": 0})


def test_the_brain_refuses_settings_that_were_not_normalised():
    facts = {"reasons": [], "os": {}, "sophos": {}}
    with pytest.raises(_cycle.CycleError, match="^settings must be those normalize_settings"):
        _cycle.start(facts, {"max_cycles": 2}, datetime(2026, 1, 1, tzinfo=timezone.utc))
