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
    """YAML options in conf/ plus the structured ones registered in the ConfigStore (the launchers)."""
    from hydra.core.config_store import ConfigStore

    from amt_hydra.config import register_configs

    register_configs()
    stored = ConfigStore.instance().repo.get(group, {})
    return sorted({p.stem for p in (CONF / group).glob("*.yaml")} | {n.removesuffix(".yaml") for n in stored})


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


def test_help_lists_the_groups_with_real_choices_only(tmp_path: Path) -> None:
    result = run_cli(["--help"], cwd=tmp_path)
    assert result.returncode == 0
    groups = dict(line.split(": ", 1) for line in result.stdout.split("== Config ==")[0].splitlines() if ": " in line)
    for group in ("estimator", "experiment", "fallbacks", "launcher", "metric", "search_space", "strategy"):
        assert groups[group].split(", ") == _options(group)
    assert groups["launcher"] == "local, sagemaker"
    assert "schema" not in result.stdout.split("== Config ==")[0]


def test_group_options_are_still_typed_by_the_primary_schema() -> None:
    from omegaconf.errors import ConfigAttributeError

    cfg = compose_config(BASE)
    with pytest.raises(ConfigAttributeError):
        cfg.strategy.nonsense = 1  # strategy=bayesian is typed by AmtConfig.strategy, without a schema entry
    assert OmegaConf.get_type(cfg, "estimator").__name__ == "EstimatorConfig"


def test_each_launcher_setting_is_declared_once() -> None:
    """The group option is the dataclass: its defaults are the config's, the local one extends the engine's."""
    from dataclasses import asdict, fields

    from amt_hydra.launcher.local import LocalLauncherConfig
    from amt_hydra.launcher.sagemaker import SageMakerLauncherConfig
    from amt_hydra.local.settings import EngineSettings

    for option, schema in (("local", LocalLauncherConfig), ("sagemaker", SageMakerLauncherConfig)):
        node = OmegaConf.to_container(compose_config([*BASE, f"launcher={option}"]).launcher)
        assert node == asdict(schema())
    assert {f.name for f in fields(EngineSettings)} < {f.name for f in fields(LocalLauncherConfig)}


@pytest.mark.parametrize(("overrides", "message"), [
    (["launcher.poll_interval_s=0"], "error: launcher.poll_interval_s: must be > 0, got 0.0"),
    (["launcher.stop_grace_s=-5"], "error: launcher.stop_grace_s: must be > 0, got -5.0"),
    (["launcher.preload=[hydra,'not a module']"], "error: launcher.preload: must be module names, got 'not a module'"),
    (["launcher=sagemaker", "launcher.poll_s=-1"], "error: launcher.poll_s: must be > 0, got -1.0"),
    (["launcher=sagemaker", "launcher.max_attempts=0"], "error: launcher.max_attempts: must be >= 1, got 0"),
])
def test_bad_launcher_settings_are_one_line_before_anything_is_written(
    overrides: list[str], message: str, tmp_path: Path
) -> None:
    result = run_cli([*BASE, *overrides, f"hydra.run.dir={tmp_path / 'run'}"], cwd=tmp_path)
    assert result.returncode == 2 and result.stderr == message + "\n"
    assert not (tmp_path / "run" / "request.json").exists()


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
