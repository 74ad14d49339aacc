# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: data from outside (Sophos Central) marked so that it is never templated."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.collections import is_sequence
from ansible.module_utils.common._collections_compat import Mapping, Set
from ansible.module_utils.six import binary_type, text_type
from ansible.utils.unsafe_proxy import AnsibleUnsafe, wrap_var

# Every Jinja delimiter ({{ {% {# and their ends) has a brace; ansible-core 2.16-2.18 leave a string
# without one as it is. So only strings with a brace are marked: an unsafe string is written by
# ``ansible-inventory --list`` as {"__ansible_unsafe": ...}, which AWX's inventory import stores as a
# dict (community.general issue 8212), and ordinary names must stay strings there.
_TEMPLATE_CHARS = re.compile(u"[{}]")
_TEMPLATE_CHARS_BYTES = re.compile(b"[{}]")


def make_unsafe(value):
    """``value`` with every leaf string, and every string key, that could be read as a template marked
    unsafe, however deep; containers are rebuilt (dict, set, list or tuple), never wrapped whole.

    ansible-core 2.19 never templates inventory data (``wrap_var`` there only drops a trust tag), 2.16 to
    2.18 template every string that is not marked when a play or a ``compose`` expression reads it.
    """
    if value is None or isinstance(value, AnsibleUnsafe):
        return value
    # Strings first: they are most of the leaves.
    if isinstance(value, text_type):
        return wrap_var(value) if _TEMPLATE_CHARS.search(value) else value
    if isinstance(value, binary_type):
        return wrap_var(value) if _TEMPLATE_CHARS_BYTES.search(value) else value
    if isinstance(value, Mapping):
        return dict((make_unsafe(key), make_unsafe(item)) for key, item in value.items())
    if isinstance(value, Set):
        return set(make_unsafe(item) for item in value)
    if is_sequence(value):
        return type(value)(make_unsafe(item) for item in value)
    return value
