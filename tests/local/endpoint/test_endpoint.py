"""The local engine as a SageMaker endpoint, driven by botocore exactly as users drive SageMaker.

Every test runs twice: over HTTP against `python -m amt_hydra.local serve` in its own process (boto3 with
`endpoint_url`), and against the in-process botocore client. Both answer through the same dispatch.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from amt_hydra.constants import TERMINAL_TUNING as TERMINAL
from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.api.operations import dispatch
from amt_hydra.local.endpoint import inprocess_client
from tests.local.conftest import CODE_URI, DATA_URI, X_RANGE, make_request, wait_for

REGION = "us-east-1"
DUMMY = {"aws_access_key_id": "anything", "aws_secret_access_key": "anything"}


@contextmanager
def serve_process(*args: str, log: Path) -> Iterator[tuple[str, int]]:
    """`python -m amt_hydra.local serve ARGS` on a free port; yields its URL (its first line) and pid; stops it."""
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "amt_hydra.local", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        assert first.startswith("endpoint: http://127.0.0.1:"), (first, log.read_text())
        yield first.split()[1], proc.pid
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0, log.read_text()
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="module")
def bucket_root(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """An --s3-root holding the data channel at DATA_URI's bucket/key."""
    root = tmp_path_factory.mktemp("s3")
    folder = root / DATA_URI.removeprefix("s3://")
    folder.mkdir(parents=True)
    (folder / "train.csv").write_text((data_dir / "train.csv").read_text())
    return root


@pytest.fixture(scope="module")
def store_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="module")
def endpoint_url(store_root: Path, bucket_root: Path, source_dir: Path) -> Iterator[str]:
    args = ("--root", str(store_root), "--s3-root", str(bucket_root), "--local-copy", f"{CODE_URI}={source_dir}")
    with serve_process(*args, "--stop-grace-s", "0.5", log=store_root.parent / "server.log") as (url, _):
        yield url


def local_client(store_root: Path, bucket_root: Path, source_dir: Path) -> LocalSageMakerClient:
    """The engine client the server builds from its options (`--s3-root` is the `s3://` prefix)."""
    copies = {"s3://": str(bucket_root), CODE_URI: str(source_dir)}
    return LocalSageMakerClient(root=store_root, local_copies=copies, stop_grace_s=0.5)


@pytest.fixture(params=["http", "inprocess"])
def sm(request: pytest.FixtureRequest, store_root: Path, bucket_root: Path, source_dir: Path) -> Any:
    """A botocore SageMaker client: boto3 over HTTP to the server, or in process; same store either way."""
    if request.param == "http":
        import boto3

        url = request.getfixturevalue("endpoint_url")
        return boto3.client("sagemaker", endpoint_url=url, region_name=REGION, **DUMMY)
    return inprocess_client(dispatch(local_client(store_root, bucket_root, source_dir).context), REGION)


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:6]}"


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def started(sm: Any, name: str) -> dict[str, Any]:
    """Wait until a training job of `name` is InProgress (the engine and the toolkit are up)."""
    return wait_for(sm, name, until=lambda d: d["TrainingJobStatusCounters"]["InProgress"] >= 1)


def test_create_describe_list_and_training_jobs(sm: Any, store_root: Path) -> None:
    name = unique("ep-run")
    created = sm.create_hyper_parameter_tuning_job(**make_request(name, max_jobs=3, parallel=3, continuous=X_RANGE))
    meta = created["ResponseMetadata"]
    assert created["HyperParameterTuningJobArn"].endswith(f"hyper-parameter-tuning-job/{name}")
    assert meta["HTTPStatusCode"] == 200 and meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]
    assert meta["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"

    desc = wait_for(sm, name)
    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    assert desc["TrainingJobStatusCounters"]["Completed"] == 3
    assert isinstance(desc["CreationTime"], dt.datetime) and desc["CreationTime"].tzinfo is not None
    assert desc["CreationTime"] <= desc["HyperParameterTuningEndTime"]
    assert "LocalJobDir" not in desc  # the local extra is on the wire; botocore's parser keeps modeled keys only

    pages = list(
        sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
            HyperParameterTuningJobName=name, PaginationConfig={"PageSize": 1}
        )
    )
    assert len(pages) == 3 and all(len(p["TrainingJobSummaries"]) == 1 for p in pages)
    names = [p["TrainingJobSummaries"][0]["TrainingJobName"] for p in pages]
    assert names == sorted(names) and len(set(names)) == 3

    by_value = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="FinalObjectiveMetricValue", SortOrder="Ascending"
    )["TrainingJobSummaries"]
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in by_value]
    assert values == sorted(values) and desc["BestTrainingJob"]["TrainingJobName"] == by_value[0]["TrainingJobName"]
    failed = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, StatusEquals="Failed"
    )
    assert failed["TrainingJobSummaries"] == []

    job = sm.describe_training_job(TrainingJobName=names[0])
    assert job["TrainingJobStatus"] == "Completed" and job["TuningJobArn"] == created["HyperParameterTuningJobArn"]
    assert float(job["HyperParameters"]["x"]) == pytest.approx(
        float(pages[0]["TrainingJobSummaries"][0]["TunedHyperParameters"]["x"])
    )
    assert job["TrainingStartTime"] <= job["TrainingEndTime"] and job["FinalMetricDataList"]
    seen = json.loads((store_root / name / "trials" / names[0] / "opt_ml/output/data/seen.json").read_text())
    assert seen["channel"] == ["train.csv"]  # DATA_URI came from --s3-root DIR/bucket/key


def test_stop_and_stop_again(sm: Any) -> None:
    name = unique("ep-stop")
    request = make_request(name, max_jobs=2, parallel=1, static={"sleep": "30"}, continuous=X_RANGE)
    sm.create_hyper_parameter_tuning_job(**request)
    started(sm, name)
    stopped = sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert set(stopped) == {"ResponseMetadata"} and stopped["ResponseMetadata"]["HTTPStatusCode"] == 200
    desc = wait_for(sm, name)
    assert desc["HyperParameterTuningJobStatus"] == "Stopped"
    assert desc["TrainingJobStatusCounters"]["Stopped"] == 1
    with pytest.raises(ClientError) as exc:
        sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert error_of(exc) == (
        "ValidationException",
        "The request was rejected because the tuning job is in status Stopped.",
        400,
    )


def test_list_tuning_jobs_with_paginator_and_filters(sm: Any) -> None:
    prefix = unique("ep-list")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        sm.create_hyper_parameter_tuning_job(**make_request(name, max_jobs=1, parallel=1, static={"sleep": "30"}))
        sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    for name in names:
        wait_for(sm, name)
    paginator = sm.get_paginator("list_hyper_parameter_tuning_jobs")
    pages = list(paginator.paginate(NameContains=prefix.upper(), PaginationConfig={"PageSize": 2}))
    assert [len(p["HyperParameterTuningJobSummaries"]) for p in pages] == [2, 1]
    listed = [s["HyperParameterTuningJobName"] for p in pages for s in p["HyperParameterTuningJobSummaries"]]
    assert listed == names
    newest_first = paginator.paginate(
        NameContains=prefix, SortBy="CreationTime", SortOrder="Descending", StatusEquals="Stopped"
    ).build_full_result()
    summaries = newest_first["HyperParameterTuningJobSummaries"]
    assert [s["HyperParameterTuningJobName"] for s in summaries] == names[::-1]
    assert all(isinstance(s["CreationTime"], dt.datetime) for s in summaries)
    assert summaries[0]["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1}
    assert (
        paginator.paginate(NameContains=prefix, StatusEquals="Completed").build_full_result()[
            "HyperParameterTuningJobSummaries"
        ]
        == []
    )


def test_modeled_exceptions(sm: Any) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFound) as exc:
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="no-such-job")
    assert error_of(exc) == ("ResourceNotFound", "Amazon SageMaker can't find a tuning job with name no-such-job", 400)
    assert exc.value.response["ResponseMetadata"]["RequestId"]
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
            HyperParameterTuningJobName="no-such-job"
        ).build_full_result()

    with pytest.raises(ClientError) as exc:
        sm.describe_training_job(TrainingJobName="no-such-job-001-abcdef01")
    assert error_of(exc) == ("ValidationException", "Requested resource not found.", 400)
    with pytest.raises(ClientError) as exc:
        sm.list_hyper_parameter_tuning_jobs(MaxResults=101)
    assert error_of(exc) == (
        "ValidationException",
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
        400,
    )
    with pytest.raises(ParamValidationError):  # botocore's own client-side check, before any request
        sm.list_hyper_parameter_tuning_jobs(MaxResults=0)
    with pytest.raises(ClientError) as exc:
        sm.list_endpoints()
    assert error_of(exc)[0::2] == ("UnknownOperationException", 400)


def test_create_refusals(sm: Any) -> None:
    name = unique("ep-dup")
    bad = make_request(name, continuous=X_RANGE)
    bad["TrainingJobDefinition"]["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = "s3://elsewhere/x"
    with pytest.raises(ClientError) as exc:
        sm.create_hyper_parameter_tuning_job(**bad)
    code, message, status = error_of(exc)
    assert (code, status) == ("ValidationException", 400) and "s3://elsewhere/x" in message
    with pytest.raises(sm.exceptions.ResourceNotFound):  # refused: nothing was created
        sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)

    sm.create_hyper_parameter_tuning_job(**make_request(name, max_jobs=1, parallel=1, static={"sleep": "30"}))
    try:
        with pytest.raises(sm.exceptions.ResourceInUse) as exc:
            sm.create_hyper_parameter_tuning_job(**make_request(name.upper()))
        assert error_of(exc)[0::2] == ("ResourceInUse", 400) and name.upper() in error_of(exc)[1]
    finally:
        sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        assert wait_for(sm, name)["HyperParameterTuningJobStatus"] in TERMINAL


def test_client_meta_and_retries(sm: Any) -> None:
    assert sm.meta.region_name == REGION and sm.meta.service_model.service_name == "sagemaker"
    start = time.monotonic()
    response = sm.list_hyper_parameter_tuning_jobs(NameContains="nothing-has-this-name")
    assert response["HyperParameterTuningJobSummaries"] == [] and response["ResponseMetadata"]["RetryAttempts"] == 0
    assert time.monotonic() - start < 30
