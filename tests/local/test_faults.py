"""Fault injection (seeded): kill -9 of the engine and of training jobs at random points, a truncated store
file while the engine is down; after each fault, resume loses no finished training job and repeats none.

Output bursts and pathological log lines are in tests/local/trials/test_metric_limits.py, processes that
escape their job in tests/local/trials/test_process_tracking.py, damaged files in test_store_damage.py.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from amt_hydra.constants import TERMINAL_TUNING
from amt_hydra.local.api.client import LocalSageMakerClient
from tests.local.conftest import X_RANGE, make_request, summaries, wait_for

SEED = int(os.environ.get("AMT_HYDRA_FAULT_SEED", "20261129"))  # another seed: another run of faults
FINISHED = ("Completed", "Failed", "Stopped")


def _finished(client: LocalSageMakerClient, name: str) -> dict[str, dict]:
    return {j["TrainingJobName"]: j for j in summaries(client, name) if j["TrainingJobStatus"] in FINISHED}


def _config(job: dict) -> tuple:
    return tuple(sorted(job["TunedHyperParameters"].items()))


def _kill_a_running_job(client: LocalSageMakerClient, name: str, rng: random.Random) -> str | None:
    running = [j["TrainingJobName"] for j in summaries(client, name) if j["TrainingJobStatus"] == "InProgress"]
    if not running:
        return None
    victim = rng.choice(sorted(running))
    desc = client.describe_training_job(TrainingJobName=victim)
    pid = json.loads((Path(desc["LocalJobDir"]).parent / "state.json").read_text())["pid"]
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return None
    return victim


def _kill_the_engine_and_resume(client: LocalSageMakerClient, name: str, rng: random.Random) -> None:
    desc = wait_for(client, name, until=lambda d: d.get("LocalEnginePid") is not None)  # a resumed one has run
    os.kill(desc["LocalEnginePid"], signal.SIGKILL)
    wait_for(client, name, until=lambda d: d["HyperParameterTuningJobStatus"] == "Failed")
    if rng.random() < 0.5:  # a store file damaged while the engine is down: resume refuses, then works
        tuning = Path(desc["LocalJobDir"]) / "tuning.json"
        shutil.copy(tuning, tuning.with_suffix(".bak"))
        tuning.write_bytes(tuning.read_bytes()[: rng.randint(0, tuning.stat().st_size - 1)])
        with pytest.raises(ClientError, match="tuning.json is damaged"):
            client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        shutil.move(tuning.with_suffix(".bak"), tuning)
    assert client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)["Resumed"] is True


def _progressed(client: LocalSageMakerClient, target: int):
    """Until the job ended, or `target` jobs finished and one runs (a fault then hits something running)."""

    def done(desc: dict) -> bool:
        if desc["HyperParameterTuningJobStatus"] in TERMINAL_TUNING:
            return True
        return desc["TrainingJobStatusCounters"]["InProgress"] >= 1 and len(_finished(client, "faults-1")) >= target

    return done


def test_random_kills_lose_and_repeat_nothing(client: LocalSageMakerClient) -> None:
    rng = random.Random(SEED)
    params = {"continuous": X_RANGE, "static": {"sleep": "0.2"}, "max_jobs": 8, "parallel": 2, "seed": 11}
    client.create_hyper_parameter_tuning_job(**make_request("faults-1", **params))
    client.create_hyper_parameter_tuning_job(**make_request("faults-ref", **params))  # never interrupted
    seen: dict[str, dict] = {}
    killed: list[str] = []
    for _ in range(4):
        desc = wait_for(client, "faults-1", until=_progressed(client, len(seen) + rng.randint(0, 2)))
        if desc["HyperParameterTuningJobStatus"] in TERMINAL_TUNING:
            break
        fault = rng.choice(["engine", "job", "both"])
        if fault in ("job", "both") and (victim := _kill_a_running_job(client, "faults-1", rng)):
            killed.append(victim)
        if fault in ("engine", "both"):
            _kill_the_engine_and_resume(client, "faults-1", rng)
        now = _finished(client, "faults-1")
        assert all(now[n] == job for n, job in seen.items())  # nothing finished changed or vanished
        seen = now
    desc = wait_for(client, "faults-1", timeout=120)
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    final = _finished(client, "faults-1")
    assert all(final[n] == job for n, job in seen.items())
    interrupted = [j for j in final.values() if j.get("FailureReason", "").startswith("InternalServerError")]
    counted = [j for j in final.values() if j not in interrupted]
    assert len(counted) == 8  # the budget: interrupted jobs (InternalServerError) gave their slot back
    assert len({_config(j) for j in counted}) == 8  # no configuration ran to an end twice
    for name in killed:  # a killed job failed; it is re-run only if the engine died before it saw the exit
        assert final[name]["TrainingJobStatus"] == "Failed"
        assert "SIGKILL" in final[name]["FailureReason"] or final[name] in interrupted
    assert desc["TrainingJobStatusCounters"]["RetryableError"] == len(interrupted)
    reference = wait_for(client, "faults-ref", timeout=120)
    assert reference["HyperParameterTuningJobStatus"] == "Completed"
    # the seeded sequence continued through every fault: the same eight configurations were drawn
    assert sorted(_config(j) for j in counted) == sorted(_config(j) for j in summaries(client, "faults-ref"))
