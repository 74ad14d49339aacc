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
