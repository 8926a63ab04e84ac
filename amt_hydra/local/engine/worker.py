"""The detached engine process: `python -m amt_hydra.local.engine.worker --root R --job NAME`.

The client starts it in a new session (so Ctrl-C in a terminal never reaches it, and `wait=false`
leaves it running after the CLI exits) and hands it the job's lock, already taken, as an inherited
file descriptor; the kernel releases the lock when this process ends, however it ends. SIGTERM,
SIGINT and SIGHUP ask for a clean stop, like StopHyperParameterTuningJob.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import amt_hydra

if TYPE_CHECKING:
    from amt_hydra.local.trials.prestart import Prestarted

# One thread for the engine's own maths (Optuna's GP); the jobs get their share through their env.
_ENGINE_THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def engine_env() -> dict[str, str]:
    """The engine process's environment (and so its fork server's): this one's, amt_hydra importable, one
    thread for the engine's own maths."""
    package_parent = str(Path(amt_hydra.__file__).resolve().parents[1])
    env = dict(os.environ, **_ENGINE_THREADS)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    return env


def spawn(root: Path, name: str, lock_fd: int, python: str | None = None,
          prestarted: Prestarted | None = None) -> subprocess.Popen[bytes]:
    """Start the engine for job `name`, passing it the lock held on `lock_fd` (and a fork server started
    ahead for it, to adopt)."""
    env = engine_env()
    handed, fds = prestarted.handoff() if prestarted is not None else ({}, ())
    env.update(handed)
    argv = [
        python or sys.executable,
        "-m",
        "amt_hydra.local.engine.worker",
        "--root",
        str(root),
        "--job",
        name,
        "--lock-fd",
        str(lock_fd),
    ]
    job_dir = root / name.lower()
    with open(job_dir / "worker.log", "ab") as log:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(lock_fd, *fds),
            start_new_session=True,
            env=env,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amt_hydra.local.engine.worker", description=__doc__)
    parser.add_argument("--root", required=True, help="the job store")
    parser.add_argument("--job", required=True, help="the tuning job name")
    parser.add_argument("--lock-fd", type=int, default=None, help="inherited descriptor holding the job lock")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    return run_engine(Path(args.root), args.job, args.lock_fd)


def run_engine(
    root: Path, name: str, lock_fd: int | None = None, clock: Callable[[], float] = time.time
) -> int:
    """Run the engine of job `name` in this process until the tuning job ends (takes the lock if not given).

    The worker process calls this; tests call it directly to run the engine with a faster clock.
    """
    from amt_hydra.local.engine.loop import Engine
    from amt_hydra.local.engine.recovery import abort
    from amt_hydra.local.store import DamagedStoreError, JobStore

    store = JobStore(root)
    job = store.find(name)
    if job is None:
        print(f"no tuning job {name} under {root}", file=sys.stderr)
        return 2
    lock_fd = lock_fd if lock_fd is not None else job.try_lock()
    if lock_fd is None:
        print(f"an engine is already running tuning job {name}", file=sys.stderr)
        return 1
    engine: Engine | None = None

    def ask_stop(signum: int, frame: object) -> None:
        if engine is not None:
            engine.signalled = True

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {
            sig: signal.signal(sig, ask_stop) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        }
    try:
        engine = Engine(store, job, clock=clock)
        engine.run()
    except Exception as err:  # an engine bug or a damaged store: fail the tuning job rather than leave it hanging
        if isinstance(err, DamagedStoreError):  # one line: the client reports the same on describe/resume
            print(f"error: {err}", file=sys.stderr)
        else:
            traceback.print_exc()
        reason = f"InternalServerError: local engine error: {type(err).__name__}: {err} (see {job.path}/worker.log)"
        running = list(engine.running.values()) if engine is not None else []
        abort(job, getattr(engine, "executor", None), running, reason, clock())
        return 1
    finally:
        os.close(lock_fd)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
