"""The config tree as data: every group option composes, every `_target_` instantiates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from amt_hydra.app import instantiate_launcher
from amt_hydra.launcher.base import Launcher
from tests.conftest import REPO, run_cli
from tests.helpers import compose_config

CONF = REPO / "conf"
BASE = ["+experiment=xgboost_fallbacks"]


def _options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


def _override(group: str, option: str) -> list[str]:
    if group == "experiment":
        return [f"+experiment={option}"]
    if group in ("estimator", "search_space", "metric", "fallbacks"):
        return [*BASE, f"{group}={option}"]
    return [*BASE, f"{group}={option}"]


GROUP_OPTIONS = [(g, o) for g in ("estimator", "search_space", "strategy", "metric", "fallbacks", "launcher",
                                   "experiment") for o in _options(g)]


@pytest.mark.parametrize(("group", "option"), GROUP_OPTIONS, ids=[f"{g}={o}" for g, o in GROUP_OPTIONS])
def test_every_option_composes(group: str, option: str, data_root: Path) -> None:
    cfg = compose_config(_override(group, option))
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)
    assert container["estimator"] and container["metric"] and container["search_space"]


@pytest.mark.parametrize("option", _options("launcher"))
def test_every_launcher_instantiates(option: str) -> None:
    cfg = compose_config([*BASE, f"launcher={option}"])
    assert isinstance(instantiate_launcher(cfg.launcher), Launcher)


def test_primary_config_defaults_only_launcher_strategy_limits() -> None:
    cfg = compose_config([])
    assert cfg.launcher._target_.endswith("LocalLauncher")
    assert cfg.strategy.name == "Bayesian"
    assert OmegaConf.is_missing(cfg, "estimator") and OmegaConf.is_missing(cfg, "metric")


def test_cfg_job_prints_the_composed_config(tmp_path: Path) -> None:
    result = run_cli(["+experiment=mnist", "--cfg", "job"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "name: mnist" in result.stdout and "max_parallel_jobs: 3" in result.stdout


def test_help_lists_the_groups(tmp_path: Path) -> None:
    result = run_cli(["--help"], cwd=tmp_path)
    assert result.returncode == 0
    for group in ("estimator", "experiment", "fallbacks", "launcher", "metric", "search_space", "strategy"):
        assert group in result.stdout


def test_multirun_gives_one_tuning_job_per_strategy(tmp_path: Path) -> None:
    args = ["-m", "+experiment=xgboost_fallbacks", "strategy=bayesian,random", "dry_run=true",
            f"hydra.sweep.dir={tmp_path / 'multi'}", "launcher=sagemaker", "launcher.bucket=amt-bucket",
            "estimator.role=arn:aws:iam::123456789012:role/SageMakerRole"]
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    requests = [json.loads((tmp_path / "multi" / str(i) / "request.json").read_text()) for i in (0, 1)]
    assert [r["HyperParameterTuningJobConfig"]["Strategy"] for r in requests] == ["Bayesian", "Random"]
    names = {r["HyperParameterTuningJobName"] for r in requests}
    assert len(names) == 2
    for i in (0, 1):
        run = tmp_path / "multi" / str(i)
        assert (run / ".hydra" / "config.yaml").exists() and (run / "provenance.json").exists()
