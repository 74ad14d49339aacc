"""assess() over small hand-written SPL readings: every field the SPL path sets, with its answer."""
import json

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess

NOW = "2026-11-27T08:00:00Z"
BOOT = "2026-11-26T06:00:00Z"
ALC = "base/mcs/status/ALC_status.xml"
SHS = "base/mcs/status/SHS_status.xml"
EPH = "base/mcs/internal_policy/internal_EPHEALTH.json"
SMR = "base/update/var/updatescheduler/state_machine_raw_data.json"
INI = "base/VERSION.ini"


def alc(required="no", urgent="no", download="good", install="good", last_good="2026-11-26T07:00:00Z",
        products=""):
    return ("<status><autoUpdate><rebootState><required>%s</required><urgent>%s</urgent></rebootState>"
            "<downloadState><state>%s</state></downloadState><installState><state>%s</state>"
            "<lastGood>%s</lastGood></installState></autoUpdate><products>%s</products></status>"
            % (required, urgent, download, install, last_good, products))


def shs(health=1, services=(("Sophos MCS Client", 0),)):
    details = "".join('<detail name="%s" value="%d"/>' % pair for pair in services)
    return ('<health><item name="health" value="%d"/><item name="service" value="1">%s</item>'
            '<item name="threat" value="1"/><item name="other" value="3"/></health>' % (health, details))


def raw(files=None, reports=None, markers=None, services=None):
    return {"family": "linux", "now": NOW, "last_boot": BOOT, "boot_id": "b",
            "spl": {"dir": "/opt/sophos-spl", "files": dict((k, {"text": v}) for k, v in (files or {}).items()),
                    "reports": dict((k, {"text": v}) for k, v in (reports or {}).items()),
                    "markers": markers or {}, "services": services or {}},
            "os": {}}


def test_every_field_of_a_clean_spl_install():
    products = ('<product rigidName="R" productName="Base" downloadedVersion="2" installedVersion="2"/>')
    facts = assess(raw({ALC: alc(products=products), SHS: shs(), INI: "PRODUCT_VERSION = 2026.1.0\n"}))
    assert facts["read_errors"] == [] and facts["reasons"] == []
    assert facts["sophos"] == {
        "installed": True, "product": "spl", "version": "2026.1.0", "registry_view": None,
        "components": [{"name": "Base", "installed_version": "2", "downloaded_version": "2"}],
        "reboot_required": False, "reboot_urgent": False, "updating": False,
        "last_update": "2026-11-26T07:00:00Z", "last_update_ok": True, "updated_since_boot": True,
        "queued_update": {"suspected": False, "evidence": []},
        "health": {"overall": "good", "detail": {"health": "good", "service": "good", "threat": "good"},
                   "services": {"Sophos MCS Client": "running"}},
        "installed_at": None, "installed_at_source": None, "installed_since_boot": None,
        "installed_since_boot_note": "no install time: base/etc/machine_id.txt is missing",
    }


@pytest.mark.parametrize("download, install, ok", [
    ("good", "good", True), ("bad", "good", False), ("good", "bad", False), ("", "", None),
])
def test_update_ok_from_alc_states(download, install, ok):
    assert assess(raw({ALC: alc(download=download, install=install)}))["sophos"]["last_update_ok"] is ok


@pytest.mark.parametrize("last_good, last_update", [
    ("1970-01-01T00:00:00Z", None), ("1999-12-31T23:59:59Z", None), ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"),
])
def test_alc_last_good_before_2000_is_no_update(last_good, last_update):
    assert assess(raw({ALC: alc(last_good=last_good)}))["sophos"]["last_update"] == last_update


def test_reboot_flags_and_urgent_alert():
    facts = assess(raw({ALC: alc(required="yes", urgent="yes")}))
    assert [r["id"] for r in facts["reasons"]] == ["sophos_reboot_required"]
    assert facts["reasons"][0]["detail"] == "ALC_status.xml rebootState/required = yes"
    assert (facts["sophos"]["reboot_required"], facts["sophos"]["reboot_urgent"], facts["alert"]) == (True, True, True)
    ignored = assess(raw({ALC: alc(required="yes", urgent="yes")}), {"ignore_reasons": ["sophos_reboot_required"]})
    assert (ignored["reboot_required"], ignored["alert"], ignored["ignored_reasons"]) == (
        False, False, ["sophos_reboot_required"])


def test_state_machine_sets_update_ok_only_when_alc_did_not():
    def smr(install, download, alc_text=None):
        files = {SMR: json.dumps({"InstallState": install, "DownloadState": download})}
        if alc_text:
            files[ALC] = alc_text
        return assess(raw(files))["sophos"]["last_update_ok"]

    assert smr(0, 0) is True
    assert smr(1, 0) is False
    assert smr(0, "2") is False
    assert smr(1, 1, alc()) is True          # ALC said good first
    assert assess(raw({SMR: json.dumps({"Other": 1})}))["sophos"]["last_update_ok"] is None


def test_reports_decide_update_ok_when_newest():
    success = json.dumps({"status": "SUCCESS", "finishTime": "20261126 080000"})
    failed = json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 090000"})
    older_failed = json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 050000"})
    assert assess(raw({ALC: alc()}, {"update_report_1.json": failed}))["sophos"]["last_update_ok"] is False
    newer_alc = assess(raw({ALC: alc(last_good="2026-11-26T10:00:00Z")}, {"update_report_1.json": failed}))
    assert newer_alc["sophos"]["last_update_ok"] is True     # the ALC's last good is newer than the report
    both = assess(raw({}, {"update_report_1.json": success, "update_report_2.json": older_failed}))
    assert (both["sophos"]["last_update_ok"], both["sophos"]["last_update"]) == (True, "2026-11-26T08:00:00Z")
    named = assess(raw({}, {"update_report20261126 083000.json": json.dumps({"status": "SUCCESS"})}))
    assert named["sophos"]["last_update"] == "2026-11-26T08:30:00Z"   # the stamp in the name when none inside
    none = assess(raw({}, {"update_report.json": json.dumps({"status": "SUCCESS"})}))
    assert none["read_errors"] == [{"source": "spl:base/update/var/updatescheduler/update_report.json",
                                    "error": "no usable finishTime"}]


def test_report_reading_errors_are_named():
    facts = assess({"family": "linux", "now": NOW, "last_boot": BOOT, "os": {},
                    "spl": {"files": {}, "reports": {"a.json": None, "b.json": {"error": "permission denied"}}}})
    assert facts["read_errors"] == [
        {"source": "spl:base/update/var/updatescheduler/a.json",
         "error": "no reading (the report disappeared while it was read)"},
        {"source": "spl:base/update/var/updatescheduler/b.json", "error": "permission denied"}]


@pytest.mark.parametrize("markers, updating", [
    ({}, False), ({"var/lock-sophosspl/suldownloader.pid": True}, True),
    ({"var/sophosspl/upgrade_marker_file": True}, True), ({"var/lock-sophosspl/suldownloader.pid": False}, False),
])
def test_updating_markers(markers, updating):
    assert assess(raw(markers=markers))["sophos"]["updating"] is updating


def test_health_from_shs_services_and_unit():
    facts = assess(raw({SHS: shs(health=2, services=(("A", 0), ("B", 1), ("C", 7)))}))
    health = facts["sophos"]["health"]
    assert health["overall"] == "bad"  # a stopped service makes it bad, worse than suspicious
    assert health["services"] == {"A": "running", "B": "stopped", "C": "unknown"}
    assert assess(raw({SHS: shs(health=2)}))["sophos"]["health"]["overall"] == "suspicious"
    assert assess(raw({SHS: shs(health=9)}))["sophos"]["health"]["overall"] == "unknown"
    unit = {"sophos-spl.service": {"LoadState": "loaded", "ActiveState": "failed"}}
    stopped = assess(raw({SHS: shs()}, services=unit))["sophos"]["health"]
    assert stopped["services"]["sophos-spl.service"] == "stopped" and stopped["overall"] == "bad"
    for state in ("active", "reloading", "activating"):
        unit = {"sophos-spl.service": {"LoadState": "loaded", "ActiveState": state}}
        running = assess(raw({SHS: shs()}, services=unit))["sophos"]["health"]
        assert running["services"]["sophos-spl.service"] == "running" and running["overall"] == "good"
    absent = {"sophos-spl.service": {"LoadState": "not-found", "ActiveState": "inactive"}}
    assert "sophos-spl.service" not in assess(raw({SHS: shs()}, services=absent))["sophos"]["health"]["services"]


def test_health_from_ephealth_when_no_shs():
    facts = assess(raw({EPH: json.dumps({"health": 3, "service": "1", "threat": 2, "x": 1})}))
    assert facts["sophos"]["health"]["detail"] == {"health": "bad", "service": "good", "threat": "suspicious"}
    assert facts["sophos"]["health"]["overall"] == "bad"
    assert assess(raw({EPH: json.dumps({"service": 1})}))["sophos"]["health"]["overall"] == "unknown"


def test_component_versions_differ_is_queued_evidence_unless_failed():
    products = '<product productName="Base" downloadedVersion="2.1" installedVersion="2.0"/>'
    facts = assess(raw({ALC: alc(products=products)}))
    assert facts["sophos"]["queued_update"] == {"suspected": True, "evidence": ["Base downloaded 2.1 but installed 2.0"]}
    failed = assess(raw({ALC: alc(products=products, install="bad")}))
    assert failed["sophos"]["queued_update"] == {"suspected": False, "evidence": []}
    same = '<product productName="Base" downloadedVersion="2" installedVersion="2"/>'
    assert assess(raw({ALC: alc(products=same)}))["sophos"]["queued_update"]["suspected"] is False
    missing = '<product productName="Base" installedVersion="2"/>'
    assert assess(raw({ALC: alc(products=missing)}))["sophos"]["queued_update"]["suspected"] is False


def test_file_errors_are_named():
    facts = assess({"family": "linux", "now": NOW, "last_boot": BOOT, "os": {},
                    "spl": {"files": {ALC: {"error": "permission denied"}, INI: {"text": "BUILD=1"}}}})
    assert facts["read_errors"] == [{"source": "spl:" + INI, "error": "no PRODUCT_VERSION line"},
                                    {"source": "spl:" + ALC, "error": "permission denied"}]
    assert facts["sophos"]["installed"] is True and facts["sophos"]["version"] is None


@pytest.mark.parametrize("machine, ok", [
    ({"DownloadState": 1}, False), ({"InstallState": 1}, False), ({"DownloadState": 0}, True),
])
def test_state_machine_either_state_alone(machine, ok):
    assert assess(raw({SMR: json.dumps(machine)}))["sophos"]["last_update_ok"] is ok


def test_threat_service_details_and_odd_ephealth_values():
    text = ('<health><item name="health" value="1"/><item name="threatService" value="1">'
            '<detail name="Sophos Threat Detector" value="1"/></item></health>')
    health = assess(raw({SHS: text}))["sophos"]["health"]
    assert health["services"] == {"Sophos Threat Detector": "stopped"} and health["overall"] == "bad"
    detail = assess(raw({EPH: json.dumps({"health": 7})}))["sophos"]["health"]["detail"]
    assert detail == {"health": "unknown"}


def test_unparsable_report_is_named_with_its_error():
    facts = assess(raw({}, {"update_report.json": "[]"}))
    assert facts["read_errors"] == [{"source": "spl:base/update/var/updatescheduler/update_report.json",
                                     "error": "invalid JSON: expected an object, got list"}]


# The age in the install reason (NOW 2026-11-27T08:00:00Z): minutes below 2 h, hours below 2 days, then days.
@pytest.mark.parametrize("mtime, age", [
    ("2026-11-27T08:01:00Z", "0 min"),        # after the reading (clock skew): no negative age
    ("2026-11-27T08:00:00Z", "0 min"),
    ("2026-11-27T07:59:01Z", "0 min"),        # 59 s
    ("2026-11-27T07:59:00Z", "1 min"),
    ("2026-11-27T06:00:01Z", "119 min"),      # 7199 s
    ("2026-11-27T06:00:00Z", "2.0 h"),        # 7200 s
    ("2026-11-25T08:02:24Z", "48.0 h"),       # 172656 s = 47.96 h
    ("2026-11-25T08:00:01Z", "48.0 h"),       # 172799 s
    ("2026-11-25T08:00:00Z", "2.0 days"),     # 172800 s
    ("2026-10-28T09:11:42Z", "30.0 days"),    # 2587698 s = 29.9502 days
])
def test_install_age_units_and_edges(mtime, age):
    facts = assess(dict(raw({ALC: alc()}), last_boot="2026-10-01T00:00:00Z",
                        spl=dict(raw({ALC: alc()})["spl"], install_marker={"mtime": mtime})))
    [reason] = [r for r in facts["reasons"] if r["id"] == "sophos_installed_since_boot"]
    assert reason["detail"] == ("Sophos installed %s (%s before this reading), after the last boot "
                                "2026-10-01T00:00:00Z" % (mtime, age))


BECOME = "readable by root only: run the module with become (become: true, or -b ad hoc)"
MARKER = "base/etc/machine_id.txt"


def installed(marker, **changes):
    reading = raw({ALC: alc()})
    reading["spl"]["install_marker"] = marker
    reading.update(changes)
    return assess(reading)


@pytest.mark.parametrize("mtime, since_boot, reason", [
    ("2026-11-26T05:59:59Z", False, False), ("2026-11-26T06:00:00Z", False, False),   # BOOT 2026-11-26T06:00:00Z
    ("2026-11-26T06:00:01Z", True, True),
])
def test_installed_since_boot_is_strictly_after_the_boot(mtime, since_boot, reason):
    facts = installed({"mtime": mtime})
    sophos = facts["sophos"]
    assert (sophos["installed_at"], sophos["installed_at_source"]) == (mtime, "spl:%s (mtime)" % MARKER)
    assert sophos["installed_since_boot"] is since_boot and sophos["installed_since_boot_note"] is None
    assert [r["id"] for r in facts["reasons"]] == (["sophos_installed_since_boot"] if reason else [])
    assert facts["reboot_required"] is reason and sophos["reboot_required"] is reason


@pytest.mark.parametrize("mtime, error", [
    ("1999-12-31T23:59:59Z", "no plausible modification time: '1999-12-31T23:59:59Z'"),
    (None, "no plausible modification time: None"),
])
def test_install_marker_mtime_before_2000_is_odd(mtime, error):
    facts = installed({"mtime": mtime})
    assert facts["read_errors"] == [{"source": "spl:" + MARKER, "error": error}]
    assert facts["sophos"]["installed_since_boot_note"] == "no install time: %s has an odd mtime" % MARKER
    assert facts["sophos"]["installed_at"] is None and facts["unknown_sources"] == ["spl:" + MARKER]
    # 2000-01-01 itself is a plausible time (before the boot here).
    assert installed({"mtime": "2000-01-01T00:00:00Z"})["sophos"]["installed_at"] == "2000-01-01T00:00:00Z"


def test_install_marker_unreadable_or_blocked_notes():
    denied = installed({"error": "cannot look at x: [Errno 13] Permission denied", "denied": True})
    assert denied["read_errors"] == [{"source": "spl:" + MARKER, "error": "cannot look at x: [Errno 13] Permission "
                                                                          "denied", "hint": BECOME}]
    assert denied["sophos"]["installed_since_boot_note"] == "no install time: %s cannot be read" % MARKER
    blocked = installed({"blocked": "/opt/sophos-spl/base/etc"})
    assert blocked["read_errors"] == [] and blocked["reboot_required"] is False
    assert blocked["sophos"]["installed_since_boot_note"] == (
        "no install time: /opt/sophos-spl/base/etc cannot be entered")


def test_install_reason_without_a_valid_now_has_no_age():
    facts = installed({"mtime": "2026-11-26T07:00:00Z"}, now="soon")
    [reason] = [r for r in facts["reasons"] if r["id"] == "sophos_installed_since_boot"]
    assert reason["detail"] == "Sophos installed 2026-11-26T07:00:00Z, after the last boot 2026-11-26T06:00:00Z"


def test_install_without_a_boot_time_notes_it():
    facts = installed({"mtime": "2026-11-26T07:00:00Z"}, last_boot=None)
    sophos = facts["sophos"]
    assert sophos["installed_at"] == "2026-11-26T07:00:00Z"
    assert sophos["installed_since_boot"] is None
    assert sophos["installed_since_boot_note"] == "the last boot time is unknown"
    assert facts["reboot_required"] is None and facts["unknown_sources"] == ["os:last_boot"]


def test_blocked_directories_one_error_each_naming_what_they_hide():
    reading = raw({})
    reading["spl"].update(
        blocked={"/opt/sophos-spl/base/mcs/status": "junk", "/opt/sophos-spl/base/etc": {"error": "denied!"},
                 "/opt/sophos-spl/var": {"denied": True}},
        files={SHS: {"blocked": "/opt/sophos-spl/base/mcs/status"}, ALC: {"blocked": "/opt/sophos-spl/base/mcs/status"},
               INI: {"text": "PRODUCT_VERSION = 1\n"}},
        install_marker={"blocked": "/opt/sophos-spl/base/etc"})
    facts = assess(reading)
    assert facts["read_errors"] == [
        {"source": "spl:/opt/sophos-spl/base/etc", "error": "denied!; unknown, not absent: machine_id.txt"},
        {"source": "spl:/opt/sophos-spl/base/mcs/status",
         "error": "cannot be entered; unknown, not absent: ALC_status.xml, SHS_status.xml"},
        {"source": "spl:/opt/sophos-spl/var", "error": "cannot be entered", "hint": BECOME},
    ]
    assert facts["reboot_required"] is None
    assert facts["unknown_sources"] == ["spl:/opt/sophos-spl/base/etc", "spl:/opt/sophos-spl/base/mcs/status"]
    assert facts["sophos"]["version"] == "1"


REPORTS = "spl:base/update/var/updatescheduler/"


@pytest.mark.parametrize("name, local_times, unknown", [
    ("update_report20261126 055959.json", None, False),
    ("update_report20261126 060000.json", None, False),    # named at the boot: before it
    ("update_report20261126 060001.json", None, True),
    ("update_report.json", None, True),                     # no stamp in the name: could be after the boot
    # The host says its local 07:00 was 05:00 UTC: before the boot.
    ("update_report20261126 070000.json", {"20261126 070000": "2026-11-26T05:00:00Z"}, False),
])
def test_an_unreadable_report_hides_a_restart_only_when_named_after_the_boot(name, local_times, unknown):
    for entry in ({"error": "cannot read: [Errno 5] Input/output error"}, {"text": "{"},
                  {"text": json.dumps({"status": "RESTARTNEEDED"})} if "2026" not in name else {"text": "[]"}):
        reading = raw(reports={})
        reading["spl"]["reports"] = {name: entry}
        if local_times:
            reading["local_times"] = local_times
        facts = assess(reading)
        assert [e["source"] for e in facts["read_errors"]] == [REPORTS + name]
        assert facts["reboot_required"] is (None if unknown else False)
        assert facts["unknown_sources"] == ([REPORTS + name] if unknown else [])


def test_report_errors_carry_the_become_hint_when_denied():
    reading = raw()
    reading["spl"]["reports"] = {"update_report.json": {"error": "cannot read: [Errno 13] Permission denied",
                                                        "denied": True}}
    reading["spl"]["reports_dir"] = {"error": "cannot list: [Errno 13] Permission denied", "denied": True}
    facts = assess(reading)
    assert facts["read_errors"] == [
        {"source": "spl:base/update/var/updatescheduler", "error": "cannot list: [Errno 13] Permission denied",
         "hint": BECOME},
        {"source": REPORTS + "update_report.json", "error": "cannot read: [Errno 13] Permission denied",
         "hint": BECOME},
    ]


def test_report_times_use_the_hosts_local_conversion():
    report = json.dumps({"status": "RESTARTNEEDED", "finishTime": "20261126 073000"})
    # Local 07:30 on a UTC+2 host is 05:30 UTC, before the boot: no restart need from it.
    before = raw(reports={"update_report.json": report})
    before["local_times"] = {"20261126 073000": "2026-11-26T05:30:00Z"}
    facts = assess(before)
    assert facts["reasons"] == [] and facts["sophos"]["last_update_ok"] is False
    # Read as UTC (no conversion), 07:30 is after the boot.
    assert [r["detail"] for r in assess(raw(reports={"update_report.json": report}))["reasons"]] == [
        "update report of 2026-11-26T07:30:00Z: status RESTARTNEEDED"]


def test_restartneeded_without_a_boot_time_counts():
    reading = raw(reports={"update_report.json": json.dumps({"status": "RESTARTNEEDED",
                                                             "finishTime": "20261120 010000"})})
    reading["last_boot"] = None
    facts = assess(reading)
    assert [(r["id"], r["detail"]) for r in facts["reasons"]] == [
        ("sophos_reboot_required", "update report of 2026-11-20T01:00:00Z: status RESTARTNEEDED")]
    assert facts["pending_since"] == "2026-11-20T01:00:00Z" and facts["sophos"]["reboot_required"] is True


@pytest.mark.parametrize("last_good, ok", [
    ("2026-11-26T08:59:59Z", False), ("2026-11-26T09:00:00Z", False), ("2026-11-26T09:00:01Z", True),
])
def test_newest_report_decides_update_ok_unless_the_alc_is_newer(last_good, ok):
    failed = json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 090000"})
    facts = assess(raw({ALC: alc(last_good=last_good)}, {"update_report_1.json": failed}))
    assert facts["sophos"]["last_update_ok"] is ok and facts["sophos"]["last_update"] == last_good


def test_a_service_stopped_in_one_item_stays_stopped():
    text = ('<health><item name="health" value="1"/><item name="service" value="3">'
            '<detail name="Sophos MCS Client" value="1"/></item><item name="threatService" value="1">'
            '<detail name="Sophos MCS Client" value="0"/><detail name="Sophos Threat Detector" value="0"/></item>'
            '</health>')
    health = assess(raw({SHS: text}))["sophos"]["health"]
    assert health == {"overall": "bad", "detail": {"health": "good", "service": "bad", "threatService": "good"},
                      "services": {"Sophos MCS Client": "stopped", "Sophos Threat Detector": "running"}}


def test_urgent_missing_is_not_urgent_and_no_alert():
    text = ("<status><autoUpdate><rebootState><required>no</required></rebootState></autoUpdate>"
            "<products/></status>")
    facts = assess(raw({ALC: text}))
    assert (facts["sophos"]["reboot_urgent"], facts["alert"], facts["sophos"]["last_update_ok"]) == (False, False, None)


def test_a_blocked_file_named_without_a_directory_is_named_whole():
    reading = raw({})
    reading["spl"].update(blocked={"/opt/sophos-spl": {"error": "cannot enter"}},
                          files={"VERSION.ini": {"blocked": "/opt/sophos-spl"}})
    assert assess(reading)["read_errors"] == [
        {"source": "spl:/opt/sophos-spl", "error": "cannot enter; unknown, not absent: VERSION.ini"}]


def test_ephealth_threat_service_is_read():
    detail = assess(raw({EPH: json.dumps({"health": 1, "threatService": 3, "threatservice": 1})}))["sophos"]["health"]
    assert detail == {"overall": "good", "detail": {"health": "good", "threatService": "bad"}, "services": {}}


@pytest.mark.parametrize("states, ok", [
    ("<downloadState><state>bad</state></downloadState>", False),
    ("<downloadState><state>good</state></downloadState>", True),
    ("<installState><state>bad</state></installState>", False),
    ("<installState><state>good</state></installState>", True),
    ("", None),
])
def test_update_ok_from_either_alc_state_alone(states, ok):
    text = "<status><autoUpdate>%s</autoUpdate></status>" % states
    assert assess(raw({ALC: text}))["sophos"]["last_update_ok"] is ok


def test_shs_detail_names_admin_and_unknown_values():
    text = ('<health><item name="health" value="2"/><item name="admin" value="1"/><item name="service" value="0"/>'
            '<item name="threat" value="x"/></health>')
    health = assess(raw({SHS: text}))["sophos"]["health"]
    assert health["detail"] == {"health": "suspicious", "admin": "good", "service": "unknown", "threat": "unknown"}
    assert health["overall"] == "suspicious"


def test_a_report_that_cannot_be_used_does_not_stop_the_next():
    good = json.dumps({"status": "SUCCESS", "finishTime": "20261126 080000"})
    for first in ({"error": "cannot read: [Errno 5] Input/output error"}, {"text": json.dumps({"status": "SUCCESS"})}):
        reading = raw()
        reading["spl"]["reports"] = {"update_report_a.json": first, "update_report_b.json": {"text": good}}
        facts = assess(reading)
        assert [e["source"] for e in facts["read_errors"]] == [REPORTS + "update_report_a.json"]
        assert (facts["sophos"]["last_update"], facts["sophos"]["last_update_ok"]) == ("2026-11-26T08:00:00Z", True)


def test_the_stamp_in_a_reports_name_uses_the_hosts_local_conversion():
    reading = raw(reports={"update_report20261126 070000.json": json.dumps({"status": "SUCCESS"})})
    reading["local_times"] = {"20261126 070000": "2026-11-26T05:00:00Z"}
    sophos = assess(reading)["sophos"]
    assert (sophos["last_update"], sophos["updated_since_boot"]) == ("2026-11-26T05:00:00Z", False)


def test_state_machine_milliseconds_are_whole_seconds():
    # LastGoodInstallTime 2026-11-26T07:00:00.5Z in ms; a failed report finished at 07:00:00, the same second,
    # is as new as the last good install, so it decides.
    files = {SMR: json.dumps({"LastGoodInstallTime": 1795676400500, "InstallState": 0, "DownloadState": 0})}
    failed = json.dumps({"status": "INSTALLFAILED", "finishTime": "20261126 070000"})
    sophos = assess(raw(files, {"update_report_1.json": failed}))["sophos"]
    assert (sophos["last_update"], sophos["last_update_ok"]) == ("2026-11-26T07:00:00Z", False)
