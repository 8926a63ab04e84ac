"""Test functions with known minima for the search-quality benchmark, as AMT ParameterRanges.

Each function reads the hyperparameter strings a training job receives (SageMaker passes every value as a
string), so the same code scores a simulated trial and a real training job (`objective_script`).
Sources: Branin, Hartmann-6, Ackley, Rosenbrock and Styblinski-Tang as defined in Surjanovic & Bingham's
Virtual Library of Simulation Experiments (sfu.ca/~ssurjano).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
_ST_MIN_X = -2.903534  # Styblinski-Tang's minimiser per coordinate


@dataclass(frozen=True)
class TestFunction:
    name: str
    ranges: dict[str, list[dict[str, Any]]]  # the request's ParameterRanges
    optimum: float
    evaluate: Callable[[Mapping[str, str]], float]


def _continuous(names: list[str], low: float, high: float, scaling: str = "Linear") -> list[dict[str, Any]]:
    return [{"Name": n, "MinValue": str(low), "MaxValue": str(high), "ScalingType": scaling} for n in names]


def _floats(hp: Mapping[str, str], names: list[str]) -> list[float]:
    return [float(hp[n]) for n in names]


def branin(hp: Mapping[str, str]) -> float:
    x1, x2 = _floats(hp, ["x1", "x2"])
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H_ALPHA = [1.0, 1.2, 3.0, 3.2]
_H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
_H_P = [
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
]


def hartmann6(hp: Mapping[str, str]) -> float:
    x = _floats(hp, [f"h{i}" for i in range(6)])
    inner = [sum(_H_A[i][j] * (x[j] - _H_P[i][j] * 1e-4) ** 2 for j in range(6)) for i in range(4)]
    return -sum(_H_ALPHA[i] * math.exp(-inner[i]) for i in range(4))


def ackley4(hp: Mapping[str, str]) -> float:
    x = _floats(hp, [f"a{i}" for i in range(4)])
    square = math.sqrt(sum(v * v for v in x) / len(x))
    cosine = sum(math.cos(2 * math.pi * v) for v in x) / len(x)
    return -20 * math.exp(-0.2 * square) - math.exp(cosine) + 20 + math.e


def rosenbrock4(hp: Mapping[str, str]) -> float:
    x = _floats(hp, [f"r{i}" for i in range(4)])
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


def _styblinski_tang(v: float) -> float:
    return (v**4 - 16 * v**2 + 5 * v) / 2


_OPTIMIZER_PENALTY = {"sgd": 8.0, "rmsprop": 4.0, "adam": 0.0}


def mixed6(hp: Mapping[str, str]) -> float:
    """Styblinski-Tang over 2 continuous and 2 integer ranges, a log-scaled rate and a categorical choice."""
    values = _floats(hp, ["c0", "c1"]) + [int(hp["n0"]), int(hp["n1"])]
    rate_penalty = 10 * (math.log10(float(hp["rate"])) + 3) ** 2  # best at 1e-3
    return sum(_styblinski_tang(v) for v in values) + rate_penalty + _OPTIMIZER_PENALTY[hp["optimizer"]]


FUNCTIONS = {
    f.name: f
    for f in (
        TestFunction(
            "branin",
            {"ContinuousParameterRanges": _continuous(["x1"], -5, 10) + _continuous(["x2"], 0, 15)},
            0.397887,
            branin,
        ),
        TestFunction(
            "hartmann6", {"ContinuousParameterRanges": _continuous([f"h{i}" for i in range(6)], 0, 1)}, -3.32237,
            hartmann6,
        ),
        TestFunction("ackley4", {"ContinuousParameterRanges": _continuous([f"a{i}" for i in range(4)], -5, 10)},
                     0.0, ackley4),
        TestFunction(
            "rosenbrock4", {"ContinuousParameterRanges": _continuous([f"r{i}" for i in range(4)], -5, 10)}, 0.0,
            rosenbrock4,
        ),
        TestFunction(
            "mixed6",
            {
                "ContinuousParameterRanges": _continuous(["c0", "c1"], -5, 5)
                + _continuous(["rate"], 1e-5, 1, "Logarithmic"),
                "IntegerParameterRanges": _continuous(["n0", "n1"], -5, 5),
                "CategoricalParameterRanges": [{"Name": "optimizer", "Values": ["sgd", "adam", "rmsprop"]}],
            },
            2 * _styblinski_tang(_ST_MIN_X) + 2 * _styblinski_tang(-3),
            mixed6,
        ),
    )
}


def objective_script(function: str) -> str:
    """A training script (script mode) that scores `function` on the hyperparameters it is given."""
    return (
        "import sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from bench._search_functions import FUNCTIONS\n"
        "args = sys.argv[1:]\n"
        "hp = {k.removeprefix('--'): v for k, v in zip(args[::2], args[1::2])}\n"
        f"print('objective:', repr(FUNCTIONS[{function!r}].evaluate(hp)))\n"
    )
