"""CPU seconds of the mutation run's mutants, with mutation.py's pytest arguments against the older ones.

Runs each chosen mutant as mutmut 3's child does (forked from a process that has run the tests once,
the mutant set, its tests by node id, fastest first, ``-x``), once with each set of arguments,
alternating which goes first, and prints the CPU seconds of the children (load changes wall times far
more than CPU time) and whether every verdict (killed or not) is the same. Needs a work directory where
``tests/tools/mutation.py`` has made the mutants and the test map (any run, e.g. ``--sample 10``)::

    .venv/bin/python tests/bench/bench_mutation.py --sample 150 [--work tests/output/mutation]
"""
import argparse
import gc
import glob
import json
import math
import os
import resource
import sys
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))

import mutation  # noqa: E402  pylint: disable=wrong-import-position

# What mutation.py passed to pytest before mutation_collect and the plugins left out.
OLD_ARGS = ["-p", "no:cacheprovider", "-q"]
# mutmut's own arguments for a mutant's run (mutmut/runners/harness.py).
MUTMUT_ARGS = ["--rootdir=.", "--tb=native", "-x", "-q", "-p", "no:randomly", "-p", "no:random-order"]


def child_cpu(mutant, tests, args, limit):
    """(CPU seconds, exit code) of a forked pytest run of ``tests`` with ``mutant`` active."""
    import pytest  # pylint: disable=import-outside-toplevel
    from mutmut.mutation.trampoline import set_mutant_under_test  # pylint: disable=import-outside-toplevel
    pid = os.fork()
    if pid == 0:
        set_mutant_under_test(mutant)
        cpu = limit + int(time.process_time())
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # pylint: disable=consider-using-with
        os._exit(int(pytest.main(MUTMUT_ARGS + tests + args)))
    _pid, status, usage = os.wait4(pid, 0)
    return usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def bench(sample):
    import pytest  # pylint: disable=import-outside-toplevel
    with open("mutmut-stats.json", encoding="utf-8") as handle:
        stats = json.load(handle)
    tests_by_function, duration = stats["tests_by_mangled_function_name"], stats["duration_by_test"]
    mutants = []
    for meta in sorted(glob.glob(os.path.join(mutation.COLLECTION, mutation.SOURCES, "*.meta"))):
        with open(meta, encoding="utf-8") as handle:
            mutants.extend(name for name in json.load(handle)["exit_code_by_key"]
                           if zlib.crc32(name.encode()) % sample == 0)

    def tests_of(name):
        return sorted(tests_by_function.get(name.rsplit("__mutmut_", 1)[0], ()), key=lambda test: duration[test])

    mutants.sort(key=lambda name: sum(duration[test] for test in tests_of(name)))
    union = sorted(set(test for name in mutants for test in tests_of(name)))
    print("%d mutants (one in %d), %d tests reach them" % (len(mutants), sample, len(union)), flush=True)
    # Import every test module once, as mutmut's clean run does before it forks.
    saved = sys.stdout
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # pylint: disable=consider-using-with
    pytest.main(MUTMUT_ARGS + union[:1] + mutation.PYTEST_ARGS)
    warm = pytest.main(MUTMUT_ARGS + union + OLD_ARGS)
    sys.stdout = saved
    if warm != 0:
        print("the tests fail without a mutant (exit %d)" % warm)
        return 1
    gc.freeze()
    variants = [("before", OLD_ARGS), ("after", mutation.PYTEST_ARGS)]
    results = {}
    for index, name in enumerate(mutants):
        tests = tests_of(name)
        if not tests:
            continue
        limit = min(math.ceil((sum(duration[test] for test in tests) + 1) * 30), 120)
        for label, args in (variants if index % 2 == 0 else variants[::-1]):
            results.setdefault(name, {})[label] = child_cpu(name, tests, args, limit)
    verdicts = sum(1 for got in results.values() if len(set(code == 0 for _cpu, code in got.values())) == 1)
    for label, _args in variants:
        cpu = sum(got[label][0] for got in results.values())
        killed = sum(got[label][0] for got in results.values() if got[label][1] != 0)
        print("%-6s %7.1f CPU s (%.3f a mutant; killed ones %.1f s, survivors %.1f s)"
              % (label, cpu, cpu / len(results), killed, cpu - killed))
    print("same verdict (killed or not) for %d of %d mutants" % (verdicts, len(results)))
    return 0 if verdicts == len(results) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--sample", type=int, default=150, metavar="K", help="one mutant in K, as mutation.py chooses")
    parser.add_argument("--work", default=mutation.WORK, help="mutation.py's work directory (default %(default)s)")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    mutants = os.path.join(work, "mutants")
    if os.path.realpath(sys.prefix) != os.path.realpath(os.path.dirname(os.path.dirname(mutation.MUTMUT))):
        # mutmut's venv, in its mutant tree, with mutation_collect on the path, as mutation.py runs it
        plugins = os.path.join(work, "pytest-plugins")
        os.makedirs(plugins, exist_ok=True)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=mutants, PYTHONPATH=plugins)
        import shutil  # pylint: disable=import-outside-toplevel
        shutil.copy2(mutation.PLUGIN, plugins)
        os.chdir(mutants)
        python = os.path.join(os.path.dirname(mutation.MUTMUT), "python")
        os.execve(python, [python, os.path.abspath(__file__), "--sample", str(args.sample), "--work", work], env)
    os.chdir(mutants)
    return bench(args.sample)


if __name__ == "__main__":
    sys.exit(main())
