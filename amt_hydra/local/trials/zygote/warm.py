"""Warm-ups of preloaded modules: fill, in the fork server, the caches a module fills on first use, so that every
entry point forked after them starts with those caches filled instead of filling them again.

A warm-up may only leave caches behind: whatever state a fresh interpreter would not have (singletons,
registries, imported plugins) is put back as it was. The fork server runs them once, when it is idle
(forkserver_main.serve), so no job waits for them. Standard library only, like the rest of zygote/.
"""

from __future__ import annotations

import copy
import gc
import importlib
import os
import sys
import tempfile
from collections.abc import Callable

# What a trivial Hydra app's job composes: a primary config with an interpolation, and overrides of each kind
# the AMT sweeper's entry shim passes (numbers, strings, a quoted path, `++` for a callback).
HYDRA_CONFIG = "lr: 0.1\nmodel:\n  depth: 2\n  name: m${model.depth}\n"
# Imported by every Hydra job after its compose: its logging set-up, and the callback base class of the AMT
# sweeper's entry shim (hydra.experimental imports two more modules).
HYDRA_MODULES = ("hydra._internal.logging_config", "hydra.experimental.callback", "locale")
HYDRA_OVERRIDES = ["lr=0.0004841970060212229", "model.depth=7", "+name=adam", "++extra.key=abc",
                   "hydra.run.dir='/tmp/a b/c'", "hydra.job.chdir=false"]


def hydra_app() -> None:
    """Compose a config as `@hydra.main` does and render it as the job writes it to .hydra/: the override and
    interpolation grammars' ANTLR caches and Hydra's lazy imports are then warm (~10-15 ms less CPU per Hydra job)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.config_store import ConfigStore
    from hydra.core.singleton import Singleton
    from omegaconf import OmegaConf
    from omegaconf.basecontainer import BaseContainer

    for name in HYDRA_MODULES:
        importlib.import_module(name)
    instances, modules = dict(Singleton._instances), set(sys.modules)
    repo, resolvers = copy.deepcopy(ConfigStore.instance().repo), copy.deepcopy(BaseContainer._resolvers)
    try:
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "config.yaml"), "w") as out:
                out.write(HYDRA_CONFIG)
            with initialize_config_dir(config_dir=folder, version_base="1.3"):
                cfg = compose(config_name="config", overrides=HYDRA_OVERRIDES, return_hydra_config=True)
                OmegaConf.to_yaml(cfg)
                OmegaConf.to_container(cfg.model, resolve=True)
    finally:  # what a fresh interpreter would not have: singletons (Plugins with them), registries, plugins
        Singleton._instances.clear()
        Singleton._instances.update(instances)
        ConfigStore.instance().repo = repo
        BaseContainer._resolvers = resolvers
        for name in set(sys.modules) - modules:
            if name == "hydra_plugins" or name.startswith("hydra_plugins."):
                del sys.modules[name]
        gc.collect()


WARM_UPS: dict[str, Callable[[], None]] = {"hydra": hydra_app}  # preloaded module -> its warm-up


def run(modules: list[str]) -> None:
    """The warm-ups of those `modules` that are imported; one that fails is skipped (it only costs time)."""
    for name in modules:
        if name in WARM_UPS and name in sys.modules:
            try:
                WARM_UPS[name]()
            except Exception:  # noqa: BLE001, S110 - a cache left cold is no error
                pass
