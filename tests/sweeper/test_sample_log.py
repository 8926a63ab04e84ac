"""`hydra.sweeper.sample_log`: the CLI's metric-regex check, for the sweeper's own objective regex."""

from __future__ import annotations

from pathlib import Path

from .conftest import IMAGE, run_sweep


def test_the_sweepers_objective_line_is_found_and_nothing_is_staged(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("[2026-11-29 10:00:00,000][__main__][INFO] - training\namt_objective: 0.25\n")
    sweep_dir = tmp_path / "sweep"
    proc = run_sweep(["optimizer.lr=interval(0.1, 1)", f"hydra.sweeper.sample_log={log}",
                      f"hydra.sweeper.estimator.image_uri={IMAGE}"], sweep_dir)
    assert proc.returncode == 0, proc.stderr
    assert "objective (objective): 1 line matched, 1 values: 0.25" in proc.stdout
    assert not (sweep_dir / "source").exists() and not (sweep_dir / "request.json").exists()


def test_a_log_without_the_objective_is_one_line_naming_the_sweeper_key(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("objective: 0.25\n")
    proc = run_sweep(["optimizer.lr=interval(0.1, 1)", f"hydra.sweeper.sample_log={log}"], tmp_path / "sweep")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: hydra.sweeper.metric.definitions[0].regex: the objective 'objective' "
                                  "matches nothing parseable"), proc.stderr
