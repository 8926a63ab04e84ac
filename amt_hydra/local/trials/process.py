"""One training job's toolkit process: start it, tail its log, stop it, wait for it.

The process writes stdout and stderr straight into the job's log file (so the log is complete even if
the engine dies), and the engine tails that file in bounded chunks (trials/logtail.py). It runs in its
own session: stopping it sends SIGTERM to the whole process group (toolkit and script) and to every
process carrying the job's marker (trials/descendants.py: those that left the group), then SIGKILL after
the grace period, as `docker stop` does on SageMaker. Whatever is left when the toolkit exits is killed.
It starts without a shell; argv and environment pass literally.
Each host of a multi-instance job is one such process, in a session of its own: the kernel's autogroup
scheduler shares the CPU between sessions, so jobs and hosts sharing one session would get one share.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from amt_hydra.local.trials.descendants import signal_marked
from amt_hydra.local.trials.logtail import LogTail

TOOLKIT = ("-m", "sagemaker_training.cli.train")


class ToolkitProcess:
    """A running `python -m sagemaker_training.cli.train` for one job directory."""

    def __init__(self, log_path: Path, python: str | None = None, job_name: str | None = None) -> None:
        self.log_path = log_path
        self.python = python or sys.executable
        self.job_name = job_name  # the marker in the environment of all its processes
        self.proc: subprocess.Popen[bytes] | None = None
        self.tail = LogTail(log_path)
        self.kill_at: float | None = None
        self.pidfd: int | None = None

    def start(self, env: Mapping[str, str], cwd: Path, cpus: tuple[int, ...] = ()) -> int:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.python, *TOOLKIT],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=dict(env),
                start_new_session=True,
            )
        try:  # a descriptor that becomes readable when the process exits, so the engine wakes at once
            self.pidfd = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):
            self.pidfd = None
        if cpus:
            # Set from here rather than in preexec_fn (unsafe in a process with threads); the script,
            # started ~0.4 s later by the toolkit, inherits the mask.
            try:
                os.sched_setaffinity(self.proc.pid, cpus)
            except (OSError, AttributeError):
                pass
        return self.proc.pid

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def new_lines(self, final: bool = False) -> list[str] | None:
        """Lines of the next chunk of the log (the unterminated rest too if final); None: nothing new."""
        return self.tail.read(final=final)

    def exit_known(self) -> bool:
        """Whether the exit was already read where `pidfd` will not show it again (never, for a plain process)."""
        return False

    def poll(self) -> int | None:
        """The exit status once the toolkit has exited; leftovers in its group are killed first."""
        assert self.proc is not None
        if not hasattr(os, "waitid"):  # macOS before Python 3.13: reap first, then clean the group
            code = self.proc.poll()
            if code is not None:
                kill_group(self.proc.pid, signal.SIGKILL)
            return code
        try:
            info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            info = None
        if info is None and self.proc.returncode is None:
            return None
        # The unreaped leader keeps the group id reserved, so this cannot hit an unrelated group.
        kill_group(self.proc.pid, signal.SIGKILL)
        self.signal_job(signal.SIGKILL)
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        return self.proc.wait()

    def terminate(self, now: float, grace_s: float) -> None:
        """SIGTERM to the group now; `enforce` sends SIGKILL once `grace_s` has passed."""
        if self.kill_at is None:
            kill_group(self.pid, signal.SIGTERM)
            self.signal_job(signal.SIGTERM)
            self.kill_at = now + grace_s

    def enforce(self, now: float) -> None:
        if self.kill_at is not None and now >= self.kill_at:
            kill_group(self.pid, signal.SIGKILL)
            self.signal_job(signal.SIGKILL)
            self.kill_at = float("inf")  # once; what the job forks later is killed when it exits

    def signal_job(self, sig: int) -> None:
        """`sig` to the job's processes outside its group (setsid, double fork), found by their marker."""
        if self.job_name is not None:
            signal_marked(self.job_name, sig)


def kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_any(processes: list[ToolkitProcess], timeout: float, sleep: Callable[[float], None]) -> None:
    """Sleep up to `timeout`, waking as soon as one of `processes` exits (pidfds; plain sleep without)."""
    if any(p.exit_known() for p in processes):
        return  # an exit already read (a fork server reports several on one pipe): no wake-up would come
    fds = [p.pidfd for p in processes if p.pidfd is not None]
    if fds and len(fds) == len(processes):
        select.select(fds, [], [], timeout)
    else:
        sleep(timeout)
