"""The sweeper's config as data: the CLI's keys under `hydra.sweeper`, every launcher option instantiable."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields

import pytest
from hydra import compose, initialize_config_dir
from hydra._internal.config_repository import ConfigRepository
from hydra._internal.utils import create_config_search_path
from hydra.core.object_type import ObjectType
from omegaconf import OmegaConf

from amt_hydra.app import instantiate_launcher
from amt_hydra.config.schema import AmtConfig
from amt_hydra.launcher.base import Launcher
from amt_hydra.sweeper.config import AmtSweeperConf

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


def test_the_plugin_scan_imports_nothing_of_amt_hydra() -> None:
    """Hydra scans plugins in every run of every app, each training job's included: the sweeper's configs are
    built only when an app loads them."""
    code = ("import sys; from hydra.core.plugins import Plugins; Plugins.instance(); "
            "print(sorted(m for m in sys.modules if m.startswith('amt_hydra')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_config_groups_list_the_sweeper_and_its_launchers() -> None:
    """What `--hydra-help` and tab completion show."""
    repo = ConfigRepository(create_config_search_path(None))
    assert repo.get_group_options("hydra/sweeper") == ["amt", "basic"]
    assert repo.get_group_options("hydra/sweeper", ObjectType.GROUP) == ["launcher"]
    assert repo.get_group_options("hydra/sweeper/launcher") == ["local", "sagemaker"]
    assert repo.load_config("hydra/sweeper/launcher/local").config._target_ == "amt_hydra.launcher.local.LocalLauncher"
