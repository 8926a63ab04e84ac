"""The request, read once into what the engine needs to run it.

Every AMT rule checkable on a request is applied first (`amt_hydra.request_rules.request_problems`, the rules
of `amt_hydra.semantics` that `amt_hydra.spec` applies to configs). Violations raise `LocalValidationError`,
which the client answers as a `ValidationException`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amt_hydra import semantics
from amt_hydra.local.setup.errors import LocalValidationError
from amt_hydra.local.setup.ranges import Range, parse_ranges
from amt_hydra.request_rules import request_problems


@dataclass(frozen=True)
class Definition:
    """One training job definition (the only one, or one of `TrainingJobDefinitions`)."""

    index: int
    name: str | None
    raw: Mapping[str, Any]
    objective_name: str
    objective_type: str
    ranges: tuple[Range, ...]
    static: Mapping[str, str]
    metrics: Mapping[str, str]

    @property
    def instance_configs(self) -> tuple[dict[str, Any], ...]:
        """Instance configs in order of preference (AllocationStrategy Prioritized, §7)."""
        tuning = self.raw.get("HyperParameterTuningResourceConfig")
        if tuning and tuning.get("InstanceConfigs"):
            return tuple(dict(c) for c in tuning["InstanceConfigs"])
        plain = dict(tuning or self.raw.get("ResourceConfig") or {})
        keys = ("InstanceType", "InstanceCount", "VolumeSizeInGB")
        return ({k: plain[k] for k in keys if k in plain},)

    @property
    def max_runtime_s(self) -> float | None:
        return self.raw.get("StoppingCondition", {}).get("MaxRuntimeInSeconds")

    @property
    def grid_size(self) -> int:
        return math.prod(len(r.values) for r in self.ranges)

    @property
    def finite_size(self) -> int | None:
        """Number of distinct configurations, or None when a range is continuous."""
        sizes = [r.cardinality for r in self.ranges]
        return None if any(s is None for s in sizes) else math.prod(sizes)  # type: ignore[misc]


@dataclass(frozen=True)
class TuningSetup:
    """Everything the engine reads from a CreateHyperParameterTuningJob request."""

    name: str
    request: Mapping[str, Any]
    strategy: str
    max_jobs: int
    max_parallel: int
    max_runtime_s: float | None
    early_stopping: str
    definitions: tuple[Definition, ...]
    min_resource: int = 1
    max_resource: int | None = None

    @property
    def config(self) -> Mapping[str, Any]:
        return self.request["HyperParameterTuningJobConfig"]

    @property
    def direction(self) -> str:
        return self.definitions[0].objective_type

    @property
    def completion(self) -> Mapping[str, Any]:
        return self.config.get("TuningJobCompletionCriteria") or {}

    @property
    def random_seed(self) -> int | None:
        return self.config.get("RandomSeed")

    @property
    def warm_start(self) -> Mapping[str, Any] | None:
        return self.request.get("WarmStartConfig")

    def definition(self, index: int) -> Definition:
        return self.definitions[index]


def parse_request(request: Mapping[str, Any]) -> TuningSetup:
    """Read and check a request (already validated against botocore's model by the client)."""
    for path, message in request_problems(request):  # AMT's rules, written once in amt_hydra.semantics
        raise LocalValidationError(f"{path}: {message}")
    config = request["HyperParameterTuningJobConfig"]
    strategy = config["Strategy"]
    definitions = _definitions(request)
    limits = config["ResourceLimits"]
    early = config.get("TrainingJobEarlyStoppingType", "Off")
    setup = TuningSetup(
        name=request["HyperParameterTuningJobName"],
        request=request,
        strategy=strategy,
        max_jobs=_max_jobs(strategy, limits, definitions),
        max_parallel=int(limits["MaxParallelTrainingJobs"]),
        max_runtime_s=limits.get("MaxRuntimeInSeconds"),
        early_stopping=early,
        definitions=definitions,
    )
    if strategy == "Hyperband":
        return _with_hyperband(setup, config.get("StrategyConfig") or {})
    return setup


def _definitions(request: Mapping[str, Any]) -> tuple[Definition, ...]:
    single, many = request.get("TrainingJobDefinition"), request.get("TrainingJobDefinitions")
    config = request["HyperParameterTuningJobConfig"]
    if single is not None:
        return (_definition(0, single, config.get("HyperParameterTuningJobObjective"), config),)
    return tuple(_definition(i, d, d.get("TuningObjective"), d) for i, d in enumerate(many))


def _definition(
    index: int, raw: Mapping[str, Any], objective: Any, ranges_owner: Mapping[str, Any]
) -> Definition:
    name = raw.get("DefinitionName")
    metrics = {m["Name"]: m["Regex"] for m in raw["AlgorithmSpecification"].get("MetricDefinitions", [])}
    key = "HyperParameterRanges" if "HyperParameterRanges" in ranges_owner else "ParameterRanges"
    return Definition(
        index=index,
        name=name,
        raw=raw,
        objective_name=objective["MetricName"],
        objective_type=objective["Type"],
        ranges=parse_ranges(ranges_owner.get(key) or {}),
        static=dict(raw.get("StaticHyperParameters") or {}),
        metrics=metrics,
    )


def _max_jobs(strategy: str, limits: Mapping[str, Any], definitions: tuple[Definition, ...]) -> int:
    """Grid runs every combination; the rules on the given number are checked in `request_problems`."""
    if strategy == "Grid":
        return sum(d.grid_size for d in definitions)
    return int(limits["MaxNumberOfTrainingJobs"])


def _with_hyperband(setup: TuningSetup, strategy_config: Mapping[str, Any]) -> TuningSetup:
    from dataclasses import replace

    band = strategy_config.get("HyperbandStrategyConfig") or {}
    max_resource = band.get("MaxResource") or semantics.infer_max_resource(setup.definitions[0].static)
    for _field, message in semantics.hyperband_problems(band.get("MinResource"), max_resource):
        raise LocalValidationError(message)  # checked in request_problems; kept for direct callers
    return replace(setup, min_resource=int(band.get("MinResource") or 1), max_resource=int(max_resource))
