"""Grid: every combination of the categorical values exactly once (amt-semantics §2.1), no Optuna needed."""

from __future__ import annotations

from collections.abc import Iterable

from amt_hydra.local.search.base import ConfigKey, Search, Suggestion, config_key
from amt_hydra.local.setup.ranges import grid
from amt_hydra.local.setup.tuning_setup import TuningSetup
from amt_hydra.local.trials.record import TrialRecord


class GridSearch(Search):
    """Grid: every combination of the categorical values exactly once, in the request's order (no seed)."""

    def __init__(self, setup: TuningSetup, seed: int) -> None:
        super().__init__(setup, seed)
        self.combinations = [(d.index, combo) for d in setup.definitions for combo in grid(d.ranges)]
        self.seen: set[ConfigKey] = set()

    def replay(self, records: Iterable[TrialRecord], parents: Iterable[TrialRecord] = ()) -> None:
        for rec in [*parents, *records]:
            self.seen.add(config_key(rec.definition, rec.tuned))

    def suggest(self) -> Suggestion | None:
        for draw, (definition, tuned) in enumerate(self.combinations):
            if config_key(definition, tuned) not in self.seen:
                self.seen.add(config_key(definition, tuned))
                return Suggestion(definition, dict(tuned), dict(tuned), draw)
        return None

    def requeue(self, rec: TrialRecord) -> Suggestion:
        return Suggestion(rec.definition, dict(rec.tuned), dict(rec.optuna_params), rec.draw)
