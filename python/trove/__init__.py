"""trove: version control for ML data, models and experiments — the Python client.

Keepsake's API, so a training script changes only its import::

    import trove as keepsake

    experiment = keepsake.init(path=".", params={"learning_rate": 0.01})
    ...
    experiment.checkpoint(path="model.pth", step=epoch, metrics={"loss": loss}, primary_metric=("loss", "minimize"))

and the model registry (``create``, ``version``, ``checkout``, ``metrics``). Everything goes
through the trove CLI (``TROVE_BIN`` or ``trove`` on PATH); this package needs only the standard library.
"""

from .errors import NotAGitRepositoryError, ProtocolError, TroveError, TroveNotInstalledError
from .experiment import Checkpoint, CheckpointFile, Experiment, ExperimentList, experiments, init
from .registry import MetricsTable, checkout, create, metrics, version

__version__ = "0.1.0"

__all__ = [
    "init",
    "experiments",
    "Experiment",
    "ExperimentList",
    "Checkpoint",
    "CheckpointFile",
    "create",
    "version",
    "checkout",
    "metrics",
    "MetricsTable",
    "TroveError",
    "TroveNotInstalledError",
    "NotAGitRepositoryError",
    "ProtocolError",
]
