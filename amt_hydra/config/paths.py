"""Where things are: the shipped folders (installed or in a checkout) and a user project's relative paths.

A relative `estimator.source_dir` or local input in a user's config resolves against the **project**: the
parent of the config dir the user added (`--config-dir`, else the first `hydra.searchpath` folder), so a run
reads the same files from any working directory. Without a config dir of the user's, it resolves against the
working directory at launch, as any command-line path does.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1]
USER_PROVIDERS = ("command-line", "hydra.searchpath in command-line", "hydra.searchpath in main")


def shipped_dir(name: str) -> Path:
    """`conf` or `train`: inside the installed package (a wheel), else at the top of the checkout (editable)."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


def config_path() -> str:
    """The shipped configs for `@hydra.main`: `pkg://amt_hydra.conf`, or the folder in an uninstalled checkout."""
    if importlib.util.find_spec("amt_hydra.conf") is not None:
        return "pkg://amt_hydra.conf"
    return str(shipped_dir("conf"))


def project_dir() -> Path | None:
    """The parent of the user's own config dir in the running Hydra app; None without one (or outside Hydra)."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    for source in HydraConfig.get().runtime.config_sources:
        if source.schema == "file" and source.provider in USER_PROVIDERS:
            return Path(os.path.abspath(source.path)).parent
    return None


def _local(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and "://" not in value and not os.path.isabs(value) \
        and not value.startswith("~")


def resolve_project_paths(data: dict[str, Any], project: Path | None = None) -> dict[str, Any]:
    """`data` with a relative source dir and local inputs made absolute against the project (see above)."""
    base = project or project_dir()
    estimator = data.get("estimator")
    if base is None or not isinstance(estimator, dict):
        return data
    est = dict(estimator)
    if _local(est.get("source_dir")):
        est["source_dir"] = str(base / est["source_dir"])
    inputs = est.get("inputs") or {}
    est["inputs"] = {ch: str(base / p) if _local(p) else p for ch, p in inputs.items()}
    return {**data, "estimator": est}
