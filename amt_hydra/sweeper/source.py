"""The source dir the training jobs get: a copy of the app's folder, plus the entry shim and its sidecar.

A copy (not the app's folder itself) so nothing is written into the user's tree; it lives in the sweep
dir, so a local job that outlives the sweeper process still finds it. What the SageMaker launcher would
never upload (VCS data, caches, credentials, Hydra's outputs) is not copied either.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

from amt_hydra.errors import ConfigError
from amt_hydra.launcher.packaging import excluded
from amt_hydra.sweeper import entry

SOURCE_KEY = "hydra.sweeper.estimator.source_dir"


def app_path(app_file: Path, source_dir: Path) -> str:
    """The app script relative to the source dir; it must be inside."""
    try:
        return app_file.resolve().relative_to(source_dir.resolve()).as_posix()
    except ValueError:
        raise ConfigError(SOURCE_KEY, f"{source_dir} does not contain the app {app_file}") from None


def check_config_dirs(config_dirs: Iterable[str], source_dir: Path) -> None:
    """The app's config folders (file:// sources) must ship with it, or the jobs cannot compose."""
    root = source_dir.resolve()
    for directory in config_dirs:
        path = Path(directory).resolve()
        if path != root and root not in path.parents:
            raise ConfigError(SOURCE_KEY, f"{source_dir} does not contain the app's config dir {path}; "
                              "set hydra.sweeper.estimator.source_dir to a folder holding both")


def stage_source(source_dir: Path, app: str, target: Path) -> Path:
    """Copy `source_dir` to `target` (fresh), add the shim and `{"app": ...}`; return `target`."""
    source = source_dir.resolve()
    skip = {target.resolve(), target.resolve().parent}  # the sweep dir, when it lies inside the app's folder
    if not source.is_dir():
        raise ConfigError(SOURCE_KEY, f"{source_dir} is not a directory")
    if (source / entry.SCRIPT).exists():
        raise ConfigError(SOURCE_KEY, f"{source_dir} already has a {entry.SCRIPT}; the sweeper ships its own")

    def ignore(directory: str, names: list[str]) -> set[str]:
        rel = Path(directory).resolve().relative_to(source)
        return {n for n in names if excluded(rel / n) or (Path(directory) / n).resolve() in skip}

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=ignore)
    shutil.copyfile(Path(entry.__file__), target / entry.SCRIPT)
    (target / entry.SIDECAR).write_text(json.dumps({"app": app}) + "\n")
    return target
