# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: role variables as they arrive from YAML, ``-e`` and AWX surveys.

A role's argument spec checks a variable but does not hand the converted value back, so the role
sees what the caller sent. AWX surveys have no boolean question type (yes/no answers arrive as the
strings ``"true"``/``"false"``), numbers may arrive as strings, and a text area arrives as one string
with an entry per line. These helpers accept those forms and refuse anything else with a message
that names the variable. The boolean words are those Ansible's own argument validation accepts, so
a value the argument spec let through is never refused here.

Pure Python, no Ansible imports, no I/O.
"""

from __future__ import absolute_import, division, print_function

import math
import re

__metaclass__ = type

TRUE_WORDS = frozenset(("true", "yes", "on", "y", "t", "1"))
FALSE_WORDS = frozenset(("false", "no", "off", "n", "f", "0"))

_LIST_SEPARATORS = re.compile(r"[\r\n,]+")


class SettingError(ValueError):
    """A variable the role cannot work with; the message names it."""


def flag(value, name):
    """``true``/``false`` from a bool, 0/1, or a word such as ``"yes"``/``"False"`` (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise SettingError("%s must be true or false (also yes/no, on/off, 1/0, any case), got %r" % (name, value))


def number(value, name, minimum=None, integer=False, above=False):
    """A finite number from a number or a numeric string; ``integer`` also accepts ``"2.0"``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SettingError("%s must be a number, got %r" % (name, value))
    try:
        parsed = float(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise SettingError("%s must be a%s number, got %r" % (name, "n integer" if integer else "", value))
    if not math.isfinite(parsed):
        raise SettingError("%s must be a finite number, got %r" % (name, value))
    if integer:
        if parsed != int(parsed):
            raise SettingError("%s must be an integer, got %r" % (name, value))
        parsed = int(parsed)
    if minimum is not None and (parsed <= minimum if above else parsed < minimum):
        raise SettingError("%s must be %s %s, got %r" % (name, ">" if above else ">=", minimum, value))
    return parsed


def text_list(value, name):
    """A list of non-empty strings, from a list or from one string with entries on lines or between commas.

    Entries are stripped; empty lines and a trailing comma are dropped. Numbers become text (a KB
    number written without quotes).
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in _LIST_SEPARATORS.split(value) if item.strip()]
    if not isinstance(value, (list, tuple)):
        raise SettingError("%s must be a list of strings or one string with an entry per line, got %s %r"
                           % (name, type(value).__name__, value))
    items = []
    for item in value:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            raise SettingError("%s entries must be non-empty strings, got %r" % (name, item))
        items.append(item.strip())
    return items


# ---------------------------------------------------------------- settings tables

# How a setting of each public type (the role's argument spec type) is converted, unless the table says
# otherwise (``kind``): flags and numbers accept survey strings, a str with choices must be one of them.
_KIND_OF_TYPE = {"bool": "flag", "int": "integer", "float": "number", "list": "list", "str": "text", "path": "text",
                 "dict": "dict"}


class Setting(object):
    """One setting of an area: its name (without the role prefix), its default as the role gives it, its
    public type (the argument spec's), its bounds and choices, and the conversion (``kind``) when the
    type's own is not the one (``number`` for an ``int`` that may carry a fraction, an area's own kinds)."""

    __slots__ = ("name", "default", "type", "minimum", "above", "choices", "kind", "group", "role_default",
                 "description")

    def __init__(self, name, default, type, minimum=None, above=False, choices=None, kind=None,  # pylint: disable=redefined-builtin
                 group="settings", role_default=None, description=""):
        self.name = name
        self.default = default
        self.type = type
        self.minimum = minimum
        self.above = above
        self.choices = tuple(choices) if choices else None
        self.kind = kind or ("choice" if choices and type == "str" else _KIND_OF_TYPE[type])
        self.group = group
        self.role_default = default if role_default is None else role_default
        self.description = description


class Table(object):
    """The settings of one area in one place: the defaults, the checks and the conversion of every setting.

    ``area`` names the area in the message for an unknown setting, ``prefix`` is the role variables'
    prefix every message names a setting with, ``error`` the exception class raised. ``kinds`` adds
    the area's own conversions: ``kind -> function(value, name, context)`` where ``name`` is the
    prefixed name and ``context`` holds ``now`` and the settings converted before this one (table
    order). A setting marked in ``first`` is one others read (checked first by problems()); problems()
    lists the others in name order, or in table order with ``order="table"``.
    """

    def __init__(self, area, prefix, settings, error=SettingError, kinds=None, first=(), order="name"):  # pylint: disable=too-many-arguments
        self.area = area
        self.prefix = prefix
        self.settings = tuple(settings)
        self.error = error
        self.kinds = dict(kinds or {})
        self.first = tuple(first)
        self.order = order
        self.by_name = dict((setting.name, setting) for setting in self.settings)

    def names(self, group="settings"):
        return tuple(setting.name for setting in self.settings if group is None or setting.group == group)

    def defaults(self, group="settings"):
        """The converted default of every setting of ``group``."""
        return self.normalize({}, group=group)

    def convert(self, setting, value, context):
        name = self.prefix + setting.name
        try:
            if setting.kind in self.kinds:
                return self.kinds[setting.kind](value, name, context)
            if setting.kind == "flag":
                return flag(value, name)
            if setting.kind in ("number", "integer"):
                return number(value, name, minimum=setting.minimum, integer=setting.kind == "integer",
                              above=setting.above)
            if setting.kind == "choice":
                if value not in setting.choices:
                    raise SettingError("%s must be one of %s, got %r" % (name, "|".join(setting.choices), value))
                return value
            if setting.kind == "list":
                items = text_list(value, name)
                if setting.choices and (not items or any(item not in setting.choices for item in items)):
                    raise SettingError("%s must list some of %s, got %r" % (name, "|".join(setting.choices), value))
                return items
            return value  # "text", "dict", "as_sent": checked by the caller's argument spec, taken as sent
        except SettingError as exc:
            if isinstance(exc, self.error):
                raise
            raise self.error(str(exc))

    def _unknown(self, names, group):
        unknown = sorted(set(names) - set(self.names(group)))
        if unknown:
            raise self.error("unknown %s setting(s): %s" % (self.area, ", ".join(unknown)))

    def normalize(self, raw, now=None, group="settings"):
        """Every setting of ``group``, converted, defaults filled; the first bad one raises ``error``."""
        raw = dict(raw or {})
        self._unknown(raw, group)
        context = {"now": now}
        for setting in self.settings:
            if setting.group == group:
                context[setting.name] = self.convert(setting, raw.get(setting.name, setting.default), context)
        del context["now"]
        return context

    def problems(self, raw, now=None, group="settings"):
        """Every problem of the settings given in ``raw``, one line each, each setting checked on its own
        (after those in ``first``, which the others read); ``[]`` when all are good."""
        raw = dict(raw or {})
        problems = []
        base = {}
        for name in self.first:
            if name in raw:
                try:
                    self.normalize({name: raw[name]}, now, group)
                    base[name] = raw[name]
                except self.error as exc:
                    problems.append(str(exc))
        position = dict((name, index) for index, name in enumerate(self.names(None)))
        for name in sorted(raw, key=lambda key: (position.get(key, -1), key) if self.order == "table" else key):
            if name in self.first:
                continue
            try:
                self.normalize(dict(base, **{name: raw[name]}), now, group)
            except self.error as exc:
                problems.append(str(exc))
        return problems
