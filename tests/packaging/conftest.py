"""The built wheel, unpacked, and the CLI run from it or from the editable install, always outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel --no-deps` of this checkout, as a user (or CI) builds it."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)],
                   check=True, capture_output=True, text=True, timeout=600)
    return next(out.glob("amt_hydra-*.whl"))


@pytest.fixture(scope="session")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel's files as pip would lay them into site-packages."""
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def amt(args: list[str], cwd: Path, pythonpath: Path | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m amt_hydra ARGS` in `cwd`; with `pythonpath`, the package is imported from there."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-m", "amt_hydra", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def completed_objectives(run_dir: Path) -> list[float]:
    """The final objective of each completed training job in the run's result.json."""
    result = json.loads((run_dir / "result.json").read_text())
    assert result["TuningJob"]["HyperParameterTuningJobStatus"] == "Completed"
    return [job["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for job in result["TrainingJobs"]
            if job["TrainingJobStatus"] == "Completed"]
