"""Plain-text views of a tuning job: the progress line, the training-job table, the best job."""

from __future__ import annotations

from typing import Any

from amt_hydra.results.jobs import elapsed_s, fmt_number, objective, objective_format


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
    seconds = elapsed_s(job)
    return "-" if seconds is None else f"{seconds:.1f}s"


def _value(text: Any) -> str:
    """A tuned value as a person reads it: numbers at 4 significant digits, anything else as given."""
    try:
        number = float(text)
    except (TypeError, ValueError):
        return str(text)
    return str(text) if str(text).lstrip("-").isdigit() else fmt_number(number)


def job_rows(jobs: list[dict[str, Any]]) -> list[list[str]]:
    """Header plus one row per job; every objective in one format so the column lines up."""
    shape = objective_format([v for v in map(objective, jobs) if v is not None])
    rows = [["name", "status", "hyperparameters", "objective", "instance", "duration"]]
    for job in jobs:
        params = " ".join(f"{k}={_value(v)}" for k, v in sorted((job.get("TunedHyperParameters") or {}).items()))
        value = objective(job)
        rows.append([job["TrainingJobName"], job["TrainingJobStatus"], params,
                     "-" if value is None else shape.format(value), str(job.get("InstanceType") or "-"),
                     _duration(job)])
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
