"""What the live view shows of a tuning job, polled cheaply through any SageMaker-shaped client.

One poll is one DescribeHyperParameterTuningJob plus one (paginated) ListTrainingJobsForHyperParameterTuningJob.
DescribeTrainingJob is called only for a training job whose summary changed since the last poll (status, times,
objective, failure): it tells the instance type the job actually got and its latest objective. The local engine
adds every intermediate objective value (`LocalObjectiveValues`, so the step is known); SageMaker gives the
latest value in `FinalMetricDataList`, without a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from amt_hydra.results.collect import describe


@dataclass
class JobRow:
    """One training job, as the live view shows it."""

    name: str
    status: str
    tuned: dict[str, str] = field(default_factory=dict)
    start: datetime | None = None
    end: datetime | None = None
    objective: float | None = None
    step: int | None = None  # how many objective values the job has emitted (its epoch); local engine only
    instance: str | None = None
    fallback: bool = False  # not the first instance config of its definition
    failure: str | None = None


@dataclass
class Snapshot:
    """The tuning job's Describe response and its rows in creation order, as of one poll."""

    job: dict[str, Any]
    rows: list[JobRow]
    listing_error: str | None = None


def first_instance_type(job: dict[str, Any], definition_name: str | None) -> str | None:
    """The first of the definition's `InstanceConfigs`, or None when the request has no fallbacks."""
    definitions = job.get("TrainingJobDefinitions") or [job.get("TrainingJobDefinition") or {}]
    chosen = next((d for d in definitions if d.get("DefinitionName") == definition_name), definitions[0])
    configs = (chosen.get("HyperParameterTuningResourceConfig") or {}).get("InstanceConfigs") or []
    return configs[0].get("InstanceType") if configs else None


def objective_name(job: dict[str, Any]) -> str | None:
    config = job.get("HyperParameterTuningJobConfig") or {}
    return (config.get("HyperParameterTuningJobObjective") or {}).get("MetricName")


def one_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"


class JobTracker:
    """Keeps one row per training job across polls, describing only the rows that changed."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name
        self.describe_calls = 0
        self._rows: dict[str, JobRow] = {}
        self._keys: dict[str, tuple[Any, ...]] = {}
        self._listing_error: str | None = None

    def poll(self) -> Snapshot:
        job = describe(self.client, self.name)
        if self._listing_error is None:
            try:
                summaries = self._list()
            except Exception as exc:  # noqa: BLE001 - some endpoints (moto) do not implement the listing
                self._listing_error = one_line(exc)
            else:
                for summary in summaries:
                    self._update(job, summary)
        return Snapshot(job, list(self._rows.values()), self._listing_error)

    def _list(self) -> list[dict[str, Any]]:
        from amt_hydra.results.collect import summaries

        return summaries(self.client, self.name)

    def _update(self, job: dict[str, Any], summary: dict[str, Any]) -> None:
        name = summary["TrainingJobName"]
        metric = summary.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
        key = (summary.get("TrainingJobStatus"), summary.get("TrainingStartTime"), summary.get("TrainingEndTime"),
               metric.get("Value"), summary.get("FailureReason"))
        if self._keys.get(name) == key:
            return
        self._keys[name] = key
        row = JobRow(name=name, status=summary.get("TrainingJobStatus", "-"),
                     tuned=dict(summary.get("TunedHyperParameters") or {}), start=summary.get("TrainingStartTime"),
                     end=summary.get("TrainingEndTime"), objective=metric.get("Value"),
                     failure=summary.get("FailureReason"))
        self._describe_into(row, job, summary.get("TrainingJobDefinitionName"))
        self._rows[name] = row

    def _describe_into(self, row: JobRow, job: dict[str, Any], definition_name: str | None) -> None:
        from botocore.exceptions import ClientError

        try:
            described = self.client.describe_training_job(TrainingJobName=row.name)
        except ClientError as exc:  # the row keeps what the summary said; the reason is shown, not hidden
            row.failure = row.failure or f"DescribeTrainingJob: {one_line(exc)}"
            return
        finally:
            self.describe_calls += 1
        row.instance = (described.get("ResourceConfig") or {}).get("InstanceType")
        first = first_instance_type(job, definition_name)
        row.fallback = bool(first and row.instance and row.instance != first)
        values = described.get("LocalObjectiveValues")
        if values:
            row.objective, row.step = values[-1], len(values)
            return
        wanted = objective_name(job)
        for metric in described.get("FinalMetricDataList") or []:
            if metric.get("MetricName") == wanted:
                row.objective = metric.get("Value")
