"""Facts about one training job entry of result.json, read the same way by the report, the CSV and the study.

Entries come either straight from a client (datetimes) or from a result.json on disk (ISO strings), so every
reader goes through these helpers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def when(value: Any) -> datetime | None:
    """A timestamp as a datetime, whether the client gave a datetime or result.json an ISO string."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def objective(job: dict[str, Any]) -> float | None:
    """The final objective AMT counts for the job (stopped jobs keep theirs), or None."""
    metric = job.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    return float(metric["Value"]) if "Value" in metric else None


def elapsed_s(job: dict[str, Any]) -> float | None:
    start, end = when(job.get("TrainingStartTime")), when(job.get("TrainingEndTime"))
    return (end - start).total_seconds() if start and end else None


def maximize(tuning_job: dict[str, Any]) -> bool:
    config = tuning_job.get("HyperParameterTuningJobConfig") or {}
    return (config.get("HyperParameterTuningJobObjective") or {}).get("Type") == "Maximize"


def metric_name(tuning_job: dict[str, Any]) -> str:
    config = tuning_job.get("HyperParameterTuningJobConfig") or {}
    return str((config.get("HyperParameterTuningJobObjective") or {}).get("MetricName") or "objective")


def by_start(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Jobs in the order they were created (the x axis of the history and the trial numbers)."""
    return sorted(jobs, key=lambda j: (str(when(j.get("CreationTime"))), j["TrainingJobName"]))


def fmt_number(value: float, digits: int = 4) -> str:
    """A tuned value at sensible precision: 0.09999999999999999 reads 0.1, 12345.678 reads 1.235e+04."""
    return f"{value:.{digits}g}"


def objective_format(values: list[float]) -> str:
    """One format for a column of objectives, so every row shows the same number of decimals."""
    finite = [abs(v) for v in values if v == v and abs(v) != float("inf")]
    if not finite:
        return "{:.6g}"
    largest, smallest = max(finite), min((v for v in finite if v), default=1.0)
    if largest >= 1e6 or smallest < 1e-4:
        return "{:.4e}"
    decimals = max(0, 5 - len(str(int(largest))) + (1 if smallest < 0.01 else 0))
    return "{:." + str(decimals) + "f}"
