"""AMT's rules that botocore's service model does not encode (amt-semantics.md §2, §11).

Each rule raises `ConfigError` naming the config key and the rule. Bounds the model does encode
(minimums, maximums, patterns, enums) are checked on the rendered request by `amt_hydra.request.model`.
"""

from __future__ import annotations

import math
import os
import re

from amt_hydra import constants as C
from amt_hydra.errors import ConfigError, UserError
from amt_hydra.spec.model import ParameterRange, TuningSpec

try:  # Python >= 3.11
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef]


def check(spec: TuningSpec) -> None:
    _check_enums(spec)
    for rng in spec.ranges:
        _check_range(rng)
    _check_counts(spec)
    _check_strategy(spec)
    _check_limits(spec)
    _check_metrics(spec)
    _check_estimator(spec)


def _check_enums(spec: TuningSpec) -> None:
    if spec.strategy.name not in C.STRATEGIES:
        raise ConfigError("strategy.name", f"{spec.strategy.name!r} is not one of {list(C.STRATEGIES)}")
    if spec.objective.type not in C.OBJECTIVE_TYPES:
        raise ConfigError("metric.type", f"{spec.objective.type!r} is not one of {list(C.OBJECTIVE_TYPES)}")


def _check_range(rng: ParameterRange) -> None:
    if rng.kind == "categorical":
        if len(rng.values) > C.MAX_CATEGORICAL_VALUES:
            raise ConfigError(rng.key, f"{len(rng.values)} categorical values; AMT allows at most "
                              f"{C.MAX_CATEGORICAL_VALUES}")
        long = [v for v in rng.values if len(v) > 256]
        if long:
            raise ConfigError(rng.key, f"categorical value {long[0][:20]!r}... is longer than 256 characters")
        return
    lo, hi = rng.min, rng.max
    assert lo is not None and hi is not None
    if lo >= hi:
        raise ConfigError(rng.key, f"min ({lo}) must be less than max ({hi})")
    if rng.scaling == "Logarithmic" and lo <= 0:
        raise ConfigError(rng.key, f"log scaling needs min > 0, got min={lo}")
    if rng.scaling == "ReverseLogarithmic":
        if rng.kind == "integer":
            raise ConfigError(rng.key, "reverse_log scaling is not supported for integer ranges")
        if lo < 0 or hi >= 1:
            raise ConfigError(rng.key, f"reverse_log scaling needs 0 <= min and max < 1, got [{lo}, {hi}]")


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
    discrete = all(r.kind != "continuous" for r in spec.ranges)
    max_jobs = spec.limits.max_jobs
    if name != "Grid" and discrete and max_jobs is not None and grid_size(spec) < max_jobs:
        raise ConfigError("limits.max_jobs", f"not enough combinations of hyperparameter ranges: "
                          f"{grid_size(spec)} < max_jobs {max_jobs}")


def _check_grid(spec: TuningSpec) -> None:
    numeric = [r for r in spec.ranges if r.kind != "categorical"]
    if numeric:
        raise ConfigError(numeric[0].key, "grid search takes only categorical parameters (use choice(...))")
    size = grid_size(spec)
    if size > C.MAX_GRID_JOBS:
        raise ConfigError("search_space", f"grid of {size} combinations; AMT allows at most {C.MAX_GRID_JOBS}")
    if spec.limits.max_jobs is not None and spec.limits.max_jobs != size:
        raise ConfigError("limits.max_jobs", f"grid search runs every combination ({size}); set "
                          "limits.max_jobs=null")


def hyperband_max_resource(spec: TuningSpec) -> int | None:
    """MaxResource, or the value AMT infers from a static epochs-like hyperparameter."""
    if spec.strategy.max_resource is not None:
        return spec.strategy.max_resource
    for name in C.EPOCH_HP_NAMES:
        value = spec.estimator.static_hyperparameters.get(name)
        if value is not None and re.fullmatch(r"\d+", value):
            return int(value)
    return None


def _check_hyperband(spec: TuningSpec) -> None:
    if spec.early_stopping != "Off":
        raise ConfigError("early_stopping", "must be off with the hyperband strategy")
    lo, hi = spec.strategy.min_resource, hyperband_max_resource(spec)
    if hi is None:
        raise ConfigError("strategy.max_resource", "not set and could not be inferred from a static "
                          f"hyperparameter {list(C.EPOCH_HP_NAMES)}")
    if lo is not None and lo < 1:
        raise ConfigError("strategy.min_resource", f"must be >= 1, got {lo}")
    if not 1 <= hi <= C.MAX_HYPERBAND_RESOURCE:
        raise ConfigError("strategy.max_resource", f"must be in [1, {C.MAX_HYPERBAND_RESOURCE}], got {hi}")
    if lo is not None and lo > hi:
        raise ConfigError("strategy.min_resource", f"min_resource ({lo}) must not exceed max_resource ({hi})")


def _check_limits(spec: TuningSpec) -> None:
    jobs = spec.limits.max_jobs if spec.limits.max_jobs is not None else grid_size(spec)
    if spec.limits.max_jobs is None and spec.strategy.name != "Grid":
        raise ConfigError("limits.max_jobs", f"required for the {spec.strategy.name} strategy")
    if spec.limits.max_parallel_jobs > jobs >= 1:
        raise ConfigError("limits.max_parallel_jobs", f"({spec.limits.max_parallel_jobs}) must not exceed "
                          f"max_jobs ({jobs})")
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
        check_regex(f"metric.definitions[{i}].regex", metric.regex)
    if spec.objective.name not in names and not spec.estimator.builtin_algorithm:
        raise ConfigError("metric.name", f"{spec.objective.name!r} is not one of metric.definitions {names}")


def check_regex(key: str, regex: str) -> None:
    """Compiles, exactly one capture group, and that group cannot match an empty string."""
    try:
        compiled = re.compile(regex)
    except re.error as exc:
        raise ConfigError(key, f"regex {regex!r} does not compile: {exc}") from None
    if compiled.groups != 1:
        raise ConfigError(key, f"regex {regex!r} must have exactly one capture group, has {compiled.groups}")
    if _group_min_width(regex) == 0:
        raise ConfigError(key, f"regex {regex!r}: the capture group can match an empty string (e.g. a lazy "
                          "(.*?)); make it match at least one character, e.g. ([0-9.]+)")


def _group_min_width(regex: str) -> int:
    def walk(pattern: sre_parse.SubPattern) -> int | None:
        for op, av in pattern.data:
            if op is sre_parse.SUBPATTERN and av[0] == 1:
                return av[-1].getwidth()[0]
            for child in _children(av):
                found = walk(child)
                if found is not None:
                    return found
        return None

    found = walk(sre_parse.parse(regex))
    return 1 if found is None else found


def _children(av: object) -> list[sre_parse.SubPattern]:
    items = av if isinstance(av, (list, tuple)) else [av]
    out: list[sre_parse.SubPattern] = []
    for item in items:
        if isinstance(item, sre_parse.SubPattern):
            out.append(item)
        elif isinstance(item, (list, tuple)):
            out.extend(_children(item))
    return out


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
        if est.entry_point and not os.path.isfile(os.path.join(est.source_dir, est.entry_point)):
            raise ConfigError("estimator.entry_point", f"{est.entry_point} not found in {est.source_dir}")
    for channel in est.channels:
        if channel.local:
            _check_local_input(f"estimator.inputs.{channel.name}", channel.local)


def _check_local_input(key: str, path: str) -> None:
    """Prepared datasets get the data command's own check, whose message names the command to run."""
    from amt_hydra.data.sources import DATASETS, data_root

    name = os.path.basename(path)
    if os.path.dirname(path) == str(data_root()) and name in DATASETS:
        from amt_hydra.data.prepare import check_dataset

        try:
            check_dataset(path, name)
        except UserError as exc:
            raise ConfigError(key, str(exc)) from None
    elif not os.path.exists(path):
        raise ConfigError(key, f"{path} does not exist")
