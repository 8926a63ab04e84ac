"""What only the HTTP transport has: the wire itself, `AWS_ENDPOINT_URL_SAGEMAKER`, the `serve` command's
options and refusals, and one job seen the same through both transports."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amt_hydra.local.api.client import LocalSageMakerClient
from tests.local.conftest import CODE_URI, DATA_URI, X_RANGE, make_request, wait_for
from tests.local.endpoint.test_endpoint import DUMMY, REGION, serve_process, unique


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, source_dir: Path, data_dir: Path) -> Iterator[dict[str, Any]]:
    """A server with explicit --local-copy entries only (no --s3-root)."""
    root = tmp_path_factory.mktemp("http-store")
    copies = ("--local-copy", f"{CODE_URI}={source_dir}", "--local-copy", f"{DATA_URI}={data_dir}")
    with serve_process("--root", str(root), *copies, "--quiet", log=root.parent / "server.log") as (url, pid):
        yield {"url": url, "root": root, "pid": pid}


def post(url: str, target: str | None, body: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    headers = {"Content-Type": "application/x-amz-json-1.1", **({"X-Amz-Target": target} if target else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, body, headers, method="POST")) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_wire_answers_as_the_service(served: dict[str, Any]) -> None:
    url = served["url"]
    status, headers, body = post(url, "SageMaker.ListHyperParameterTuningJobs", b'{"CreationTimeAfter": 0}')
    assert (status, body) == (200, {"HyperParameterTuningJobSummaries": []})
    assert headers["Content-Type"] == "application/x-amz-json-1.1" and headers["x-amzn-RequestId"]
    status, _, body = post(url, "SageMaker.ListHyperParameterTuningJobs", b'{"MaxResults": 0}')
    assert status == 400 and body["__type"] == "ValidationException" and "MaxResults" in body["message"]
    assert post(url, "SageMaker.ListHyperParameterTuningJobs", b"{nope")[2]["__type"] == "SerializationException"
    for target in (None, "SageMaker.ListEndpoints", "SageMaker.NoSuchThing", "Other.ListHyperParameterTuningJobs"):
        status, _, body = post(url, target, b"{}")
        assert (status, body["__type"]) == (400, "UnknownOperationException"), target
    status, _, body = post(url, "SageMaker.DescribeHyperParameterTuningJob", b'{"HyperParameterTuningJobName": "x"}')
    assert (status, body["__type"]) == (400, "ResourceNotFound") and "tuning job with name x" in body["message"]


def test_aws_endpoint_url_sagemaker(served: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", served["url"])
    sm = boto3.client("sagemaker", region_name=REGION, **DUMMY)
    response = sm.list_hyper_parameter_tuning_jobs()
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == response["ResponseMetadata"]["RequestId"]


def test_one_job_two_transports(served: dict[str, Any], source_dir: Path, data_dir: Path) -> None:
    """A job created with `LocalSageMakerClient` is seen over HTTP by another process, with the very same
    parsed answers (the client keeps the `Local*` extras botocore's parser drops, and nothing else differs)."""
    import boto3

    inproc = LocalSageMakerClient(root=served["root"], local_copies={CODE_URI: source_dir, DATA_URI: data_dir})
    http = boto3.client("sagemaker", endpoint_url=served["url"], region_name=REGION, **DUMMY)
    name = unique("ep-both")
    inproc.create_hyper_parameter_tuning_job(**make_request(name, max_jobs=2, parallel=2, continuous=X_RANGE))
    assert wait_for(http, name)["HyperParameterTuningJobStatus"] == "Completed"

    def same(operation: str, **params: Any) -> dict[str, Any]:
        a, b = (getattr(c, operation)(**params) for c in (inproc, http))
        for response in (a, b):
            del response["ResponseMetadata"]
        assert without_local(a) == b
        return a

    assert Path(same("describe_hyper_parameter_tuning_job", HyperParameterTuningJobName=name)["LocalJobDir"]).is_dir()
    jobs = same("list_training_jobs_for_hyper_parameter_tuning_job", HyperParameterTuningJobName=name)
    first = same("describe_training_job", TrainingJobName=jobs["TrainingJobSummaries"][0]["TrainingJobName"])
    assert Path(first["LocalLogPath"]).is_file() and first["LocalObjectiveValues"]
    same("list_hyper_parameter_tuning_jobs", NameContains=name)

    raw = post(
        served["url"],
        "SageMaker.DescribeHyperParameterTuningJob",
        json.dumps({"HyperParameterTuningJobName": name}).encode(),
    )[2]
    assert isinstance(raw["CreationTime"], float) and raw["LocalJobDir"]  # on the wire; botocore drops the extra


def without_local(value: Any) -> Any:
    """`value` without its `Local*` keys, at any depth."""
    if isinstance(value, dict):
        return {k: without_local(v) for k, v in value.items() if not k.startswith("Local")}
    if isinstance(value, list):
        return [without_local(v) for v in value]
    return value


def children(pid: int) -> dict[int, str]:
    """The child processes of `pid` and their states (`Z`: ended, not yet reaped)."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out[int(stat.parent.name)] = fields[0]
    return out


def test_server_reaps_its_engines(served: dict[str, Any]) -> None:
    import boto3

    http = boto3.client("sagemaker", endpoint_url=served["url"], region_name=REGION, **DUMMY)
    name = unique("ep-reap")
    http.create_hyper_parameter_tuning_job(**make_request(name, max_jobs=1, parallel=1))
    assert wait_for(http, name)["HyperParameterTuningJobStatus"] == "Completed"
    deadline = time.monotonic() + 10
    while children(served["pid"]):  # the engine exits after the job ends; a zombie would stay listed
        assert time.monotonic() < deadline, children(served["pid"])
        time.sleep(0.1)


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "amt_hydra.local", "serve", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (("--host", "0.0.0.0"), "--host"),
        (("--host", "no-such-host.invalid"), "--host"),
        (("--port", "70000"), "--port"),
        (("--local-copy", "s3://b/k"), "--local-copy"),
        (("--local-copy", "/tmp/x=/tmp"), "--local-copy"),
        (("--local-copy", "s3://b/k=/no/such/path"), "--local-copy"),
        (("--s3-root", "/no/such/dir"), "--s3-root"),
        (("--port", "x"), "argument --port"),
    ],
)
def test_serve_refuses_bad_options(args: tuple[str, ...], key: str) -> None:
    result = run_serve(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {key}: ") and result.stderr.count("\n") == 1, result.stderr


def test_serve_refuses_a_busy_port() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run_serve("--port", str(busy.getsockname()[1]))
    assert result.returncode == 2 and result.stderr.startswith("error: --port: cannot listen on 127.0.0.1:")
    assert "Traceback" not in result.stderr
