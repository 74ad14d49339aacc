"""A pytest plugin for the mutation run (``tests/tools/mutation.py``): collect only the tests asked for.

mutmut runs each mutant's tests by node id (``file.py::test_name[param]``). pytest then collects every
test of each file named, parametrizations included, and drops the ones not asked for: in the big test
files that costs more than the tests run. This plugin stops pytest from making the items that would be
dropped: a function or class of a file (or class) that the command line names by node id is collected
only if a node id asks for it. The same tests run, in the same order; a file or directory given whole
is collected whole.
"""
import os

import pytest

# pytest's exit code when a test asked for by node id is not found here (pytest's own is 4, a usage error,
# which mutmut raises on in a mutant's process, and that process then exits 1, as if a test had failed):
# tests/tools/mutation.py counts a mutant that ends so as not killed, and mutmut stops on it in its clean run.
NOT_FOUND = 44

# Set by pytest_configure: the node ids of the collectors to prune in (files and classes that node ids
# reach into) and, for each, the names asked for in it.
_WANTED = {}


def wanted_names(args, rootdir, invocation_dir):
    """{collector node id: names asked for in it} from pytest's command-line arguments.

    Empty (prune nothing) when an argument names a file or directory whole, or is not a path.
    """
    wanted = {}
    for arg in args:
        if "::" not in arg:
            return {}
        path, rest = arg.split("::", 1)
        full = os.path.normpath(os.path.join(str(invocation_dir), path))
        relative = os.path.relpath(full, str(rootdir))
        if relative.startswith(".."):
            return {}
        parent = relative.replace(os.sep, "/")
        # The parameters' id ("[...]", which may hold "::") names no collector.
        for name in rest.split("[", 1)[0].split("::"):
            if not name:
                return {}
            wanted.setdefault(parent, set()).add(name)
            parent = parent + "::" + name
    return wanted


def pytest_configure(config):
    _WANTED.clear()
    _WANTED.update(wanted_names(config.args, config.rootpath, config.invocation_params.dir))


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    names = _WANTED.get(collector.nodeid)
    if names is not None and name not in names:
        return []
    return None


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    try:
        return (yield)
    except pytest.UsageError as error:
        if not _WANTED:
            raise
        raise pytest.exit.Exception("%s (mutation_collect)" % error, returncode=NOT_FOUND) from error
