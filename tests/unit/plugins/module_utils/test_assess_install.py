"""First install: Sophos installed after the last boot is a strong reason (recorded readings, both platforms)."""
import copy

import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess
from ansible_collections.fleetops.sophos.tests.unit.readings import fixture, windows_probe

NATIVE = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
WOW = "SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
AGENT = "Sophos Endpoint Agent"
REASON = "sophos_installed_since_boot"


def windows(name="fresh-install"):
    return windows_probe(name)


def set_dates(raw, date):
    for root in (NATIVE, WOW):
        for child in raw["uninstall"][root]["children"].values():
            child["values"]["InstallDate"] = {"type": "String", "value": date}
    return raw


def ids(facts):
    return [r["id"] for r in facts["reasons"]]


def sources(facts):
    return [e["source"] for e in facts["read_errors"]]


# --------------------------------------------------------------------------- Windows

def test_installed_today_after_yesterdays_boot_is_a_strong_reason():
    facts = assess(windows())
    [reason] = facts["reasons"]
    assert (reason["id"], reason["source"], reason["strong"]) == (REASON, "sophos", True)
    assert "InstallDate 20261201" in reason["detail"] and "2026-11-30T02:00:00Z" in reason["detail"]
    assert facts["reboot_required"] is True and facts["sophos"]["reboot_required"] is True
    sophos = facts["sophos"]
    assert sophos["installed_since_boot"] is True
    # A date only: no instant is made up.
    assert sophos["installed_at"] is None
    assert sophos["installed_at_source"].startswith("registry:HKLM\\%s\\" % NATIVE)
    assert "InstallDate 20261201" in sophos["installed_at_source"]
    assert facts["read_errors"] == [] and facts["os"]["reboot_required"] is False
    # Pending since the earliest instant of 2026-12-01 anywhere (00:00 at UTC+14), not since this reading
    # (issue 23, point 8): the 14-day alert can fire.
    assert (facts["pending_since"], facts["pending_since_source"]) == ("2026-11-30T10:00:00Z", "source")


def test_a_first_install_pending_for_two_weeks_alerts():
    raw = windows()
    raw["now"] = "2026-12-15T12:00:00Z"
    facts = assess(raw)
    assert facts["pending_days"] == 15.08 and facts["alert"] is True


def test_installed_before_the_boot_is_no_reason():
    facts = assess(set_dates(windows(), "20261127"))
    assert facts["reasons"] == [] and facts["reboot_required"] is False
    assert facts["sophos"]["installed_since_boot"] is False and facts["sophos"]["installed_since_boot_note"] is None


def test_first_install_is_the_earliest_entry():
    raw = windows()
    raw["uninstall"][WOW]["children"]["{0D5C2B1A-AAAA-4BBB-8CCC-0123456789AB}"]["values"]["InstallDate"]["value"] = "20250101"
    facts = assess(raw)
    assert facts["reasons"] == [] and facts["sophos"]["installed_since_boot"] is False
    assert "20250101" in facts["sophos"]["installed_at_source"] and "Sophos AutoUpdate" in facts["sophos"]["installed_at_source"]


@pytest.mark.parametrize("date", ["20261130", "20261129"])
def test_install_date_on_the_boot_day_is_unknown_said_in_the_facts(date):
    """The boot at 02:00 UTC is on the 29th west of UTC-2 and on the 30th elsewhere: both are the boot day."""
    facts = assess(set_dates(windows(), date))
    assert facts["reasons"] == [] and facts["read_errors"] == []
    # Not read errors: everything was read; the date alone cannot answer. No guess either way: unknown,
    # never "no" (issue 23, point 4: built, booted and Sophos installed the same day is the common case).
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["unknown_sources"] == ["registry:HKLM\\%s\\%s\\InstallDate" % (NATIVE, AGENT)]
    assert facts["sophos"]["installed_since_boot"] is None
    assert "day of the last boot" in facts["sophos"]["installed_since_boot_note"]


@pytest.mark.parametrize("value,kind", [("2026-12-01", "String"), ("", "String"), ("20261301", "String"),
                                        ([1, 2], "Binary"), (None, "String")])
def test_odd_install_date_is_a_read_error_and_unknown(value, kind):
    raw = windows()
    raw["uninstall"][NATIVE]["children"][AGENT]["values"]["InstallDate"] = {"type": kind, "value": value}
    raw["uninstall"][NATIVE]["children"].pop("{6F2A5C2E-3C51-4E0B-9C1D-1D2B3C4D5E6F}")
    raw["uninstall"][WOW]["children"] = {}
    facts = assess(raw)
    assert sources(facts) == ["registry:HKLM\\%s\\%s" % (NATIVE, AGENT)]
    assert "not a YYYYMMDD date" in facts["read_errors"][0]["error"]
    assert facts["reasons"] == [] and facts["reboot_required"] is None
    assert facts["unknown_sources"] == sources(facts)


def test_dword_install_date_is_accepted():
    raw = windows()
    for root in (NATIVE, WOW):
        for child in raw["uninstall"][root]["children"].values():
            child["values"]["InstallDate"] = {"type": "DWord", "value": 20261201}
    assert ids(assess(raw)) == [REASON]


def test_missing_install_date_is_a_read_error_not_a_guess():
    raw = windows()
    for root in (NATIVE, WOW):
        for child in raw["uninstall"][root]["children"].values():
            del child["values"]["InstallDate"]
    facts = assess(raw)
    assert len(facts["read_errors"]) == 3 and all("has no InstallDate" in e["error"] for e in facts["read_errors"])
    assert facts["reasons"] == [] and facts["sophos"]["installed_since_boot"] is None
    assert facts["sophos"]["installed_since_boot_note"] == "no readable InstallDate of a Sophos product"


def test_unreadable_value_and_keys_are_unknown_never_not_set():
    raw = windows()
    raw["uninstall"][NATIVE]["children"][AGENT]["values"]["InstallDate"] = {"error": "Access is denied."}
    raw["uninstall"][WOW] = {"exists": None, "error": "Requested registry access is not allowed."}
    facts = assess(raw)
    assert sources(facts) == ["registry:HKLM\\%s\\%s\\InstallDate" % (NATIVE, AGENT), "registry:HKLM\\" + WOW]
    assert all("administrator" in e["hint"] for e in facts["read_errors"])
    # The readable entry says "after the boot", but an unreadable one may be older.
    assert facts["reasons"] == [] and facts["reboot_required"] is None
    assert facts["sophos"]["reboot_required"] is None and facts["sophos"]["installed_since_boot"] is None
    assert facts["unknown_sources"] == sources(facts)


def test_unreadable_entry_does_not_hide_a_certain_before():
    raw = set_dates(windows(), "20250101")
    raw["uninstall"][WOW]["children"]["{0D5C2B1A-AAAA-4BBB-8CCC-0123456789AB}"] = {"exists": None, "error": "denied"}
    facts = assess(raw)
    assert facts["sophos"]["installed_since_boot"] is False
    assert sources(facts) == ["registry:HKLM\\%s\\{0D5C2B1A-AAAA-4BBB-8CCC-0123456789AB}" % WOW]
    # The unknown entry could only add a later date: nothing is hidden, so the answer stays "no".
    assert facts["reboot_required"] is False and facts["unknown_sources"] == []


def test_no_sophos_entry_is_a_read_error():
    raw = windows()
    for root in (NATIVE, WOW):
        raw["uninstall"][root]["children"] = {}
    facts = assess(raw)
    assert sources(facts) == ["registry:HKLM\\" + NATIVE]
    assert "no Sophos product entry" in facts["read_errors"][0]["error"]
    assert facts["sophos"]["installed_since_boot"] is None and facts["reboot_required"] is False


def test_probe_without_uninstall_reading_says_so():
    raw = windows("endpoint-clean")
    raw["uninstall"] = None  # an older probe
    facts = assess(raw)
    assert facts["sophos"]["installed_since_boot_note"] == "the probe did not read the Uninstall keys"
    assert facts["read_errors"] == [] and facts["reboot_required"] is False


def test_recorded_clean_endpoint_was_installed_long_before_its_boot():
    facts = assess(windows("endpoint-clean"))
    assert facts["sophos"]["installed_since_boot"] is False and facts["reasons"] == []
    assert "InstallDate 20250310 (Sophos Endpoint Agent" in facts["sophos"]["installed_at_source"]


def test_reason_is_ignorable_and_not_counted_on_a_host_without_sophos():
    facts = assess(windows(), {"ignore_reasons": [REASON]})
    assert facts["reboot_required"] is False and facts["ignored_reasons"] == [REASON]
    absent = windows("absent")
    absent["uninstall"] = copy.deepcopy(windows()["uninstall"])
    assert assess(absent)["reasons"] == []


# --------------------------------------------------------------------------- Linux (SPL)

NOW = "2026-12-01T08:00:00Z"
BOOT = "2026-12-01T06:00:00Z"


def linux(install_marker, boot=BOOT):
    alc = fixture("spl", "ALC_status.good.xml")
    spl = {"dir": "/opt/sophos-spl", "files": {"base/mcs/status/ALC_status.xml": {"text": alc}}, "reports": {},
           "markers": {}, "services": {}, "install_marker": install_marker}
    return {"family": "linux", "now": NOW, "last_boot": boot, "boot_id": "b1", "errors": [], "spl": spl,
            "os": {"kernel_release": "6.1.0-18-amd64"}}


def test_spl_installed_after_boot_is_a_reason_with_its_age():
    facts = assess(linux({"mtime": "2026-12-01T07:30:00Z"}))
    [reason] = facts["reasons"]
    assert reason["id"] == REASON and reason["strong"] is True
    assert reason["detail"] == ("Sophos installed 2026-12-01T07:30:00Z (30 min before this reading), "
                                "after the last boot 2026-12-01T06:00:00Z")
    sophos = facts["sophos"]
    assert sophos["installed_at"] == "2026-12-01T07:30:00Z"
    assert sophos["installed_at_source"] == "spl:base/etc/machine_id.txt (mtime)"
    assert sophos["installed_since_boot"] is True and sophos["reboot_required"] is True
    # The age of the reason is the age of the install.
    assert facts["pending_since"] == "2026-12-01T07:30:00Z" and facts["pending_since_source"] == "source"
    assert facts["pending_days"] == 0.02


def test_spl_installed_before_boot_is_none():
    facts = assess(linux({"mtime": "2026-11-02T07:30:00Z"}))
    assert facts["reasons"] == [] and facts["reboot_required"] is False
    assert facts["sophos"]["installed_since_boot"] is False and facts["read_errors"] == []


def test_spl_install_marker_missing_is_a_note_not_a_read_error():
    # Nothing that exists went unread: no read error, no unknown; the note says why there is no install time.
    facts = assess(linux(None))
    assert sources(facts) == [] and facts["unknown_sources"] == []
    assert facts["sophos"]["installed_since_boot_note"] == "no install time: base/etc/machine_id.txt is missing"
    assert facts["sophos"]["installed_since_boot"] is None and facts["reboot_required"] is False


@pytest.mark.parametrize("marker", [{"error": "cannot look at x: [Errno 5] Input/output error"},
                                    {"mtime": "1970-01-01T00:00:05Z"}, {"mtime": "yesterday"}])
def test_spl_install_marker_unreadable_or_odd_is_unknown(marker):
    facts = assess(linux(marker))
    assert sources(facts) == ["spl:base/etc/machine_id.txt"]
    assert facts["reboot_required"] is None and facts["sophos"]["reboot_required"] is None
    assert facts["unknown_sources"] == ["spl:base/etc/machine_id.txt"]


def test_spl_install_without_boot_time_is_unknown():
    raw = linux({"mtime": "2026-12-01T07:30:00Z"}, boot=None)
    raw["errors"] = [{"source": "os:last_boot", "error": "cannot read /proc/1/stat"}]
    facts = assess(raw)
    assert facts["sophos"]["installed_since_boot"] is None and facts["reboot_required"] is None
    assert facts["unknown_sources"] == ["os:last_boot"]
