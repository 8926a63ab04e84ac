"""The SageMaker SDK and plain boto3 scripts read local jobs as they read SageMaker's.

One tuning job with instance fallbacks runs behind `python -m amt_hydra.local serve`; then SDK v3's
`HyperparameterTuningJobAnalytics` (through a Session whose client is `LocalSageMakerClient`), its
`sagemaker.core.resources` objects (through a boto3 session pointed at the endpoint), seed 2's
`list_instances` (verbatim, in a separate process) and, opt-in, SDK v2's `HyperparameterTuner.attach`
(in a side virtualenv: `AMT_HYDRA_SDK_V2_PYTHON=/tmp/v2/bin/python`) all read it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.trials.resources import count_cuda_devices
from tests.local.conftest import CODE_URI, X_RANGE, make_request, wait_for
from tests.local.endpoint.test_endpoint import DUMMY, REGION, serve_process

NAME = "sdk-fallbacks"
CONFIGS = [{"InstanceType": t, "InstanceCount": 1, "VolumeSizeInGB": 5} for t in ("ml.g5.xlarge", "ml.c5.xlarge")]
PYTORCH = {"sagemaker_estimator_class_name": '"PyTorch"', "sagemaker_estimator_module": '"sagemaker.pytorch.estimator"'}

# Seed 2's helper, verbatim: which instance each training job of a tuning job ran on.
LIST_INSTANCES = '''
import json, sys

import boto3


def list_instances(name):
    sm = boto3.client("sagemaker")
    out, token = {}, None
    while True:
        kwargs = {"HyperParameterTuningJobName": name, "MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = sm.list_training_jobs_for_hyper_parameter_tuning_job(**kwargs)
        for job in page["TrainingJobSummaries"]:
            described = sm.describe_training_job(TrainingJobName=job["TrainingJobName"])
            out[job["TrainingJobName"]] = described["ResourceConfig"]
        token = page.get("NextToken")
        if not token:
            return out


print(json.dumps(list_instances(sys.argv[1])))
'''

# SDK v2 (sagemaker<3) attaches to the tuning job and rebuilds its best estimator.
V2_ATTACH = '''
import json, sys

import boto3
from sagemaker.session import Session
from sagemaker.tuner import HyperparameterTuner

session = Session(boto_session=boto3.Session(region_name=sys.argv[2]))
tuner = HyperparameterTuner.attach(sys.argv[1], sagemaker_session=session)
best = tuner.best_training_job()
estimator = tuner.best_estimator()
print(json.dumps({"best": best, "estimator": type(estimator).__name__, "metric": tuner.objective_metric_name,
                  "instance_type": estimator.instance_type, "jobs": len(tuner.analytics().dataframe())}))
'''


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, source_dir: Path, data_dir: Path) -> Iterator[dict[str, Any]]:
    """A server on a fresh store and one finished tuning job with instance fallbacks, created over HTTP."""
    import boto3

    root = tmp_path_factory.mktemp("sdk-store")
    s3 = tmp_path_factory.mktemp("sdk-s3")
    args = ("--root", str(root), "--s3-root", str(s3), "--local-copy", f"{CODE_URI}={source_dir}")
    (s3 / "amt-hydra-test" / "data").mkdir(parents=True)
    (s3 / "amt-hydra-test" / "data" / "train").symlink_to(data_dir)
    with serve_process(*args, "--stop-grace-s", "0.5", "--quiet", log=root.parent / "sdk-server.log") as (url, _):
        sm = boto3.client("sagemaker", endpoint_url=url, region_name=REGION, **DUMMY)
        request = make_request(NAME, max_jobs=3, parallel=3, continuous=X_RANGE, static=PYTORCH)
        definition = request["TrainingJobDefinition"]
        del definition["ResourceConfig"]
        fallbacks = {"InstanceConfigs": CONFIGS, "AllocationStrategy": "Prioritized"}
        definition["HyperParameterTuningResourceConfig"] = fallbacks
        sm.create_hyper_parameter_tuning_job(**request)
        assert wait_for(sm, NAME)["HyperParameterTuningJobStatus"] == "Completed"
        yield {"url": url, "root": root}


def aws_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "AWS_ENDPOINT_URL_SAGEMAKER": url, "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "anything", "AWS_SECRET_ACCESS_KEY": "anything"}


def expected_instance() -> str:
    return "ml.g5.xlarge" if count_cuda_devices() else "ml.c5.xlarge"  # a GPU type needs a CUDA device


def test_seed_2_list_instances_runs_verbatim_in_another_process(served: dict[str, Any]) -> None:
    out = subprocess.run([sys.executable, "-c", LIST_INSTANCES, NAME], env=aws_env(served["url"]),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    instances = json.loads(out.stdout)
    assert len(instances) == 3  # two pages of MaxResults=2
    assert all(config == {**CONFIGS[0], "InstanceType": expected_instance()} for config in instances.values())


def test_sdk_v3_analytics_dataframe(served: dict[str, Any]) -> None:
    import boto3
    from sagemaker.core.analytics import HyperparameterTuningJobAnalytics
    from sagemaker.core.helper.session_helper import Session

    client = LocalSageMakerClient(root=served["root"])
    session = Session(boto_session=boto3.Session(region_name=REGION, **DUMMY), sagemaker_client=client)
    analytics = HyperparameterTuningJobAnalytics(NAME, sagemaker_session=session)
    frame = analytics.dataframe()
    assert len(frame) == 3 and set(frame["TrainingJobStatus"]) == {"Completed"}
    assert frame["x"].between(0.0, 1.0).all() and frame["TrainingElapsedTimeSeconds"].ge(0).all()
    best = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=NAME)["BestTrainingJob"]
    assert frame["FinalObjectiveValue"].min() == best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert analytics.tuning_ranges == {"x": {**X_RANGE[0]}}


def test_sdk_v3_resources_over_http(served: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from sagemaker.core.resources import HyperParameterTuningJob, TrainingJob

    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", served["url"])
    session = boto3.Session(region_name=REGION, **DUMMY)
    job = HyperParameterTuningJob.get(NAME, session=session, region=REGION)
    assert job.hyper_parameter_tuning_job_status == "Completed"
    assert job.training_job_status_counters.completed == 3
    statics = job.training_job_definition.static_hyper_parameters
    assert statics["_tuning_objective_metric"] == "loss"  # SageMaker echoes it; SDK v2's attach reads it
    best = TrainingJob.get(job.best_training_job.training_job_name, session=session, region=REGION)
    assert best.resource_config.instance_type == expected_instance()
    assert best.output_data_config.kms_key_id == ""
    assert best.secondary_status_transitions[-1].end_time is not None


@pytest.mark.skipif(not os.environ.get("AMT_HYDRA_SDK_V2_PYTHON"), reason="opt-in: AMT_HYDRA_SDK_V2_PYTHON=<python "
                    "of a virtualenv with sagemaker<3>")
def test_sdk_v2_attach_and_best_estimator(served: dict[str, Any]) -> None:
    """SDK v2 reads `ResourceConfig` of the definition, so (as on SageMaker) it cannot attach to a job with
    instance fallbacks: this one has a single instance type."""
    import boto3

    sm = boto3.client("sagemaker", endpoint_url=served["url"], region_name=REGION, **DUMMY)
    sm.create_hyper_parameter_tuning_job(**make_request("sdk-v2", max_jobs=2, parallel=2, continuous=X_RANGE,
                                                        static=PYTORCH))
    assert wait_for(sm, "sdk-v2")["HyperParameterTuningJobStatus"] == "Completed"
    env = {**aws_env(served["url"]), "SAGEMAKER_SUPPRESS_V2_WARNING": "1"}
    python = os.environ["AMT_HYDRA_SDK_V2_PYTHON"]
    out = subprocess.run([python, "-c", V2_ATTACH, "sdk-v2", REGION], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, (out.stdout + out.stderr)[-3000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["estimator"] == "PyTorch" and found["metric"] == "loss" and found["jobs"] == 2
    assert found["instance_type"] == "ml.m5.large" and found["best"].startswith("sdk-v2-")
