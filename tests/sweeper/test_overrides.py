"""Sweep arguments split into search space and fixed values; results typed back from SageMaker's strings."""

from __future__ import annotations

import pytest

from amt_hydra.errors import ConfigError
from amt_hydra.spec.model import ParameterRange
from amt_hydra.sweeper.overrides import params_arguments, split_arguments
from amt_hydra.sweeper.results import optimization_results, typed_value


def test_sweeps_become_the_space_and_the_rest_fixed_values() -> None:
    args = split_arguments(["optimizer.lr=tag(log, interval(1e-4, 1e-1))", "model.depth=range(2, 8)",
                            "train.epochs=2", "+extra=[1, 2]", "~model.width", "opt=a,b"])
    assert args.space == {"optimizer.lr": "tag(log, interval(1e-4, 1e-1))", "model.depth": "range(2, 8)",
                          "opt": "a,b"}
    assert args.fixed == {"train.epochs": "2", "+extra": "[1, 2]", "~model.width": ""}


def test_the_command_line_wins_over_params() -> None:
    params = {"optimizer": {"lr": "interval(0.1, 1)"}, "model.depth": "range(2, 4)"}
    assert params_arguments(params) == ["optimizer.lr=interval(0.1, 1)", "model.depth=range(2, 4)"]
    args = split_arguments([*params_arguments(params), "optimizer.lr=0.5"])
    assert args.space == {"model.depth": "range(2, 4)"}
    assert args.fixed == {"optimizer.lr": "0.5"}


def test_bad_override_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"^optimizer\.lr: cannot parse override 'optimizer.lr=interval\(1,'"):
        split_arguments(["optimizer.lr=interval(1,"])
    with pytest.raises(ConfigError, match="hydra's own settings"):
        split_arguments(["hydra.job.chdir=true"])


def test_best_params_are_typed_by_range() -> None:
    ranges = [ParameterRange("d", "integer", "k", 2, 7), ParameterRange("lr", "continuous", "k", 0.1, 1.0),
              ParameterRange("o", "categorical", "k", values=("sgd", "[1, 2]"))]
    assert [typed_value(v, r) for v, r in zip(["3", "0.5", "[1, 2]"], ranges)] == [3, 0.5, [1, 2]]
    assert typed_value("sgd", ranges[2]) == "sgd"
    result = {"TuningJob": {"HyperParameterTuningJobName": "t", "BestTrainingJob": {
        "TrainingJobName": "t-001", "TunedHyperParameters": {"d": "3", "lr": "0.5"},
        "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": "objective", "Value": 0.25}}}}
    assert optimization_results(result, ranges) == {"name": "amt", "best_params": {"d": 3, "lr": 0.5},
                                                    "best_value": 0.25, "tuning_job": "t",
                                                    "best_training_job": "t-001"}
    assert optimization_results({"TuningJob": {"HyperParameterTuningJobName": "t"}}, ranges) is None
