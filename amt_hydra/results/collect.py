"""Read a tuning job and all its training jobs back through any SageMaker-shaped client."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from amt_hydra.constants import TERMINAL_TUNING as TERMINAL  # noqa: F401  (re-exported for results.wait)


def describe(client: Any, name: str) -> dict[str, Any]:
    response = dict(client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name))
    response.pop("ResponseMetadata", None)
    return response


def training_jobs(client: Any, name: str) -> list[dict[str, Any]]:
    """Every training job's summary, plus the instance type it actually ran on (DescribeTrainingJob)."""
    summaries: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "HyperParameterTuningJobName": name,
        "MaxResults": 100,
        "SortBy": "CreationTime",
    }
    while True:
        page = client.list_training_jobs_for_hyper_parameter_tuning_job(**kwargs)
        summaries.extend(page["TrainingJobSummaries"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    return [_with_instance(client, dict(s)) for s in summaries]


def _with_instance(client: Any, summary: dict[str, Any]) -> dict[str, Any]:
    job = client.describe_training_job(TrainingJobName=summary["TrainingJobName"])
    resources = job.get("ResourceConfig") or {}
    summary["InstanceType"] = resources.get("InstanceType")
    summary["InstanceCount"] = resources.get("InstanceCount")
    return summary


def collect(client: Any, name: str) -> dict[str, Any]:
    """`{"TuningJob": <describe>, "TrainingJobs": [...]}`; the shape of result.json."""
    result: dict[str, Any] = {"TuningJob": describe(client, name)}
    try:
        result["TrainingJobs"] = training_jobs(client, name)
    except Exception as exc:  # noqa: BLE001 - some endpoints (moto) do not implement the listing
        result["TrainingJobs"] = []
        result["TrainingJobsError"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return result


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def write_result(result: dict[str, Any], run_dir: Path) -> Path:
    path = run_dir / "result.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=True, default=_json_default) + "\n")
    return path
