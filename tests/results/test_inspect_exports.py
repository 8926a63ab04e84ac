"""`python -m amt_hydra.inspect NAME --csv PATH --optuna-storage URL` in its own process, on the stored job."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import optuna

from tests.results.conftest import job_store


def _inspect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "amt_hydra.inspect", "viz-1", *args], capture_output=True,
                          text=True, timeout=300)


def test_inspect_writes_csv_and_study(finished: tuple[Any, dict[str, Any]], tmp_path: Path) -> None:
    root = str(job_store(finished[0]).parent)
    url = f"sqlite:///{tmp_path / 'tuning.db'}"
    for _ in range(2):  # the second run updates the study
        proc = _inspect("--root", root, "--csv", str(tmp_path / "jobs.csv"), "--optuna-storage", url)
        assert proc.returncode == 0, proc.stderr
    assert f"optuna study viz-1: 8 trials in {url} (view: optuna-dashboard {url})" in proc.stdout
    assert (tmp_path / "jobs.csv").read_text().startswith("batch-size,layers,lr,x,TrainingJobName,")
    assert len(optuna.load_study(study_name="viz-1", storage=url).trials) == 8


def test_a_bad_storage_is_one_line(finished: tuple[Any, dict[str, Any]], tmp_path: Path) -> None:
    proc = _inspect("--root", str(job_store(finished[0]).parent), "--optuna-storage", "nosuchdialect://x",
                    "--csv", str(tmp_path / "jobs.csv"))
    assert proc.returncode == 2 and proc.stdout == "" and not (tmp_path / "jobs.csv").exists()
    assert proc.stderr.startswith("error: --optuna-storage: nosuchdialect://x: ") and proc.stderr.count("\n") == 1
