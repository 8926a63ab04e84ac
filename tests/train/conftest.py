"""Helpers for running the training scripts: plainly, and as a job of the real sagemaker-training toolkit."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TRAIN_DIR = REPO / "train"
FASHION_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

# The experiments' metric definitions (the XGBoost one is SageMaker's built-in `validation:rmse`).
MNIST_LOSS_REGEX = r"Test set: Average loss: ([0-9.]+)"
XGB_VALIDATION_RMSE_REGEX = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"


def metric_values(regex: str, output: str) -> list[float]:
    """What the local engine records: tabs become `#011` (as in CloudWatch), then `re.search` per line."""
    found = (re.search(regex, line.replace("\t", "#011")) for line in output.splitlines())
    return [float(m.group(1)) for m in found if m]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without SageMaker variables, two threads, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SM_", "SAGEMAKER_"))}
    env.update(OMP_NUM_THREADS="2", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def run_script(script: str, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(TRAIN_DIR / script), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=dict(env or clean_env()), timeout=300)


def run_toolkit_job(
    base: Path,
    program: str,
    hyperparameters: Mapping[str, object],
    channels: Mapping[str, Path],
    content_types: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Lay out a fresh job folder under `base` (amt-semantics §12) and run `sagemaker_training.cli.train`.

    Hyperparameters are JSON-encoded per value, as SDK v2 framework estimators send them.
    Channel folders are copied in, as SageMaker downloads them before the job starts.
    """
    config, data = base / "input" / "config", base / "input" / "data"
    for folder in (config, data, base / "model", base / "output" / "data"):
        folder.mkdir(parents=True)
    hps = {k: json.dumps(v) for k, v in hyperparameters.items()}
    hps.update(sagemaker_program=json.dumps(program), sagemaker_submit_directory=json.dumps(str(TRAIN_DIR)))
    (config / "hyperparameters.json").write_text(json.dumps(hps))
    resource = {"current_host": "localhost", "hosts": ["localhost"], "network_interface_name": "lo"}
    (config / "resourceconfig.json").write_text(json.dumps(resource))
    input_config = {}
    for name, src in channels.items():
        (data / name).mkdir()
        for f in src.iterdir():
            (data / name / f.name).write_bytes(f.read_bytes())
        input_config[name] = {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated"}
        if content_types and name in content_types:
            input_config[name]["ContentType"] = content_types[name]
    (config / "inputdataconfig.json").write_text(json.dumps(input_config))
    cmd = [sys.executable, "-m", "sagemaker_training.cli.train"]
    env = clean_env(SAGEMAKER_BASE_DIR=str(base), TRAINING_JOB_NAME=base.name)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=base, timeout=300)


@pytest.fixture(scope="session")
def scripts() -> object:
    """The helpers above, for the test modules (fixtures avoid importing a module named conftest)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        run=run_script,
        run_toolkit_job=run_toolkit_job,
        metric_values=metric_values,
        clean_env=clean_env,
        mnist_loss_regex=MNIST_LOSS_REGEX,
        xgb_validation_rmse_regex=XGB_VALIDATION_RMSE_REGEX,
        train_dir=TRAIN_DIR,
    )


@pytest.fixture(scope="session")
def fashion_system_dir() -> Path:
    stems = (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    )
    if not all((FASHION_SYSTEM_DIR / f"{s}.gz").is_file() for s in stems):
        pytest.skip(f"Debian package dataset-fashion-mnist is not installed ({FASHION_SYSTEM_DIR} is absent)")
    return FASHION_SYSTEM_DIR


@pytest.fixture(scope="session")
def small_fashion(tmp_path_factory: pytest.TempPathFactory, fashion_system_dir: Path) -> Path:
    """300 training and 100 test images of the real Fashion-MNIST, written back as gzipped IDX files."""
    from amt_hydra.data.idx import read_idx, write_idx

    out = tmp_path_factory.mktemp("fashion_small")
    for stem, n in (
        ("train-images-idx3-ubyte", 300),
        ("train-labels-idx1-ubyte", 300),
        ("t10k-images-idx3-ubyte", 100),
        ("t10k-labels-idx1-ubyte", 100),
    ):
        write_idx(out / f"{stem}.gz", read_idx(fashion_system_dir / f"{stem}.gz")[:n])
    return out
