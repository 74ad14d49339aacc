"""docs/awx/maintenance-survey.json: an importable AWX survey whose questions match the roles' options."""
import json
import os

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SURVEY = os.path.join(REPO, "docs", "awx", "maintenance-survey.json")
PUBLIC = ("reboot_cycle_settle_mode", "reboot_cycle_settle_minutes", "reboot_cycle_poll_seconds",
          "reboot_cycle_max_cycles", "reboot_cycle_force", "reboot_cycle_window_end",
          "reboot_cycle_fail_when_still_pending", "maintenance_serial", "maintenance_max_fail_percentage",
          "patch_enabled", "patch_security_only", "patch_exclude")
# What AWX accepts for a survey question (awx/api/views/__init__.py, survey spec validation).
TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
PLAYBOOK_VARS = ("maintenance_hosts", "maintenance_serial", "maintenance_max_fail_percentage",
                 "maintenance_patch_before_window", "maintenance_blackouts", "maintenance_blackout_calendar")


@pytest.fixture(scope="module")
def survey():
    with open(SURVEY) as handle:
        return json.load(handle)


def _options():
    options = {}
    for role in ("reboot_cycle", "patch"):
        path = os.path.join(REPO, "roles", role, "meta", "argument_specs.yml")
        if os.path.exists(path):
            with open(path) as handle:
                options.update(yaml.safe_load(handle)["argument_specs"]["main"]["options"])
    return options


def test_top_level(survey):
    assert set(survey) == {"name", "description", "spec"}
    assert survey["name"] and isinstance(survey["spec"], list)


def test_every_public_variable_is_asked(survey):
    asked = [question["variable"] for question in survey["spec"]]
    assert len(asked) == len(set(asked)), "a variable is asked twice"
    assert set(PUBLIC) <= set(asked)


def test_question_structure(survey):
    assert survey["spec"], "the survey asks nothing"
    for question in survey["spec"]:
        _check_question(question)


def _check_question(question):
    assert {"question_name", "question_description", "required", "type", "variable", "default"} <= set(question)
    assert question["type"] in TYPES
    assert isinstance(question["required"], bool)
    assert question["variable"].isidentifier()
    if question["type"] in ("multiplechoice", "multiselect"):
        choices = question["choices"].split("\n")
        assert question["default"] in choices
    if question["type"] in ("integer", "float"):
        assert question["min"] <= question["default"] <= question["max"]
        assert isinstance(question["default"], int if question["type"] == "integer" else (int, float))
    if question["type"] in ("text", "textarea"):
        # A required question may have no default: AWX then asks for an answer.
        assert isinstance(question["default"], str) and len(question["default"]) <= question["max"]
        assert question["min"] <= len(question["default"]) or (question["required"] and not question["default"])


def test_the_hosts_have_no_default_answer(survey):
    """A maintenance job names its hosts: the playbook has no default, and neither has the survey."""
    [hosts] = [question for question in survey["spec"] if question["variable"] == "maintenance_hosts"]
    assert hosts["required"] is True and hosts["default"] == "" and hosts["min"] >= 1


def test_questions_match_the_role_options(survey):
    options = _options()
    assert options, "no argument spec found for the reboot_cycle and patch roles"
    for question in survey["spec"]:
        name = question["variable"]
        if name in PLAYBOOK_VARS:
            continue
        assert name in options, "%s is not an option of the patch or reboot_cycle role" % name
        option = options[name]
        if "choices" in option:
            assert set(question["choices"].split("\n")) <= set(option["choices"])
        if option.get("type") == "bool":
            assert question["choices"].split("\n") in (["true", "false"], ["false", "true"])
            assert question["default"] == str(option.get("default", False)).lower()
        elif option.get("type") == "raw":
            # A text answer for an option that takes a number or a percentage (reboot_cycle_group_max_down).
            assert question["type"] == "text" and question["default"] == str(option["default"]), name
        elif "default" in option and option["default"] not in ("", None) and question["type"] != "textarea":
            assert question["default"] == option["default"], name
