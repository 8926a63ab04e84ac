"""Check a request against botocore's own SageMaker service model.

First what botocore's `ParamValidator` checks (required members, types, minimums; `params` walks the model
as it does, without the ~50 ms of imports), then the model's `max`, `pattern` and `enum` metadata, which
botocore leaves to the service. Both come from the same model here; nothing is hand-copied.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

from amt_hydra.constants import INT32_MAX, INT32_MIN
from amt_hydra.errors import ConfigError
from amt_hydra.request import params

OPERATION = "CreateHyperParameterTuningJob"
# botocore's model types: `integer` is the service's 32-bit int, `long` its 64-bit one.
_NUMBER_TYPES = ("integer", "long", "float", "double")


@functools.lru_cache(maxsize=1)
def _model() -> tuple[dict[str, Any], dict[str, Any], bool]:
    """The cut model's shapes, the operation's input shape, and whether `params` covers the model."""
    from amt_hydra.request.service_model import description

    model = description(OPERATION)
    shapes = model["shapes"]
    return shapes, params.resolve(shapes, model["operations"][OPERATION]["input"]), params.covers(shapes)


def validate_request(request: Mapping[str, Any]) -> None:
    """Raise `ConfigError` for the first rule the request breaks, naming the config key behind it."""
    for path, message in problems(request):
        from amt_hydra.request.keys import config_key

        raise ConfigError(config_key(path, request), f"{message} (request field {path.lstrip('.')})")


def problems(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    shapes, top, covered = _model()
    if covered:
        errors = params.errors(dict(request), top, shapes)
    else:
        from botocore.validate import ParamValidator

        from amt_hydra.request.service_model import input_shape

        errors = ParamValidator().validate(dict(request), input_shape(OPERATION))._errors
    found = [(path or ".", _describe(kind, info)) for kind, path, info in errors]
    found.extend(_metadata_problems(request, top, "", shapes))
    return found


def _describe(kind: str, info: Mapping[str, Any]) -> str:
    if kind == "missing required field":
        return f"required field {info['required_name']} is missing"
    if kind == "unknown field":
        return f"unknown field {info['unknown_param']}"
    if kind == "invalid type":
        return f"{info['param']!r} has the wrong type; expected {', '.join(map(str, info['valid_types']))}"
    if kind in ("invalid range", "invalid length"):
        what = "value" if kind == "invalid range" else "length"
        return f"{what} of {info['param']!r} is below the minimum {info['min_allowed']}"
    return f"{kind}: {dict(info)}"


def _metadata_problems(value: Any, shape: Mapping[str, Any], path: str,
                       shapes: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if value is None:
        return
    yield from _check_scalar(value, shape, path)
    kind = shape["type"]
    if kind == "structure" and isinstance(value, Mapping):
        for name, member in shape.get("members", {}).items():
            if name in value:
                yield from _metadata_problems(value[name], params.resolve(shapes, member), f"{path}.{name}", shapes)
    elif kind == "list" and isinstance(value, list):
        member = params.resolve(shapes, shape["member"])
        for i, item in enumerate(value):
            yield from _metadata_problems(item, member, f"{path}[{i}]", shapes)
    elif kind == "map" and isinstance(value, Mapping):
        key_shape, value_shape = params.resolve(shapes, shape["key"]), params.resolve(shapes, shape["value"])
        for key, item in value.items():
            yield from _check_scalar(key, key_shape, f"{path}.{key}")
            yield from _metadata_problems(item, value_shape, f"{path}.{key}", shapes)


def _check_scalar(value: Any, shape: Mapping[str, Any], path: str) -> Iterator[tuple[str, str]]:
    problem = _number_problem(value, shape["type"])
    if problem:
        yield path, problem
        return
    if "max" in shape:
        size = value if isinstance(value, (int, float)) and not isinstance(value, bool) else _length(value)
        what = "value" if isinstance(value, (int, float)) else "length"
        if size is not None and size > shape["max"]:
            yield path, f"{what} {size} is above the maximum {shape['max']}"
    enum = shape.get("enum") if shape["type"] == "string" else None
    if enum and isinstance(value, str) and value not in enum:
        yield path, f"{value!r} is not one of {list(enum)}"
    pattern = shape.get("pattern")
    if pattern and isinstance(value, str) and not _pattern(pattern).fullmatch(value):
        yield path, f"{value!r} does not match the pattern {pattern}"


def _number_problem(value: Any, type_name: str) -> str | None:
    """What botocore lets through: a bool as a number, NaN/inf, an `integer` beyond Java's 32 bits."""
    if type_name not in _NUMBER_TYPES:
        return None
    if isinstance(value, bool):
        return f"{value!r} has the wrong type; expected a number, not a boolean"
    if type_name == "integer" and isinstance(value, int) and not INT32_MIN <= value <= INT32_MAX:
        return f"value {value} is above the maximum {INT32_MAX} (a 32-bit integer)" if value > 0 else (
            f"value {value} is below the minimum {INT32_MIN} (a 32-bit integer)")
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    return None


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, dict)) else None


@functools.cache
def _pattern(pattern: str) -> Any:
    """The model's patterns are Java regexes. Java's \\d, \\w and \\s are ASCII-only, as in Python's `re` with
    `re.ASCII`; only what `re` cannot read (`\\p{L}` classes ...) needs the `regex` module (~15 ms to import)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)  # `[[`, `&&` in a set: syntax `re` would misread
            return re.compile(pattern, re.ASCII)
    except (re.error, FutureWarning):
        import regex

        return regex.compile(pattern)
