"""SageMaker-shaped responses built from the store (amt-semantics §8), with tz-aware UTC datetimes.

Keys beginning with `Local` are local extras (paths on this machine); everything else follows the
botocore output shapes, which the tests check with botocore's own validator.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from amt_hydra.constants import OBJECTIVE_METRIC_HP, TERMINAL_TUNING
from amt_hydra.local.arns import training_job_arn, tuning_job_arn
from amt_hydra.local.engine.warm_start import parent_jobs
from amt_hydra.local.setup.tuning_setup import TuningSetup, parse_request
from amt_hydra.local.store import JobDir, JobStore
from amt_hydra.local.trials.artifacts import MODEL, OUTPUT, output_uri
from amt_hydra.local.trials.layout import hyperparameters
from amt_hydra.local.trials.record import STOP_TUNING_END, TrialRecord, best_of

ENGINE_GONE = (
    "InternalServerError: the local engine process of this tuning job is not running (it was killed or "
    "crashed, see {log}). Submit the same request again (or call resume_hyper_parameter_tuning_job) "
    "to resume it."
)


def ts(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, tz=timezone.utc)


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def voided(rec: TrialRecord, tuning_failed: bool) -> bool:
    """A job the failing tuning job stopped: its intermediate objective does not count, so the counters,
    the summaries and BestTrainingJob agree with "No training job succeeded" (the tuning job's verdict)."""
    return tuning_failed and rec.stop_cause == STOP_TUNING_END


def objective_status(rec: TrialRecord, tuning_failed: bool) -> str:
    return "Failed" if voided(rec, tuning_failed) else rec.objective_status


def training_job_summary(
    rec: TrialRecord, setup: TuningSetup, tuning_name: str, tuning_failed: bool = False
) -> dict[str, Any]:
    """HyperParameterTrainingJobSummary (§8.2)."""
    definition = setup.definition(rec.definition)
    final = None
    if rec.final_objective is not None and rec.status != "Failed" and not voided(rec, tuning_failed):
        final = {
            "Type": definition.objective_type,
            "MetricName": definition.objective_name,
            "Value": rec.final_objective,
        }
    return _drop_none(
        {
            "TrainingJobDefinitionName": definition.name,
            "TrainingJobName": rec.name,
            "TrainingJobArn": training_job_arn(rec.name),
            "TuningJobName": tuning_name,
            "CreationTime": ts(rec.creation_time),
            "TrainingStartTime": ts(rec.start_time),
            "TrainingEndTime": ts(rec.end_time),
            "TrainingJobStatus": rec.status,
            "TunedHyperParameters": dict(rec.tuned),
            "FailureReason": rec.failure_reason,
            "FinalHyperParameterTuningJobObjectiveMetric": final,
            "ObjectiveStatus": objective_status(rec, tuning_failed),
        }
    )


def _counters(records: list[TrialRecord], tuning_failed: bool) -> tuple[dict[str, int], dict[str, int]]:
    status = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0}
    objective = {"Succeeded": 0, "Pending": 0, "Failed": 0}
    for rec in records:
        key = {"Stopping": "InProgress", "Failed": rec.failure_kind or "NonRetryableError"}.get(
            rec.status, rec.status
        )
        status[key] += 1
        objective[objective_status(rec, tuning_failed)] += 1
    return status, objective


def describe_tuning_job(job: JobDir, store: JobStore, engine_alive: bool) -> dict[str, Any]:
    """DescribeHyperParameterTuningJob (§8.1): the 7 required fields and every optional one that applies."""
    request, tuning, records = job.request, job.tuning(), job.trials()
    setup = parse_request(request)
    name = request["HyperParameterTuningJobName"]
    status, reason = tuning["status"], tuning.get("failure_reason")
    if stopping_requested(job, status):
        status = "Stopping"
    if status not in TERMINAL_TUNING and not engine_alive:
        status, reason = "Failed", ENGINE_GONE.format(log=job.path / "worker.log")
    failed = status == "Failed"
    status_counters, objective_counters = _counters(records, failed)
    best = best_of([r for r in records if not voided(r, failed)], setup.direction)
    out = {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobArn": tuning_job_arn(name),
        "HyperParameterTuningJobConfig": request["HyperParameterTuningJobConfig"],
        "TrainingJobDefinition": _as_described(request.get("TrainingJobDefinition"), setup),
        "TrainingJobDefinitions": _described_list(request.get("TrainingJobDefinitions"), setup),
        "HyperParameterTuningJobStatus": status,
        "CreationTime": ts(tuning["creation_time"]),
        "HyperParameterTuningEndTime": ts(tuning.get("end_time")),
        "LastModifiedTime": ts(tuning.get("last_modified")),
        "TrainingJobStatusCounters": status_counters,
        "ObjectiveStatusCounters": objective_counters,
        "BestTrainingJob": None if best is None else training_job_summary(best, setup, name, failed),
        "OverallBestTrainingJob": _overall_best(store, setup, records, name),
        "WarmStartConfig": request.get("WarmStartConfig"),
        "Autotune": request.get("Autotune"),
        "FailureReason": None if reason is None else reason[:1024],
        "TuningJobCompletionDetails": _completion_details(tuning),
        "ConsumedResources": {"RuntimeInSeconds": int(tuning.get("runtime_s", 0))},
        "LocalJobDir": str(job.path),
        "LocalEnginePid": tuning.get("engine_pid"),
    }
    return _drop_none(out)


def _as_described(raw: dict[str, Any] | None, setup: TuningSetup, index: int = 0) -> dict[str, Any] | None:
    """A training job definition as DescribeHyperParameterTuningJob shows it: SageMaker echoes the
    `_tuning_objective_metric` it adds to the statics (the SDK's `attach` reads it) and fills defaults."""
    if raw is None:
        return None
    statics = {**raw.get("StaticHyperParameters", {}), OBJECTIVE_METRIC_HP: setup.definition(index).objective_name}
    out = {**raw, "StaticHyperParameters": statics}
    if raw.get("InputDataConfig"):
        out["InputDataConfig"] = input_data_config(raw["InputDataConfig"])
    return out


def _described_list(raws: list[dict[str, Any]] | None, setup: TuningSetup) -> list[dict[str, Any]] | None:
    return None if raws is None else [_as_described(raw, setup, i) for i, raw in enumerate(raws)]  # type: ignore[misc]


def input_data_config(channels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Channels with the defaults SageMaker shows (`None` as a string: the model's enum value)."""
    return [{"CompressionType": "None", "RecordWrapperType": "None", **c} for c in channels]


def stopping_requested(job: JobDir, status: str) -> bool:
    return status == "InProgress" and job.stop_requested()


def _completion_details(tuning: dict[str, Any]) -> dict[str, Any] | None:
    details = tuning.get("completion")
    if not details:
        return None
    out = {
        "NumberOfTrainingJobsObjectiveNotImproving": details.get(
            "NumberOfTrainingJobsObjectiveNotImproving", 0
        )
    }
    if details.get("ConvergenceDetectedTime") is not None:
        out["ConvergenceDetectedTime"] = ts(details["ConvergenceDetectedTime"])
    return out


def _overall_best(store: JobStore, setup: TuningSetup, records: list[TrialRecord], name: str) -> dict | None:
    """Best over this job and its parents; only for IdenticalDataAndAlgorithm warm start (§6)."""
    if (setup.warm_start or {}).get("WarmStartType") != "IdenticalDataAndAlgorithm":
        return None
    candidates = [(r, setup, name) for r in records]
    for parent_name, job in parent_jobs(store, setup):
        parent_setup = parse_request(job.request)
        candidates.extend((r, parent_setup, parent_name) for r in job.trials())
    best = best_of([r for r, _, _ in candidates], setup.direction)
    if best is None:
        return None
    _, owner_setup, owner = next(c for c in candidates if c[0] is best)
    return training_job_summary(best, owner_setup, owner)


def describe_training_job(job: JobDir, rec: TrialRecord) -> dict[str, Any]:
    """DescribeTrainingJob for a job the tuning job launched (§8.4), plus its local paths."""
    request = job.request
    setup = parse_request(request)
    definition = setup.definition(rec.definition)
    raw = definition.raw
    algorithm = {k: v for k, v in raw["AlgorithmSpecification"].items() if k != "MetricDefinitions"}
    algorithm["MetricDefinitions"] = [{"Name": n, "Regex": r} for n, r in definition.metrics.items()]
    output = output_uri(raw["OutputDataConfig"]["S3OutputPath"], rec.name)
    transitions = _transitions(rec)
    # Whole seconds, at least 1 (the model's minimum): a job that ran at all is billed a second.
    seconds = max(1, math.ceil(rec.end_time - rec.start_time)) if rec.start_time and rec.end_time else None
    folder = job.trial_dir(rec.name)
    return _drop_none(
        {
            "TrainingJobName": rec.name,
            "TrainingJobArn": training_job_arn(rec.name),
            "TuningJobArn": tuning_job_arn(request["HyperParameterTuningJobName"]),
            "ModelArtifacts": {"S3ModelArtifacts": f"{output}/{MODEL}"},
            "TrainingJobStatus": rec.status,
            "SecondaryStatus": rec.secondary,
            "FailureReason": rec.failure_reason,
            "HyperParameters": hyperparameters(definition, rec.tuned),
            "AlgorithmSpecification": algorithm,
            "RoleArn": raw.get("RoleArn"),
            "InputDataConfig": input_data_config(raw["InputDataConfig"]) if raw.get("InputDataConfig") else None,
            "OutputDataConfig": {"KmsKeyId": "", **raw["OutputDataConfig"]},  # SageMaker: "" without a key
            "ResourceConfig": dict(rec.instance),
            "VpcConfig": raw.get("VpcConfig"),
            "StoppingCondition": raw["StoppingCondition"],
            "CreationTime": ts(rec.creation_time),
            "TrainingStartTime": ts(rec.start_time),
            "TrainingEndTime": ts(rec.end_time),
            "LastModifiedTime": ts(rec.transitions[-1][1] if rec.transitions else rec.creation_time),
            "SecondaryStatusTransitions": transitions,
            "FinalMetricDataList": [
                {"MetricName": n, "Value": v, "Timestamp": ts(t)} for n, (v, t) in rec.final_metrics.items()
            ],
            "EnableNetworkIsolation": bool(raw.get("EnableNetworkIsolation", False)),
            "EnableInterContainerTrafficEncryption": bool(
                raw.get("EnableInterContainerTrafficEncryption", False)
            ),
            "EnableManagedSpotTraining": bool(raw.get("EnableManagedSpotTraining", False)),
            "CheckpointConfig": raw.get("CheckpointConfig"),
            "TrainingTimeInSeconds": seconds,
            "BillableTimeInSeconds": seconds,
            "Environment": raw.get("Environment"),
            "RetryStrategy": raw.get("RetryStrategy"),
            "LocalObjectiveValues": [v for v, _ in rec.objective],
            "LocalLogPath": str(folder / "output.log"),
            "LocalJobDir": str(folder / "opt_ml"),
            "LocalModelArtifacts": rec.artifacts.get(MODEL),  # the local file standing for S3ModelArtifacts
            "LocalOutputArtifacts": rec.artifacts.get(OUTPUT),
        }
    )


def _transitions(rec: TrialRecord) -> list[dict[str, Any]]:
    """SecondaryStatusTransitions: each status ends when the next one starts; a finished job's last status
    (Completed, Failed, Stopped, ...) ends when it starts, as SageMaker shows it."""
    if not rec.transitions:
        return []
    ends = [t for _, t, _ in rec.transitions[1:]] + [rec.transitions[-1][1] if rec.finished else None]
    return [
        _drop_none({"Status": s, "StartTime": ts(t), "StatusMessage": m or None, "EndTime": ts(end)})
        for (s, t, m), end in zip(rec.transitions, ends)
    ]
