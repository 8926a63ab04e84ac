"""A launcher of one's own is one class plus one YAML file: the CLI submits with it, `inspect` finds it too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3

from tests.conftest import REPO, run_cli


def _config_dir(tmp_path: Path, endpoint: str) -> Path:
    conf = tmp_path / "my_conf"
    (conf / "launcher").mkdir(parents=True)
    (conf / "launcher" / "endpoint.yaml").write_text(
        f"_target_: tests.launcher.toy_launcher.EndpointLauncher\nendpoint_url: {endpoint}\nbucket: my-bucket\n"
        "poll_s: 0.05\n"
    )
    return conf


def test_a_toy_launcher_runs_and_is_inspected(aws_env: dict, tmp_path: Path) -> None:
    conf = _config_dir(tmp_path, aws_env["AWS_ENDPOINT_URL"])
    env = {"AWS_MAX_ATTEMPTS": "2"}  # moto does not list training jobs (HTTP 500): keep its retries short
    args = ["--config-dir", str(conf), "launcher=endpoint", "+experiment=xgboost_fallbacks", "job_name=toy-1",
            f"hydra.run.dir={tmp_path / 'run'}"]
    result = run_cli(args, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr
    assert "toy-1: Completed" in result.stdout  # the app waited and reported through the toy's client
    request = json.loads((tmp_path / "run" / "request.json").read_text())
    code = request["TrainingJobDefinition"]["StaticHyperParameters"]["sagemaker_submit_directory"]
    assert code == "s3://my-bucket/toy-1/source/sourcedir.tar.gz"
    assert boto3.client("sagemaker").describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="toy-1")
    inspect = [sys.executable, "-m", "amt_hydra", "inspect", "toy-1", "--config-dir", str(conf), "launcher=endpoint"]
    shown = subprocess.run(inspect, cwd=REPO, capture_output=True, text=True, timeout=120,
                           env={**os.environ, **env})
    assert shown.returncode == 0, shown.stderr
    assert "toy-1: Completed" in shown.stdout
