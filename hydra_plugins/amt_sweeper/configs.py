"""`hydra/sweeper=amt` and `hydra/sweeper/launcher=local|sagemaker`: a config source that builds them on demand.

Hydra imports every module under `hydra_plugins` in every run of every app (its plugin scan), training jobs
included. Registering the structured configs in the ConfigStore there cost ~40 ms of CPU per run (importing
the schema, OmegaConf building three nodes), paid by apps that never select this sweeper. This source names
the configs up front and builds a dataclass's node only when Hydra loads it; the dataclasses are the same
(`AmtSweeperConf` extends the CLI's `TuningConfig`; the launchers are the CLI's launcher configs).
"""

from __future__ import annotations

import importlib

from hydra.core.config_search_path import ConfigSearchPath
from hydra.core.object_type import ObjectType
from hydra.plugins.config_source import ConfigLoadError, ConfigResult, ConfigSource
from hydra.plugins.search_path_plugin import SearchPathPlugin

PROVIDER = "amt_sweeper"
# config path -> "module:dataclass" it is built from
CONFIGS = {
    "hydra/sweeper/amt.yaml": "amt_hydra.sweeper.config:AmtSweeperConf",
    "hydra/sweeper/launcher/local.yaml": "amt_hydra.launcher.local:LocalLauncherConfig",
    "hydra/sweeper/launcher/sagemaker.yaml": "amt_hydra.launcher.sagemaker:SageMakerLauncherConfig",
}


def _groups() -> frozenset[str]:
    """Every folder above a config: "", "hydra", "hydra/sweeper", "hydra/sweeper/launcher"."""
    found = set()
    for path in CONFIGS:
        parts = path.split("/")[:-1]
        found.update("/".join(parts[:i]) for i in range(len(parts) + 1))
    return frozenset(found)


GROUPS = _groups()


class AmtSweeperConfigSource(ConfigSource):
    """`amt-sweeper://`: the configs in `CONFIGS`, each a structured config built when loaded."""

    @staticmethod
    def scheme() -> str:
        return "amt-sweeper"

    def load_config(self, config_path: str) -> ConfigResult:
        from omegaconf import OmegaConf

        name = self._normalize_file_name(config_path)
        if name not in CONFIGS:
            raise ConfigLoadError(f"Config not found: {config_path}")
        module, attr = CONFIGS[name].split(":")
        node = OmegaConf.structured(getattr(importlib.import_module(module), attr))
        return ConfigResult(config=node, path=self.full_path(), provider=self.provider, header={"package": None})

    def available(self) -> bool:
        return True

    def is_group(self, config_path: str) -> bool:
        return config_path.strip("/") in GROUPS

    def is_config(self, config_path: str) -> bool:
        return self._normalize_file_name(config_path.rstrip("/")) in CONFIGS

    def list(self, config_path: str, results_filter: ObjectType | None) -> list[str]:
        folder = config_path.strip("/")
        prefix = f"{folder}/" if folder else ""
        children = {path[len(prefix):].split("/")[0] for path in [*CONFIGS, *GROUPS]
                    if path.startswith(prefix) and path != folder}
        found: list[str] = []
        for child in children:
            self._list_add_result(files=found, file_path=prefix + child, file_name=child,
                                  results_filter=results_filter)
        return sorted(set(found))


class AmtSweeperSearchPath(SearchPathPlugin):
    """Puts `amt-sweeper://` on every app's config search path (before the ConfigStore's, which stays last)."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        search_path.append(provider=PROVIDER, path=f"{AmtSweeperConfigSource.scheme()}://")
