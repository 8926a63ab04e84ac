"""How the local engine runs jobs on this machine (not part of the request, so not part of SageMaker's API).

The client writes these next to the job (`engine.json`) so that the detached engine process, started
by this client or by a later resume, runs with the settings the launcher was configured with.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EngineSettings:
    """`capacity`: instance type -> jobs of that type at once (see capacity.py for the defaults);
    `local_copies`: S3 URI or prefix -> local file or folder; `parallel_cpus`: cores to divide among the
    parallel jobs (default: the cores this process may use); `stop_grace_s`: SIGTERM -> SIGKILL delay;
    `poll_interval_s`: how often the engine looks at its jobs; `python`: interpreter for the toolkit."""

    capacity: Mapping[str, int] | None = None
    local_copies: Mapping[str, str] = field(default_factory=dict)
    parallel_cpus: int | None = None
    stop_grace_s: float = 120.0
    poll_interval_s: float = 0.2
    python: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EngineSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["capacity"] = None if self.capacity is None else dict(self.capacity)
        out["local_copies"] = {k: str(v) for k, v in self.local_copies.items()}
        return out

    def cpus(self) -> list[int]:
        """The cores jobs may be pinned to: this process's affinity, the first `parallel_cpus` of them."""
        try:
            allowed = sorted(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            allowed = list(range(os.cpu_count() or 1))
        return allowed[: self.parallel_cpus] if self.parallel_cpus else allowed


def normalize_copies(copies: Mapping[str, str | Path] | None) -> dict[str, str]:
    """Local paths made absolute, so the detached engine resolves them from any working directory."""
    return {str(k): str(Path(v).expanduser().resolve()) for k, v in (copies or {}).items()}
