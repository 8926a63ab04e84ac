"""What the store keeps about one training job, and the statuses derived from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from amt_hydra.constants import TERMINAL_TRAINING

# Why a training job was stopped; "interrupted" ones are re-run when the tuning job resumes.
STOP_USER = "interrupted"
STOP_EARLY = "early_stopping"
STOP_HYPERBAND = "hyperband"
STOP_MAX_RUNTIME = "max_runtime"
STOP_TUNING_END = "tuning_job_ended"


@dataclass
class TrialRecord:
    """One launched training job, as written to `trials/<name>/state.json` whenever it changes."""

    name: str
    index: int
    definition: int
    tuned: dict[str, str]
    optuna_params: dict[str, Any]
    creation_time: float
    draw: int | None = None
    status: str = "InProgress"
    secondary: str = "Starting"
    start_time: float | None = None
    end_time: float | None = None
    objective: list[list[float]] = field(default_factory=list)  # [value, unix time] per emission
    final_metrics: dict[str, list[float]] = field(default_factory=dict)  # name -> [value, unix time]
    failure_reason: str | None = None
    failure_kind: str | None = None  # NonRetryableError | RetryableError
    instance: dict[str, Any] = field(default_factory=dict)
    pid: int | None = None  # the first host's toolkit (its process group)
    host_pids: list[int] = field(default_factory=list)  # the other hosts' toolkits
    stop_cause: str | None = None
    counts_budget: bool = True
    requeued: bool = False
    optuna_number: int | None = None
    rung_attrs: dict[str, float] = field(default_factory=dict)
    transitions: list[list[Any]] = field(default_factory=list)  # [SecondaryStatus, start, message]
    artifacts: dict[str, str] = field(default_factory=dict)  # model.tar.gz / output.tar.gz -> local path
    warnings: list[str] = field(default_factory=list)  # what metric scanning skipped (regex timeouts, caps)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_TRAINING

    @property
    def final_objective(self) -> float | None:
        return self.objective[-1][0] if self.objective else None

    @property
    def objective_status(self) -> str:
        """Succeeded: evaluated (a numeric objective and not Failed); Pending while running (§8.1)."""
        if not self.finished:
            return "Pending"
        if self.status == "Failed" or self.final_objective is None:
            return "Failed"
        return "Succeeded"

    def set_secondary(self, status: str, now: float, message: str = "") -> None:
        """Record a SecondaryStatus change (DescribeTrainingJob.SecondaryStatusTransitions)."""
        if self.transitions and self.transitions[-1][0] == status:
            return
        self.secondary = status
        self.transitions.append([status, now, message])


def better(direction: str, a: float, b: float) -> bool:
    """Whether objective `a` is strictly better than `b`."""
    return a > b if direction == "Maximize" else a < b


def best_of(records: list[TrialRecord], direction: str) -> TrialRecord | None:
    """The evaluated job with the best final objective; ties go to the earlier job (§8.1 BestTrainingJob)."""
    best: TrialRecord | None = None
    for rec in sorted(records, key=lambda r: r.index):
        if rec.objective_status != "Succeeded":
            continue
        if best is None or better(direction, rec.final_objective, best.final_objective):  # type: ignore[arg-type]
            best = rec
    return best
