"""Completion criteria and the tuning job's own MaxRuntimeInSeconds."""

from __future__ import annotations

import time

from amt_hydra.local.engine.completion import CONVERGED, NOT_IMPROVING, TARGET, CompletionTracker, improves
from amt_hydra.local.engine.worker import run_engine
from tests.local.conftest import X_RANGE, make_request, run_job, summaries


def test_improves_means_more_than_one_percent() -> None:
    assert improves("Minimize", 0.98, 1.0) and not improves("Minimize", 0.995, 1.0)
    assert improves("Maximize", -0.98, -1.0) and not improves("Maximize", 1.005, 1.0)
    assert improves("Minimize", -1e-9, 0.0) and improves("Minimize", 5.0, None)


def test_tracker_rules() -> None:
    target = CompletionTracker.from_criteria("Maximize", {"TargetObjectiveMetricValue": 0.9}, 30)
    assert [target.observe(v, 0.0) for v in (0.5, None, 0.9)] == [None, None, TARGET]
    patience = CompletionTracker.from_criteria(
        "Minimize", {"BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3}}, 30
    )
    fired = [patience.observe(v, 0.0) for v in (1.0, 0.999, 0.5, 0.6, 0.7, 0.8)]
    assert fired == [None, None, None, None, None, NOT_IMPROVING]
    converge = CompletionTracker.from_criteria(
        "Minimize", {"ConvergenceDetected": {"CompleteOnConvergence": "Enabled"}}, 30
    )
    assert converge.window == 10
    values = [10.0 - i for i in range(10)] + [1.0 - 0.0001 * i for i in range(10)]
    fired = [converge.observe(v, float(i)) for i, v in enumerate(values)]
    assert fired[:-1] == [None] * 19 and fired[-1] == CONVERGED
    assert converge.details()["ConvergenceDetectedTime"] == 19.0


def test_target_objective_ends_the_job_completed(client) -> None:
    request = make_request(
        "target-1",
        strategy="Grid",
        max_jobs=None,
        parallel=1,
        categorical=[{"Name": "x", "Values": ["0.9", "0.3", "0.5", "0.7"]}],
        TuningJobCompletionCriteria={"TargetObjectiveMetricValue": 0.34},
    )
    desc = run_job(client, request)
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    assert [j["TunedHyperParameters"]["x"] for j in summaries(client, "target-1")] == ["0.9", "0.3"]


def test_best_objective_not_improving(client) -> None:
    request = make_request(
        "patience-1",
        strategy="Grid",
        max_jobs=None,
        parallel=1,
        categorical=[{"Name": "x", "Values": ["0.3", "0.9", "0.8", "0.7", "0.6"]}],
        TuningJobCompletionCriteria={"BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 3}},
    )
    desc = run_job(client, request)
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    assert desc["TuningJobCompletionDetails"]["NumberOfTrainingJobsObjectiveNotImproving"] == 3
    assert len(summaries(client, "patience-1")) == 4


def test_tuning_max_runtime_stops_running_jobs(client_factory) -> None:
    client = client_factory(spawn_engine=False)
    request = make_request(
        "deadline-1",
        continuous=X_RANGE,
        static={"sleep": "1", "epochs": "60"},
        max_jobs=6,
        parallel=2,
        max_runtime_s=86400,
    )
    request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"] = 120
    client.create_hyper_parameter_tuning_job(**request)
    start = time.time()
    assert run_engine(client.store.root, "deadline-1", clock=lambda: start + (time.time() - start) * 60) == 0
    assert time.time() - start < 15
    desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="deadline-1")
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    assert 120 <= desc["ConsumedResources"]["RuntimeInSeconds"] <= 240
    jobs = summaries(client, "deadline-1")
    assert len(jobs) == 2 and all(j["TrainingJobStatus"] == "Stopped" for j in jobs)
