"""In-process composition of the real config tree, for tests that need no subprocess."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from amt_hydra.config import register_configs
from amt_hydra.config.resolvers import register_resolvers

from .conftest import REPO

FIXED_NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc)


def compose_config(overrides: list[str]) -> DictConfig:
    register_configs()
    register_resolvers()
    with initialize_config_dir(config_dir=str(REPO / "conf"), version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def render(overrides: list[str]) -> dict[str, Any]:
    """The request `python -m amt_hydra OVERRIDES dry_run=true` would write."""
    from amt_hydra import app

    cfg = compose_config(overrides)
    launcher = app.instantiate_launcher(cfg.launcher)
    _, rendered, _ = app.prepare(cfg, launcher, now=FIXED_NOW)
    return rendered.request


def diff(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Field-by-field differences, each with its path, so a failure names the field."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{path}.{k}: missing" for k in expected if k not in actual]
        out += [f"{path}.{k}: unexpected" for k in actual if k not in expected]
        for key in expected.keys() & actual.keys():
            out += diff(expected[key], actual[key], f"{path}.{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in diff(e, a, f"{path}[{i}]")]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]
