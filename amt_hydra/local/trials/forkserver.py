"""How a job's toolkit process is started: forked by a fork server that has the toolkit's dependencies
imported (one per engine), else as a plain `python -m sagemaker_training.cli.train` subprocess.

A forked job is the same toolkit code with the same contract as a plain one (own session, environment,
cwd, cores, log; SIGTERM/SIGKILL to its group; Popen-style exit status), but it skips an interpreter
start-up and the toolkit's imports. The server (`forkserver_main.py`) reports each job's pid and exit
status over a pipe; the engine waits on that pipe. Plain subprocesses are used when `fork_server` is off,
off Linux, when the server cannot start (e.g. the toolkit is not importable), or once it has died.
With `fork_entry_point`, the job's Python entry point is forked too, from a zygote with `preload` imported
(trials/zygote/).
"""

from __future__ import annotations

import itertools
import json
import os
import select
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from amt_hydra.local.settings import PRELOAD
from amt_hydra.local.trials.process import ToolkitProcess

MAIN = Path(__file__).with_name("forkserver_main.py")
PAD = "AMT_HYDRA_FORK_SERVER_ENV_ROOM"  # room in the server's environment block for each job's variables
READY_S = 60.0  # the server imports the toolkit (~0.4 s, more under load) before its first job
KILLED = -signal.SIGKILL  # status of a job whose server died before reporting it
HANDOFF = "AMT_HYDRA_FORK_SERVER"  # names a server started ahead for the engine process (see `Prestarted`)
CLOSE_S = 5.0  # how long a closed server may take to exit before it is killed


class ForkServerError(OSError):
    """The fork server is gone or refused a job."""


class ForkServer:
    """The engine's end of one fork server process: started here, or `adopt`ed (started ahead, `Prestarted`)."""

    def __init__(self, python: str, fork_entry_point: bool = False, preload: Sequence[str] = ()) -> None:
        """`fork_entry_point`: jobs' Python entry points are forked from a zygote with `preload` imported."""
        inp, out = os.pipe(), os.pipe()
        try:
            self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                command(python, fork_entry_point, preload), stdin=inp[0], stdout=out[1], env=server_env(os.environ))
        except OSError:
            close_fds(*inp, *out)
            raise
        close_fds(inp[0], out[1])
        self._attach(self.proc.pid, inp[1], out[0], arguments(python, fork_entry_point, preload))

    @classmethod
    def adopt(cls, pid: int, inp: int, out: int, args: dict[str, Any]) -> ForkServer:
        """The end of a server this process inherited (`inp`/`out`: its request and report pipes); it is
        not this process's child, so closing it waits on a pidfd, not on waitpid."""
        server = cls.__new__(cls)
        server.proc = None
        server._attach(pid, inp, out, args)
        return server

    def _attach(self, pid: int, inp: int, out: int, args: dict[str, Any]) -> None:
        self.pid, self.inp, self.out, self.args = pid, inp, out, args
        os.set_blocking(self.out, False)
        self.exits: dict[int, int] = {}
        self.replies: dict[int, str] = {}
        self.dead = False
        self._buffer = b""
        self._ids = itertools.count()

    def fileno(self) -> int:
        """Readable when the server has something to report (a job ended), or died."""
        return self.out

    def spawn(self, env: Mapping[str, str], cwd: Path, cpus: tuple[int, ...], log: Path) -> int:
        """Fork one job; its pid once it runs."""
        rid = next(self._ids)
        try:
            self.send({"id": rid, "env": dict(env), "cwd": str(cwd), "cpus": list(cpus), "log": str(log)})
        except OSError as e:
            self.dead = True
            raise ForkServerError(f"fork server is gone: {e}") from e
        while rid not in self.replies:
            if self.dead or not select.select([self.out], [], [], READY_S)[0]:
                self.dead = True
                raise ForkServerError("fork server did not answer")
            self.drain()
        kind, value = self.replies.pop(rid)
        if kind != "pid":
            raise ForkServerError(value)
        return int(value)

    def send(self, request: dict[str, Any]) -> None:
        """One request line (forkserver_main's protocol)."""
        data = json.dumps(request).encode() + b"\n"
        while data:
            data = data[os.write(self.inp, data):]

    def drain(self) -> None:
        """Read what the server has reported so far, without blocking."""
        try:
            chunk = os.read(self.out, 65536)
        except BlockingIOError:
            return
        if not chunk:
            self.dead = True
            return
        *lines, self._buffer = (self._buffer + chunk).split(b"\n")
        for line in lines:
            kind, key, value = line.decode().split(" ", 2)
            if kind == "exit":
                self.exits[int(key)] = int(value)
            else:
                self.replies[int(key)] = (kind, value)  # type: ignore[assignment]

    def exit_code(self, pid: int) -> int | None:
        self.drain()
        if pid in self.exits:
            return self.exits.pop(pid)
        if self.dead and not _alive(pid):
            return KILLED
        return None

    def close(self) -> None:
        """EOF ends the server; jobs still running keep running (as plain ones outlive a dead engine)."""
        close_fds(self.inp)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=CLOSE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        elif not _exits_within(self.pid, CLOSE_S):
            _kill(self.pid)
        close_fds(self.out)


class ForkedToolkitProcess(ToolkitProcess):
    """A job forked by the fork server; waits, stops and reads its status like a plain ToolkitProcess."""

    def __init__(self, log_path: Path, server: ForkServer, pid: int, job_name: str | None = None) -> None:
        super().__init__(log_path, job_name=job_name)
        self.server, self._pid = server, pid
        self.returncode: int | None = None
        self.pidfd = server.fileno()  # what `wait_any` selects on: the server reports the exit there

    @property
    def pid(self) -> int:
        return self._pid

    def exit_known(self) -> bool:
        """The server reports every exit on one pipe: reading one job's may have read this one's too."""
        return self.returncode is not None or self._pid in self.server.exits

    def poll(self) -> int | None:
        """The exit status the server reported (it killed what was left in the job's group before reaping);
        the job's processes outside its group are found by their marker, as for a plain process."""
        if self.returncode is None:
            self.returncode = self.server.exit_code(self._pid)
            if self.returncode is not None:
                self.signal_job(signal.SIGKILL)
        return self.returncode


class ToolkitStarter:
    """Starts each job's toolkit process for one engine (and owns its fork server)."""

    def __init__(self, python: str | None, fork_server: bool = True, fork_entry_point: bool = True,
                 preload: Sequence[str] = PRELOAD) -> None:
        self.python = python or sys.executable
        self.server: ForkServer | None = None
        handed = inherited()  # a server the launcher started ahead for this engine, if any
        wanted = arguments(self.python, fork_entry_point, preload)
        if handed is not None and (handed.dead or not (fork_server and available()) or handed.args != wanted):
            handed.close()  # gone, or not what this engine's settings ask for (a resumed job keeps its stored ones)
            handed = None
        if fork_server and available():
            try:
                self.server = handed or ForkServer(self.python, fork_entry_point, preload)
            except OSError as e:
                print(f"fork server not started ({e}); jobs start as plain subprocesses", file=sys.stderr)
            else:
                weakref.finalize(self, self.server.close)

    def start(self, log: Path, env: Mapping[str, str], cwd: Path, cpus: tuple[int, ...] = (),
              job_name: str | None = None) -> ToolkitProcess:
        """`job_name`: the marker in the job's environment by which its escaped processes are found."""
        if self.server is not None and not self.server.dead:
            try:
                pid = self.server.spawn(env, cwd, cpus, log)
                return ForkedToolkitProcess(log, self.server, pid, job_name)
            except ForkServerError as e:
                print(f"fork server unusable ({e}); jobs start as plain subprocesses", file=sys.stderr)
        proc = ToolkitProcess(log, self.python, job_name)
        proc.start(env, cwd=cwd, cpus=cpus)
        return proc


def available() -> bool:
    return sys.platform == "linux" and hasattr(os, "waitid")


def command(python: str, fork_entry_point: bool, preload: Sequence[str]) -> list[str]:
    args = ["--preload", ",".join(preload), "--fork-entry-point"] if fork_entry_point else []
    return [python, "-u", str(MAIN), *args]


def arguments(python: str, fork_entry_point: bool, preload: Sequence[str]) -> dict[str, Any]:
    """What a server was started with; an engine adopts a handed-off server only if its settings ask the same."""
    return {"python": python, "fork_entry_point": fork_entry_point, "preload": list(preload)}


def inherited() -> ForkServer | None:
    """The server named by HANDOFF in this process's environment (taken out of it: once, and never in a job's
    environment), or None."""
    text = os.environ.pop(HANDOFF, None)
    if not text:
        return None
    try:
        handed = json.loads(text)
        server = ForkServer.adopt(int(handed["pid"]), int(handed["inp"]), int(handed["out"]), handed["args"])
    except (ValueError, KeyError, TypeError, OSError) as e:
        print(f"ignored {HANDOFF}={text!r} ({e})", file=sys.stderr)
        return None
    log = _stderr_path()
    if log is not None:  # it was started with no stderr: its messages go to this engine's log, as its own would
        try:
            server.send({"stderr": log})
        except OSError:
            server.dead = True
    return server


def _stderr_path() -> str | None:
    """The file this process's stderr writes to (the engine's worker.log), if it is one."""
    try:
        path = os.readlink("/proc/self/fd/2")
    except OSError:
        return None
    return path if path.startswith("/") and os.path.isfile(path) else None


def server_env(env: Mapping[str, str]) -> dict[str, str]:
    """A server's environment: `env`, and room in its environment block for each job's variables (PAD)."""
    return {**env, PAD: "." * 16384}


def close_fds(*fds: int) -> None:
    """Close each descriptor; one already closed is no error."""
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _exits_within(pid: int, timeout: float) -> bool:
    """Whether the process `pid` (not a child of this one) is gone within `timeout` seconds."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    except OSError:  # no pidfd (an old kernel): poll
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        return not _alive(pid)
    try:
        return bool(select.select([pidfd], [], [], timeout)[0])
    finally:
        os.close(pidfd)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
