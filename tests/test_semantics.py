"""AMT's rules as pure functions: each returns one message (or None) that both sides wrap unchanged."""

from __future__ import annotations

import math

import pytest

from amt_hydra import semantics as S
from amt_hydra.constants import EPOCH_HP_NAMES, INT32_MAX


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("continuous", 1.0, 0.0, "Auto"), ["min (1.0) must be less than max (0.0)"]),
        (("continuous", 0.0, 1.0, "Logarithmic"), ["log scaling needs min > 0, got min=0.0", "greater than 0"]),
        (("integer", 1, 5, "ReverseLogarithmic"),
         ["reverse_log scaling is not supported for integer", "ReverseLogarithmic scaling needs a continuous"]),
        (("continuous", 0.5, 1.5, "ReverseLogarithmic"), ["reverse_log scaling needs 0 <= min and max < 1"]),
        (("continuous", 0.0, math.nan, "Auto"), ["bounds must be finite numbers", "nan is not a finite number"]),
        (("continuous", -math.inf, 0.0, "Auto"), ["-inf is not a finite number"]),
        (("continuous", True, 2.0, "Auto"), ["True is not a number"]),
        (("integer", 0, INT32_MAX + 1, "Auto"), ["does not fit a 32-bit integer"]),
        (("continuous", 0.0, 1.0, "Logg"), ["scaling 'Logg' is not one of"]),
    ],
)
def test_range_problem(args: tuple, fragments: list[str]) -> None:
    message = S.range_problem(*args)
    assert message is not None
    for fragment in fragments:
        assert fragment in message


def test_valid_ranges_have_no_problem() -> None:
    assert S.range_problem("continuous", 0.9, 0.999, "ReverseLogarithmic") is None
    assert S.range_problem("integer", 1, INT32_MAX, "Logarithmic") is None
    assert S.categorical_problem(["a", "b"]) is None


def test_combinations_problem_carries_both_wordings() -> None:
    message = S.combinations_problem(4, 10)
    assert message and message.startswith("not enough combinations of hyperparameter ranges: 4 < max_jobs 10")
    sagemaker = ("combinations for the provided ranges [4.0] must be equal or greater than the value of "
                 "MaxNumberOfJobs, [10]")
    assert sagemaker in message
    assert S.combinations_problem(None, 10) is None and S.combinations_problem(10, 10) is None
    assert S.combinations([2, 3, 4]) == 24 and S.combinations([2, None]) is None


def test_grid_rules() -> None:
    assert "only CategoricalParameterRanges" in S.grid_kinds_problem(["categorical", "integer"])  # type: ignore[operator]
    assert S.grid_kinds_problem(["categorical"]) is None
    assert "runs every combination (6)" in S.grid_size_problem(6, 5)  # type: ignore[operator]
    assert "AMT allows at most 750" in S.grid_size_problem(751, None)  # type: ignore[operator]
    assert S.grid_size_problem(6, None) is None and S.grid_size_problem(6, 6) is None


@pytest.mark.parametrize(
    ("static", "expected"),
    [
        ({"epochs": "10"}, 10),
        ({"epochs": '"10"'}, 10),  # the SDK's JSON encoding
        ({"num_epochs": "7", "lr": "0.1"}, 7),
        ({"epochs": "10.0"}, 10),
        ({"epochs": "1.5"}, None),
        ({"epochs": "abc"}, None),
        ({"epochs": "true"}, None),
        ({"epochs": "nan"}, None),
        ({"lr": "0.1"}, None),
        ({"epochs": "x", "num_epochs": "5"}, None),  # the first epochs-like name present decides
    ],
)
def test_infer_max_resource_one_parser(static: dict[str, str], expected: int | None) -> None:
    assert S.infer_max_resource(static) == expected


def test_hyperband_problems() -> None:
    assert S.hyperband_problems(None, None)[0][0] == "max_resource"
    assert "MaxResource parameter is not provided and could not be inferred" in S.hyperband_problems(1, None)[0][1]
    assert str(list(EPOCH_HP_NAMES)) in S.MAX_RESOURCE_MISSING
    assert S.hyperband_problems(0, 5) == [("min_resource", "must be >= 1, got 0")]
    assert S.hyperband_problems(1, 20_001)[0][1] == "must be in [1, 20000], got 20001"
    assert S.hyperband_problems(6, 5)[0][0] == "min_resource"
    assert S.hyperband_problems(None, 5) == [] and S.hyperband_problems(5, 5) == []
    assert "must be Off" in S.hyperband_early_stopping_problem("Auto")  # type: ignore[operator]
    assert S.multi_definition_early_stopping_problem(2, "Auto")
    assert S.multi_definition_early_stopping_problem(1, "Auto") is None


@pytest.mark.parametrize("name", ["--x", "-x", "a=b", "my key", "tab\tname", "", "x" * 257])
def test_hyperparameter_names_the_toolkit_cannot_pass(name: str) -> None:
    assert "cannot be passed to a training script" in S.hyperparameter_name_problem(name)  # type: ignore[operator]


def test_reserved_hyperparameter_names() -> None:
    for name in ("sagemaker_program", "_tuning_objective_metric"):
        assert "is reserved" in S.hyperparameter_name_problem(name)  # type: ignore[operator]
    assert S.hyperparameter_name_problem("sagemaker_program", sdk_names_ok=True) is None
    assert S.hyperparameter_name_problem("_tuning_objective_metric", sdk_names_ok=True) is not None
    for name in ("lr", "n-epochs", "model.lr", "x_1"):
        assert S.hyperparameter_name_problem(name) is None


def test_names_that_would_escape() -> None:
    assert all(S.channel_name_problem(n) for n in (".", "..", "a/b", "", "x" * 65))
    assert S.channel_name_problem("train.v2") is None
    assert all(S.entry_point_problem(p) for p in ("/etc/passwd", "../x.py", "a/../../x.py", "~/x.py", " "))
    assert S.entry_point_problem("sub/train.py") is None
    assert all(S.environment_name_problem(n) for n in ("TRAINING_JOB_NAME", "TRAINING_JOB_ARN", "SM_MODEL_DIR",
                                                         "SAGEMAKER_BASE_DIR", "SAGEMAKER_PROGRAM", "AMT_HYDRA_HOME"))
    assert S.environment_name_problem("MY_SETTING") is None and S.environment_name_problem("OMP_NUM_THREADS") is None
    assert S.tag_key_problem("AWS:x") and S.tag_key_problem("team") is None
    assert S.instance_count_problem(0) and S.instance_count_problem(1) is None


@pytest.mark.parametrize(
    ("regex", "fragment"),
    [
        ("([0-9", "does not compile"),
        ("a:([0-9]+) b:([0-9]+)", "has 2"),
        ("loss=(.*?);", "can match an empty string"),
        ("x((?:a+)+)$", "nests an unbounded quantifier"),
        ("x((?:\\w+\\s?)*\\d)", "nests an unbounded quantifier"),
        ("((?:[0-9]*,)+)", "nests an unbounded quantifier"),
    ],
)
def test_metric_regex_problem(regex: str, fragment: str) -> None:
    assert fragment in S.metric_regex_problem(regex)  # type: ignore[operator]


@pytest.mark.parametrize(
    "regex",
    [
        r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*",
        r"epoch [0-9]+#011loss: (\S+)",
        r"loss: ((?:[0-9]{1,3},)+)",  # a bounded inner repeat cannot blow up
    ],
)
def test_ordinary_metric_regexes_pass(regex: str) -> None:
    assert S.metric_regex_problem(regex) is None


def test_sweep_sizes_are_counted_not_built() -> None:
    assert S.sweep_size_problem(0, 10**12, 1) is None
    assert S.sweep_size_problem(0, 1, 0) == "range step must not be 0"
    assert "is empty" in S.sweep_size_problem(5, 1, 1)  # type: ignore[operator]
    assert "2000000000 categorical values" in S.sweep_values_problem(2 * 10**9)  # type: ignore[operator]
    assert S.scaling_tags_problem({"logg"}) and S.scaling_tags_problem({"log"}) is None
