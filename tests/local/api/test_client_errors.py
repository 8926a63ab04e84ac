"""Errors shaped like boto3's: ParamValidationError client-side, ClientError codes and messages."""

from __future__ import annotations

import copy

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from amt_hydra.local.api.client import LocalSageMakerClient
from tests.local.conftest import DATA_URI, X_RANGE, make_request, run_job


def _code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_unknown_tuning_job_is_resource_not_found(client: LocalSageMakerClient) -> None:
    for call in (
        client.describe_hyper_parameter_tuning_job,
        client.list_training_jobs_for_hyper_parameter_tuning_job,
        client.stop_hyper_parameter_tuning_job,
    ):
        with pytest.raises(ClientError) as excinfo:
            call(HyperParameterTuningJobName="nope")
        assert _code(excinfo) == "ResourceNotFound"
        assert (
            excinfo.value.response["Error"]["Message"]
            == "Amazon SageMaker can't find a tuning job with name nope"
        )
        assert excinfo.value.response["ResponseMetadata"]["RequestId"]


def test_unknown_training_job(client: LocalSageMakerClient) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.describe_training_job(TrainingJobName="nope-001-12345678")
    assert _code(excinfo) == "ValidationException"
    assert excinfo.value.response["Error"]["Message"] == "Requested resource not found."


def test_params_checked_like_boto3(client: LocalSageMakerClient) -> None:
    request = make_request("bad-1", continuous=X_RANGE)
    del request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"]
    with pytest.raises(ParamValidationError, match="MaxParallelTrainingJobs"):
        client.create_hyper_parameter_tuning_job(**request)
    with pytest.raises(ParamValidationError):
        client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="")


def test_s3_uri_without_local_copy_is_refused_at_create(client_factory) -> None:
    client = client_factory(local_copies={})
    with pytest.raises(ClientError) as excinfo:
        client.create_hyper_parameter_tuning_job(**make_request("no-copy", continuous=X_RANGE))
    message = excinfo.value.response["Error"]["Message"]
    assert _code(excinfo) == "ValidationException"
    assert "sagemaker_submit_directory" in message and "launcher.local_copies" in message
    assert "\n" not in message


def test_channel_without_local_copy_names_channel_and_uri(client_factory, source_dir) -> None:
    client = client_factory(local_copies={"s3://amt-hydra-test/jobs/code/": str(source_dir.parent)})
    request = make_request("no-data", continuous=X_RANGE)
    request["TrainingJobDefinition"]["StaticHyperParameters"]["sagemaker_submit_directory"] = (
        f'"s3://amt-hydra-test/jobs/code/{source_dir.name}"'
    )
    with pytest.raises(ClientError) as excinfo:
        client.create_hyper_parameter_tuning_job(**request)
    message = excinfo.value.response["Error"]["Message"]
    assert "channel 'train'" in message and DATA_URI in message and "launcher.local_copies" in message


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            lambda r: r["HyperParameterTuningJobConfig"].update(Strategy="Grid"),
            "only CategoricalParameterRanges",
        ),
        (
            lambda r: r["HyperParameterTuningJobConfig"].update(
                Strategy="Hyperband", TrainingJobEarlyStoppingType="Auto"
            ),
            "must be Off",
        ),
        (
            lambda r: r["TrainingJobDefinition"]["AlgorithmSpecification"].update(MetricDefinitions=[]),
            "not among the MetricDefinitions",
        ),
        (
            lambda r: r["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"][
                0
            ].update(ScalingType="Logarithmic", MinValue="0"),
            "greater than 0",
        ),
    ],
)
def test_rules_the_engine_depends_on(client: LocalSageMakerClient, change, fragment: str) -> None:
    request = make_request("rules", continuous=copy.deepcopy(X_RANGE))
    change(request)
    with pytest.raises(ClientError, match=fragment) as excinfo:
        client.create_hyper_parameter_tuning_job(**request)
    assert _code(excinfo) == "ValidationException"


def test_hyperband_max_resource_inference(client: LocalSageMakerClient) -> None:
    request = make_request("hb-no-max", strategy="Hyperband", continuous=X_RANGE)
    del request["TrainingJobDefinition"]["StaticHyperParameters"]["epochs"]
    with pytest.raises(ClientError, match="MaxResource parameter is not provided and could not be inferred"):
        client.create_hyper_parameter_tuning_job(**request)


def test_not_enough_combinations(client: LocalSageMakerClient) -> None:
    request = make_request("few", max_jobs=10, categorical=[{"Name": "mode", "Values": ["a", "b", "c"]}])
    with pytest.raises(
        ClientError, match=r"combinations for the provided ranges \[3.0\] .* MaxNumberOfJobs, \[10\]"
    ):
        client.create_hyper_parameter_tuning_job(**request)


def test_duplicate_name_and_list_limits(client: LocalSageMakerClient) -> None:
    request = make_request("dup-1", max_jobs=1, parallel=1, continuous=X_RANGE)
    run_job(client, request)
    with pytest.raises(ClientError) as excinfo:
        client.create_hyper_parameter_tuning_job(**{**request, "HyperParameterTuningJobName": "DUP-1"})
    assert _code(excinfo) == "ResourceInUse"
    assert "already exists. Choose a different name." in excinfo.value.response["Error"]["Message"]
    with pytest.raises(ParamValidationError):  # botocore checks the minimum before sending
        client.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName="dup-1", MaxResults=0
        )
    for params in (
        {"MaxResults": 101},
        {"SortBy": "Value"},
        {"SortOrder": "Up"},
        {"StatusEquals": "Done"},
        {"NextToken": "garbage"},
    ):
        with pytest.raises(ClientError) as excinfo:
            client.list_training_jobs_for_hyper_parameter_tuning_job(
                HyperParameterTuningJobName="dup-1", **params
            )
        assert _code(excinfo) == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        client.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="dup-1")
    assert _code(excinfo) == "ValidationException"
    listed = client.list_hyper_parameter_tuning_jobs(NameContains="dup")["HyperParameterTuningJobSummaries"]
    assert [s["HyperParameterTuningJobName"] for s in listed] == ["dup-1"]
