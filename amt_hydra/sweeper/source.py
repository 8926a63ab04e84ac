"""The source dir the training jobs get: a copy of the app's folder, plus the entry shim and its sidecar.

A copy (not the app's folder itself) so nothing is written into the user's tree; it lives in the sweep
dir, so a local job that outlives the sweeper process still finds it. It holds exactly the files the packing
rule selects (`amt_hydra.packing`: no secrets, virtualenvs, job stores, run dirs, VCS data or caches; the
project's `.amtignore` honoured), the same rule every launcher then applies to it.
"""

from __future__ import annotations

import inspect
import json
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amt_hydra.errors import ConfigError
from amt_hydra.packing import select
from amt_hydra.sweeper import entry

SOURCE_KEY = "hydra.sweeper.estimator.source_dir"


@dataclass(frozen=True)
class App:
    """Where the task function lives, and how the user runs it.

    A script (`python my_app.py`): `module` None. A module run with `python -m pkg.train`: `module` set,
    `function` None. A module imported by something else (a console script): both set, and the shim calls
    the `@hydra.main` function by name. Each way Hydra finds the config as it does for the user.
    """

    file: Path
    module: str | None
    function: str | None

    def default_source_dir(self) -> Path:
        """A script's folder; for a module, the folder its top-level package is imported from."""
        if self.module is None:
            return self.file.parent
        root = self.file.parents[self.module.count(".")]
        if any(part in ("site-packages", "dist-packages") for part in root.parts):
            raise ConfigError(SOURCE_KEY, f"the app's module {self.module} is installed in {root}; set "
                              f"{SOURCE_KEY} to its source checkout")
        return root

    def sidecar(self, source_dir: Path) -> dict[str, str]:
        """What the entry shim needs: the file relative to the source dir, and the module if there is one."""
        try:
            rel = self.file.relative_to(source_dir.resolve()).as_posix()
        except ValueError:
            raise ConfigError(SOURCE_KEY, f"{source_dir} does not contain the app {self.file}") from None
        out = {"app": rel, "module": self.module, "function": self.function}
        return {k: v for k, v in out.items() if v is not None}


def locate_app(task_function: Callable[..., Any]) -> App:
    file = Path(inspect.getfile(task_function)).resolve()
    if task_function.__module__ != "__main__":
        return App(file=file, module=task_function.__module__, function=task_function.__name__)
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)  # None for a script; set by `python -m`
    return App(file=file, module=spec.name if spec is not None else None, function=None)


def check_config_dirs(config_dirs: Iterable[str], source_dir: Path) -> None:
    """The app's config folders (file:// sources) must ship with it, or the jobs cannot compose."""
    root = source_dir.resolve()
    for directory in config_dirs:
        path = Path(directory).resolve()
        if path != root and root not in path.parents:
            raise ConfigError(SOURCE_KEY, f"{source_dir} does not contain the app's config dir {path}; "
                              "set hydra.sweeper.estimator.source_dir to a folder holding both")


def config_flags(sources: Iterable[Any], config_name: str | None, source_dir: Path) -> dict[str, str]:
    """`--config-name`, `--config-path` and `--config-dir` as the user's run had them, relative to the source dir.

    `sources` is `hydra.runtime.config_sources`; the jobs then compose the same primary config from the same
    folders, whether the decorator or the command line chose them.
    """
    root = source_dir.resolve()
    flags = {"config_name": config_name} if config_name else {}
    for source in sources:
        if source.schema == "file" and source.provider in ("main", "command-line"):
            key = "config_path" if source.provider == "main" else "config_dir"
            flags[key] = Path(source.path).resolve().relative_to(root).as_posix()
    return flags


def stage_source(source_dir: Path, sidecar: dict[str, str], target: Path) -> Path:
    """Copy the selected files of `source_dir` to `target` (fresh), add the shim and its sidecar; return `target`."""
    source = source_dir.resolve()
    if not source.is_dir():
        raise ConfigError(SOURCE_KEY, f"{source_dir} is not a directory")
    if (source / entry.SCRIPT).exists():
        raise ConfigError(SOURCE_KEY, f"{source_dir} already has a {entry.SCRIPT}; the sweeper ships its own")
    # the sweep dir, when it lies inside the app's folder, is not part of the app
    selection = select(source, skip={target.resolve(), target.resolve().parent})
    if selection.note():
        print(selection.note(), file=sys.stderr)
    if target.exists():
        shutil.rmtree(target)
    for name, file in selection.files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target / name)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(entry.__file__), target / entry.SCRIPT)
    (target / entry.SIDECAR).write_text(json.dumps(sidecar, sort_keys=True) + "\n")
    return target
