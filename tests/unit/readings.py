"""Recorded readings for the unit tests: fixture files and the probe results the action plugin assesses."""
import json
import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "reboot_facts")
WINDOWS_KEYS = ("now", "last_boot", "sophos", "os_keys", "services", "uninstall", "errors", "service_installs")


def fixture(*parts):
    with open(os.path.join(FIXTURES, *parts), encoding="utf-8") as handle:
        return handle.read()


def windows_probe(name):
    """A recorded win_reboot_probe result as the action plugin hands it to assess()."""
    result = json.loads(fixture("windows", "probe.%s.json" % name))
    raw = dict((key, result.get(key)) for key in WINDOWS_KEYS)
    raw["family"] = "windows"
    return raw


def put(path, content, mtime=None):
    """Write a file of a test host tree, with its directories and an optional mtime."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
