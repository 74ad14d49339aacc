"""The CSV, Markdown and HTML-row renderings of a small report, through the filters, compared with hand-checked text.

Checked by hand: formula-looking cells get a leading quote, floats lose trailing zeros, lists are joined
with "; ", weak reasons are marked, Markdown escapes | _ * [ ], rows are worst first.
"""
import base64
import copy
import hashlib
import re

from ansible_collections.fleetops.sophos.plugins.filter.report import FilterModule

FILTERS = FilterModule().filters()

ENTRIES = [
    {"host": "=web1",
     "facts": {"reboot_required": True, "pending_days": 15.25, "alert": True, "pending_since": "2026-11-12T02:00:00Z",
               "reasons": [{"id": "reboot_required_file", "strong": True, "detail": "libc6"},
                           {"id": "pending_file_rename", "strong": False, "detail": None}],
               "sophos": {"installed": True, "product": "spl", "version": "2024.1",
                          "last_update": "2026-11-26T06:00:00Z", "last_update_ok": True, "reboot_urgent": False,
                          "health": {"overall": "good", "services": {"MCS": "running"}}},
               "os": {"family": "linux", "last_boot": "2026-11-01T00:00:00Z", "uptime_days": 26.0}},
     "cycle": {"status": "deferred", "restarts": 0, "reasons_before": ["reboot_required_file"], "reasons_after": [],
               "message": "window | closed"},
     "patch": {"status": "patched", "changes": ["bash 1 -> 2", "-x"], "reboot_required": False}},
    {"host": "db_2", "facts": {"reboot_required": False, "sophos": {"installed": False}, "os": {"family": "linux"}}},
]

CSV = (
    "host,status,attention,issues,run_state,os_family,reboot_required,pending_days,pending_since,urgent,reasons,"
    "restarts,maintenance_status,maintenance_reasons_before,maintenance_reasons_after,maintenance_message,"
    "patch_status,patch_changes,sophos_installed,sophos_product,sophos_version,sophos_last_update,"
    "sophos_last_update_ok,sophos_health,last_boot,uptime_days,pending_since_source,central_source,central_alert,"
    "central_alert_raised_at,central_alert_days,central_pending_since,central_pending_since_source,"
    "central_pending_days\r\n"
    "'=web1,alert,true,restart pending for 15.2 days (alert after 14.0 days); window | closed; restart pending: "
    "reboot_required_file,ok,linux,true,15.25,2026-11-12T02:00:00Z,false,reboot_required_file (libc6); "
    "pending_file_rename [weak],0,deferred,reboot_required_file,,window | closed,patched,bash 1 -> 2; -x,true,spl,"
    "2024.1,2026-11-26T06:00:00Z,true,good,2026-11-01T00:00:00Z,26,,,,,,,,\r\n"
    "db_2,ok,false,,ok,linux,false,,,,,,,,,,,,false" + "," * 15 + "\r\n"
)

MARKDOWN = """# Fleet \\*maintenance\\*

Generated 2026-11-27T03:00:00Z; 2 host(s); restart alert after 14.0 days.

| Status | Hosts |
|---|---:|
| Alert: long / urgent | 1 |
| OK | 1 |

## Needs attention

- **=web1** (Alert: long / urgent): restart pending for 15.2 days (alert after 14.0 days); window \\| closed; \
restart pending: reboot\\_required\\_file

## Hosts

| Host | Status | Pending (days) | Reasons | Restarts | Sophos version | Last update | Health | Central alert |
|---|---|---:|---|---:|---|---|---|---|
| =web1 | Alert: long / urgent | 15.25 | reboot\\_required\\_file (libc6); pending\\_file\\_rename \\[weak\\] | 0 | 2024.1 | \
2026-11-26T06:00:00Z | healthy |  |
| db\\_2 | OK |  |  |  |  |  |  |  |
"""


def report():
    return FILTERS["report_build"](ENTRIES, generated="2026-11-27T03:00:00Z", title="Fleet *maintenance*")


def test_csv_rendering():
    assert FILTERS["report_csv"](report()) == CSV


def test_markdown_rendering():
    assert FILTERS["report_markdown"](report()) == MARKDOWN


def test_markdown_with_nothing_to_attend():
    text = FILTERS["report_markdown"](FILTERS["report_build"]([ENTRIES[1]], generated="g", title="t"))
    assert "## Needs attention\n\nNothing needs attention.\n" in text


# The HTML report's table rows, compared with hand-checked markup. Checked by hand: the gauge is
# pending_days / (2 x alert_days) wide (15.25 / 28 = 54.5 %, 8 / 28 = 28.6 %), red past alert_days, orange
# past half of it; a UTC time is shown short with a small Z, another text as it came; notes list every
# issue but pending and restarted, then read errors; check mode and settles are spelled out.

def html_entries():
    result = copy.deepcopy(ENTRIES)
    web = result[0]
    web["cycle"].update(settles=[{"mode": "poll", "seconds": 61.7, "ended": "evidence"},
                                 {"mode": None, "seconds": None, "ended": None}],
                        reasons_after=["pending_file_rename"], check_mode=True, would_reboot=True)
    web["facts"]["read_errors"] = [{"source": "os:x", "error": "boom"}]
    web["facts"]["sophos"]["health"]["services"] = {"MCS": "running", "AV": "stopped"}
    web["facts"]["sophos"]["last_update_ok"] = False
    result.append({"host": "lin-9", "run": {"state": "ok"},
                   "facts": {"reboot_required": True, "pending_days": 8.0,
                             "sophos": {"installed": True, "version": None, "health": {}},
                             "os": {"last_boot": "2026-11-01 00:00", "family": None}}})
    result.append({"host": "lin-10", "facts": {"reboot_required": True, "pending_days": None},
                   "patch": {"status": "failed", "changes": []}})
    return result


# The "Central alert" cell of a host the report has no Sophos Central view of.
NO_CENTRAL = '<td data-sort=""><div class="c"><span class="small">–</span></div></td>'
ROWS = [
    (
        '<tr data-index="0" data-status="failed" data-host="lin-10">'
        '<td data-sort="lin-10"><div class="c">lin-10<ul class="issues"><li>patching failed</li>'
        '</ul></div></td>'
        '<td data-sort="1"><div class="c"><span class="badge" style="--c:#b3261e">Failed</span></div></td>'
        '<td data-sort="0"><div class="c"><span class="small">age unknown</span></div></td>'
        '<td data-sort=""><div class="c"><span class="small">–</span></div></td>'
        '<td data-sort=""><div class="c"><span class="small">–</span></div></td>'
        '<td data-sort=""><div class="c">–<div class="small">patch: failed</div></div></td>'
        '<td data-sort=""><div class="c"></div></td>'
        '<td data-sort=""><div class="c"></div></td>'
        '<td data-sort=""><div class="c"></div></td>' + NO_CENTRAL + '</tr>'
    ),
    (
        '<tr data-index="1" data-status="unhealthy" data-host="=web1">'
        '<td data-sort="=web1"><div class="c">=web1<ul class="issues">'
        '<li>Sophos services not running: AV (stopped)</li><li>the last Sophos update failed</li>'
        '<li>restart pending for 15.2 days (alert after 14.0 days)</li><li>window | closed</li>'
        '<li>could not read os:x: boom</li></ul></div></td>'
        '<td data-sort="3"><div class="c">'
        '<span class="badge" style="--c:#c2185b">Sophos unhealthy</span></div></td>'
        '<td data-sort="15.250"><div class="c"><div class="bar" title="15.2 days">'
        '<span style="--c:#b3261e;width:54.5%"></span><i style="left:50%"></i></div>'
        '<div class="small">15.2 days</div></div></td>'
        '<td data-sort="reboot_required_file pending_file_rename"><div class="c">reboot_required_file (libc6)'
        '<br>pending_file_rename [weak]</div></td>'
        '<td data-sort="0"><div class="c">0<div class="small">why: reboot_required_file'
        '<br>left: pending_file_rename<br>settle poll 61 s, evidence<br>settle ?, ?</div></div></td>'
        '<td data-sort="deferred (check mode, would restart)">'
        '<div class="c">deferred (check mode, would restart)<div class="small">window | closed'
        '<br>patch: patched, 2 change(s)</div></div></td>'
        # One word for the host's health, the badge's (unhealthy), with why; stopped services after it.
        '<td data-sort="2024.1"><div class="c">2024.1<div class="small">spl<br>health: unhealthy'
        '<br>the last Sophos update failed<br>AV: stopped</div></div></td>'
        '<td data-sort="2026-11-26T06:00:00Z"><div class="c">2026-11-26 06:00<span class="small">Z</span>'
        '<div class="small">failed</div></div></td>'
        '<td data-sort="2026-11-01T00:00:00Z"><div class="c">2026-11-01 00:00<span class="small">Z</span>'
        '<div class="small">linux</div></div></td>' + NO_CENTRAL + '</tr>'
    ),
    (
        '<tr data-index="2" data-status="pending" data-host="lin-9">'
        '<td data-sort="lin-9"><div class="c">lin-9</div></td>'
        '<td data-sort="9"><div class="c">'
        '<span class="badge" style="--c:#c9a100">Restart pending</span></div></td>'
        '<td data-sort="8.000"><div class="c"><div class="bar" title="8.0 days">'
        '<span style="--c:#e07b00;width:28.6%"></span><i style="left:50%"></i></div>'
        '<div class="small">8.0 days</div></div></td>'
        '<td data-sort=""><div class="c"><span class="small">–</span></div></td>'
        '<td data-sort=""><div class="c"><span class="small">–</span></div></td>'
        '<td data-sort=""><div class="c"><span class="small">not run</span></div></td>'
        '<td data-sort=""><div class="c"></div></td>'
        '<td data-sort=""><div class="c"></div></td>'
        '<td data-sort="2026-11-01 00:00"><div class="c">2026-11-01 00:00</div></td>' + NO_CENTRAL + '</tr>'
    ),
    (
        '<tr data-index="3" data-status="ok" data-host="db_2">'
        '<td data-sort="db_2"><div class="c">db_2</div></td>'
        '<td data-sort="11"><div class="c"><span class="badge" style="--c:#4caf50">OK</span></div></td>'
        '<td data-sort=""><div class="c"><span class="small">–</span></div></td>'
        '<td data-sort=""><div class="c"><span class="small">–</span></div></td>'
        '<td data-sort=""><div class="c"><span class="small">–</span></div></td>'
        '<td data-sort=""><div class="c"><span class="small">not run</span></div></td>'
        '<td data-sort="not installed"><div class="c">not installed</div></td>'
        '<td data-sort=""><div class="c"></div></td>'
        '<td data-sort=""><div class="c"><div class="small">linux</div></div></td>' + NO_CENTRAL + '</tr>'
    ),
]


def test_html_rows():
    report = FILTERS["report_build"](html_entries(), generated="2026-11-27T03:00:00Z", title="t")
    page = FILTERS["report_html"](report)
    assert re.findall(r"<tr data-index=.*?</tr>", page) == ROWS


def test_html_gauge_is_full_past_twice_the_alert_age():
    entry = {"host": "old", "facts": {"reboot_required": True, "pending_days": 28.1}}
    page = FILTERS["report_html"](FILTERS["report_build"]([entry], generated="g", title="t"))
    assert '<span style="--c:#b3261e;width:100.0%"></span>' in page
    entry["facts"]["pending_days"] = 28.0
    page = FILTERS["report_html"](FILTERS["report_build"]([entry], generated="g", title="t"))
    assert '<span style="--c:#b3261e;width:100.0%"></span>' in page
    entry["facts"]["pending_days"] = 7.0   # half the alert age: still yellow
    page = FILTERS["report_html"](FILTERS["report_build"]([entry], generated="g", title="t"))
    assert '<span style="--c:#c9a100;width:25.0%"></span>' in page


def _page(entries):
    return FILTERS["report_html"](FILTERS["report_build"](entries, generated="g", title="t"))


def test_html_head_and_script_hash():
    page = _page([])
    heads = re.search(r"<thead><tr>(.*?)</tr></thead>", page).group(1)
    assert heads == "".join('<th data-type="%s" scope="col">%s</th>' % (kind, label) for label, kind in (
        ("Host", "text"), ("Status", "num"), ("Pending", "num"), ("Reasons", "text"), ("Restarts", "num"),
        ("Maintenance", "text"), ("Sophos", "text"), ("Last update", "text"), ("Last boot", "text"),
        ("Central alert", "num")))
    # The page's only script runs because the policy names its hash (computed here, not by the renderer).
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "script-src &#x27;sha256-%s&#x27;;" % digest in policy


def test_html_notes_leave_out_pending_and_restarted():
    page = _page([{"host": "r", "facts": {"reboot_required": True, "pending_days": 1.0,
                                          "reasons": [{"id": "x", "strong": True}]},
                   "cycle": {"status": "rebooted", "restarts": 1}}])
    assert '<ul class="issues">' not in page


def test_html_maintenance_cell_without_a_message():
    page = _page([{"host": "m", "facts": {}, "cycle": {"status": "ok", "restarts": 0, "message": None},
                   "patch": {"status": "unchanged", "changes": []}}])
    assert '<div class="c">ok<div class="small">patch: unchanged</div></div>' in page


def test_markdown_puts_a_multi_line_message_on_one_line():
    text = FILTERS["report_markdown"](FILTERS["report_build"](
        [{"host": "f", "facts": {}, "cycle": {"status": "failed", "message": "first\r\n\nsecond"}}],
        generated="g", title="t"))
    assert "- **f** (Failed): first second\n" in text
