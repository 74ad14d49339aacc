# -*- coding: utf-8 -*-
"""The settings tables (module_utils/_settings.py Table; the cycle's in _cycle.py, the patch role's in _patch.py,
the report role's in _report/model.py) and every place that repeats them: each role's defaults and argument spec,
the cycle role's vars/main.yml, the doc stubs of the cycle, patch and report actions and the AWX surveys. A setting added to a table
and forgotten in one of them fails here."""

from __future__ import absolute_import, division, print_function

import json
import os
import re
from datetime import datetime, timezone

import pytest
import yaml

from ansible_collections.fleetops.sophos.plugins.module_utils import _cycle, _patch, _run, _settings
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model
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
    "report": (model.SETTINGS, "report", ()),
}
ROLE_ONLY = AREAS["cycle"][2]
# The action's options that are no role variable: how the role calls it.
ACTION_ONLY = ("guard_only", "exclude", "exclude_reason", "stop_at", "resume", "tier_turn", "tier_batch", "hook_files", "abort")
# The kinds the table converts from what was sent (the action's spec lets them through as raw).
CONVERTED = ("flag", "number", "integer", "choice", "run_started", "window_end", "window_start", "by_os", "by_os_zero",
             "max_down", "groups", "checks", "blackouts", "learned")
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
    assert set(args) == set(TABLE.names(None)) | {"stop_at", "hook_files"}
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


@pytest.mark.parametrize("action", ["patch", "report"])
def test_the_patch_and_report_doc_stubs_are_their_actions_specs(action):
    """The patch and report actions build their specs from their tables (_patch.SETTINGS; _report/model.SETTINGS
    without the role-only rows): each doc stub names every option with the spec's type, default and choices."""
    import importlib
    stub = importlib.import_module("ansible_collections.fleetops.sophos.plugins.modules." + action)
    if action == "patch":
        from ansible_collections.fleetops.sophos.plugins.action.patch import ARGUMENT_SPEC as spec
    else:
        from ansible_collections.fleetops.sophos.plugins.plugin_utils._report_run import ARGUMENT_SPEC as spec
    options = yaml.safe_load(stub.DOCUMENTATION)["options"]
    assert set(options) == set(spec)
    table = _patch.SETTINGS if action == "patch" else model.SETTINGS
    for name, entry in spec.items():
        option = options[name]
        assert option["type"] == entry["type"], name
        assert option.get("choices") == entry.get("choices"), name
        assert bool(option.get("required")) == bool(entry.get("required")), name
        setting = table.settings[table.names(None).index(name)] if name in table.names(None) else None
        # A raw option left out takes the table's default: the page shows that one.
        default = entry["default"] if "default" in entry else (setting.default if setting is not None else None)
        # A dict option has no default in the spec (the validator would fill a shared one): none is empty.
        shown = option.get("default", {} if entry["type"] == "dict" and "default" not in entry else None)
        if setting is not None and default is not None:
            assert _converted(setting, shown, table) == _converted(setting, default, table), name
        else:
            assert option.get("default") == default, name


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


def test_the_restart_survey_asks_what_a_restart_only_run_uses():
    """docs/awx/restart-survey.json (fleetops.sophos.restart): the maintenance survey's questions without patching
    (``patch_*``, and maintenance_patch_before_window: the restart playbook never patches)."""
    surveys = {}
    for name in ("maintenance", "restart"):
        with open(os.path.join(ROOT, "docs", "awx", name + "-survey.json")) as handle:
            surveys[name] = dict((q["variable"], q) for q in json.load(handle)["spec"])

    def patching(name):
        return name.startswith("patch_") or name == _run.PATCH_BEFORE_WINDOW

    assert not [name for name in surveys["restart"] if patching(name)]
    assert set(surveys["restart"]) == set(name for name in surveys["maintenance"] if not patching(name))
    assert surveys["restart"]["maintenance_hosts"]["required"] is True
    assert surveys["restart"]["maintenance_hosts"]["default"] == ""


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


def test_a_settings_type_gives_its_conversion_and_its_minimum_is_inclusive_unless_above():
    table = _settings.Table("demo", "demo_", (
        _settings.Setting("count", 2, "int", minimum=1),
        _settings.Setting("ratio", 0.5, "float", minimum=0, above=True),
        _settings.Setting("dir", "/srv/reports", "path"),
        _settings.Setting("hosts", None, "list", role_default="{{ ansible_play_hosts }}"),
    ))
    assert table.normalize({"count": "1", "ratio": "0.25", "hosts": "a,b"}) == {
        "count": 1, "ratio": 0.25, "dir": "/srv/reports", "hosts": ["a", "b"]}
    assert table.problems({"count": 0, "ratio": 0}) == [
        "demo_count must be >= 1, got 0", "demo_ratio must be > 0, got 0"]
    # What the role's defaults give: the table's default unless the role computes its own.
    assert [setting.role_default for setting in table.settings] == [2, 0.5, "/srv/reports", "{{ ansible_play_hosts }}"]


def test_a_tables_error_class_is_raised():
    with pytest.raises(_cycle.CycleError, match="^reboot_cycle_max_cycles must be >= 1, got 0$"):
        TABLE.normalize({"max_cycles": 0})


def test_the_brain_refuses_settings_that_were_not_normalised():
    facts = {"reasons": [], "os": {}, "sophos": {}}
    with pytest.raises(_cycle.CycleError, match="^settings must be those normalize_settings"):
        _cycle.start(facts, {"max_cycles": 2}, datetime(2026, 1, 1, tzinfo=timezone.utc))


# ---------------------------------------------------------------- the run area: the playbooks' own variables

RUN = _run.SETTINGS
RUN_PREFIXES = ("maintenance_", "facts_")
NOW = datetime(2026, 12, 1, 8, 40, tzinfo=timezone.utc)


def _text(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return handle.read()


def _playbook_rows(text):
    """``{name: (playbooks, meaning)}`` of a Markdown table's rows that name playbook variables (`name`, ...)."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3:
            continue
        names = re.findall(r"`([a-z_]+)`", cells[0])
        if names and all(name.startswith(RUN_PREFIXES) for name in names):
            for name in names:
                rows[name] = (tuple(word.strip() for word in cells[1].split(",")), cells[2] if len(names) == 1 else "")
    return rows


def _shown(value):
    return value if isinstance(value, str) else json.dumps(value)


def _table_problems(rows, table=RUN):
    """What a documentation table of the playbook variables gets wrong against the run table, one line each."""
    problems = ["%s: not documented" % name for name in table.names(None) if name not in rows]
    problems += ["%s: documented, not in the table" % name for name in sorted(set(rows) - set(table.names(None)))]
    for setting in table.settings:
        playbooks, meaning = rows.get(setting.name, (None, ""))
        if playbooks is not None and playbooks != _run.PLAYBOOKS[setting.group]:
            problems.append("%s: playbooks %s, the table's %s" % (setting.name, playbooks, _run.PLAYBOOKS[setting.group]))
        default = re.search(r"\bdefault `?([^`),;\s]+)", meaning)
        if default and default.group(1) != _shown(setting.default):
            problems.append("%s: default %s, the table's %s" % (setting.name, default.group(1), _shown(setting.default)))
    return problems


@pytest.mark.parametrize("path", [("docs", "maintenance.md"), ("docs", "awx.md")])
def test_the_playbook_variable_tables_are_the_run_tables(path):
    """docs/maintenance.md's "Playbook variables" and docs/awx.md's extra variables: every run setting, its playbooks, the
    default a one-variable row names."""
    assert _table_problems(_playbook_rows(_text(*path))) == []


def test_a_playbook_variable_left_out_of_the_docs_is_named():
    hours = RUN.by_name["maintenance_window_max_hours"]
    table = _settings.Table("run", "", (hours, _settings.Setting("maintenance_new", 1, "int", group="maintenance")))
    rows = {"maintenance_window_max_hours": (("maintenance", "restart"), "more than this (default 12)")}
    assert _table_problems(rows, table) == ["maintenance_new: not documented"]
    rows.update(maintenance_window_max_hours=(("maintenance",), "default 6"), maintenance_old=(("facts",), ""))
    assert _table_problems(rows, table) == [
        "maintenance_new: not documented", "maintenance_old: documented, not in the table",
        "maintenance_window_max_hours: playbooks ('maintenance',), the table's ('maintenance', 'restart')",
        "maintenance_window_max_hours: default 6, the table's 12"]


def _survey_value(setting, value, playbook):
    """A value as check_run() takes it for ``playbook``; an empty text answer is no answer where there is no default."""
    if value == "" and setting.default is None:
        value = None
    values, problems = _run.run_settings({setting.name: value} if value is not None else {}, playbook, NOW)
    assert problems == {}, setting.name
    return values[setting.name]


# The playbooks with an AWX survey (the facts job has none: it reads extra variables only).
SURVEYED = [playbook for playbook in sorted(_run.GROUP_OF_PLAYBOOK)
            if os.path.exists(os.path.join(ROOT, "docs", "awx", playbook + "-survey.json"))]


def test_the_maintenance_and_restart_jobs_have_surveys():
    assert SURVEYED == ["maintenance", "restart"]


@pytest.mark.parametrize("playbook", SURVEYED)
def test_the_playbook_surveys_ask_the_run_tables_variables(playbook):
    with open(os.path.join(ROOT, "docs", "awx", playbook + "-survey.json")) as handle:
        questions = [q for q in json.load(handle)["spec"] if q["variable"].startswith(RUN_PREFIXES)]
    assert questions
    for question in questions:
        setting = RUN.by_name.get(question["variable"])
        assert setting is not None, question["variable"]
        assert playbook in _run.PLAYBOOKS[setting.group], question["variable"]
        assert question["type"] in dict(SURVEY_TYPES, path=("text",))[setting.type], question["variable"]
        assert _survey_value(setting, question.get("default"), playbook) == \
            _survey_value(setting, setting.default, playbook), question["variable"]


def test_the_playbooks_defaults_are_the_run_tables():
    """Each ``maintenance_*``/``facts_*`` ``| default(...)`` in playbooks/*.yml and playbooks/tasks/*.yml is
    the table's default, in a playbook that takes the variable (tasks/: the maintenance and restart plays')."""
    found = []
    for folder in ("playbooks", os.path.join("playbooks", "tasks")):
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            if not name.endswith(".yml"):
                continue
            group = "facts" if name == "facts.yml" else "maintenance"
            text = _text(folder, name)
            for variable, literal in re.findall(r"(?<![\w.'\]])((?:maintenance|facts)_[a-z_]+) *\| *default\(([^()]*)\)",
                                                text):
                if variable in _run.RUN_VARIABLES:
                    continue
                setting = RUN.by_name.get(variable)
                assert setting is not None, (name, variable)
                assert setting.group == group, (name, variable)
                assert (None if literal == "none" else yaml.safe_load(literal)) == setting.default, (name, variable)
                found.append(variable)
    assert set(found) == {"maintenance_hosts", "maintenance_become", "maintenance_serial",
                          "maintenance_max_fail_percentage", "maintenance_exclude", "maintenance_exclude_reason",
                          "facts_hosts", "facts_become"}


def test_the_run_lists_come_from_the_run_table():
    assert _run.PLAYBOOK_VARIABLES["maintenance"] == _run.PLAYBOOK_VARIABLES["restart"] == RUN.names("maintenance")
    assert _run.PLAYBOOK_VARIABLES["facts"] == RUN.names("facts") == _run.SETTINGS.names("facts")
    assert _run.ALLOW_VARIABLES == {"maintenance": "maintenance_allow_variables",
                                    "restart": "maintenance_allow_variables", "facts": "facts_allow_variables"}
    assert _run.WINDOW_MAX_HOURS == 12
    assert set(RUN.names(None)) <= _run.known_variables([])
    assert set(RUN.names("maintenance")) | set(RUN.names("facts")) == set(RUN.names(None))


# ---------------------------------------------------------------- the setting parsers at their edges (flag, number, text_list)

@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (" Yes ", True), ("ON", True), ("y", True),
    ("t", True), ("1", True), ("No", False), ("off", False), ("n", False), ("F", False), ("0", False),
    ("true", True), ("false", False),
])
def test_flag_words(value, expected):
    assert _settings.flag(value, "v") is expected


@pytest.mark.parametrize("value", [2, -1, "maybe", None, [], "", 0.5])
def test_flag_refuses(value):
    with pytest.raises(_settings.SettingError) as info:
        _settings.flag(value, "patch_enabled")
    assert str(info.value) == ("patch_enabled must be true or false (also yes/no, on/off, 1/0, any case), got %r"
                               % (value,))


@pytest.mark.parametrize("value, kwargs, expected", [
    ("2.0", {"integer": True}, 2), (" 3 ", {}, 3.0), (5, {"minimum": 5}, 5.0), (0, {"minimum": 0, "integer": True}, 0),
    (0.5, {"minimum": 0, "above": True}, 0.5), ("7", {"integer": True, "minimum": 1, "above": True}, 7),
])
def test_number_accepts(value, kwargs, expected):
    got = _settings.number(value, "n", **kwargs)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("value, kwargs, message", [
    (True, {}, "n must be a number, got True"),
    (None, {}, "n must be a number, got None"),
    ([1], {}, "n must be a number, got [1]"),
    ("x", {}, "n must be a number, got 'x'"),
    ("x", {"integer": True}, "n must be an integer number, got 'x'"),
    ("nan", {}, "n must be a finite number, got 'nan'"),
    (float("inf"), {}, "n must be a finite number, got inf"),
    (1.5, {"integer": True}, "n must be an integer, got 1.5"),
    (4, {"minimum": 5}, "n must be >= 5, got 4"),
    (4.99, {"minimum": 5}, "n must be >= 5, got 4.99"),
    (5, {"minimum": 5, "above": True}, "n must be > 5, got 5"),
    (0, {"minimum": 0, "above": True, "integer": True}, "n must be > 0, got 0"),
])
def test_number_refuses_at_the_edge(value, kwargs, message):
    with pytest.raises(_settings.SettingError) as info:
        _settings.number(value, "n", **kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize("value, expected", [
    (None, []), ("", []), ("a", ["a"]), (" a ,\r\n b,,\n", ["a", "b"]), ("a\rb", ["a", "b"]),
    (["x ", 5040000, 1.5], ["x", "5040000", "1.5"]), (("t",), ["t"]), ([], []),
])
def test_text_list(value, expected):
    assert _settings.text_list(value, "l") == expected


@pytest.mark.parametrize("value, message", [
    (5, "l must be a list of strings or one string with an entry per line, got int 5"),
    ({"a": 1}, "l must be a list of strings or one string with an entry per line, got dict {'a': 1}"),
    (["ok", " "], "l entries must be non-empty strings, got ' '"),
    ([True], "l entries must be non-empty strings, got True"),
    ([None], "l entries must be non-empty strings, got None"),
])
def test_text_list_refuses(value, message):
    with pytest.raises(_settings.SettingError) as info:
        _settings.text_list(value, "l")
    assert str(info.value) == message
