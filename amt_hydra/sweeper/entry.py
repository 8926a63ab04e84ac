"""The entry point of every training job the AMT sweeper starts: `--key value` back into Hydra overrides.

The sweeper ships this file as `amt_hydra_entry.py` at the top of the source dir, with `amt_hydra_entry.json`
naming the app (a script, or a module and its `@hydra.main` function). SageMaker's training toolkit (in the
container, or under the local engine) runs

    python amt_hydra_entry.py --model.depth 3 --optimizer.lr 0.01 --train.epochs 2

and this turns each `--key value` into the override `key=value` (dotted keys kept), puts the overrides in
`sys.argv` and runs the app as its user does (a script or a `-m` module as `__main__`; an imported module's
`@hydra.main` function called by name), so the app's own `@hydra.main` composes its config, from its own path.
A Hydra callback prints the task function's return value, when it is a number, as `amt_objective: <value>`,
the line the sweeper's default metric definition matches, locally and on SageMaker alike.

Standalone on purpose (standard library and hydra-core only): the training container has the app's
requirements, not amt-hydra.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import runpy
import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

SCRIPT = "amt_hydra_entry.py"  # the name this file ships under
# {"app": "<app file, relative to the source dir>"}, plus "module" for an app run as `python -m pkg.train`,
# plus "function" (the `@hydra.main` function's name) for a module something else imports; and the user's
# "config_name", "config_path", "config_dir" (folders relative to the source dir)
SIDECAR = "amt_hydra_entry.json"
OBJECTIVE_PREFIX = "amt_objective: "
OBJECTIVE_REGEX = r"amt_objective: ([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
# Hyperparameters SageMaker adds for its own use; never overrides of the app.
RESERVED = ("_tuning_objective_metric", "sagemaker_")
PLUGIN_CONFIGS = "hydra_plugins.amt_sweeper.configs"  # where amt-hydra is installed, it provides hydra/sweeper=amt


def to_overrides(argv: list[str]) -> list[str]:
    """`['--a.b', '1', '-x', 'y']` -> `['a.b=1', 'x=y']`; the toolkit writes one-letter names with one dash."""
    if len(argv) % 2:
        raise SystemExit(f"amt_hydra_entry: expected --key value pairs, got {argv}")
    overrides = []
    for flag, value in zip(argv[::2], argv[1::2]):
        if not flag.startswith("-") or flag in ("-", "--"):
            raise SystemExit(f"amt_hydra_entry: expected --key, got {flag!r}")
        key = flag[2:] if flag.startswith("--") else flag[1:]
        if not key.startswith(RESERVED):
            overrides.append(to_override(key, value))
    return overrides


def to_override(key: str, value: str) -> str:
    """One override; a value that is not one Hydra value (a comma, a bracket) is passed quoted."""
    if key.startswith("~") and value == "":
        return key
    if value == "":
        return f"{key}=null"  # the toolkit turns the hyperparameter "null" into an empty argument
    if not _single_value(f"{key}={value}"):
        value = quote(value)
    return f"{key}={value}"


def quote(value: str) -> str:
    """A Hydra quoted string: quotes escaped, backslashes doubled only where they precede a quote."""
    escaped = re.sub(r"(\\*)'", lambda m: m.group(1) * 2 + "\\'", value)
    escaped = re.sub(r"(\\+)$", lambda m: m.group(1) * 2, escaped)
    return f"'{escaped}'"


def _single_value(override: str) -> bool:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        return not OverridesParser.create().parse_override(override).is_sweep_override()
    except HydraException:
        return False


def runtime_overrides(module: str) -> list[str]:
    """The callback that prints the objective; Hydra's run dir in the job's output data when there is one."""
    extra = [f"++hydra.callbacks.amt_objective._target_={module}.ObjectiveCallback"]
    data_dir = os.environ.get("SM_OUTPUT_DATA_DIR")
    if data_dir:
        extra.append(f"hydra.run.dir={quote(str(Path(data_dir) / 'hydra'))}")
    return extra


def objective_line(value: Any) -> str | None:
    """`amt_objective: <value>` for a number (int, float, numpy or 0-d tensor); None for anything else."""
    if value is None or isinstance(value, (bool, str, bytes)) or not hasattr(value, "__float__"):
        return None
    try:
        return f"{OBJECTIVE_PREFIX}{float(value)!r}"
    except (TypeError, ValueError):
        return None


class ObjectiveCallback(Callback):
    """Prints the task function's numeric return value once the job has ended."""

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        from hydra.core.utils import JobStatus

        if job_return.status == JobStatus.COMPLETED:
            line = objective_line(job_return.return_value)
            if line:
                print(line, flush=True)


def config_flags(settings: dict[str, str], here: Path) -> list[str]:
    """The user's `--config-name`/`--config-path`/`--config-dir`, the folders now under the source dir."""
    flags = ["--config-name", settings["config_name"]] if "config_name" in settings else []
    for key, flag in (("config_path", "--config-path"), ("config_dir", "--config-dir")):
        if key in settings:
            flags += [flag, str(here / settings[key])]
    return flags


def run_app(settings: dict[str, str], here: Path, overrides: list[str]) -> None:
    """Run the app as its user does, so Hydra finds its config the same way (a file path or a package)."""
    app = here / settings["app"]
    sys.argv = [str(app), *config_flags(settings, here), *overrides]
    print(f"amt_hydra_entry: {settings.get('module') or settings['app']} {' '.join(sys.argv[1:])}", flush=True)
    paths = [str(here)] if "module" in settings else [str(app.parent), str(here)]  # as `python -m` / a script
    sys.path[:0] = [p for p in paths if p not in sys.path]
    if "function" in settings:  # imported by the user's launcher script: call the decorated function
        getattr(importlib.import_module(settings["module"]), settings["function"])()
    elif "module" in settings:  # as `python -m pkg.train`
        runpy.run_module(settings["module"], run_name="__main__", alter_sys=True)
    else:
        runpy.run_path(str(app), run_name="__main__")


def plugin_installed() -> bool:
    """Whether amt-hydra's config source for `hydra/sweeper=amt` is installed here (found, not imported)."""
    try:
        return importlib.util.find_spec(PLUGIN_CONFIGS) is not None
    except ImportError:
        return False


def register_stand_ins() -> None:
    """Let an app config with `override hydra/sweeper: amt` compose where amt-hydra is not installed.

    The jobs run in Hydra's RUN mode and never build the sweeper, so empty nodes will do. Only where the
    plugin is not installed: Hydra would otherwise take these for schemas of the real configs and refuse them.
    """
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    store.store(group="hydra/sweeper", name="amt", node={"defaults": [{"launcher": "local"}]}, provider="amt_entry")
    for name in ("local", "sagemaker"):
        store.store(group="hydra/sweeper/launcher", name=name, node={}, provider="amt_entry")


def main(argv: list[str] | None = None) -> None:
    here = Path(__file__).resolve().parent
    settings = json.loads((here / SIDECAR).read_text())
    overrides = to_overrides(sys.argv[1:] if argv is None else argv)
    if not plugin_installed():
        register_stand_ins()
    run_app(settings, here, [*overrides, *runtime_overrides(Path(__file__).stem)])


if __name__ == "__main__":
    main()
