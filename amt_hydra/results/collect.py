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


FINAL_POLL_S = 0.1  # seconds between polls once the end is near, where a poll is cheap


def next_poll_s(job: dict[str, Any], poll_s: float) -> float:
    """`poll_s`, or FINAL_POLL_S once every training job has been created (the end is then at most the running
    ones away), where the launcher polls at most every second: the local engine, whose describe is a file read
    of ~3 ms. The job's end is then noticed ~0.05 s after it, not 0.25 s on average; SageMaker's poll is kept."""
    if poll_s > 1.0:
        return poll_s
    counters = job.get("TrainingJobStatusCounters") or {}
    limit = ((job.get("HyperParameterTuningJobConfig") or {}).get("ResourceLimits") or {}).get(
        "MaxNumberOfTrainingJobs")
    created = sum(v for v in counters.values() if isinstance(v, int))
    near = job.get("HyperParameterTuningJobStatus") == "Stopping" or (limit is not None and created >= limit)
    return min(poll_s, FINAL_POLL_S) if near else poll_s


def summaries(client: Any, name: str) -> list[dict[str, Any]]:
    """Every training job's summary, in creation order, paging with NextToken."""
    out: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"HyperParameterTuningJobName": name, "MaxResults": 100, "SortBy": "CreationTime"}
    while True:
        page = client.list_training_jobs_for_hyper_parameter_tuning_job(**kwargs)
        out.extend(page["TrainingJobSummaries"])
        if not page.get("NextToken"):
            return out
        kwargs["NextToken"] = page["NextToken"]


def training_jobs(client: Any, name: str, objective: str | None = None) -> list[dict[str, Any]]:
    """Every training job's summary, plus what DescribeTrainingJob adds for the report (see `_details`)."""
    return [_details(client.describe_training_job(TrainingJobName=s["TrainingJobName"]), dict(s), objective)
            for s in summaries(client, name)]


def _details(job: dict[str, Any], summary: dict[str, Any], objective: str | None) -> dict[str, Any]:
    """Keys added to a summary (none renamed): where it ran, how its status moved, its objective per step."""
    resources = job.get("ResourceConfig") or {}
    summary["InstanceType"] = resources.get("InstanceType")
    summary["InstanceCount"] = resources.get("InstanceCount")
    for key in ("SecondaryStatus", "SecondaryStatusTransitions", "FinalMetricDataList", "TrainingTimeInSeconds",
                "BillableTimeInSeconds", "ModelArtifacts"):
        if job.get(key) is not None:
            summary[key] = job[key]
    summary["ObjectiveValues"] = objective_values(job, objective)
    summary["LogLocation"] = job.get("LocalLogPath") or cloudwatch_url(job)
    return summary


def objective_values(job: dict[str, Any], objective: str | None) -> list[float]:
    """Every intermediate objective value (the local engine's `LocalObjectiveValues`); SageMaker's describe
    only has the last one (`FinalMetricDataList`), its full series lives in CloudWatch metrics."""
    if job.get("LocalObjectiveValues") is not None:
        return [float(v) for v in job["LocalObjectiveValues"]]
    return [float(m["Value"]) for m in job.get("FinalMetricDataList") or [] if m.get("MetricName") == objective]


def cloudwatch_url(job: dict[str, Any]) -> str | None:
    """The CloudWatch console page of a SageMaker training job's log streams (region from its ARN)."""
    arn = str(job.get("TrainingJobArn") or "")
    if arn.count(":") < 5:
        return None
    region = arn.split(":")[3]
    return (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logsV2:log-groups/log-group/"
            f"$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3D{job['TrainingJobName']}")


def collect(client: Any, name: str) -> dict[str, Any]:
    """`{"TuningJob": <describe>, "TrainingJobs": [<summary + details>]}`; the shape of result.json."""
    result: dict[str, Any] = {"TuningJob": describe(client, name)}
    config = result["TuningJob"].get("HyperParameterTuningJobConfig") or {}
    objective = (config.get("HyperParameterTuningJobObjective") or {}).get("MetricName")
    try:
        result["TrainingJobs"] = training_jobs(client, name, objective)
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
