"""A training job while the engine runs it: its record, suggestion, metric scanner, executor handle,
deadline and stop cause in one `Trial`, and the status changes of its life (SageMaker's statuses)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amt_hydra.local.search.base import Suggestion
from amt_hydra.local.setup.tuning_setup import TuningSetup
from amt_hydra.local.trials.metrics import MetricScanner
from amt_hydra.local.trials.record import STOP_MAX_RUNTIME, TrialRecord

ICE_REASON = (
    "CapacityError: Unable to provision requested ML compute capacity. "
    "Please retry using a different ML instance type."
)


@dataclass
class Trial:
    """One launched training job; `process` and `slot` belong to the executor that runs it."""

    record: TrialRecord
    suggestion: Suggestion
    scanner: MetricScanner
    deadline: float | None = None  # the definition's MaxRuntimeInSeconds, as a clock time
    process: Any = None
    slot: int | None = None
    stop_cause: str | None = None
    output_dir: Path | None = None  # the local folder standing for <S3OutputPath>/<job>/output
    exit_code: int | None = None  # set when the process has exited; the job settles once its log is read
    exit_time: float = 0.0  # when the exit was seen: the job's end time, however long its log takes to read

    @classmethod
    def create(
        cls,
        setup: TuningSetup,
        records: Mapping[str, TrialRecord],
        suggestion: Suggestion,
        instance: dict,
        now: float,
    ) -> Trial:
        """The next training job, named `<tuning-name>-<NNN>-<8 hex>` (§11.26)."""
        index = max((r.index for r in records.values()), default=0) + 1
        rec = TrialRecord(
            name=f"{setup.name}-{index:03d}-{secrets.token_hex(4)}",
            index=index,
            definition=suggestion.definition,
            tuned=suggestion.tuned,
            optuna_params=suggestion.optuna_params,
            creation_time=now,
            draw=suggestion.draw,
            instance=instance,
            optuna_number=suggestion.number,
        )
        rec.set_secondary("Starting", now, "Launching requested ML instances")
        definition = setup.definition(rec.definition)
        scanner = MetricScanner(definitions=definition.metrics, objective=definition.objective_name)
        limit = definition.max_runtime_s
        return cls(rec, suggestion, scanner, None if limit is None else now + float(limit))

    @property
    def name(self) -> str:
        return self.record.name

    def started(self, pid: int, now: float) -> None:
        self.record.pid, self.record.start_time = pid, now
        self.record.set_secondary("Training", now, "Training image download completed. Training in progress.")

    def mark_stopping(self, cause: str, now: float) -> bool:
        """Note why the job is being stopped; False when it already was (the first cause stays)."""
        if self.stop_cause is not None:
            return False
        self.stop_cause = self.record.stop_cause = cause
        self.record.status = "Stopping"
        self.record.set_secondary("Stopping", now, f"Stopping the training job ({cause}).")
        return True

    def settle(self, code: int, now: float, explain: Callable[[int], str]) -> None:
        """Status, SecondaryStatus and FailureReason once the job has exited with `code`."""
        rec, cause = self.record, self.stop_cause
        rec.end_time, rec.stop_cause = now, cause
        if cause is not None:
            rec.status = "Stopped"
            rec.set_secondary("MaxRuntimeExceeded" if cause == STOP_MAX_RUNTIME else "Stopped", now)
        elif code == 0:
            rec.status = "Completed"
            rec.set_secondary("Completed", now, "Training job completed")
        else:
            rec.status, rec.failure_kind = "Failed", "NonRetryableError"
            rec.failure_reason = explain(code)
            rec.set_secondary("Failed", now, "Training job failed")

    def fail_capacity(self, now: float) -> None:
        """No instance config has any capacity: SageMaker's InsufficientCapacityError (§7)."""
        rec = self.record
        rec.status, rec.end_time, rec.start_time = "Failed", now, None
        rec.failure_reason, rec.failure_kind = ICE_REASON, "RetryableError"
        rec.set_secondary("Failed", now, ICE_REASON)

    def abort(self, reason: str, now: float) -> None:
        """Failed by an engine error (RetryableError), after the executor killed it."""
        rec = self.record
        rec.status, rec.end_time = "Failed", now
        rec.failure_kind, rec.failure_reason = "RetryableError", reason
        rec.set_secondary("Failed", now, reason)
