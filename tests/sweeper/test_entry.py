"""The entry shim: the toolkit's `--key value` arguments back into the Hydra overrides they came from."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.plugins import Plugins
from hydra.errors import MissingConfigException
from hydra.plugins.search_path_plugin import SearchPathPlugin

from amt_hydra.spec.model import ParameterRange
from amt_hydra.sweeper.entry import (
    PLUGIN_CONFIGS,
    objective_line,
    plugin_installed,
    quote,
    register_stand_ins,
    to_override,
    to_overrides,
)
from amt_hydra.sweeper.overrides import sample_overrides, toolkit_value

from .conftest import APP


def parsed(override: str) -> object:
    return OverridesParser.create().parse_override(override).value()


def test_toolkit_arguments_become_dotted_overrides() -> None:
    argv = ["--model.depth", "3", "--optimizer.lr", "0.01", "--optimizer.name", "adam", "-x", "-0.5"]
    assert to_overrides(argv) == ["model.depth=3", "optimizer.lr=0.01", "optimizer.name=adam", "x=-0.5"]


def test_reserved_hyperparameters_are_dropped() -> None:
    argv = ["--_tuning_objective_metric", "objective", "--sagemaker_program", "amt_hydra_entry.py", "--a.b", "1"]
    assert to_overrides(argv) == ["a.b=1"]


def test_prefixed_keys_and_empty_values() -> None:
    assert to_overrides(["--+trainer.seed", "1", "--++db@backup", "mysql", "--~model.width", ""]) == [
        "+trainer.seed=1", "++db@backup=mysql", "~model.width"]
    assert to_override("trainer.max_steps", "") == "trainer.max_steps=null"  # the toolkit writes None as ''


def test_values_that_are_not_one_hydra_value_are_quoted() -> None:
    assert to_override("data.name", "a,b") == "data.name='a,b'"
    assert parsed(to_override("data.name", "it's a,b")) == "it's a,b"
    assert parsed(to_override("data.path", "C:\\tmp\\")) == "C:\\tmp\\"
    assert to_override("data.files", "[1, 2]") == "data.files=[1, 2]"


@pytest.mark.parametrize("value", ["a,b", "it's", "x\\'y", "trailing\\", "(1,", "plain", "a b"])
def test_quote_round_trips_through_hydra(value: str) -> None:
    assert parsed(f"k={quote(value)}") == value


@pytest.mark.parametrize("text", ["3", "0.0123", "1e-05", "true", "null", "''", "adam", "[1,2]", "{a:1,b:[x,y]}",
                                  "'a,b'", "${model.width}", "/opt/ml/input"])
def test_fixed_override_values_survive_the_toolkit(text: str) -> None:
    """An override's value text, held by SageMaker as a string, composes to the same value after the toolkit."""
    shim = to_override("k", toolkit_value(text))
    assert parsed(shim) == parsed(f"k={text}")


def test_malformed_arguments_exit() -> None:
    with pytest.raises(SystemExit):
        to_overrides(["--a", "1", "--b"])
    with pytest.raises(SystemExit):
        to_overrides(["a", "1"])


def test_sample_overrides_are_what_one_job_gets() -> None:
    ranges = [ParameterRange("optimizer.lr", "continuous", "search_space.optimizer.lr", 1e-4, 0.1),
              ParameterRange("optimizer.name", "categorical", "search_space.optimizer.name", values=("sgd", "adam"))]
    assert sample_overrides(ranges, {"train.epochs": "2", "x": "null"}) == [
        "optimizer.lr=0.0001", "optimizer.name=sgd", "train.epochs=2", "x=null"]


def test_objective_line_only_for_numbers() -> None:
    assert objective_line(0.25) == "amt_objective: 0.25"
    assert objective_line(3) == "amt_objective: 3.0"
    assert objective_line(None) is None
    assert objective_line("0.5") is None
    assert objective_line(True) is None
    assert objective_line({"loss": 1.0}) is None


@pytest.fixture
def without_the_plugin() -> Iterator[None]:
    """As in a container without amt-hydra: Hydra's plugins scanned, but not this package's config source on
    the search path; the search-path plugins and the ConfigStore restored afterwards."""
    search_paths = Plugins.instance().plugin_type_to_subclass_list[SearchPathPlugin]
    saved_paths, saved_repo = list(search_paths), copy.deepcopy(ConfigStore.instance().repo)
    search_paths[:] = [plugin for plugin in search_paths if plugin.__module__ != PLUGIN_CONFIGS]
    sweepers = ConfigStore.instance().repo["hydra"]["sweeper"]
    for name in ("amt.yaml", "launcher"):  # stand-ins an earlier test registered
        sweepers.pop(name, None)
    yield
    search_paths[:] = saved_paths
    ConfigStore.instance().repo = saved_repo


def test_the_plugin_is_found_where_amt_hydra_is_installed() -> None:
    """So the jobs load the real configs, not the stand-ins (Hydra would take those for their schemas)."""
    assert plugin_installed()


def test_stand_ins_compose_an_app_config_that_selects_the_sweeper(without_the_plugin: None) -> None:
    """In a container without amt-hydra, `override hydra/sweeper: amt` in the app's config must still compose."""
    overrides = ["optimizer.lr=0.5", "train.epochs=2"]
    with initialize_config_dir(config_dir=str(APP.parent / "conf"), version_base="1.3"):
        with pytest.raises(MissingConfigException):
            compose(config_name="tune", overrides=overrides)
        register_stand_ins()
        cfg = compose(config_name="tune", overrides=overrides, return_hydra_config=True)
    assert cfg.optimizer.lr == 0.5 and cfg.train.epochs == 2
    assert "_target_" not in cfg.hydra.sweeper and cfg.hydra.sweeper.strategy.name == "Bayesian"
