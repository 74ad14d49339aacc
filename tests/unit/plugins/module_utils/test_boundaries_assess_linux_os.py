"""assess() over the Linux OS restart checks: each tool's answers and exit codes, and their edges."""
import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils._assess import assess


def facts(os_reading):
    return assess({"family": "linux", "now": "2026-11-27T08:00:00Z", "last_boot": "2026-11-26T06:00:00Z",
                   "os": os_reading})


def cmd(rc, stdout="", stderr=""):
    return {"rc": rc, "stdout": stdout, "stderr": stderr}


@pytest.mark.parametrize("key, reading, reason, detail", [
    ("needs_restarting", cmd(1), True, "needs-restarting -r: exit 1"),
    ("needs_restarting", cmd(0), False, None),
    ("needs_restarting", cmd(0, "Reboot is required to fully utilize these updates.\nkernel\nglibc\n"
                                "More information: https://x"), True,
     "needs-restarting -r: exit 0 (kernel, glibc)"),
    ("needs_restarting", cmd(1, "Reboot should not be necessary."), False, None),
    ("dnf5_needs_restarting", cmd(1, "Reboot is probably required"), True, "dnf needs-restarting: exit 1"),
    ("dnf5_needs_restarting", cmd(0, "No core libraries or services have been updated since boot-up.\n"
                                     "Reboot should not be necessary."), False, None),
    ("zypper_needs_rebooting", cmd(102), True, "zypper needs-rebooting: exit 102"),
    ("zypper_needs_rebooting", cmd(0), False, None),
])
def test_restart_tools(key, reading, reason, detail):
    got = facts({key: reading})
    assert got["read_errors"] == []
    assert [r["id"] for r in got["reasons"]] == ([key] if reason else [])
    if reason:
        assert got["reasons"][0]["detail"] == detail and got["reasons"][0]["strong"] is True
        assert got["os"]["reboot_required"] is True


@pytest.mark.parametrize("key, label, reading", [
    ("needs_restarting", "needs-restarting -r", cmd(2, "odd", "more")),
    ("dnf5_needs_restarting", "dnf needs-restarting", cmd(1, "something else")),
    ("zypper_needs_rebooting", "zypper needs-rebooting", cmd(1)),
])
def test_unexpected_answers_are_read_errors(key, label, reading):
    got = facts({key: reading})
    assert got["reasons"] == []
    assert [e["source"] for e in got["read_errors"]] == ["os:" + label]
    assert got["read_errors"][0]["error"].startswith("unexpected exit code %s" % reading["rc"])


def test_tool_error_and_rpm_fallback_only_when_no_tool_answered():
    rpm = {"rc": 0, "stdout": "glibc 2.34 1795680000\n", "stderr": ""}   # after the boot (1795672800)
    answered = facts({"needs_restarting": cmd(0), "rpm_core": rpm})
    assert answered["reasons"] == []
    unanswered = facts({"needs_restarting": {"error": "not found"}, "rpm_core": rpm})
    assert [r["id"] for r in unanswered["reasons"]] == ["core_packages_updated"]
    assert unanswered["read_errors"] == [{"source": "os:needs-restarting -r", "error": "not found"}]
    failed = facts({"rpm_core": {"rc": 1, "stdout": "", "stderr": "rpm: broken\n"}})
    assert failed["read_errors"] == [{"source": "os:rpm -q", "error": "exit 1: rpm: broken"}]
    missing = facts({"rpm_core": {"rc": 1, "stdout": "package kernel-rt is not installed", "stderr": ""}})
    assert missing["read_errors"] == []


@pytest.mark.parametrize("ksta, reason", [("0", False), ("1", False), ("2", True), ("3", True), ("4", False)])
def test_needrestart_kernel_status(ksta, reason):
    out = "NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR: 6.1.0-1\nNEEDRESTART-KEXP: 6.1.0-2\nNEEDRESTART-KSTA: %s\n" % ksta
    got = facts({"needrestart": cmd(0, out)})
    assert [r["id"] for r in got["reasons"]] == (["needrestart_kernel"] if reason else [])
    if reason:
        assert got["reasons"][0]["detail"] == ("needrestart: running kernel 6.1.0-1, expected 6.1.0-2 (KSTA %s)"
                                               % ksta)


def test_needrestart_microcode_is_weak_and_missing_ksta_is_an_error():
    got = facts({"needrestart": cmd(0, "NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 2\n")})
    assert [(r["id"], r["strong"]) for r in got["reasons"]] == [("needrestart_microcode", False)]
    assert got["reboot_required"] is False
    assert facts({"needrestart": cmd(0, "NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 1\n")})["reasons"] == []
    bad = facts({"needrestart": cmd(3, "nothing useful")})
    assert bad["read_errors"] == [{"source": "os:needrestart -b", "error": "no NEEDRESTART-KSTA line (exit 3)"}]


def test_reboot_required_file_detail():
    got = facts({"reboot_required_file": {"mtime": None, "pkgs": "b\na\na\n"}})
    assert got["reasons"][0]["detail"] == "/run/reboot-required exists (3 packages: a, b)"
    assert facts({"reboot_required_file": {"mtime": None, "pkgs": ""}})["reasons"][0]["detail"] == (
        "/run/reboot-required exists")
    assert got["pending_since_source"] == "first_seen"


def test_a_missing_tool_does_not_stop_the_others():
    got = facts({"needs_restarting": None, "dnf5_needs_restarting": cmd(1, "Reboot is required")})
    assert [r["id"] for r in got["reasons"]] == ["dnf5_needs_restarting"]


def test_needrestart_without_kernel_versions_and_many_packages():
    got = facts({"needrestart": cmd(0, "NEEDRESTART-KSTA: 2\n")})
    assert got["reasons"][0]["detail"] == "needrestart: running kernel ?, expected ? (KSTA 2)"
    pkgs = "".join("p%02d\n" % i for i in range(11))
    detail = facts({"reboot_required_file": {"mtime": None, "pkgs": pkgs}})["reasons"][0]["detail"]
    assert detail == "/run/reboot-required exists (11 packages: %s)" % ", ".join("p%02d" % i for i in range(10))


def test_a_reading_of_the_wrong_type_is_named():
    got = facts({"needrestart": "NEEDRESTART-KSTA: 2"})
    assert got["read_errors"] == [{"source": "os:needrestart -b",
                                   "error": "expected a command reading (a mapping), got str"}]


def test_probe_errors_and_bad_times_are_reported_as_given():
    got = assess({"family": "linux", "now": "later", "boot_id": 5, "os": {},
                  "errors": [{"source": "os:uptime", "error": "denied"}, "junk"]})
    assert got["read_errors"] == [{"source": "os:uptime", "error": "denied"},
                                  {"source": "probe", "error": "readings carry no valid 'now' time: 'later'"}]
    assert got["os"]["boot_id"] is None


def test_an_unexpected_answer_does_not_stop_the_others():
    got = facts({"needs_restarting": cmd(2, "odd"), "dnf5_needs_restarting": cmd(1, "Reboot is required")})
    assert [r["id"] for r in got["reasons"]] == ["dnf5_needs_restarting"]


BECOME = "readable by root only: run the module with become (become: true, or -b ad hoc)"


def test_an_unreadable_reboot_required_file_is_unknown_with_the_become_hint():
    got = facts({"reboot_required_file": {"error": "Permission denied", "denied": True}})
    assert got["read_errors"] == [{"source": "os:/run/reboot-required", "error": "Permission denied",
                                   "hint": BECOME}]
    assert got["reasons"] == [] and got["reboot_required"] is None and got["os"]["reboot_required"] is None
    assert got["unknown_sources"] == ["os:/run/reboot-required"]
    plain = facts({"reboot_required_file": {"error": "I/O error"}})
    assert plain["read_errors"] == [{"source": "os:/run/reboot-required", "error": "I/O error"}]


def test_reboot_required_file_since_is_its_mtime():
    got = facts({"reboot_required_file": {"mtime": "2026-11-26T07:00:00Z", "pkgs": "linux-image-6.1.0-28-amd64\n"}})
    assert got["reasons"] == [{"id": "reboot_required_file", "source": "os", "strong": True,
                               "detail": "/run/reboot-required exists (1 packages: linux-image-6.1.0-28-amd64)"}]
    assert (got["pending_since"], got["pending_since_source"]) == ("2026-11-26T07:00:00Z", "source")


@pytest.mark.parametrize("key, label, reading", [
    ("needs_restarting", "needs-restarting -r", {"error": "No such file or directory"}),
    ("needs_restarting", "needs-restarting -r", cmd(2, "odd")),
    ("zypper_needs_rebooting", "zypper needs-rebooting", cmd(1)),
    ("needrestart", "needrestart -b", cmd(0, "nothing")),
])
def test_a_tool_that_did_not_answer_leaves_the_restart_unknown(key, label, reading):
    got = facts({key: reading})
    assert got["reboot_required"] is None and got["os"]["reboot_required"] is None
    assert got["unknown_sources"] == ["os:" + label]
    # Another tool that answers "restart" decides.
    both = facts({key: reading, "dnf5_needs_restarting": cmd(1, "Reboot is required")})
    assert both["reboot_required"] is True and both["unknown_sources"] == []


def test_unexpected_answer_message_in_full():
    got = facts({"needs_restarting": cmd(2, "one\n\ntwo\n", "three\nfour\n")})
    assert got["read_errors"] == [{"source": "os:needs-restarting -r",
                                   "error": "unexpected exit code 2: one / two / three"}]


def test_restart_hints_at_most_six():
    out = "Core libraries or services have been updated since boot-up:\n" + "".join(
        "  p%d\n" % i for i in range(1, 9)) + "\nReboot is required to fully utilize these updates.\n" \
        "More information: https://access.redhat.com/solutions/27943\n"
    got = facts({"needs_restarting": cmd(1, out)})
    assert got["reasons"][0]["detail"] == ("needs-restarting -r: exit 1 (Core libraries or services have been "
                                           "updated since boot-up:, p1, p2, p3, p4, p5)")


def test_needrestart_values_are_read_after_the_first_colon_and_stripped():
    out = "NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR:  6.1.0-27-amd64 \nNEEDRESTART-KEXP: 6.1.0-28-amd64\n" \
          "NEEDRESTART-KSTA: 3\nNEEDRESTART-SVC: dbus.service: x\nKSTA: 1\n"
    got = facts({"needrestart": cmd(0, out)})
    assert [(r["id"], r["detail"]) for r in got["reasons"]] == [
        ("needrestart_kernel", "needrestart: running kernel 6.1.0-27-amd64, expected 6.1.0-28-amd64 (KSTA 3)")]


def test_needrestart_microcode_detail_and_at_most_100_lines():
    got = facts({"needrestart": cmd(0, "NEEDRESTART-KSTA: 1\nNEEDRESTART-UCSTA: 2\n")})
    assert got["reasons"] == [{"id": "needrestart_microcode", "source": "os", "strong": False,
                               "detail": "needrestart: CPU microcode update pending (UCSTA 2)"}]
    services = "".join("NEEDRESTART-SVC: unit%d.service\n" % i for i in range(99))
    at_limit = facts({"needrestart": cmd(0, services + "NEEDRESTART-KSTA: 3\n")})      # line 100
    assert [r["id"] for r in at_limit["reasons"]] == ["needrestart_kernel"]
    past_limit = facts({"needrestart": cmd(0, services + "NEEDRESTART-SVC: x\nNEEDRESTART-KSTA: 3\n")})  # line 101
    assert past_limit["read_errors"] == [{"source": "os:needrestart -b", "error": "no NEEDRESTART-KSTA line (exit 0)"}]


def test_reboot_required_pkgs_are_counted_up_to_1000_lines():
    pkgs = "".join("pkg%04d\n" % i for i in range(1001))
    got = facts({"reboot_required_file": {"mtime": None, "pkgs": pkgs}})
    assert got["reasons"][0]["detail"] == ("/run/reboot-required exists (1000 packages: pkg0000, pkg0001, pkg0002, "
                                           "pkg0003, pkg0004, pkg0005, pkg0006, pkg0007, pkg0008, pkg0009)")


def test_restart_hints_come_from_the_first_20_lines():
    out = "Reboot is required to fully utilize these updates.\n" * 15 + "a\nb\nc\nd\ne\n" + "f\n"   # f: line 21
    got = facts({"needs_restarting": cmd(1, out)})
    assert got["reasons"][0]["detail"] == "needs-restarting -r: exit 1 (a, b, c, d, e)"


def test_needrestart_value_is_all_after_the_first_colon_and_lines_without_one_are_skipped():
    out = "NEEDRESTART-KSTA: 3\nNEEDRESTART-KCUR: 6.1.0-27-amd64\nNEEDRESTART-KEXP: 6.1.0-28-amd64 (built 12:00:00)\n" \
          "NEEDRESTART-KSTA\n"
    got = facts({"needrestart": cmd(0, out)})
    assert got["read_errors"] == []
    assert [r["detail"] for r in got["reasons"]] == [
        "needrestart: running kernel 6.1.0-27-amd64, expected 6.1.0-28-amd64 (built 12:00:00) (KSTA 3)"]
