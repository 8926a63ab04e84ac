"""The package's shape, checked from its source: imports go one way between wings with no cycle, modules
and functions stay small, and the strategy registry is complete."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from amt_hydra.constants import STRATEGIES
from amt_hydra.local.search.base import Search
from amt_hydra.local.search.registry import search_class, strategy_names

PACKAGE = Path(__file__).resolve().parents[2] / "amt_hydra" / "local"
# Lower layers never import higher ones; trials/record.py is what the store keeps, so it sits with the store.
# endpoint/ (the transports) knows no handler: the api builds clients and servers on it.
LAYERS = {"setup": 0, "settings": 0, "arns": 0, "endpoint": 0, "store": 1, "search": 2, "trials": 3, "engine": 4,
          "api": 5}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in modules}


def _layer(module: str) -> int | None:
    if module.endswith("trials.record"):
        return LAYERS["store"]
    parts = module.split(".")
    return LAYERS.get(parts[2]) if len(parts) > 2 else None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_imports_go_one_way_between_wings() -> None:
    upward = [
        f"{m} -> {d}"
        for m, deps in _graph().items()
        for d in deps
        if _layer(m) is not None and _layer(d) is not None and _layer(d) > _layer(m)  # type: ignore[operator]
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    graph, done, cycles = _graph(), set(), []

    def visit(module: str, path: list[str]) -> None:
        for dep in graph[module]:
            if dep in path:
                cycles.append(path[path.index(dep) :] + [dep])
            elif dep not in done:
                visit(dep, [*path, dep])
        done.add(module)

    for module in graph:
        visit(module, [module])
    assert cycles == []


def test_modules_and_functions_stay_small() -> None:
    too_big = []
    for name, path in _modules().items():
        source = path.read_text()
        if len(source.splitlines()) > 300:
            too_big.append(name)
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.end_lineno - node.lineno >= 60
            ):
                too_big.append(f"{name}.{node.name}")
    assert too_big == []


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_amt_strategy_is_a_registered_search(strategy: str) -> None:
    assert strategy in strategy_names()
    assert issubclass(search_class(strategy), Search)


def test_an_unregistered_strategy_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="Bayesian, Random, Hyperband, Grid"):
        search_class("Sobol")
