"""The one loader of the unit tests' recorded files (everything below tests/unit/fixtures/)."""
import json
import os

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def path(*parts):
    """The path of a fixture file or folder, ``parts`` below tests/unit/fixtures/."""
    return os.path.join(ROOT, *parts)


def text(*parts):
    with open(path(*parts), encoding="utf-8") as handle:
        return handle.read()


def raw(*parts):
    """The file's bytes, as a host or a download would hand them over."""
    with open(path(*parts), "rb") as handle:
        return handle.read()


def load(*parts):
    """A recorded JSON or YAML document (by the file's extension)."""
    content = text(*parts)
    if parts[-1].endswith((".yml", ".yaml")):
        return yaml.safe_load(content)
    return json.loads(content)


def names(*folder, suffix=""):
    """The files of a fixture folder, sorted; ``suffix`` keeps only the names that end so."""
    return sorted(name for name in os.listdir(path(*folder)) if name.endswith(suffix))
