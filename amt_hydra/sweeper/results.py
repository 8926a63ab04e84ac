"""`optimization_results.yaml` in the sweep dir, as hydra-optuna-sweeper writes it, from result.json."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from amt_hydra.spec.model import ParameterRange

RESULTS_FILE = "optimization_results.yaml"


def typed_value(text: str, rng: ParameterRange | None) -> Any:
    """SageMaker's strings back to numbers (by the range's kind) or to the categorical value they encode."""
    if rng is not None and rng.kind == "integer":
        return int(float(text))
    if rng is not None and rng.kind == "continuous":
        return float(text)
    try:
        return json.loads(text)  # the inverse of amt_hydra.spec.search_space.encode_value
    except ValueError:
        return text


def optimization_results(result: Mapping[str, Any], ranges: Iterable[ParameterRange]) -> dict[str, Any] | None:
    """`{name, best_params, best_value}` plus the job names; None when no job has an objective value."""
    job = result["TuningJob"]
    best = job.get("BestTrainingJob") or {}
    metric = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    if "Value" not in metric:
        return None
    by_name = {r.name: r for r in ranges}
    tuned = best.get("TunedHyperParameters") or {}
    return {
        "name": "amt",
        "best_params": {k: typed_value(str(v), by_name.get(k)) for k, v in sorted(tuned.items())},
        "best_value": float(metric["Value"]),
        "tuning_job": job["HyperParameterTuningJobName"],
        "best_training_job": best.get("TrainingJobName"),
    }


def write_optimization_results(results: Mapping[str, Any], sweep_dir: Path) -> Path:
    from omegaconf import OmegaConf

    path = sweep_dir / RESULTS_FILE
    OmegaConf.save(OmegaConf.create(dict(results)), path)
    return path
