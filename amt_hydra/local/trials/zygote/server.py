"""The zygote: forked from a job's toolkit process before the toolkit runs, it forks the job's Python entry point.

One per toolkit process (each host of each job), so the entry point lives where a fresh `python` would: in the
job's session, with the job's marker, cores and identity. It listens on an abstract Unix socket named after its
parent (`client.address`), bound before the fork so the client never races it; it accepts only this user.
Per request it either answers `fallback` (the client then execs the real interpreter) or forks the entry point
(zygote/child.py), answers `pid N`, and later `exit CODE` (Popen's returncode). It dies with its toolkit process
(PR_SET_PDEATHSIG; SIGKILL to the job's group reaches it too) and ignores SIGTERM/SIGINT/SIGHUP, which the
client forwards to the entry point. A client that vanishes (SIGKILL) takes its entry point with it.

After a command it does not serve (`python -m pip install ...` for requirements.txt) it serves no more: what
was installed may differ from what it has imported.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading

from .child import become
from .client import HEADER, address, peer_uid

PR_SET_PDEATHSIG = 1
KEEP = ("PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")  # the child applies these itself
REQUEST_TIMEOUT_S = 10.0
NOT_SERVED = ("pip",)  # modules that change what is installed


def startup_env(env: dict[str, str]) -> dict[str, str]:
    """The variables an interpreter reads once at start-up (beyond those the child applies)."""
    return {k: v for k, v in env.items() if (k.startswith("PYTHON") and k not in KEEP)
            or k in ("LANG", "LC_ALL", "LC_CTYPE", "HOME")}


class Template:
    """What the fork server's interpreter was started with, captured before any job: its start-up variables,
    and the `sys.path` this interpreter has without PYTHONPATH (asked of a fresh one, once; None if that fails)."""

    def __init__(self) -> None:
        self.env = startup_env(dict(os.environ))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        try:
            out = subprocess.run([sys.executable, "-c", "import json, sys; print(json.dumps(sys.path))"], env=env,
                                 stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=True).stdout
            path = json.loads(out)
        except (OSError, ValueError, subprocess.SubprocessError):
            path = None
        self.base_path = path[1:] if path and path[0] == "" else path  # `-c`'s own entry


def single_threaded() -> bool:
    """No thread but this one, Python's or native: a fork copies only the calling thread (with whatever locks
    the others held)."""
    return threading.active_count() == 1 and len(os.listdir("/proc/self/task")) == 1


def parse(argv: list[str]) -> tuple[str, str, list[str]] | None:
    """`(kind, target, args)` for the two commands served, `[--] script args` and `-m module args`."""
    if len(argv) >= 2 and argv[0] in ("--", "-m"):
        return ("module" if argv[0] == "-m" else "script"), argv[1], argv[2:]
    if argv and not argv[0].startswith("-"):
        return "script", argv[0], argv[1:]
    return None


def start(template: Template, client_file: str) -> int | None:
    """Fork this toolkit process's zygote (its pid, for the toolkit to reap); the toolkit's "python" is now
    the client."""
    parent = os.getpid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(address(parent))
        listener.listen(16)
        pid = os.fork()
    except OSError as e:
        listener.close()
        print(f"zygote not started ({e}): the entry point starts as a fresh interpreter", file=sys.stderr)
        return None
    if pid == 0:
        try:
            Zygote(template, listener, parent).serve()
        finally:
            os._exit(0)
    listener.close()
    sys.executable = client_file
    return pid


class Zygote:
    def __init__(self, template: Template, listener: socket.socket, parent: int) -> None:
        self.template, self.listener = template, listener
        self.children: dict[int, socket.socket] = {}  # entry point pid -> its client's connection
        self.orphans: set[int] = set()  # entry points whose client is gone (killed, not yet reaped)
        self.retired = False
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(0)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.wake_w = wake_w

    def serve(self) -> None:
        while True:
            watched = [c for pid, c in self.children.items() if pid not in self.orphans]
            ready, _, _ = select.select([self.listener, self.wake_r, *watched], [], [])
            if self.wake_r in ready:
                os.read(self.wake_r, 4096)
                self.reap()
            for pid, conn in list(self.children.items()):
                if conn in ready and pid not in self.orphans:
                    self.client_gone(pid, conn)
            if self.listener in ready:
                self.accept()

    def client_gone(self, pid: int, conn: socket.socket) -> None:
        """The client sends nothing after its request: readable means it is gone; so goes its entry point."""
        try:
            if conn.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK):
                return
        except BlockingIOError:
            return
        except OSError:
            pass
        os.kill(pid, signal.SIGKILL)  # unreaped: the pid cannot have been reused
        self.orphans.add(pid)

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            self.orphans.discard(pid)
            if conn is not None:
                try:
                    conn.sendall(b"exit %d\n" % os.waitstatus_to_exitcode(status))
                except OSError:
                    pass
                conn.close()

    def accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        fds: list[int] = []
        try:
            if peer_uid(conn) != os.getuid():
                raise OSError("another user")
            conn.settimeout(REQUEST_TIMEOUT_S)
            request, fds = receive(conn)
            conn.settimeout(None)
            self.answer(conn, request, fds)
        except (OSError, ValueError):
            conn.close()
        finally:
            for fd in fds:
                os.close(fd)

    def answer(self, conn: socket.socket, request: dict, fds: list[int]) -> None:
        command = parse(request["argv"])
        if command is None or (command[0] == "module" and command[1].split(".")[0] in NOT_SERVED):
            self.retired = True
        if self.retired or command is None or len(fds) != 3 or not self.servable(request, command):
            conn.sendall(b"fallback\n")
            conn.close()
            return
        pid = os.fork()
        if pid == 0:
            become(request, command, fds, self.template.base_path, self.close_all)  # never returns
        conn.sendall(b"pid %d\n" % pid)
        self.children[pid] = conn

    def servable(self, request: dict, command: tuple[str, str, list[str]]) -> bool:
        """Only from a single-threaded process, for an interpreter started as this one was, and for a script
        that exists (else the real interpreter gives its own error)."""
        kind, target, _ = command
        if self.template.base_path is None or startup_env(request["env"]) != self.template.env:
            return False
        if not single_threaded():
            return False
        return kind == "module" or os.path.isfile(os.path.join(request["cwd"], target))

    def close_all(self) -> None:
        """In the forked child: drop the zygote's sockets and pipe (the child keeps only its stdio)."""
        signal.set_wakeup_fd(-1)
        for conn in [self.listener, *self.children.values()]:
            conn.close()
        os.close(self.wake_r)
        os.close(self.wake_w)


def receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """One request: its JSON and the three descriptors that came with its first bytes."""
    data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    while len(data) < HEADER.size or len(data) < HEADER.size + HEADER.unpack_from(data)[0]:
        chunk = conn.recv(1 << 20)
        if not chunk:
            for fd in fds:
                os.close(fd)
            raise ValueError("truncated request")
        data += chunk
    return json.loads(data[HEADER.size:]), list(fds)
