"""A bad sweep is one line on stderr and a non-zero exit, before anything is staged or submitted."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import IMAGE, run_sweep

CASES = [
    (["optimizer.lr=tag(log, interval(-1, 1))"], "error: optimizer.lr: log scaling needs min > 0, got min=-1.0"),
    (['+hydra.sweeper.params.optimizer.lr="interval(1,"'],
     "error: optimizer.lr: cannot parse override 'optimizer.lr=interval(1,': no viable alternative"),
    (["optimizer.lrr=interval(0.1, 1)"],
     "error: the sweep does not compose with the app's config: Could not override 'optimizer.lrr'."),
    (["train.epochs=2"], "error: sweep overrides: needs at least one sweep"),
    (["optimizer.lr=interval(0.1, 1)", "hydra.sweeper.strategy.name=Grid"],
     "error: optimizer.lr: grid search takes only categorical parameters"),
    (["model.depth=range(2, 4)", "hydra.sweeper.limits.max_jobs=2", "hydra.sweeper.limits.max_parallel_jobs=3"],
     "error: hydra.sweeper.limits.max_parallel_jobs: (3) must not exceed max_jobs (2)"),
    (["optimizer.lr=interval(0.1, 1)", "hydra.sweeper.estimator.entry_point=train.py"],
     "error: hydra.sweeper.estimator.entry_point: the sweeper's amt_hydra_entry.py is the entry point"),
    (["optimizer.lr=interval(0.1, 1)", "hydra.sweeper.launcher.poll_interval_s=0"],
     "error: hydra.sweeper.launcher.poll_interval_s: must be > 0, got 0.0"),
]


@pytest.mark.parametrize(("args", "message"), CASES, ids=[c[1].split(":")[1].strip() + str(i) for i, c in
                                                             enumerate(CASES)])
def test_bad_sweep_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    sweep_dir = tmp_path / "sweep"
    proc = run_sweep([*args, "hydra.sweeper.dry_run=true", f"hydra.sweeper.estimator.image_uri={IMAGE}"], sweep_dir)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(message), proc.stderr
    assert not (sweep_dir / "source").exists()


def test_unparsable_command_line_sweep_is_hydras_message(tmp_path: Path) -> None:
    """Hydra parses command-line overrides before any sweeper runs: its message, no traceback, exit 1."""
    proc = run_sweep(["optimizer.lr=interval(1,", "hydra.sweeper.dry_run=true"], tmp_path / "sweep")
    assert proc.returncode == 1
    assert "interval(1," in proc.stderr and "Traceback" not in proc.stderr


def test_a_tuning_job_that_ends_failed_is_exit_4(tmp_path: Path) -> None:
    """No capacity for the only instance type: every training job fails, AMT ends the job Failed."""
    sweep_dir = tmp_path / "sweep"
    proc = run_sweep(["optimizer.lr=interval(0.1, 1)", "hydra.sweeper.limits.max_jobs=2",
                      "hydra.sweeper.estimator.instance_type=ml.m5.xlarge",
                      f"hydra.sweeper.estimator.image_uri={IMAGE}",
                      "+hydra.sweeper.launcher.capacity={ml.m5.xlarge: 0}",
                      f"hydra.sweeper.launcher.root={tmp_path}/jobs", "hydra.sweeper.launcher.poll_interval_s=0.05"],
                     sweep_dir)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("error: tuning job ") and " ended Failed: " in proc.stderr
    assert (sweep_dir / "result.json").is_file() and not (sweep_dir / "optimization_results.yaml").exists()
