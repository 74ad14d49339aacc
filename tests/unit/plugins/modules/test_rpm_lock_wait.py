# -*- coding: utf-8 -*-
"""The rpm lock probe (plugins/modules/rpm_lock_wait.py) run as Ansible runs it, against a real POSIX lock that
another process holds, as rpm holds its transaction lock."""

from __future__ import absolute_import, division, print_function

import json
import os
import subprocess
import sys

import pytest

MODULE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules", "rpm_lock_wait.py")
HOLDER = ("import fcntl, sys; f = open(sys.argv[1], 'a'); fcntl.lockf(f, fcntl.LOCK_EX); "
          "print('held', flush=True); sys.stdin.readline()")


def probe(tmp_path, **args):
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    res = subprocess.run([sys.executable, MODULE, str(args_file)], capture_output=True, text=True, timeout=120,
                         check=False)
    return json.loads(res.stdout)


@pytest.fixture
def held(tmp_path):
    lock = tmp_path / ".rpm.lock"
    lock.write_text("")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"  # waits for the lock to be taken
    yield lock, holder
    holder.stdin.close()
    holder.wait()


def test_a_held_lock_is_not_free_and_names_its_holder(tmp_path, held):
    lock, holder = held
    result = probe(tmp_path, path=str(lock), timeout=0)
    assert result["free"] is False and result["changed"] is False
    assert result["holder_pid"] == holder.pid and result["holder_command"].startswith("python")


def test_a_lock_let_go_is_free(tmp_path, held):
    lock, holder = held
    holder.stdin.close()
    holder.wait()
    result = probe(tmp_path, path=str(lock), timeout=30)
    assert result["free"] is True and result["holder_pid"] is None


def test_no_lock_file_is_free(tmp_path):
    assert probe(tmp_path, path=str(tmp_path / "absent"), timeout=0)["free"] is True


def test_a_lock_that_cannot_be_tried_is_unknown_not_free(tmp_path):
    result = probe(tmp_path, path=str(tmp_path), timeout=0)  # a directory cannot be opened for writing
    assert result["free"] is None and "cannot try the lock" in result["problem"]


def test_a_negative_timeout_is_refused(tmp_path):
    result = probe(tmp_path, timeout=-1)
    assert result["failed"] and "timeout must be 0 or more" in result["msg"]
