"""Requests made wrong in every way: every field of a request replaced by values of every type, every member
removed, an unknown member added. For tests that hold two checkers equal over the same inputs."""

from __future__ import annotations

import copy
import decimal
from collections.abc import Iterator
from typing import Any

HOSTILE: list[Any] = [None, True, False, 0, -1, 1, 2**31, 2**63, 1.5, -0.5, float("nan"), float("inf"),
                      decimal.Decimal("2.5"), "", "x", "BAD value\n", "١٢٣", "é" * 300, [], ["x"], [1], ("x",), {},
                      {"k": "v"}, {"Name": "x"}, b"x", object()]


def sample(shape: Any, depth: int = 0) -> Any:
    """A value for `shape` (a botocore model shape) with every member set, down to a depth (shapes recurse)."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 6:
            return {}
        return {name: sample(member, depth + 1) for name, member in shape.members.items()}
    if kind == "list":
        return [sample(shape.member, depth + 1)]
    if kind == "map":
        return {"key": sample(shape.value, depth + 1)}
    if kind == "string":
        return shape.enum[0] if shape.enum else "x" * max(1, shape.metadata.get("min", 1))
    if kind in ("integer", "long"):
        return shape.metadata.get("min", 1)
    return {"boolean": True, "float": 0.5, "double": 0.5}.get(kind, "x")


def mutations(request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """`request` with one thing wrong at a time, at every path."""
    for path in _paths(request, ()):
        node = _get(request, path)
        for value in HOSTILE:
            yield _set(request, path, value)
        if isinstance(node, dict):
            yield _set(request, path, {**node, "Bogus": 1})
            for key in node:
                yield _set(request, path, {k: v for k, v in node.items() if k != key})
        if isinstance(node, list):
            yield _set(request, path, tuple(node))
            yield _set(request, path, node * 3)


def _paths(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    yield path
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, (*path, key))


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def _set(request: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    if not path:
        return value
    out = copy.deepcopy(request)
    _get(out, path[:-1])[path[-1]] = value
    return out
