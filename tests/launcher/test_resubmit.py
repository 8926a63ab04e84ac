"""Resubmitting a job name: the same request attaches, a different one is refused with a one-line diff (both
launchers), and concurrent identical submissions all attach to the one job."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest

from amt_hydra.errors import LaunchError
from amt_hydra.launcher.base import LaunchContext
from amt_hydra.launcher.local import LocalLauncher
from amt_hydra.launcher.resubmit import _MISSING, differences, echoed_differences, refusal
from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.setup.tuning_setup import parse_request
from amt_hydra.local.store import JobStore, write_json
from tests.conftest import REPO, run_cli
from tests.local.conftest import CODE_URI, DATA_URI, X_RANGE, data_dir, make_request, source_dir  # noqa: F401
from tests.local.trials.test_prestart import server_ends

BUCKET = "amt-test-bucket"
CHANGED = "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs: 10 -> 12"


def test_differences_name_each_path_with_both_values() -> None:
    old = {"A": {"B": "x", "C": [1, 2]}, "D": 1}
    new = {"A": {"B": "y", "C": [1, 3]}, "E": 2}
    unset = _MISSING
    assert differences(old, new) == [("A.B", "x", "y"), ("A.C[1]", 2, 3), ("D", 1, unset), ("E", unset, 2)]
    message = refusal("job", differences(old, new), "here")
    assert message.startswith("tuning job job already exists here with a different request (existing -> new): "
                              'A.B: "x" -> "y"; A.C[1]: 2 -> 3; D: 1 -> (unset) (+1 more); ')
    assert "\n" not in message
    long = refusal("job", [("P", "a" * 100, "b")], "here")
    assert '"' + "a" * 36 + '...' in long and "a" * 41 not in long


def test_echoed_differences_ignore_service_defaults() -> None:
    request = {"HyperParameterTuningJobName": "j", "Tags": [{"Key": "k", "Value": "v"}],
               "HyperParameterTuningJobConfig": {"Strategy": "Random"}}
    described = {"HyperParameterTuningJobName": "j", "HyperParameterTuningJobStatus": "InProgress",
                 "HyperParameterTuningJobConfig": {"Strategy": "Random", "TrainingJobEarlyStoppingType": "Off"}}
    assert echoed_differences(described, request) == []  # Tags are not echoed; the early-stopping default is
    changed = {**request, "HyperParameterTuningJobConfig": {"Strategy": "Bayesian"}}
    assert echoed_differences(described, changed) == [("HyperParameterTuningJobConfig.Strategy", "Random",
                                                       "Bayesian")]


def _sagemaker(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ["+experiment=xgboost_fallbacks", "launcher=sagemaker", f"launcher.bucket={BUCKET}", "job_name=twice",
            "wait=false", f"hydra.run.dir={tmp_path / 'run'}", *extra]
    return run_cli(args, cwd=REPO)


def test_sagemaker_same_request_attaches_different_is_refused(aws_env: dict, tmp_path: Path) -> None:
    assert _sagemaker(tmp_path).returncode == 0
    again = _sagemaker(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already exists with this request; attaching" in again.stdout
    s3 = boto3.client("s3")
    keys = {o["Key"]: o["LastModified"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    refused = _sagemaker(tmp_path, "limits.max_jobs=12")
    assert refused.returncode == 3, refused.stderr
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: tuning job twice already exists on SageMaker with a different request")
    assert CHANGED in refused.stderr
    sm = boto3.client("sagemaker")
    assert [s["HyperParameterTuningJobName"] for s in
            sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]] == ["twice"]
    assert {o["Key"]: o["LastModified"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]} == keys


def test_local_different_request_names_the_fields(tmp_path: Path, source_dir: Path, data_dir: Path) -> None:  # noqa: F811
    ctx = LaunchContext(run_dir=tmp_path / "run", staging={CODE_URI: source_dir, DATA_URI: data_dir})
    launcher = LocalLauncher(root=str(tmp_path / "store"), stop_grace_s=0.5, poll_interval_s=0.02)
    launcher.submit(make_request("diff-1", max_jobs=1, parallel=1, continuous=X_RANGE), ctx)
    try:
        with pytest.raises(LaunchError) as excinfo:
            launcher.submit(make_request("diff-1", max_jobs=2, parallel=1, continuous=X_RANGE, seed=8), ctx)
    finally:
        launcher.stop_cleanly("diff-1")
    message = str(excinfo.value)
    assert message.startswith(f"tuning job diff-1 already exists under {tmp_path / 'store'} with a different request")
    assert "HyperParameterTuningJobConfig.RandomSeed: 7 -> 8" in message
    assert "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs: 1 -> 2" in message


def test_local_attaches_to_a_job_another_process_is_still_creating(tmp_path: Path, source_dir: Path,  # noqa: F811
                                                                  data_dir: Path) -> None:  # noqa: F811
    """The folder and request.json exist, tuning.json not yet: the submission waits for the job, then attaches."""
    request = make_request("race-1", max_jobs=1, parallel=1, continuous=X_RANGE)
    store = JobStore(tmp_path / "store")
    store.root.mkdir(parents=True)
    store.path("race-1").mkdir()
    write_json(store.path("race-1") / "request.json", request)
    now = time.time()
    finished = {"status": "Completed", "creation_time": now, "last_modified": now, "end_time": now, "seed": 7,
                "runtime_s": 0.0}
    parse_request(request)  # warm: the submission below must reach its read well before the job is complete
    creator = threading.Timer(1.0, lambda: write_json(store.path("race-1") / "tuning.json", finished))
    creator.start()
    ctx = LaunchContext(run_dir=tmp_path / "run", staging={CODE_URI: source_dir, DATA_URI: data_dir})
    launcher = LocalLauncher(root=str(store.root), stop_grace_s=0.5, poll_interval_s=0.02)
    assert launcher.submit(request, ctx) == "race-1"
    creator.join()
    described = launcher.client().describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="race-1")
    assert described["HyperParameterTuningJobStatus"] == "Completed"


def test_six_concurrent_cli_submissions_attach_to_one_job(data_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "jobs"
    args = ["+experiment=xgboost_fallbacks", "launcher=local", f"launcher.root={root}", "job_name=six",
            "wait=false", "limits.max_jobs=1", "limits.max_parallel_jobs=1"]
    procs = [subprocess.Popen([sys.executable, "-m", "amt_hydra", *args, f"hydra.run.dir={tmp_path / f'run{i}'}"],
                              cwd=REPO, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(6)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    client = LocalSageMakerClient(root)
    try:
        assert [code for code, _, _ in results] == [0] * 6, [err[-2000:] for _, _, err in results]
        assert sorted(p.name for p in root.iterdir()) == [".staged", "six"]  # .staged: the code, packed once
        assert sorted(p.name for p in (root / ".staged").iterdir()) == ["CACHEDIR.TAG", "six"]
        summaries = client.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
        assert [s["HyperParameterTuningJobName"] for s in summaries] == ["six"]
        requests = {json.dumps(json.loads((tmp_path / f"run{i}" / "request.json").read_text()), sort_keys=True)
                    for i in range(6)}
        assert len(requests) == 1
    finally:
        LocalLauncher(root=str(root), stop_grace_s=0.5).stop_cleanly("six")
    refused = run_cli([*args, "limits.max_jobs=2", f"hydra.run.dir={tmp_path / 'run-changed'}"], cwd=REPO)
    assert refused.returncode == 3, refused.stderr
    assert refused.stderr.count("\n") == 1
    assert "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs: 1 -> 2" in refused.stderr


def test_local_warm_up_server_runs_the_created_jobs_or_ends(tmp_path: Path, source_dir: Path,  # noqa: F811
                                                            data_dir: Path) -> None:  # noqa: F811
    """The fork server `warm_up` starts is the one the new job's engine forks training jobs from; a submission
    that creates nothing (it attaches to the stored job) leaves no server behind."""
    ctx = LaunchContext(run_dir=tmp_path / "run", staging={CODE_URI: source_dir, DATA_URI: data_dir})
    request = make_request("warm-1", max_jobs=1, parallel=1, continuous=X_RANGE, static={"sleep": "3"})
    launcher = LocalLauncher(root=str(tmp_path / "store"), stop_grace_s=0.5, poll_interval_s=0.02)
    launcher.warm_up()
    server = launcher._prestarted.pid
    launcher.submit(request, ctx)
    trial = tmp_path / "store" / "warm-1" / "trials"
    deadline = time.monotonic() + 60
    while not (pids := [json.loads(s.read_text()).get("pid") for s in trial.glob("*/state.json")]) or not pids[0]:
        assert time.monotonic() < deadline, "the training job did not start"
        time.sleep(0.05)
    try:
        stat = Path(f"/proc/{pids[0]}/stat").read_text()
        assert int(stat[stat.rindex(")") + 2:].split()[1]) == server  # the toolkit process's parent
        again = LocalLauncher(root=str(tmp_path / "store"), stop_grace_s=0.5, poll_interval_s=0.02)
        again.warm_up()
        unused = again._prestarted.pid
        assert again.submit(request, ctx) == "warm-1"  # attached
        assert server_ends(unused)
    finally:
        launcher.stop_cleanly("warm-1")
    assert server_ends(server)  # the engine closed it at the end
