# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the report role: thin wrappers over module_utils/_report/."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    history, model, render_csv, render_html, render_index, render_markdown, render_text)
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _report_run
from ansible_collections.fleetops.sophos.plugins.plugin_utils._report_run import plain as _plain


def report_entries(hosts, hostvars, active=None, result_var="sophos_reboot_facts_result", not_run=None,
                   central=None, restart_required_at=None):
    """Deprecated: the fleetops.sophos.report action reads the hosts' records itself."""
    try:
        found = _report_run.entries(hosts, hostvars, active=active, result_var=result_var, not_run=not_run,
                                    central=central, restart_required_at=restart_required_at)
    except ValueError as exc:
        raise AnsibleFilterError("report_entries: %s" % exc)
    # Strings from hosts must never be templated again when the role passes them on
    # (ansible-core < 2.19 templates variables that are not marked unsafe).
    return wrap_var(found)


def _wrap(name, function):
    def wrapped(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except KeyError as exc:
            raise AnsibleFilterError("%s: expected a report made by report_build, it has no key %s" % (name, exc))
        except (ValueError, TypeError) as exc:
            raise AnsibleFilterError("%s: %s" % (name, to_text(exc)))
    return wrapped


def report_build(entries, alert_days=model.DEFAULT_ALERT_DAYS, generated=None, title=None,
                 max_text=model.DEFAULT_MAX_TEXT, run=None, central=None):
    return wrap_var(model.build_report(_plain(entries), alert_days=_plain(alert_days), generated=generated,
                                       title=title, max_text=_plain(max_text), run=_plain(run),
                                       central=_plain(central)))


def report_run(started, token, check_mode=False, playbook=None, basename="sophos-report"):
    return history.new_run(to_text(started), to_text(token), check_mode=bool(_plain(check_mode)),
                           playbook=to_text(playbook) if playbook else None, basename=to_text(basename))


def report_prune(names, keep, run=None, basename="sophos-report"):
    names = [to_text(name).rsplit("/", 1)[-1] for name in _plain(names)]
    return history.to_prune(names, _plain(keep), current=_plain(run), basename=to_text(basename))


def report_index(paths, contents, names=None, basename="sophos-report", title="Sophos restart reports"):
    """``paths`` of the runs' JSON reports and their ``contents`` (same order): the index page as HTML."""
    paths, contents = _plain(paths), _plain(contents)
    if len(paths) != len(contents):
        raise ValueError("expected one content per path, got %d path(s) and %d content(s)" % (len(paths), len(contents)))
    pairs = [(to_text(path).rsplit("/", 1)[-1], to_text(text)) for path, text in zip(paths, contents)]
    index = history.index_data(pairs, basename=to_text(basename))
    listed = [to_text(name).rsplit("/", 1)[-1] for name in _plain(names or [])]
    return render_index.to_index_html(index, names=listed, title=to_text(title), basename=to_text(basename))


class FilterModule(object):
    def filters(self):
        return {
            "report_entries": report_entries,
            "report_build": _wrap("report_build", report_build),
            "report_csv": _wrap("report_csv", render_csv.to_csv),
            "report_markdown": _wrap("report_markdown", render_markdown.to_markdown),
            "report_html": _wrap("report_html", render_html.to_html),
            "report_run": _wrap("report_run", report_run),
            "report_prune": _wrap("report_prune", report_prune),
            "report_index": _wrap("report_index", report_index),
            "report_text": _wrap("report_text", lambda report, location=None: render_text.to_lines(
                report, location=to_text(location) if location else None)),
        }
