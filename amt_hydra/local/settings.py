"""How the local engine runs jobs on this machine (not part of the request, so not part of SageMaker's API).

`EngineSettings` is declared once: the local launcher's config (`amt_hydra.launcher.local.LocalLauncherConfig`)
extends it with `root` and `bucket`, so the same fields are the `launcher=local` config group, its Hydra schema,
the launcher's and the client's arguments, and what the engine reads. The client writes them next to the job
(`engine.json`) so that the detached engine process, started by this client or by a later resume, runs with the
settings the launcher was configured with.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from amt_hydra.errors import ConfigError

PRELOAD = ("hydra", "omegaconf")  # measured: a trivial Hydra app's trial 0.32 -> 0.19 s of CPU when forked


# Plain dict annotations: the class is also a Hydra structured config (OmegaConf reads the types).
@dataclass
class EngineSettings:
    """The engine's settings; invalid values are a one-line `ConfigError` naming `launcher.<field>`."""

    capacity: dict[str, int] = field(default_factory=dict)  # instance type -> jobs of that type at once; 0: ICE
    local_copies: dict[str, str] = field(default_factory=dict)  # s3:// URI (or prefix) -> local file or folder
    parallel_cpus: int | None = None  # cores divided among parallel jobs; null: all this process may use
    stop_grace_s: float = 120.0  # seconds between SIGTERM and SIGKILL when a job is stopped (`docker stop -t`)
    poll_interval_s: float = 0.5  # seconds: the engine's tick, and the CLI's status poll while waiting
    python: str | None = None  # interpreter that runs the training toolkit; null: this one
    fork_server: bool = True  # fork jobs from a process with the toolkit imported; false: one subprocess each
    # With fork_server: a job's Python entry point is forked from a zygote that has `preload` imported (those
    # importable), not started as a fresh interpreter; false: fresh, as the toolkit alone would start it
    fork_entry_point: bool = True
    preload: list[str] = field(default_factory=lambda: list(PRELOAD))

    def __post_init__(self) -> None:
        for key in ("stop_grace_s", "poll_interval_s"):
            _positive(key, getattr(self, key))
        if self.parallel_cpus is not None:
            _positive("parallel_cpus", self.parallel_cpus)
        for kind, n in (self.capacity or {}).items():
            if int(n) < 0:
                raise ConfigError(f"launcher.capacity.{kind}", f"must be >= 0, got {n}")
        self.capacity = {str(k): int(v) for k, v in (self.capacity or {}).items()}
        self.local_copies = normalize_copies(self.local_copies)
        self.stop_grace_s, self.poll_interval_s = float(self.stop_grace_s), float(self.poll_interval_s)
        self.preload = [str(m) for m in (self.preload or [])]
        for module in self.preload:
            if not all(part.isidentifier() for part in module.split(".")):
                raise ConfigError("launcher.preload", f"must be module names, got {module!r}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EngineSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def engine_settings(self, **changes: Any) -> EngineSettings:
        """Only the engine's fields (a subclass adds its own), with `changes` applied."""
        values = {f.name: getattr(self, f.name) for f in fields(EngineSettings)}
        return EngineSettings(**{**values, **changes})

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(EngineSettings)}

    def cpus(self) -> list[int]:
        """The cores jobs may be pinned to: this process's affinity, the first `parallel_cpus` of them."""
        try:
            allowed = sorted(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            allowed = list(range(os.cpu_count() or 1))
        return allowed[: self.parallel_cpus] if self.parallel_cpus else allowed


def _positive(key: str, value: float) -> None:
    if value is None or value <= 0:
        raise ConfigError(f"launcher.{key}", f"must be > 0, got {value}")


def normalize_copies(copies: Mapping[str, str | Path] | None) -> dict[str, str]:
    """Local paths made absolute, so the detached engine resolves them from any working directory."""
    return {str(k): str(Path(v).expanduser().resolve()) for k, v in (copies or {}).items()}
