"""Stand-in for the get-pip bootstrap script that ``ansible-test`` downloads.

``ansible-test`` bootstraps pip in its virtual environments with a script fetched from a host that
these machines cannot reach; it first looks in ``~/.ansible/test/cache/get_pip_<version>.py``.
``make setup`` copies this file there. It installs the requested packages with the pip wheel that
``ensurepip`` bundles, so the bootstrap needs only the package index.
"""
import glob
import os
import sys

import ensurepip

UNSUPPORTED = {"--no-setuptools", "--no-wheel"}


def main():
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
    wheels = sorted(glob.glob(os.path.join(bundled, "pip-*.whl")))
    if not wheels:
        sys.exit("no pip wheel bundled with ensurepip in %s" % bundled)
    sys.path.insert(0, wheels[-1])
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    args = [arg for arg in sys.argv[1:] if arg not in UNSUPPORTED]
    sys.exit(pip_main(["install"] + args))


if __name__ == "__main__":
    main()
