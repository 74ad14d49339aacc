"""Run every check of the collection (``make test``) and print what ran.

Each stage's output is kept under ``tests/output/logs/``. The stages on lab hosts (integration,
molecule, compat) mostly wait for hosts to restart: they start first, beside one another and beside
the other stages, each in lab instances of its own (integration in shards); the console follows the
other stages one after another and shows each lab stage's log when it has ended. At the end: the ten
slowest test cases (from the JUnit XML of each pytest run, ``tests/output/junit/``) and, per stage,
its result, how many tests / rules / files it counted and how long it took. Exit 1 when any stage
failed. ``--only STAGE`` runs one stage (the Makefile's ``make units`` etc.).
"""
import argparse
import hashlib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, ".venv", "bin")
OUTPUT = os.path.join(ROOT, "tests", "output")
LOGS = os.path.join(OUTPUT, "logs")
JUNIT = os.path.join(OUTPUT, "junit")
# Outside the repository: ansible-test lists files with git, which ignores everything under .venv.
# One tree per checkout, so that two checkouts can run their checks at the same time.
SANITY_TREE = os.path.join(tempfile.gettempdir(), "fleetops-sanity-%d-%s" % (
    os.getuid(), hashlib.sha256(ROOT.encode()).hexdigest()[:10]))
COLLECTION = "fleetops.sophos"
os.environ["PATH"] = BIN + os.pathsep + os.environ.get("PATH", "")
# The collection is loaded from the checkout through .venv/collections/ansible_collections/fleetops/sophos.
os.environ["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(ROOT, ".venv", "collections")
os.environ["ANSIBLE_NOCOLOR"] = "1"
os.environ["NO_COLOR"] = "1"
os.environ["PY_COLORS"] = "0"


def tool(name):
    return os.path.join(BIN, name)


# A stage that runs beside another keeps its output to its log (shown when it ends), not on the console.
_BESIDE = threading.local()


def run(stage, argv, cwd=ROOT, env=None, echo=True):
    """Run a command, echo its output live, keep it in the stage log; return (rc, text)."""
    os.makedirs(LOGS, exist_ok=True)
    echo = echo and not getattr(_BESIDE, "quiet", False)
    if echo:
        print("$ %s" % " ".join(argv), flush=True)
    lines = []
    with open(os.path.join(LOGS, stage + ".log"), "a", encoding="utf-8") as log:
        log.write("$ %s\n" % " ".join(argv))
        with subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, text=True, errors="replace") as proc:
            for line in proc.stdout:
                if line.startswith("WARNING: Location 'file:"):
                    continue
                if echo:
                    sys.stdout.write(line)
                log.write(line)
                lines.append(line)
            rc = proc.wait()
    sys.stdout.flush()
    return rc, "".join(lines)


def say(stage, text):
    """A line of a stage's own: on the console, or only in its log when it runs beside another."""
    if getattr(_BESIDE, "quiet", False):
        os.makedirs(LOGS, exist_ok=True)
        with open(os.path.join(LOGS, stage + ".log"), "a", encoding="utf-8") as log:
            log.write(text + "\n")
    else:
        print(text, flush=True)


def pytest_counts(text):
    """Counts from pytest's closing line."""
    counts = {}
    tail = text.strip().splitlines()[-1:] or [""]
    for number, word in re.findall(r"(\d+) (passed|failed|skipped|errors?|xfailed|deselected)", tail[0]):
        counts[word] = int(number)
    return counts


def git_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                         check=True, capture_output=True).stdout.decode()
    return [path for path in out.split("\0") if path and os.path.isfile(os.path.join(ROOT, path))]


def stage_sanity():
    """ansible-test sanity on a copy of the collection in an ansible_collections tree.

    Without a PowerShell engine, ``validate-modules`` aborts for every module as soon as a ``.ps1`` is
    among its targets, and ``pslint`` passes without linting anything. So: every other test on the
    whole collection, then ``validate-modules`` on the Python files of ``plugins/modules`` (the
    PowerShell module's documentation stub included). ``tests/tools/pwsh_check.py`` (stage ``pwsh``)
    does the parsing and spec-versus-documentation comparison that those two would do with pwsh.
    """
    target = os.path.join(SANITY_TREE, "ansible_collections", "fleetops", "sophos")
    shutil.rmtree(SANITY_TREE, ignore_errors=True)
    for path in git_files():
        destination = os.path.join(target, path)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, path), destination)
    base = [tool("ansible-test"), "sanity", "--venv", "--python", "3.11", "--color", "no"]
    rc, text = run("sanity", base + ["--skip-test", "validate-modules", "--skip-test", "pslint"], cwd=target)
    modules = sorted(os.path.relpath(p, target) for p in glob.glob(os.path.join(target, "plugins", "modules", "*.py"))
                     if not p.endswith("__init__.py"))
    vm_rc, vm_text = run("sanity", base + ["--test", "validate-modules"] + modules, cwd=target)
    text += vm_text
    ran = len(re.findall(r'^Running sanity test "', text, re.M))
    if ran == 0:
        rc = rc or 1
    print("not run here (need pwsh): pslint, validate-modules of .ps1 files — see stage pwsh")
    return rc or vm_rc, {"sanity tests run": ran, "modules validated": len(modules)}


def stage_units():
    rc, text = run("units", [tool("pytest"), "tests/unit", "-q", "-p", "no:cacheprovider",
                             "--junitxml=" + os.path.join(JUNIT, "units.xml")])
    counts = pytest_counts(text)
    if not counts.get("passed"):
        rc = rc or 1
    return rc, counts


def stage_pwsh():
    rc, text = run("pwsh", [tool("python"), "tests/tools/pwsh_check.py", "plugins"])
    match = re.search(r"(\d+) PowerShell file\(s\) checked, (\d+) with problems", text)
    return rc, {"files": int(match.group(1)) if match else 0,
                "with problems": int(match.group(2)) if match else -1}


def stage_lint():
    rc, text = run("lint", [tool("ansible-lint"), "--profile", "production", "--offline", "--nocolor"])
    rules_rc, profiles = run("lint", [tool("ansible-lint"), "--list-profiles", "--nocolor", "--offline"],
                             echo=False)
    # Profiles are listed from least to most strict, each extending the previous one.
    before, _sep, production = profiles.partition("## production")
    upto_production = before + production.split("\n## ", 1)[0]
    rule_count = len(re.findall(r"^- \[", upto_production, re.M))
    files = re.search(r"(\d+) files? processed", text) or re.search(r"on (\d+) files?", text)
    return rc or rules_rc, {"rules": rule_count, "files": int(files.group(1)) if files else 0}


def _collection_plugins():
    modules = sorted(os.path.splitext(os.path.basename(p))[0]
                     for p in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))
                     if not p.endswith("__init__.py"))
    roles = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                   for p in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")))
    # Filter names as each file's FilterModule.filters() registers them (several per file), read from the
    # source so that a file that fails to import is reported here rather than skipped.
    import ast  # pylint: disable=import-outside-toplevel
    filters = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "plugins", "filter", "*.py"))):
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "filters":
                for ret in (n for n in ast.walk(node) if isinstance(n, ast.Return)):
                    if not isinstance(ret.value, ast.Dict) or not all(
                            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in ret.value.keys):
                        raise SystemExit("%s: filters() must return a dict literal with string keys"
                                         % os.path.relpath(path, ROOT))
                    for key in ret.value.keys:
                        filters[key.value] = os.path.relpath(path, ROOT)
    return modules, roles, filters


def _inventory_plugins(kind="inventory"):
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(ROOT, "plugins", kind, "*.py"))
                  if not p.endswith("__init__.py"))


def stage_docs():
    """ansible-doc renders every module, role, inventory plugin and filter of the collection.

    Each filter needs its own sidecar ``plugins/filter/<name>.yml``; ansible-doc prefers a DOCUMENTATION
    block in the filter's ``.py`` file, so the rendered page must come from the sidecar.
    """
    modules, roles, filters = _collection_plugins()
    failures = rendered = 0
    for kind, names in (("module", modules), ("role", roles)):
        for name in names:
            rc, text = run("docs", [tool("ansible-doc"), "-t", kind, "%s.%s" % (COLLECTION, name)])
            if rc != 0 or "EXAMPLES" not in text and kind == "module" or len(text) < 200:
                print("ansible-doc did not render %s %s" % (kind, name))
                failures += 1
            else:
                rendered += 1
    # ansible-doc exits 0 for a plugin it cannot find: the page must name the plugin's own file.
    for kind, sections in (("inventory", ("EXAMPLES", "OPTIONS")), ("callback", ("REQUIREMENTS",))):
        for name in _inventory_plugins(kind):
            rc, text = run("docs", [tool("ansible-doc"), "-t", kind, "%s.%s" % (COLLECTION, name)])
            text = re.sub(r"\x1b\[[0-9;]*m", "", text)
            source = re.search(r"^> %s %s\.%s \((.+)\)$" % (kind.upper(), re.escape(COLLECTION), name), text, re.M)
            if rc != 0 or not source or not source.group(1).endswith("/plugins/%s/%s.py" % (kind, name)) \
                    or any(section not in text for section in sections):
                print("ansible-doc did not render %s plugin %s" % (kind, name))
                failures += 1
            else:
                rendered += 1
    sidecars = set(os.path.splitext(os.path.basename(p))[0]
                   for p in glob.glob(os.path.join(ROOT, "plugins", "filter", "*.yml")))
    for name in sorted(set(filters) - sidecars):
        print("filter %s (registered in %s) has no documentation: add plugins/filter/%s.yml"
              % (name, filters[name], name))
        failures += 1
    for name in sorted(sidecars - set(filters)):
        print("plugins/filter/%s.yml documents a filter that no FilterModule registers" % name)
        failures += 1
    for name in sorted(sidecars & set(filters)):
        rc, text = run("docs", [tool("ansible-doc"), "-t", "filter", "%s.%s" % (COLLECTION, name)])
        source = re.search(r"^> FILTER \S+ \((.+)\)$", text, re.M)
        if rc != 0 or not source or not source.group(1).endswith("/plugins/filter/%s.yml" % name) \
                or "EXAMPLES" not in text or "RETURN VALUES" not in text:
            print("ansible-doc did not render filter %s from plugins/filter/%s.yml" % (name, name))
            failures += 1
        else:
            rendered += 1
    return (1 if failures or not modules else 0), {"rendered": rendered, "failed": failures,
                                                   "filters": len(filters)}


def stage_build():
    """ansible-galaxy builds a tarball that installs and lists the collection's plugins."""
    work = tempfile.mkdtemp(prefix="fleetops-build-")
    try:
        rc, text = run("build", [tool("ansible-galaxy"), "collection", "build", "--force",
                                 "--output-path", work])
        tarballs = glob.glob(os.path.join(work, "fleetops-sophos-*.tar.gz"))
        if rc or not tarballs:
            return rc or 1, {"tarball": 0}
        installed = os.path.join(work, "installed")
        # Only the installed copy may be visible: the checkout's own link would satisfy both steps.
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=installed)
        rc, text = run("build", [tool("ansible-galaxy"), "collection", "install", "--offline", "--no-deps",
                                 "-p", installed, tarballs[0]], env=env)
        if rc:
            return rc, {"tarball": 1}
        rc, text = run("build", [tool("ansible-doc"), "-l", COLLECTION], env=env)
        modules = _collection_plugins()[0]
        missing = [m for m in modules if "%s.%s" % (COLLECTION, m) not in text]
        rc_inv, inventories = run("build", [tool("ansible-doc"), "-t", "inventory", "-l", COLLECTION], env=env)
        rc = rc or rc_inv
        missing += ["inventory " + m for m in _inventory_plugins() if "%s.%s" % (COLLECTION, m) not in inventories]
        if missing:
            print("installed collection does not list: %s" % ", ".join(missing))
        size = os.path.getsize(tarballs[0])
        return (rc or (1 if missing else 0)), {"tarball KiB": size // 1024,
                                               "modules listed": len(modules) - len(missing)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def stage_antsibull():
    """antsibull-docs lint-collection-docs --plugin-docs: the markup and links of every plugin and role page,
    as the Ansible docs site would render them (a role linked with M() is a broken link there)."""
    rc, text = run("antsibull", [tool("antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."])
    problems = len(re.findall(r"^\S+:\d+:\d+: ", text, re.M))
    return rc or (1 if problems else 0), {"problems": problems}


def stage_galaxy():
    """galaxy-importer, Galaxy's own import checks, on the tarball ansible-galaxy builds.

    tests/tools/galaxy-importer.cfg skips only what needs a container engine (ansible-test in a
    container; the sanity stage runs ansible-test here) and flake8 (see docs/development.md). Any ERROR
    fails, and so does a WARNING that docs/development.md does not explain (GALAXY_KNOWN_WARNINGS).
    """
    work = tempfile.mkdtemp(prefix="fleetops-galaxy-")
    try:
        rc, _text = run("galaxy", [tool("ansible-galaxy"), "collection", "build", "--force", "--output-path", work])
        tarballs = glob.glob(os.path.join(work, "fleetops-sophos-*.tar.gz"))
        if rc or not tarballs:
            return rc or 1, {}
        env = dict(os.environ, GALAXY_IMPORTER_CONFIG=os.path.join(ROOT, "tests", "tools", "galaxy-importer.cfg"))
        # It also writes importer_result.json into its working directory: keep that out of the checkout.
        rc, text = run("galaxy", [tool("python"), "-m", "galaxy_importer.main", tarballs[0], "--output-path",
                                  os.path.join(work, "out")], cwd=work, env=env)
        errors = re.findall(r"^ERROR: .*", text, re.M)
        warnings = re.findall(r"^WARNING: (.*)", text, re.M)
        unexplained = [line for line in warnings if not any(known in line for known in GALAXY_KNOWN_WARNINGS)]
        for line in unexplained:
            print("galaxy-importer warning not explained in docs/development.md: %s" % line)
        if "Importer processing completed successfully" not in text:
            rc = rc or 1
        return rc or (1 if errors or unexplained else 0), {"errors": len(errors), "warnings": len(warnings),
                                                           "unexplained": len(unexplained)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# Warnings of galaxy-importer that are explained in docs/development.md ("Galaxy's import checks").
GALAXY_KNOWN_WARNINGS = (
    "Ignore files skip ansible-test sanity tests, found ignore-2.19.txt with 1 statement(s)",
)


def stage_docsite():
    """The docs site (antsibull-docs + Sphinx -W) into tests/output/docsite: any warning fails."""
    rc, text = run("docsite", [tool("python"), os.path.join("tests", "tools", "docsite.py")])
    pages = len(glob.glob(os.path.join(OUTPUT, "docsite", "*.html"))) + len(
        glob.glob(os.path.join(OUTPUT, "docsite", "guides", "*.html")))
    warnings = len(re.findall(r"WARNING", text))
    return rc or (1 if warnings or not pages else 0), {"pages": pages, "warnings": warnings}


def stage_changelog():
    rc, text = run("changelog", [tool("antsibull-changelog"), "lint"])
    fragments = len(glob.glob(os.path.join(ROOT, "changelogs", "fragments", "*.y*ml")))
    return rc or (0 if fragments else 1), {"fragments": fragments}


def lab_down(instance):
    """Stop a lab instance whatever happened to the tests that used it."""
    subprocess.run([os.path.join(ROOT, "tests", "lab", "lab"), "down"], cwd=ROOT, check=False,
                   env=dict(os.environ, FLEETOPS_LAB=instance), stdout=subprocess.DEVNULL)


# Seconds each integration test file took in an idle 2-core machine's `make test` (tests not marked long; the
# JUnit XML of the run, summed per file; the shards run beside one another and beside the other lab stages).
# Used only to balance the shards; a file not listed counts as DEFAULT_WEIGHT. Re-measure when a file grows
# by minutes (tests/output/junit/integration-*.xml of a run). LONG_WEIGHT is the tests marked long (the
# 15-minute settle), which the first shard runs first. SHARDS: the default number of shards (lab instances).
INTEGRATION_WEIGHTS = {
    "test_maintenance.py": 725, "test_families.py": 724, "test_reboot_cycle.py": 480, "test_window_start.py": 285,
    "test_central.py": 248, "test_lab.py": 213, "test_patch.py": 199, "test_first_week.py": 198,
    "test_silence.py": 160, "test_reboot_facts.py": 157, "test_notify.py": 104, "test_restart_tiers.py": 98,
    "test_central_lab.py": 95, "test_runner.py": 88, "test_first_week_output.py": 75, "test_blackouts.py": 56,
    "test_restart_groups.py": 44, "test_report.py": 35, "test_restart.py": 35, "test_docs_snippets.py": 33,
    "test_ee.py": 26, "test_central_events.py": 18, "test_report_dir.py": 9, "test_monitoring_recipes.py": 3,
}
LONG_WEIGHT = 937
SHARDS = 4
DEFAULT_WEIGHT = 60


def shards(files, count, weights=None, preload=0):
    """``files`` in ``count`` lists of about equal weight: the heaviest file first into the lightest shard.

    ``preload`` is weight the first shard carries already (the long tests), so it gets fewer files.
    Deterministic (ties go by name); empty shards are dropped, except a preloaded first one."""
    weights = INTEGRATION_WEIGHTS if weights is None else weights
    loads = [[preload if index == 0 else 0, index, []] for index in range(max(1, count))]
    for path in sorted(files, key=lambda f: (-weights.get(os.path.basename(f), DEFAULT_WEIGHT), f)):
        lightest = min(loads)
        lightest[0] += weights.get(os.path.basename(path), DEFAULT_WEIGHT)
        lightest[2].append(path)
    return [sorted(paths) for _load, index, paths in sorted(loads, key=lambda load: load[1])
            if paths or (index == 0 and preload)]


def pytest_run(stage, args, env=None, junit=None):
    """pytest with the lab stages' options, its durations kept as JUnit XML; (rc, text)."""
    argv = [tool("pytest")] + args + ["-v", "-p", "no:cacheprovider", "-o", "console_output_style=classic"]
    if junit:
        argv.append("--junitxml=" + os.path.join(JUNIT, junit + ".xml"))
    return run(stage, argv, env=env)


def stage_integration():
    """The integration tests in shards, each on a lab instance of its own, beside one another.

    The files are split by INTEGRATION_WEIGHTS over FLEETOPS_INTEGRATION_SHARDS (default SHARDS) shards, so
    the stage takes about the longest shard, not the sum. Tests marked "long" wait out the host's own
    clock (a 15-minute settle): the first shard runs them first, and gets fewer files for it
    (LONG_WEIGHT). The first shard's output is on the console (when this stage has it); the others'
    logs are shown when the stage ends."""
    if os.geteuid() != 0:
        print("integration tests need root (the lab starts systemd-nspawn hosts)")
        return 1, {}
    instance = os.environ.get("FLEETOPS_LAB", "fleetops")
    count = int(os.environ.get("FLEETOPS_INTEGRATION_SHARDS") or SHARDS)
    files = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "tests", "integration", "test_*.py")))
    jobs = []
    for number, paths in enumerate(shards(files, count, preload=LONG_WEIGHT), start=1):
        name = instance if number == 1 else "%s-%d" % (instance, number)
        runs = [("integration-%d" % number, paths + ["-m", "not long", "--durations=10"])] if paths else []
        if number == 1:
            runs.insert(0, ("integration-%d-long" % number, ["tests/integration", "-m", "long"]))
        jobs.append(("integration-%d" % number, name, runs))
    for stage, name, runs in jobs:
        for _junit, args in runs:
            say("integration", "%s on lab %s: %s" % (stage, name, " ".join(args)))
    outcomes = {}
    quiet = getattr(_BESIDE, "quiet", False)

    def shard(stage, name, runs, console):
        _BESIDE.quiet = quiet or not console
        outcomes[stage] = []
        try:
            for junit, args in runs:
                outcomes[stage].append(pytest_run(stage, args, env=dict(os.environ, FLEETOPS_LAB=name), junit=junit))
        except Exception as exc:  # pylint: disable=broad-except
            outcomes[stage].append((1, "shard %s crashed: %r" % (stage, exc)))
        finally:
            lab_down(name)
            lab_down(name + "-fam")  # test_families.py's own instance, should a crash leave it up

    threads = [threading.Thread(target=shard, args=(stage, name, runs, stage == "integration-1"), name=stage)
               for stage, name, runs in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rc, counts = 0, {}
    for stage, _name, _runs in jobs:
        for shard_rc, text in outcomes[stage]:
            if stage != "integration-1" or quiet:
                say("integration", "----- %s -----\n%s" % (stage, text))
            shard_counts = pytest_counts(text)
            if shard_rc or not shard_counts.get("passed"):
                rc = 1
            for key, value in shard_counts.items():
                if key != "deselected":  # each run deselects the other's marks
                    counts[key] = counts.get(key, 0) + value
    counts["shards"] = len(jobs)
    return rc, counts


def stage_molecule():
    """Every Molecule scenario, run from the collection root (Molecule's collection mode)."""
    scenarios = sorted(os.path.basename(os.path.dirname(p))
                       for p in glob.glob(os.path.join(ROOT, "extensions", "molecule", "*", "molecule.yml")))
    failed = 0
    try:
        for scenario in scenarios:
            rc, _text = run("molecule", [tool("molecule"), "test", "-s", scenario])
            failed += rc != 0
    finally:
        lab_down(os.environ.get("FLEETOPS_MOLECULE_LAB", "fleetops-molecule"))
    return (1 if failed or not scenarios else 0), {"scenarios": len(scenarios), "failed": failed}


def stage_compat():
    """The oldest ansible-core that meta/runtime.yml admits: unit tests, docs, the module and the reboot
    cycle on lab hosts driven by that ansible-core (requirements-compat.txt), and the Central inventory and
    modules against the Central test double (2.16 templates host variables that 2.19 would not: Central's
    strings must never be)."""
    compat_bin = os.path.join(ROOT, ".venv", "compat", "bin")
    rc, version = run("compat", [os.path.join(compat_bin, "ansible"), "--version"])
    if rc:
        return rc, {}
    core = re.search(r"core ([0-9.]+)", version)
    env = dict(os.environ, PATH=compat_bin + os.pathsep + os.environ["PATH"])
    # The lab part mostly waits for hosts to restart: it runs beside the unit tests and the docs, its
    # output kept to a log of its own and shown in this stage's log when it has ended.
    instance = "compat"
    lab_env = dict(os.environ, FLEETOPS_ANSIBLE_BIN=compat_bin, FLEETOPS_LAB=instance, FLEETOPS_LAB_HOSTS="4")
    lab_outcome = []

    def lab_part():
        _BESIDE.quiet = True
        try:
            lab_outcome.append(run("compat-lab", [
                tool("pytest"), "tests/integration/test_reboot_facts.py", "tests/integration/test_reboot_cycle.py",
                "tests/integration/test_central.py", "-m", "not long", "-q", "-p", "no:cacheprovider",
                "--junitxml=" + os.path.join(JUNIT, "compat.xml")], env=lab_env))
        except Exception as exc:  # pylint: disable=broad-except
            lab_outcome.append((1, "compat lab part crashed: %r" % (exc,)))
        finally:
            lab_down(instance)

    lab_thread = threading.Thread(target=lab_part, name="compat-lab")
    lab_thread.start()
    unit_rc, text = run("compat", [os.path.join(compat_bin, "python"), "-m", "pytest", "tests/unit", "-q",
                                   "-p", "no:cacheprovider", "--ignore", "tests/unit/tools"], env=env)
    units = pytest_counts(text)
    doc_failures = 0
    for module in _collection_plugins()[0]:
        doc_rc, _text = run("compat", [os.path.join(compat_bin, "ansible-doc"), "-t", "module",
                                       "%s.%s" % (COLLECTION, module)], env=env, echo=False)
        doc_failures += doc_rc != 0
    lab_thread.join()
    lab_rc, text = lab_outcome[0]
    say("compat", "----- compat lab part (beside the unit tests) -----\n%s" % text)
    lab_counts = pytest_counts(text)
    failed = unit_rc or doc_failures or lab_rc or not units.get("passed") or not lab_counts.get("passed")
    return (1 if failed else 0), {"ansible-core": core.group(1) if core else "?",
                                  "unit passed": units.get("passed", 0),
                                  "lab passed": lab_counts.get("passed", 0),
                                  "lab failed": lab_counts.get("failed", 0), "doc failures": doc_failures}


def stage_bench():
    benches = sorted(glob.glob(os.path.join(ROOT, "tests", "bench", "bench_*.py")))
    failed = 0
    for bench in benches:
        rc, _text = run("bench", [tool("python"), bench])
        failed += rc != 0
    return (1 if failed else 0), {"benchmarks": len(benches), "failed": failed}


STAGES = [
    ("units", stage_units),
    ("pwsh", stage_pwsh),
    ("docs", stage_docs),
    ("build", stage_build),
    ("changelog", stage_changelog),
    ("antsibull", stage_antsibull),
    ("galaxy", stage_galaxy),
    ("docsite", stage_docsite),
    ("lint", stage_lint),
    ("sanity", stage_sanity),
    ("integration", stage_integration),
    ("molecule", stage_molecule),
    ("compat", stage_compat),
]
EXTRA = {"bench": stage_bench}


# Stages on lab hosts of their own lab instances (integration's shards "fleetops", "fleetops-2", ...;
# "fleetops-molecule", "compat"): they mostly wait for hosts to restart, so they start first and run beside
# one another and beside the other stages.
LAB_STAGES = ("integration", "molecule", "compat")


def run_stage(name, func):
    """One stage: (name, rc, counts, seconds); a crash is a failed stage."""
    started = time.monotonic()
    try:
        rc, counts = func()
    except Exception as exc:  # pylint: disable=broad-except
        print("stage %s crashed: %r" % (name, exc), flush=True)
        rc, counts = 1, {}
    return name, rc, counts, time.monotonic() - started


def run_beside(console, beside):
    """The ``beside`` stages start first, each in a thread with its output kept to its log; then the
    ``console`` stages run one after another on the console; each beside stage's log is shown when it
    has ended. Results in the order console, beside."""
    results = {}
    label = console[0][0] if len(console) == 1 else "%s ... %s" % (console[0][0], console[-1][0])

    def worker(name, func):
        _BESIDE.quiet = True
        results[name] = run_stage(name, func)

    threads = []
    for name, func in beside:
        print("===== %s (beside %s; output in %s) =====" % (
            name, label, os.path.relpath(os.path.join(LOGS, name + ".log"), ROOT)), flush=True)
        thread = threading.Thread(target=worker, args=(name, func), name=name)
        thread.start()
        threads.append((name, thread))
    for name, func in console:
        print("\n===== %s =====" % name, flush=True)
        results[name] = run_stage(name, func)
    for name, thread in threads:
        thread.join()
        path = os.path.join(LOGS, name + ".log")
        text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        print("\n===== %s (ran beside %s) =====\n%s" % (name, label, text), flush=True)
    return [results[name] for name, _func in console + beside]


def slowest_tests(paths, count=10):
    """``[(seconds, test id)]`` of the ``count`` slowest test cases in the JUnit XML files ``paths``; each id
    ends with the file's stage in brackets (``[compat]``, ``[integration-2]``): a test can run in several."""
    cases = []
    for path in paths:
        try:
            tree = ET.parse(path)
        except (OSError, ET.ParseError):
            continue
        for case in tree.iter("testcase"):
            try:
                seconds = float(case.get("time") or 0)
            except ValueError:
                continue
            cases.append((seconds, "%s::%s [%s]" % (case.get("classname", ""), case.get("name", ""),
                                                    os.path.splitext(os.path.basename(path))[0])))
    return sorted(cases, key=lambda c: (-c[0], c[1]))[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=[stage[0] for stage in STAGES] + list(EXTRA))
    args = parser.parse_args()
    selected = [(name, func) for name, func in STAGES + list(EXTRA.items())
                if (args.only and name in args.only) or (not args.only and name not in EXTRA)]
    shutil.rmtree(LOGS, ignore_errors=True)
    shutil.rmtree(JUNIT, ignore_errors=True)
    os.makedirs(JUNIT)
    # The lab stages mostly wait for hosts to restart: they start first and run beside the others.
    static = [(name, func) for name, func in selected if name not in LAB_STAGES]
    lab = [(name, func) for name, func in selected if name in LAB_STAGES]
    if static:
        results = run_beside(static, lab)
    else:
        results = run_beside(lab[:1], lab[1:])
    slowest = slowest_tests(sorted(glob.glob(os.path.join(JUNIT, "*.xml"))))
    if slowest:
        print("\n===== slowest tests =====")
        for seconds, name in slowest:
            print("%7.1fs  %s" % (seconds, name))
    print("\n===== summary =====")
    for name, rc, counts, seconds in results:
        detail = ", ".join("%s %s" % (value, key) for key, value in counts.items())
        print("%-12s %-6s %6.0fs  %s" % (name, "ok" if rc == 0 else "FAILED", seconds, detail))
    failed = sum(1 for result in results if result[1])
    print("checks: %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
