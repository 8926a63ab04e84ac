"""The report's text panels: the job's settings and counters, the best job, warnings and failure reasons."""

from __future__ import annotations

import html
from typing import Any

from amt_hydra.results.jobs import elapsed_s, fmt_number, objective, when
from amt_hydra.results.space import EDGE_FRACTION, Param


def _e(value: Any) -> str:
    return html.escape(str(value))


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs if v not in (None, "", {}))


def _compact(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_compact(v)}" for k, v in value.items() if v is not None)
    return str(value)


def instance_types(job: dict[str, Any]) -> list[str]:
    """The instance types in the request's order of preference (the first is the one fallbacks fall from)."""
    definition = job.get("TrainingJobDefinition") or (job.get("TrainingJobDefinitions") or [{}])[0]
    configs = (definition.get("HyperParameterTuningResourceConfig") or {}).get("InstanceConfigs")
    if configs:
        return [c["InstanceType"] for c in configs]
    resource = definition.get("ResourceConfig") or definition.get("HyperParameterTuningResourceConfig") or {}
    return [resource["InstanceType"]] if resource.get("InstanceType") else []


def summary(job: dict[str, Any]) -> str:
    """Strategy, limits, early stopping, completion criteria, counters and consumed time."""
    config = job.get("HyperParameterTuningJobConfig") or {}
    created, ended = when(job.get("CreationTime")), when(job.get("HyperParameterTuningEndTime"))
    pairs = [
        ("status", job.get("HyperParameterTuningJobStatus")),
        ("failure reason", job.get("FailureReason")),
        ("objective", _compact(config.get("HyperParameterTuningJobObjective") or {})),
        ("strategy", " ".join(filter(None, [config.get("Strategy"), _compact(config.get("StrategyConfig") or "")]))),
        ("limits", _compact(config.get("ResourceLimits") or {})),
        ("early stopping", config.get("TrainingJobEarlyStoppingType", "Off")),
        ("completion criteria", _compact(config.get("TuningJobCompletionCriteria") or "") or "none"),
        ("completion details", _compact(job.get("TuningJobCompletionDetails") or "")),
        ("random seed", config.get("RandomSeed")),
        ("instance types (preference order)", ", ".join(instance_types(job))),
        ("warm start", _compact(job.get("WarmStartConfig") or "")),
        ("training jobs", _compact(job.get("TrainingJobStatusCounters") or {})),
        ("objectives", _compact(job.get("ObjectiveStatusCounters") or {})),
        ("consumed time", _consumed(job)),
        ("created / ended", f"{created:%Y-%m-%d %H:%M:%S %Z}" + (f" / {ended:%H:%M:%S}" if ended else "")
         if created else None),
    ]
    return f"<section class='panel'><h2>Tuning job</h2><table class='kv'>{_rows(pairs)}</table></section>"


def _consumed(job: dict[str, Any]) -> str | None:
    seconds = (job.get("ConsumedResources") or {}).get("RuntimeInSeconds")
    return None if seconds is None else f"{seconds} s ({seconds / 60:.1f} min)"


def best(job: dict[str, Any], entry: dict[str, Any] | None, space: list[Param]) -> str:
    """The best job's values, objective, instance, duration and where its log and model are."""
    record = job.get("BestTrainingJob")
    if not record:
        return "<section class='panel'><h2>Best training job</h2><p>No training job has an objective yet.</p></section>"
    entry = entry or record
    tuned = record.get("TunedHyperParameters") or {}
    kinds = {p.name: p for p in space}
    values = ", ".join(f"{k}={_tuned_text(kinds.get(k), v)}" for k, v in sorted(tuned.items()))
    seconds = elapsed_s(entry)
    pairs = [
        ("name", record["TrainingJobName"]),
        ("objective", f"{(record.get('FinalHyperParameterTuningJobObjectiveMetric') or {}).get('MetricName')} = "
                      f"{objective(record)}"),
        ("hyperparameters", values),
        ("status", entry.get("TrainingJobStatus")),
        ("instance type", entry.get("InstanceType")),
        ("training time", None if seconds is None else f"{seconds:.1f} s"),
        ("log", entry.get("LogLocation")),
        ("model", (entry.get("ModelArtifacts") or {}).get("S3ModelArtifacts")),
    ]
    return f"<section class='panel best'><h2>Best training job</h2><table class='kv'>{_rows(pairs)}</table></section>"


def _tuned_text(param: Param | None, text: Any) -> str:
    if param is None or param.kind == "Categorical":
        return str(text)
    return fmt_number(float(text))


def edge_warnings(job: dict[str, Any], space: list[Param]) -> str:
    """A warning per numeric range whose best value lies at one end: the optimum may lie outside it."""
    tuned = (job.get("BestTrainingJob") or {}).get("TunedHyperParameters") or {}
    items = []
    for param in space:
        side = param.edge(str(tuned[param.name])) if param.name in tuned else None
        if side:
            bound = param.low if side == "lower" else param.high
            items.append(f"<li><b>{_e(param.name)}</b> = {_e(_tuned_text(param, tuned[param.name]))} lies at the "
                         f"{side} edge of its range ({bound:g}); consider widening the range past it.</li>")
    if not items:
        return ""
    return (f"<section class='panel warn'><h2>Best value at the edge of its range</h2><p>Within "
            f"{EDGE_FRACTION:.0%} of the range's span (on its scale):</p><ul>{''.join(items)}</ul></section>")


def stop_reason(job: dict[str, Any], entry: dict[str, Any]) -> str:
    """Why AMT stopped a job, told from the job's settings (SageMaker gives stopped jobs no reason)."""
    config = job.get("HyperParameterTuningJobConfig") or {}
    steps = len(entry.get("ObjectiveValues") or [])
    after = f" after {steps} objective value{'s' if steps != 1 else ''}" if steps else ""
    if entry.get("SecondaryStatus") == "MaxRuntimeExceeded":
        return "stopped: MaxRuntimeInSeconds exceeded" + after
    if config.get("Strategy") == "Hyperband":
        return "stopped by Hyperband" + after
    if config.get("TrainingJobEarlyStoppingType") == "Auto":
        return "stopped by early stopping (worse than the median of earlier jobs)" + after
    return "stopped with the tuning job" + after


def failures(job: dict[str, Any], jobs: list[dict[str, Any]]) -> str:
    """Failed and stopped jobs with the reason SageMaker gives (the last lines of a crash's log)."""
    rows = []
    for entry in jobs:
        reason = entry.get("FailureReason")
        if entry["TrainingJobStatus"] == "Stopped" and not reason:
            reason = stop_reason(job, entry)
        if reason:
            rows.append(f"<tr><td>{_e(entry['TrainingJobName'])}</td><td>{_e(entry['TrainingJobStatus'])}</td>"
                        f"<td><pre>{_e(reason)}</pre></td></tr>")
    if not rows:
        return ""
    return (f"<section class='panel wide'><h2>Failed and stopped jobs</h2><table><tr><th>training job</th>"
            f"<th>status</th><th>reason</th></tr>{''.join(rows)}</table></section>")
