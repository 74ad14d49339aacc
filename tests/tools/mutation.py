"""Mutation testing of ``plugins/module_utils/`` with the unit suite (``make mutation``).

mutmut names a mutant after its module path relative to where it runs, and its trampolines compare
that name with the ``__module__`` the tests see. The tests import the collection as
``ansible_collections.fleetops.sophos``, so the checkout is copied into
``tests/output/mutation/ansible_collections/fleetops/sophos`` and mutmut runs there: its mutant tree
``mutants/ansible_collections/fleetops/sophos`` is what the tests import (the unit conftest links
``.venv/collections`` of that copy to the copy itself). mutmut's stats phase records which tests reach
which function, so each mutant runs only the tests that call the mutated function.

Prints the surviving mutants (diffs in ``tests/output/mutation/survivors.txt``) and, as the last line,
``mutation score: S (killed K of N)`` where killed counts mutants that a test failed on or that timed
out; every other mutant (survived, no test reached it) counts as not killed.
"""
import argparse
import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zlib

import mutation_collect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, "tests", "output", "mutation")
COLLECTION = os.path.join("ansible_collections", "fleetops", "sophos")
SOURCES = os.path.join("plugins", "module_utils")
MUTMUT = os.path.join(ROOT, ".venv", "mutation", "bin", "mutmut")
PREFIX = "ansible_collections.fleetops.sophos."
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
# mutmut's exit codes (mutmut/stats.py): a test failed (1; 3 = pytest internal error), none did (0),
# no test reaches the mutant (33, 5), timeouts (SIGXCPU), killed by a signal.
STATUS_BY_EXIT_CODE = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
                       36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
                       -11: "segfault", -9: "segfault", 37: "caught by type check",
                       mutation_collect.NOT_FOUND: "a test not found"}

SHOW_DIFFS = """
import sys
from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
for name in sys.stdin.read().split():
    print("# %s" % name)
    try:
        print(get_diff_for_mutant(name, path=find_mutant(name).path))
    except Exception as exc:  # a diff that cannot be shown must not hide the score
        print("(no diff: %s)" % exc)
"""

# What each mutant's pytest run leaves out or adds (each tested to keep every verdict, docs/testing.md):
# pytest's plugins that no unit test uses (the unraisable and thread exception hooks only ever warn here,
# and a warning fails no test), and mutation_collect.py, which makes only the test items asked for.
PYTEST_ARGS = ["-q", "-p", "mutation_collect"] + [
    arg for name in ("cacheprovider", "platformdirs", "doctest", "pastebin", "junitxml", "legacypath", "stepwise",
                     "unraisableexception", "threadexception", "faulthandler") for arg in ("-p", "no:" + name)]
PLUGIN = os.path.join(ROOT, "tests", "tools", "mutation_collect.py")

SETUP_CFG = """[mutmut]
source_paths =
    {collection}/plugins/module_utils
also_copy =
{also_copy}
pytest_add_cli_args =
{pytest_args}
pytest_add_cli_args_test_selection =
    {collection}/tests/unit
use_git_change_detection = false
use_setproctitle = false
"""


def source_files(top):
    """The ``.py`` files under ``top`` (packages such as ``_report/`` included), as paths relative to it."""
    return sorted(os.path.relpath(os.path.join(folder, name), top) for folder, _dirs, names in os.walk(top)
                  for name in names if name.endswith(".py"))


def git_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                         check=True, capture_output=True).stdout.decode()
    return [p for p in out.split("\0") if p and os.path.isfile(os.path.join(ROOT, p))]


def stage(work, rev=None, keep=False):
    """A fresh copy of the checkout's files (or of commit REV) under WORK/ansible_collections/fleetops/sophos.

    ``keep``: keep the mutants of the last run; the mutants of a source file that changed are made again,
    the others (and their results) are reused, and mutmut maps the new tests.
    """
    target = os.path.join(work, COLLECTION)
    old_sources = {}
    if keep and os.path.isdir(os.path.join(work, "mutants")):
        for name in source_files(os.path.join(target, SOURCES)):
            with open(os.path.join(target, SOURCES, name), "rb") as handle:
                old_sources[name] = handle.read()
        shutil.rmtree(os.path.join(work, "ansible_collections"))
    else:
        keep = False
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(target)
    if rev:
        archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
    else:
        for path in git_files():
            if path.startswith("tests/output/"):
                continue
            destination = os.path.join(target, path)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, path), destination)
    if keep:
        for name in source_files(os.path.join(target, SOURCES)):
            made = os.path.join(work, "mutants", COLLECTION, SOURCES, name)
            with open(os.path.join(target, SOURCES, name), "rb") as handle:
                if old_sources.get(name) == handle.read() and os.path.exists(made + ".meta") and \
                        os.path.getsize(made) > 0:
                    continue
            for stale in (name, name + ".meta", name + ".spans"):
                path = os.path.join(work, "mutants", COLLECTION, SOURCES, stale)
                if os.path.exists(path):
                    os.unlink(path)
    # Everything but the sources to mutate is copied into mutmut's tree at every run (the tests, the
    # plugins that import module_utils); copying the sources too would make every mutant again.
    also = []
    for top in sorted(os.listdir(target)):
        if top == "plugins":
            also.extend(os.path.join(COLLECTION, top, sub) for sub in sorted(os.listdir(os.path.join(target, top)))
                        if sub != "module_utils")
        else:
            also.append(os.path.join(COLLECTION, top))
    with open(os.path.join(work, "setup.cfg"), "w", encoding="utf-8") as handle:
        handle.write(setup_cfg(also))


def setup_cfg(also_copy):
    """mutmut's configuration (``setup.cfg`` where it runs); ``also_copy``: paths it copies besides the sources."""
    return SETUP_CFG.format(collection=COLLECTION.replace(os.sep, "/"),
                            pytest_args="\n".join("    " + arg for arg in PYTEST_ARGS),
                            also_copy="\n".join("    " + path.replace(os.sep, "/") for path in also_copy))


def warm_up_mutant(work, only):
    """A cheap mutant to run while mutmut makes the mutants and the test map: one it makes.

    ``_settings.x_flag`` when ``_settings.py`` is mutated, else the first mutant of the first function of
    the first file ``only`` selects (mutmut refuses a filter that matches no mutant); a module of a package
    is named by its dotted path (``_report.model``).
    """
    sources = os.path.join(work, COLLECTION, SOURCES)
    chosen = [name for name in source_files(sources)
              if not only or fnmatch.fnmatch(os.path.join(COLLECTION, SOURCES, name), only)]
    # A package's empty __init__.py has no function to mutate.
    chosen = [name for name in chosen if os.path.getsize(os.path.join(sources, name)) > 0]
    if not chosen or "_settings.py" in chosen:
        return "*._settings.x_flag__mutmut_1"
    with open(os.path.join(sources, chosen[0]), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    first = next((node.name for node in tree.body if isinstance(node, ast.FunctionDef)), None)
    module = chosen[0][:-3].replace(os.sep, ".")
    return "*.%s.x_%s__mutmut_1" % (module, first) if first else "*.%s.*__mutmut_1" % module


def results(work):
    """{mutant name: status} from mutmut's per-file records (None: not run)."""
    statuses = {}
    meta_dir = os.path.join(work, "mutants", COLLECTION, "plugins", "module_utils")
    for name in sorted(os.path.relpath(os.path.join(folder, name), meta_dir)
                       for folder, _dirs, names in os.walk(meta_dir) for name in names):
        if name.endswith(".meta"):
            with open(os.path.join(meta_dir, name), encoding="utf-8") as handle:
                for key, code in json.load(handle)["exit_code_by_key"].items():
                    statuses[key] = None if code is None else STATUS_BY_EXIT_CODE.get(code, "suspicious")
    return statuses


def mutmut(work, args, env, log):
    return subprocess.run(["nice", "-n", "19", MUTMUT] + args, cwd=work, env=env, stdin=subprocess.DEVNULL,
                          stdout=log, stderr=subprocess.STDOUT, check=False).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants run at once")
    parser.add_argument("--only", default="", help="mutate only files matching this glob (e.g. '*_assess*.py')")
    parser.add_argument("--sample", type=int, default=1, metavar="K",
                        help="run one mutant in K only (chosen by a hash of its name; a quick estimate)")
    parser.add_argument("--rev", default="", help="test the files of this commit instead of the work tree")
    parser.add_argument("--work", default=WORK, help="where to run (default %(default)s)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the last run's mutants: make again only those of changed sources")
    parser.add_argument("--survivors", action="store_true",
                        help="with --keep: run again only the mutants the last run did not kill (tests added "
                             "since cannot revive a killed one, unless a test was weakened)")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    started = time.monotonic()
    stage(work, args.rev or None, keep=args.keep)
    if args.only:
        with open(os.path.join(work, "setup.cfg"), "a", encoding="utf-8") as handle:
            handle.write("only_mutate =\n    %s\n" % args.only)
    env = dict(os.environ)
    env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(work, "mutants")
    # mutation_collect, alone on the path (``-p`` imports it by name in mutmut and in each mutant's run)
    plugins = os.path.join(work, "pytest-plugins")
    os.makedirs(plugins, exist_ok=True)
    shutil.copy2(PLUGIN, plugins)
    env["PYTHONPATH"] = os.pathsep.join([plugins] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    env["PY_COLORS"] = "0"
    env["NO_COLOR"] = "1"
    jobs = ["--max-children", str(args.jobs)]
    log_path = os.path.join(work, "mutmut.log")
    print("mutmut run (%d job(s), nice 19%s); its output goes to %s"
          % (args.jobs, ", one mutant in %d" % args.sample if args.sample > 1 else "",
             os.path.relpath(log_path, ROOT)), flush=True)
    statuses = {}
    with open(log_path, "w", encoding="utf-8") as log:
        if args.sample > 1 or args.survivors:
            # Generate every mutant and the test map, running one cheap mutant; then run the chosen ones.
            rc = mutmut(work, ["run"] + jobs + [warm_up_mutant(work, args.only)], env, log)
            if rc == 0:
                before = results(work)
                # A mutant is in the sample by its name alone, so two runs sample the same mutants.
                chosen = set(name for name in before if zlib.crc32(name.encode()) % args.sample == 0)
                again = sorted(name for name in chosen if not (args.survivors and before[name] in KILLED))
                rc = mutmut(work, ["run"] + jobs + again, env, log) if again else 0
                statuses = dict((name, status) for name, status in results(work).items() if name in chosen)
        else:
            rc = mutmut(work, ["run"] + jobs, env, log)
            statuses = results(work) if rc == 0 else {}
    with open(log_path, encoding="utf-8", errors="replace") as log:
        speed = re.findall(r"[\d.]+ mutations/second", log.read())
    if rc != 0:
        print("mutmut run failed (exit %d); see %s" % (rc, log_path), file=sys.stderr)
        return rc
    survivors = sorted(name for name, status in statuses.items() if status not in KILLED)
    # One process writes every diff (``mutmut show`` per mutant would load everything each time).
    with open(os.path.join(work, "survivors.txt"), "w", encoding="utf-8") as handle:
        subprocess.run([os.path.join(os.path.dirname(MUTMUT), "python"), "-c", SHOW_DIFFS], cwd=work, env=env,
                       input="\n".join(survivors), text=True, stdout=handle, stderr=subprocess.STDOUT, check=False)
    print("surviving mutants (%d; diffs in %s):" % (len(survivors), os.path.relpath(
        os.path.join(work, "survivors.txt"), ROOT)))
    for name in survivors:
        print("  %s: %s" % (name.replace(PREFIX, "", 1), statuses[name]))
    total = len(statuses)
    killed = total - len(survivors)
    took = time.monotonic() - started
    print("mutation run took %.0f s with %d job(s)%s" % (took, args.jobs, " (%s)" % speed[-1] if speed else ""))
    print("mutation score: %.2f (killed %d of %d)" % (killed / total if total else 0.0, killed, total))
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
