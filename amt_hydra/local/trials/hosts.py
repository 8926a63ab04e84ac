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

import signal
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from amt_hydra.local.trials.logtail import LogTail
from amt_hydra.local.trials.process import ToolkitProcess, kill_group

LOOPBACK = "127.0.0.1"
REAP_S = 10.0  # how long a SIGKILLed host may take to report its exit


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
    """The running toolkit processes of one job, first host first (plain or forked: see forkserver.py).

    Only the first host carries the job's marker kill (`job_name`): all hosts share `TRAINING_JOB_NAME`, so
    another host's exit must not kill the job; the first host's exit or stop reaches the others through it.
    A host is polled until it reports its exit code, never after (its pid may belong to another process then).
    """

    processes: list[ToolkitProcess]
    failed_host: int = 0  # the host whose exit code is the job's
    codes: dict[int, int] = field(default_factory=dict)  # host index -> exit code, once collected

    @property
    def pid(self) -> int:
        return self.processes[0].pid

    @property
    def pids(self) -> list[int]:
        """Every host's pid, which is also its process group."""
        return [p.pid for p in self.processes]

    @property
    def tail(self) -> LogTail:
        """The first host's log tail: metrics are read from its log only."""
        return self.processes[0].tail

    def new_lines(self, final: bool = False) -> list[str] | None:
        return self.processes[0].new_lines(final=final)

    def poll(self) -> int | None:
        """The job's exit status once it has ended: the first host's, or that of a host that failed first.

        The first host is looked at first, so a host that only failed because the first one had ended
        (its peer vanished) does not fail a job that completed. Hosts still running are then killed.
        """
        if 0 not in self.codes:
            code = self.processes[0].poll()
            if code is None:
                self._watch_others()
                return None
            self.codes[0] = code
            self.signal(signal.SIGKILL)
            for index in self._running():
                self.codes[index] = _reap(self.processes[index])
        return self.codes[self.failed_host]

    def _watch_others(self) -> None:
        """Collect hosts 2..N that exited; one failing (unless the job is being stopped) ends the job."""
        for index in self._running():
            code = self.processes[index].poll()
            if code is None:
                continue
            self.codes[index] = code
            if code and not self.failed_host and self.processes[0].kill_at is None:
                self.failed_host = index
                self.signal(signal.SIGKILL)  # a host failed: the job ends with it

    def signal(self, sig: int) -> None:
        """`sig` to the process group of every host not collected yet."""
        for index in self._running():
            kill_group(self.processes[index].pid, sig)

    def kill(self) -> None:
        """SIGKILL every host still running and collect each (bounded), so none is left behind."""
        self.signal(signal.SIGKILL)
        for index in self._running():
            self.codes[index] = _reap(self.processes[index])

    def terminate(self, now: float, grace_s: float) -> None:
        for proc in self.live():
            proc.terminate(now, grace_s)

    def enforce(self, now: float) -> None:
        for proc in self.live():
            proc.enforce(now)

    def live(self) -> list[ToolkitProcess]:
        return [self.processes[i] for i in self._running()]

    def _running(self) -> list[int]:
        return [i for i in range(len(self.processes)) if i not in self.codes]


def _reap(proc: ToolkitProcess, bound_s: float = REAP_S) -> int:
    """Poll a host the SIGKILL has just reached until it reports its exit code (its `poll` cleans its group
    while the unreaped host still holds the group id); SIGKILL's status if it never does within `bound_s`."""
    deadline = time.monotonic() + bound_s
    while (code := proc.poll()) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return -signal.SIGKILL if code is None else code
