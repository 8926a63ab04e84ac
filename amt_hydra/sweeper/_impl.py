"""`AmtSweeperImpl`: one Hydra sweep -> one tuning job, through the same pipeline as `python -m amt_hydra`.

sweep overrides + `hydra.sweeper` -> the CLI's config shape -> `app.prepare` (spec, rules, request,
botocore validation) -> the configured launcher -> `amt_hydra.results` -> optimization_results.yaml.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from amt_hydra.config.schema import TuningConfig
from amt_hydra.errors import ConfigError, LaunchError, UserError
from amt_hydra.spec.model import ParameterRange, TuningSpec
from amt_hydra.sweeper import entry
from amt_hydra.sweeper.overrides import SweepArguments, params_arguments, sample_overrides, split_arguments
from amt_hydra.sweeper.source import App, check_config_dirs, config_flags, locate_app, stage_source

log = logging.getLogger(__name__)
# hydra.sweeper's keys: the CLI's tuning fields plus `params`; those passed through to the CLI's config shape.
SWEEPER_KEYS = (*(f.name for f in fields(TuningConfig)), "params")
CONFIG_KEYS = tuple(k for k in SWEEPER_KEYS if k not in ("name", "dry_run", "wait", "estimator", "launcher", "params"))


def _plain(value: Any) -> Any:
    return OmegaConf.to_container(value, resolve=True) if isinstance(value, (DictConfig, ListConfig)) else value


def _freeze_heap_at_exit() -> None:
    """At exit, hide every object from the garbage collector (`gc.freeze`) before the interpreter's final
    collections, which otherwise walk the heap the sweep built up (Hydra, botocore's model, matplotlib, Optuna):
    measured 0.5-1 s of a sweep's exit, 0.05 s with it. Only at exit: a process that goes on collects as before."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once per process, however many sweeps
    atexit.register(gc.freeze)


class AmtSweeperImpl:
    """Holds `hydra.sweeper` as plain data; `sweep` builds, validates, submits and reports."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = {str(k): _plain(v) for k, v in settings.items()}
        self.config: DictConfig | None = None
        self.hydra_context: Any = None
        self.app: App | None = None

    def setup(self, *, hydra_context: Any, task_function: Any, config: DictConfig) -> None:
        self.hydra_context = hydra_context
        self.config = config
        self.app = locate_app(task_function)

    def sweep(self, arguments: list[str]) -> None:
        _freeze_heap_at_exit()
        try:
            self._sweep(arguments)
        except ConfigError as exc:
            raise ConfigError(self.rekey(exc.key), exc.rule) from None

    def rekey(self, key: str) -> str:
        """Name the key the user sets: the override itself, or its place under `hydra.sweeper`."""
        if key.startswith("search_space."):
            return key.removeprefix("search_space.")
        if key == "search_space":
            return "sweep overrides"
        head = key.split(".", 1)[0].split("[", 1)[0]
        return f"hydra.sweeper.{key}" if head in SWEEPER_KEYS else key

    # -- the pipeline ---------------------------------------------------------------------------------
    def _sweep(self, arguments: list[str]) -> None:
        from amt_hydra.app import prepare, resolve_region, submitting_launcher, write_run_files
        from amt_hydra.spec.search_space import encode_value, parse_search_space

        assert self.config is not None and self.app is not None, "setup() runs before sweep()"
        if self.settings.get("sample_log"):  # the metric regexes tried on a log first; alone, nothing else runs
            from amt_hydra.metrics_check import check_sample_log

            dry_run = self.settings["dry_run"]
            check_sample_log(Path(self.settings["sample_log"]), self.settings["metric"], sys.stderr if dry_run
                             else sys.stdout)
            if not dry_run:
                return
        args = split_arguments(params_arguments(self.settings.get("params")) + list(arguments))
        ranges, space_statics = parse_search_space(args.space)  # bad expressions fail before anything is written
        if not ranges:
            raise ConfigError("search_space", "needs at least one sweep, e.g. 'optimizer.lr=interval(1e-4, 1e-1)'")
        hyperparameters = {**(self.settings["estimator"].get("hyperparameters") or {}), **args.fixed}
        launcher = submitting_launcher(self.settings["launcher"], resolve_region(self.settings["region"]),
                                       bool(self.settings["dry_run"]))
        self._check_composes(ranges, {**{k: encode_value(v) for k, v in hyperparameters.items()}, **space_statics})
        sweep_dir = Path(str(self.config.hydra.sweep.dir)).absolute()
        source_dir = self._source_dir()
        staged = self._stage(source_dir, sweep_dir / "source")
        try:
            spec, rendered, _ = prepare(self._amt_config(args, hyperparameters, staged), launcher)
        except UserError:
            shutil.rmtree(staged, ignore_errors=True)  # an invalid sweep leaves nothing behind
            raise
        write_run_files(sweep_dir, spec, rendered, source_dir=str(source_dir))
        if self.settings["dry_run"]:
            sys.stdout.write(json.dumps(rendered.request, indent=2, sort_keys=True, default=str) + "\n")
            log.info(f"dry run: request written to {sweep_dir / 'request.json'}; nothing submitted")
            if launcher.dry_run_note():
                log.info(launcher.dry_run_note())
            return
        self._launch(launcher, spec, rendered, sweep_dir)

    def _check_composes(self, ranges: list[ParameterRange], statics: dict[str, str]) -> None:
        """Compose the app's config with one job's overrides (as the shim builds them) before submitting."""
        from hydra.errors import HydraException
        from omegaconf.errors import OmegaConfBaseException

        overrides = sample_overrides(ranges, statics)
        try:
            self.hydra_context.config_loader.load_sweep_config(self.config, overrides)
        except (HydraException, OmegaConfBaseException) as exc:
            detail = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise UserError(f"the sweep does not compose with the app's config: {detail}") from None

    def _source_dir(self) -> Path:
        assert self.config is not None and self.app is not None
        configured = self.settings["estimator"].get("source_dir")
        source_dir = Path(configured).expanduser().absolute() if configured else self.app.default_source_dir()
        sources = self.config.hydra.runtime.config_sources
        check_config_dirs([s.path for s in sources if s.schema == "file"], source_dir)
        return source_dir

    def _stage(self, source_dir: Path, target: Path) -> Path:
        assert self.config is not None and self.app is not None
        hydra = self.config.hydra
        flags = config_flags(hydra.runtime.config_sources, hydra.job.config_name, source_dir)
        return stage_source(source_dir, {**self.app.sidecar(source_dir), **flags}, target)

    def _amt_config(self, args: SweepArguments, hyperparameters: dict[str, Any], staged: Path) -> dict[str, Any]:
        """The mapping `python -m amt_hydra` would compose, with the shim as entry point."""
        assert self.config is not None
        data = {key: self.settings[key] for key in CONFIG_KEYS}
        data["name"] = self.settings["name"] or str(self.config.hydra.job.name)
        data["search_space"] = dict(args.space)
        data["estimator"] = self._estimator(hyperparameters, staged)
        return data

    def _estimator(self, hyperparameters: dict[str, Any], staged: Path) -> dict[str, Any]:
        est = dict(self.settings["estimator"])
        if est.get("entry_point"):
            raise ConfigError("estimator.entry_point", f"the sweeper's {entry.SCRIPT} is the entry point; leave it "
                              "unset (the app is the script Hydra runs)")
        if est.get("algorithm_name"):
            raise ConfigError("estimator.algorithm_name", "the sweeper runs the app's script; use "
                              "estimator.framework or estimator.image_uri")
        if est.get("image_uri"):  # an explicit image replaces the default framework
            est.update(framework=None, framework_version=None, py_version=None)
        est.update(entry_point=entry.SCRIPT, source_dir=str(staged), hyperparameters=hyperparameters)
        return est

    def _launch(self, launcher: Any, spec: TuningSpec, rendered: Any, sweep_dir: Path) -> None:
        """Submit, then (with `wait`) follow and report here, as the CLI does; Failed or Stopped is exit 4."""
        from amt_hydra.app import check_completed, follow, submit
        from amt_hydra.sweeper.results import optimization_results, write_optimization_results

        name = submit(launcher, spec, rendered, sweep_dir)
        if not self.settings["wait"]:
            log.info(f"submitted tuning job {name}; look at it later with `amt-hydra inspect {name}`")
            return
        result = follow(launcher, name, sweep_dir)
        results = optimization_results(result, spec.ranges)
        if results is not None:  # a stopped job's best so far is still worth writing
            path = write_optimization_results(results, sweep_dir)
            log.info(f"Best parameters: {results['best_params']}")
            log.info(f"Best value: {results['best_value']}")
            log.info(f"results: {path}")
        check_completed(result["TuningJob"])
        if results is None:
            raise LaunchError(f"tuning job {name} completed but no training job reported an objective value")
