"""Networks fail fast and clearly: an endpoint that never answers, a closed port, an unknown host and one that
always throttles each end in one line (exit 3 at the CLI) within the configured timeouts and retry budget."""

from __future__ import annotations

import json
import time
from pathlib import Path

import boto3
import pytest

from amt_hydra.errors import ConfigError, LaunchError
from amt_hydra.launcher.base import LaunchContext
from amt_hydra.launcher.sagemaker import SageMakerLauncher, SageMakerLauncherConfig
from tests.conftest import REPO, ROLE, run_cli
from tests.sweeper.conftest import SEARCH, run_sweep

from .conftest import FAST, ONE_CALL_S

GOLDEN = REPO / "tests" / "request" / "golden" / "xgboost_fallbacks.json"
SLACK_S = 3.0  # process scheduling on a loaded machine; the point is seconds, not botocore's 675
CLI_FAST = [f"launcher.{key}={value}" for key, value in FAST.items()]


@pytest.fixture
def aws_at(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # noqa: ANN201 - a small factory
    """Point boto3 at `url` (any credentials), as AWS_ENDPOINT_URL does for the CLI."""
    def point(url: str) -> dict[str, str]:
        env = {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1", "SAGEMAKER_ROLE_ARN": ROLE,
               "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        for key in ("AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(key, raising=False)
        return env
    return point


def _submit_timed(tmp_path: Path, **settings: object) -> tuple[LaunchError, float]:
    launcher = SageMakerLauncher(bucket="amt-test-bucket", **{**FAST, **settings})
    launcher.region = "us-east-1"
    start = time.monotonic()
    with pytest.raises(LaunchError) as excinfo:
        launcher.submit(json.loads(GOLDEN.read_text()), LaunchContext(run_dir=tmp_path))
    return excinfo.value, time.monotonic() - start


def _one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_black_hole_gives_up_within_the_timeouts(aws_at, black_hole: str, tmp_path: Path) -> None:
    aws_at(black_hole)
    error, elapsed = _submit_timed(tmp_path)
    assert str(error).startswith("describing xgboost-fallbacks-golden: ReadTimeoutError: Read timeout on endpoint")
    assert "launcher.read_timeout_s" in str(error) and "\n" not in str(error)
    assert FAST["read_timeout_s"] <= elapsed < ONE_CALL_S + SLACK_S


@pytest.mark.parametrize("where", ["closed port", "unknown host"])
def test_unreachable_endpoint_is_one_line(aws_at, closed_port: str, tmp_path: Path, where: str) -> None:
    aws_at(closed_port if where == "closed port" else "http://amt-hydra-no-such-host.invalid")
    error, elapsed = _submit_timed(tmp_path)
    assert "EndpointConnectionError: Could not connect to the endpoint URL" in str(error)
    assert "\n" not in str(error)
    assert elapsed < ONE_CALL_S + SLACK_S


def test_always_throttled_gives_up_within_the_budget(aws_at, throttling_endpoint, tmp_path: Path) -> None:
    url, requests = throttling_endpoint
    aws_at(url)
    error, elapsed = _submit_timed(tmp_path, max_attempts=2, retry_budget_s=6.0)
    assert "ThrottlingException: Rate exceeded (request id throttled-" in str(error)
    assert len(requests) > 2  # botocore's attempts and then ours: throttling is still retried
    assert set(requests) == {"SageMaker.DescribeHyperParameterTuningJob"}
    assert elapsed < 6.0 + FAST["connect_timeout_s"] + FAST["read_timeout_s"] + SLACK_S  # one deadline for both


def test_cli_black_hole_is_one_line_and_exit_3(aws_at, black_hole: str, tmp_path: Path) -> None:
    env = aws_at(black_hole)
    args = ["+experiment=xgboost_fallbacks", "launcher=sagemaker", "launcher.bucket=amt-test-bucket",
            "job_name=hole", f"hydra.run.dir={tmp_path / 'run'}", *CLI_FAST]
    result = run_cli(args, cwd=REPO, env=env, timeout=120)
    assert result.returncode == 3, result.stderr
    assert _one_line_error(result.stderr).startswith("error: describing hole: ReadTimeoutError")


def test_cli_sts_failure_is_one_line_and_exit_3(aws_at, closed_port: str, tmp_path: Path) -> None:
    env = aws_at(closed_port)
    args = ["+experiment=xgboost_fallbacks", "launcher=sagemaker", f"hydra.run.dir={tmp_path / 'run'}", *CLI_FAST]
    result = run_cli(args, cwd=REPO, env=env, timeout=120)
    assert result.returncode == 3, result.stderr
    line = _one_line_error(result.stderr)
    assert line.startswith("error: launcher.bucket: not set, and the default bucket is unknown: sts:GetCallerIdentity")
    assert "Could not connect to the endpoint URL" in line


@pytest.mark.parametrize("endpoint", ["black_hole", "closed_port", "throttling_endpoint"])
def test_inspect_is_one_line_and_exit_3(aws_at, endpoint: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(endpoint)
    env = aws_at(url[0] if isinstance(url, tuple) else url)
    result = run_cli(["inspect", "some-job", "launcher=sagemaker", *CLI_FAST], cwd=REPO, env=env, timeout=120)
    assert result.returncode == 3, result.stderr
    expected = {"black_hole": "ReadTimeoutError", "closed_port": "EndpointConnectionError",
                "throttling_endpoint": "ThrottlingException"}[endpoint]
    line = _one_line_error(result.stderr)
    assert line.startswith(f"error: inspecting some-job: DescribeHyperParameterTuningJob: {expected}")


def test_sweeper_unreachable_endpoint_is_one_line_and_exit_3(aws_at, closed_port: str, tmp_path: Path) -> None:
    aws_at(closed_port)
    fast = [f"hydra.sweeper.launcher.{key}={value}" for key, value in FAST.items()]
    proc = run_sweep([*SEARCH, "hydra/sweeper/launcher=sagemaker", "hydra.sweeper.launcher.bucket=amt-test-bucket",
                      "hydra.sweeper.job_name=sweep-unreachable", *fast], tmp_path / "sweep")
    assert proc.returncode == 3, proc.stderr
    assert _one_line_error(proc.stderr).startswith("error: describing sweep-unreachable: EndpointConnectionError")


def test_service_errors_stay_client_errors_and_are_one_line(aws_env: dict[str, str]) -> None:
    """The client the app waits with: callers still see ClientError codes; the CLI boundary sees a LaunchError."""
    from botocore.exceptions import ClientError

    launcher = SageMakerLauncher(bucket="amt-test-bucket", **FAST)
    launcher.region = "us-east-1"
    with pytest.raises(ClientError) as excinfo:
        launcher.client().describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="nobody")
    assert isinstance(excinfo.value, LaunchError)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFound"
    assert str(excinfo.value).startswith("DescribeHyperParameterTuningJob: ResourceNotFound: ")
    assert "\n" not in str(excinfo.value)
    assert boto3.client("sagemaker").list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []


@pytest.mark.parametrize("key", ["connect_timeout_s", "read_timeout_s", "retry_budget_s"])
def test_network_settings_must_be_positive(key: str) -> None:
    with pytest.raises(ConfigError, match=f"launcher.{key}: must be > 0"):
        SageMakerLauncherConfig(**{key: 0})
