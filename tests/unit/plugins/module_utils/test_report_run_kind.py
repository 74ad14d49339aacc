"""The kind of run a report is of (run.kind): a restart-only run says so in every rendering."""
import re

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._report import (
    history, model, render_html, render_markdown, render_text)

ENTRIES = [{"host": "web1", "facts": {"reboot_required": False},
            "cycle": {"status": "ok", "restarts": 0, "message": "no restart needed: nothing pending"}},
           {"host": "web2", "facts": {"reboot_required": False},
            "cycle": {"status": "rebooted", "restarts": 1, "message": "clean after 1 restart(s)"}}]


def report(playbook, check=False):
    run = history.new_run("2026-12-12T21:00:00Z", "ab12", check_mode=check, playbook=playbook)
    return model.build_report(ENTRIES, generated="2026-12-12T22:00:00Z", run=run)


@pytest.mark.parametrize("playbook,kind", [
    ("fleetops.sophos.restart", "restart"), ("fleetops.sophos.maintenance", "maintenance"),
    ("fleetops.sophos.facts", "facts"), ("site.yml", None), (None, None)])
def test_the_run_kind_comes_from_the_playbook(playbook, kind):
    assert report(playbook)["run"]["kind"] == kind


def test_a_restart_only_run_says_so_in_the_table_markdown_and_html():
    restart = report("fleetops.sophos.restart")
    assert render_text.to_lines(restart)[0].startswith(u"Sophos restart report (restart-only run): 2 host(s)")
    assert render_markdown.to_markdown(restart).startswith(u"# Sophos restart report (restart-only run)\n")
    page = render_html.to_html(restart)
    assert re.search(r"<title>(.*)</title>", page).group(1) == u"Sophos restart report (restart-only run)"
    assert u'<span class="runkind" id="run-kind">restart-only run</span>' in page


def test_a_check_run_of_the_restart_playbook_says_both():
    check = report("fleetops.sophos.restart", check=True)
    assert render_text.to_lines(check)[0].startswith(u"Sophos restart report (restart-only run, check run):")
    assert render_markdown.to_markdown(check).startswith(u"# Sophos restart report (restart-only run, check run)\n")
    page = render_html.to_html(check)
    assert 'id="run-kind"' in page and 'id="check-run"' in page


def test_a_maintenance_run_says_so_and_a_play_of_ones_own_says_nothing():
    assert render_text.to_lines(report("fleetops.sophos.maintenance"))[0].startswith(
        u"Sophos restart report (maintenance run): ")
    for playbook in ("site.yml", "fleetops.sophos.facts"):
        own = report(playbook)
        assert render_text.to_lines(own)[0].startswith(u"Sophos restart report: ")
        assert 'id="run-kind"' not in render_html.to_html(own)
