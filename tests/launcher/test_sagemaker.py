"""The SageMaker launcher against moto's real HTTP server: submit, read back, find the code in S3."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from amt_hydra.launcher.aws import with_retries
from amt_hydra.packing import package_source
from tests.conftest import REPO, run_cli
from tests.helpers import diff
from tests.packing.project import CODE, SECRETS, write_experiment, write_project

BUCKET = "amt-test-bucket"


def _submit(experiment: str, tmp_path: Path, *extra: str) -> tuple[dict, str]:
    run_dir = tmp_path / "run"
    args = [f"+experiment={experiment}", "launcher=sagemaker", f"launcher.bucket={BUCKET}", "launcher.poll_s=0.01",
            f"hydra.run.dir={run_dir}", *extra]
    result = run_cli(args, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return json.loads((run_dir / "request.json").read_text()), result.stdout


def _tarball(key: str) -> tarfile.TarFile:
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return tarfile.open(fileobj=io.BytesIO(body), mode="r:gz")


def test_mnist_submitted_and_read_back(aws_env: dict, data_root: Path, tmp_path: Path) -> None:
    request, stdout = _submit("mnist", tmp_path, "job_name=mnist-moto", "wait=false")
    assert "created tuning job mnist-moto" in stdout
    job = boto3.client("sagemaker").describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="mnist-moto")
    assert diff(request["HyperParameterTuningJobConfig"], job["HyperParameterTuningJobConfig"]) == []
    assert diff(request["TrainingJobDefinition"], job["TrainingJobDefinition"]) == []
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert "amt-hydra/mnist-moto/source/sourcedir.tar.gz" in keys
    assert "amt-hydra/mnist-moto/input/training/train-images-idx3-ubyte" in keys
    names = _tarball("amt-hydra/mnist-moto/source/sourcedir.tar.gz").getnames()
    assert "mnist.py" in names and "xgb.py" in names
    assert not [n for n in names if "__pycache__" in n]


def test_secrets_never_reach_the_bucket(aws_env: dict, tmp_path: Path) -> None:
    project = write_experiment(write_project(tmp_path / "project"))
    run_dir = tmp_path / "run"
    args = ["--config-dir", str(project / "conf"), "+experiment=packed", "launcher=sagemaker", "job_name=packed-s3",
            f"launcher.bucket={BUCKET}", "wait=false", f"hydra.run.dir={run_dir}"]
    result = run_cli(args, cwd=project)
    assert result.returncode == 0, result.stderr
    names = set(_tarball("amt-hydra/packed-s3/source/sourcedir.tar.gz").getnames())
    assert names == set(CODE) | {"conf/experiment/packed.yaml"}
    assert not names & set(SECRETS)
    assert (run_dir / "packed_files.txt").read_text().splitlines() == sorted(names)


def test_xgboost_fallbacks_instance_configs_in_order(aws_env: dict, tmp_path: Path) -> None:
    # moto answers the listing with HTTP 500 (not implemented); two attempts keep its retries short
    request, stdout = _submit("xgboost_fallbacks", tmp_path, "job_name=xgb-moto", "launcher.max_attempts=2")
    job = boto3.client("sagemaker").describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="xgb-moto")
    definition = job["TrainingJobDefinition"]
    assert "ResourceConfig" not in definition
    configs = definition["HyperParameterTuningResourceConfig"]["InstanceConfigs"]
    assert [c["InstanceType"] for c in configs] == ["ml.m4.xlarge", "ml.m5.4xlarge"]
    assert [c["VolumeSizeInGB"] for c in configs] == [5, 5]
    assert definition["HyperParameterTuningResourceConfig"]["AllocationStrategy"] == "Prioritized"
    # wait=true: the progress line, then the report (moto does not list training jobs, which is said)
    assert "xgb-moto: Completed" in stdout
    result = json.loads((tmp_path / "run" / "result.json").read_text())
    assert result["TuningJob"]["HyperParameterTuningJobName"] == "xgb-moto"
    assert (tmp_path / "run" / "report.html").exists()
    assert "xgb.py" in _tarball("amt-hydra/xgb-moto/source/sourcedir.tar.gz").getnames()


def test_resubmitting_the_same_name_creates_no_duplicate(aws_env: dict, tmp_path: Path) -> None:
    _submit("xgboost_fallbacks", tmp_path, "job_name=xgb-twice", "wait=false")
    _, stdout = _submit("xgboost_fallbacks", tmp_path, "job_name=xgb-twice", "wait=false")
    assert "already exists" in stdout
    summaries = boto3.client("sagemaker").list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
    assert [s["HyperParameterTuningJobName"] for s in summaries] == ["xgb-twice"]


def test_default_bucket_from_the_account(aws_env: dict, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    args = ["+experiment=xgboost_fallbacks", "launcher=sagemaker", "job_name=xgb-default", "wait=false",
            f"hydra.run.dir={run_dir}"]
    assert run_cli(args, cwd=REPO).returncode == 0
    request = json.loads((run_dir / "request.json").read_text())
    uri = request["TrainingJobDefinition"]["StaticHyperParameters"]["sagemaker_submit_directory"]
    assert uri == "s3://sagemaker-us-east-1-123456789012/amt-hydra/xgb-default/source/sourcedir.tar.gz"
    assert boto3.client("s3").head_object(Bucket="sagemaker-us-east-1-123456789012",
                                          Key="amt-hydra/xgb-default/source/sourcedir.tar.gz")


@pytest.mark.parametrize(("unset", "message"), [
    (("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), "error: no AWS credentials"),
    (("AWS_DEFAULT_REGION",), "error: no AWS region"),
])
def test_missing_credentials_or_region(aws_env: dict, tmp_path: Path, unset: tuple[str, ...], message: str) -> None:
    env = {k: "" for k in unset}
    env.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    args = ["+experiment=xgboost_fallbacks", "launcher=sagemaker", f"launcher.bucket={BUCKET}",
            f"hydra.run.dir={tmp_path / 'run'}"]
    result = run_cli(args, cwd=REPO, env=env)
    assert result.returncode == 3
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_dry_run_needs_no_credentials(tmp_path: Path) -> None:
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
           "SAGEMAKER_ROLE_ARN": "arn:aws:iam::123456789012:role/SageMakerRole"}
    args = ["+experiment=xgboost_fallbacks", "launcher=sagemaker", "dry_run=true", f"hydra.run.dir={tmp_path}"]
    result = run_cli(args, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["HyperParameterTuningJobConfig"]["Strategy"] == "Random"


def test_throttling_is_retried(aws_env: dict) -> None:
    request = json.loads((Path(__file__).parents[1] / "request" / "golden" / "xgboost_fallbacks.json").read_text())
    client = boto3.client("sagemaker")
    sleeps: list[float] = []
    with Stubber(client) as stub:
        for _ in range(2):
            stub.add_client_error("create_hyper_parameter_tuning_job", "ThrottlingException", "Rate exceeded")
        stub.add_response("create_hyper_parameter_tuning_job", {"HyperParameterTuningJobArn": "arn:x"}, request)
        response = with_retries(lambda: client.create_hyper_parameter_tuning_job(**request), sleep=sleeps.append)
        stub.assert_no_pending_responses()
    assert response["HyperParameterTuningJobArn"] == "arn:x"
    assert len(sleeps) == 2


def test_source_package_leaves_secrets_and_caches_out(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for rel in ["train.py", "pkg/model.py", ".git/config", ".env", "pkg/__pycache__/m.pyc", ".aws/credentials",
                "key.pem", "notes/.env.local"]:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("x")
    assert package_source(src, tmp_path / "sourcedir.tar.gz") == ["pkg/model.py", "train.py"]


def test_invalid_bucket_name_is_one_line(aws_env: dict, tmp_path: Path) -> None:
    args = ["+experiment=xgboost_fallbacks", "launcher=sagemaker", "launcher.bucket=Bad_Bucket",
            f"hydra.run.dir={tmp_path / 'run'}"]
    result = run_cli(args, cwd=REPO)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: launcher.bucket: 'Bad_Bucket' is not a valid S3 bucket name")
    assert result.stderr.count("\n") == 1
    assert boto3.client("sagemaker").list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
