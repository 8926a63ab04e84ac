"""The search space as the request states it: one `Param` per range, read from the described tuning job.

The report (axes, edge warnings) and the Optuna storage (distributions) both read it, so a log axis and a log
distribution always agree. The results read the job as SageMaker describes it and never the local engine's
sampling code, because they serve SageMaker jobs as much as local ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amt_hydra.constants import PARAMETER_RANGE_LISTS

# `Auto` starts linear on SageMaker and may switch to log; a positive range this many times wide is drawn
# (and stored) on a log scale, which is where such a range is read best.
AUTO_LOG_RATIO = 100.0
# The best value within this fraction of a range's span (in its scale) from an end is "at the edge".
EDGE_FRACTION = 0.05


@dataclass(frozen=True)
class Param:
    """One tuned hyperparameter; `low`/`high` are None for categorical ranges."""

    name: str
    kind: str  # Continuous | Integer | Categorical
    low: float | None = None
    high: float | None = None
    scaling: str = "Auto"
    values: tuple[str, ...] = ()

    @property
    def log(self) -> bool:
        if self.kind == "Categorical" or self.low is None or self.high is None or self.low <= 0:
            return False
        return self.scaling == "Logarithmic" or (self.scaling == "Auto" and self.high / self.low >= AUTO_LOG_RATIO)

    def value(self, text: str) -> float | int | str:
        """A hyperparameter string as a number for numeric ranges (SageMaker passes every value as a string)."""
        if self.kind == "Categorical":
            return text
        return int(float(text)) if self.kind == "Integer" else float(text)

    def distribution(self) -> Any:
        """The Optuna distribution of this range (ReverseLogarithmic has no Optuna twin: stored linear)."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        if self.kind == "Categorical":
            return CategoricalDistribution(list(self.values))
        if self.kind == "Integer":
            return IntDistribution(int(self.low), int(self.high), log=self.log)  # type: ignore[arg-type]
        return FloatDistribution(self.low, self.high, log=self.log)  # type: ignore[arg-type]

    def edge(self, text: str) -> str | None:
        """"lower" or "upper" when a value sits at that end of a numeric range, else None."""
        if self.kind == "Categorical" or self.low is None or self.high is None:
            return None
        import math

        scale = math.log if self.log else float
        value = min(max(float(text), self.low), self.high)
        position = (scale(value) - scale(self.low)) / (scale(self.high) - scale(self.low))
        if position <= EDGE_FRACTION:
            return "lower"
        return "upper" if position >= 1 - EDGE_FRACTION else None


def _param(kind: str, item: dict[str, Any]) -> Param:
    if kind == "Categorical":
        return Param(item["Name"], kind, values=tuple(item["Values"]))
    return Param(item["Name"], kind, float(item["MinValue"]), float(item["MaxValue"]), item.get("ScalingType", "Auto"))


def parameters(tuning_job: dict[str, Any]) -> list[Param]:
    """The tuned ranges of the job's config and of each of its training job definitions, in request order."""
    config = tuning_job.get("HyperParameterTuningJobConfig") or {}
    sources = [config.get("ParameterRanges") or {}]
    definitions = tuning_job.get("TrainingJobDefinitions") or [tuning_job.get("TrainingJobDefinition") or {}]
    sources += [d.get("HyperParameterRanges") or {} for d in definitions if d]
    out: dict[str, Param] = {}
    for ranges in sources:
        for kind, field in PARAMETER_RANGE_LISTS.items():
            for item in ranges.get(field) or []:
                out.setdefault(item["Name"], _param(kind.capitalize(), item))
    return list(out.values())
