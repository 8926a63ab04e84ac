"""The seed experiments end to end through the CLI and the local engine (reduced data and budgets)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO, run_cli

FASHION = Path("/usr/share/datasets/fashion-mnist")


def _run(args: list[str], tmp_path: Path) -> tuple[dict, dict]:
    run_dir = tmp_path / "run"
    result = run_cli([*args, f"hydra.run.dir={run_dir}", f"launcher.root={tmp_path / 'jobs'}"], cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "best training job:" in result.stdout
    request = json.loads((run_dir / "request.json").read_text())
    return request, json.loads((run_dir / "result.json").read_text())


def _check_mnist_like(request: dict, result: dict, jobs: int) -> None:
    job = result["TuningJob"]
    assert job["HyperParameterTuningJobStatus"] == "Completed"
    definition = request["TrainingJobDefinition"]  # as SageMaker echoes it: the objective static, channel defaults
    statics = {**definition["StaticHyperParameters"], "_tuning_objective_metric": request[
        "HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"]}
    channels = [{"CompressionType": "None", "RecordWrapperType": "None", **c} for c in definition["InputDataConfig"]]
    assert job["TrainingJobDefinition"] == {**definition, "StaticHyperParameters": statics, "InputDataConfig": channels}
    trainings = result["TrainingJobs"]
    assert len(trainings) == jobs
    values = []
    for training in trainings:
        assert training["TrainingJobStatus"] == "Completed", training.get("FailureReason")
        assert training["ObjectiveStatus"] == "Succeeded"
        tuned = training["TunedHyperParameters"]
        assert 0.001 <= float(tuned["lr"]) <= 0.1
        assert tuned["batch-size"] in {"32", "64", "128", "256", "512"}
        assert training["InstanceType"] == "ml.c5.2xlarge"
        values.append(training["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    best = job["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert best == min(values)


def test_mnist_seed_local(data_root: Path, tmp_path: Path) -> None:
    """Seed 1 on generated MNIST-format IDX files (MNIST itself cannot be downloaded here)."""
    args = ["+experiment=mnist", "estimator.hyperparameters.epochs=1", "limits.max_jobs=3", "seed=7"]
    request, result = _run(args, tmp_path)
    _check_mnist_like(request, result, jobs=3)


@pytest.mark.skipif(not FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_mnist_local_on_real_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed 1's script on a real Fashion-MNIST subsample (400 train, 200 test images)."""
    from amt_hydra.data.idx import read_idx, write_idx

    target = tmp_path / "data" / "fashion_mnist"
    target.mkdir(parents=True)
    for split, n in (("train", 400), ("t10k", 200)):
        for kind in ("images-idx3", "labels-idx1"):
            array = read_idx(FASHION / f"{split}-{kind}-ubyte.gz")[:n]
            write_idx(target / f"{split}-{kind}-ubyte", np.ascontiguousarray(array))
    monkeypatch.setenv("AMT_HYDRA_DATA", str(tmp_path / "data"))
    args = ["+experiment=fashion_mnist", "estimator.hyperparameters.epochs=2", "limits.max_jobs=3", "seed=1"]
    request, result = _run(args, tmp_path)
    _check_mnist_like(request, result, jobs=3)


@pytest.mark.parametrize(("capacity", "instance"), [(None, "ml.m4.xlarge"), ("{ml.m4.xlarge:0}", "ml.m5.4xlarge")])
def test_xgboost_fallbacks_local(tmp_path: Path, capacity: str | None, instance: str) -> None:
    """Seed 2; with no capacity for the first instance type every job falls back to the second."""
    args = ["+experiment=xgboost_fallbacks", "limits.max_jobs=4", "limits.max_parallel_jobs=2", "seed=3",
            "estimator.hyperparameters.num_round=10"]
    if capacity:
        args.append(f"+launcher.capacity={capacity}")
    request, result = _run(args, tmp_path)
    trainings = result["TrainingJobs"]
    assert len(trainings) == 4
    assert {t["InstanceType"] for t in trainings} == {instance}
    for training in trainings:
        assert training["ObjectiveStatus"] == "Succeeded"
        assert 0 <= float(training["TunedHyperParameters"]["eta"]) <= 1
        assert 2 <= int(training["TunedHyperParameters"]["max_depth"]) <= 6
    assert result["TuningJob"]["TrainingJobDefinition"]["HyperParameterTuningResourceConfig"] == \
        request["TrainingJobDefinition"]["HyperParameterTuningResourceConfig"]
    _inspect_later(request["HyperParameterTuningJobName"], tmp_path, instance)


def _inspect_later(name: str, tmp_path: Path, instance: str) -> None:
    """Another process looks at the finished job in the store: status, table, result.json, report.html.

    `amt-hydra inspect` (here `python -m amt_hydra inspect`) with a Hydra override; the old spelling below."""
    out = tmp_path / "inspected"
    proc = subprocess.run([sys.executable, "-m", "amt_hydra", "inspect", name, f"launcher.root={tmp_path / 'jobs'}",
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"{name}: Completed" in proc.stdout and instance in proc.stdout
    assert "best training job:" in proc.stdout
    assert len(json.loads((out / "result.json").read_text())["TrainingJobs"]) == 4
    assert "<svg" in (out / "report.html").read_text()
    missing = subprocess.run([sys.executable, "-m", "amt_hydra.inspect", "no-such-job", "--root",
                              str(tmp_path / "jobs")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and missing.stderr == "error: tuning job no-such-job: ResourceNotFound\n"


@pytest.mark.parametrize(("wait", "code"), [("true", 4), ("false", 0)])
def test_exit_code_of_a_job_that_ends_failed(tmp_path: Path, wait: str, code: int) -> None:
    """No capacity for either fallback: AMT ends the job Failed, exit 4 once waited; wait=false: 0 once submitted."""
    args = ["+experiment=xgboost_fallbacks", "limits.max_jobs=2", "limits.max_parallel_jobs=1", f"wait={wait}",
            "+launcher.capacity={ml.m4.xlarge: 0, ml.m5.4xlarge: 0}", "launcher.poll_interval_s=0.05",
            f"hydra.run.dir={tmp_path / 'run'}", f"launcher.root={tmp_path / 'jobs'}"]
    result = run_cli(args, cwd=REPO)
    assert result.returncode == code, result.stderr
    if code:
        assert result.stderr.splitlines()[-1].startswith("error: tuning job xgboost-fallbacks-")
        assert " ended Failed: No training job succeeded" in result.stderr
        assert (tmp_path / "run" / "result.json").is_file()  # the table and result.json come first
