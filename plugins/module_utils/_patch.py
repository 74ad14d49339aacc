# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: what the patch step installs and what it records.

Pure Python, no Ansible imports, no I/O. The ``fleetops.sophos.patch`` action checks its settings
here (``settings()``), picks the package manager of the host's family (``MANAGERS``), builds each
manager module's arguments here, and reads each module's result here into the one record shape
(``record()``) every family shares. On apt it lets apt simulate the upgrade (``apt-get -s
dist-upgrade``) and picks the packages here (security-only, exclusions).
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
    _settings.Setting("lock_timeout", 120, "int", minimum=0,
                      description="seconds to wait for the package manager's lock before failing"),
    _settings.Setting("ignore_reasons", [], "list", kind="as_sent", group="role"),
), error=PatchError)

DEFAULTS = SETTINGS.defaults()


def settings(raw):
    """The role's variables, checked and converted; a bad one raises PatchError naming it.

    Accepts what AWX surveys send: ``"true"``/``"false"`` for flags, numbers as strings, and
    lists as one string with an entry per line (a text area) or entries between commas.
    """
    return SETTINGS.normalize(raw)


def _patterns(exclude):
    """The exclude patterns as a list; raises PatchError on one that is not a non-empty string."""
    exclude = list(exclude or [])
    for pattern in exclude:
        if not isinstance(pattern, str) or not pattern.strip():
            raise PatchError("patch_exclude entries must be package names or glob patterns, got %r" % (pattern,))
    return exclude


def _excluded(name, exclude):
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in exclude)


def apt_candidates(simulation, security_only=False, exclude=()):
    """Packages an ``apt-get -s dist-upgrade`` would install, after security-only and exclusions.

    Only upgrades of installed packages are returned (``old`` set); packages new to the
    host come along as dependencies when apt upgrades these.
    """
    if not isinstance(simulation, str):
        raise PatchError("apt simulation output must be text, got %s" % type(simulation).__name__)
    exclude = _patterns(exclude)
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
           would_install=None, message="", removed=None, warnings=None):
    """The ``sophos_patch`` record (schema in docs/architecture.md), the same shape for every family."""
    if status not in ("patched", "unchanged", "skipped", "failed"):
        raise PatchError("unknown patch status %r" % (status,))
    return {
        "status": status,
        "changes": list(changes or []),
        "would_install": list(would_install or []),
        "removed": list(removed or []),
        "reboot_required": bool(reboot_required),
        "rebooted": bool(rebooted),
        "manager": manager,
        "check_mode": bool(check_mode),
        "message": message,
        "warnings": list(warnings or []),
    }


# zypper --xmlout puts its own words in <message type="error">; community.general.zypper's msg is only
# "Zypper run failed.".
_XML_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def _unescaped(text):
    """zypper's XML text with its five entities as characters (``&amp;`` last)."""
    for entity, char in _XML_ENTITIES:
        text = text.replace(entity, char)
    return text


def manager_error(result):
    """The package manager's own message from a failed module result: its ``msg``, plus zypper's error
    messages when it sent only a generic one. Never empty."""
    result = result if isinstance(result, dict) else {}
    msg = result.get("msg")
    text = msg if isinstance(msg, str) and msg.strip() else "no message"
    found = _zypper_messages(result.get("stdout"))
    if found:
        text = "%s %s" % (text.rstrip(), " / ".join(found))
    return text


# ---------------------------------------------------------------- one step for every family

# The package manager of each OS family (Ansible's ``os_family``; Windows from the connection).
MANAGERS = {"Debian": "apt", "RedHat": "dnf", "Suse": "zypper", "Windows": "win_updates"}
# The rpm database's transaction lock: dnf and zypper (librpm) wait on it without a bound.
RPM_LOCK = "/var/lib/rpm/.rpm.lock"


def refusal(os_family, settings):
    """Why the step refuses this host before changing anything, or None."""
    if os_family not in MANAGERS:
        return "fleetops.sophos.patch does not support the OS family %s" % (os_family,)
    if os_family == "Suse" and settings["exclude"] and settings["security_only"]:
        return ("patch_exclude with patch_security_only is not supported on SUSE (zypper installs security "
                "patches, not packages, and a patch cannot leave one of its packages out); lock the packages "
                "with zypper addlock instead, or leave one of the two empty")
    return None


def apt_refresh_args(settings):
    return {"update_cache": True, "cache_valid_time": settings["apt_cache_valid_time"],
            "lock_timeout": settings["lock_timeout"]}


# apt plans the upgrade (no lock taken: a simulation), in the C locale its Inst lines are read in.
APT_PLAN_ARGV = ["env", "LC_ALL=C", "apt-get", "--simulate", "-o", "Debug::NoLocking=true", "dist-upgrade"]


def apt_upgrade_args(candidates, settings):
    return {"name": [c["name"] for c in candidates], "state": "latest", "only_upgrade": True,
            "lock_timeout": settings["lock_timeout"]}


def dnf_args(settings):
    # lock_timeout: ansible.builtin.dnf accepts it but does not use it (ansible-core 2.16-2.19); the
    # action waits for the rpm lock itself, bounded, before it runs dnf. Passed for a core that honours it.
    return {"name": "*", "state": "latest", "update_only": True, "security": settings["security_only"],
            "exclude": list(settings["exclude"]), "lock_timeout": settings["lock_timeout"]}


# zypper lists the package updates it would install (read-only; it refreshes the repositories as an update
# does), when excludes leave some out: the others are upgraded by name.
ZYPPER_PLAN_ARGV = ["zypper", "--non-interactive", "--xmlout", "list-updates"]
_XML_TAG = re.compile(r"<update\s([^>]*)>")
_XML_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def zypper_candidates(listing, exclude=()):
    """Package updates of ``zypper --xmlout list-updates`` after exclusions: ``[{name, old, new}]``."""
    if not isinstance(listing, str):
        raise PatchError("zypper's update list must be text, got %s" % type(listing).__name__)
    exclude = _patterns(exclude)
    if "<update-status" not in listing:
        raise PatchError("zypper list-updates gave no update list (%s)"
                         % (" / ".join(_zypper_messages(listing, ("error", "warning"))) or "no message"))
    picked = []
    for attributes in _XML_TAG.findall(listing):
        fields = dict((key, _unescaped(value)) for key, value in _XML_ATTRIBUTE.findall(attributes))
        name = fields.get("name")
        if fields.get("kind", "package") != "package" or not name or _excluded(name, exclude):
            continue
        picked.append({"name": name, "old": fields.get("edition-old") or "", "new": fields.get("edition") or ""})
    return picked


def zypper_args(settings, names=None):
    """community.general.zypper's arguments: every update, or the packages ``names`` (excludes applied)."""
    args = {"name": list(names) if names else "*", "state": "latest",
            "type": "patch" if settings["security_only"] else "package"}
    if settings["security_only"]:
        args["extra_args"] = "--category security"
    return args


def win_args(settings):
    if settings["win_categories"]:
        categories = list(settings["win_categories"])
    else:
        categories = ["SecurityUpdates", "CriticalUpdates"] if settings["security_only"] else ["*"]
    args = {"category_names": categories, "state": "installed", "reboot": settings["win_reboot"],
            "reboot_timeout": settings["win_reboot_timeout"]}
    if settings["win_accept_list"]:
        args["accept_list"] = list(settings["win_accept_list"])
    reject = list(settings["win_reject_list"]) + list(settings["exclude"])
    if reject:
        args["reject_list"] = reject
    return args


# "fleetops-demo-2.0-1.noarch", "kernel-2.0-1.x86_64", "bash-1:5.1.8-6.el9.x86_64"
_NEVRA = re.compile(r"^(?P<name>.+)-(?P<evr>[^-]+-[^-]+)\.(?P<arch>[^.]+)$")


def _nevra(text):
    match = _NEVRA.match(text.strip())
    if not match:
        return text.strip(), None, None
    return match.group("name"), match.group("evr"), match.group("arch")


def _paired(installed, removed):
    """``(changes, removed)``: an installed package paired with the removed one of its name and arch is an
    upgrade (``name old -> new``); one alone is new (``name version``, an install-only kernel); a removed
    one alone is reported as removed (``name version``)."""
    gone = {}
    for name, version, arch in removed:
        gone.setdefault((name, arch), []).append(version)
    changes = []
    for name, version, arch in installed:
        old = gone.get((name, arch))
        if old:
            changes.append("%s %s -> %s" % (name, old.pop(0), version))
        else:
            changes.append("%s %s" % (name, version) if version else name)
    left = [(name, version) for (name, _arch), versions in sorted(gone.items()) for version in versions]
    return changes, ["%s %s" % (name, version) if version else name for name, version in left]


def dnf_outcome(result):
    """``(changes, removed)`` from ``ansible.builtin.dnf``'s ``results``: its ``Installed: <nevra>`` lines are
    what was installed or upgraded; its ``Removed: <nevra>`` lines are the versions an upgrade replaced (paired
    with their new version) or packages removed (reported apart, never counted as installed)."""
    installed, removed = [], []
    for line in (result or {}).get("results") or []:
        if not isinstance(line, str):
            continue
        action, sep, package = line.partition(": ")
        if not sep:
            continue
        if action in ("Installed", "Upgraded", "Downgraded"):
            installed.append(_nevra(package))
        elif action == "Removed":
            removed.append(_nevra(package))
    return _paired(installed, removed)


# community.general.zypper's diff: "upgraded: a (1.0-1 => 2.0-1), b (...)\ninstalled: c\nremoved: d\n"
_ZYPPER_UPGRADE = re.compile(r"^(?P<name>\S+) \((?P<old>\S*) => (?P<new>\S*)\)$")


def zypper_outcome(result):
    """``(changes, removed)`` from ``community.general.zypper``'s diff (asked for with ``diff``)."""
    prepared = ((result or {}).get("diff") or {}).get("prepared") or ""
    changes, removed = [], []
    for line in prepared.splitlines():
        state, sep, items = line.partition(": ")
        if not sep:
            continue
        for item in (i.strip() for i in items.split(", ") if i.strip()):
            match = _ZYPPER_UPGRADE.match(item)
            if state == "upgraded" and match:
                changes.append("%s %s -> %s" % (match.group("name"), match.group("old"), match.group("new")))
            elif state in ("installed", "upgraded"):
                changes.append(item)
            elif state == "removed":
                removed.append(item)
    return changes, removed


def _zypper_messages(stdout, kinds=("error",)):
    found = []
    if not isinstance(stdout, str):
        return found
    for kind, raw in re.findall(r'<message type="(\w+)">(.*?)</message>', stdout, re.DOTALL):
        if kind not in kinds:
            continue
        found.extend(line.strip() for line in _unescaped(raw).splitlines() if line.strip())
    return found


# ZYPPER_EXIT_INF_REPOS_SKIPPED: a repository could not be refreshed and was skipped; the run went on.
ZYPPER_REPOS_SKIPPED = 106
_SKIPPED_REPO = re.compile(r"[Rr]epository '([^']+)'")


def zypper_skipped_repos(result):
    """A zypper run that exited 106 went on past repositories it could not read: the warning naming them
    (zypper's own words), or None when the result is not that."""
    result = result if isinstance(result, dict) else {}
    if result.get("rc") != ZYPPER_REPOS_SKIPPED:
        return None
    messages = _zypper_messages(result.get("stdout"), ("error", "warning"))
    repos = []
    for message in messages:
        for name in _SKIPPED_REPO.findall(message):
            if name not in repos:
                repos.append(name)
    named = ", ".join("'%s'" % name for name in repos) if repos else "a repository (zypper named none)"
    detail = (": " + " / ".join(messages)) if messages else ""
    return "zypper skipped %s it could not read and updated from the others (exit 106)%s" % (named, detail)


def outcome_message(manager, changes, removed, check_mode):
    """The record's message for a run that went through."""
    if not changes:
        text = "no update to install with %s" % manager
    else:
        text = "%s %d update(s) with %s" % ("would install" if check_mode else "installed", len(changes), manager)
    if removed:
        text += "; %s %d package(s)" % ("would remove" if check_mode else "removed", len(removed))
    return text


def shown(record_):
    """The one line the step prints for a host: its message and what it installed (or would)."""
    items = record_["changes"] + record_["would_install"]
    line = record_["message"] + ((": " + "; ".join(items)) if items else "")
    if record_["removed"]:
        line += " (removed: %s)" % "; ".join(record_["removed"])
    return line
