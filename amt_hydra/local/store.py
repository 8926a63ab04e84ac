"""The local job store: one folder per tuning job, JSON files written atomically as things happen.

    <root>/<tuning-job-name, lower case>/
        request.json           the CreateHyperParameterTuningJob request, as given
        tuning.json            status, times, failure reason, completion details (engine-owned)
        engine.json            the engine settings the client was constructed with
        worker.lock            flock held by the live engine process (released by the kernel on any death)
        worker.log             the engine process's own output
        stop-requested         present once StopHyperParameterTuningJob was called
        trials/<training-job-name>/state.json   a TrialRecord
        trials/<training-job-name>/output.log   the job's stdout+stderr
        trials/<training-job-name>/opt_ml/      SAGEMAKER_BASE_DIR, laid out like /opt/ml

Every write is a temp file plus `os.replace`, so a reader (another process: `amt-hydra inspect`) and a
`kill -9` never see half a file. There is no fsync: the store survives killed processes, not power loss.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from amt_hydra.constants import ENV_LOCAL_ROOT
from amt_hydra.local.trials.record import TrialRecord


def default_root() -> Path:
    return Path(os.environ.get(ENV_LOCAL_ROOT) or Path.home() / ".amt-hydra" / "jobs").expanduser()


def write_json(path: Path, data: Any) -> None:
    """Atomically replace `path` with `data` as JSON."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    with open(path) as f:
        return json.load(f)


class JobDir:
    """One tuning job's folder in the store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.trials_dir = path / "trials"

    @property
    def request(self) -> dict[str, Any]:
        return read_json(self.path / "request.json")

    def tuning(self) -> dict[str, Any]:
        return read_json(self.path / "tuning.json")

    def write_tuning(self, state: dict[str, Any]) -> None:
        write_json(self.path / "tuning.json", state)

    def settings(self) -> dict[str, Any]:
        return read_json(self.path / "engine.json")

    def write_settings(self, settings: dict[str, Any]) -> None:
        write_json(self.path / "engine.json", settings)

    def trial_dir(self, name: str) -> Path:
        return self.trials_dir / name

    def write_trial(self, record: TrialRecord) -> None:
        folder = self.trial_dir(record.name)
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / "state.json", record.to_dict())

    def trial(self, name: str) -> TrialRecord | None:
        path = self.trial_dir(name) / "state.json"
        return TrialRecord.from_dict(read_json(path)) if path.is_file() else None

    def trials(self) -> list[TrialRecord]:
        """All training jobs, in launch order."""
        if not self.trials_dir.is_dir():
            return []
        records = [TrialRecord.from_dict(read_json(p)) for p in self.trials_dir.glob("*/state.json")]
        return sorted(records, key=lambda r: r.index)

    # The stop request is a file so that any process may ask and the engine sees it on its next tick.
    def request_stop(self) -> None:
        (self.path / "stop-requested").touch()

    def stop_requested(self) -> bool:
        return (self.path / "stop-requested").exists()

    def clear_stop(self) -> None:
        (self.path / "stop-requested").unlink(missing_ok=True)

    def try_lock(self) -> int | None:
        """Take the engine lock (a file descriptor to keep open), or None when a live engine holds it."""
        fd = os.open(self.path / "worker.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    def engine_alive(self) -> bool:
        """Whether an engine process holds this job's lock (the kernel drops it when that process dies)."""
        fd = self.try_lock()
        if fd is None:
            return True
        os.close(fd)
        return False


class JobStore:
    """Tuning jobs under `root`, addressed by name; names are case-insensitive as on SageMaker."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root else default_root()

    def path(self, name: str) -> Path:
        return self.root / name.lower()

    def find(self, name: str) -> JobDir | None:
        path = self.path(name)
        return JobDir(path) if (path / "tuning.json").is_file() else None

    def create(self, name: str, request: dict[str, Any], tuning: dict[str, Any]) -> tuple[JobDir, int] | None:
        """Make the folder for a new job, holding its engine lock; None when the name is taken.

        mkdir is the atomic test. The lock is taken before `tuning.json` makes the job visible, so no
        reader ever sees a new job without a (future) engine.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self.path(name).mkdir()
        except FileExistsError:
            return None
        job = JobDir(self.path(name))
        lock = job.try_lock()
        assert lock is not None, "nobody else can lock a folder that did not exist"
        write_json(job.path / "request.json", request)
        job.write_tuning(tuning)
        return job, lock

    def names(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.iterdir()):
                if (path / "request.json").is_file():
                    yield read_json(path / "request.json")["HyperParameterTuningJobName"]
