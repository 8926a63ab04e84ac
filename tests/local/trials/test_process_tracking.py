"""A job's processes are the job's: what it starts outside its process group (setsid, double fork) ends
with it, whether it exits or is stopped; the marker that finds them cannot be overridden."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from amt_hydra.local.trials.descendants import owns
from tests.local.conftest import make_request, summaries, wait_for
from tests.local.faultjobs import fault_client, xgboost_metrics


def _escaped(client, name: str) -> tuple[int, str]:
    wait_for(client, name, timeout=60, until=lambda d: bool(summaries(client, name)))
    job = summaries(client, name)[0]["TrainingJobName"]
    desc = client.describe_training_job(TrainingJobName=job)
    path = Path(desc["LocalJobDir"]) / "output" / "data" / "escaped.pid"
    deadline = time.monotonic() + 60
    while not (path.is_file() and path.read_text()):
        assert time.monotonic() < deadline, "the job never started its escaping process"
        time.sleep(0.05)
    return int(path.read_text()), job


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(("mode", "stop"), [("setsid", False), ("doublefork", True)])
def test_processes_that_left_the_group_end_with_the_job(client_factory, tmp_path, data_dir, mode, stop) -> None:
    client = fault_client(client_factory, tmp_path, data_dir)
    name = f"escape-{mode}"
    sleep = "60" if stop else "0"
    client.create_hyper_parameter_tuning_job(
        **xgboost_metrics(make_request(name, max_jobs=1, parallel=1, static={"mode": mode, "sleep": sleep}))
    )
    pid, job = _escaped(client, name)
    if stop:
        assert owns(pid, job)  # it carries the job's marker, in its own session
        client.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    desc = wait_for(client, name, timeout=60)
    assert desc["HyperParameterTuningJobStatus"] == ("Stopped" if stop else "Completed")
    deadline = time.monotonic() + 5
    while _alive(pid):
        assert time.monotonic() < deadline, f"{mode} process {pid} outlived its job"
        time.sleep(0.05)


@pytest.mark.parametrize("key", ["TRAINING_JOB_NAME", "SM_MODEL_DIR", "AMT_HYDRA_HOME"])
def test_create_refuses_reserved_environment(client, key) -> None:
    request = make_request("reserved-env")
    request["TrainingJobDefinition"]["Environment"] = {key: "x"}
    with pytest.raises(ClientError) as info:
        client.create_hyper_parameter_tuning_job(**request)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationException" and key in error["Message"] and "reserved" in error["Message"]
    assert "\n" not in error["Message"]
    assert client.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
