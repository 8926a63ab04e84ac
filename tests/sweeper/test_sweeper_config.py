"""The sweeper's config as data: the CLI's keys under `hydra.sweeper`, every launcher option instantiable."""

from __future__ import annotations

from dataclasses import fields

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from amt_hydra.app import instantiate_launcher
from amt_hydra.config.schema import AmtConfig
from amt_hydra.launcher.base import Launcher
from hydra_plugins.amt_sweeper.config import AmtSweeperConf

from .conftest import APP

SWEEPER_ONLY = {"_target_", "_recursive_", "defaults", "params"}


def test_the_sweeper_takes_the_clis_keys() -> None:
    """Everything `python -m amt_hydra` takes, except the search space, which is the sweep itself."""
    cli = {f.name for f in fields(AmtConfig)} - {"search_space"}
    assert {f.name for f in fields(AmtSweeperConf)} - SWEEPER_ONLY == cli


@pytest.mark.parametrize("launcher", ["local", "sagemaker"])
def test_every_launcher_option_composes_and_instantiates(launcher: str) -> None:
    bucket = ["hydra.sweeper.launcher.bucket=amt-bucket"] if launcher == "sagemaker" else []  # offline
    overrides = ["hydra/sweeper=amt", f"hydra/sweeper/launcher={launcher}", *bucket]
    with initialize_config_dir(config_dir=str(APP.parent / "conf"), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides, return_hydra_config=True)
    sweeper = cfg.hydra.sweeper
    assert sweeper._target_ == "hydra_plugins.amt_sweeper.amt_sweeper.AmtSweeper"
    assert OmegaConf.to_container(sweeper.metric)["name"] == "objective"
    assert isinstance(instantiate_launcher(OmegaConf.to_container(sweeper.launcher)), Launcher)


def test_tune_config_selects_the_sweeper_with_params() -> None:
    with initialize_config_dir(config_dir=str(APP.parent / "conf"), version_base="1.3"):
        cfg = compose(config_name="tune", return_hydra_config=True)
    assert cfg.hydra.sweeper._target_.endswith("AmtSweeper")
    assert cfg.hydra.sweeper.params["optimizer.lr"] == "tag(log, interval(1e-4, 1e-1))"
    assert cfg.optimizer.lr == 0.01  # the app's own values are untouched
