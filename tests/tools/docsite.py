"""Build the collection's docs site with antsibull-docs into tests/output/docsite (``make docsite``).

The plugin and role pages come from ``antsibull-docs collection`` (the same generator as the Ansible
docs site); the guides in ``docs/*.md`` (architecture, report, AWX, ...) are added as pages read with
MyST. Sphinx runs with ``-W``: any warning fails the build. Exit code is Sphinx's.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".venv", "bin")
WORK = os.path.join(ROOT, "tests", "output", "docsite-src")
DEST = os.path.join(ROOT, "tests", "output", "docsite")
COLLECTION = "fleetops.sophos"


# Appended to the conf.py of sphinx-init. The build runs offline: instead of intersphinx inventories
# fetched from the network, labels of ansible-core and other collections become links to the Ansible
# docs site. A broken reference inside this collection still fails the build.
CONF_EXTRA = """
# The guides are Markdown (docs/*.md).
extensions.append('myst_parser')
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3
intersphinx_mapping = {}
_ANSIBLE_DOCS = 'https://docs.ansible.com/ansible/latest/'
_CORE_LABELS = {
    'ansible_configuration_settings': 'reference_appendices/config.html',
    'action_plugins': 'plugins/action.html',
    'callback_plugins': 'plugins/callback.html',
    'common_return_values': 'reference_appendices/common_return_values.html',
}


def _external(app, env, node, contnode):
    from docutils import nodes
    target = node.get('reftarget', '')
    url = None
    if node.get('reftype') == 'envvar' and target.startswith('ANSIBLE_'):
        # ansible-core's own settings (the inventory cache options of a Cacheable plugin, say).
        url = _ANSIBLE_DOCS + 'reference_appendices/config.html#envvar-' + target
    elif target in _CORE_LABELS:
        url = _ANSIBLE_DOCS + _CORE_LABELS[target]
    elif target.startswith('ansible_collections.') and not target.startswith('ansible_collections.fleetops.sophos.'):
        path, _sep, anchor = target[len('ansible_collections.'):].partition('__')
        parts = path.split('.')
        if len(parts) == 3:
            url = '%scollections/%s/%s/%s.html' % (_ANSIBLE_DOCS, parts[0], parts[1], parts[2])
            if anchor:
                url += '#' + anchor
    if url is None:
        return None
    reference = nodes.reference('', '', internal=False, refuri=url)
    reference.append(contnode)
    return reference


def setup(app):
    app.connect('missing-reference', _external)
"""


def run(argv, **kwargs):
    print("$ %s" % " ".join(argv), flush=True)
    return subprocess.run(argv, check=False, **kwargs).returncode


def guides():
    """The extra docs: every Markdown file of docs/, the architecture first."""
    found = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return sorted(found, key=lambda path: (os.path.basename(path) != "architecture.md", path))


def outside_links(text):
    """A guide's links to files outside docs/ (``../README.md#...``) have no page in the site: they
    become the file's name in the repository, as text."""
    return re.sub(r"\[([^\]]+)\]\(\.\./([^)\s#]+)(#[^)\s]*)?\)", r"\1 (`\2` in the repository)", text)


def main():
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".venv", "collections"))
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(DEST, ignore_errors=True)
    os.makedirs(WORK)
    rc = run([os.path.join(BIN, "antsibull-docs"), "sphinx-init", "--use-current", "--squash-hierarchy",
              "--fail-on-error", "--dest-dir", WORK, "--project", COLLECTION,
              "--copyright", "fleetops.sophos contributors", COLLECTION], env=env, stdout=subprocess.DEVNULL)
    if rc:
        return rc
    with open(os.path.join(WORK, "conf.py"), "a", encoding="utf-8") as conf:
        conf.write(CONF_EXTRA)
    rst = os.path.join(WORK, "rst")
    os.chmod(rst, 0o755)  # antsibull-docs wants the directory writable by its owner only
    rc = run([os.path.join(BIN, "antsibull-docs"), "--config-file", os.path.join(WORK, "antsibull-docs.cfg"),
              "collection", "--use-current", "--squash-hierarchy", "--cleanup", "everything", "--fail-on-error",
              "--dest-dir", rst, COLLECTION], env=env)
    if rc:
        return rc
    target = os.path.join(rst, "guides")
    os.makedirs(target)
    names = []
    for path in guides():
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        with open(os.path.join(target, os.path.basename(path)), "w", encoding="utf-8") as handle:
            handle.write(outside_links(text))
        names.append("guides/" + os.path.splitext(os.path.basename(path))[0])
    with open(os.path.join(rst, "index.rst"), "a", encoding="utf-8") as index:
        index.write("\n\nGuides\n------\n\n.. toctree::\n   :maxdepth: 1\n\n%s\n"
                    % "\n".join("   " + name for name in names))
    return run([os.path.join(BIN, "sphinx-build"), "-W", "--keep-going", "-q", "-b", "html", "-c", WORK, rst, DEST],
               env=env)


if __name__ == "__main__":
    sys.exit(main())
