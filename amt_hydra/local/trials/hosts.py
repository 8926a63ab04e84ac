"""The hosts of one training job: `InstanceCount = N` runs N toolkit processes named algo-1..algo-N.

Each host has its own SAGEMAKER_BASE_DIR, log, session and share of the job's cores; stopping and killing
reach every host's process group, and the record keeps every host's pid for recovery after an engine death.
As on SageMaker the first host decides: its exit ends the job (the others are killed with it) and its
exit code is the job's, unless another host failed first; metrics are read from its log (README).

Host names resolve nowhere: the toolkit's DNS wait is skipped with its own switch for local runs
(`SM_STUDIO_LOCAL_MODE`) and the rendezvous address is exported the way torch reads it (`MASTER_ADDR`
= 127.0.0.1, `MASTER_PORT` = a free port per job).
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from amt_hydra.local.trials.process import ToolkitProcess, kill_group

LOOPBACK = "127.0.0.1"


def host_names(count: int) -> tuple[str, ...]:
    """SageMaker's host names for a job of `count` instances (at least one)."""
    return tuple(f"algo-{i}" for i in range(1, max(1, count) + 1))


def split_cores(cores: Sequence[int], hosts: int) -> list[tuple[int, ...]]:
    """One block of the job's cores per host; with fewer cores than hosts, single cores round robin."""
    if not cores:
        return [()] * hosts
    per_host = max(1, len(cores) // hosts)
    return [tuple(cores[(h * per_host + i) % len(cores)] for i in range(per_host)) for h in range(hosts)]


def rendezvous_env(hosts: Sequence[str]) -> dict[str, str]:
    """What every host's environment gets so the hosts find each other on this machine."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port = s.getsockname()[1]
    return {"SM_STUDIO_LOCAL_MODE": "true", "MASTER_ADDR": LOOPBACK, "MASTER_PORT": str(port)}


def host_folder(trial_folder: Path, index: int) -> Path:
    """Where host `index` (0 = algo-1) keeps opt_ml/ and output.log: the first host in the trial's folder."""
    return trial_folder if index == 0 else trial_folder / "hosts" / f"algo-{index + 1}"


@dataclass
class HostGroup:
    """The running toolkit processes of one job, first host first."""

    processes: list[ToolkitProcess]
    failed_host: int = 0  # the host whose exit code is the job's
    codes: dict[int, int] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.processes[0].pid

    @property
    def pids(self) -> list[int]:
        """Every host's pid, which is also its process group."""
        return [p.pid for p in self.processes]

    def new_lines(self, final: bool = False) -> list[str]:
        return self.processes[0].new_lines(final=final)

    def poll(self) -> int | None:
        """The job's exit status once it has ended: the first host's, or that of a host that failed first.

        The first host is looked at first, so a host that only failed because the first one had ended
        (its peer vanished) does not fail a job that completed. Hosts still running are then killed.
        """
        code = self.processes[0].poll()
        if code is None:
            for index, proc in enumerate(self.processes[1:], start=1):
                other = self.codes.get(index)
                if other is None and (other := proc.poll()) is not None:
                    self.codes[index] = other
                if other and not self.failed_host and self.processes[0].kill_at is None:  # not when stopping
                    self.failed_host = index
                    self.signal(signal.SIGKILL)  # a host failed: the job ends with it
            return None
        self.signal(signal.SIGKILL)
        for index, proc in enumerate(self.processes[1:], start=1):
            if index not in self.codes:  # a host collected before is never signalled again
                self.codes[index] = _reap(proc)
        return code if not self.failed_host else self.codes[self.failed_host]

    def signal(self, sig: int) -> None:
        for proc in self.processes:
            if proc.proc is not None and proc.proc.returncode is None:
                kill_group(proc.pid, sig)

    def terminate(self, now: float, grace_s: float) -> None:
        for proc in self.processes:
            proc.terminate(now, grace_s)

    def enforce(self, now: float) -> None:
        for proc in self.processes:
            proc.enforce(now)

    def live(self) -> list[ToolkitProcess]:
        return [p for p in self.processes if p.proc is not None and p.proc.returncode is None]


def _reap(proc: ToolkitProcess) -> int:
    """Wait (without reaping) for a host the SIGKILL has just reached, then collect it: `poll` cleans its
    group while the unreaped host still holds the group id, so no other group can be hit."""
    assert proc.proc is not None
    if proc.proc.returncode is None and hasattr(os, "waitid"):
        try:
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            pass
    code = proc.poll()
    return -signal.SIGKILL if code is None else code
