"""One training job's toolkit process: start it, tail its log, stop it, wait for it.

The process writes stdout and stderr straight into the job's log file (so the log is complete even if
the engine dies), and the engine tails that file. It runs in its own session: stopping it sends
SIGTERM to the whole process group (toolkit and script), then SIGKILL after the grace period, as
`docker stop` does on SageMaker. It starts without a shell; argv and environment pass literally.
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

TOOLKIT = ("-m", "sagemaker_training.cli.train")


class ToolkitProcess:
    """A running `python -m sagemaker_training.cli.train` for one job directory."""

    def __init__(self, log_path: Path, python: str | None = None) -> None:
        self.log_path = log_path
        self.python = python or sys.executable
        self.proc: subprocess.Popen[bytes] | None = None
        self._offset = 0
        self._partial = b""
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

    def new_lines(self, final: bool = False) -> list[str]:
        """Complete lines appended to the log since the last call (and the unterminated rest if final)."""
        with open(self.log_path, "rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        self._offset += len(chunk)
        data = self._partial + chunk
        *lines, self._partial = data.split(b"\n")
        if final and self._partial:
            lines.append(self._partial)
            self._partial = b""
        return [line.decode("utf-8", errors="replace").rstrip("\r") for line in lines]

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
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        return self.proc.wait()

    def terminate(self, now: float, grace_s: float) -> None:
        """SIGTERM to the group now; `enforce` sends SIGKILL once `grace_s` has passed."""
        if self.kill_at is None:
            kill_group(self.pid, signal.SIGTERM)
            self.kill_at = now + grace_s

    def enforce(self, now: float) -> None:
        if self.kill_at is not None and now >= self.kill_at:
            kill_group(self.pid, signal.SIGKILL)


def kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_any(processes: list[ToolkitProcess], timeout: float, sleep: Callable[[float], None]) -> None:
    """Sleep up to `timeout`, waking as soon as one of `processes` exits (pidfds; plain sleep without)."""
    fds = [p.pidfd for p in processes if p.pidfd is not None]
    if fds and len(fds) == len(processes):
        select.select(fds, [], [], timeout)
    else:
        sleep(timeout)
