"""Strategies end to end: Grid enumerates, seeds reproduce, Hyperband and early stopping stop jobs."""

from __future__ import annotations

from typing import Any

from amt_hydra.local.api.client import LocalSageMakerClient
from tests.local.conftest import X_RANGE, make_request, run_job, summaries, wait_for


def _sequence(client: Any, name: str) -> list[dict[str, str]]:
    return [j["TunedHyperParameters"] for j in summaries(client, name)]


def test_grid_runs_each_combination_once(client: LocalSageMakerClient) -> None:
    request = make_request(
        "grid-1",
        strategy="Grid",
        max_jobs=None,
        seed=None,
        categorical=[{"Name": "opt", "Values": ["a", "b"]}, {"Name": "x", "Values": ["0.1", "0.5", "0.9"]}],
    )
    desc = run_job(client, request)
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    seen = sorted((t["opt"], t["x"]) for t in _sequence(client, "grid-1"))
    assert seen == sorted((o, x) for o in ("a", "b") for x in ("0.1", "0.5", "0.9"))


def test_random_seed_reproduces_sequence(client: LocalSageMakerClient) -> None:
    ranges = {
        "continuous": X_RANGE,
        "integer": [{"Name": "epochs", "MinValue": "1", "MaxValue": "3"}],
        "categorical": [{"Name": "opt", "Values": ["a", "b", "c"]}],
    }
    for name, seed in (("seed-a", 11), ("seed-b", 11), ("seed-c", 12)):  # three engines side by side
        request = make_request(name, max_jobs=4, parallel=1, **ranges, seed=seed)
        del request["TrainingJobDefinition"]["StaticHyperParameters"]["epochs"]
        client.create_hyper_parameter_tuning_job(**request)
    for name in ("seed-a", "seed-b", "seed-c"):
        assert wait_for(client, name)["HyperParameterTuningJobStatus"] == "Completed"
    assert _sequence(client, "seed-a") == _sequence(client, "seed-b")
    assert _sequence(client, "seed-a") != _sequence(client, "seed-c")


def test_bayesian_seed_reproduces_sequence(client: LocalSageMakerClient) -> None:
    # One job at a time and a deterministic objective: the GP sees the same data in the same order.
    for name in ("bayes-a", "bayes-b"):
        client.create_hyper_parameter_tuning_job(
            **make_request(name, strategy="Bayesian", max_jobs=5, parallel=1, continuous=X_RANGE, seed=5)
        )
    for name in ("bayes-a", "bayes-b"):
        assert wait_for(client, name)["HyperParameterTuningJobStatus"] == "Completed"
    first = _sequence(client, "bayes-a")
    assert first == _sequence(client, "bayes-b")
    assert len({t["x"] for t in first}) == 5


def test_hyperband_stops_some_jobs(client: LocalSageMakerClient) -> None:
    request = make_request(
        "hyperband-1",
        strategy="Hyperband",
        max_jobs=9,
        parallel=2,
        continuous=X_RANGE,
        static={"epochs": "18", "sleep": "0.02"},
        StrategyConfig={"HyperbandStrategyConfig": {"MinResource": 2}},
    )
    desc = run_job(client, request)
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    jobs = summaries(client, "hyperband-1")
    stopped = [j for j in jobs if j["TrainingJobStatus"] == "Stopped"]
    assert stopped and len(jobs) == 9
    for job in jobs:
        described = client.describe_training_job(TrainingJobName=job["TrainingJobName"])
        values = described["LocalObjectiveValues"]
        assert 2 <= len(values) <= 18  # never stopped before MinResource, never past MaxResource
        if job["TrainingJobStatus"] == "Stopped":
            assert job["ObjectiveStatus"] == "Succeeded" and described["SecondaryStatus"] == "Stopped"
            assert len(values) < 18


def test_early_stopping_auto_stops_a_clearly_worse_job(client: LocalSageMakerClient) -> None:
    request = make_request(
        "early-1",
        strategy="Grid",
        max_jobs=None,
        parallel=1,
        categorical=[{"Name": "quality", "Values": ["good", "bad"]}],
        static={"epochs": "6", "sleep": "0.1"},
        TrainingJobEarlyStoppingType="Auto",
    )
    run_job(client, request)
    good, bad = summaries(client, "early-1")
    assert good["TunedHyperParameters"] == {"quality": "good"} and good["TrainingJobStatus"] == "Completed"
    assert bad["TrainingJobStatus"] == "Stopped" and bad["ObjectiveStatus"] == "Succeeded"
    values = client.describe_training_job(TrainingJobName=bad["TrainingJobName"])["LocalObjectiveValues"]
    assert 1 <= len(values) < 6
