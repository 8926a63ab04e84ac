"""Warm start from earlier jobs in the local store (amt-semantics §6)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.engine.warm_start import NAME_SET_MESSAGE
from tests.local.conftest import X_RANGE, assert_shape, make_request, run_job, summaries, wait_for


def _child(name: str, parents: list[str], kind: str = "IdenticalDataAndAlgorithm", **kwargs) -> dict:
    request = make_request(name, max_jobs=5, continuous=X_RANGE, **kwargs)
    request["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": p} for p in parents],
        "WarmStartType": kind,
    }
    return request


def test_parents_count_and_overall_best(client: LocalSageMakerClient) -> None:
    run_job(client, make_request("parent-1", max_jobs=3, continuous=X_RANGE, seed=1))
    parent_jobs = summaries(client, "parent-1")
    desc = run_job(client, _child("child-1", ["parent-1"], seed=2))
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    own = summaries(client, "child-1")
    assert len(own) == 2  # MaxNumberOfTrainingJobs 5 minus the parent's 3
    everything = [
        (j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"], j["TrainingJobName"])
        for j in own + parent_jobs
    ]
    overall = desc["OverallBestTrainingJob"]
    assert (
        overall["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
        overall["TrainingJobName"],
    ) == min(everything)
    assert overall["TuningJobName"] == (
        "child-1" if overall["TrainingJobName"].startswith("child-1") else "parent-1"
    )
    assert desc["BestTrainingJob"]["TrainingJobName"].startswith("child-1")
    assert desc["WarmStartConfig"]["WarmStartType"] == "IdenticalDataAndAlgorithm"

    transfer = run_job(client, _child("child-2", ["parent-1"], kind="TransferLearning", seed=3))
    assert "OverallBestTrainingJob" not in transfer

    names, token = [], None
    while True:
        page = client.list_hyper_parameter_tuning_jobs(
            MaxResults=1, SortOrder="Descending", **({"NextToken": token} if token else {})
        )
        assert_shape("ListHyperParameterTuningJobs", page)
        names += [s["HyperParameterTuningJobName"] for s in page["HyperParameterTuningJobSummaries"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == ["parent-1", "child-2", "child-1"]


def test_parent_rules(client: LocalSageMakerClient) -> None:
    client.create_hyper_parameter_tuning_job(
        **make_request("parent-2", max_jobs=2, parallel=1, continuous=X_RANGE, static={"sleep": "0.3"})
    )
    with pytest.raises(ClientError, match="Completed, Stopped or Failed"):
        client.create_hyper_parameter_tuning_job(**_child("child-3", ["parent-2"]))
    wait_for(client, "parent-2")
    with pytest.raises(ClientError) as excinfo:
        client.create_hyper_parameter_tuning_job(**_child("child-4", ["parent-2"], static={"extra": "1"}))
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    assert excinfo.value.response["Error"]["Message"] == NAME_SET_MESSAGE
    with pytest.raises(ClientError, match="does not exist"):
        client.create_hyper_parameter_tuning_job(**_child("child-5", ["nobody"]))


def test_parent_configurations_are_not_repeated(client: LocalSageMakerClient) -> None:
    values = [{"Name": "opt", "Values": ["a", "b", "c", "d"]}]
    run_job(client, make_request("parent-3", max_jobs=2, categorical=values, seed=4))
    request = make_request("child-6", max_jobs=4, categorical=values, seed=4)
    request["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent-3"}],
        "WarmStartType": "TransferLearning",
    }
    run_job(client, request)
    parent = {j["TunedHyperParameters"]["opt"] for j in summaries(client, "parent-3")}
    child = {j["TunedHyperParameters"]["opt"] for j in summaries(client, "child-6")}
    assert len(parent) == len(child) == 2 and parent | child == {"a", "b", "c", "d"}
