"""The local engine: runs a CreateHyperParameterTuningJob request on this machine, answering like SageMaker.

See amt_hydra/local/README.md for the execution model, the store layout and the documented choices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amt_hydra.local.api.client import LocalSageMakerClient

__all__ = ["LocalSageMakerClient"]


def __getattr__(name: str) -> Any:
    # Lazy, so `python -m amt_hydra.local.engine.worker` and `--help` do not import botocore through here.
    if name == "LocalSageMakerClient":
        from amt_hydra.local.api.client import LocalSageMakerClient

        return LocalSageMakerClient
    raise AttributeError(name)
