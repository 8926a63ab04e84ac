"""InstanceCount = N runs N toolkit hosts (algo-1..algo-N); archives land where SageMaker puts them."""

from __future__ import annotations

import json
import os
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from amt_hydra.local.trials.hosts import host_names, split_cores
from tests.local.conftest import CODE_URI, DATA_URI, assert_shape, make_request, run_job, summaries, wait_for

OUTPUT_URI = "s3://amt-hydra-test/jobs/output"
TWO_HOSTS = {"InstanceType": "ml.m5.large", "InstanceCount": 2, "VolumeSizeInGB": 5}

# Each host records what it saw (and its pid in --shared); the first host prints the objective and saves a
# model. `--mode` picks how the other host behaves once both run: "ok" ends at once, "linger" outlives the
# first host, "crash" fails while the first host would still run for two minutes; with "hang" both hosts
# wait to be stopped.
HOSTS_PY = r"""
import argparse, json, os, sys, time

p = argparse.ArgumentParser()
p.add_argument("--mode", default="ok")
p.add_argument("--shared", default="")
p.add_argument("-x", "--x", type=float, default=0.5)
args, _ = p.parse_known_args()
host = os.environ["SM_CURRENT_HOST"]


def wait_for(other):
    deadline = time.monotonic() + 30
    while not os.path.exists(os.path.join(args.shared, other)) and time.monotonic() < deadline:
        time.sleep(0.05)


open(os.path.join(args.shared, host), "w").write(str(os.getpid()))
seen = {
    "env": {k: v for k, v in os.environ.items() if k.startswith(("SM_", "MASTER_", "OMP_", "TRAINING_JOB_NAME"))},
    "affinity": sorted(os.sched_getaffinity(0)),
    "resourceconfig.json": json.load(open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "resourceconfig.json"))),
}
with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "seen.json"), "w") as f:
    json.dump(seen, f)
wait_for("algo-2" if host == "algo-1" else "algo-1")
if args.mode == "hang":
    time.sleep(120)
if host != "algo-1":
    if args.mode == "crash":
        sys.exit("the second host failed on purpose")
    if args.mode == "linger":
        time.sleep(120)
    sys.exit(0)
if args.mode == "crash":
    time.sleep(120)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "weights.txt"), "w") as f:
    f.write(f"x={args.x}")
print(f"epoch 0\tloss: {(args.x - 0.3) ** 2}", flush=True)
"""


@pytest.fixture(params=[True, False], ids=["forked", "plain"])
def hosts_client(request, client_factory, tmp_path: Path, data_dir: Path):
    """Hosts forked by the fork server, or started as plain subprocesses: the same contract either way."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(HOSTS_PY)
    s3 = tmp_path / "s3-output"
    copies = {CODE_URI: str(src), DATA_URI: str(data_dir), OUTPUT_URI: str(s3)}
    return client_factory(local_copies=copies, fork_server=request.param), s3


def _run(client: Any, name: str, mode: str, shared: Path) -> tuple[dict, dict]:
    shared.mkdir()
    static = {"mode": mode, "shared": str(shared)}
    request = make_request(name, max_jobs=1, parallel=1, static=static, resource_config=TWO_HOSTS)
    run_job(client, request, timeout=60)
    job = summaries(client, name)[0]
    return client.describe_training_job(TrainingJobName=job["TrainingJobName"]), job


def _seen(opt_ml: Path) -> dict:
    return json.loads((opt_ml / "output" / "data" / "seen.json").read_text())


def _pid(shared: Path, host: str) -> int:
    return int((shared / host).read_text())


def _gone(pid: int, within_s: float = 5.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_host_names_and_core_split() -> None:
    assert host_names(3) == ("algo-1", "algo-2", "algo-3") and host_names(0) == ("algo-1",)
    assert split_cores((0, 1, 2, 3), 2) == [(0, 1), (2, 3)]
    assert split_cores((0, 1, 2), 2) == [(0,), (1,)]
    assert split_cores((5,), 3) == [(5,), (5,), (5,)]  # fewer cores than hosts: shared round robin


def test_two_hosts_see_sagemakers_cluster_contract(hosts_client, tmp_path: Path) -> None:
    client, _ = hosts_client
    desc, summary = _run(client, "hosts-ok", "ok", tmp_path / "shared")
    assert_shape("DescribeTrainingJob", desc)
    assert desc["TrainingJobStatus"] == "Completed" and summary["FinalHyperParameterTuningJobObjectiveMetric"]
    first = Path(desc["LocalJobDir"])
    second = first.parent / "hosts" / "algo-2" / "opt_ml"
    seen = [_seen(first), _seen(second)]
    for host, view in zip(("algo-1", "algo-2"), seen, strict=True):
        config = view["resourceconfig.json"]
        assert config["hosts"] == ["algo-1", "algo-2"] and config["current_host"] == host
        assert view["env"]["SM_CURRENT_HOST"] == host and json.loads(view["env"]["SM_HOSTS"]) == config["hosts"]
        assert view["env"]["TRAINING_JOB_NAME"] == desc["TrainingJobName"]
        assert int(view["env"]["OMP_NUM_THREADS"]) == len(view["affinity"])
    assert seen[0]["env"]["MASTER_ADDR"] == "127.0.0.1"
    assert seen[0]["env"]["MASTER_PORT"] == seen[1]["env"]["MASTER_PORT"]
    if len(os.sched_getaffinity(0)) >= 2:  # the job's cores are split between its hosts
        assert not set(seen[0]["affinity"]) & set(seen[1]["affinity"])
    assert (second.parent / "output.log").is_file()


def test_model_and_output_are_packed_at_the_mapped_output_path(hosts_client, tmp_path: Path) -> None:
    client, s3 = hosts_client
    desc, _ = _run(client, "hosts-art", "ok", tmp_path / "shared")
    name = desc["TrainingJobName"]
    assert desc["ModelArtifacts"]["S3ModelArtifacts"] == f"{OUTPUT_URI}/{name}/output/model.tar.gz"
    model = s3 / name / "output" / "model.tar.gz"
    assert desc["LocalModelArtifacts"] == str(model)
    assert desc["LocalOutputArtifacts"] == str(s3 / name / "output" / "output.tar.gz")
    with tarfile.open(model) as tar:
        assert tar.getnames() == ["weights.txt"]  # the first host's model dir, members relative to it
        assert tar.extractfile("weights.txt").read().decode().startswith("x=")
    with tarfile.open(desc["LocalOutputArtifacts"]) as tar:
        assert tar.getnames() == ["seen.json"]
    assert [t["Status"] for t in desc["SecondaryStatusTransitions"]][-2:] == ["Uploading", "Completed"]


def test_first_host_ends_the_job_and_takes_the_others_with_it(hosts_client, tmp_path: Path) -> None:
    client, _ = hosts_client
    desc, _ = _run(client, "hosts-linger", "linger", tmp_path / "shared")
    assert desc["TrainingJobStatus"] == "Completed"
    assert _gone(_pid(tmp_path / "shared", "algo-2"))  # the lingering host was stopped with the first


def test_a_failing_host_fails_the_job_with_its_own_reason(hosts_client, tmp_path: Path) -> None:
    client, _ = hosts_client
    desc, _ = _run(client, "hosts-crash", "crash", tmp_path / "shared")
    assert desc["TrainingJobStatus"] == "Failed"
    assert desc["FailureReason"].startswith("AlgorithmError: ")
    assert "the second host failed on purpose" in desc["FailureReason"]
    assert "LocalModelArtifacts" not in desc and Path(desc["LocalOutputArtifacts"]).is_file()
    assert _gone(_pid(tmp_path / "shared", "algo-1"))  # the first host was killed, not left for 2 min


def test_without_a_local_copy_the_archives_stay_in_the_store(client_factory, copies) -> None:
    client = client_factory()
    request = make_request("hosts-store", max_jobs=1, parallel=1)
    run_job(client, request, timeout=60)
    name = summaries(client, "hosts-store")[0]["TrainingJobName"]
    desc = client.describe_training_job(TrainingJobName=name)
    assert Path(desc["LocalModelArtifacts"]) == Path(desc["LocalJobDir"]).parent / "output" / "model.tar.gz"
    assert tarfile.is_tarfile(desc["LocalModelArtifacts"])
    assert desc["ModelArtifacts"]["S3ModelArtifacts"] == f"{OUTPUT_URI}/{name}/output/model.tar.gz"


def test_stopping_the_tuning_job_stops_every_host(hosts_client, tmp_path: Path) -> None:
    client, s3 = hosts_client
    shared = tmp_path / "shared"
    shared.mkdir()
    static = {"mode": "hang", "shared": str(shared)}
    request = make_request("hosts-stop", max_jobs=1, parallel=1, static=static, resource_config=TWO_HOSTS)
    client.create_hyper_parameter_tuning_job(**request)
    deadline = time.monotonic() + 60
    while not all((shared / h).exists() for h in ("algo-1", "algo-2")):
        assert time.monotonic() < deadline, "the hosts did not start"
        time.sleep(0.05)
    client.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="hosts-stop")
    assert wait_for(client, "hosts-stop", timeout=30)["HyperParameterTuningJobStatus"] == "Stopped"
    assert all(_gone(_pid(shared, h)) for h in ("algo-1", "algo-2"))
    name = summaries(client, "hosts-stop")[0]["TrainingJobName"]
    desc = client.describe_training_job(TrainingJobName=name)
    assert desc["TrainingJobStatus"] == "Stopped" and Path(desc["LocalModelArtifacts"]).is_file()
