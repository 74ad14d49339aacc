# -*- coding: utf-8 -*-
# Copyright: fleetops.sophos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the runner of the fleetops.sophos.report action.

Checks the options against the report settings table (``model.SETTINGS``) in one pass, asks Sophos Central for
the hosts the inventory gave no view of (``central_lookup``), reads each host's report input from ``hostvars`` in
Python, builds the report (``module_utils/_report/model.py``), writes its files, prunes the runs beyond ``keep``
and writes ``index.html`` (``_report_files``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import os
from collections.abc import Mapping, Sequence

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.fleetops.sophos.plugins.module_utils import _central, _time
from ansible_collections.fleetops.sophos.plugins.module_utils._report import history, model
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _report_files
from ansible_collections.fleetops.sophos.plugins.plugin_utils._unsafe import make_unsafe

# The report settings the role keeps to itself: how it shows, publishes and notifies the report and how it names
# the run (the action takes the run as an option).
ROLE_ONLY = ("show_table", "set_stats", "run_started", "playbook", "notify", "notify_in_check_mode", "notify_link")


def _option_spec(setting):
    """The action's spec of one row of the report settings table."""
    if setting.group == "settings":
        return {"type": "raw"}  # converted by the table (survey strings too), with the role's messages
    spec = {"type": setting.type}
    if setting.type == "list":
        spec["elements"] = "str"
    if setting.default is not None:
        spec["default"] = setting.default
    return spec


ARGUMENT_SPEC = dict(
    dict((setting.name, _option_spec(setting)) for setting in model.SETTINGS.settings
         if setting.name not in ROLE_ONLY),
    run={"type": "dict"},
    # Central's answers so far in this run (the facts a lookup returns, passed back by the next batch's report).
    central_views={"type": "dict", "default": {}},
    central_state={"type": "dict"},
    central_asked={"type": "list", "elements": "str", "default": []},
    # The run those answers belong to (the report_central_run fact): answers of another run are not used.
    central_run={"type": "str"},
    # A report this action returned earlier in the run, written again as it is (with the notifications' entries).
    report={"type": "dict"},
)
ARGUMENT_SPEC["dir"]["required"] = True
# No default: the validator fills a default dict's suboptions in place, a shared default would carry them.
ARGUMENT_SPEC["central_options"] = {"type": "dict", "options": _central.CONTROLLER_OPTIONS}
# Octal text, or a number as YAML reads an unquoted 0644 (the bits themselves, as Ansible's file modules take it).
ARGUMENT_SPEC["mode"] = {"type": "raw", "default": ARGUMENT_SPEC["mode"]["default"]}

# Ansible hands plugins lazy, templating containers; the report works on plain data.
_PLAIN = (str, int, float, bool, type(None))


def plain(value):
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Mapping):
        return dict((to_text(key), plain(item)) for key, item in value.items())
    if isinstance(value, (Sequence, set, frozenset)) and not isinstance(value, bytes):
        return [plain(item) for item in value]
    return to_text(value)


def _pick(variables, name):
    """A host's fact, whether set as ``ansible_facts.<name>`` or as a plain variable (set_fact)."""
    facts = variables.get("ansible_facts") if "ansible_facts" in variables else None
    if isinstance(facts, Mapping) and name in facts:
        return plain(facts[name])
    if name in variables:
        return plain(variables[name])
    return None


def _central_view(variables, host, looked_up):
    """Central's view of a host: the inventory's ``sophos_central``, else this run's lookup of it."""
    view = _pick(variables, "sophos_central")
    if view is not None:
        return view, "inventory", None
    view = looked_up.get(host)
    if isinstance(view, dict):
        view = dict(view)
        return view, "lookup", view.pop("checked_at", None)
    return None, None, None


def entries(hosts, hostvars, active=None, result_var="sophos_reboot_facts_result", not_run=None, central=None,
            restart_required_at=None):
    """The report input of each host (``model.build_report``'s entries), read from ``hostvars``."""
    if isinstance(hosts, (str, bytes)) or not isinstance(hosts, Sequence):
        raise ValueError("expected a list of host names, got %s" % type(hosts).__name__)
    active = set(to_text(host) for host in (hosts if active is None else active))
    not_run = set(to_text(host) for host in (not_run or []))
    looked_up = plain(central) if isinstance(central, Mapping) else {}
    event_times = plain(restart_required_at) if isinstance(restart_required_at, Mapping) else {}
    found = []
    for host in hosts:
        host = to_text(host)
        variables = hostvars[host] if host in hostvars else {}
        view, source, checked_at = _central_view(variables, host, looked_up)
        found.append({
            "host": host,
            "facts": _pick(variables, "sophos_reboot"),
            "cycle": _pick(variables, "sophos_reboot_cycle"),
            "patch": _pick(variables, "sophos_patch"),
            "run": model.run_state(plain(variables[result_var]) if result_var in variables else None,
                                   host in active, ran=host not in not_run),
            "central": view,
            "central_source": source,
            "central_checked_at": checked_at,
            "restart_required_at": event_times.get(host),
        })
    return found


# The facts a lookup returns, kept on localhost (delegate_facts) for the next batch's report: Central's view of
# each host asked, the names asked, how the lookup went, and the run they belong to. An action's facts go to a
# fact cache too: the next run finds them there, and its run id tells them apart (they are not its own).
CENTRAL_FACTS = ("report_central_views", "report_central_asked", "report_central_state", "report_central_run")


def central_names(hosts, batch, hostvars, asked):
    """The hosts to ask Central about: this batch's report hosts (all of them when none is in the batch) that the
    inventory gave no ``sophos_central`` and that were not asked yet in this run."""
    batch = set(to_text(host) for host in batch or [])
    names = [to_text(host) for host in hosts if to_text(host) in batch] or [to_text(host) for host in hosts]
    return [name for name in names if name not in asked
            and _pick(hostvars[name] if name in hostvars else {}, "sophos_central") is None]


def central_lookup(opts, hosts, batch, hostvars, environ, now, warn=None):
    """Central's view of the report's hosts without one: ``(views, asked, state)``, the run's so far with this
    lookup's added (each view with its ``checked_at``). One request set per report, from the controller; no
    credentials (options, then ``environ``) or a failed lookup is a state the report names, never an exception."""
    views = plain(opts["central_views"] or {})
    asked = list(opts["central_asked"] or [])
    options = _central.controller_options(opts["central_options"] or {}, environ)
    if not _central.has_credentials(options):
        return views, asked, {"lookup": "no_credentials"}
    names = central_names(hosts, batch, hostvars, set(asked))
    if not names:
        return views, asked, plain(opts["central_state"]) or {"lookup": "done"}
    asked.extend(names)
    try:
        info = _central.endpoints_info(_central.client_from(options, warn=warn), names,
                                       tenant_ids=options.get("tenant_ids"))
    except Exception as exc:  # pylint: disable=broad-except
        # named in the report, never a failed run
        return views, asked, {"lookup": "failed", "message": _central.failure_message(exc, options)}
    for name, view in info["endpoints"].items():
        views[name] = dict(view, checked_at=_time.iso(now))
    unmatched = (["not in Sophos Central: " + ", ".join(info["not_found"])] if info["not_found"] else []) + (
        ["several Central endpoints: " + ", ".join(info["ambiguous"])] if info["ambiguous"] else [])
    return views, asked, {"lookup": "done", "message": "; ".join(unmatched) or None}


def options(args):
    """``(options, problems)``: the checked options with the table's settings converted, or every problem."""
    validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(args))
    problems = list(validation.error_messages)
    checked = validation.validated_parameters
    raw = dict((name, checked[name]) for name in model.SETTINGS.names() if checked.get(name) is not None)
    problems.extend(model.SETTINGS.problems(raw))
    if checked.get("report") is not None and checked["report"].get("kind") != "fleetops.sophos.report":
        problems.append("report must be a report this action returned (kind fleetops.sophos.report)")
    checks = ((history.new_run, (u"2000-01-01T00:00:00Z", u"0000"), {"basename": checked.get("basename")}),
              (_report_files.mode_bits, (checked.get("mode"),), {}))
    for check, positional, named in checks:
        try:
            check(*positional, **named)  # each raises ValueError naming its setting
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        return None, problems
    checked.update(model.SETTINGS.normalize(raw))
    return checked, []


def _run_record(opts, now, check_mode):
    """The run's identity: the one the role named (``run``), else a new run started now."""
    if opts["run"]:
        record = plain(opts["run"])
        basename = opts["basename"]
        if (history.parse_name(u"%s.json" % record.get("stem"), basename) is None
                or record.get("latest") not in (basename, basename + "-check") or not record.get("id")):
            raise ValueError("run must be a run named by the report role's plan.yml for report_basename %r "
                             "(id, stem and latest), got %r" % (basename, record))
        return record
    token = binascii.hexlify(os.urandom(4)).decode("ascii")
    return history.new_run(_time.iso(now), token, check_mode=check_mode, basename=opts["basename"])


def run(args, task_vars, now, check_mode=False, environ=None, warn=None):
    """The action's result: the report written, pruned and indexed (``now``: the controller's UTC clock;
    ``environ``: the controller's environment, for Central's credentials)."""
    opts, problems = options(args)
    if problems:
        return {"failed": True, "msg": "Invalid options for report: %s" % "; ".join(problems)}
    hosts = opts["hosts"] if opts["hosts"] is not None else list(task_vars.get("ansible_play_hosts_all") or [])
    active = opts["active_hosts"] if opts["active_hosts"] is not None else task_vars.get("ansible_play_hosts")
    facts = None
    try:
        record = _run_record(opts, now, check_mode)
    except ValueError as exc:
        return {"failed": True, "msg": "report: %s" % to_text(exc)}
    if opts["central_run"] != record["id"]:
        # Answers of another run (a fact cache keeps an action's facts from run to run), or none: asked afresh.
        opts.update(central_views={}, central_state=None, central_asked=[])
    if opts["central_lookup"] and not opts["report"]:
        views, asked, state = central_lookup(opts, hosts, task_vars.get("ansible_play_batch") or hosts,
                                             task_vars.get("hostvars") or {}, environ or {}, now, warn=warn)
        opts.update(central_views=views, central_state=state)
        facts = dict(zip(CENTRAL_FACTS, (views, asked, state, record["id"])))
    try:
        report = plain(opts["report"]) if opts["report"] else model.build_report(
            entries(hosts, task_vars.get("hostvars") or {}, active=active, result_var=opts["result_var"],
                    not_run=opts["not_run_hosts"], central=opts["central_views"],
                    restart_required_at=opts["restart_required_at"]),
            alert_days=opts["alert_days"], generated=_time.iso(now), title=opts["title"], max_text=opts["max_text"],
            run=record, central=plain(opts["central_state"]))
        directory, formats = opts["dir"], opts["formats"]
        files = _report_files.write_files(report, directory, record["stem"], record["latest"], formats,
                                          opts["mode"])
        pruned, left = _report_files.prune(directory, opts["keep"], record, opts["basename"])
        index = None
        if "json" in formats and "html" in formats:
            index = _report_files.write_index(directory, left, opts["basename"], opts["mode"])
    except (OSError, ValueError, KeyError) as exc:
        return {"failed": True, "msg": "report: %s" % to_text(exc)}
    # Strings from hosts are never templated again when the role passes the report on (set_stats, the table).
    result = {"changed": False, "report": make_unsafe(report), "run": record, "files": files, "pruned": pruned,
              "index": index}
    if facts is not None:
        # Central's strings are never templated when the next batch passes them back.
        result["ansible_facts"] = make_unsafe(facts)
    return result
