"""The PowerShell static check: it passes the collection's modules and catches broken ones."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))

import pwsh_check  # noqa: E402  pylint: disable=wrong-import-position

GOOD_PS1 = r"""#!powershell
#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        path = @{ type = 'str'; required = $true }
        mode = @{ type = 'str'; default = 'weak'; choices = 'weak', 'strong', 'ignore' }
        names = @{ type = 'list'; elements = 'str'; default = @() }
        days = @{ type = 'int'; default = 14 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.Result.readings = @{ path = $module.Params.path }
$module.Result['errors'] = @()
$module.Result.changed = $false
$module.ExitJson()
"""

GOOD_STUB = '''
DOCUMENTATION = r"""
module: sample
short_description: sample
description: [sample]
options:
  path: {type: str, required: true, description: [x]}
  mode: {type: str, default: weak, choices: [weak, strong, ignore], description: [x]}
  names: {type: list, elements: str, default: [], description: [x]}
  days: {type: int, default: 14, description: [x]}
attributes:
  check_mode: {support: full, description: x}
"""
RETURN = r"""
readings: {description: x, returned: always, type: dict}
errors: {description: x, returned: always, type: list}
"""
'''


def _write(tmp_path, ps1=GOOD_PS1, stub=GOOD_STUB):
    (tmp_path / "sample.ps1").write_text(ps1)
    if stub is not None:
        (tmp_path / "sample.py").write_text(stub)
    return str(tmp_path / "sample.ps1")


def test_good_module_is_clean(tmp_path):
    assert pwsh_check.check_file(_write(tmp_path)) == []


def test_spec_is_read_literally(tmp_path):
    path = _write(tmp_path)
    source = open(path, "rb").read()
    tree = pwsh_check.parse(source)
    spec = pwsh_check.find_spec(tree, source)
    assert spec["options"]["mode"] == {"type": "str", "default": "weak", "choices": ["weak", "strong", "ignore"]}
    assert spec["options"]["names"]["default"] == []
    assert spec["options"]["days"]["default"] == 14
    assert spec["supports_check_mode"] is True
    assert set(pwsh_check.find_result_keys(tree, source)) == {"readings", "errors", "changed"}


@pytest.mark.parametrize("old, new, expected", [
    ("$module.ExitJson()", "if ($true) { $module.ExitJson()", "line 17: missing }"),
    ("default = 'weak';", "default = 'weak;", "line 4: cannot parse"),
    ("@{ path = $module.Params.path }", "@{ path = $module.Params.path ", "line 14: cannot parse"),
    ("$module.Result['errors'] = @()", "$module.Result['errors'] = @(", "line 15: cannot parse"),
], ids=["missing-brace", "unterminated-string", "unclosed-hashtable", "unclosed-array"])
def test_syntax_errors_are_reported(tmp_path, old, new, expected):
    problems = pwsh_check.check_file(_write(tmp_path, GOOD_PS1.replace(old, new)))
    # The line number is matched exactly: "line 1" must not pass for "line 14".
    assert problems and any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize("old, new, expected", [
    ("days = @{ type = 'int'; default = 14 }", "days = @{ type = 'int'; default = 7 }",
     "option days: default is 7 in $spec but 14"),
    ("choices = 'weak', 'strong', 'ignore'", "choices = 'weak', 'strong'", "option mode: choices"),
    ("path = @{ type = 'str'; required = $true }", "path = @{ type = 'path'; required = $true }",
     "option path: type is 'path'"),
    ("        days = @{ type = 'int'; default = 14 }\n", "", "option days is documented but not in $spec"),
    ("$module.Result.changed = $false", "$module.Result.extra = 1", "result key 'extra'"),
    ("$module.Result['errors'] = @()", "$errors = @()", "RETURN documents 'errors'"),
    ("supports_check_mode = $true", "supports_check_mode = $false", "supports_check_mode is False"),
    ("$spec = @{", "$spec = Get-Spec @{", "no literal $spec"),
])
def test_spec_and_doc_mismatch_is_reported(tmp_path, old, new, expected):
    assert old in GOOD_PS1
    problems = pwsh_check.check_file(_write(tmp_path, GOOD_PS1.replace(old, new)))
    assert any(expected in p for p in problems), problems


def test_undocumented_spec_option_is_reported(tmp_path):
    stub = GOOD_STUB.replace("  days: {type: int, default: 14, description: [x]}\n", "")
    problems = pwsh_check.check_file(_write(tmp_path, stub=stub))
    assert problems == ["option days is in $spec but not documented"]


LAYOUT_PS1 = GOOD_PS1.replace("$module.ExitJson()\n", """try {
    $found = @(Get-Service | Where-Object {
            $_.Name -like 'Sophos*'
        })
    $module.Result.readings = @{ path = [String]$found.Count }
}
catch {
    $module.Result.errors = @()
}
$module.ExitJson()
""")


def test_layout_of_the_good_module_is_clean(tmp_path):
    assert pwsh_check.check_file(_write(tmp_path, LAYOUT_PS1)) == []


@pytest.mark.parametrize("old, new, expected", [
    ("    $module.Result.readings = @{ path = [String]$found.Count }",
     "    $module.Result.readings = @{ path = [String]$found.Count; long = '%s' }" % ("x" * 120),
     "line 21: line is 193 characters long, more than 160 (PSAvoidLongLines)"),
    ("try {\n", "try\n{\n", "line 18: open brace on a line of its own"),
    ("try {\n    $found", "try { $found", "line 17: no new line after an open brace (PSPlaceOpenBrace)"),
    ("    $module.Result.readings = @{ path = [String]$found.Count }\n}",
     "    $module.Result.readings = @{ path = [String]$found.Count } }", "line 21: close brace not on a line of its own"),
    ("}\ncatch {", "} catch {", "line 22: no new line after a close brace, before 'catch' (PSPlaceCloseBrace)"),
    ("    $module.Result.errors = @()\n", "    $module.Result.errors = @();\n", "line 24: semicolon at the end of a line"),
    ("    $module.Result.errors = @()\n", "   $module.Result.errors = @()\n", "line 24: indented 3 spaces, expected 4"),
    ("            $_.Name -like", "        $_.Name -like", "line 19: indented 8 spaces, expected 12"),
    ("    $module.Result.errors = @()\n", "\t$module.Result.errors = @()\n", "line 24: indentation with a tab"),
], ids=["long-line", "open-brace-own-line", "open-brace-no-newline", "close-brace-same-line", "close-brace-else",
        "semicolon", "indent-3", "indent-pipeline-block", "indent-tab"])
def test_pslint_layout_rules_catch_a_bad_file(tmp_path, old, new, expected):
    assert old in LAYOUT_PS1
    problems = pwsh_check.check_file(_write(tmp_path, LAYOUT_PS1.replace(old, new)))
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize("expression, expected", [
    ("$_.StartType.ToString()", "method call on $_.StartType, which may be $null (ServiceController.StartType"),
    ("$service.StartType.ToString()", "method call on $service.StartType, which may be $null"),
    ("$_.Status.ToString()", "method call on $_.Status, which may be $null (a property of the pipeline object"),
])
def test_method_call_on_a_property_that_may_be_null_is_reported(tmp_path, expression, expected):
    bad = LAYOUT_PS1.replace("$_.Name -like 'Sophos*'", "%s -like 'Auto*'" % expression)
    problems = pwsh_check.check_file(_write(tmp_path, bad))
    assert [p for p in problems if expected in p and p.startswith("line 19: ")], problems


@pytest.mark.parametrize("expression", ["[String]$_.StartType", "$_.Name.Length", "$key.GetValueKind($n).ToString()",
                                        "$os.LastBootUpTime.ToUniversalTime()"])
def test_safe_reads_are_not_reported(tmp_path, expression):
    ok = LAYOUT_PS1.replace("$_.Name -like 'Sophos*'", "%s -like 'Auto*'" % expression)
    assert pwsh_check.check_file(_write(tmp_path, ok)) == []


def test_the_old_probe_service_read_is_caught():
    """Bug 3 of issue 9: the probe read $_.StartType.ToString() for every service in one try."""
    source = b"""$module.Result.services = @($found | ForEach-Object {
        @{
            name = $_.Name
            start_type = $_.StartType.ToString()
        }
    })
"""
    tree = pwsh_check.parse(source)
    assert [line for line, _text in pwsh_check.null_property_calls(tree, source)] == [4]


_EVENTS_READ = b"""try {
    $found = @(Get-WinEvent -FilterHashtable $filter -MaxEvents 5 -ErrorAction Stop)
}
catch {
    CATCH
}
"""


@pytest.mark.parametrize("catch, flagged", [
    (b"if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') {\n        throw\n    }", False),
    (b"$found = @()", True),
])
def test_get_winevent_no_match_error_must_be_caught(catch, flagged):
    """Issue 23, point 3: Windows PowerShell 5.1's Get-WinEvent throws when a filter matches nothing."""
    source = _EVENTS_READ.replace(b"CATCH", catch)
    tree = pwsh_check.parse(source)
    assert [line for line, _text in pwsh_check.unhandled_no_events(tree, source)] == ([2] if flagged else [])


def test_get_winevent_without_a_try_or_without_stop():
    bare = b"$found = @(Get-WinEvent -FilterHashtable $filter -ErrorAction Stop)\n"
    assert [line for line, _t in pwsh_check.unhandled_no_events(pwsh_check.parse(bare), bare)] == [1]
    quiet = b"$found = @(Get-WinEvent -FilterHashtable $filter -ErrorAction SilentlyContinue)\n"
    assert pwsh_check.unhandled_no_events(pwsh_check.parse(quiet), quiet) == []
    unfiltered = b"$oldest = @(Get-WinEvent -LogName 'System' -MaxEvents 1 -Oldest -ErrorAction Stop)\n"
    assert pwsh_check.unhandled_no_events(pwsh_check.parse(unfiltered), unfiltered) == []


def _collection_ps1():
    return pwsh_check.powershell_files([os.path.join(ROOT, "plugins")])


@pytest.mark.parametrize("path", _collection_ps1() or [pytest.param(None, marks=pytest.mark.skip(
    reason="the collection has no PowerShell file yet"))])
def test_collection_powershell_is_clean(path):
    assert pwsh_check.check_file(path) == []


def test_main_exit_code(tmp_path, capsys):
    good = _write(tmp_path)
    assert pwsh_check.main([good]) == 0
    (tmp_path / "sample.ps1").write_text(GOOD_PS1.replace("}\n$module", "\n$module", 1))
    assert pwsh_check.main([good]) == 1
    assert "1 with problems" in capsys.readouterr().out
