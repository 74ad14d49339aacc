"""The Sophos file parsers (module_utils/_spl.py) on small hand-written inputs with hand-written answers."""
import pytest

from ansible_collections.fleetops.sophos.plugins.module_utils import _spl

ALC = """<?xml version="1.0"?>
<status xmlns="http://www.sophos.com/xml/mcs/autoupdate/status">
 <autoUpdate>
  <rebootState><required> Yes </required><urgent>no</urgent></rebootState>
  <downloadState><state>good</state><failedSince>20261101 010203</failedSince></downloadState>
  <installState><state>bad</state><lastGood>2026-11-20T01:02:03Z</lastGood></installState>
 </autoUpdate>
 <products>
  <product rigidName="ServerProtectionLinux-Base" productName="Sophos Base" downloadedVersion="2.1" installedVersion="2.0"/>
  <product rigidName="RigidOnly" downloadedVersion="1" installedVersion="1"/>
 </products>
</status>"""


def test_alc_every_field():
    parsed, err = _spl.parse_alc_status(ALC)
    assert err is None
    assert parsed == {
        "reboot_required": True, "reboot_urgent": False, "download_state": "good",
        "download_failed_since": "20261101 010203", "install_state": "bad", "last_good": "2026-11-20T01:02:03Z",
        "products": [
            {"name": "Sophos Base", "rigid_name": "ServerProtectionLinux-Base", "downloaded_version": "2.1",
             "installed_version": "2.0"},
            {"name": "RigidOnly", "rigid_name": "RigidOnly", "downloaded_version": "1", "installed_version": "1"}],
    }


@pytest.mark.parametrize("word, flag", [("yes", True), ("TRUE", True), ("1", True), ("no", False), ("0", False),
                                        ("", False)])
def test_alc_flag_words(word, flag):
    text = "<status><autoUpdate><rebootState><required>%s</required></rebootState></autoUpdate></status>" % word
    parsed, err = _spl.parse_alc_status(text)
    assert err is None and parsed["reboot_required"] is (flag if word else None)
    assert parsed["reboot_urgent"] is None and parsed["products"] == []


@pytest.mark.parametrize("text, message", [
    ("<health/>", "unexpected root element <health>, expected <status>"),
    ("<status><other/></status>", "no <autoUpdate> element"),
    ("<status>", "invalid XML: no element found: line 1, column 8"),
    (None, "invalid XML: "),
])
def test_alc_refuses(text, message):
    parsed, err = _spl.parse_alc_status(text)
    assert parsed is None and err.startswith(message)


def test_shs_items_and_details():
    text = """<health xmlns:x="urn:x"><item name="health" value="3"/>
      <item name="service" value="1"><detail name="sophos-spl" value="0"/><detail value="1"/>
      <detail name="av" value="x"/></item><item value="2"/></health>"""
    assert _spl.parse_shs_status(text) == ({"items": {"health": 3, "service": 1},
                                            "details": {"health": {}, "service": {"sophos-spl": 0, "av": None}}},
                                           None)
    assert _spl.parse_shs_status("<status/>") == (None, "unexpected root element <status>, expected <health>")
    assert _spl.parse_shs_status("<health><item/></health>") == (None, "no <item> elements")


def test_namespaced_attributes_are_stripped():
    root, err = _spl.parse_xml('<a xmlns:n="urn:n" n:k="v"><n:b/></a>')
    assert err is None and root.attrib == {"k": "v"} and [e.tag for e in root.iter()] == ["a", "b"]


def test_json_and_ini():
    assert _spl.parse_json_object('{"a": 1}') == ({"a": 1}, None)
    assert _spl.parse_json_object("[]") == (None, "invalid JSON: expected an object, got list")
    assert _spl.parse_json_object(None)[1].startswith("invalid JSON: ")
    assert _spl.parse_version_ini("PRODUCT_VERSION = 1.2.3\nBUILD=4\nnoise\n") == (
        {"PRODUCT_VERSION": "1.2.3", "BUILD": "4"}, None)
    assert _spl.parse_version_ini("BUILD=4") == (None, "no PRODUCT_VERSION line")
    assert _spl.parse_version_ini(None) == (None, "no PRODUCT_VERSION line")


def test_update_report_fields():
    text = ('{"status": "success", "startTime": "20261126 060000", "finishTime": "20261126 060500",'
            ' "products": [{"rigidName": "R", "productStatus": "UPTODATE"}, {"productName": "P"}, 3],'
            ' "supplementOnlyUpdate": true, "errorDescription": ""}')
    assert _spl.parse_update_report(text) == ({
        "status": "SUCCESS", "start": "20261126 060000", "finish": "20261126 060500",
        "products": [{"name": "R", "status": "UPTODATE"}, {"name": "P", "status": None}],
        "supplement_only": True, "error": None}, None)
    parsed, _err = _spl.parse_update_report('{"status": "X", "startTime": 5, "supplementOnlyUpdate": "yes",'
                                            ' "sulError": "e"}')
    assert (parsed["start"], parsed["finish"], parsed["supplement_only"], parsed["error"]) == (None, None, False, "e")
    assert _spl.parse_update_report('{"status": ""}') == (None, "no status field")
    assert _spl.parse_update_report('{"status": 3}') == (None, "no status field")
    assert _spl.parse_update_report("[]") == (None, "invalid JSON: expected an object, got list")


@pytest.mark.parametrize("value, number", [
    (True, 1), (False, 0), (7, 7), (2.9, 2), (float("nan"), None), (float("inf"), None), (" 12 ", 12),
    ("0x10", None), ("1.5", None), (None, None), ([1], None), ("-3", -3),
])
def test_to_int(value, number):
    assert _spl.to_int(value) == number


def test_sav_version_and_status():
    out = "Sophos Anti-Virus = 10.5.2\nEngine version = 3.79\nLast update = Mon 01 Jan\nnoise"
    assert _spl.parse_sav_version(out) == ({"version": "10.5.2", "engine": "3.79",
                                            "last_update_text": "Mon 01 Jan"}, None)
    assert _spl.parse_sav_version("Product version = 9.1") == (
        {"version": "9.1", "engine": None, "last_update_text": None}, None)
    assert _spl.parse_sav_version("") == (None, "no 'Sophos Anti-Virus = <version>' line")
    cases = [
        ("Sophos Anti-Virus daemon is running\nOn-access scanning is running", ("running", "running")),
        ("Sophos Anti-Virus is active", ("running", None)),
        ("sophos anti-virus daemon is not running\non-access scanning is not running", ("stopped", "stopped")),
        ("Sophos Anti-Virus is inactive", ("stopped", None)),
        ("On-access scanning is running", (None, "running")),
    ]
    for text, (daemon, on_access) in cases:
        assert _spl.parse_sav_status(text) == ({"daemon": daemon, "on_access": on_access}, None)
    assert _spl.parse_sav_status(None) == (None, "no daemon or on-access status line")


def test_report_stamp():
    assert _spl.REPORT_STAMP.search("update_report20261126 060000.json").group(1) == "20261126 060000"


def test_update_report_error_fields():
    parsed, _err = _spl.parse_update_report('{"status": "INSTALLFAILED", "errorDescription": "disk full",'
                                            ' "sulError": "other"}')
    assert parsed["error"] == "disk full"
    parsed, _err = _spl.parse_update_report('{"status": "X", "products": [{"rigidName": "", "productName": "P"}]}')
    assert parsed["products"] == [{"name": "P", "status": None}]


def test_update_report_times_must_be_text():
    parsed, _err = _spl.parse_update_report('{"status": "SUCCESS", "finishTime": 20261126}')
    assert parsed["finish"] is None


def test_version_ini_splits_at_the_first_equals_sign():
    assert _spl.parse_version_ini("PRODUCT_VERSION = 1=2") == ({"PRODUCT_VERSION": "1=2"}, None)


def test_shs_a_nameless_item_is_skipped_not_the_end():
    text = '<health><item value="2"/><item name="" value="3"/><item name="threat" value="1"/></health>'
    assert _spl.parse_shs_status(text) == ({"items": {"threat": 1}, "details": {"threat": {}}}, None)


def test_sav_version_splits_at_the_first_equals_sign():
    out = "Sophos Anti-Virus = 9.16.1\nLast update = Tue 01 Dec 2026 06:00:00 (source=Sophos)"
    assert _spl.parse_sav_version(out) == ({"version": "9.16.1", "engine": None,
                                            "last_update_text": "Tue 01 Dec 2026 06:00:00 (source=Sophos)"}, None)
