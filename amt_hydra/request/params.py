"""botocore's `ParamValidator` checks (types, required and unknown members, minimums), walking botocore's JSON.

Why not `botocore.validate.ParamValidator` itself: it needs `botocore.model`'s shapes, and both modules import
`botocore.utils` (urllib3, dateutil, http, email ...), ~50 ms on every run, a dry run's largest single cost.
This walk reads the same model (the cut of `service_model`), merges member traits over shapes as botocore's
`ShapeResolver` does, and reports the same `(reason, path, info)` triples in the same order; the type tables
below are `ParamValidator`'s. tests/request/test_params.py holds both equal, table and reports, over every
field of the seed requests made wrong in every way. A model using what this walk does not cover (timestamps,
blobs, documents, unions, JSON-value headers) is left to `ParamValidator` (`covers`).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from typing import Any

# ParamValidator.SCALAR_TYPES and CONTAINER_TYPES
SCALAR_TYPES: dict[str, tuple[type, ...]] = {
    "float": (float, decimal.Decimal, int),
    "double": (float, decimal.Decimal, int),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "string": (str,),
}
CONTAINER_TYPES: dict[str, tuple[type, ...]] = {"structure": (dict,), "map": (dict,), "list": (list, tuple)}
_CONSTRAINTS = ("required", "min", "document", "union")  # ParamValidator.VALIDATED_METADATA_ATTRS
Error = tuple[str, str, dict[str, Any]]


def resolve(shapes: Mapping[str, Any], ref: Mapping[str, Any]) -> dict[str, Any]:
    """The shape a member ref names, its member traits merged over it (botocore's `resolve_shape_ref`)."""
    shape = shapes[ref["shape"]]
    return shape if len(ref) == 1 else {**shape, **{k: v for k, v in ref.items() if k != "shape"}}


def covers(shapes: Mapping[str, Any]) -> bool:
    """Whether every shape and member of the model is one this walk checks as `ParamValidator` would."""
    refs = [ref for shape in shapes.values() for ref in _refs(shape)]
    return not any(_special({**shapes[ref["shape"]], **ref}) for ref in refs) and not any(
        _special(shape) for shape in shapes.values())


def errors(params: Any, shape: Mapping[str, Any], shapes: Mapping[str, Any]) -> list[Error]:
    """`ParamValidator().validate(params, shape)._errors`, for a model `covers` accepts."""
    walk = _Walk(shapes)
    walk.check(params, shape, "")
    return walk.errors


def _refs(shape: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [*shape.get("members", {}).values(), *(shape[k] for k in ("member", "key", "value") if k in shape)]


def _special(shape: Mapping[str, Any]) -> bool:
    header_json = shape.get("jsonvalue") and shape.get("location") == "header"
    return shape["type"] in ("timestamp", "blob") or bool(shape.get("document") or shape.get("union") or header_json)


class _Walk:
    def __init__(self, shapes: Mapping[str, Any]) -> None:
        self.shapes = shapes
        self.errors: list[Error] = []

    def report(self, name: str, reason: str, **info: Any) -> None:
        self.errors.append((reason, name, info))

    def check(self, param: Any, shape: Mapping[str, Any], name: str) -> None:
        kind = shape["type"]
        valid = SCALAR_TYPES.get(kind) or CONTAINER_TYPES[kind]
        if not isinstance(param, valid):
            self.report(name, "invalid type", param=param, valid_types=[str(t) for t in valid])
        elif kind == "structure":
            self.structure(param, shape, name)
        elif kind == "list":
            self.sequence(param, shape, name)
        elif kind == "map":
            for key, value in param.items():
                self.check(key, resolve(self.shapes, shape["key"]), f"{name} (key: {key})")
                self.check(value, resolve(self.shapes, shape["value"]), f"{name}.{key}")
        elif kind != "boolean":
            self.minimum(len(param) if kind == "string" else param, shape, name,
                         "invalid length" if kind == "string" else "invalid range")

    def structure(self, params: dict[str, Any], shape: Mapping[str, Any], name: str) -> None:
        members = shape.get("members", {})
        for required in shape.get("required", []):
            if required not in params:
                self.report(name, "missing required field", required_name=required, user_params=params)
        for param in params:
            if param not in members:
                self.report(name, "unknown field", unknown_param=param, valid_names=list(members))
        for param in params:
            if param in members:
                self.check(params[param], resolve(self.shapes, members[param]), f"{name}.{param}")

    def sequence(self, param: list[Any] | tuple[Any, ...], shape: Mapping[str, Any], name: str) -> None:
        member = resolve(self.shapes, shape["member"])
        self.minimum(len(param), shape, name, "invalid length")
        valid = SCALAR_TYPES.get(member["type"])
        if valid is None or any(attr in member for attr in _CONSTRAINTS):
            for i, item in enumerate(param):
                self.check(item, member, f"{name}[{i}]")
            return
        for i, item in enumerate(param):  # ParamValidator only type-checks members without constraints
            if not isinstance(item, valid):
                self.report(f"{name}[{i}]", "invalid type", param=item, valid_types=[str(t) for t in valid])

    def minimum(self, value: Any, shape: Mapping[str, Any], name: str, reason: str) -> None:
        """botocore's `range_check`: the model's `min`, else 1 for a member bound to the host."""
        least = shape["min"] if "min" in shape else (1 if shape.get("hostLabel") else None)
        if least is not None and value < least:
            self.report(name, reason, param=value, min_allowed=least)
