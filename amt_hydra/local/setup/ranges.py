"""Parameter ranges: the request's strings, Optuna distributions, and the values a trial receives.

Scaling types map to Optuna as SageMaker documents them (amt-semantics §2.3): Linear and Auto are
uniform (Auto starts linear on SageMaker), Logarithmic is log-uniform, and ReverseLogarithmic (continuous
ranges inside [0, 1)) samples `1 - x` log-uniformly, which is dense near 1 as the docs intend. Optuna sees
`1 - x` for such a range; the training job sees x.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from amt_hydra import semantics
from amt_hydra.constants import PARAMETER_RANGE_LISTS
from amt_hydra.local.setup.errors import LocalValidationError

_KINDS = {field: kind.capitalize() for kind, field in PARAMETER_RANGE_LISTS.items()}


@dataclass(frozen=True)
class Range:
    """One tunable hyperparameter; `low`/`high` are None for categorical ranges."""

    name: str
    kind: str  # Integer | Continuous | Categorical
    low: float | None = None
    high: float | None = None
    scaling: str = "Auto"
    values: tuple[str, ...] = ()

    @property
    def cardinality(self) -> int | None:
        return semantics.cardinality(self.kind, self.low, self.high, self.values)

    @property
    def reverse(self) -> bool:
        return self.scaling == "ReverseLogarithmic"

    def distribution(self) -> Any:
        """The Optuna distribution this range is sampled from (in Optuna's space, see module doc)."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        log = self.scaling in ("Logarithmic", "ReverseLogarithmic")
        if self.kind == "Categorical":
            return CategoricalDistribution(list(self.values))
        if self.kind == "Integer":
            return IntDistribution(int(self.low), int(self.high), log=log)  # type: ignore[arg-type]
        if self.reverse:
            return FloatDistribution(1.0 - self.high, 1.0 - self.low, log=True)  # type: ignore[operator]
        return FloatDistribution(self.low, self.high, log=log)  # type: ignore[arg-type]

    def to_hp(self, optuna_value: Any) -> str:
        """The hyperparameter string a training job receives (SageMaker passes every value as a string)."""
        if self.kind == "Categorical":
            return str(optuna_value)
        if self.kind == "Integer":
            return str(int(optuna_value))
        return repr(1.0 - float(optuna_value) if self.reverse else float(optuna_value))

    def from_hp(self, value: str) -> Any | None:
        """The Optuna value for a hyperparameter string, or None when it lies outside this range."""
        try:
            if self.kind == "Categorical":
                return value if value in self.values else None
            number = int(value) if self.kind == "Integer" else float(value)
        except ValueError:
            return None
        if not self.low <= number <= self.high:  # type: ignore[operator]
            return None
        return 1.0 - number if self.reverse else number


def parse_ranges(ranges: Mapping[str, Any]) -> tuple[Range, ...]:
    """Read `ParameterRanges`, checking the rules sampling depends on (§2.3, checks 7-9)."""
    out: list[Range] = []
    for key, kind in _KINDS.items():
        for item in ranges.get(key) or []:
            try:
                out.append(_parse_one(kind, item))
            except ValueError as err:
                raise LocalValidationError(f"{key} {item.get('Name')!r}: {err}") from None
    if len({r.name for r in out}) != len(out):
        raise LocalValidationError("A hyperparameter appears in more than one range.")
    return tuple(out)


def _parse_one(kind: str, item: Mapping[str, Any]) -> Range:
    name = item["Name"]
    if kind == "Categorical":
        values = tuple(item["Values"])
        problem = semantics.categorical_problem(values)
        if problem:
            raise ValueError(problem)
        return Range(name, kind, values=values)
    cast = int if kind == "Integer" else float
    low, high = cast(item["MinValue"]), cast(item["MaxValue"])
    scaling = item.get("ScalingType", "Auto")
    problem = semantics.range_problem(kind.lower(), low, high, scaling)
    if problem:
        raise ValueError(problem)
    return Range(name, kind, float(low), float(high), scaling)


def grid(ranges: tuple[Range, ...]) -> Iterator[dict[str, str]]:
    """Every combination of categorical values, in the request's order (first range varies slowest)."""
    for combo in itertools.product(*(r.values for r in ranges)):
        yield dict(zip((r.name for r in ranges), combo, strict=True))
