"""The CSV and Markdown renderings of a small report, through the filters, compared with hand-checked text.

Checked by hand: formula-looking cells get a leading quote, floats lose trailing zeros, lists are joined
with "; ", weak reasons are marked, Markdown escapes | _ * [ ], rows are worst first.
"""
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
    "sophos_last_update_ok,sophos_health,last_boot,uptime_days\r\n"
    "'=web1,alert,true,restart pending for 15.2 days (alert after 14.0 days); window | closed; restart pending: "
    "reboot_required_file,ok,linux,true,15.25,2026-11-12T02:00:00Z,false,reboot_required_file (libc6); "
    "pending_file_rename [weak],0,deferred,reboot_required_file,,window | closed,patched,bash 1 -> 2; -x,true,spl,"
    "2024.1,2026-11-26T06:00:00Z,true,good,2026-11-01T00:00:00Z,26\r\n"
    "db_2,ok,false,,ok,linux,false,,,,,,,,,,,,false,,,,,,,\r\n"
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

| Host | Status | Pending (days) | Reasons | Restarts | Sophos version | Last update | Health |
|---|---|---:|---|---:|---|---|---|
| =web1 | Alert: long / urgent | 15.25 | reboot\\_required\\_file (libc6); pending\\_file\\_rename \\[weak\\] | 0 | 2024.1 | \
2026-11-26T06:00:00Z | good |
| db\\_2 | OK |  |  |  |  |  |  |
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
