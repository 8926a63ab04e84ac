"""AMT's rules that botocore's service model does not encode, applied to a spec (amt-semantics.md §2, §11).

The rules and their messages live in `amt_hydra.semantics` (shared with the local engine); here each is
wrapped in a `ConfigError` naming the config key. Bounds the model does encode (minimums, maximums,
patterns, enums) are checked on the rendered request by `amt_hydra.request.validate`.
"""

from __future__ import annotations

import math
import os

from amt_hydra import constants as C
from amt_hydra import semantics as S
from amt_hydra.errors import ConfigError
from amt_hydra.spec.model import ParameterRange, TuningSpec


def _raise(key: str, problem: str | None) -> None:
    if problem:
        raise ConfigError(key, problem)


def check(spec: TuningSpec) -> None:
    _check_enums(spec)
    for rng in spec.ranges:
        _check_range(rng)
    _check_counts(spec)
    _check_strategy(spec)
    _check_limits(spec)
    _check_metrics(spec)
    _check_estimator(spec)
    _check_names(spec)


def _check_enums(spec: TuningSpec) -> None:
    if spec.strategy.name not in C.STRATEGIES:
        raise ConfigError("strategy.name", f"{spec.strategy.name!r} is not one of {list(C.STRATEGIES)}")
    if spec.objective.type not in C.OBJECTIVE_TYPES:
        raise ConfigError("metric.type", f"{spec.objective.type!r} is not one of {list(C.OBJECTIVE_TYPES)}")


def _check_range(rng: ParameterRange) -> None:
    if rng.kind == "categorical":
        _raise(rng.key, S.categorical_problem(rng.values))
    else:
        _raise(rng.key, S.range_problem(rng.kind, rng.min, rng.max, rng.scaling))  # type: ignore[arg-type]


def _check_counts(spec: TuningSpec) -> None:
    n_tuned = len(spec.ranges)
    if n_tuned > C.MAX_TUNABLE_HPS:
        raise ConfigError("search_space", f"{n_tuned} tunable hyperparameters; AMT allows at most "
                          f"{C.MAX_TUNABLE_HPS}")
    statics = spec.estimator.static_hyperparameters
    if len(statics) > C.MAX_STATIC_HPS:
        raise ConfigError("estimator.hyperparameters", f"{len(statics)} static hyperparameters; AMT allows "
                          f"at most {C.MAX_STATIC_HPS}")
    total = len(statics) + n_tuned + 1 + len(_reserved_names(spec))
    if total > C.MAX_TOTAL_HPS:
        raise ConfigError("estimator.hyperparameters", f"{total} hyperparameters in all (static, tuned, "
                          f"reserved and _tuning_objective_metric); AMT allows at most {C.MAX_TOTAL_HPS}")
    if len(spec.estimator.instances) > C.MAX_INSTANCE_CONFIGS:
        raise ConfigError("instances", f"{len(spec.estimator.instances)} instance configs; AMT allows at most "
                          f"{C.MAX_INSTANCE_CONFIGS}")
    if len(spec.estimator.environment) > C.MAX_ENVIRONMENT:
        raise ConfigError("estimator.environment", f"{len(spec.estimator.environment)} variables; AMT allows "
                          f"at most {C.MAX_ENVIRONMENT}")


def _reserved_names(spec: TuningSpec) -> list[str]:
    if not spec.estimator.entry_point:
        return []
    return [C.PROGRAM_HP, C.SUBMIT_DIR_HP, C.CONTAINER_LOG_LEVEL_HP, C.REGION_HP]


def grid_size(spec: TuningSpec) -> int:
    return math.prod(r.cardinality or 0 for r in spec.ranges)


def _check_strategy(spec: TuningSpec) -> None:
    name = spec.strategy.name
    if name == "Grid":
        _check_grid(spec)
    if name == "Hyperband":
        _check_hyperband(spec)
    elif spec.strategy.min_resource is not None or spec.strategy.max_resource is not None:
        raise ConfigError("strategy.min_resource", f"min/max resource apply to hyperband only, not {name}")
    if not spec.ranges:
        raise ConfigError("search_space", "needs at least one tunable hyperparameter")
    if name != "Grid":
        total = S.combinations(r.cardinality for r in spec.ranges)
        _raise("limits.max_jobs", S.combinations_problem(total, spec.limits.max_jobs))


def _check_grid(spec: TuningSpec) -> None:
    numeric = [r for r in spec.ranges if r.kind != "categorical"]
    if numeric:
        _raise(numeric[0].key, S.grid_kinds_problem(r.kind for r in spec.ranges))
    size = grid_size(spec)
    _raise("search_space", S.grid_size_problem(size, None))
    _raise("limits.max_jobs", S.grid_size_problem(size, spec.limits.max_jobs))


def hyperband_max_resource(spec: TuningSpec) -> int | None:
    """MaxResource, or the value AMT infers from a static epochs-like hyperparameter."""
    if spec.strategy.max_resource is not None:
        return spec.strategy.max_resource
    return S.infer_max_resource(spec.estimator.static_hyperparameters)


def _check_hyperband(spec: TuningSpec) -> None:
    _raise("early_stopping", S.hyperband_early_stopping_problem(spec.early_stopping))
    for field, message in S.hyperband_problems(spec.strategy.min_resource, hyperband_max_resource(spec)):
        raise ConfigError(f"strategy.{field}", message)


def _check_limits(spec: TuningSpec) -> None:
    jobs = spec.limits.max_jobs if spec.limits.max_jobs is not None else grid_size(spec)
    if spec.limits.max_jobs is None and spec.strategy.name != "Grid":
        raise ConfigError("limits.max_jobs", f"required for the {spec.strategy.name} strategy")
    _raise("limits.max_parallel_jobs", S.parallel_problem(spec.limits.max_parallel_jobs, jobs))
    if spec.warm_start and not 1 <= len(spec.warm_start.parents) <= C.MAX_WARM_START_PARENTS:
        raise ConfigError("warm_start.parents", f"needs 1 to {C.MAX_WARM_START_PARENTS} parent job names")


def _check_metrics(spec: TuningSpec) -> None:
    names = [m.name for m in spec.metrics]
    if len(names) > C.MAX_METRIC_DEFINITIONS:
        raise ConfigError("metric.definitions", f"{len(names)} definitions; AMT allows at most "
                          f"{C.MAX_METRIC_DEFINITIONS}")
    if len(set(names)) != len(names):
        raise ConfigError("metric.definitions", f"metric names must be unique, got {names}")
    for i, metric in enumerate(spec.metrics):
        _raise(f"metric.definitions[{i}].regex", S.metric_regex_problem(metric.regex))
    if not spec.estimator.builtin_algorithm:
        _raise("metric.name", S.objective_problem(spec.objective.name, names))


def _check_estimator(spec: TuningSpec) -> None:
    est = spec.estimator
    if est.use_spot and (est.max_wait_s is None or est.max_wait_s < est.max_runtime_s):
        raise ConfigError("estimator.max_wait_s", "spot training needs max_wait_s >= max_runtime_s")
    if not est.use_spot and est.max_wait_s is not None:
        raise ConfigError("estimator.max_wait_s", "applies to spot training only (estimator.use_spot=true)")
    if est.entry_point and not est.source_dir:
        raise ConfigError("estimator.source_dir", "required with estimator.entry_point")
    if est.source_dir:
        if not os.path.isdir(est.source_dir):
            raise ConfigError("estimator.source_dir", f"{est.source_dir} is not a directory")
        if est.entry_point:
            _raise("estimator.entry_point", S.entry_point_problem(est.entry_point))
        if est.entry_point and not os.path.isfile(os.path.join(est.source_dir, est.entry_point)):
            raise ConfigError("estimator.entry_point", f"{est.entry_point} not found in {est.source_dir}")


def _check_names(spec: TuningSpec) -> None:
    """Names that become folders, variables or tags in the job: refused where they would escape or clash."""
    est = spec.estimator
    for channel in est.channels:
        _raise(f"estimator.inputs.{channel.name}", S.channel_name_problem(channel.name))
    for name in est.environment:
        _raise(f"estimator.environment.{name}", S.environment_name_problem(name))
    for i, instance in enumerate(est.instances):
        key = f"instances[{i}].instance_count" if est.fallbacks else "estimator.instance_count"
        _raise(key, S.instance_count_problem(instance.instance_count))
    for key in spec.tags:
        _raise(f"tags.{key}", S.tag_key_problem(key))
