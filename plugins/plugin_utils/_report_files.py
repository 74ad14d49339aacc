# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the report's files on the controller, one code path for every writer.

The report action (``plugins/action/report.py``) and the callback that reports a run ended by Ctrl-C
(``plugins/callback/interrupted.py``) write through ``write_files``; the action also prunes old runs and
writes ``index.html``. The contents come from the pure renderers in ``module_utils/_report/``.
Each file is written whole to a temporary name and renamed, so a reader never sees half a report.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    history, render_csv, render_html, render_index, render_markdown)

EXTENSIONS = history.EXTENSIONS


def to_json(data):
    """JSON as the report has always been written (``to_nice_json(indent=2)`` and a final newline)."""
    return json.dumps(data, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"


RENDERERS = {
    "json": to_json,
    "csv": render_csv.to_csv,
    "markdown": render_markdown.to_markdown,
    "html": render_html.to_html,
}


def mode_bits(mode):
    """``0644``-style octal text as permission bits; a number is taken as the bits themselves, as Ansible's file
    modules take one (YAML reads an unquoted ``0644`` as 420); ValueError names a bad mode."""
    if isinstance(mode, int) and not isinstance(mode, bool):
        bits = mode
    else:
        try:
            bits = int(str(mode), 8)
        except ValueError:
            bits = -1
    if not 0 <= bits <= 0o7777:
        raise ValueError("report_mode must be octal permissions such as '0644', got %r" % (mode,))
    return bits


def write_text(path, text, mode):
    """``text`` (UTF-8) at ``path`` with permissions ``mode`` (bits), replacing it in one rename."""
    directory, name = os.path.split(path)
    handle, temporary = tempfile.mkstemp(prefix="." + name + ".", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_files(report, directory, stem, latest, formats, mode):
    """The run's files ``<stem>.<ext>`` and the latest copies ``<latest>.<ext>`` of each of ``formats``,
    and the run's summary ``<stem>.summary.json`` when JSON is written. Returns the paths written."""
    bits = mode_bits(mode)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    written = []
    for name in formats:
        text = RENDERERS[name](report)
        for base in (stem, latest):
            path = os.path.join(directory, "%s.%s" % (base, EXTENSIONS[name]))
            write_text(path, text, bits)
            written.append(path)
    if "json" in formats:
        json_name = stem + ".json"
        summary = history.summary_of(json_name, report)
        if summary is not None:
            path = os.path.join(directory, history.summary_name(json_name))
            write_text(path, to_json(summary), bits)
            written.append(path)
    return written


def _remove(directory, names):
    for name in names:
        try:
            os.unlink(os.path.join(directory, name))
        except FileNotFoundError:
            pass  # removed meanwhile: what was asked


def prune(directory, keep, run, basename):
    """Removes the runs beyond the newest ``keep`` (never ``run``) and the summaries left without a run;
    returns ``(removed, kept)``: the file names removed and the names left in the directory."""
    names = sorted(os.listdir(directory))
    removed = history.to_prune(names, keep, current=run, basename=basename)
    left = [name for name in names if name not in set(removed)]
    orphans = history.orphan_summaries(left, basename)
    _remove(directory, removed + orphans)
    return sorted(removed + orphans), [name for name in left if name not in set(orphans)]


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def run_entry(directory, name, names, mode, basename):
    """The index entry of the run whose JSON report is ``name``: from its summary, else from the report
    itself, whose summary is then written (a run written by an older version is read in full once)."""
    summary = history.summary_name(name)
    if summary in names:
        try:
            entry = history.entry_from_summary(name, _read(os.path.join(directory, summary)))
        except (OSError, UnicodeDecodeError):
            entry = None
        if entry is not None:
            return entry
    try:
        text = _read(os.path.join(directory, name))
    except (OSError, UnicodeDecodeError) as exc:
        entry = history.index_entry(name, "", basename)
        entry["error"] = u"unreadable: %s" % exc
        return entry
    entry = history.index_entry(name, text, basename)
    if not entry["error"]:
        write_text(os.path.join(directory, summary), to_json(history.summary_of(name, json.loads(text),
                                                                                basename)), mode)
    return entry


def write_index(directory, names, basename, mode, title=u"Sophos restart reports"):
    """``index.html`` of the runs whose JSON reports are among ``names`` (the directory's file names)."""
    bits = mode_bits(mode)
    present = set(names)
    entries = [run_entry(directory, name, present, bits, basename) for name in names
               if name.endswith(".json") and history.parse_name(name, basename) is not None]
    index = history.index_from_entries(entries)
    path = os.path.join(directory, history.INDEX_NAME)
    write_text(path, render_index.to_index_html(index, names=names, title=title, basename=basename), bits)
    return path
