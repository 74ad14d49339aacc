# -*- coding: utf-8 -*-
"""Notifications (module_utils/_notify.py): the targets' check (every problem at once) and the messages each
type builds (Adaptive Card, Block Kit, the webhook schema), from a real report."""

from __future__ import absolute_import, division, print_function

import json
import re

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _notify, _run, _settings, _time
from ansible_collections.fleetops.sophos.plugins.module_utils._report import model
from ansible_collections.fleetops.sophos.plugins.module_utils._report.render_text import why

SECRET = "sig=Zm9vYmFyc2VjcmV0dG9rZW4"
TEAMS = "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?" + SECRET


def _report_of(check_mode=False):
    entries = [
        {"host": "web1", "facts": {"reboot_required": False, "reasons": []},
         "cycle": {"status": "rebooted", "restarts": 1, "message": "clean after 1 restart(s)"},
         "run": {"state": "ok"}},
        {"host": "db1", "facts": {"reboot_required": True, "reasons": [{"id": "sophos_reboot_required"}]},
         "cycle": {"status": "failed", "restarts": 1, "message": "the host did not come back from restart 1",
                   "notifications": [{"type": "teams", "target": "ops", "event": "failed", "host": "db1",
                                      "ok": True, "status": 202, "error": None}]},
         "run": {"state": "failed", "message": "the host did not come back"}},
        {"host": "app1", "facts": None, "run": {"state": "not_run"}},
    ]
    return model.build_report(entries, generated="2026-11-28T03:00:00Z",
                              run={"id": "r1", "started": "2026-11-28T02:00:00Z", "check_mode": check_mode,
                                   "playbook": "fleetops.sophos.maintenance", "stem": "sophos-report-x"})


# ---------------------------------------------------------------- the check


def test_good_targets_have_no_problem_and_get_their_defaults():
    targets = [{"type": "teams", "url": TEAMS}, {"type": "webhook", "url": "http://127.0.0.1:8080/x",
                                                 "allow_insecure": "yes", "events": "summary\nfailed"},
               {"type": "email", "host": "smtp.example.com", "from": "ops@example.com", "to": "a@x, b@x",
                "username": "u", "password": "p"}]
    assert _notify.check_targets(targets) == []
    full = _notify.normalize_targets(targets)
    assert full[0]["events"] == ["summary"] and full[0]["validate_certs"] is True and full[0]["timeout"] == 10
    assert full[1]["events"] == ["summary", "failed"] and full[1]["allow_insecure"] is True
    assert full[2]["sender"] == "ops@example.com" and full[2]["to"] == ["a@x", "b@x"]
    assert full[2]["port"] == 587 and full[2]["secure"] == "starttls"


def test_every_problem_is_named_at_once_and_no_secret_is_in_them():
    targets = [
        {"type": "discord", "url": TEAMS},
        {"type": "teams", "events": ["summary", "rebooting"]},
        {"type": "slack", "url": "http://hooks.example.com/services/T0/B0/" + SECRET},
        {"type": "email", "host": "smtp", "password": "hunter2-secret", "secure": "never", "events": ["failed"]},
        {"type": "webhook", "url": "https://h/x", "timeout": 600, "colour": "red"},
        "https://just-a-url",
    ]
    problems = _notify.check_targets(targets)
    text = "\n".join(problems)
    for expected in ("report_notify[0]: unknown type 'discord'", "report_notify[1] (teams): url is required",
                     "report_notify[1] (teams): unknown event(s) rebooting",
                     "report_notify[2] (slack): url is not https (http://hooks.example.com)",
                     "report_notify[3] (email): sender is required", "report_notify[3] (email): to is required",
                     "report_notify[3] (email): an e-mail target sends the summary only",
                     "report_notify[3] (email): a password with secure=never",
                     "report_notify[3] (email): username and password go together",
                     "report_notify[4] (webhook): timeout must be at most 60",
                     "report_notify[4] (webhook): unknown key(s) colour",
                     "report_notify[5] must be a mapping"):
        assert expected in text, expected
    assert SECRET not in text and "hunter2" not in text and "just-a-url" not in text
    with pytest.raises(_settings.SettingError) as raised:
        _notify.normalize_targets(targets)
    assert raised.value.args[0].count("report_notify[") == len(problems)


def test_not_a_list_is_one_problem():
    assert _notify.check_targets({"type": "teams"}) == [
        "report_notify must be a list of targets (mappings with a type), got dict"]
    assert _notify.check_targets(None) == [] and _notify.check_targets([]) == []


def test_the_run_check_refuses_bad_targets_before_any_host_is_touched():
    now = _time.parse_time("2026-11-28T02:00:00Z", "now")
    checked = _run.check_run(["report_notify"], None, {"report_notify"}, now,
                             settings={"report_notify": [{"type": "teams", "url": "http://x/" + SECRET},
                                                         {"type": "pager"}]})
    assert len(checked["errors"]) == 1
    assert "report_notify[0] (teams): url is not https" in checked["errors"][0]
    assert "report_notify[1]: unknown type 'pager'" in checked["errors"][0]
    assert SECRET not in checked["errors"][0]


def test_a_url_is_redacted_to_its_scheme_and_host():
    assert _notify.redacted_url(TEAMS) == "https://prod-01.westeurope.logic.azure.com"
    assert _notify.redacted_url("https://user:pw@h.example:8443/a?b") == "https://h.example:8443"
    assert _notify.redacted_url("not a url") == "(not a URL)"
    # A password holding "/" or an unescaped "@" leaves nothing of itself in the name.
    assert _notify.redacted_url("https://user:pa/ss@h.example/hook") == "https://h.example"
    assert _notify.redacted_url("https://user:p@ss@h.example:8443/hook?x=1") == "https://h.example:8443"
    assert _notify.redacted({"type": "teams", "url": TEAMS}) == "teams https://prod-01.westeurope.logic.azure.com"
    assert _notify.redacted({"type": "teams", "url": TEAMS, "name": "ops"}) == "ops"
    assert _notify.redacted({"type": "email", "host": "smtp", "port": 587, "password": "x"}) == "email smtp:587"


# ---------------------------------------------------------------- the messages


def test_the_summary_says_counts_then_attention_then_where():
    message = _notify.summary_message(_report_of(), why, link="https://reports/x.html")
    assert message["total"] == 3 and message["counts"] == {"failed": 1, "not_run": 1, "rebooted": 1}
    assert [item["host"] for item in message["attention"]] == ["db1"]
    lines = _notify.text_lines(message)
    assert lines[1] == "3 host(s): failed 1, not run 1, rebooted 1"
    assert lines[2] == "Needs attention:" and lines[3].startswith("- db1 (failed): ")
    assert lines[-1] == "Report: https://reports/x.html"


def test_the_webhook_payload_has_the_documented_schema():
    body = _notify.webhook(_notify.summary_message(_report_of(), why, location="/r/x.html"))
    assert set(body) == {"schema", "event", "check_mode", "title", "run", "generated", "summary", "attention",
                         "hosts", "report", "text"}
    assert body["schema"] == "fleetops.sophos.notify/v1" and body["event"] == "summary"
    assert body["summary"] == {"total": 3, "counts": {"failed": 1, "not_run": 1, "rebooted": 1}, "restarts": 2}
    assert body["report"] == {"link": None, "location": "/r/x.html"}
    assert [(h["host"], h["status"], h["attention"]) for h in body["hosts"]] == [
        ("db1", "failed", True), ("app1", "not_run", False), ("web1", "rebooted", False)]
    assert body["run"] == {"id": "r1", "started": "2026-11-28T02:00:00Z", "playbook": "fleetops.sophos.maintenance"}
    json.dumps(body)


def test_teams_gets_an_adaptive_card_in_a_workflows_message():
    body = _notify.teams(_notify.summary_message(_report_of(), why, link="https://reports/x.html"))
    assert body["type"] == "message" and len(body["attachments"]) == 1
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["body"][0]["type"] == "TextBlock" and card["body"][1]["type"] == "FactSet"
    assert {"title": "failed", "value": "1"} in card["body"][1]["facts"]
    assert any(block.get("text", "").startswith("- db1 (failed)") for block in card["body"])
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the report", "url": "https://reports/x.html"}]
    assert "@type" not in body and "MessageCard" not in json.dumps(body)


def test_slack_gets_block_kit_blocks_and_a_fallback_text():
    report = _report_of()
    report["hosts"][0]["host"] = "db<1>&"
    report["summary"]["attention"] = ["db<1>&"]
    body = _notify.slack(_notify.summary_message(report, why, link="https://reports/x.html"))
    assert [block["type"] for block in body["blocks"]] == ["header", "section", "section", "context"]
    assert body["blocks"][0]["text"]["type"] == "plain_text"
    assert "db&lt;1&gt;&amp;" in body["blocks"][2]["text"]["text"]
    assert body["blocks"][3]["elements"][0]["text"] == "<https://reports/x.html|Open the report>"
    assert body["text"].startswith("Sophos restart report - 3 host(s)")


def test_a_check_run_is_marked_in_every_type():
    message = _notify.summary_message(_report_of(check_mode=True), why)
    assert _notify.webhook(message)["title"].startswith("[check mode] ")
    assert _notify.teams(message)["attachments"][0]["content"]["body"][0]["text"].startswith("[check mode] ")
    assert _notify.slack(message)["blocks"][0]["text"]["text"].startswith("[check mode] ")
    assert _notify.email_text(message)[0].startswith("[check mode] ")


def test_a_host_event_names_the_host_and_its_reason():
    record = {"status": "failed", "message": "the host did not come back from restart 1", "restarts": 1,
              "stopped_groups": ["db"], "finished": "2026-11-28T02:30:00Z"}
    message = _notify.host_message("group_stopped", "db1", record, link="https://r/")
    assert message["title"] == "db1: stopped its restart group(s)"
    assert message["hosts"][0]["reason"].startswith("restart group(s) db stopped: the host did not come back")
    body = _notify.webhook(message)
    assert body["event"] == "group_stopped" and body["summary"]["counts"] == {"failed": 1}
    restarting = _notify.host_message("restarting", "web1", {"status": "restarting", "message": "restart 1 of at "
                                                             "most 2: sophos_reboot_required", "restarts": 0})
    assert _notify.text_lines(restarting)[:3] == ["web1: restarting", "1 host(s): restarting 1",
                                                  "restarting: restart 1 of at most 2: sophos_reboot_required"]


def test_long_attention_lists_are_cut_and_counted():
    report = _report_of()
    report["summary"]["attention"] = ["h%d" % index for index in range(40)]
    lines = _notify.text_lines(_notify.summary_message(report, why))
    assert lines[-1] == "- and %d more host(s)" % (40 - _notify.MAX_HOSTS)


def test_the_report_keeps_the_hosts_notifications_and_the_summarys():
    report = _report_of()
    assert report["notifications"] == [{"type": "teams", "target": "ops", "event": "failed", "host": "db1",
                                        "ok": True, "status": 202, "error": None}]
    entry = _notify.entry({"type": "webhook", "url": "https://h.example/" + SECRET}, "summary", False, status=500,
                          error="HTTP 500 Internal Server Error")
    added = model.add_notifications(report, [entry])
    assert added["notifications"][1] == {"type": "webhook", "target": "webhook https://h.example", "event": "summary",
                                         "host": None, "ok": False, "status": 500,
                                         "error": "HTTP 500 Internal Server Error"}
    assert SECRET not in json.dumps(added)


# ---------------------------------------------------------------- more of the check


def test_each_problem_is_one_whole_line_naming_the_target_and_what_is_expected():
    assert _notify.check_targets([{"type": "teams", "events": ["summary", "rebooting"]}]) == [
        "report_notify[0] (teams): url is required",
        "report_notify[0] (teams): unknown event(s) rebooting, expected some of "
        "summary|restarting|restarted|still_pending|failed|deferred|group_stopped"]


def test_an_email_targets_bad_fields_are_each_named():
    target = {"type": "email", "host": "smtp", "sender": "ops@example.com", "to": 5, "cc": [""], "secure": "ssl",
              "port": 0, "allow_insecure": "maybe"}
    assert _notify.check_targets([target]) == [
        "report_notify[0] (email) allow_insecure must be true or false (also yes/no, on/off, 1/0, any case), "
        "got 'maybe'",
        "report_notify[0] (email): secure must be one of starttls|always|try|never, got 'ssl'",
        "report_notify[0] (email) port must be >= 1, got 0",
        "report_notify[0] (email) to must be a list of strings or one string with an entry per line, got int 5",
        "report_notify[0] (email) cc entries must be non-empty strings, got ''"]


@pytest.mark.parametrize("to", [",", " ", "\n"])
def test_an_email_target_must_name_a_recipient(to):
    target = {"type": "email", "host": "smtp", "sender": "ops@example.com", "to": to}
    assert _notify.check_targets([target]) == [
        "report_notify[0] (email): to must name at least one recipient, got %r" % to]


def test_an_email_port_is_at_most_65535():
    target = {"type": "email", "host": "smtp", "sender": "ops@example.com", "to": "a@x", "port": 70000}
    assert _notify.check_targets([target]) == ["report_notify[0] (email) port must be at most 65535, got 70000"]
    assert _notify.check_targets([dict(target, port=65535)]) == []


def test_a_good_email_port_and_a_string_timeout_are_taken_and_converted():
    targets = [{"type": "email", "host": "smtp", "sender": "ops@example.com", "to": "a@x", "port": "25",
                "secure": "always", "timeout": "30"},
               {"type": "slack", "url": "https://hooks.example.com/x", "timeout": "2.5", "validate_certs": "no"}]
    assert _notify.check_targets(targets) == []
    email, chat = _notify.normalize_targets(targets)
    assert set(email) == set(_notify.KEYS["email"]) and set(chat) == set(_notify.KEYS["slack"])
    assert email["port"] == 25 and email["timeout"] == 30 and email["secure"] == "always"
    assert chat["timeout"] == 2.5 and chat["validate_certs"] is False


# ---------------------------------------------------------------- more of the messages

# The element and action types of an Adaptive Card 1.4 (adaptivecards.io/explorer), case as Teams wants it.
CARD_ELEMENTS = {"TextBlock", "RichTextBlock", "Image", "Media", "ImageSet", "FactSet", "ColumnSet", "Column",
                 "Container", "ActionSet", "Input.Text", "Input.Number", "Input.Date", "Input.Time",
                 "Input.Toggle", "Input.ChoiceSet"}
CARD_ACTIONS = {"Action.OpenUrl", "Action.Submit", "Action.ShowCard", "Action.ToggleVisibility", "Action.Execute"}
# Block Kit's blocks and text objects that a message may hold (api.slack.com/reference/block-kit).
SLACK_BLOCKS = {"header", "section", "context", "divider", "actions", "image", "rich_text"}
SLACK_TEXTS = {"plain_text", "mrkdwn"}


def _messages():
    """A summary with attention and a link, one with no attention and a location, a host event without reason."""
    calm = _report_of()
    calm["summary"]["attention"] = []
    return [_notify.summary_message(_report_of(), why, link="https://reports/x.html"),
            _notify.summary_message(calm, why, location="/srv/reports/a&b.html"),
            _notify.host_message("failed", "db1", {"status": "failed", "restarts": 2})]


def test_every_teams_card_element_is_a_valid_adaptive_card_element():
    for message in _messages():
        card = _notify.teams(message)["attachments"][0]["content"]
        for element in card["body"]:
            assert element["type"] in CARD_ELEMENTS, element
            if element["type"] == "TextBlock":
                assert element["text"] and element["wrap"] is True, element
            if element["type"] == "FactSet":
                for fact in element["facts"]:
                    assert set(fact) == {"title", "value"} and all(isinstance(v, str) for v in fact.values())
        for action in card.get("actions", []):
            assert action["type"] in CARD_ACTIONS and action["title"] and action["url"]


def test_the_teams_card_says_the_counts_the_attention_and_where_the_report_is():
    attention, calm, event = [_notify.teams(message)["attachments"][0]["content"] for message in _messages()]
    assert attention["body"][1]["facts"] == [{"title": "Hosts", "value": "3"}, {"title": "failed", "value": "1"},
                                             {"title": "not run", "value": "1"},
                                             {"title": "rebooted", "value": "1"}]
    assert [block["text"] for block in attention["body"][2:4]] == ["Needs attention", "- db1 (failed): " + why(
        _report_of()["hosts"][0])]
    assert "actions" not in calm
    assert [block["text"] for block in calm["body"][2:]] == ["Needs attention: none",
                                                             "Report: /srv/reports/a&b.html"]
    assert calm["body"][-1]["isSubtle"] is True
    assert event["body"][0]["text"] == "db1: failed"
    assert event["body"][-1]["text"] == "failed: no reason recorded"


def test_every_slack_block_is_valid_block_kit():
    for message in _messages():
        body = _notify.slack(message)
        assert body["text"]
        for block in body["blocks"]:
            assert block["type"] in SLACK_BLOCKS, block
            texts = block["elements"] if block["type"] == "context" else [block["text"]]
            for text in texts:
                assert text["type"] in SLACK_TEXTS and text["text"], block
        assert body["blocks"][0]["text"]["type"] == "plain_text"


def test_the_slack_message_says_the_attention_and_where_the_report_is():
    attention, calm, event = [_notify.slack(message)["blocks"] for message in _messages()]
    assert attention[2]["text"]["text"] == "*Needs attention*\n- db1 (failed): " + why(_report_of()["hosts"][0])
    assert calm[2]["text"]["text"] == "Needs attention: none"
    assert calm[3] == {"type": "context", "elements": [{"type": "mrkdwn",
                                                        "text": "Report: /srv/reports/a&amp;b.html"}]}
    assert event[2]["text"]["text"] == "failed: no reason recorded"
    assert [block["type"] for block in event] == ["header", "section", "section"]


def test_a_long_slack_section_is_never_cut_inside_an_escape_and_the_link_cannot_break_out():
    report = _report_of()
    message = _notify.summary_message(report, why, link="https://reports.example.com/x?a=1&b=2|evil>")
    # reasons of escaped characters: 2,900 characters end inside an escape (the old cut left "&lt;&")
    message["attention"] = [{"host": "h%03d" % n, "status": "failed", "reason": "<" * 282} for n in range(30)]
    section = _notify.slack(message)["blocks"][2]["text"]["text"]
    assert len(section) <= 2900 and not re.search(r"&[a-z]{0,3}$", section), section[-12:]
    link = _notify.slack(message)["blocks"][-1]["elements"][0]["text"]
    assert link == "<https://reports.example.com/x?a=1&amp;b=2%7Cevil&gt;|Open the report>"


def test_the_summary_gives_each_host_its_reason_and_keeps_a_titles_first_200_characters():
    report = _report_of()
    report["title"] = "Patch night " + "x" * 300
    message = _notify.summary_message(report, why)
    rows = dict((row["host"], row) for row in report["hosts"])
    assert message["attention"] == [{"host": "db1", "status": "failed", "reason": why(rows["db1"])}]
    assert message["attention"][0]["reason"]
    assert [(item["host"], item["reason"]) for item in message["hosts"]] == [
        (host, why(rows[host])) for host in ("db1", "app1", "web1")]
    assert len(message["title"]) == 200 and message["title"].startswith("Patch night xxx")
    assert message["title"].endswith(u"\u2026")


def test_an_empty_report_still_makes_a_whole_summary():
    message = _notify.summary_message({}, why)
    assert message["title"] == "Sophos restart report"
    assert (message["total"], message["counts"], message["restarts"], message["attention"]) == (0, {}, 0, [])
    assert _notify.webhook(message)["summary"] == {"total": 0, "counts": {}, "restarts": 0}
    assert _notify.text_lines(message) == ["Sophos restart report", "0 host(s): no hosts", "Needs attention: none"]


def test_a_host_event_carries_the_records_finish_restarts_and_the_link():
    record = {"status": "still_pending", "message": "still pending", "restarts": 2,
              "finished": "2026-11-28T02:40:00Z"}
    message = _notify.host_message("still_pending", "web1", record, link="https://r/x.html")
    body = _notify.webhook(message)
    assert body["generated"] == "2026-11-28T02:40:00Z"
    assert body["summary"] == {"total": 1, "counts": {"still_pending": 1}, "restarts": 2}
    assert body["report"] == {"link": "https://r/x.html", "location": None}
    assert message["report_title"] == "Sophos restart report"
    assert _notify.host_message("failed", "web1", None)["restarts"] == 0


def test_a_reason_is_cut_only_beyond_its_limit():
    exact = "r" * _notify.REASON_LIMIT
    assert _notify.host_message("failed", "h", {"message": exact})["hosts"][0]["reason"] == exact
    cut = _notify.host_message("failed", "h", {"message": exact + "s"})["hosts"][0]["reason"]
    assert len(cut) == _notify.REASON_LIMIT and cut.endswith(u"r\u2026")
