"""README.md is the users' page: short, its test command the one CI runs, every guide of docs/ reachable from it,
and the Windows confirmation list findable from it (docs/development.md holds the developers' material)."""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# ansible.windows' README has 112 lines, community.docker's 164; ours keeps the user's first steps in 300.
MAX_LINES = 300
WINDOWS_TARGET = "tests/integration/targets/reboot_facts_windows"


def _read(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return handle.read()


def _section(text, title):
    """The body of the ``## title`` section of a Markdown page ('' when there is none)."""
    match = re.search(r"^## %s\n(.*?)(?=^## |\Z)" % re.escape(title), text, re.M | re.S)
    return match.group(1) if match else ""


def test_the_readme_stays_a_users_page():
    assert len(_read("README.md").splitlines()) <= MAX_LINES


def test_ci_runs_the_test_command_the_readme_gives():
    blocks = re.findall(r"^```sh\n(.*?)^```", _section(_read("README.md"), "Development"), re.M | re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert commands == ["make test"]
    run = [line.strip() for line in _read(".ci", "run").splitlines() if line.strip().startswith("exec ")]
    assert run == ["exec " + commands[0]]


def test_the_readme_links_every_guide():
    links = set(re.findall(r"\]\((docs/[^)#\s]+\.md)(?:#[^)]*)?\)", _section(_read("README.md"), "Reference")))
    guides = set(os.path.relpath(path, ROOT) for path in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    assert guides - links == set()


def test_the_windows_confirmation_list_is_findable_from_the_readme():
    section = _section(_read("README.md"), "What only a real Windows host can confirm")
    assert "](docs/windows.md)" in section and WINDOWS_TARGET in section
    windows = _read("docs", "windows.md")
    assert WINDOWS_TARGET in windows and "| target task |" in windows
    assert os.path.isdir(os.path.join(ROOT, WINDOWS_TARGET))
