"""The SageMaker launcher against moto's server: the request as SageMaker stores it, the code as S3 holds it."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import boto3
import yaml

from amt_hydra.request import validate_request

from ..conftest import ROLE
from .conftest import SEARCH, run_sweep

BUCKET = "amt-sweeper-test"


def test_sagemaker_sweep_creates_the_tuning_job(aws_env: dict[str, str], tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    proc = run_sweep([*SEARCH, "optimizer.name=choice(sgd, adam)", "train.epochs=2",
                      "hydra/sweeper/launcher=sagemaker", f"hydra.sweeper.launcher.bucket={BUCKET}",
                      "hydra.sweeper.launcher.poll_s=0.1", "hydra.sweeper.launcher.max_attempts=1",
                      "hydra.sweeper.job_name=quadratic-moto",
                      "hydra.sweeper.limits.max_jobs=6", "hydra.sweeper.limits.max_parallel_jobs=2"], sweep_dir)
    assert proc.returncode == 0, proc.stderr
    request = json.loads((sweep_dir / "request.json").read_text())
    validate_request(request)

    sm = boto3.client("sagemaker")
    job = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="quadratic-moto")
    ranges = job["HyperParameterTuningJobConfig"]["ParameterRanges"]
    assert ranges["ContinuousParameterRanges"] == [
        {"Name": "optimizer.lr", "MinValue": "0.0001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}]
    assert ranges["IntegerParameterRanges"] == [
        {"Name": "model.depth", "MinValue": "2", "MaxValue": "7", "ScalingType": "Auto"}]
    assert ranges["CategoricalParameterRanges"] == [{"Name": "optimizer.name", "Values": ["sgd", "adam"]}]
    definition = job["TrainingJobDefinition"]
    statics = definition["StaticHyperParameters"]
    source_uri = f"s3://{BUCKET}/amt-hydra/quadratic-moto/source/sourcedir.tar.gz"
    assert statics == {"train.epochs": "2", "sagemaker_program": "amt_hydra_entry.py",
                       "sagemaker_submit_directory": source_uri, "sagemaker_container_log_level": "20",
                       "sagemaker_region": "us-east-1", "sagemaker_estimator_class_name": '"PyTorch"',
                       "sagemaker_estimator_module": '"sagemaker.pytorch.estimator"'}  # as the SDK's tuner sets them
    assert definition["AlgorithmSpecification"]["TrainingImage"].endswith("pytorch-training:2.3-cpu-py311")
    assert definition["AlgorithmSpecification"]["MetricDefinitions"][0]["Name"] == "objective"
    assert definition["RoleArn"] == ROLE

    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="amt-hydra/quadratic-moto/source/sourcedir.tar.gz")
    with tarfile.open(fileobj=io.BytesIO(body["Body"].read())) as tar:
        names = set(tar.getnames())
        sidecar = json.load(tar.extractfile("amt_hydra_entry.json"))  # type: ignore[arg-type]
    assert names == {"my_app.py", "conf/config.yaml", "conf/tune.yaml", "amt_hydra_entry.py", "amt_hydra_entry.json"}
    assert sidecar == {"app": "my_app.py", "config_name": "config", "config_path": "conf"}

    # moto answers a canned Completed job and no training-job listing: the report falls back, results still land
    result = json.loads((sweep_dir / "result.json").read_text())
    assert result["TrainingJobs"] == [] and "TrainingJobsError" in result
    assert yaml.safe_load((sweep_dir / "optimization_results.yaml").read_text())["name"] == "amt"


def test_sagemaker_sweep_without_waiting(aws_env: dict[str, str], tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    proc = run_sweep([*SEARCH, "hydra/sweeper/launcher=sagemaker", f"hydra.sweeper.launcher.bucket={BUCKET}",
                      "hydra.sweeper.wait=false", "hydra.sweeper.job_name=quadratic-nowait",
                      "hydra.sweeper.estimator.image_uri=123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"],
                     sweep_dir)
    assert proc.returncode == 0, proc.stderr
    job = boto3.client("sagemaker").describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="quadratic-nowait")
    image = job["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"]
    assert image == "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"  # the explicit image replaces pytorch
    assert not (sweep_dir / "optimization_results.yaml").exists()
    assert "submitted tuning job quadratic-nowait" in proc.stderr + proc.stdout
