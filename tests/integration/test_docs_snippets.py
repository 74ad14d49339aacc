"""Every inventory and ansible.cfg snippet in README.md and docs/ works when copied, and every
relative link in the Markdown files points at a file that exists.

Inventories are parsed by ``ansible-inventory`` itself (``--list``, then ``--host`` for each host): a
snippet that Ansible cannot parse, or whose values carry a comment (an INI line has no inline
comments: ``kerberos ; or ntlm`` becomes the value), fails here.
"""
import glob
import os
import re
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
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
