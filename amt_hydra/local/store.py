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
`kill -9` never see half a file. What a crash must not lose is also fsynced (file, then folder): the request,
a finished training job's state.json and a terminal tuning.json. A file that is nevertheless damaged
(truncated, not JSON, wrong shape) is a `DamagedStoreError` naming the job and the file, never a traceback.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from amt_hydra.constants import ENV_LOCAL_ROOT, TERMINAL_TUNING
from amt_hydra.local.trials.record import TrialRecord

# The keys without which a file cannot be used (its shape); anything else is read leniently.
REQUIRED_KEYS = {
    "request.json": ("HyperParameterTuningJobName", "HyperParameterTuningJobConfig"),
    "tuning.json": ("status", "creation_time", "seed"),
    "engine.json": (),
    "state.json": ("name", "index", "definition", "tuned", "optuna_params", "creation_time", "status"),
}


class DamagedStoreError(Exception):
    """A store file that cannot be read: one line naming the tuning job, the file and what to do."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path, self.detail = path, detail
        trial = path.parent.parent.name == "trials"
        job_dir = path.parents[2] if trial else path.parent
        self.job = job_dir.name
        if trial:
            advice = (f"move {path.parent} out of the store to resume without that training job "
                      "(its configuration may run again)")
        else:
            advice = f"restore the file, or delete {job_dir} to remove the tuning job"
        super().__init__(f"tuning job {self.job}: store file {path.name} is damaged ({detail}); {advice}")


def default_root() -> Path:
    return Path(os.environ.get(ENV_LOCAL_ROOT) or Path.home() / ".amt-hydra" / "jobs").expanduser()


def write_json(path: Path, data: Any, durable: bool = False) -> None:
    """Atomically replace `path` with `data` as JSON; `durable`: fsync the file and its folder too."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems cannot fsync a folder
        pass
    finally:
        os.close(fd)


def read_json(path: Path) -> Any:
    with open(path) as f:
        return json.load(f)


def read_store_file(path: Path) -> dict[str, Any]:
    """A store file as a dict with its required keys, or `DamagedStoreError` (missing, not JSON, wrong shape)."""
    try:
        data = read_json(path)
    except FileNotFoundError:
        raise DamagedStoreError(path, "missing") from None
    except (OSError, ValueError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise DamagedStoreError(path, f"not JSON: {type(e).__name__}") from None
    if not isinstance(data, dict):
        raise DamagedStoreError(path, f"not a JSON object but {type(data).__name__}")
    missing = [k for k in REQUIRED_KEYS.get(path.name, ()) if k not in data]
    if missing:
        raise DamagedStoreError(path, f"missing {', '.join(missing)}")
    return data


def read_record(path: Path) -> TrialRecord:
    try:
        return TrialRecord.from_dict(read_store_file(path))
    except TypeError as e:
        raise DamagedStoreError(path, f"wrong shape: {e}") from None


class JobDir:
    """One tuning job's folder in the store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.trials_dir = path / "trials"

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def request(self) -> dict[str, Any]:
        return read_store_file(self.path / "request.json")

    def tuning(self) -> dict[str, Any]:
        return read_store_file(self.path / "tuning.json")

    def write_tuning(self, state: dict[str, Any]) -> None:
        """A terminal state is fsynced: it is the tuning job's end, and its completion details."""
        write_json(self.path / "tuning.json", state, durable=state.get("status") in TERMINAL_TUNING)

    def settings(self) -> dict[str, Any]:
        return read_store_file(self.path / "engine.json")

    def write_settings(self, settings: dict[str, Any]) -> None:
        write_json(self.path / "engine.json", settings)

    def trial_dir(self, name: str) -> Path:
        return self.trials_dir / name

    def write_trial(self, record: TrialRecord) -> None:
        folder = self.trial_dir(record.name)
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / "state.json", record.to_dict(), durable=record.finished)

    def trial(self, name: str) -> TrialRecord | None:
        path = self.trial_dir(name) / "state.json"
        return read_record(path) if path.is_file() else None

    def trials(self) -> list[TrialRecord]:
        """All training jobs, in launch order."""
        if not self.trials_dir.is_dir():
            return []
        records = [read_record(p) for p in self.trials_dir.glob("*/state.json")]
        return sorted(records, key=lambda r: r.index)

    def check(self) -> None:
        """Read every store file of the job: `DamagedStoreError` for the first that cannot be used."""
        self.request, self.tuning(), self.trials()
        if (self.path / "engine.json").exists():
            self.settings()

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
        write_json(job.path / "request.json", request, durable=True)
        job.write_tuning(tuning)
        return job, lock

    def names(self) -> Iterator[str]:
        """The names of the stored jobs; a job whose request.json is damaged is listed by its folder name."""
        if self.root.is_dir():
            for path in sorted(self.root.iterdir()):
                if (path / "request.json").is_file():
                    try:
                        yield JobDir(path).request["HyperParameterTuningJobName"]
                    except DamagedStoreError:
                        yield path.name
