"""The model registry from Python (seed 002's ml-git notebook flow): thin wrappers over
``trove create|version|checkout|metrics --json``, one ``subprocess.run`` per call.

Each returns the command's ``result`` (docs/json.md) as a dict — ``metrics`` returns a
:class:`MetricsTable` — and raises :class:`trove.TroveError` (``code``, ``message``, ``hint``,
``data``) on failure.
"""

import csv
import io
import os
import shutil
import tempfile
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from ._cli import run_json
from ._values import to_json_value

__all__ = ["create", "version", "checkout", "metrics", "MetricsTable"]

# ml-git names entity types in the plural ('datasets', 'labels', 'models'); trove in the singular.
_TYPES = {"datasets": "dataset", "models": "model"}


def _many(value: Union[None, str, Iterable[str]]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def create(
    type: str,
    name: str,
    categories: Union[None, str, Sequence[str]] = None,
    mutability: Optional[str] = None,
    path: Optional[str] = None,
    description: Optional[str] = None,
    cwd: Optional[str] = None,
    **_mlgit: Any,
) -> Dict[str, Any]:
    """Declare an entity: ``trove create TYPE NAME --category C… [--mutability M]``.

    ``type`` is ``dataset``, ``labels``, ``model`` (ml-git's plurals are accepted) or a team type.
    ml-git's storage arguments (``bucket_name``, ``entity_dir``…) are accepted and ignored: the data
    lives at ``TYPE/CATEGORY…/NAME`` (or ``path``) and the trove remote is the storage.
    Returns ``{entity, file, createdDir, staged, followTags}``.
    """
    args = ["create", _TYPES.get(type, type), name]
    for c in _many(categories):
        args += ["--category", c]
    if mutability is not None:
        args += ["--mutability", mutability]
    if path is not None:
        args += ["--path", os.fspath(path)]
    if description is not None:
        args += ["--description", description]
    return run_json(args, cwd=cwd)


def _metric_text(key: str, value: Any) -> str:
    v = to_json_value(value, key)
    if isinstance(v, bool) or v is None or isinstance(v, (dict, list)):
        raise TypeError("metric {!r} must be a number or a string, got {!r}".format(key, value))
    if isinstance(v, float):
        return repr(v)
    return str(v)


def version(
    name: str,
    bump: Optional[str] = None,
    metrics: Optional[Dict[str, Any]] = None,
    dataset: Optional[str] = None,
    labels: Optional[str] = None,
    uses: Union[None, str, Sequence[str]] = None,
    version: Optional[str] = None,
    metrics_file: Optional[str] = None,
    message: Optional[str] = None,
    rev: Optional[str] = None,
    allow_identical: bool = False,
    cwd: Optional[str] = None,
) -> Dict[str, Any]:
    """Register a version of ``name`` from its data in the work tree (ml-git's add + commit):
    ``trove version NAME [--bump major|minor|patch] [--metric K=V…] [--dataset D[@V]] [--labels L[@V]]``.

    Returns ``{entity, version, tag, commit, record, …}`` (``record.uses``, ``record.metrics``).
    """
    args = ["version", name]
    if bump is not None:
        args += ["--bump", bump]
    if version is not None:
        args += ["--version", str(version)]
    for k, v in (metrics or {}).items():
        args += ["--metric", "{}={}".format(k, _metric_text(k, v))]
    if metrics_file is not None:
        args += ["--metrics-file", os.fspath(metrics_file)]
    if dataset is not None:
        args += ["--dataset", dataset]
    if labels is not None:
        args += ["--labels", labels]
    for u in _many(uses):
        args += ["--uses", u]
    if rev is not None:
        args += ["--rev", rev]
    if allow_identical:
        args.append("--allow-identical")
    if message is not None:
        args += ["--message", message]
    return run_json(args, cwd=cwd)


def checkout(
    ref: str,
    with_deps: bool = False,
    force: bool = False,
    remote: Optional[str] = None,
    fetch: bool = True,
    full: bool = False,
    dataset: bool = False,
    labels: bool = False,
    cwd: Optional[str] = None,
) -> Dict[str, Any]:
    """Place a registry version (``NAME@v1.0.0``, ``NAME@1``, ``NAME``, ``NAME#STAGE`` or an ml-git
    tag such as ``handwritten__digits__modelmnist__1``) in the work tree: ``trove checkout REF``.

    ``with_deps=True`` (or ml-git's ``dataset=True`` / ``labels=True``) also places the versions it was
    made from. Returns the checkout result with ``versions: [{entity, version, tag, path, dependency}]``.
    """
    args = ["checkout", ref]
    if with_deps or dataset or labels:
        args.append("--with-deps")
    if force:
        args.append("--force")
    if remote is not None:
        args += ["--remote", remote]
    if not fetch:
        args.append("--no-fetch")
    if full:
        args.append("--full")
    return run_json(args, cwd=cwd)


class MetricsTable:
    """``trove metrics``'s table: ``columns``, ``rows`` (lists; numbers stay numbers, empty cells None),
    ``records()`` (dicts), ``to_pandas()`` and, when a ``format`` was asked for, ``text`` (the export
    exactly as ``trove metrics --format F`` writes it) and ``output`` (the file written, with ``output=``)."""

    def __init__(self, result: Dict[str, Any], text: Optional[str] = None):
        self.result = result
        self.columns = list(result.get("columns") or [])  # type: List[str]
        self.rows = [list(r) for r in result.get("rows") or []]  # type: List[List[Any]]
        self.names = result.get("names")
        self.format = result.get("format")
        self.output = result.get("output")
        self.diff = result.get("diff")
        self.warnings = list(result.get("warnings") or [])
        self.text = text

    def records(self) -> List[Dict[str, Any]]:
        return [dict(zip(self.columns, r)) for r in self.rows]

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.records())

    def __len__(self) -> int:
        return len(self.rows)

    def to_csv(self) -> str:
        """The table as CSV (Python's csv module, as ml-git's export)."""
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(self.columns)
        for r in self.rows:
            w.writerow(["" if c is None else c for c in r])
        return buf.getvalue()

    def to_pandas(self):
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("MetricsTable.to_pandas() needs pandas, which is not installed: pip install pandas "
                              "(or use .records() / .to_csv())") from None
        return pd.DataFrame(self.rows, columns=self.columns)

    def __repr__(self) -> str:
        return "MetricsTable(columns={!r}, rows={})".format(self.columns, len(self.rows))


def metrics(
    *names: str,
    format: Optional[str] = None,
    output: Optional[str] = None,
    naming: Optional[str] = None,
    diff: Optional[Sequence[str]] = None,
    rev: Optional[str] = None,
    cwd: Optional[str] = None,
) -> MetricsTable:
    """The metrics table of entities or versions (ml-git's ``get_models_metrics``): ``trove metrics NAME…``.

    ``format`` (``csv``, ``json``, ``md``, ``text``) also gets the export as trove renders it, in
    ``.text`` (``pandas.read_csv(io.StringIO(table.text))`` reads the csv one); ``output`` writes it to that
    file too. ``naming="mlgit"`` writes tags as ml-git does (``handwritten__digits__modelmnist__1``).
    """
    if not names:
        raise TypeError("metrics() needs at least one entity or version name")
    args = ["metrics"] + [str(n) for n in names]
    if naming is not None:
        args += ["--names", naming]
    if diff is not None:
        args += ["--diff"] + [str(d) for d in diff]
    if rev is not None:
        args += ["--rev", rev]
    tmp = None
    target = output
    if format is not None:
        args += ["--format", format]
        if target is None:
            tmp = tempfile.mkdtemp(prefix="trove-metrics-")
            target = os.path.join(tmp, "metrics." + ("txt" if format == "text" else format))
    try:
        if target is not None:
            args += ["-o", os.path.abspath(os.fspath(target))]
        result = run_json(args, cwd=cwd)
        text = None
        if target is not None:
            with open(target, encoding="utf-8", newline="") as f:
                text = f.read()
        return MetricsTable(result or {}, text)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
