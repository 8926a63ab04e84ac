"""The request, read once into what the engine needs to run it.

Only rules the engine depends on are checked here (a bad one would make a trial meaningless or the
search ill-defined); the full set of AMT's rules is the renderer's job (amt_hydra.spec). Violations raise
`LocalValidationError`, which the client answers as a `ValidationException`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amt_hydra.constants import EPOCH_HP_NAMES, MAX_HYPERBAND_RESOURCE
from amt_hydra.local.setup.errors import LocalValidationError
from amt_hydra.local.setup.ranges import Range, parse_ranges

MAX_RESOURCE_MESSAGE = (
    "MaxResource parameter is not provided and could not be inferred from provided static hyperparameters "
    "of TrainingJobDefinition."
)


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
    config = request["HyperParameterTuningJobConfig"]
    strategy = config["Strategy"]
    if strategy not in ("Bayesian", "Random", "Grid", "Hyperband"):
        raise LocalValidationError(f"Strategy {strategy!r} is not one of Bayesian, Random, Grid, Hyperband.")
    definitions = _definitions(request)
    limits = config["ResourceLimits"]
    early = config.get("TrainingJobEarlyStoppingType", "Off")
    if strategy == "Hyperband" and early != "Off":
        raise LocalValidationError("TrainingJobEarlyStoppingType must be Off when the strategy is Hyperband.")
    if len(definitions) > 1 and early != "Off":
        raise LocalValidationError("Early stopping is available only when tuning a single algorithm.")
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
    if (single is None) == (many is None):
        raise LocalValidationError("Provide exactly one of TrainingJobDefinition and TrainingJobDefinitions.")
    config = request["HyperParameterTuningJobConfig"]
    if single is not None:
        return (_definition(0, single, config.get("HyperParameterTuningJobObjective"), config),)
    if request.get("WarmStartConfig"):
        raise LocalValidationError("Warm start is not available with TrainingJobDefinitions.")
    return tuple(_definition(i, d, d.get("TuningObjective"), d) for i, d in enumerate(many))


def _definition(
    index: int, raw: Mapping[str, Any], objective: Any, ranges_owner: Mapping[str, Any]
) -> Definition:
    name = raw.get("DefinitionName")
    where = f"TrainingJobDefinition {name}" if name else "TrainingJobDefinition"
    if not objective:
        raise LocalValidationError(f"{where}: the tuning objective (MetricName and Type) is required.")
    metrics = {m["Name"]: m["Regex"] for m in raw["AlgorithmSpecification"].get("MetricDefinitions", [])}
    if objective["MetricName"] not in metrics:
        raise LocalValidationError(
            f"{where}: the objective metric {objective['MetricName']!r} is not among the MetricDefinitions "
            f"({', '.join(metrics) or 'none'}); the local engine reads metrics from logs with those regexes."
        )
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
    given = limits.get("MaxNumberOfTrainingJobs")
    if strategy == "Grid":
        if any(r.kind != "Categorical" for d in definitions for r in d.ranges):
            raise LocalValidationError("Grid search supports only CategoricalParameterRanges.")
        size = sum(d.grid_size for d in definitions)
        if given is not None and int(given) != size:
            raise LocalValidationError(
                f"For Grid search, MaxNumberOfTrainingJobs ({given}) must equal the number of combinations "
                f"of the categorical values ({size}), or be omitted."
            )
        return size
    if given is None:
        raise LocalValidationError(f"ResourceLimits.MaxNumberOfTrainingJobs is required for {strategy}.")
    sizes = [d.finite_size for d in definitions]
    if all(s is not None for s in sizes) and sum(sizes) < int(given):  # type: ignore[arg-type]
        raise LocalValidationError(
            "You don't have enough combinations of hyperparameter ranges. The total number of hyperparameter "
            f"combinations for the provided ranges [{float(sum(sizes))}] must be equal or greater than the "  # type: ignore[arg-type]
            f"value of MaxNumberOfJobs, [{given}]. Provide additional ranges."
        )
    return int(given)


def _with_hyperband(setup: TuningSetup, strategy_config: Mapping[str, Any]) -> TuningSetup:
    from dataclasses import replace

    band = strategy_config.get("HyperbandStrategyConfig") or {}
    max_resource = band.get("MaxResource") or _inferred_max_resource(setup.definitions[0].static)
    if max_resource is None:
        raise LocalValidationError(MAX_RESOURCE_MESSAGE)
    min_resource = int(band.get("MinResource") or 1)
    if not 1 <= min_resource <= int(max_resource) <= MAX_HYPERBAND_RESOURCE:
        raise LocalValidationError(
            f"HyperbandStrategyConfig needs 1 <= MinResource ({min_resource}) "
            f"<= MaxResource ({max_resource}) "
            f"<= {MAX_HYPERBAND_RESOURCE}."
        )
    return replace(setup, min_resource=min_resource, max_resource=int(max_resource))


def _inferred_max_resource(static: Mapping[str, str]) -> int | None:
    """The first epochs-like static hyperparameter (§2.1), JSON-decoded when the SDK encoded it."""
    from amt_hydra.local.setup.sources import decode_hp

    for key in EPOCH_HP_NAMES:
        if key in static:
            try:
                return int(decode_hp(static[key]))  # type: ignore[call-overload]
            except (TypeError, ValueError):
                return None
    return None
