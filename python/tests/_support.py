"""Shared helpers for the client's tests (stdlib only)."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake_trove.py")

# The tests change directory (and start scripts in other ones): a relative TROVE_BIN given by hand
# (TROVE_BIN=../../dist/cli/trove.cjs) is made absolute once, here.
for _name in ("TROVE_BIN", "TROVE_REAL_BIN"):
    if os.environ.get(_name):
        os.environ[_name] = os.path.abspath(os.environ[_name])
if os.environ.get("PYTHONPATH"):  # likewise PYTHONPATH=.. (the scripts run elsewhere import trove too)
    os.environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in os.environ["PYTHONPATH"].split(os.pathsep) if p)


def real_trove_bin():
    """The built CLI the Node test runner points TROVE_BIN at (None when run by hand without it)."""
    b = os.environ.get("TROVE_REAL_BIN") or os.environ.get("TROVE_BIN")
    return b if b and os.path.exists(b) and b.endswith(".js") else None


def trove_cmd():
    b = real_trove_bin()
    return ["node", b] if b else None


def git_repo(trove_init=True):
    """A fresh Git repository (with an identity) in a temp dir; `trove init` when asked."""
    d = tempfile.mkdtemp(prefix="trove-py-")
    try:
        run(["git", "init", "-q", "-b", "main"], d)
        run(["git", "config", "user.email", "py@example.com"], d)
        run(["git", "config", "user.name", "py test"], d)
        run(["git", "config", "commit.gpgsign", "false"], d)
        if trove_init:
            run(trove_cmd() + ["init"], d)
    except BaseException:
        rm(d)
        raise
    return d


def run(cmd, cwd, env=None, check=True):
    full = dict(os.environ)
    full["NO_COLOR"] = "1"
    if env:
        full.update(env)
    p = subprocess.run(cmd, cwd=cwd, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if check and p.returncode != 0:
        raise AssertionError("{} failed ({}):\n{}\n{}".format(cmd, p.returncode, p.stdout, p.stderr))
    return p


def trove_json(args, cwd):
    import json
    p = run(trove_cmd() + ["--json"] + list(args), cwd)
    return json.loads(p.stdout)["result"]


def rm(d):
    shutil.rmtree(d, ignore_errors=True)


def python_script(code, cwd, env=None, check=True):
    """Run `code` in a fresh interpreter (the client is once-per-process: init, atexit)."""
    return run([sys.executable, "-c", code], cwd, env=env, check=check)
