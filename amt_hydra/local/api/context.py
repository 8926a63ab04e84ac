"""What every operation handler works on: the job store, the engine settings, the clock, the engines started."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amt_hydra.local.api import errors as err
from amt_hydra.local.engine.worker import spawn
from amt_hydra.local.settings import EngineSettings
from amt_hydra.local.store import JobDir, JobStore


@dataclass
class ApiContext:
    """Shared by the handlers of one client (or one server); `spawn_engine=False` leaves running the
    engine to the caller (`engine.worker.run_engine`, tests)."""

    store: JobStore
    settings: EngineSettings
    clock: Callable[[], float]
    spawn_engine: bool = True
    engines: dict[str, Any] = field(default_factory=dict)
    prestarted: Any = None  # a fork server started ahead (`trials.prestart.Prestarted`) for the next engine

    @classmethod
    def create(
        cls,
        root: str | Path | None = None,
        settings: EngineSettings | None = None,
        clock: Callable[[], float] = time.time,
        spawn_engine: bool = True,
        **changes: Any,
    ) -> ApiContext:
        """A context over the store at `root`; `changes` are single fields of the engine settings."""
        return cls(JobStore(root), (settings or EngineSettings()).engine_settings(**changes), clock, spawn_engine)

    def job(self, operation: str, name: str) -> JobDir:
        """The tuning job called `name`, or SageMaker's ResourceNotFound."""
        job = self.store.find(name)
        if job is None:
            raise err.tuning_job_not_found(name, operation)
        return job

    def spawn(self, job: JobDir, name: str, lock: int) -> None:
        """Hand the held lock (and a fork server started ahead, if any) to a new engine process; the lock stays
        held without a gap."""
        handed, self.prestarted = self.prestarted, None
        try:
            job.write_settings(self.settings.to_dict())
            self.engines[name.lower()] = spawn(self.store.root, name, lock, self.settings.python, handed)
        finally:
            os.close(lock)
            if handed is not None:
                handed.release()
