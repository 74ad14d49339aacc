"""Recorded readings for the unit tests: fixture files and the probe results the action plugin assesses."""
import os

from ansible_collections.fleetops.sophos.tests.unit import fixture_files

WINDOWS_KEYS = ("now", "last_boot", "sophos", "os_keys", "services", "uninstall", "errors", "service_installs")
# The keys the older readings tests hand over (the SCCM client's state, no service installs).
SCCM_KEYS = ("now", "last_boot", "sophos", "os_keys", "services", "errors", "sccm", "uninstall")


def fixture(*parts):
    """A recorded reading's text, ``parts`` below tests/unit/fixtures/reboot_facts/."""
    return fixture_files.text("reboot_facts", *parts)


def probe(name):
    """A recorded win_reboot_probe result (fixtures/reboot_facts/windows/probe.NAME.json), as it returns it."""
    return fixture_files.load("reboot_facts", "windows", "probe.%s.json" % name)


def windows_probe(name, keys=WINDOWS_KEYS):
    """A recorded win_reboot_probe result as the action plugin hands it to assess() (``keys`` of it)."""
    result = probe(name)
    raw = dict((key, result.get(key)) for key in keys)
    raw["family"] = "windows"
    return raw


def put(path, content, mtime=None):
    """Write a file of a test host tree, with its directories and an optional mtime."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
