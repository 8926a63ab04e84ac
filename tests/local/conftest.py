"""Fixtures for the local engine: real training scripts, real requests in SageMaker's shapes, a client
with a fresh store, and helpers that poll like the waiting code does (milliseconds, no fixed sleeps)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from amt_hydra.constants import TERMINAL_TUNING
from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.api.errors import output_shape

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
CODE_URI = "s3://amt-hydra-test/jobs/code/sourcedir.tar.gz"
DATA_URI = "s3://amt-hydra-test/data/train"
LOSS_REGEX = r"epoch [0-9]+#011loss: (\S+)"

# One script for every behaviour a test needs, chosen by hyperparameters. It prints the objective once
# per epoch with a tab (SageMaker's logs show it as #011) and records what it saw as SageMaker passes it.
TRAIN_PY = r"""
import argparse, json, math, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--mode", default="ok")
p.add_argument("-x", "--x", type=float, default=0.5)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--sleep", type=float, default=0.0)
p.add_argument("--quality", default="good")
args, unknown = p.parse_known_args()

config_dir = os.environ["SM_INPUT_CONFIG_DIR"]
seen = {
    "argv": sys.argv[1:],
    "env": {k: v for k, v in os.environ.items() if k.startswith(("SM_", "TRAINING_JOB", "OMP_", "MY_"))},
    "affinity": sorted(os.sched_getaffinity(0)),
    "channel": sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])),
    "hyperparameters.json": json.load(open(os.path.join(config_dir, "hyperparameters.json"))),
    "resourceconfig.json": json.load(open(os.path.join(config_dir, "resourceconfig.json"))),
}
with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "seen.json"), "w") as f:
    json.dump(seen, f)

if args.mode == "crash":
    print("preparing a crash", flush=True)
    raise ValueError("boom: the script crashed on purpose")
if args.mode == "timeout":
    time.sleep(120)
for epoch in range(args.epochs):
    loss = (args.x - 0.3) ** 2 + 1.0 / (epoch + 1) + (10.0 if args.quality == "bad" else 0.0)
    if args.mode == "nan":
        print(f"epoch {epoch}\tloss: nan")
    elif args.mode == "text":
        print(f"epoch {epoch}\tloss: cat")
    elif args.mode != "nometric":
        print(f"epoch {epoch}\tloss: {loss}")
    print(f"epoch {epoch}\taccuracy: {1.0 / (1.0 + loss)}", file=sys.stderr)
    time.sleep(args.sleep)
"""


@pytest.fixture(scope="session")
def source_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("src")
    (folder / "train.py").write_text(TRAIN_PY)
    return folder


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    (folder / "train.csv").write_text("1,2\n3,4\n")
    return folder


@pytest.fixture(scope="session")
def copies(source_dir: Path, data_dir: Path) -> dict[str, str]:
    return {CODE_URI: str(source_dir), DATA_URI: str(data_dir)}


def make_request(
    name: str,
    strategy: str = "Random",
    max_jobs: int | None = 4,
    parallel: int = 2,
    static: dict[str, str] | None = None,
    continuous: list[dict[str, str]] | None = None,
    integer: list[dict[str, str]] | None = None,
    categorical: list[dict[str, Any]] | None = None,
    seed: int | None = 7,
    objective_type: str = "Minimize",
    max_runtime_s: int = 60,
    resource_config: dict[str, Any] | None = None,
    **config: Any,
) -> dict[str, Any]:
    """A CreateHyperParameterTuningJob request in the shape of amt-semantics §1 (SDK v2 encoding)."""
    limits: dict[str, Any] = {"MaxParallelTrainingJobs": parallel}
    if max_jobs is not None:
        limits["MaxNumberOfTrainingJobs"] = max_jobs
    ranges = {
        "ContinuousParameterRanges": continuous or [],
        "IntegerParameterRanges": integer or [],
        "CategoricalParameterRanges": categorical or [],
    }
    tuning_config: dict[str, Any] = {
        "Strategy": strategy,
        "ResourceLimits": limits,
        "HyperParameterTuningJobObjective": {"Type": objective_type, "MetricName": "loss"},
        "ParameterRanges": ranges,
        "TrainingJobEarlyStoppingType": "Off",
        **config,
    }
    if seed is not None:
        tuning_config["RandomSeed"] = seed
    statics = {
        "epochs": "3",
        "sagemaker_program": '"train.py"',
        "sagemaker_submit_directory": f'"{CODE_URI}"',
        "sagemaker_container_log_level": "20",
        **(static or {}),
    }
    definition = {
        "StaticHyperParameters": statics,
        "AlgorithmSpecification": {
            "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3-cpu-py311",
            "TrainingInputMode": "File",
            "MetricDefinitions": [
                {"Name": "loss", "Regex": LOSS_REGEX},
                {"Name": "accuracy", "Regex": r"#011accuracy: (\S+)"},
            ],
        },
        "RoleArn": ROLE,
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": DATA_URI,
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://amt-hydra-test/jobs/output"},
        "ResourceConfig": resource_config
        or {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime_s},
        "Environment": {"MY_SETTING": "a b;$HOME 'quoted'"},
    }
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": tuning_config,
        "TrainingJobDefinition": definition,
        "Tags": [{"Key": "project", "Value": "amt-hydra"}],
    }


X_RANGE = [{"Name": "x", "MinValue": "0.0", "MaxValue": "1.0", "ScalingType": "Linear"}]


@pytest.fixture
def client_factory(tmp_path: Path, copies: dict[str, str]) -> Callable[..., LocalSageMakerClient]:
    def make(**kwargs: Any) -> LocalSageMakerClient:
        options = {
            "root": tmp_path / "store",
            "local_copies": copies,
            "poll_interval_s": 0.02,
            "stop_grace_s": 0.5,
            **kwargs,
        }
        return LocalSageMakerClient(**options)

    return make


@pytest.fixture
def client(client_factory: Callable[..., LocalSageMakerClient]) -> LocalSageMakerClient:
    return client_factory()


def wait_for(
    client: Any, name: str, timeout: float = 90.0, until: Callable[[dict], bool] | None = None
) -> dict:
    """Poll DescribeHyperParameterTuningJob every 20 ms until terminal (or `until` holds)."""
    deadline = time.monotonic() + timeout
    while True:
        desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        done = until(desc) if until else desc["HyperParameterTuningJobStatus"] in TERMINAL_TUNING
        if done:
            return desc
        assert time.monotonic() < deadline, f"tuning job {name} still {desc['HyperParameterTuningJobStatus']}"
        time.sleep(0.02)


def run_job(client: Any, request: dict[str, Any], timeout: float = 90.0) -> dict:
    client.create_hyper_parameter_tuning_job(**copy.deepcopy(request))
    return wait_for(client, request["HyperParameterTuningJobName"], timeout)


def summaries(client: Any, name: str, **params: Any) -> list[dict[str, Any]]:
    """Every training job summary, following NextToken."""
    out: list[dict[str, Any]] = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name, MaxResults=100, **params, **extra
        )
        out.extend(page["TrainingJobSummaries"])
        token = page.get("NextToken")
        if not token:
            return out


def assert_shape(operation: str, response: dict[str, Any]) -> None:
    """The response conforms to botocore's output shape (required members, types); Local* keys aside."""
    from botocore.validate import ParamValidator

    body = {k: v for k, v in response.items() if not k.startswith("Local") and k != "ResponseMetadata"}
    report = ParamValidator().validate(body, output_shape(operation))
    assert not report.has_errors(), report.generate_report()
