"""Params and metrics as JSON.

- ``float('nan')``, ``inf`` and ``-inf`` are kept as ``{"$float": "NaN" | "Infinity" | "-Infinity"}``
  (trove's encoding for floats JSON cannot hold) and decoded back to floats on reading.
- numpy scalars (``np.float32(0.5)``, ``np.int64(3)``, ``np.bool_``) become Python numbers via ``.item()``;
  so do zero-dimensional arrays and tensors (``torch.tensor(0.93)``, ``(pred == y).float().mean()``),
  which are scalars with another type (Keepsake's own example passes one as a metric).
- Anything else JSON cannot hold (an array or tensor with elements, a set, an object) is a
  ``TypeError`` naming the key, as a dotted path for nested dicts (``params.optimizer.betas``).
"""

import math
from typing import Any

_FLOAT_NAMES = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def _float(value: float) -> Any:
    if math.isnan(value):
        return {"$float": "NaN"}
    if math.isinf(value):
        return {"$float": "Infinity" if value > 0 else "-Infinity"}
    return value


def _scalar(value: Any) -> Any:
    """A numpy scalar, or a 0-d array / 1-element-free tensor → a Python scalar; else a sentinel."""
    item = getattr(value, "item", None)
    if item is None or not callable(item):
        return _NO
    ndim = getattr(value, "ndim", None)
    if ndim is None:
        dim = getattr(value, "dim", None)
        ndim = dim() if callable(dim) else None
    if ndim != 0:
        return _NO
    # Only array libraries: numpy, torch, tensorflow, jax… (not arbitrary objects with .item)
    module = type(value).__module__.split(".")[0]
    if module not in ("numpy", "torch", "tensorflow", "jax", "jaxlib", "cupy", "mlx"):
        return _NO
    if module == "torch":
        value = value.detach().cpu()
    try:
        return value.item()
    except Exception:  # noqa: BLE001 - a scalar we cannot read is not JSON
        return _NO


_NO = object()


def to_json_value(value: Any, key: str) -> Any:
    """``value`` as JSON-ready data; ``key`` names it in a TypeError (dotted for nested dicts)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)  # an int subclass (IntEnum…) as a plain int
    if isinstance(value, float):
        return _float(float(value))  # np.float64 is a float subclass whose repr is np.float64(…)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                if isinstance(k, (int, float, bool)) or k is None:
                    k = str(k) if not isinstance(k, bool) else ("true" if k else "false")
                else:
                    raise TypeError("{!r}: keys must be strings, got {} {!r}".format(key, type(k).__name__, k))
            out[k] = to_json_value(v, "{}.{}".format(key, k) if key else k)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json_value(v, "{}[{}]".format(key, i)) for i, v in enumerate(value)]
    scalar = _scalar(value)
    if scalar is not _NO:
        return to_json_value(scalar, key)
    what = type(value).__module__ + "." + type(value).__name__
    shape = getattr(value, "shape", None)
    detail = " of shape {}".format(tuple(shape)) if shape is not None else ""
    raise TypeError(
        "{!r} is a {}{}, which trove cannot store as a param or metric: use a number, string, bool, "
        "None, list or dict (for a one-element array or tensor, call .item())".format(key, what, detail)
    )


def convert_mapping(values: Any, what: str) -> Any:
    """A params/metrics dict as JSON-ready data; None stays None. ``what`` ('params'/'metrics') is only for errors."""
    if values is None:
        return None
    if not isinstance(values, dict):
        raise TypeError("{} must be a dict, got {}".format(what, type(values).__name__))
    return to_json_value(values, "")


def from_json_value(value: Any) -> Any:
    """Decode ``{"$float": …}`` back into floats, recursively."""
    if isinstance(value, dict):
        if len(value) == 1 and "$float" in value and value["$float"] in _FLOAT_NAMES:
            return _FLOAT_NAMES[value["$float"]]
        return {k: from_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json_value(v) for v in value]
    return value
