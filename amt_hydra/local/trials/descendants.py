"""Every process a training job started, found by the marker in its environment, so all of them end with it.

A job's processes share its process group only until one calls `setsid` or double-forks; its environment,
though, is inherited by everything it starts. The engine sets `TRAINING_JOB_NAME` last in the job's
environment (the request cannot override it: reserved names are refused at create), and at stop and exit
it scans /proc for processes of this user carrying `TRAINING_JOB_NAME=<the job>` and signals them through
a pidfd after checking the marker again, so a reused pid is never hit. Linux only (no /proc elsewhere:
then only the process group is signalled). A process that replaces its own environment escapes; a
container or cgroup backend is the way to contain hostile code.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from amt_hydra.constants import ENV_TRAINING_JOB_NAME

PROC = Path("/proc")


def owns(pid: int, job_name: str) -> bool:
    """Whether process `pid` belongs to training job `job_name` (its environment carries the marker)."""
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return f"{ENV_TRAINING_JOB_NAME}={job_name}".encode() in environ.split(b"\0")


def marked_pids(job_name: str) -> list[int]:
    """This user's processes (not this one) that carry the job's marker."""
    if not PROC.is_dir():
        return []
    uid, me, out = os.getuid(), os.getpid(), []
    for entry in os.scandir(PROC):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
        except OSError:
            continue
        if owns(int(entry.name), job_name):
            out.append(int(entry.name))
    return out


def signal_marked(job_name: str, sig: int, rounds: int = 3) -> int:
    """Send `sig` to every process of the job; with SIGKILL, repeat while new ones appear (a forking job).

    Returns how many processes were signalled.
    """
    total = 0
    for _ in range(rounds):
        pids = marked_pids(job_name)
        total += sum(_signal(pid, job_name, sig) for pid in pids)
        if not pids or sig != signal.SIGKILL:
            break
    return total


def _signal(pid: int, job_name: str, sig: int) -> bool:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfds: plain kill after the check
        fd = None
    try:
        if not owns(pid, job_name):  # checked with the pidfd held: the pid cannot be reused meanwhile
            return False
        if fd is not None:
            signal.pidfd_send_signal(fd, sig)
        else:
            os.kill(pid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False
    finally:
        if fd is not None:
            os.close(fd)
