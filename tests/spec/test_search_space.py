"""Hydra's sweep grammar and the mapping form both become AMT ranges (or statics)."""

from __future__ import annotations

import pytest

from amt_hydra.errors import ConfigError
from amt_hydra.spec.model import ParameterRange
from amt_hydra.spec.search_space import parse_search_space

CASES = [
    ("interval(0.001, 0.1)", ParameterRange("x", "continuous", "search_space.x", 0.001, 0.1)),
    ("int(interval(2, 6))", ParameterRange("x", "integer", "search_space.x", 2, 6)),
    ("range(2, 7)", ParameterRange("x", "integer", "search_space.x", 2, 6)),  # Python-like: 7 excluded
    ("range(1, 10, 4)", ParameterRange("x", "categorical", "search_space.x", values=("1", "5", "9"))),
    ("choice(32, 64, 128)", ParameterRange("x", "categorical", "search_space.x", values=("32", "64", "128"))),
    ("a,b", ParameterRange("x", "categorical", "search_space.x", values=("a", "b"))),
    ("tag(log, interval(1e-4, 1e-1))",
     ParameterRange("x", "continuous", "search_space.x", 1e-4, 1e-1, scaling="Logarithmic")),
    ("tag(reverse_log, interval(0.9, 0.999))",
     ParameterRange("x", "continuous", "search_space.x", 0.9, 0.999, scaling="ReverseLogarithmic")),
    ("tag(log, int(interval(1, 100)))",
     ParameterRange("x", "integer", "search_space.x", 1, 100, scaling="Logarithmic")),
    ({"type": "continuous", "min": 0.001, "max": 0.1, "scaling": "log"},
     ParameterRange("x", "continuous", "search_space.x", 0.001, 0.1, scaling="Logarithmic")),
    ({"type": "integer", "min": 2, "max": 6}, ParameterRange("x", "integer", "search_space.x", 2, 6)),
    ({"type": "categorical", "values": [32, 64]},
     ParameterRange("x", "categorical", "search_space.x", values=("32", "64"))),
    ({"type": "categorical", "values": [True, False]},
     ParameterRange("x", "categorical", "search_space.x", values=("true", "false"))),
]


@pytest.mark.parametrize(("entry", "expected"), CASES)
def test_ranges(entry: object, expected: ParameterRange) -> None:
    ranges, statics = parse_search_space({"x": entry})
    assert ranges == [expected]
    assert statics == {}


@pytest.mark.parametrize(("entry", "static"), [
    ("choice(5)", "5"), ("range(3, 4)", "3"), ("sgd", "sgd"), (0.5, "0.5"),
    ({"type": "integer", "min": 4, "max": 4}, "4"), ({"type": "categorical", "values": ["adam"]}, "adam"),
])
def test_single_values_become_static(entry: object, static: str) -> None:
    ranges, statics = parse_search_space({"x": entry})
    assert ranges == []
    assert statics == {"x": static}


@pytest.mark.parametrize(("entry", "message"), [
    ("interval(1,", "cannot parse sweep expression"),
    ("range(5, 2)", "is empty"),
    ("choice(1, 1)", "must be distinct"),
    ("tag(log, choice(1, 2))", "scaling does not apply"),
    ({"type": "float", "min": 0, "max": 1}, "is not one of"),
    ({"type": "integer", "min": 1.5, "max": 3}, "whole numbers"),
    ({"type": "continuous", "max": 1}, "required"),
    ({"type": "continuous", "min": 0, "max": 1, "scaling": "exp"}, "scaling"),
    ({"type": "categorical", "min": 0, "max": 1}, "takes `values`"),
    ({"type": "continuous", "min": 0, "max": 1, "step": 2}, "unknown field"),
])
def test_bad_entries(entry: object, message: str) -> None:
    with pytest.raises(ConfigError, match="search_space.x") as info:
        parse_search_space({"x": entry})
    assert message in str(info.value)
