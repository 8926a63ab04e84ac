"""Early stopping `Auto`: SageMaker's documented median rule (amt-semantics §4), as a small pruner.

At each epoch k (each emission of the objective) a job is stopped when its current value is strictly
worse than the median, over the previous training jobs (launched earlier in this tuning job, running or
finished) that reached epoch k, of their running averages up to k. The rule needs at least one such
job; jobs that never reached epoch k do not vote (both choices are undocumented).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

from amt_hydra.local.trials.record import better


class MedianStoppingRule:
    """`should_stop` is asked after every new objective value of a running job."""

    def __init__(self, direction: str) -> None:
        self.direction = direction

    def should_stop(self, values: Sequence[float], previous: Iterable[Sequence[float]]) -> bool:
        epoch = len(values)
        if epoch == 0:
            return False
        averages = [statistics.fmean(p[:epoch]) for p in previous if len(p) >= epoch]
        if not averages:
            return False
        return better(self.direction, statistics.median(averages), values[-1])


class NoEarlyStopping:
    """`TrainingJobEarlyStoppingType=Off`: never stops a job."""

    def should_stop(self, values: Sequence[float], previous: Iterable[Sequence[float]]) -> bool:
        return False


def early_stopping_rule(kind: str, direction: str) -> MedianStoppingRule | NoEarlyStopping:
    return MedianStoppingRule(direction) if kind == "Auto" else NoEarlyStopping()
