"""Finding and running the trove CLI.

The CLI is found through the ``TROVE_BIN`` environment variable (a path; one
ending in ``.js``, ``.mjs`` or ``.cjs`` is run with ``node``) or as ``trove`` on PATH. Every registry
and analysis call is one ``subprocess.run`` of ``trove --json …``; the JSON
envelope (docs/json.md) is decoded here.
"""

import json
import os
import shutil
import subprocess
from typing import Any, Dict, List, Optional, Sequence

from .errors import ProtocolError, TroveError, TroveNotInstalledError, error_from_json

INSTALL_HINT = (
    "Install the trove CLI (Node.js 20 or newer): npm install -g trove "
    "(or from a clone: npm install && npm run build && npm link), "
    "or set TROVE_BIN to the path of trove's dist/cli/trove.cjs or of a trove executable."
)


def trove_command() -> List[str]:
    """The argv prefix that runs trove, or TroveNotInstalledError saying how to install it."""
    env_bin = os.environ.get("TROVE_BIN")
    if env_bin:
        path = os.path.expanduser(env_bin)
        if not os.path.exists(path):
            raise TroveNotInstalledError(
                "NOT_INSTALLED",
                "TROVE_BIN is set to {!r}, which does not exist.".format(env_bin),
                INSTALL_HINT,
                {"TROVE_BIN": env_bin},
            )
        if path.endswith((".js", ".mjs", ".cjs")):
            node = shutil.which("node")
            if node is None:
                raise TroveNotInstalledError(
                    "NOT_INSTALLED",
                    "TROVE_BIN names a JavaScript file ({}) but node is not on PATH.".format(path),
                    "Install Node.js 20 or newer, or set TROVE_BIN to a trove executable.",
                    {"TROVE_BIN": env_bin},
                )
            return [node, os.path.abspath(path)]
        return [os.path.abspath(path)]
    found = shutil.which("trove")
    if found is None:
        raise TroveNotInstalledError(
            "NOT_INSTALLED",
            "The trove command-line tool was not found: it is not on PATH and TROVE_BIN is not set.",
            INSTALL_HINT,
            None,
        )
    return [found]


def _not_runnable(cmd: Sequence[str], exc: OSError) -> TroveNotInstalledError:
    return TroveNotInstalledError(
        "NOT_INSTALLED",
        "Could not run trove ({}): {}".format(" ".join(cmd), exc),
        INSTALL_HINT,
        {"command": list(cmd)},
    )


def run_json(args: Sequence[str], cwd: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> Any:
    """Run ``trove --json ARGS`` once and return its ``result``; raise TroveError on failure."""
    cmd = trove_command() + ["--json"] + [str(a) for a in args]
    full_env = dict(os.environ)
    full_env.setdefault("NO_COLOR", "1")
    if env:
        full_env.update(env)
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise _not_runnable(cmd, exc) from None
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    envelope = _last_json_line(out)
    if envelope is not None and envelope.get("ok") is True:
        return envelope.get("result")
    failure = _last_json_line(err)
    if failure is not None and isinstance(failure.get("error"), dict):
        raise error_from_json(failure["error"])
    if envelope is not None and isinstance(envelope.get("error"), dict):
        raise error_from_json(envelope["error"])
    # The argument parser's own errors are plain text (docs/json.md), exit 2.
    text = err.strip() or out.strip() or "no output"
    code = "USAGE" if proc.returncode == 2 else "INTERNAL"
    raise TroveError(code, "trove {} failed (exit {}): {}".format(" ".join(args), proc.returncode, text), None, {"exit": proc.returncode})


def _last_json_line(text: str) -> Optional[Dict[str, Any]]:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


__all__ = ["trove_command", "run_json", "INSTALL_HINT", "ProtocolError"]
