"""Both seed experiments render to the request their seeds describe, field by field, and pass botocore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amt_hydra.request.validate import problems
from tests.helpers import diff, render

GOLDEN = Path(__file__).parent / "golden"
COMMON = ["launcher=sagemaker", "launcher.bucket=amt-test-bucket",
          "estimator.role=arn:aws:iam::123456789012:role/SageMakerRole"]


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch, data_root: Path) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_REGION", raising=False)


@pytest.mark.parametrize("experiment", ["mnist", "xgboost_fallbacks"])
def test_matches_golden_request(experiment: str) -> None:
    request = render([f"+experiment={experiment}", f"job_name={experiment.replace('_', '-')}-golden", *COMMON])
    expected = json.loads((GOLDEN / f"{experiment}.json").read_text())
    assert diff(expected, request) == []
    assert problems(request) == []


def test_mnist_is_seed_1() -> None:
    request = render(["+experiment=mnist", *COMMON])
    config = request["HyperParameterTuningJobConfig"]
    definition = request["TrainingJobDefinition"]
    assert config["Strategy"] == "Bayesian"
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 9, "MaxParallelTrainingJobs": 3}
    assert config["HyperParameterTuningJobObjective"] == {"MetricName": "average test loss", "Type": "Minimize"}
    ranges = config["ParameterRanges"]
    assert ranges["ContinuousParameterRanges"] == [
        {"Name": "lr", "MinValue": "0.001", "MaxValue": "0.1", "ScalingType": "Auto"}]
    assert ranges["CategoricalParameterRanges"] == [
        {"Name": "batch-size", "Values": ["32", "64", "128", "256", "512"]}]
    assert definition["AlgorithmSpecification"]["MetricDefinitions"] == [
        {"Name": "average test loss", "Regex": "Test set: Average loss: ([0-9.]+)"}]
    assert "pytorch-training" in definition["AlgorithmSpecification"]["TrainingImage"]
    assert definition["StaticHyperParameters"]["sagemaker_program"] == "mnist.py"
    assert definition["InputDataConfig"][0]["ChannelName"] == "training"
    assert request["HyperParameterTuningJobName"].startswith("mnist-261122-120000")


def test_xgboost_fallbacks_is_seed_2() -> None:
    request = render(["+experiment=xgboost_fallbacks", *COMMON])
    config = request["HyperParameterTuningJobConfig"]
    definition = request["TrainingJobDefinition"]
    assert config["Strategy"] == "Random"
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 10, "MaxParallelTrainingJobs": 5}
    assert config["HyperParameterTuningJobObjective"] == {"MetricName": "validation:rmse", "Type": "Minimize"}
    assert "ResourceConfig" not in definition
    resources = definition["HyperParameterTuningResourceConfig"]
    assert resources["AllocationStrategy"] == "Prioritized"
    assert [(c["InstanceType"], c["InstanceCount"], c["VolumeSizeInGB"]) for c in resources["InstanceConfigs"]] == [
        ("ml.m4.xlarge", 1, 5), ("ml.m5.4xlarge", 1, 5)]


def test_seed_zero_is_emitted() -> None:
    request = render(["+experiment=xgboost_fallbacks", "seed=0", *COMMON])
    assert request["HyperParameterTuningJobConfig"]["RandomSeed"] == 0


def test_rendering_is_deterministic() -> None:
    args = ["+experiment=mnist", "job_name=same", *COMMON]
    assert json.dumps(render(args), sort_keys=True) == json.dumps(render(args), sort_keys=True)
