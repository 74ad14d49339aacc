"""Every inventory and ansible.cfg snippet in README.md and docs/ works when copied, every command
line's extra variables (``-e``) reach the playbook as written and pass its run check, the checkout's
own commands find the collection, and every relative link in the Markdown files points at a file that
exists.

Inventories are parsed by ``ansible-inventory`` itself (``--list``, then ``--host`` for each host): a
snippet that Ansible cannot parse, or whose values carry a comment (an INI line has no inline
comments: ``kerberos ; or ntlm`` becomes the value), fails here.
"""
import glob
import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from ansible import context
from ansible.module_utils.common.collections import ImmutableDict
from ansible.parsing.dataloader import DataLoader
from ansible.utils.vars import load_extra_vars

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if os.path.join(REPO, ".venv", "collections") not in sys.path:
    sys.path.insert(0, os.path.join(REPO, ".venv", "collections"))
from ansible_collections.fleetops.sophos.plugins.filter import maintenance as run_filters  # noqa: E402
BIN = os.environ.get("FLEETOPS_ANSIBLE_BIN") or os.path.dirname(sys.executable)
DOCS = ["README.md"] + sorted(os.path.relpath(p, REPO) for p in glob.glob(os.path.join(REPO, "docs", "*.md")))
FENCE = re.compile(r"^```(ini|yaml)\n(.*?)^```", re.M | re.S)
WINRM_TRANSPORTS = {"basic", "certificate", "ntlm", "kerberos", "credssp"}


def snippets(kind):
    found = []
    for doc in DOCS:
        with open(os.path.join(REPO, doc)) as handle:
            text = handle.read()
        for index, match in enumerate(FENCE.finditer(text)):
            lang, body = match.groups()
            if lang == "ini" and kind == "cfg" and re.search(r"^\[defaults\]", body, re.M):
                found.append(("%s#%d" % (doc, index), "ini", body))
            elif lang == "ini" and kind == "inventory" and not re.search(r"^\[defaults\]", body, re.M):
                found.append(("%s#%d" % (doc, index), "ini", body))
            elif lang == "yaml" and kind == "inventory" and re.search(r"^all:\s*$", body, re.M):
                found.append(("%s#%d" % (doc, index), "yml", body))
    return found


def run(args, env=None):
    return subprocess.run([os.path.join(BIN, args[0])] + args[1:], capture_output=True, text=True,
                          timeout=120, check=False, env=dict(os.environ, **(env or {})))


def test_the_docs_have_inventory_snippets():
    names = [snippet[0].split("#")[0] for snippet in snippets("inventory")]
    assert "README.md" in names and "docs/awx.md" in names, names


@pytest.mark.parametrize("name,ext,body", snippets("inventory"), ids=lambda v: v if "#" in str(v) else "")
def test_inventory_snippet_parses_and_has_clean_values(tmp_path, name, ext, body):
    path = tmp_path / ("inventory." + ext)
    path.write_text(body)
    listed = run(["ansible-inventory", "-i", str(path), "--list"])
    assert listed.returncode == 0 and "WARNING" not in listed.stderr, listed.stderr
    hosts = sorted(set(yaml.safe_load(listed.stdout)["_meta"]["hostvars"]) |
                   set(h for g in yaml.safe_load(listed.stdout).values() if isinstance(g, dict)
                       for h in g.get("hosts", [])))
    assert hosts, "%s: no host in the snippet" % name
    for host in hosts:
        shown = run(["ansible-inventory", "-i", str(path), "--host", host])
        assert shown.returncode == 0, shown.stderr
        variables = yaml.safe_load(shown.stdout)
        for key, value in variables.items():
            assert not (isinstance(value, str) and re.search(r"\s[;#]", value)), \
                "%s: %s=%r carries a comment" % (name, key, value)
        if variables.get("ansible_connection") == "winrm":
            assert variables["ansible_winrm_transport"] in WINRM_TRANSPORTS, (name, host, variables)
            assert variables.get("ansible_winrm_server_cert_validation") in (None, "validate", "ignore")
        if "maintenance_exclude" in variables:
            assert str(variables["maintenance_exclude"]).lower() == "true"
            assert variables["maintenance_exclude_reason"].strip(), variables


@pytest.mark.parametrize("name,ext,body", snippets("cfg"), ids=lambda v: v if "#" in str(v) else "")
def test_ansible_cfg_snippet_is_read_by_ansible(tmp_path, name, ext, body):
    path = tmp_path / "ansible.cfg"
    path.write_text(body)
    dumped = run(["ansible-config", "dump", "--only-changed"], env={"ANSIBLE_CONFIG": str(path)})
    assert dumped.returncode == 0, dumped.stderr
    if "fact_caching" in body:
        assert re.search(r"^CACHE_PLUGIN\(.*\) = ansible.builtin.jsonfile$", dumped.stdout, re.M), dumped.stdout
        assert re.search(r"^CACHE_PLUGIN_TIMEOUT\(.*\) = 0$", dumped.stdout, re.M), dumped.stdout


def markdown_links():
    # The checkout's own Markdown files (git's list): build products under tests/output are copies.
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.md"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.split()
    for path in sorted(os.path.join(REPO, name) for name in listed):
        with open(path) as handle:
            text = re.sub(r"```.*?```", "", handle.read(), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if not re.match(r"^[a-z]+:", target) and not target.startswith("#"):
                yield os.path.relpath(path, REPO), target


@pytest.mark.parametrize("doc,target", list(markdown_links()))
def test_relative_links_point_at_files(doc, target):
    path = os.path.normpath(os.path.join(REPO, os.path.dirname(doc), target.split("#")[0]))
    assert os.path.exists(path), "%s links %s, which does not exist" % (doc, target)


# ---------------------------------------------------------------- command lines and their -e values

# Saturday 02:00 in Berlin: the time-of-day examples (06:00 Europe/Berlin, 06:00+01:00, 05:00Z) are
# hours ahead, as for the scheduled job they describe.
DOCS_NOW = "2026-12-05T01:00:00Z"
# Shown in the docs as what NOT to type; each must be refused by the run check.
BAD_EXAMPLES = ("-e 'reboot_cycle_window_end=06:00 Europe/Berlin'",)
SH_FENCE = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`((?:ansible-playbook|ansible) [^`]+|-e [^`]+)`")
PLAYBOOKS = {"fleetops.sophos.maintenance": "maintenance", "playbooks/maintenance.yml": "maintenance",
             "fleetops.sophos.restart": "restart", "playbooks/restart.yml": "restart",
             "fleetops.sophos.facts": "facts", "playbooks/facts.yml": "facts"}


def command_lines():
    """(where, command line) for every ansible / ansible-playbook line and ``-e`` example of the docs,
    fenced (continuation lines joined) or inline, and of the playbooks' header comments."""
    found = []
    for doc in DOCS + sorted(os.path.relpath(p, REPO) for p in glob.glob(os.path.join(REPO, "playbooks", "*.yml"))):
        with open(os.path.join(REPO, doc)) as handle:
            text = handle.read()
        if doc.endswith(".yml"):
            comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
            text = "```sh\n%s\n```\n" % "\n".join(comments)
        for block in SH_FENCE.findall(text):
            for line in re.sub(r"\\\n\s*", " ", block).splitlines():
                if re.match(r"^(ansible|ansible-playbook) ", line.strip()):
                    found.append((doc, line.strip()))
        for span in INLINE.findall(SH_FENCE.sub("", text)):
            found.append((doc, span.strip()))
    return found


def extra_vars(line):
    """The extra variables of a command line as ansible-playbook reads them (load_extra_vars)."""
    words = shlex.split(line, comments=True)
    values = [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("-e", "--extra-vars")]
    values += [word.split("=", 1)[1] for word in words if word.startswith("--extra-vars=")]
    previous = context.CLIARGS
    context.CLIARGS = ImmutableDict(extra_vars=tuple(values))
    load_extra_vars.extra_vars = None  # it keeps its first answer for the process
    try:
        return dict(load_extra_vars(DataLoader())), words
    finally:
        context.CLIARGS = previous
        load_extra_vars.extra_vars = None


def test_the_docs_have_extra_variable_examples():
    lines = [line for _doc, line in command_lines() if "-e " in line]
    assert any("06:00 Europe/Berlin" in line for line in lines), lines
    assert set(BAD_EXAMPLES) <= set(line for _doc, line in command_lines())


@pytest.mark.parametrize("doc,line", command_lines(), ids=lambda v: v if not str(v).startswith(("ansible", "-e")) else "")
def test_a_command_line_of_the_docs_passes_the_run_check(doc, line):
    variables, words = extra_vars(line)
    playbook = next((PLAYBOOKS[word] for word in words if word in PLAYBOOKS), None)
    if words[0] == "-e":
        playbook = "maintenance"
    elif playbook is None:
        assert not variables, "%s: extra variables for no playbook of the collection: %s" % (doc, line)
        return
    checked = run_filters.run_check(variables, now=DOCS_NOW, playbook=playbook)
    if line in BAD_EXAMPLES:
        assert "_raw_params" in variables and checked["errors"], (doc, line, variables)
        return
    assert checked["errors"] == [], "%s: %s\n%s" % (doc, line, "\n".join(checked["errors"]))
    assert "_raw_params" not in variables, (doc, line, variables)
    if playbook in ("maintenance", "restart") and words[0] != "-e":
        assert "maintenance_hosts" in variables, "%s: a %s run must name its hosts: %s" % (doc, playbook, line)
    if "reboot_cycle_window_end" in variables:
        assert checked["window_end"], (doc, line)


def test_the_checkout_finds_the_collection_without_any_variable():
    """README: from the checkout's root the venv's tools find the collection (its ansible.cfg)."""
    env = dict((k, v) for k, v in os.environ.items() if k not in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CONFIG"))
    doc = subprocess.run([os.path.join(BIN, "ansible-doc"), "fleetops.sophos.reboot_facts"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert doc.returncode == 0 and "/plugins/modules/reboot_facts.py" in doc.stdout, doc.stderr[-2000:]
    facts = subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-m", "fleetops.sophos.reboot_facts"],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert facts.returncode == 0 and '"sophos_reboot"' in facts.stdout, facts.stdout[-2000:] + facts.stderr[-2000:]
