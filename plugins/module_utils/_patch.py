# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: what the patch role installs and what it records.

Pure Python, no Ansible imports, no I/O. The patch role checks its variables here
(``settings()``), lets apt simulate the upgrade (``apt-get -s dist-upgrade``), picks the
packages here (security-only, exclusions), then hands the list to ``ansible.builtin.apt``.
"""

from __future__ import absolute_import, division, print_function

import fnmatch
import re

from ansible_collections.fleetops.sophos.plugins.module_utils import _settings

__metaclass__ = type

# "Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])"
# "Inst linux-image-6.1.0-27-amd64 (6.1.115-1 Debian-Security:12/stable-security [amd64])"  (new)
_APT_INST = re.compile(r"^Inst (?P<name>\S+) (?:\[(?P<old>[^\]]*)\] )?\((?P<new>\S+)(?: (?P<origin>[^\[)]*))?")
_SECURITY = re.compile(r"security", re.IGNORECASE)


class PatchError(_settings.SettingError):
    pass


# The role's variables without their ``patch_`` prefix, with the defaults of defaults/main.yml.
# The patch role's settings: each is a role variable patch_<name> (roles/patch: defaults/main.yml,
# meta/argument_specs.yml); some are AWX survey questions (docs/awx/). A unit test
# (tests/unit/plugins/module_utils/test_patch.py) checks that they agree with this table. The group
# "settings" is what settings() converts; "role" are the role's own (handed to other modules as sent).
# Order matters: settings() names the first bad setting in this order.
SETTINGS = _settings.Table("patch", "patch_", (
    _settings.Setting("enabled", True, "bool", description="patch at all"),
    _settings.Setting("security_only", False, "bool", description="security updates only"),
    _settings.Setting("win_reboot", False, "bool", description="let win_updates restart the host"),
    _settings.Setting("exclude", [], "list", description="packages (glob patterns) never installed"),
    _settings.Setting("win_categories", [], "list"),
    _settings.Setting("win_accept_list", [], "list"),
    _settings.Setting("win_reject_list", [], "list"),
    _settings.Setting("apt_cache_valid_time", 0, "int", minimum=0),
    _settings.Setting("win_reboot_timeout", 1200, "int", minimum=0, above=True),
    _settings.Setting("ignore_reasons", [], "list", kind="as_sent", group="role"),
), error=PatchError)

DEFAULTS = SETTINGS.defaults()


def settings(raw):
    """The role's variables, checked and converted; a bad one raises PatchError naming it.

    Accepts what AWX surveys send: ``"true"``/``"false"`` for flags, numbers as strings, and
    lists as one string with an entry per line (a text area) or entries between commas.
    """
    return SETTINGS.normalize(raw)


def _excluded(name, exclude):
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in exclude)


def apt_candidates(simulation, security_only=False, exclude=()):
    """Packages an ``apt-get -s dist-upgrade`` would install, after security-only and exclusions.

    Only upgrades of installed packages are returned (``old`` set); packages new to the
    host come along as dependencies when apt upgrades these.
    """
    if not isinstance(simulation, str):
        raise PatchError("apt simulation output must be text, got %s" % type(simulation).__name__)
    exclude = list(exclude or [])
    for pattern in exclude:
        if not isinstance(pattern, str) or not pattern.strip():
            raise PatchError("patch_exclude entries must be package names or glob patterns, got %r" % (pattern,))
    picked = []
    for line in simulation.splitlines():
        match = _APT_INST.match(line.strip())
        if not match or match.group("old") is None:
            continue
        origin = (match.group("origin") or "").strip()
        entry = {"name": match.group("name"), "old": match.group("old"), "new": match.group("new"),
                 "origin": origin, "security": bool(_SECURITY.search(origin))}
        if security_only and not entry["security"]:
            continue
        if _excluded(entry["name"], exclude):
            continue
        picked.append(entry)
    return picked


def describe(candidates):
    """``name old -> new`` lines for the record and the report."""
    return ["%s %s -> %s" % (c["name"], c["old"], c["new"]) for c in candidates]


def win_update_titles(updates):
    """Titles (with KBs) from ``ansible.windows.win_updates``' ``updates`` result."""
    titles = []
    for update_id, update in sorted((updates or {}).items()):
        if not isinstance(update, dict):
            continue
        kbs = update.get("kb") or []
        title = update.get("title") or update_id
        titles.append("%s (KB%s)" % (title, ", KB".join(str(k) for k in kbs)) if kbs else title)
    return titles


def record(status, changes, reboot_required, rebooted=False, manager=None, check_mode=False,
           would_install=None, message=""):
    """The ``sophos_patch`` record (schema in docs/architecture.md)."""
    if status not in ("patched", "unchanged", "skipped", "failed"):
        raise PatchError("unknown patch status %r" % (status,))
    return {
        "status": status,
        "changes": list(changes or []),
        "would_install": list(would_install or []),
        "reboot_required": bool(reboot_required),
        "rebooted": bool(rebooted),
        "manager": manager,
        "check_mode": bool(check_mode),
        "message": message,
    }


# zypper --xmlout puts its own words in <message type="error">; community.general.zypper's msg is only
# "Zypper run failed.".
_ZYPPER_ERROR = re.compile(r'<message type="error">(.*?)</message>', re.DOTALL)
_XML_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def manager_error(result):
    """The package manager's own message from a failed task's result: its ``msg``, plus zypper's error
    messages when it sent only a generic one. Never empty."""
    result = result if isinstance(result, dict) else {}
    msg = result.get("msg")
    text = msg if isinstance(msg, str) and msg.strip() else "no message"
    stdout = result.get("stdout")
    found = []
    for raw in _ZYPPER_ERROR.findall(stdout) if isinstance(stdout, str) else []:
        for entity, char in _XML_ENTITIES:
            raw = raw.replace(entity, char)
        found.extend(line.strip() for line in raw.splitlines() if line.strip())
    if found:
        text = "%s %s" % (text.rstrip(), " / ".join(found))
    return text
