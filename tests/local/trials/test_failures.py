"""Failing, silent, NaN and overlong training jobs end with SageMaker's statuses and reasons; capacity
and instance fallbacks."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.engine.completion import no_success_reason
from amt_hydra.local.trials.resources import count_cuda_devices
from amt_hydra.local.trials.trial import ICE_REASON
from tests.local.conftest import X_RANGE, make_request, run_job, summaries, wait_for

MODES = ["ok", "crash", "timeout", "nometric", "nan", "text"]


def test_statuses_and_reasons(client: LocalSageMakerClient) -> None:
    request = make_request(
        "modes-1",
        strategy="Grid",
        max_jobs=None,
        parallel=3,
        max_runtime_s=8,  # long enough for a crash to be a crash on a loaded 2-core machine
        categorical=[{"Name": "mode", "Values": MODES}],
    )
    desc = run_job(client, request)
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    jobs = {j["TunedHyperParameters"]["mode"]: j for j in summaries(client, "modes-1")}
    assert desc["BestTrainingJob"]["TrainingJobName"] == jobs["ok"]["TrainingJobName"]

    crash = jobs["crash"]
    assert crash["TrainingJobStatus"] == "Failed" and crash["ObjectiveStatus"] == "Failed"
    assert crash["FailureReason"].startswith("AlgorithmError")
    assert "ValueError: boom: the script crashed on purpose" in crash["FailureReason"]
    assert len(crash["FailureReason"]) <= 1024
    described = client.describe_training_job(TrainingJobName=crash["TrainingJobName"])
    assert described["SecondaryStatus"] == "Failed"
    assert (Path(described["LocalJobDir"]) / "output" / "failure").is_file()  # written by the toolkit

    timeout = client.describe_training_job(TrainingJobName=jobs["timeout"]["TrainingJobName"])
    assert timeout["TrainingJobStatus"] == "Stopped" and timeout["SecondaryStatus"] == "MaxRuntimeExceeded"
    assert jobs["timeout"]["ObjectiveStatus"] == "Failed"
    assert 8 <= timeout["TrainingTimeInSeconds"] < 30

    for mode in ("nometric", "nan", "text"):
        job = jobs[mode]
        assert job["TrainingJobStatus"] == "Completed" and job["ObjectiveStatus"] == "Failed", mode
        assert "FinalHyperParameterTuningJobObjectiveMetric" not in job
    ranked = summaries(client, "modes-1", SortBy="FinalObjectiveMetricValue")
    assert [j["TunedHyperParameters"]["mode"] for j in ranked] == ["ok"]
    assert desc["TrainingJobStatusCounters"] == {
        "Completed": 4,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 1,
        "Stopped": 1,
    }
    assert desc["ObjectiveStatusCounters"] == {"Succeeded": 1, "Pending": 0, "Failed": 5}


def test_five_failures_fail_the_tuning_job(client: LocalSageMakerClient) -> None:
    request = make_request("crashes-1", max_jobs=9, parallel=2, continuous=X_RANGE, static={"mode": "crash"})
    desc = run_job(client, request)
    assert desc["HyperParameterTuningJobStatus"] == "Failed"
    assert desc["FailureReason"] == no_success_reason(5)
    assert desc["FailureReason"].startswith("No training job succeeded after 5 attempts.")
    jobs = summaries(client, "crashes-1")
    assert 5 <= len(jobs) <= 6 and sum(j["TrainingJobStatus"] == "Failed" for j in jobs) >= 5
    assert "BestTrainingJob" not in desc


def test_fallback_to_the_next_instance_config(client_factory) -> None:
    client = client_factory(capacity={"ml.m5.xlarge": 0})
    configs = [
        {"InstanceType": t, "InstanceCount": 1, "VolumeSizeInGB": 5}
        for t in ("ml.g5.xlarge", "ml.m5.xlarge", "ml.c5.xlarge")
    ]
    request = make_request("fallback-1", max_jobs=2, parallel=2, continuous=X_RANGE)
    definition = request["TrainingJobDefinition"]
    del definition["ResourceConfig"]
    definition["HyperParameterTuningResourceConfig"] = {
        "InstanceConfigs": configs,
        "AllocationStrategy": "Prioritized",
    }
    desc = run_job(client, request)
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    expected = "ml.g5.xlarge" if count_cuda_devices() else "ml.c5.xlarge"  # a GPU type needs a CUDA device
    for job in summaries(client, "fallback-1"):
        described = client.describe_training_job(TrainingJobName=job["TrainingJobName"])
        assert described["ResourceConfig"] == {
            "InstanceType": expected,
            "InstanceCount": 1,
            "VolumeSizeInGB": 5,
        }
        seen = json.loads((Path(described["LocalJobDir"]) / "output" / "data" / "seen.json").read_text())
        assert seen["env"]["SM_CURRENT_INSTANCE_TYPE"] == expected


def test_no_capacity_anywhere_is_an_insufficient_capacity_error(client_factory) -> None:
    client = client_factory(capacity={"ml.m5.large": 0})
    desc = run_job(client, make_request("ice-1", max_jobs=6, parallel=2, continuous=X_RANGE))
    assert desc["HyperParameterTuningJobStatus"] == "Failed"
    assert desc["FailureReason"] == no_success_reason(5)
    assert desc["TrainingJobStatusCounters"]["RetryableError"] == 5
    assert all(j["FailureReason"] == ICE_REASON for j in summaries(client, "ice-1"))


def test_a_killed_training_process_fails_and_the_tuning_job_goes_on(client: LocalSageMakerClient) -> None:
    request = make_request(
        "killed-job-1",
        strategy="Grid",
        max_jobs=None,
        parallel=1,
        categorical=[{"Name": "mode", "Values": ["timeout", "ok"]}],
    )
    client.create_hyper_parameter_tuning_job(**request)
    first = wait_for(
        client, "killed-job-1", until=lambda d: d["TrainingJobStatusCounters"]["InProgress"] == 1
    )
    name = summaries(client, "killed-job-1")[0]["TrainingJobName"]
    folder = Path(first["LocalJobDir"]) / "trials" / name
    seen = folder / "opt_ml" / "output" / "data" / "seen.json"
    wait_for(client, "killed-job-1", until=lambda d: seen.is_file())  # the script is running
    pid = json.loads((folder / "state.json").read_text())["pid"]
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    os.kill(int(children[0]), signal.SIGKILL)  # as the OOM killer would
    desc = wait_for(client, "killed-job-1")
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    killed, ok = summaries(client, "killed-job-1")
    assert killed["TrainingJobStatus"] == "Failed" and "SIGKILL" in killed["FailureReason"]
    assert (
        ok["TrainingJobStatus"] == "Completed"
        and desc["BestTrainingJob"]["TrainingJobName"] == ok["TrainingJobName"]
    )
