"""When a tuning job ends before its budget: completion criteria (§5) and the no-success rule (§3).

Choices where SageMaker documents no exact rule (see amt_hydra/local/README.md):
- "Improves by 1%" means strictly better than the best so far by more than 1% of |best| (any strictly
  better value when the best is 0). Only evaluated jobs (ObjectiveStatus Succeeded) are counted.
- BestObjectiveNotImproving counts consecutive evaluated jobs that did not improve; an improvement resets it.
- ConvergenceDetected: once at least 2W jobs were evaluated, the best value has improved by no more than
  1% in total over the last W evaluated jobs, W = max(10, ceil(MaxNumberOfTrainingJobs / 5)).
- No-success rule: once 5 jobs ended without a usable objective and none succeeded, the tuning job fails
  (running jobs are stopped); a job that ends with fewer attempts and none succeeded fails likewise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from amt_hydra.constants import NO_SUCCESS_ATTEMPTS
from amt_hydra.local.trials.record import TrialRecord, better

TARGET = "TargetObjectiveMetricValue"
NOT_IMPROVING = "BestObjectiveNotImproving"
CONVERGED = "ConvergenceDetected"


def no_success_reason(attempts: int) -> str:
    return (
        f"No training job succeeded after {attempts} attempts. Please take a look at the training job "
        "failures to get more details."
    )


def improves(direction: str, value: float, best: float | None) -> bool:
    """Better than `best` by more than 1% of |best| (§5)."""
    if best is None:
        return True
    return better(direction, value, best) and abs(value - best) > 0.01 * abs(best)


@dataclass
class CompletionTracker:
    """Fed every finished job's objective in finish order; `observe` names the criterion that fired."""

    direction: str
    target: float | None = None
    not_improving_limit: int | None = None
    convergence: bool = False
    window: int = 10
    best: float | None = None
    not_improving: int = 0
    best_history: list[float] = field(default_factory=list)
    convergence_time: float | None = None

    @classmethod
    def from_criteria(cls, direction: str, criteria: Mapping[str, Any], max_jobs: int) -> CompletionTracker:
        patience = (criteria.get("BestObjectiveNotImproving") or {}).get(
            "MaxNumberOfTrainingJobsNotImproving"
        )
        converge = (criteria.get("ConvergenceDetected") or {}).get("CompleteOnConvergence") == "Enabled"
        target = criteria.get("TargetObjectiveMetricValue")
        return cls(
            direction=direction,
            target=None if target is None else float(target),
            not_improving_limit=patience,
            convergence=converge,
            window=max(10, math.ceil(max_jobs / 5)),
        )

    def observe(self, value: float | None, now: float) -> str | None:
        if value is None:
            return None
        if improves(self.direction, value, self.best):
            self.not_improving = 0
        else:
            self.not_improving += 1
        if self.best is None or better(self.direction, value, self.best):
            self.best = value
        self.best_history.append(self.best)
        return self._fired(value, now)

    def _fired(self, value: float, now: float) -> str | None:
        if self.target is not None and (value == self.target or better(self.direction, value, self.target)):
            return TARGET
        if self.not_improving_limit is not None and self.not_improving >= self.not_improving_limit:
            return NOT_IMPROVING
        if self.convergence and self._converged():
            self.convergence_time = now
            return CONVERGED
        return None

    def _converged(self) -> bool:
        history, w = self.best_history, self.window
        if len(history) < 2 * w:
            return False
        return not improves(self.direction, history[-1], history[-1 - w])

    def details(self) -> dict[str, Any]:
        """TuningJobCompletionDetails (ConvergenceDetectedTime as unix time; shapes converts it)."""
        out: dict[str, Any] = {"NumberOfTrainingJobsObjectiveNotImproving": self.not_improving}
        if self.convergence_time is not None:
            out["ConvergenceDetectedTime"] = self.convergence_time
        return out


def failed_without_success(records: Iterable[TrialRecord]) -> int | None:
    """The attempt count for the no-success rule when it applies, else None."""
    counted = [r for r in records if r.counts_budget and r.finished]
    if any(r.objective_status == "Succeeded" for r in counted):
        return None
    failed = sum(1 for r in counted if r.objective_status == "Failed")
    return failed if failed >= NO_SUCCESS_ATTEMPTS else None
