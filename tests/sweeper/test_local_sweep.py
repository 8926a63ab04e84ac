"""End to end with the local launcher: real toolkit jobs run the app through the entry shim."""

from __future__ import annotations

import json
import math
from pathlib import Path

import yaml

from amt_hydra.request import validate_request

from .conftest import IMAGE, SEARCH, run_sweep


def quadratic(lr: float, depth: int) -> float:
    return (math.log10(lr) + 2.0) ** 2 + 0.1 * (depth - 4) ** 2  # examples/quadratic_app, optimizer sgd


def test_local_sweep_reports_the_task_functions_return_value(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    proc = run_sweep([*SEARCH, "train.epochs=2", "hydra.sweeper.limits.max_jobs=4",  # Bayesian, the default
                      "hydra.sweeper.limits.max_parallel_jobs=2", f"hydra.sweeper.estimator.image_uri={IMAGE}"],
                     sweep_dir)
    assert proc.returncode == 0, proc.stderr
    request = json.loads((sweep_dir / "request.json").read_text())
    validate_request(request)
    definition = request["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"]["train.epochs"] == "2"
    assert definition["StaticHyperParameters"]["sagemaker_program"] == "amt_hydra_entry.py"

    result = json.loads((sweep_dir / "result.json").read_text())
    jobs = result["TrainingJobs"]
    assert [j["TrainingJobStatus"] for j in jobs] == ["Completed"] * 4
    for job in jobs:  # the objective is the app's return value, for the values AMT chose
        tuned = job["TunedHyperParameters"]
        expected = quadratic(float(tuned["optimizer.lr"]), int(tuned["model.depth"]))
        assert math.isclose(job["FinalHyperParameterTuningJobObjectiveMetric"]["Value"], expected, rel_tol=1e-6)

    best = min(jobs, key=lambda j: j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    results = yaml.safe_load((sweep_dir / "optimization_results.yaml").read_text())
    assert results["name"] == "amt"
    assert results["best_params"] == {"model.depth": int(best["TunedHyperParameters"]["model.depth"]),
                                      "optimizer.lr": float(best["TunedHyperParameters"]["optimizer.lr"])}
    assert math.isclose(results["best_value"], best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert (sweep_dir / "report.html").is_file()
    assert "best training job:" in proc.stdout  # the CLI's table and best line


def test_local_sweep_kept_in_the_apps_config_with_a_metric_regex(tmp_path: Path) -> None:
    """`--config-name tune` (hydra.sweeper.params) reaches the jobs; a metric definition reads the app's log."""
    sweep_dir = tmp_path / "sweep"
    proc = run_sweep(["optimizer.name=adam", "hydra.sweeper.limits.max_jobs=2", "hydra.sweeper.strategy.name=Random",
                      "hydra.sweeper.metric.name=loss",
                      "hydra.sweeper.metric.definitions=[{name: loss, regex: 'loss=([0-9.]+)'}]",
                      f"hydra.sweeper.estimator.image_uri={IMAGE}"], sweep_dir, config_name="tune")
    assert proc.returncode == 0, proc.stderr
    request = json.loads((sweep_dir / "request.json").read_text())
    ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"]
    assert ranges["CategoricalParameterRanges"] == []  # optimizer.name=adam on the command line wins
    assert request["TrainingJobDefinition"]["StaticHyperParameters"]["optimizer.name"] == "adam"
    jobs = json.loads((sweep_dir / "result.json").read_text())["TrainingJobs"]
    assert [j["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] for j in jobs] == ["loss", "loss"]
    for job in jobs:  # adam's optimum is at lr=1e-3: the fixed override reached the app
        tuned = job["TunedHyperParameters"]
        expected = (math.log10(float(tuned["optimizer.lr"])) + 3.0) ** 2 + 0.1 * (int(tuned["model.depth"]) - 4) ** 2
        assert math.isclose(job["FinalHyperParameterTuningJobObjectiveMetric"]["Value"], expected, abs_tol=1e-6)
