"""An app run as a module (`python -m pkgapp.train`) ships its package; the shim calls its `@hydra.main`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from amt_hydra.errors import ConfigError
from amt_hydra.sweeper.source import App, check_config_dirs, locate_app

from .conftest import IMAGE

TRAIN = '''
import hydra
from omegaconf import DictConfig

from .score import score


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(cfg: DictConfig) -> float:
    return score(cfg.opt.x, cfg.opt.y)


if __name__ == "__main__":
    main()
'''


def make_package(root: Path) -> None:
    pkg = root / "pkgapp"
    (pkg / "conf").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "score.py").write_text("def score(x, y):\n    return (x - 0.2) ** 2 + y\n")
    (pkg / "train.py").write_text(TRAIN)
    (pkg / "conf" / "config.yaml").write_text("opt:\n  x: 0.0\n  y: 0\n")


def test_module_app_is_staged_and_run_by_the_shim(tmp_path: Path) -> None:
    project = tmp_path / "project"
    make_package(project)
    sweep_dir = project / "sweeps" / "1"  # inside the source dir: not copied into itself
    command = [sys.executable, "-m", "pkgapp.train", "-m", "hydra/sweeper=amt", "opt.x=interval(0, 1)", "opt.y=1",
               f"hydra.sweep.dir={sweep_dir}", "hydra.sweeper.dry_run=true",
               f"hydra.sweeper.estimator.image_uri={IMAGE}"]
    proc = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr

    staged = sweep_dir / "source"
    assert json.loads((staged / "amt_hydra_entry.json").read_text()) == {
        "app": "pkgapp/train.py", "module": "pkgapp.train", "config_name": "config", "config_path": "pkgapp/conf"}
    assert (staged / "pkgapp" / "conf" / "config.yaml").is_file()
    assert not (staged / "sweeps" / "1").exists()

    env = {**os.environ, "SM_OUTPUT_DATA_DIR": str(tmp_path / "output")}
    argv = ["--opt.x", "0.5", "--opt.y", "1", "--_tuning_objective_metric", "objective"]
    job = subprocess.run([sys.executable, "amt_hydra_entry.py", *argv], cwd=staged, env=env, capture_output=True,
                         text=True, timeout=120)
    assert job.returncode == 0, job.stderr
    assert "amt_objective: 1.09" in job.stdout
    assert (tmp_path / "output" / "hydra" / ".hydra" / "overrides.yaml").is_file()  # Hydra's run dir


def test_an_imported_task_function_is_called_by_name() -> None:
    """A console script imports the app's module: the shim imports it too and calls the function."""

    def task(cfg: object) -> float:
        return 0.0

    app = locate_app(task)
    assert app == App(file=Path(__file__).resolve(), module=__name__, function="task")
    root = Path(__file__).resolve().parents[2]  # tests.sweeper.test_module_app is imported from the repo root
    assert app.default_source_dir() == root
    assert app.sidecar(root) == {"app": "tests/sweeper/test_module_app.py", "module": __name__, "function": "task"}
    with pytest.raises(ConfigError, match="does not contain the app"):
        app.sidecar(root / "examples")


def test_the_apps_config_dir_must_ship_with_it(tmp_path: Path) -> None:
    check_config_dirs([str(tmp_path / "conf"), str(tmp_path)], tmp_path)
    with pytest.raises(ConfigError, match="does not contain the app's config dir"):
        check_config_dirs([str(tmp_path.parent / "shared_conf")], tmp_path)
