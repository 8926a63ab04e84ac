"""The `Sweeper` Hydra discovers; thin, delegating to `amt_hydra.sweeper._impl.AmtSweeperImpl`.

This is the boundary where a user error becomes one line on stderr and a non-zero exit, as in the CLI.
"""

from __future__ import annotations

from typing import Any

from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


class AmtSweeper(Sweeper):
    """Runs the app's sweep as one SageMaker Automatic Model Tuning job (locally or on SageMaker)."""

    def __init__(self, **config: Any) -> None:
        from amt_hydra.sweeper._impl import AmtSweeperImpl

        self.sweeper = AmtSweeperImpl(config)

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.sweeper.setup(hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: list[str]) -> None:
        from amt_hydra.errors import user_errors_exit

        with user_errors_exit():
            self.sweeper.sweep(arguments)
