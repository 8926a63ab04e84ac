"""The `Search` contract the engine drives, and the `Suggestion` it hands out.

A search proposes configurations and learns from their results; the engine owns everything else
(launching, stopping, the budget). Every strategy, Optuna-backed or not, implements these five methods.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amt_hydra.local.setup.tuning_setup import TuningSetup
    from amt_hydra.local.trials.record import TrialRecord

ConfigKey = tuple[int, frozenset[tuple[str, str]]]


def draw_seed(seed: int, draw: int, attempt: int = 0) -> int:
    """A 32-bit seed for one draw, independent of how many draws other runs made."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{draw}/{attempt}".encode()).digest()[:4], "big")


def config_key(definition: int, tuned: Mapping[str, str]) -> ConfigKey:
    """What makes two configurations the same: the definition and the hyperparameter strings."""
    return definition, frozenset(tuned.items())


@dataclass
class Suggestion:
    """A configuration to launch; `handle` is the search's live trial object (Optuna's; None for Grid)."""

    definition: int
    tuned: dict[str, str]
    optuna_params: dict[str, Any]
    draw: int | None
    handle: Any = None

    @property
    def key(self) -> ConfigKey:
        return config_key(self.definition, self.tuned)

    @property
    def number(self) -> int | None:
        return None if self.handle is None else self.handle.number


class Search(ABC):
    """One strategy's search over a tuning job's ranges; built by the registry as `cls(setup, seed)`.

    The engine calls `replay` once, then `suggest`/`requeue` to launch, `report` for each intermediate
    objective value of a running job, and `tell` once a job has ended.
    """

    def __init__(self, setup: TuningSetup, seed: int) -> None:
        self.setup, self.seed = setup, seed

    @abstractmethod
    def replay(self, records: Iterable[TrialRecord], parents: Iterable[TrialRecord] = ()) -> None:
        """Rebuild the state from the store: warm-start parents, then this job's trials (on resume)."""

    @abstractmethod
    def suggest(self) -> Suggestion | None:
        """The next configuration, never one already seen; None when the space is exhausted."""

    @abstractmethod
    def requeue(self, rec: TrialRecord) -> Suggestion:
        """An interrupted job's configuration again, as the same draw (it runs first on resume)."""

    def report(self, suggestion: Suggestion, step: int, value: float) -> bool:
        """Record intermediate objective value number `step`; True asks the engine to stop the job."""
        return False

    def tell(self, suggestion: Suggestion, rec: TrialRecord) -> dict[str, float]:
        """Learn a finished job's result; returns attributes to keep in its record (replayed on resume)."""
        return {}
