"""A training job's life on this machine: its record, its start (directory, environment, toolkit
process, metrics scanner) and how its exit is read."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amt_hydra.constants import OBJECTIVE_METRIC_HP
from amt_hydra.local.arns import training_job_arn
from amt_hydra.local.capacity import ICE_REASON, CpuSlots, is_gpu_type
from amt_hydra.local.job_layout import JobSpec, environment, prepare
from amt_hydra.local.metrics import MetricScanner
from amt_hydra.local.records import STOP_MAX_RUNTIME, TrialRecord
from amt_hydra.local.settings import EngineSettings
from amt_hydra.local.store import JobDir
from amt_hydra.local.strategies import Suggestion
from amt_hydra.local.trial_runner import ToolkitProcess, failure_reason
from amt_hydra.local.tuning_setup import Definition, TuningSetup


def hyperparameters(definition: Definition, tuned: dict[str, str]) -> dict[str, str]:
    """What SageMaker passes: statics, one value per range, and `_tuning_objective_metric` (§8.4)."""
    return {**definition.static, **tuned, OBJECTIVE_METRIC_HP: definition.objective_name}


def channels(definition: Definition) -> tuple[dict[str, Any], ...]:
    """Input channels with their effective input mode (a channel's own, else the algorithm's)."""
    mode = definition.raw["AlgorithmSpecification"].get("TrainingInputMode", "File")
    return tuple(
        {**c, "InputMode": c.get("InputMode") or mode} for c in definition.raw.get("InputDataConfig", [])
    )


@dataclass
class Running:
    """A training job whose toolkit process is alive (or being stopped)."""

    rec: TrialRecord
    proc: ToolkitProcess
    scanner: MetricScanner
    suggestion: Suggestion
    slot: int
    deadline: float | None
    stop_cause: str | None = None


def new_record(
    setup: TuningSetup, records: Mapping[str, TrialRecord], suggestion: Suggestion, instance: dict, now: float
) -> TrialRecord:
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
    return rec


def start_trial(
    job: JobDir,
    setup: TuningSetup,
    rec: TrialRecord,
    settings: EngineSettings,
    slots: CpuSlots,
    suggestion: Suggestion,
    now: float,
) -> Running:
    """Lay out the job's directory and start its toolkit on a free CPU slot."""
    definition = setup.definition(rec.definition)
    slot = slots.take()
    gpu = slots.gpu(slot) if is_gpu_type(rec.instance["InstanceType"]) else None
    spec = JobSpec(
        name=rec.name,
        arn=training_job_arn(rec.name),
        hyperparameters=hyperparameters(definition, rec.tuned),
        instance=rec.instance,
        channels=channels(definition),
        environment=dict(definition.raw.get("Environment") or {}),
        local_copies=settings.local_copies,
        cpus=slots.cores(slot),
        gpu=gpu,
    )
    folder = job.trial_dir(rec.name)
    prepare(folder / "opt_ml", spec)
    proc = ToolkitProcess(folder / "output.log", settings.python)
    rec.pid, rec.start_time = (
        proc.start(environment(folder / "opt_ml", spec), cwd=folder, cpus=spec.cpus),
        now,
    )
    rec.set_secondary("Training", now, "Training image download completed. Training in progress.")
    scanner = MetricScanner(definitions=definition.metrics, objective=definition.objective_name)
    limit = definition.max_runtime_s
    return Running(rec, proc, scanner, suggestion, slot, None if limit is None else now + float(limit))


def settle(job: JobDir, rec: TrialRecord, code: int, stop_cause: str | None, now: float) -> None:
    """Status, SecondaryStatus and FailureReason once the toolkit has exited with `code`."""
    rec.end_time, rec.stop_cause = now, stop_cause
    if stop_cause is not None:
        rec.status = "Stopped"
        rec.set_secondary("MaxRuntimeExceeded" if stop_cause == STOP_MAX_RUNTIME else "Stopped", now)
    elif code == 0:
        rec.status = "Completed"
        rec.set_secondary("Completed", now, "Training job completed")
    else:
        folder = job.trial_dir(rec.name)
        rec.status, rec.failure_kind = "Failed", "NonRetryableError"
        rec.failure_reason = failure_reason(folder / "opt_ml", folder / "output.log", code)
        rec.set_secondary("Failed", now, "Training job failed")


def fail_capacity(rec: TrialRecord, now: float) -> None:
    """No instance config has any capacity: SageMaker's InsufficientCapacityError (§7)."""
    rec.status, rec.end_time, rec.start_time = "Failed", now, None
    rec.failure_reason, rec.failure_kind = ICE_REASON, "RetryableError"
    rec.set_secondary("Failed", now, ICE_REASON)
