"""Dry runs never touch the network and need nothing downloaded.

AWS_ENDPOINT_URL points at a closed port of 127.0.0.1, so any AWS call (STS for the default bucket, S3, SageMaker)
would fail the run: a dry run that succeeds made none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, ROLE, free_port, run_cli, write_mnist_like

PLACEHOLDER = "s3://sagemaker-us-east-1-<ACCOUNT-ID>/amt-hydra/mnist-dry/"


@pytest.fixture(autouse=True)
def no_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)


def _env(tmp_path: Path, credentials: bool, data: bool) -> dict[str, str]:
    data_root = tmp_path / "data"
    if data:
        write_mnist_like(data_root / "mnist")
    keys = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") if credentials else ("", "")
    return {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1], "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true",
            "SAGEMAKER_ROLE_ARN": ROLE, "AMT_HYDRA_DATA": str(data_root)}


def _dry_run(tmp_path: Path, env: dict[str, str], *extra: str) -> tuple[dict, str]:
    args = ["+experiment=mnist", "launcher=sagemaker", "dry_run=true", "job_name=mnist-dry",
            f"hydra.run.dir={tmp_path / 'run'}", *extra]
    result = run_cli(args, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)
    assert json.loads((tmp_path / "run" / "request.json").read_text()) == request
    assert "train.py" not in (tmp_path / "run" / "packed_files.txt").read_text().split()
    assert "mnist.py" in (tmp_path / "run" / "packed_files.txt").read_text().split()
    return request, result.stderr


@pytest.mark.parametrize("credentials", [True, False], ids=["credentials", "no-credentials"])
@pytest.mark.parametrize("data", [True, False], ids=["data", "no-data"])
def test_default_bucket_is_a_marked_placeholder_offline(tmp_path: Path, credentials: bool, data: bool) -> None:
    request, stderr = _dry_run(tmp_path, _env(tmp_path, credentials, data))
    definition = request["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"]["sagemaker_submit_directory"] == \
        PLACEHOLDER + "source/sourcedir.tar.gz"
    assert definition["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"].startswith(PLACEHOLDER)
    assert definition["OutputDataConfig"]["S3OutputPath"].startswith(PLACEHOLDER)
    assert "is a placeholder" in stderr and "set launcher.bucket=<bucket> for the exact request" in stderr


def test_with_a_bucket_the_request_is_exact_offline(tmp_path: Path) -> None:
    request, stderr = _dry_run(tmp_path, _env(tmp_path, True, False), "launcher.bucket=my-bucket")
    assert "<ACCOUNT-ID>" not in json.dumps(request) and "placeholder" not in stderr
    uri = request["TrainingJobDefinition"]["StaticHyperParameters"]["sagemaker_submit_directory"]
    assert uri == "s3://my-bucket/amt-hydra/mnist-dry/source/sourcedir.tar.gz"


def test_submitting_without_network_is_one_line(tmp_path: Path) -> None:
    """Not a dry run: the default bucket asks STS, which cannot be reached; one line, no traceback."""
    args = ["+experiment=xgboost_fallbacks", "launcher=sagemaker", "launcher.max_attempts=1", "job_name=xgb-off",
            f"hydra.run.dir={tmp_path / 'run'}"]
    result = run_cli(args, cwd=REPO, env=_env(tmp_path, True, False))
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("error: launcher.bucket: not set, and the default bucket is unknown: ")
    assert result.stderr.count("\n") == 1 and "sts:GetCallerIdentity" in result.stderr
