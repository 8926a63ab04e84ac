"""Independent jobs shared between this process and one forked child: the report's charts on two cores.

Why a fork: the report is drawn after the tuning job has ended, when the cores its training jobs used are
free, and matplotlib's drawing is single-threaded Python. A forked child starts with everything already
imported (matplotlib, Optuna, the result), so it costs a few milliseconds, where a spawned worker would import
matplotlib again (~0.5 s). Only where forking is safe and can pay: Linux, no other thread in this process (a
fork copies only the calling thread, with whatever locks the others held), more than one usable core. Anywhere
else, or if the child fails in any way, every job runs here, in order, exactly as without it.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

Job = Callable[[], Any]


def can_fork() -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return sys.platform == "linux" and threading.active_count() == 1 and cores > 1


def run_shared(jobs: Sequence[Job], weights: Sequence[float] | None = None) -> list[Any]:
    """Each job's result, in order; the jobs are split by weight between here and a forked child."""
    if len(jobs) < 2 or not can_fork():
        return [job() for job in jobs]
    mine, theirs = _split(weights or [1.0] * len(jobs))
    results: dict[int, Any] = {}
    child, read_end = _start([jobs[i] for i in theirs])
    try:
        results.update((i, jobs[i]()) for i in mine)
        returned = _collect(child, read_end)
    except BaseException:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        raise
    if returned is None:  # the child failed: its jobs run here, so their errors surface as they would have
        returned = [jobs[i]() for i in theirs]
    results.update(zip(theirs, returned, strict=True))
    return [results[i] for i in range(len(jobs))]


def _split(weights: Sequence[float]) -> tuple[list[int], list[int]]:
    """Heaviest first, each to the lighter side (longest-processing-time); each side in the jobs' order."""
    sides: tuple[list[int], list[int]] = ([], [])
    loads = [0.0, 0.0]
    for i in sorted(range(len(weights)), key=lambda i: -weights[i]):
        side = 0 if loads[0] <= loads[1] else 1
        sides[side].append(i)
        loads[side] += weights[i]
    return sorted(sides[0]), sorted(sides[1])


def _start(jobs: list[Job]) -> tuple[int, int]:
    """Fork a child that runs `jobs` and writes their pickled results to a pipe; (its pid, the read end)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    status = 1  # the child: never returns, never runs the parent's atexit handlers or flushes its buffers twice
    try:
        os.close(read_end)
        payload = pickle.dumps([job() for job in jobs])
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)


def _collect(pid: int, read_end: int) -> list[Any] | None:
    """The child's results (read to the end before reaping it), or None if it did not finish cleanly."""
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 (whatever the child wrote, its jobs then run here)
        return None
