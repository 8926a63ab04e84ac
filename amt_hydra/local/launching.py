"""Turn a new TrialRecord into a running toolkit process (directory, environment, metrics scanner)."""

from __future__ import annotations

from typing import Any

from amt_hydra.constants import OBJECTIVE_METRIC_HP
from amt_hydra.local.arns import training_job_arn
from amt_hydra.local.capacity import CpuSlots, is_gpu_type
from amt_hydra.local.job_layout import JobSpec, environment, prepare
from amt_hydra.local.metrics import MetricScanner
from amt_hydra.local.records import TrialRecord
from amt_hydra.local.settings import EngineSettings
from amt_hydra.local.store import JobDir
from amt_hydra.local.trial_runner import ToolkitProcess
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


def start_trial(
    job: JobDir, setup: TuningSetup, rec: TrialRecord, settings: EngineSettings, slots: CpuSlots, slot: int
) -> tuple[ToolkitProcess, MetricScanner]:
    definition = setup.definition(rec.definition)
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
    base = folder / "opt_ml"
    prepare(base, spec)
    proc = ToolkitProcess(folder / "output.log", settings.python)
    proc.start(environment(base, spec), cwd=folder, cpus=spec.cpus)
    scanner = MetricScanner(definitions=definition.metrics, objective=definition.objective_name)
    return proc, scanner
