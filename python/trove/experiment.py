"""Keepsake's experiment API over trove: ``init``, ``checkpoint``, ``stop`` and the analysis calls.

Recording goes through the process's ``trove exp serve`` child (one line of
JSON per call, answered once the checkpoint is in the local store); reading
(``experiments.list/get``, ``checkpoints``, ``checkout``, ``open``) runs
``trove exp ls|show|checkout --json`` once per call.
"""

import atexit
import io
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Union

from . import _serve
from ._cli import run_json
from ._values import convert_mapping, from_json_value, to_json_value
from .errors import TroveError

__all__ = ["init", "Experiment", "Checkpoint", "ExperimentList", "experiments", "CheckpointFile"]


def _require_pandas(what: str):
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise ImportError(
            "{} needs pandas, which is not installed: pip install pandas "
            "(the rest of the trove client needs only the standard library)".format(what)
        ) from None
    return pandas


# --------------------------------------------------------------------------- checkpoints


class Checkpoint:
    """One checkpoint of an experiment: ``id``, ``step``, ``created``, ``metrics``, ``path``, ``data``."""

    def __init__(self, record: Dict[str, Any], experiment: Optional["Experiment"] = None):
        record = from_json_value(record)
        self.record = record
        self.id = record.get("id")  # type: str
        self.step = record.get("step")
        self.created = record.get("created")
        self.metrics = record.get("metrics") or {}  # type: Dict[str, Any]
        self.path = record.get("path")
        self.data = record.get("data")
        self.experiment = experiment
        self._cwd = experiment._cwd if experiment is not None else None

    @property
    def short_id(self) -> str:
        return (self.id or "")[:7]

    @property
    def primary_metric(self) -> Optional[Dict[str, Any]]:
        """``{"name", "goal", "value"}`` of the experiment's primary metric at this checkpoint (Keepsake's)."""
        pm = self.experiment.primary_metric if self.experiment is not None else None
        if not pm:
            return None
        return {"name": pm["name"], "goal": pm["goal"], "value": self.metrics.get(pm["name"])}

    def checkout(self, output_directory: str, quiet: bool = True, force: bool = False) -> List[str]:
        """Write this checkpoint's files (its ``path``, file or directory) under ``output_directory``.

        Runs ``trove exp checkout ID -o DIR --json``; returns the paths written. The file saved
        as ``model.pth`` arrives as ``DIR/model.pth``. A file there with other content is an error
        (code ``DIRTY``) unless ``force=True``.
        """
        os.makedirs(output_directory, exist_ok=True)
        args = ["exp", "checkout", self.id, "-o", os.path.abspath(output_directory)]
        if force:
            args.append("--force")
        result = run_json(args, cwd=self._cwd)
        written = result.get("written") if isinstance(result, dict) else None
        if not quiet:
            print("Checked out checkpoint {} to {}".format(self.short_id, output_directory), file=sys.stderr)
        return list(written or [])

    def promote(self, name: str, version: Optional[str] = None, bump: Optional[str] = None, message: Optional[str] = None, force: bool = False) -> Dict[str, Any]:
        """Register this checkpoint as a version of registry model ``name`` with its metrics and
        lineage (``trove exp promote ID NAME --json``); returns the version (``tag``, ``record``…).
        ``force`` replaces what is at the entity's path."""
        args = ["exp", "promote", self.id, name]
        if force:
            args.append("--force")
        if version is not None:
            args += ["--version", str(version)]
        if bump is not None:
            args += ["--bump", bump]
        if message is not None:
            args += ["--message", message]
        return run_json(args, cwd=self._cwd)

    def open(self, path: Optional[str] = None) -> "CheckpointFile":
        """A binary file object over ``path`` (relative to the checkpoint's own files; default: the
        file the checkpoint saved). The checkpoint is checked out into a private temporary directory
        (``trove exp checkout -o``) which is removed when the file is closed.
        """
        if path is None:
            if self.path is None:
                raise TroveError("NOT_FOUND", "Checkpoint {} saved no file.".format(self.short_id), None, {"checkpoint": self.id})
            if (self.data or {}).get("kind") == "dir":
                raise IsADirectoryError("checkpoint {} saved a directory ({}); name a file in it".format(self.short_id, self.path))
            path = self.path
        tmp = tempfile.mkdtemp(prefix="trove-checkpoint-")
        try:
            self.checkout(tmp)
            target = os.path.normpath(os.path.join(tmp, path))
            if os.path.commonpath([tmp, target]) != os.path.normpath(tmp):
                raise ValueError("{!r} is outside the checkpoint".format(path))
            if not os.path.isfile(target):
                # the path may be given relative to a directory the checkpoint saved
                alt = os.path.normpath(os.path.join(tmp, self.path or "", path))
                if os.path.commonpath([tmp, alt]) == os.path.normpath(tmp) and os.path.isfile(alt):
                    target = alt
                else:
                    raise FileNotFoundError("checkpoint {} has no file {!r}".format(self.short_id, path))
            return CheckpointFile(target, tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def __repr__(self) -> str:
        return "Checkpoint(id={!r}, step={!r}, metrics={!r}, path={!r})".format(self.short_id, self.step, self.metrics, self.path)


class CheckpointFile(io.FileIO):
    """A read-only binary file from a checkpoint; closing it removes its temporary checkout."""

    def __init__(self, path: str, tmpdir: str):
        super().__init__(path, "rb")
        self._tmpdir = tmpdir

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._tmpdir:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
                self._tmpdir = None

    # io.FileIO is not buffered: give readers (torch.load, pickle) the usual helpers
    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - FileIO has it; kept for clarity
        return super().readline(size)


# --------------------------------------------------------------------------- experiments


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not (isinstance(v, float) and math.isnan(v))


class Experiment:
    """A run of a training script: its params, code, environment and checkpoints.

    Returned by :func:`trove.init` (a live run: ``checkpoint()``, ``stop()``) and by
    ``trove.experiments.list()/get()`` (a recorded run: ``checkpoints``, ``best()``, ``latest()``).
    """

    def __init__(self, record: Dict[str, Any], cwd: Optional[str] = None, live: bool = False, full: bool = False):
        self._cwd = cwd
        self._live = live
        self._stopped = False
        self._full = full
        self._checkpoints = None  # type: Optional[List[Checkpoint]]
        self._lock = threading.Lock()
        self._set(record)
        if full or live:
            self._checkpoints = [Checkpoint(c, self) for c in (record.get("checkpoints") or [])] if isinstance(record.get("checkpoints"), list) else []

    def _set(self, record: Dict[str, Any]) -> None:
        record = from_json_value(record)
        self.record = record
        self.id = record.get("id")  # type: str
        self.created = record.get("created")
        self.params = record.get("params") or {}
        self.command = record.get("command")
        self.host = record.get("host")
        self.user = record.get("user")
        self.python_version = record.get("python")
        self.python_packages = record.get("packages")
        self.code = record.get("code")
        self.data = record.get("data")
        self.status = record.get("status", "running" if self._live else None)
        # objects of this run not yet on the remote (trove exp push sends them); from exp show
        self.unpushed = record.get("unpushed")
        pm = record.get("primary_metric")
        self.primary_metric = pm if isinstance(pm, dict) else None  # {"name", "goal"} or None
        self.path = (self.code or {}).get("path") if isinstance(self.code, dict) else None

    @property
    def short_id(self) -> str:
        return (self.id or "")[:7]

    # ---- recording (live runs)

    def checkpoint(
        self,
        path: Optional[str] = None,
        step: Optional[int] = None,
        metrics: Optional[Dict[str, Any]] = None,
        primary_metric: Optional[Sequence[str]] = None,
        quiet: bool = False,  # Keepsake's argument; trove prints nothing either way
    ) -> Checkpoint:
        """Record a checkpoint: the file or directory at ``path`` (stored in trove's local content
        store before this returns, so it may be overwritten right after), ``step``, ``metrics``,
        and ``primary_metric=("loss", "minimize"|"maximize")`` (omitted: the first one given stays).
        Never waits for an upload. Errors (a missing path…) raise TroveError; the run goes on.
        """
        if not self._live:
            raise TroveError("USAGE", "Experiment {} is not running in this process; only trove.init() returns one you can checkpoint.".format(self.short_id))
        if self._stopped:
            raise TroveError("USAGE", "Experiment {} was stopped.".format(self.short_id), "Call trove.init() for a new run.")
        converted = convert_mapping(metrics, "metrics")
        pm = None
        if primary_metric is not None:
            if isinstance(primary_metric, str) or len(primary_metric) != 2:
                raise ValueError("primary_metric must be a pair (name, 'minimize' | 'maximize'), got {!r}".format(primary_metric))
            name, goal = primary_metric
            if goal not in ("minimize", "maximize"):
                raise ValueError("primary_metric goal must be 'minimize' or 'maximize', got {!r}".format(goal))
            pm = [str(name), goal]
        if step is not None:
            step = to_json_value(step, "step")
            if not isinstance(step, int) or isinstance(step, bool):
                raise TypeError("step must be an int, got {!r}".format(step))
        if path is not None:
            path = os.fspath(path)
        server = _serve.get_server(self._cwd)
        result = server.request("checkpoint", experiment=self.id, path=path, step=step, metrics=converted, primary_metric=pm)
        ck = Checkpoint((result or {}).get("checkpoint") or {}, self)
        with self._lock:
            if pm is not None and self.primary_metric is None:
                self.primary_metric = {"name": pm[0], "goal": pm[1]}
            if self._checkpoints is None:
                self._checkpoints = []
            self._checkpoints.append(ck)
        return ck

    def stop(self, timeout: float = 60) -> Dict[str, Any]:
        """End the run (status "stopped"); waits up to ``timeout`` seconds for background uploads.
        Returns ``{"experiment": summary, "pushed": bool, "pending": n}``. Calling it twice is harmless.
        """
        if not self._live or self._stopped:
            return {"experiment": self.record, "pushed": None, "pending": 0}
        self._stopped = True
        _live_experiments.discard(self)
        server = _serve.current_server()
        if server is None or not server.alive:
            return {"experiment": self.record, "pushed": None, "pending": None}
        result = from_json_value(server.request("stop", experiment=self.id, timeout=timeout) or {})
        self.status = "stopped"
        return result

    def __enter__(self) -> "Experiment":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()

    # ---- reading

    def refresh(self) -> "Experiment":
        """Reload the record (``trove exp show ID --json``)."""
        result = run_json(["exp", "show", self.id], cwd=self._cwd)
        rec = result.get("experiment") if isinstance(result, dict) else None
        if not isinstance(rec, dict):
            raise TroveError("NOT_FOUND", "trove exp show {} returned no experiment.".format(self.id), None, {"result": result})
        live = self._live and not self._stopped
        self._set(rec)
        if live and self.status != "running":
            self.status = "running"
        self._checkpoints = [Checkpoint(c, self) for c in rec.get("checkpoints") or []]
        self._full = True
        return self

    @property
    def checkpoints(self) -> List[Checkpoint]:
        """The checkpoints in order (a recorded run's are read once, with ``trove exp show``)."""
        if self._checkpoints is None or (not self._full and not self._live):
            self.refresh()
        return list(self._checkpoints or [])

    @property
    def metrics(self) -> Dict[str, List[Any]]:
        """Metrics as lists per key, one entry per checkpoint in order (None where a checkpoint lacks the key):
        ``experiment.metrics["loss"]``."""
        cks = self.checkpoints
        keys = []  # type: List[str]
        for c in cks:
            for k in c.metrics:
                if k not in keys:
                    keys.append(k)
        return {k: [c.metrics.get(k) for c in cks] for k in keys}

    @property
    def steps(self) -> List[Any]:
        return [c.step for c in self.checkpoints]

    def best(self) -> Optional[Checkpoint]:
        """The checkpoint with the best primary metric (None without a primary metric or checkpoints)."""
        cks = self.checkpoints
        pm = self.primary_metric
        if not pm:
            return None
        name, goal = pm.get("name"), pm.get("goal")
        scored = [c for c in cks if _is_number(c.metrics.get(name))]
        if not scored:
            return None
        if goal == "maximize":
            return max(scored, key=lambda c: c.metrics[name])  # first of equals
        return min(scored, key=lambda c: c.metrics[name])

    def latest(self) -> Optional[Checkpoint]:
        """The last checkpoint recorded (None without checkpoints)."""
        cks = self.checkpoints
        return cks[-1] if cks else None

    def checkout(self, output_directory: str, force: bool = False) -> List[str]:
        """Write the best checkpoint's files (else the latest's) under ``output_directory``
        (``trove exp checkout RUN -o DIR``)."""
        ck = self.best() or self.latest()
        if ck is None:
            raise TroveError("NOT_FOUND", "Experiment {} has no checkpoints.".format(self.short_id), None, {"experiment": self.id})
        return ck.checkout(output_directory, force=force)

    def duration(self) -> Optional[float]:
        """Seconds from the run's start to its latest checkpoint (None without checkpoints)."""
        from datetime import datetime

        last = self.latest()
        if last is None or not self.created or not last.created:
            return None
        parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
        return (parse(last.created) - parse(self.created)).total_seconds()

    def to_pandas(self):
        """The checkpoints as a pandas DataFrame: id, step, created, path and one column per metric."""
        pd = _require_pandas("Experiment.to_pandas()")
        metrics = self.metrics
        rows = []
        for i, c in enumerate(self.checkpoints):
            row = {"id": c.id, "step": c.step, "created": c.created, "path": c.path}
            for k, values in metrics.items():
                row[k] = values[i]
            rows.append(row)
        return pd.DataFrame(rows, columns=["id", "step", "created", "path"] + list(metrics))

    def __repr__(self) -> str:
        return "Experiment(id={!r}, params={!r}, status={!r})".format(self.short_id, self.params, self.status)


class ExperimentList(list):
    """A list of Experiments (``trove.experiments.list()``), with ``to_pandas()``."""

    def to_pandas(self):
        """One row per experiment: id, created, status, host, user, each param, and the best
        checkpoint's step and metrics (from ``trove exp ls``'s summaries; no extra call)."""
        pd = _require_pandas("ExperimentList.to_pandas()")
        rows = []
        columns = ["id", "created", "status", "host", "user"]
        for e in self:
            row = {"id": e.id, "created": e.created, "status": e.status, "host": e.host, "user": e.user}
            for k, v in (e.params or {}).items():
                row["params." + k] = v
            best = e.record.get("best") if isinstance(e.record.get("best"), dict) else None
            if best:
                row["best.step"] = best.get("step")
                for k, v in (best.get("metrics") or {}).items():
                    row["best." + k] = v
            for k in row:
                if k not in columns:
                    columns.append(k)
            rows.append(row)
        return pd.DataFrame(rows, columns=columns)


class _Experiments:
    """``trove.experiments``: ``list(filter=None)`` and ``get(id_prefix)``."""

    def list(self, filter: Union[None, str, Callable[[Experiment], bool]] = None, sort: Optional[str] = None, path: Optional[str] = None) -> ExperimentList:
        """Every run in this repository (``trove exp ls --json``, one call), oldest first as trove lists them.

        ``filter`` is trove's expression (``"accuracy > 0.9"``, passed to ``--filter``) or, as in
        Keepsake, a function of an Experiment returning a bool. ``sort`` is ``--sort`` (``-accuracy``).
        """
        args = ["exp", "ls"]
        if isinstance(filter, str):
            args += ["--filter", filter]
        if sort:
            args += ["--sort", sort]
        result = run_json(args, cwd=path)
        exps = ExperimentList(Experiment(r, cwd=path) for r in (result or {}).get("experiments") or [])
        if callable(filter):
            exps = ExperimentList(e for e in exps if filter(e))
        return exps

    def get(self, id_prefix: str, path: Optional[str] = None) -> Experiment:
        """The run whose id starts with ``id_prefix`` (at least 4 characters), with its checkpoints."""
        result = run_json(["exp", "show", id_prefix], cwd=path)
        rec = (result or {}).get("experiment")
        if not isinstance(rec, dict):
            ck = (result or {}).get("checkpoint")
            if isinstance(ck, dict) and ck.get("experiment"):
                return self.get(ck["experiment"], path=path)
            raise TroveError("NOT_FOUND", "No experiment {!r}.".format(id_prefix), "trove exp ls lists them.", {"id": id_prefix})
        return Experiment(rec, cwd=path, full=True)

    def __iter__(self) -> Iterator[Experiment]:
        return iter(self.list())


experiments = _Experiments()

# --------------------------------------------------------------------------- init

_live_experiments = set()  # type: set


def _installed_packages() -> Dict[str, str]:
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8 (not supported, but do not fail a run over it)
        return {}
    out = {}  # type: Dict[str, str]
    try:
        for dist in metadata.distributions():
            try:
                name = dist.metadata["Name"]
            except Exception:  # noqa: BLE001
                name = None
            if name and name not in out:
                out[name] = dist.version
    except Exception:  # noqa: BLE001 - a broken site-packages entry never stops training
        pass
    return dict(sorted(out.items(), key=lambda kv: kv[0].lower()))


def _git_root(start: str) -> Optional[str]:
    d = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _find_keepsake_yaml(start: str) -> Optional[str]:
    root = _git_root(start)
    d = os.path.abspath(start)
    while True:
        for name in ("keepsake.yaml", "keepsake.yml", "replicate.yaml"):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return p
        if root is None or d == root:
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


_REPO_LINE = re.compile(r"""^repository:\s*(?:"([^"]*)"|'([^']*)'|([^\s#]+))""", re.M)


def keepsake_repository(start: str) -> Optional[Dict[str, str]]:
    """``{"file", "repository", "url"}`` from the nearest keepsake.yaml's ``repository:``; ``url`` is
    what trove is given (a ``file://`` URL made absolute from the yaml's directory; others as written)."""
    path = _find_keepsake_yaml(start)
    if path is None:
        return None
    with open(path, encoding="utf-8") as f:
        m = _REPO_LINE.search(f.read())
    if not m:
        return None
    repo = next(g for g in m.groups() if g is not None).strip()
    if not repo:
        return None
    url = repo
    if repo.startswith("file://"):
        rest = repo[len("file://"):]
        url = rest if os.path.isabs(rest) else os.path.normpath(os.path.join(os.path.dirname(path), rest))
    return {"file": path, "repository": repo, "url": url}


def _adopt_keepsake_repository(cwd: str) -> None:
    """If keepsake.yaml names a repository and no trove remote is configured, add it as remote
    ``keepsake`` (local config, default) and say so on stderr."""
    ks = keepsake_repository(cwd)
    if ks is None:
        return
    listed = run_json(["remote", "list"], cwd=cwd)
    if (listed or {}).get("remotes"):
        return
    run_json(["remote", "add", "--local", "-d", "keepsake", ks["url"]], cwd=cwd)
    print(
        "trove: {}'s repository {} is now this clone's trove remote \"keepsake\" "
        "(trove remote add --local -d keepsake {}); runs' checkpoints upload there in the background.".format(
            os.path.relpath(ks["file"], cwd), ks["repository"], ks["url"]
        ),
        file=sys.stderr,
    )
    root = _git_root(cwd)
    if root and not ks["url"].startswith(("s3://", "gs://", "az://", "azure://", "sftp://", "ssh://", "http://", "https://")):
        inside = os.path.relpath(os.path.abspath(ks["url"]), root)
        if not inside.startswith(".."):
            exclude = os.path.join(root, ".git", "info", "exclude")
            line = "/" + inside.replace(os.sep, "/") + "/"
            try:
                existing = open(exclude, encoding="utf-8").read() if os.path.exists(exclude) else ""
                if line not in existing.split("\n"):
                    os.makedirs(os.path.dirname(exclude), exist_ok=True)
                    with open(exclude, "a", encoding="utf-8") as f:
                        f.write(("" if existing.endswith("\n") or not existing else "\n") + line + "\n")
                    print("trove: added {} to .git/info/exclude (the remote is inside the work tree).".format(line), file=sys.stderr)
            except OSError:
                pass


def init(path: str = ".", params: Optional[Dict[str, Any]] = None, disable_heartbeat: bool = False) -> Experiment:
    """Start recording a run (Keepsake's ``keepsake.init``): returns a live Experiment.

    Records ``params``, the code at ``path`` (the Git commit plus uncommitted changes under it),
    the command line, host, user, Python version, installed packages and the tracked data in the
    work tree. Starts ``trove exp serve`` once per process. Outside a Git repository:
    NotAGitRepositoryError; trove not installed: TroveNotInstalledError (both TroveError, with a hint).
    """
    converted = convert_mapping(params, "params") or {}
    cwd = os.getcwd()
    if _git_root(cwd) is None:
        # Ask trove itself, so a worktree / GIT_DIR setup is judged the same way the CLI judges it.
        run_json(["status"], cwd=cwd)  # raises NOT_A_GIT_REPO (or NOT_INSTALLED) with trove's hint
    else:
        _adopt_keepsake_repository(cwd)
    server = _serve.get_server(cwd)
    fields = dict(
        path=os.fspath(path),
        params=converted,
        command=list(sys.argv),
        python=platform.python_version(),
        packages=_installed_packages(),
        # This client always sends stop itself (explicitly, at the end of a with-block, or from
        # atexit), so EOF without stop means the script was killed: the run is "crashed".
        on_eof="crashed",
    )
    try:
        result = server.request("init", **fields)
    except TroveError as exc:
        if exc.code != "NOT_INITIALIZED":
            raise
        run_json(["init"], cwd=cwd)
        print("trove: ran trove init here (the repository had no .trove yet).", file=sys.stderr)
        result = server.request("init", **fields)
    rec = (result or {}).get("experiment")
    if not isinstance(rec, dict) or not rec.get("id"):
        raise TroveError("PROTOCOL", "trove exp serve's init reply has no experiment: {!r}".format(result))
    exp = Experiment(rec, cwd=cwd, live=True)
    _live_experiments.add(exp)
    return exp


def _stop_all() -> None:
    for exp in list(_live_experiments):
        try:
            exp.stop()
        except Exception as exc:  # noqa: BLE001 - at exit, report and go on
            print("trove: could not stop experiment {}: {}".format(exp.short_id, exc), file=sys.stderr)
    _serve.shutdown_server()


atexit.register(_stop_all)
