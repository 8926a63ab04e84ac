"""Faults: kill -9 of the engine process, a user stop, and resuming both without losing or repeating
a finished training job."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.engine.recovery import owns
from tests.local.conftest import X_RANGE, make_request, summaries, wait_for


def _configs(jobs: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted(j["TunedHyperParameters"].items())) for j in jobs)


def _finished(jobs: list[dict]) -> dict[str, tuple]:
    return {
        j["TrainingJobName"]: (
            j["TrainingJobStatus"],
            j["TunedHyperParameters"],
            j.get("FinalHyperParameterTuningJobObjectiveMetric"),
        )
        for j in jobs
        if j["TrainingJobStatus"] in ("Completed", "Failed", "Stopped")
    }


def test_kill_minus_9_then_resume(client: LocalSageMakerClient) -> None:
    ranges = {"continuous": X_RANGE, "static": {"sleep": "0.3"}, "max_jobs": 6, "parallel": 2, "seed": 3}
    client.create_hyper_parameter_tuning_job(**make_request("killed-1", **ranges))
    client.create_hyper_parameter_tuning_job(**make_request("reference-1", **ranges))  # never interrupted
    desc = wait_for(
        client,
        "killed-1",
        until=lambda d: (
            d["TrainingJobStatusCounters"]["Completed"] >= 2
            and d["TrainingJobStatusCounters"]["InProgress"] >= 1
        ),
    )
    os.kill(desc["LocalEnginePid"], signal.SIGKILL)
    dead = wait_for(client, "killed-1", until=lambda d: d["HyperParameterTuningJobStatus"] == "Failed")
    assert "not running" in dead["FailureReason"] and "resume" in dead["FailureReason"]
    before = summaries(client, "killed-1")
    finished_before = _finished(before)
    running_before = [j["TrainingJobName"] for j in before if j["TrainingJobStatus"] == "InProgress"]
    assert finished_before and running_before
    store = Path(desc["LocalJobDir"]) / "trials"
    pids = {name: json.loads((store / name / "state.json").read_text())["pid"] for name in running_before}
    assert any(owns(pid, name) for name, pid in pids.items())  # orphans left running by the dead engine

    resumed = client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName="killed-1")
    assert resumed["Resumed"] is True
    assert (
        client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName="killed-1")["Resumed"] is False
    )
    desc = wait_for(client, "killed-1")
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    after = summaries(client, "killed-1")
    for name, state in finished_before.items():  # nothing finished is lost or changed
        assert _finished(after)[name] == state
    interrupted = [j for j in after if j["TrainingJobName"] in running_before]
    assert all(
        j["TrainingJobStatus"] == "Failed" and j["FailureReason"].startswith("InternalServerError")
        for j in interrupted
    )
    assert desc["TrainingJobStatusCounters"]["RetryableError"] == len(interrupted)
    completed = [j for j in after if j["TrainingJobStatus"] == "Completed"]
    assert len(completed) == 6  # the budget, no finished configuration run twice
    assert len(set(_configs(completed))) == 6
    reference = wait_for(client, "reference-1")
    assert reference["HyperParameterTuningJobStatus"] == "Completed"
    assert _configs(completed) == _configs(summaries(client, "reference-1"))  # seeded sequence continued
    assert not any(owns(pid, name) for name, pid in pids.items())  # killed on resume


def test_stop_then_resume(client: LocalSageMakerClient) -> None:
    request = make_request("stopped-1", continuous=X_RANGE, static={"sleep": "0.3"}, max_jobs=4, parallel=2)
    client.create_hyper_parameter_tuning_job(**request)
    wait_for(client, "stopped-1", until=lambda d: d["TrainingJobStatusCounters"]["InProgress"] >= 1)
    client.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopped-1")
    status = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopped-1")
    assert status["HyperParameterTuningJobStatus"] in ("Stopping", "Stopped")
    desc = wait_for(client, "stopped-1")
    assert desc["HyperParameterTuningJobStatus"] == "Stopped"
    assert desc["TrainingJobStatusCounters"]["InProgress"] == 0
    assert desc["TrainingJobStatusCounters"]["Stopped"] >= 1
    stopped = [
        j["TrainingJobName"] for j in summaries(client, "stopped-1") if j["TrainingJobStatus"] == "Stopped"
    ]

    client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName="stopped-1")
    desc = wait_for(client, "stopped-1")
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    jobs = summaries(client, "stopped-1")
    assert [j["TrainingJobName"] for j in jobs if j["TrainingJobStatus"] == "Stopped"] == stopped
    completed = [j for j in jobs if j["TrainingJobStatus"] == "Completed"]
    assert len(completed) == 4 and len(set(_configs(completed))) == 4
