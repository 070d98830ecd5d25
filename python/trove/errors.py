"""Errors raised by the trove client.

Every failure the trove CLI reports arrives as a :class:`TroveError` with the
CLI's stable ``code`` (``NOT_A_GIT_REPO``, ``NOT_FOUND``, ``VERSION_EXISTS``…,
see docs/json.md), its ``message``, a ``hint`` (what to do next, usually a
command) and structured ``data``. Match on ``code``, never on the message.
"""

from typing import Any, Dict, Optional

__all__ = [
    "TroveError",
    "TroveNotInstalledError",
    "NotAGitRepositoryError",
    "ProtocolError",
    "error_from_json",
]


class TroveError(Exception):
    """A failure reported by trove (or by this client), with ``code``, ``message``, ``hint`` and ``data``."""

    def __init__(self, code: str, message: str, hint: Optional[str] = None, data: Any = None):
        self.code = code
        self.message = message
        self.hint = hint
        self.data = data
        text = message if not hint else "{}\nhint: {}".format(message, hint)
        super().__init__(text)

    def __repr__(self) -> str:
        return "{}(code={!r}, message={!r}, hint={!r})".format(type(self).__name__, self.code, self.message, self.hint)


class TroveNotInstalledError(TroveError):
    """The trove CLI could not be found or run (code ``NOT_INSTALLED``)."""


class NotAGitRepositoryError(TroveError):
    """``trove.init()`` (or another call) ran outside a Git repository (code ``NOT_A_GIT_REPO``)."""


class ProtocolError(TroveError):
    """``trove exp serve`` answered something this client does not understand, or exited (code ``PROTOCOL``)."""


_BY_CODE = {
    "NOT_A_GIT_REPO": NotAGitRepositoryError,
    "NOT_INSTALLED": TroveNotInstalledError,
    "PROTOCOL": ProtocolError,
}


def error_from_json(err: Dict[str, Any]) -> TroveError:
    """The TroveError (or its subclass for the code) for a CLI/protocol ``error`` object."""
    code = str(err.get("code") or "INTERNAL")
    cls = _BY_CODE.get(code, TroveError)
    return cls(code, str(err.get("message") or code), err.get("hint"), err.get("data"))
