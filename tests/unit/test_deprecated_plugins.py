"""The plugins meta/runtime.yml deprecates: documented as deprecated, still working, and used nowhere in the collection."""
import glob
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _deprecated():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        routing = yaml.safe_load(handle).get("plugin_routing") or {}
    return dict(((kind, name), entry["deprecation"]) for kind, plugins in routing.items()
                for name, entry in plugins.items() if "deprecation" in entry)


def test_deprecated_filters_are_documented_as_such():
    deprecated = _deprecated()
    assert ("filter", "report_entries") in deprecated and ("filter", "report_text") not in deprecated
    for (kind, name), entry in deprecated.items():
        with open(os.path.join(ROOT, "plugins", kind, name + ".yml")) as handle:
            doc = yaml.safe_load(handle)["DOCUMENTATION"]
        assert doc["deprecated"]["removed_in"] == entry["removal_version"], name
        assert entry["warning_text"] and doc["deprecated"]["alternative"], name


def test_the_collection_uses_no_deprecated_plugin():
    names = [name for _kind, name in _deprecated()]
    # a filter as templates call it (after a pipe, or by its full name): an option of the same name is not one
    pattern = re.compile(r"(?:\|\s*|\bfleetops\.sophos\.)(%s)\b" % "|".join(map(re.escape, names)))
    files = [path for pattern_ in ("roles/**/*.yml", "playbooks/**/*.yml", "extensions/**/*.yml")
             for path in glob.glob(os.path.join(ROOT, pattern_), recursive=True)]
    assert files
    used = []
    for path in files:
        with open(path) as handle:
            for number, line in enumerate(handle, 1):
                if pattern.search(line) and not line.lstrip().startswith("#"):
                    used.append("%s:%d: %s" % (os.path.relpath(path, ROOT), number, line.strip()))
    assert not used, "\n".join(used)
