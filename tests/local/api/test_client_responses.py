"""Responses as SageMaker gives them: what the SDKs read (echoed statics, KmsKeyId, channel defaults, the last
transition's EndTime), counters that agree with the tuning job's verdict, ListTags, and the
ListHyperParameterTuningJobs filters and constraints. Every response is checked against botocore's shape."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.engine.completion import no_success_reason
from tests.local.conftest import CODE_URI, DATA_URI, X_RANGE, assert_shape, make_request, run_job, summaries

# Grid runs "slow" first: it reports an objective, then runs on; the five others crash meanwhile.
SLOW_OR_CRASH = r"""
import argparse, time
p = argparse.ArgumentParser()
p.add_argument("--kind")
args, _ = p.parse_known_args()
if args.kind != "slow":
    raise SystemExit("crash: " + args.kind)
print("epoch 0\tloss: 0.5", flush=True)
time.sleep(60)
"""


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory, copies: dict[str, str]) -> tuple[Any, dict[str, Any]]:
    """A client and one completed one-job tuning job."""
    client = LocalSageMakerClient(root=tmp_path_factory.mktemp("store"), local_copies=copies, poll_interval_s=0.02)
    request = make_request("shapes-1", max_jobs=1, parallel=1, continuous=X_RANGE)
    assert run_job(client, request)["HyperParameterTuningJobStatus"] == "Completed"
    return client, request


def test_tuning_job_description_echoes_what_sagemaker_adds(finished: tuple[Any, dict[str, Any]]) -> None:
    client, request = finished
    desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="shapes-1")
    assert_shape("DescribeHyperParameterTuningJob", desc)
    definition = desc["TrainingJobDefinition"]
    given = request["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"] == {**given["StaticHyperParameters"], "_tuning_objective_metric": "loss"}
    assert definition["InputDataConfig"] == [
        {**given["InputDataConfig"][0], "CompressionType": "None", "RecordWrapperType": "None"}
    ]


def test_training_job_description_as_sagemaker_gives_it(finished: tuple[Any, dict[str, Any]]) -> None:
    client, _ = finished
    name = summaries(client, "shapes-1")[0]["TrainingJobName"]
    job = client.describe_training_job(TrainingJobName=name)
    assert_shape("DescribeTrainingJob", job)
    assert job["OutputDataConfig"] == {"KmsKeyId": "", "S3OutputPath": "s3://amt-hydra-test/jobs/output"}
    assert job["InputDataConfig"][0]["CompressionType"] == job["InputDataConfig"][0]["RecordWrapperType"] == "None"
    transitions = job["SecondaryStatusTransitions"]
    assert all("EndTime" in t for t in transitions)
    assert transitions[-1]["Status"] == "Completed" and transitions[-1]["EndTime"] == transitions[-1]["StartTime"]
    assert [t["EndTime"] for t in transitions[:-1]] == [t["StartTime"] for t in transitions[1:]]


def test_list_tags_of_the_tuning_job_and_its_training_jobs(finished: tuple[Any, dict[str, Any]]) -> None:
    client, request = finished
    desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="shapes-1")
    arns = [desc["HyperParameterTuningJobArn"], desc["BestTrainingJob"]["TrainingJobArn"]]
    for arn in arns:
        tags = client.list_tags(ResourceArn=arn)
        assert_shape("ListTags", tags)
        assert tags["Tags"] == request["Tags"]
    with pytest.raises(ClientError, match="Requested resource not found"):
        client.list_tags(ResourceArn=arns[0].replace("shapes-1", "nope"))


def test_list_tuning_jobs_time_filters(finished: tuple[Any, dict[str, Any]]) -> None:
    client, _ = finished
    desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="shapes-1")
    created, modified = desc["CreationTime"], desc["LastModifiedTime"]
    second = dt.timedelta(seconds=1)

    def names(**params: Any) -> list[str]:
        listed = client.list_hyper_parameter_tuning_jobs(**params)
        assert_shape("ListHyperParameterTuningJobs", listed)
        return [s["HyperParameterTuningJobName"] for s in listed["HyperParameterTuningJobSummaries"]]

    assert names(CreationTimeAfter=created - second, CreationTimeBefore=created + second) == ["shapes-1"]
    assert names(CreationTimeAfter=created + second) == [] and names(CreationTimeBefore=created - second) == []
    assert names(LastModifiedTimeAfter=modified - second, LastModifiedTimeBefore=modified + second) == ["shapes-1"]
    assert names(LastModifiedTimeAfter=modified + second) == [] and names(LastModifiedTimeBefore=modified) == []


@pytest.mark.parametrize(("params", "member", "rule"), [
    ({"SortBy": "Foo"}, "sortBy", "enum value set: [Name, Status, CreationTime]"),
    ({"SortOrder": "Up"}, "sortOrder", "enum value set: [Ascending, Descending]"),
    ({"StatusEquals": "Done"}, "statusEquals", "enum value set: [Completed, InProgress, Failed"),
    ({"NameContains": "bad_name"}, "nameContains", r"regular expression pattern: [a-zA-Z0-9\-]+"),
    ({"NameContains": "a" * 64}, "nameContains", "length less than or equal to 63"),
])
def test_list_tuning_jobs_refuses_what_the_model_forbids(
    finished: tuple[Any, dict[str, Any]], params: dict[str, Any], member: str, rule: str
) -> None:
    client, _ = finished
    with pytest.raises(ClientError) as excinfo:
        client.list_hyper_parameter_tuning_jobs(**params)
    error = excinfo.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert f"at '{member}' failed to satisfy constraint: Member must" in error["Message"] and rule in error["Message"]


def test_a_failed_tuning_job_counts_no_succeeded_job(tmp_path: Path, data_dir: Path) -> None:
    """No-success rule: the job it stopped after an intermediate objective is not a success nor the best."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text(SLOW_OR_CRASH)
    copies = {CODE_URI: str(source), DATA_URI: str(data_dir)}
    client = LocalSageMakerClient(root=tmp_path / "store", local_copies=copies, poll_interval_s=0.02, stop_grace_s=0.5)
    kinds = ["slow", "c1", "c2", "c3", "c4", "c5"]
    request = make_request("verdict-1", strategy="Grid", max_jobs=None, parallel=2,
                           categorical=[{"Name": "kind", "Values": kinds}], max_runtime_s=120)
    desc = run_job(client, request)
    assert_shape("DescribeHyperParameterTuningJob", desc)
    assert desc["HyperParameterTuningJobStatus"] == "Failed" and desc["FailureReason"] == no_success_reason(5)
    assert desc["ObjectiveStatusCounters"] == {"Succeeded": 0, "Pending": 0, "Failed": 6}
    assert desc["TrainingJobStatusCounters"]["Stopped"] == 1 and "BestTrainingJob" not in desc
    slow = next(j for j in summaries(client, "verdict-1") if j["TunedHyperParameters"]["kind"] == "slow")
    assert slow["TrainingJobStatus"] == "Stopped" and slow["ObjectiveStatus"] == "Failed"
    assert "FinalHyperParameterTuningJobObjectiveMetric" not in slow
    assert client.describe_training_job(TrainingJobName=slow["TrainingJobName"])["LocalObjectiveValues"] == [0.5]
