"""Search-space entries (mapping form or Hydra's sweep grammar) into ranges and static values.

The sweep grammar is parsed with Hydra's own `OverridesParser`, as hydra-optuna-sweeper does:
`interval(a, b)` continuous, `int(interval(a, b))` integer (both ends included), `range(a, b[, step])`
Python-like (b excluded, as in Hydra's BasicSweeper): step 1 gives an integer range, another step the
categorical list of its values, `choice(...)`/`a,b,c` categorical, `tag(log|reverse_log|linear, ...)`
the scaling. A sweep with a single value is a static hyperparameter.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from amt_hydra import semantics
from amt_hydra.constants import SCALING
from amt_hydra.errors import ConfigError
from amt_hydra.spec.model import ParameterRange

_KINDS = ("continuous", "integer", "categorical")
_MAPPING_KEYS = {"type", "min", "max", "values", "scaling"}


def encode_value(value: Any) -> str:
    """Hyperparameter values as SageMaker stores them: strings raw, everything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def parse_search_space(space: Mapping[str, Any]) -> tuple[list[ParameterRange], dict[str, str]]:
    """Split `search_space` into tunable ranges and static values (single-valued entries)."""
    ranges: list[ParameterRange] = []
    statics: dict[str, str] = {}
    for name, entry in space.items():
        key = f"search_space.{name}"
        _raise(key, semantics.hyperparameter_name_problem(str(name)))
        parsed = _parse_entry(str(name), key, entry)
        if isinstance(parsed, ParameterRange):
            ranges.append(parsed)
        else:
            statics[str(name)] = encode_value(parsed)
    return ranges, statics


def _parse_entry(name: str, key: str, entry: Any) -> ParameterRange | Any:
    if isinstance(entry, Mapping):
        return _from_mapping(name, key, entry)
    if isinstance(entry, str):
        return _from_grammar(name, key, entry)
    if isinstance(entry, (list, tuple)):
        return _categorical(name, key, list(entry), "Auto")
    return entry


def _from_mapping(name: str, key: str, entry: Mapping[str, Any]) -> ParameterRange | Any:
    unknown = set(entry) - _MAPPING_KEYS
    if unknown:
        raise ConfigError(key, f"unknown field(s) {sorted(unknown)}; allowed: {sorted(_MAPPING_KEYS)}")
    kind = entry.get("type")
    if kind not in _KINDS:
        raise ConfigError(f"{key}.type", f"{kind!r} is not one of {list(_KINDS)}")
    scaling = _scaling(key, entry.get("scaling", "auto"))
    if kind == "categorical":
        if "min" in entry or "max" in entry:
            raise ConfigError(key, "a categorical range takes `values`, not min/max")
        values = entry.get("values")
        if not isinstance(values, (list, tuple)):
            raise ConfigError(f"{key}.values", "must be a list of values")
        return _categorical(name, key, list(values), scaling)
    for bound in ("min", "max"):
        if entry.get(bound) is None:
            raise ConfigError(f"{key}.{bound}", f"required for a {kind} range")
    return _numeric(name, key, kind, entry["min"], entry["max"], scaling)


def _from_grammar(name: str, key: str, text: str) -> ParameterRange | Any:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import ChoiceSweep, IntervalSweep, RangeSweep
    from hydra.errors import HydraException

    try:
        override = OverridesParser.create().parse_override(f"{name}={text}")
    except HydraException as exc:
        detail = str(exc).splitlines()[0]
        raise ConfigError(key, f"cannot parse sweep expression {text!r}: {detail}") from None
    if not override.is_sweep_override():
        return override.value()
    sweep = override.value()
    scaling = _scaling_from_tags(key, sweep.tags)
    if isinstance(sweep, IntervalSweep):
        kind = "integer" if isinstance(sweep.start, int) and isinstance(sweep.end, int) else "continuous"
        return _numeric(name, key, kind, sweep.start, sweep.end, scaling)
    if isinstance(sweep, RangeSweep):
        return _from_range(name, key, sweep, scaling)
    if isinstance(sweep, ChoiceSweep):
        return _categorical(name, key, list(sweep.list), scaling)
    raise ConfigError(key, f"unsupported sweep {text!r}; use interval, int(interval), range or choice")


def _from_range(name: str, key: str, sweep: Any, scaling: str) -> ParameterRange | Any:
    """Sized before anything is built: a step-1 integer range stays a range, however long."""
    start, stop, step = sweep.start, sweep.stop, sweep.step
    for bound in (start, stop, step):
        _raise(key, semantics.number_problem(bound))
    _raise(key, semantics.sweep_size_problem(start, stop, step))
    count = math.ceil((stop - start) / step)
    if all(isinstance(v, int) for v in (start, stop, step)) and step == 1 and count > 1:
        return _numeric(name, key, "integer", start, start + count - 1, scaling)
    _raise(key, semantics.sweep_values_problem(count))
    exact = not (isinstance(step, float) or isinstance(start, float))
    return _categorical(name, key, [start + i * step if exact else round(start + i * step, 12)
                                    for i in range(count)], scaling)


def _raise(key: str, problem: str | None) -> None:
    if problem:
        raise ConfigError(key, problem)


def _categorical(name: str, key: str, values: list[Any], scaling: str) -> ParameterRange | Any:
    if scaling != "Auto":
        raise ConfigError(key, "scaling does not apply to categorical values")
    if len(values) == 0:
        raise ConfigError(key, "a categorical range needs at least one value")
    encoded = tuple(dict.fromkeys(encode_value(v) for v in values))
    if len(encoded) != len(values):
        raise ConfigError(key, f"categorical values must be distinct, got {values}")
    if len(encoded) == 1:
        return values[0]
    return ParameterRange(name=name, kind="categorical", key=key, values=encoded)


def _numeric(name: str, key: str, kind: str, lo: Any, hi: Any, scaling: str) -> ParameterRange | Any:
    cast = int if kind == "integer" else float
    if isinstance(lo, bool) or isinstance(hi, bool):
        raise ConfigError(key, f"{kind} bounds must be numbers, got min={lo!r} max={hi!r}")
    try:
        lo_v, hi_v = cast(lo), cast(hi)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(key, f"{kind} bounds must be numbers, got min={lo!r} max={hi!r}") from None
    _raise(key, semantics.bounds_problem(kind, lo_v, hi_v))
    if kind == "integer" and (lo_v != float(lo) or hi_v != float(hi)):
        raise ConfigError(key, f"integer bounds must be whole numbers, got min={lo!r} max={hi!r}")
    if lo_v == hi_v:
        return lo_v
    return ParameterRange(name=name, kind=kind, key=key, min=lo_v, max=hi_v, scaling=scaling)  # type: ignore[arg-type]


def _scaling(key: str, value: Any) -> str:
    if value not in SCALING:
        raise ConfigError(f"{key}.scaling", f"{value!r} is not one of {list(SCALING)}")
    return SCALING[value]


def _scaling_from_tags(key: str, tags: set[str]) -> str:
    _raise(key, semantics.scaling_tags_problem(tags))
    return SCALING[next(iter(tags))] if tags else "Auto"
