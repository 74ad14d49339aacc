# -*- coding: utf-8 -*-
# Copyright: fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of fleetops.sophos.report_notify: the run's summary to every target of ``report_notify``.

Runs on the controller (the report role delegates it to localhost): chat and webhook targets are posted
to by ``plugin_utils/_notify.py``; e-mail targets are sent by the ``community.general.mail`` module, run
here with the HTML report attached (rendered into a private temporary directory, removed afterwards).

It never fails a run: a bad target or a failed send is a warning and an entry in ``notifications``; the
report comes back with those entries added.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.fleetops.sophos.plugins.module_utils import _notify, _settings
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model, render_html
from ansible_collections.fleetops.sophos.plugins.module_utils._report.render_text import why
from ansible_collections.fleetops.sophos.plugins.plugin_utils import _notify as _send

display = Display()

MAIL_MODULE = "community.general.mail"
ARGUMENT_SPEC = {
    "targets": {"type": "list", "elements": "raw", "required": True, "no_log": True},
    "report": {"type": "dict", "required": True},
    "link": {"type": "str", "default": ""},
    "location": {"type": "str", "default": ""},
    "in_check_mode": {"type": "raw", "default": False},
    "attach": {"type": "bool", "default": True},
}


def _warn(line):
    display.warning(line)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    # ActionBase's defaults: check mode supported (the run's check mode is the report's), async not.
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        result.update(changed=False, notifications=[])
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(self._task.args))
        if validation.error_messages:
            # Never the targets' values: the validator's messages name the option only.
            _warn("report_notify: no notification sent: %s" % "; ".join(validation.error_messages))
            return result
        options = validation.validated_parameters
        report = options["report"]
        result["report"] = report
        try:
            targets = _notify.normalize_targets(options["targets"])
            in_check_mode = _settings.flag(options["in_check_mode"], "report_notify_in_check_mode")
        except _settings.SettingError as exc:
            _warn("report_notify: no notification sent: %s" % exc)
            return result
        if not _notify.wanted(targets, "summary"):
            return result
        self._attachment = None
        self._task_vars = task_vars
        notifier = _send.Notifier(targets, _warn, link=options["link"], check_mode=report.get("check_mode") is True,
                                  in_check_mode=in_check_mode, mail=self._mail)
        try:
            if options["attach"] and not notifier.quiet and any(t["type"] == "email" for t in notifier.targets):
                self._attachment = self._render(report)
            message = _notify.summary_message(report, why, link=options["link"], location=options["location"])
            notifier.send(message, attachment=self._attachment)
        finally:
            if self._attachment:
                shutil.rmtree(os.path.dirname(self._attachment), ignore_errors=True)
        result["notifications"] = notifier.entries
        result["report"] = model.add_notifications(report, notifier.entries)
        return result

    @staticmethod
    def _render(report):
        """The HTML report in a private temporary file (the e-mail's attachment)."""
        directory = tempfile.mkdtemp(prefix="fleetops-notify-")
        name = "%s.html" % ((report.get("run") or {}).get("stem") or "sophos-report")
        path = os.path.join(directory, os.path.basename(name))
        with open(path, "w") as handle:
            handle.write(render_html.to_html(report))
        return path

    def _mail(self, target, subject, body, attachment):
        """One e-mail through community.general.mail: ``(ok, status, error)``."""
        args = {"host": target["host"], "port": target["port"], "secure": target["secure"],
                "sender": target["sender"], "to": target["to"], "cc": target["cc"],
                "subject": ("%s %s" % (target["subject"], subject)) if target.get("subject") else subject,
                "body": body, "timeout": int(max(1, round(target["timeout"]))), "charset": "utf-8"}
        if target.get("username"):
            args.update(username=target["username"], password=target["password"])
        if attachment:
            args["attach"] = [attachment]
        outcome = self._execute_module(module_name=MAIL_MODULE, module_args=args, task_vars=self._task_vars)
        if outcome.get("failed") or outcome.get("unreachable"):
            return False, None, _failure(outcome)
        return True, None, None


def _failure(outcome):
    """Why a module failed: its ``msg``, else (ansible-core 2.19 keeps a module's exception apart) the
    exception's message, else the last line of its traceback or output."""
    if outcome.get("msg"):
        return outcome["msg"]
    exception = outcome.get("exception")
    event = getattr(exception, "event", None)
    if getattr(event, "msg", None):
        return event.msg
    for key in ("exception", "module_stderr", "module_stdout"):
        if isinstance(outcome.get(key), str) and outcome[key].strip():
            return outcome[key].strip().splitlines()[-1]
    return "no message"
