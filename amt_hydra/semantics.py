"""AMT's semantic rules and inferences, written once (amt-semantics.md §2, §8, §11).

Pure functions on plain values, stdlib only. Each returns a problem message (or None); callers only wrap it:
`amt_hydra.spec` in `ConfigError(key, message)`, the local engine in `LocalValidationError`. Where SageMaker
has its own wording, the message carries it, so both sides read the same sentence.
`amt_hydra.request_rules.request_problems` applies all of them to a CreateHyperParameterTuningJob request.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from amt_hydra import constants as C

try:  # Python >= 3.11
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef]

# A hyperparameter reaches the script as `--name value` (sagemaker-training's mapping.to_cmd_args):
# a leading dash, whitespace or `=` would change what argparse reads.
_HP_NAME = re.compile(r"[^\s=\-][^\s=]*")


# -- numbers ----------------------------------------------------------------------------------------------
def number_problem(value: Any, integer: bool = False) -> str | None:
    """Booleans are never numbers; floats must be finite; integers must fit the API's 32-bit int."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{value!r} is not a number"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if integer and not C.INT32_MIN <= value <= C.INT32_MAX:
        return f"{value} does not fit a 32-bit integer (at most {C.INT32_MAX})"
    return None


# -- ranges -----------------------------------------------------------------------------------------------
def bounds_problem(kind: str, low: Any, high: Any) -> str | None:
    """Numbers (never booleans), finite, and for integer ranges within the API's 32-bit int."""
    for bound in (low, high):
        problem = number_problem(bound, integer=kind == "integer")
        if problem:
            return f"bounds must be finite numbers: {problem}"
    return None


def range_problem(kind: str, low: float, high: float, scaling: str) -> str | None:
    """min < max, finite bounds, and the scaling type's own domain (kind: integer | continuous)."""
    problem = bounds_problem(kind, low, high)
    if problem:
        return problem
    if scaling not in C.SCALING.values():
        return f"scaling {scaling!r} is not one of {list(C.SCALING.values())}"
    if low >= high:
        return f"min ({low}) must be less than max ({high})"
    if scaling == "Logarithmic" and low <= 0:
        return (f"log scaling needs min > 0, got min={low} (Logarithmic scaling works only for ranges that "
                "have only values greater than 0)")
    if scaling == "ReverseLogarithmic":
        if kind == "integer":
            return ("reverse_log scaling is not supported for integer ranges (ReverseLogarithmic scaling "
                    "needs a continuous range)")
        if low < 0 or high >= 1:
            return f"reverse_log scaling needs 0 <= min and max < 1, got [{low}, {high}]"
    return None


def categorical_problem(values: Iterable[str]) -> str | None:
    """1 to 30 distinct values, each at most 256 characters."""
    values = list(values)
    if not values:
        return "a categorical range needs at least one value"
    if len(values) > C.MAX_CATEGORICAL_VALUES:
        return f"{len(values)} categorical values; AMT allows at most {C.MAX_CATEGORICAL_VALUES}"
    if len(set(values)) != len(values):
        return f"categorical values must be distinct, got {values}"
    long = [v for v in values if len(v) > C.MAX_CATEGORICAL_VALUE_LENGTH]
    if long:
        return f"categorical value {long[0][:20]!r}... is longer than {C.MAX_CATEGORICAL_VALUE_LENGTH} characters"
    return None


def scaling_tags_problem(tags: Iterable[str]) -> str | None:
    """Sweep tags name a scaling from a closed set; a misspelt `tag(logg, ...)` must not mean Auto."""
    tags = sorted(tags)
    unknown = [t for t in tags if t not in C.SCALING]
    if unknown:
        return f"unknown tag {unknown[0]!r}; scaling tags are {list(C.SCALING)}"
    if len(tags) > 1:
        return f"conflicting scaling tags {tags}"
    return None


def sweep_size_problem(start: float, stop: float, step: float) -> str | None:
    """A `range(...)` sweep's size, counted without building it."""
    if step == 0:
        return "range step must not be 0"
    count = math.ceil((stop - start) / step)
    if count <= 0:
        return f"range({start}, {stop}, {step}) is empty (the stop value is excluded)"
    return None


def sweep_values_problem(count: int) -> str | None:
    if count > C.MAX_CATEGORICAL_VALUES:
        return (f"{count} categorical values; AMT allows at most {C.MAX_CATEGORICAL_VALUES} (use a step of 1 "
                "for an integer range, or interval(...))")
    return None


# -- search size ------------------------------------------------------------------------------------------
def cardinality(kind: str, low: float | None, high: float | None, values: Sequence[str]) -> int | None:
    """Distinct values of one range (either spelling of the kind); None for a continuous range."""
    kind = kind.lower()
    if kind == "categorical":
        return len(values)
    if kind == "integer":
        return int(high) - int(low) + 1  # type: ignore[arg-type]
    return None


def combinations(cardinalities: Iterable[int | None]) -> int | None:
    """Distinct configurations of a search space, or None when a range is continuous."""
    sizes = list(cardinalities)
    return None if any(s is None for s in sizes) else math.prod(sizes)  # type: ignore[arg-type]


def grid_kinds_problem(kinds: Iterable[str]) -> str | None:
    if any(k != "categorical" for k in kinds):
        return ("grid search takes only categorical parameters (use choice(...)); Grid search supports only "
                "CategoricalParameterRanges")
    return None


def grid_size_problem(size: int, max_jobs: int | None) -> str | None:
    if size > C.MAX_GRID_JOBS:
        return f"grid of {size} combinations; AMT allows at most {C.MAX_GRID_JOBS}"
    if max_jobs is not None and max_jobs != size:
        return (f"grid search runs every combination ({size}); set limits.max_jobs=null (MaxNumberOfTrainingJobs "
                "must equal the number of combinations, or be omitted)")
    return None


def combinations_problem(total: int | None, max_jobs: int | None) -> str | None:
    """A discrete space needs at least max_jobs combinations (SageMaker's wording in parentheses)."""
    if total is None or max_jobs is None or total >= max_jobs:
        return None
    return (f"not enough combinations of hyperparameter ranges: {total} < max_jobs {max_jobs} (The total number "
            f"of hyperparameter combinations for the provided ranges [{float(total)}] must be equal or greater "
            f"than the value of MaxNumberOfJobs, [{max_jobs}])")


def parallel_problem(max_parallel: int, max_jobs: int) -> str | None:
    if max_parallel > max_jobs >= 1:
        return f"({max_parallel}) must not exceed max_jobs ({max_jobs})"
    return None


# -- hyperband --------------------------------------------------------------------------------------------
def hyperband_early_stopping_problem(early_stopping: str) -> str | None:
    if early_stopping != "Off":
        return ("must be off with the hyperband strategy (TrainingJobEarlyStoppingType must be Off when the "
                "strategy is Hyperband)")
    return None


def infer_max_resource(static: Mapping[str, str]) -> int | None:
    """The first epochs-like static hyperparameter present (§2.1), as a whole number; raw or JSON-encoded."""
    for name in C.EPOCH_HP_NAMES:
        if name in static:
            return _whole_number(static[name])
    return None


def _whole_number(text: str) -> int | None:
    value: Any = text
    for _ in range(2):  # `10`, or the SDK's JSON-encoded `"10"`
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else None


MAX_RESOURCE_MISSING = (f"not set and could not be inferred from a static hyperparameter {list(C.EPOCH_HP_NAMES)} "
                        "(MaxResource parameter is not provided and could not be inferred from provided static "
                        "hyperparameters of TrainingJobDefinition)")


def hyperband_problems(min_resource: int | None, max_resource: int | None) -> list[tuple[str, str]]:
    """(`min_resource` | `max_resource`, message); max_resource is the given or inferred value."""
    if max_resource is None:
        return [("max_resource", MAX_RESOURCE_MISSING)]
    if min_resource is not None and min_resource < 1:
        return [("min_resource", f"must be >= 1, got {min_resource}")]
    if not 1 <= max_resource <= C.MAX_HYPERBAND_RESOURCE:
        return [("max_resource", f"must be in [1, {C.MAX_HYPERBAND_RESOURCE}], got {max_resource}")]
    if min_resource is not None and min_resource > max_resource:
        return [("min_resource", f"min_resource ({min_resource}) must not exceed max_resource ({max_resource})")]
    return []


def multi_definition_early_stopping_problem(definitions: int, early_stopping: str) -> str | None:
    if definitions > 1 and early_stopping != "Off":
        return "Early stopping is available only when tuning a single algorithm."
    return None


# -- names ------------------------------------------------------------------------------------------------
def hyperparameter_name_problem(name: str, sdk_names_ok: bool = False) -> str | None:
    """What the toolkit can pass as `--name value`; `sagemaker_*` only where the SDK sets them (statics)."""
    if not _HP_NAME.fullmatch(name) or len(name) > C.MAX_HP_NAME_LENGTH:
        return (f"{name!r} cannot be passed to a training script as --{name} <value>: a hyperparameter name has "
                f"no whitespace or '=', does not start with '-', and has 1 to {C.MAX_HP_NAME_LENGTH} characters")
    sdk_name = name.startswith(C.RESERVED_HP_PREFIX)
    if name == C.OBJECTIVE_METRIC_HP or (sdk_name and not sdk_names_ok):
        return "is reserved for SageMaker (sagemaker_* and _tuning_objective_metric)"
    return None


def channel_name_problem(name: str) -> str | None:
    """The API's pattern, minus `.` and `..`, which would name a folder outside /opt/ml/input/data."""
    if name in (".", "..") or not re.fullmatch(r"[A-Za-z0-9.\-_]{1,64}", name):
        return (f"channel name {name!r} must be 1 to 64 of A-Z a-z 0-9 . - _ and not '.' or '..' "
                "(it is a folder under /opt/ml/input/data)")
    return None


def entry_point_problem(entry_point: str) -> str | None:
    """The entry point is a path inside the source dir: relative and without `..`."""
    parts = entry_point.replace("\\", "/").split("/")
    if entry_point.startswith(("/", "~")) or ".." in parts or not entry_point.strip():
        return f"{entry_point!r} must be a relative path inside the source dir"
    return None


def environment_name_problem(name: str) -> str | None:
    """Variables through which a job would change its identity or its directories (README: Validation)."""
    if name in C.RESERVED_ENVIRONMENT or name.startswith(C.RESERVED_ENVIRONMENT_PREFIXES):
        prefixes = ", ".join(p + "*" for p in C.RESERVED_ENVIRONMENT_PREFIXES)
        return (f"{name} is reserved: SageMaker and the training toolkit set it (reserved: "
                f"{', '.join(C.RESERVED_ENVIRONMENT)} and {prefixes})")
    return None


def objective_problem(objective: str, metric_names: list[str]) -> str | None:
    if objective not in metric_names:
        return (f"{objective!r} is not one of metric.definitions {metric_names} (the objective metric is not "
                "among the MetricDefinitions)")
    return None


def tag_key_problem(key: str) -> str | None:
    if key.lower().startswith("aws:"):
        return f"tag key {key!r}: the aws: prefix is reserved for AWS"
    return None


def instance_count_problem(count: int) -> str | None:
    if count < C.MIN_INSTANCE_COUNT:
        return f"instance count must be at least {C.MIN_INSTANCE_COUNT}, got {count}"
    return None


# -- metric regexes ---------------------------------------------------------------------------------------
def metric_regex_problem(regex: str) -> str | None:
    """Compiles, exactly one capture group that cannot match an empty string, no nested quantifiers."""
    try:
        compiled = re.compile(regex)
    except re.error as exc:
        return f"regex {regex!r} does not compile: {exc}"
    if compiled.groups != 1:
        return f"regex {regex!r} must have exactly one capture group, has {compiled.groups}"
    parsed = sre_parse.parse(regex)
    if _group_min_width(parsed) == 0:
        return (f"regex {regex!r}: the capture group can match an empty string (e.g. a lazy (.*?)); make it "
                "match at least one character, e.g. ([0-9.]+)")
    if _nested_repeat(parsed, inside=False):
        return (f"regex {regex!r} nests an unbounded quantifier inside another (e.g. (a+)+), which can take "
                "exponential time on a log line; flatten it")
    return None


_REPEATS = (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None))


def _nested_repeat(pattern: Any, inside: bool) -> bool:
    for op, av in pattern.data:
        unbounded = op in _REPEATS and av[1] == sre_parse.MAXREPEAT
        if unbounded and inside and op is not getattr(sre_parse, "POSSESSIVE_REPEAT", None):
            return True
        if any(_nested_repeat(child, inside or unbounded) for child in _children(av)):
            return True
    return False


def _group_min_width(pattern: Any) -> int:
    def walk(sub: Any) -> int | None:
        for op, av in sub.data:
            if op is sre_parse.SUBPATTERN and av[0] == 1:
                return av[-1].getwidth()[0]
            for child in _children(av):
                found = walk(child)
                if found is not None:
                    return found
        return None

    found = walk(pattern)
    return 1 if found is None else found


def _children(av: object) -> list[Any]:
    items = av if isinstance(av, (list, tuple)) else [av]
    out: list[Any] = []
    for item in items:
        if isinstance(item, sre_parse.SubPattern):
            out.append(item)
        elif isinstance(item, (list, tuple)):
            out.extend(_children(item))
    return out
