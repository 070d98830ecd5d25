"""The long-lived ``trove exp serve`` child that a training script talks to.

One child per Python process, started on the first ``trove.init()`` in the
current directory. Requests and replies are one JSON object per line
(docs/experiments.md, "The serve protocol"); they are matched by ``id``. The
child's log lines go to its stderr, which is this process's stderr.
"""

import atexit
import itertools
import json
import os
import subprocess
import threading
from typing import Any, Dict, Optional

from ._cli import trove_command
from .errors import ProtocolError, TroveNotInstalledError, error_from_json

PROTOCOL = 1


class Server:
    def __init__(self, cwd: str):
        self.cwd = cwd
        cmd = trove_command() + ["exp", "serve"]
        env = dict(os.environ)
        env.setdefault("NO_COLOR", "1")
        try:
            self.proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None,
                bufsize=0,
                # Its own session: Ctrl-C in the terminal interrupts the training script, not the
                # server, so a script that catches KeyboardInterrupt can still checkpoint and stop().
                start_new_session=(os.name == "posix"),
            )
        except OSError as exc:
            raise TroveNotInstalledError(
                "NOT_INSTALLED", "Could not run trove ({}): {}".format(" ".join(cmd), exc), None, {"command": cmd}
            ) from None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.hello = self.request("hello")
        proto = self.hello.get("protocol") if isinstance(self.hello, dict) else None
        if proto != PROTOCOL:
            self.close()
            raise ProtocolError(
                "PROTOCOL",
                "trove exp serve speaks protocol {!r}; this client speaks {}.".format(proto, PROTOCOL),
                "Install matching versions of the trove CLI and the Python client.",
                {"hello": self.hello},
            )

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, op: str, **fields: Any) -> Any:
        """Send one request and wait for its reply; TroveError when it failed."""
        with self._lock:
            if self.proc.poll() is not None:
                raise self._exited()
            rid = next(self._ids)
            msg = dict(fields)
            msg["id"] = rid
            msg["op"] = op
            line = json.dumps(msg, allow_nan=False, separators=(",", ":")) + "\n"
            try:
                self.proc.stdin.write(line.encode("utf-8"))
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                raise self._exited() from None
            while True:
                raw = self.proc.stdout.readline()
                if not raw:
                    raise self._exited()
                text = raw.decode("utf-8", "replace").strip()
                if not text:
                    continue
                try:
                    reply = json.loads(text)
                except ValueError:
                    raise ProtocolError("PROTOCOL", "trove exp serve wrote a line that is not JSON: {!r}".format(text[:200])) from None
                if not isinstance(reply, dict) or reply.get("id") != rid:
                    continue  # a reply to a request that timed out or was never ours
                if reply.get("ok") is True:
                    return reply.get("result")
                err = reply.get("error")
                if isinstance(err, dict):
                    raise error_from_json(err)
                raise ProtocolError("PROTOCOL", "trove exp serve replied without a result or an error: {!r}".format(text[:200]))

    def _exited(self) -> ProtocolError:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return ProtocolError(
            "PROTOCOL",
            "trove exp serve exited unexpectedly (exit {}); its stderr above says why.".format(code),
            "Run `trove exp serve` by hand in this directory to see the error.",
            {"exit": code},
        )

    def close(self, timeout: float = 120) -> None:
        """Close stdin (the child stops any run still open, as "stopped") and wait for it."""
        try:
            if self.proc.stdin and not self.proc.stdin.closed:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            if self.proc.stdout:
                self.proc.stdout.close()


_server: Optional[Server] = None
_server_lock = threading.Lock()


def get_server(cwd: Optional[str] = None) -> Server:
    """The process's one serve child (started on first use, in ``cwd`` or the current directory)."""
    global _server
    with _server_lock:
        if _server is not None and _server.alive:
            return _server
        _server = Server(os.path.abspath(cwd or os.getcwd()))
        return _server


def current_server() -> Optional[Server]:
    return _server


def shutdown_server() -> None:
    global _server
    with _server_lock:
        server, _server = _server, None
    if server is not None:
        server.close()


atexit.register(shutdown_server)
