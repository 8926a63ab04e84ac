"""CSV export with the columns of the SageMaker SDK's `HyperparameterTuningJobAnalytics.dataframe()`.

The SDK's columns, in its order: each tuned hyperparameter (numbers as numbers), `TrainingJobName`,
`TrainingJobStatus`, `FinalObjectiveValue`, `TrainingStartTime`, `TrainingEndTime`,
`TrainingElapsedTimeSeconds`, `TrainingJobDefinitionName` (multi-definition jobs only); plus `InstanceType`,
the instance the job actually ran on (after fallbacks). `pandas.read_csv(path)` gives the SDK's frame back.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from amt_hydra.results.jobs import by_start, elapsed_s, objective, when

FIXED_COLUMNS = ["TrainingJobName", "TrainingJobStatus", "FinalObjectiveValue", "TrainingStartTime",
                 "TrainingEndTime", "TrainingElapsedTimeSeconds"]


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _row(job: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {k: _number(str(v)) for k, v in (job.get("TunedHyperParameters") or {}).items()}
    start, end = when(job.get("TrainingStartTime")), when(job.get("TrainingEndTime"))
    row.update({"TrainingJobName": job["TrainingJobName"], "TrainingJobStatus": job["TrainingJobStatus"],
                "FinalObjectiveValue": objective(job), "TrainingStartTime": start and start.isoformat(),
                "TrainingEndTime": end and end.isoformat(), "TrainingElapsedTimeSeconds": elapsed_s(job)})
    if job.get("TrainingJobDefinitionName"):
        row["TrainingJobDefinitionName"] = job["TrainingJobDefinitionName"]
    row["InstanceType"] = job.get("InstanceType")
    return row


def dataframe_rows(result: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) in the SDK's layout, one row per training job in creation order."""
    rows = [_row(job) for job in by_start(result.get("TrainingJobs") or [])]
    tuned = sorted({k for job in result.get("TrainingJobs") or [] for k in job.get("TunedHyperParameters") or {}})
    extra = ["TrainingJobDefinitionName"] if any("TrainingJobDefinitionName" in r for r in rows) else []
    return [*tuned, *FIXED_COLUMNS, *extra, "InstanceType"], rows


def write_csv(result: dict[str, Any], path: Path) -> Path:
    columns, rows = dataframe_rows(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path
