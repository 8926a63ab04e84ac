"""Plain-text views of a tuning job: the progress line, the training-job table, the best job."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def progress_line(job: dict[str, Any]) -> str:
    counters = job.get("TrainingJobStatusCounters") or {}
    failed = counters.get("NonRetryableError", 0) + counters.get("RetryableError", 0)
    best = job.get("BestTrainingJob") or {}
    metric = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    best_text = f"best {metric['Value']:.6g}" if "Value" in metric else "best -"
    return (f"{job['HyperParameterTuningJobName']}: {job['HyperParameterTuningJobStatus']} | "
            f"running {counters.get('InProgress', 0)} completed {counters.get('Completed', 0)} "
            f"failed {failed} stopped {counters.get('Stopped', 0)} | {best_text}")


def _duration(job: dict[str, Any]) -> str:
    start, end = job.get("TrainingStartTime"), job.get("TrainingEndTime")
    if isinstance(start, str):
        start, end = datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None
    if not start or not end:
        return "-"
    return f"{(end - start).total_seconds():.1f}s"


def _objective(job: dict[str, Any]) -> str:
    metric = job.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    return f"{metric['Value']:.6g}" if "Value" in metric else "-"


def job_rows(jobs: list[dict[str, Any]]) -> list[list[str]]:
    rows = [["name", "status", "hyperparameters", "objective", "instance", "duration"]]
    for job in jobs:
        params = " ".join(f"{k}={v}" for k, v in sorted((job.get("TunedHyperParameters") or {}).items()))
        rows.append([job["TrainingJobName"], job["TrainingJobStatus"], params, _objective(job),
                     str(job.get("InstanceType") or "-"), _duration(job)])
    return rows


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def best_line(tuning_job: dict[str, Any]) -> str:
    best = tuning_job.get("BestTrainingJob")
    if not best:
        reason = tuning_job.get("FailureReason")
        return "no best training job" + (f": {reason}" if reason else "")
    metric = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    params = " ".join(f"{k}={v}" for k, v in sorted((best.get("TunedHyperParameters") or {}).items()))
    return (f"best training job: {best['TrainingJobName']} {metric.get('MetricName', 'objective')}="
            f"{metric.get('Value')} ({params})")


def summary(result: dict[str, Any], with_status: bool = True) -> str:
    job = result["TuningJob"]
    parts = [progress_line(job)] if with_status else []
    if result.get("TrainingJobs"):
        parts.append(format_table(job_rows(result["TrainingJobs"])))
    elif result.get("TrainingJobsError"):
        parts.append(f"(training jobs not listed: {result['TrainingJobsError']})")
    parts.append(best_line(job))
    return "\n".join(parts)
