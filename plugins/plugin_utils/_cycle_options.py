# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the options of the fleetops.sophos.reboot_cycle action.

Its argument spec (one option per row of the cycle's settings table, ``_cycle.SETTINGS``, and the action's
own), the check of a call's options in one pass (every problem named at once), and the state a hook stop
carries (no credentials: digests of the settings that can hold them) and a resume takes back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.fleetops.sophos.plugins.module_utils import _central, _cycle, _groups, _settings
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _cycle_parts as _parts, _hooks, _silence
from ansible_collections.fleetops.sophos.plugins.plugin_utils._cycle_run import HOOK_POINTS

# Settings that can hold credentials (a health check's URL with its user and password, a command's arguments)
# stay out of the state returned at a hook stop: that result is registered, shown with -v and kept in AWX's job
# events. The state keeps a digest of each; the resume takes them from its own options (the role passes the
# same variables) and refuses options that do not match.
FROM_OPTIONS = ("health_checks", "health_checks_before")
RESUME_MISMATCH = ("resume needs the same %s as the call that stopped at the hook (they are not carried in "
                   "'cycle', which holds no credentials): pass the role's variables again")


class ResumeMismatch(ValueError):
    """A resume whose options are not the FROM_OPTIONS settings of the call that stopped."""


def _digest(value):
    return "sha256:" + hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()


def carried_state(state):
    """The state as returned at a hook stop: the FROM_OPTIONS settings as digests."""
    settings = dict(state["settings"], **dict((name, _digest(state["settings"][name])) for name in FROM_OPTIONS))
    return dict(state, settings=settings)


def resumed_state(state, settings):
    """The carried state with the FROM_OPTIONS settings back from this call's ``settings``; raises
    ResumeMismatch naming the settings whose digest does not match."""
    wrong = [name for name in FROM_OPTIONS if state["settings"][name] != _digest(settings[name])]
    if wrong:
        raise ResumeMismatch(RESUME_MISMATCH % " and ".join(wrong))
    return dict(state, settings=dict(state["settings"], **dict((name, settings[name]) for name in FROM_OPTIONS)))


def _option_spec(setting):
    """The action's spec of one row of the cycle's settings table (_cycle.SETTINGS)."""
    if setting.kind in ("text", "dict", "as_sent"):
        # Taken as sent by the table: the spec checks it.
        spec = {"type": setting.type, "default": setting.default}
        if setting.type == "list":
            spec["elements"] = "str"
        return spec
    # Converted by the table from what was sent (AWX survey strings included), with the role's messages.
    if setting.group == "action":
        return {"type": "raw", "default": setting.default}
    return {"type": "raw"}  # a cycle setting left out takes the table's default


ARGUMENT_SPEC = dict(
    dict((setting.name, _option_spec(setting)) for setting in _cycle.SETTINGS.settings),
    guard_only={"type": "bool", "default": False},
    # maintenance_exclude of the collection's playbooks: the host is read, never changed, and recorded deferred.
    exclude={"type": "bool", "default": False},
    exclude_reason={"type": "str", "default": ""},
    stop_at={"type": "list", "elements": "str", "choices": list(HOOK_POINTS), "default": []},
    resume={"type": "dict"},
    abort={"type": "str"},
    # The tiers' turn: hold, after, failed, turns, since; worked out by the action from the play's variables
    # for the batch's hosts in tier_batch (the role's), or given as the deprecated tier_hold filter returns it.
    tier_turn={"type": "dict"},
    tier_batch={"type": "list", "elements": "str"},
    # The hooks' task files as the role's variables give them; the action finds them (_hooks.files).
    hook_files={"type": "dict", "options": dict((point, {"type": "str"}) for point in _hooks.POINTS)},
    # No default: the validator fills a default dict's suboptions in place, a shared default would carry them.
    central_options={"type": "dict", "options": _central.CONTROLLER_OPTIONS},
    # Its types here, its bounds and the rest in _silence.problems(); off when empty.
    silence={"type": "dict", "options": _silence.OPTIONS},
)
# The action's flags the table converts.
_TABLE_FLAGS = ("prior_restart", "central_update_check")


def check(args, now, strategy=None, turn_of=None):
    """``(options, settings, problems)``: the checked options, the normalised cycle settings, and every
    bad option at once, on one line (the table's rules, each setting on its own). ``now``: the controller's
    clock (relative window forms); ``strategy``: the play's (tiers need one that runs them in turn);
    ``turn_of(batch)``: the tier's turn of this host in the batch ``tier_batch`` (``_tiers.hold``), asked on a
    first call (not a resume) without ``tier_turn``."""
    validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(args)
    options = validation.validated_parameters
    # The silence's own rules beside the spec's messages: every problem of the option at once.
    silence_problems = _silence.problems(options.get("silence")) if args.get("silence") else []
    if validation.error_messages or silence_problems:
        return None, None, list(validation.error_messages) + silence_problems
    options["silence"] = options["silence"] if args.get("silence") else None
    raw = dict((key, options[key]) for key in _cycle.DEFAULTS if options.get(key) is not None)
    problems = _cycle.settings_problems(raw, now)
    for name in _TABLE_FLAGS:
        try:
            options[name] = _cycle.check_flag(options[name], name)
        except _cycle.CycleError as exc:
            problems.append(str(exc))
    if problems:
        return None, None, problems
    options["central_options"] = options["central_options"] or {}
    settings = _cycle.normalize_settings(raw, now)
    if options.get("abort") and not options.get("resume"):
        return None, None, ["abort ends a cycle stopped at a hook point: it needs resume"]
    if settings["group"] and options["stop_at"]:
        return None, None, [_groups.HOOKS_REFUSED % ("reboot_cycle_group", ", ".join(options["stop_at"]))]
    if options.get("tier_batch") is not None and not options.get("tier_turn") and not options.get("resume") \
            and turn_of is not None:
        try:
            options["tier_turn"] = turn_of(options["tier_batch"])
        except _settings.SettingError as exc:
            return None, None, [str(exc)]
    problem = _parts.tier_problem(options.get("tier_turn"), strategy)
    if problem:
        return None, None, [problem]
    return options, settings, []
