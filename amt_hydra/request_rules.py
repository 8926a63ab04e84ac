"""AMT's rules (`amt_hydra.semantics`) applied to a CreateHyperParameterTuningJob request.

The local engine calls `request_problems` on every request it is given, whoever wrote it: the same rules the
config boundary (`amt_hydra.spec`) applies, here keyed by request field path. Types, required members and the
model's bounds are botocore's job and are checked before this runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from amt_hydra import constants as C
from amt_hydra import semantics as S

Problem = tuple[str, str]
_TUNING = "HyperParameterTuningJobConfig"


def request_problems(request: Mapping[str, Any]) -> list[Problem]:
    """[(request field path, message)] for every AMT rule the request breaks, in a stable order."""
    config = request.get(_TUNING) or {}
    found = list(_structure(request, config))
    if found:
        return found
    definitions = _definitions(request, config)
    for path, definition, owner, ranges_path in definitions:
        found.extend(_definition(path, definition, owner, ranges_path))
    if found:  # the search-level rules below read the ranges as numbers
        return found
    found.extend(_strategy(config, definitions))
    for i, tag in enumerate(request.get("Tags") or []):
        _add(found, f"Tags[{i}].Key", S.tag_key_problem(str(tag.get("Key", ""))))
    target = (config.get("TuningJobCompletionCriteria") or {}).get("TargetObjectiveMetricValue")
    if target is not None:
        _add(found, f"{_TUNING}.TuningJobCompletionCriteria.TargetObjectiveMetricValue", S.number_problem(target))
    return found


def _add(found: list[Problem], path: str, problem: str | None) -> None:
    if problem:
        found.append((path, problem))


def _structure(request: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[Problem]:
    if config.get("Strategy") not in C.STRATEGIES:
        yield f"{_TUNING}.Strategy", f"{config.get('Strategy')!r} is not one of {', '.join(C.STRATEGIES)}."
    single, many = request.get("TrainingJobDefinition"), request.get("TrainingJobDefinitions")
    if (single is None) == (many is None):
        yield "TrainingJobDefinition", "Provide exactly one of TrainingJobDefinition and TrainingJobDefinitions."
    elif many is not None and request.get("WarmStartConfig"):
        yield "WarmStartConfig", "Warm start is not available with TrainingJobDefinitions."


def _definitions(request: Mapping[str, Any], config: Mapping[str, Any]) -> list[tuple[str, Any, Any, str]]:
    """(path, definition, the mapping that holds its objective and ranges, ranges path)."""
    if request.get("TrainingJobDefinition") is not None:
        return [("TrainingJobDefinition", request["TrainingJobDefinition"], config, _TUNING)]
    many = request["TrainingJobDefinitions"]
    return [(f"TrainingJobDefinitions[{i}]", d, d, f"TrainingJobDefinitions[{i}]") for i, d in enumerate(many)]


def _definition(path: str, definition: Mapping[str, Any], owner: Mapping[str, Any], ranges_path: str
                ) -> Iterator[Problem]:
    objective = owner.get("HyperParameterTuningJobObjective") or owner.get("TuningObjective")
    algorithm = definition.get("AlgorithmSpecification") or {}
    metrics = algorithm.get("MetricDefinitions") or []
    for i, metric in enumerate(metrics):
        problem = S.metric_regex_problem(metric.get("Regex", ""))
        if problem:
            yield f"{path}.AlgorithmSpecification.MetricDefinitions[{i}].Regex", problem
    if not objective:
        yield path, "the tuning objective (MetricName and Type) is required."
    else:
        problem = S.objective_problem(objective["MetricName"], [m["Name"] for m in metrics])
        if problem:
            yield path, f"{problem}; the local engine reads metrics from logs with those regexes."
    key = "HyperParameterRanges" if "HyperParameterRanges" in owner else "ParameterRanges"
    tuned = list(_ranges(f"{ranges_path}.{key}", owner.get(key) or {}))
    yield from (p for p in tuned if p[1])
    yield from _statics(path, definition.get("StaticHyperParameters") or {}, {p[0] for p in tuned})
    yield from _resources(path, definition)


def _ranges(path: str, ranges: Mapping[str, Any]) -> Iterator[Problem]:
    """One (name, problem or '') per range, so the caller also learns the tuned names."""
    seen: set[str] = set()
    for kind, field in C.PARAMETER_RANGE_LISTS.items():
        for i, item in enumerate(ranges.get(field) or []):
            name = str(item.get("Name", ""))
            where = f"{path}.{field}[{i}]"
            problem = S.hyperparameter_name_problem(name) or _range_item_problem(kind, item)
            if name in seen:
                problem = "A hyperparameter appears in more than one range."
            seen.add(name)
            yield (where, f"{name!r}: {problem}") if problem else (name, "")


def _range_item_problem(kind: str, item: Mapping[str, Any]) -> str | None:
    if kind == "categorical":
        return S.categorical_problem(item.get("Values") or [])
    cast = int if kind == "integer" else float
    try:
        low, high = cast(item["MinValue"]), cast(item["MaxValue"])
    except (KeyError, TypeError, ValueError):
        return f"MinValue and MaxValue must be {kind} numbers, got {item.get('MinValue')!r}, {item.get('MaxValue')!r}"
    return S.range_problem(kind, low, high, item.get("ScalingType", "Auto"))


def _statics(path: str, statics: Mapping[str, str], tuned: set[str]) -> Iterator[Problem]:
    for name, value in statics.items():
        where = f"{path}.StaticHyperParameters.{name}"
        problem = S.hyperparameter_name_problem(name, sdk_names_ok=True)
        if problem is None and name in tuned:
            problem = f"{name!r} is both static and tuned; a hyperparameter is either static or tuned"
        if problem is None and name == C.PROGRAM_HP:
            problem = S.entry_point_problem(_decoded(value))
        if problem:
            yield where, problem


def _decoded(value: str) -> str:
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


def _resources(path: str, definition: Mapping[str, Any]) -> Iterator[Problem]:
    for name in definition.get("Environment") or {}:
        problem = S.environment_name_problem(name)
        if problem:
            yield f"{path}.Environment.{name}", problem
    for i, channel in enumerate(definition.get("InputDataConfig") or []):
        problem = S.channel_name_problem(str(channel.get("ChannelName", "")))
        if problem:
            yield f"{path}.InputDataConfig[{i}].ChannelName", problem
    tuning = definition.get("HyperParameterTuningResourceConfig") or {}
    counts = {"ResourceConfig": (definition.get("ResourceConfig") or {}).get("InstanceCount"),
              "HyperParameterTuningResourceConfig": tuning.get("InstanceCount")}
    counts.update({f"HyperParameterTuningResourceConfig.InstanceConfigs[{i}]": c.get("InstanceCount")
                   for i, c in enumerate(tuning.get("InstanceConfigs") or [])})
    for where, count in counts.items():
        problem = S.instance_count_problem(count) if isinstance(count, int) else None
        if problem:
            yield f"{path}.{where}.InstanceCount", problem


def _strategy(config: Mapping[str, Any], definitions: list[tuple[str, Any, Any, str]]) -> Iterator[Problem]:
    strategy, early = config["Strategy"], config.get("TrainingJobEarlyStoppingType", "Off")
    limits = config.get("ResourceLimits") or {}
    max_jobs, parallel = limits.get("MaxNumberOfTrainingJobs"), limits.get("MaxParallelTrainingJobs")
    sizes = [_size(owner) for _, _, owner, _ in definitions]
    total = None if any(s is None for s in sizes) else sum(sizes)  # type: ignore[arg-type]
    limits_path = f"{_TUNING}.ResourceLimits"
    if strategy == "Grid":
        kinds = [k for _, _, owner, _ in definitions for k in _kinds(owner)]
        kinds_problem = S.grid_kinds_problem(kinds)
        if kinds_problem:
            yield f"{_TUNING}.ParameterRanges", kinds_problem
            return
        problem = S.grid_size_problem(total or 0, max_jobs)
        if problem:
            yield f"{limits_path}.MaxNumberOfTrainingJobs", problem
        max_jobs = total
    elif max_jobs is None:
        yield f"{limits_path}.MaxNumberOfTrainingJobs", f"MaxNumberOfTrainingJobs is required for {strategy}."
    else:
        problem = S.combinations_problem(total, max_jobs)
        if problem:
            yield f"{limits_path}.MaxNumberOfTrainingJobs", problem
    if isinstance(parallel, int) and isinstance(max_jobs, int):
        problem = S.parallel_problem(parallel, max_jobs)
        if problem:
            yield f"{limits_path}.MaxParallelTrainingJobs", f"MaxParallelTrainingJobs {problem}"
    problem = S.multi_definition_early_stopping_problem(len(definitions), early)
    if problem:
        yield f"{_TUNING}.TrainingJobEarlyStoppingType", problem
    if strategy == "Hyperband":
        yield from _hyperband(config, early, definitions[0][1].get("StaticHyperParameters") or {})


def _hyperband(config: Mapping[str, Any], early: str, statics: Mapping[str, str]) -> Iterator[Problem]:
    problem = S.hyperband_early_stopping_problem(early)
    if problem:
        yield f"{_TUNING}.TrainingJobEarlyStoppingType", problem
    band = (config.get("StrategyConfig") or {}).get("HyperbandStrategyConfig") or {}
    max_resource = band.get("MaxResource") or S.infer_max_resource(statics)
    for field, message in S.hyperband_problems(band.get("MinResource"), max_resource):
        yield f"{_TUNING}.StrategyConfig.HyperbandStrategyConfig.{field.title().replace('_', '')}", message


def _kinds(owner: Mapping[str, Any]) -> list[str]:
    ranges = owner.get("HyperParameterRanges") or owner.get("ParameterRanges") or {}
    return [kind for kind, field in C.PARAMETER_RANGE_LISTS.items() for _ in ranges.get(field) or []]


def _size(owner: Mapping[str, Any]) -> int | None:
    ranges = owner.get("HyperParameterRanges") or owner.get("ParameterRanges") or {}
    cards: list[int | None] = [len(r.get("Values") or []) for r in ranges.get("CategoricalParameterRanges") or []]
    cards += [None for _ in ranges.get("ContinuousParameterRanges") or []]
    cards += [int(r["MaxValue"]) - int(r["MinValue"]) + 1 for r in ranges.get("IntegerParameterRanges") or []]
    return S.combinations(cards)
