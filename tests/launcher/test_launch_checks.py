"""Launch-time checks in the app: local inputs must exist when a job is submitted (dry runs need no data)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amt_hydra import app
from amt_hydra.errors import ConfigError
from tests.helpers import FIXED_NOW, compose_config


def _prepared(overrides: list[str], tmp_path: Path) -> tuple[app.Launcher, object, object]:
    cfg = compose_config([*overrides, f"launcher.root={tmp_path / 'jobs'}"])
    launcher = app.instantiate_launcher(cfg.launcher)
    spec, rendered, _ = app.prepare(cfg, launcher, now=FIXED_NOW)
    return launcher, spec, rendered


def test_a_missing_input_stops_the_launch_before_anything_is_created(tmp_path: Path) -> None:
    data = tmp_path / "train"
    data.mkdir()
    launcher, spec, rendered = _prepared(["+experiment=xgboost_fallbacks", f"+estimator.inputs.train={data}"],
                                         tmp_path)
    shutil.rmtree(data)  # gone between the dry run and the launch
    with pytest.raises(ConfigError, match=f"^estimator.inputs.train: {data} does not exist$"):
        app.submit(launcher, spec, rendered, tmp_path / "run")
    assert not (tmp_path / "jobs").exists()


def test_a_missing_prepared_dataset_names_the_command_that_prepares_it(data_root: Path, tmp_path: Path) -> None:
    launcher, spec, rendered = _prepared(["+experiment=mnist"], tmp_path)
    next((data_root / "mnist").glob("train-images*")).unlink()
    with pytest.raises(ConfigError, match=r"^estimator.inputs.training: data missing in .*python -m amt_hydra.data"):
        app.submit(launcher, spec, rendered, tmp_path / "run")
    assert not (tmp_path / "jobs").exists()
