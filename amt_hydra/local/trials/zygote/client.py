"""The "python" a job's toolkit runs: hands its command to the job's zygote, or execs the real interpreter.

The fork server copies this file (standard library only) behind a `#!<real python> -IS` line and points the
toolkit's `sys.executable` at the copy, so the toolkit builds and runs its usual command
(`python -- train.py --lr 0.1 ...`, `python -m pkg.train ...`) unchanged. This client starts in ~10 ms, connects
to the zygote of the toolkit process that started it (its parent; an abstract Unix socket checked to be this
user's), sends argv, environment and working directory with its stdin/stdout/stderr (SCM_RIGHTS), and waits:
it forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1/2 to the forked entry point (by pidfd) and exits with
its status, or dies by the same signal. Whenever the zygote cannot serve (none, gone, refused the command),
it execs the real interpreter (`sys.executable` here: the shebang's) with the same arguments.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys

FORWARD = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
HEADER = struct.Struct("!I")  # the request's length, then the request as JSON
CREDENTIALS = struct.Struct("3i")  # SO_PEERCRED: pid, uid, gid


def address(toolkit_pid: int) -> bytes:
    """The abstract socket name of the zygote serving the toolkit process `toolkit_pid`."""
    return b"\0amt-hydra-zygote-%d" % toolkit_pid


def peer_uid(conn: socket.socket) -> int:
    return CREDENTIALS.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, CREDENTIALS.size))[1]


def ignored() -> list[int]:
    """The signals this process was started with ignored: an interpreter exec'd here would keep them ignored.
    (SIGPIPE and SIGXFSZ show as ignored anyway: Python ignores them at start-up, and so does the child.)"""
    return [int(s) for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)
            and signal.getsignal(s) == signal.SIG_IGN]


def ask(argv: list[str]):
    """Send the command; the zygote's reply stream and its first line (`pid N` or `fallback`)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(address(os.getppid()))
    if peer_uid(conn) != os.getuid():
        raise OSError("the zygote socket belongs to another user")
    body = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd(), "ignored": ignored()}).encode()
    data = HEADER.pack(len(body)) + body
    sent = socket.send_fds(conn, [data], [0, 1, 2])
    conn.sendall(data[sent:])
    replies = conn.makefile("rb")
    conn.close()  # the stream keeps the socket open
    return replies, replies.readline().strip()


def real(argv: list[str]) -> None:
    """Become the real interpreter with the same arguments (signals as they were)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARD)
    os.execv(sys.executable, [sys.executable, *argv])


def forward(pid: int) -> None:
    """From now on, the signals this process gets go to the entry point."""
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:  # already gone: its exit status is on its way
        return

    def send(sig: int, _frame: object) -> None:
        try:
            signal.pidfd_send_signal(pidfd, sig)
        except OSError:
            pass

    for sig in FORWARD:
        signal.signal(sig, send)


def exit_like(code: int) -> None:
    """Exit with the entry point's status: its exit code, or death by its signal (without a core dump)."""
    if code >= 0:
        os._exit(code)
    sig = -code
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)


def main() -> None:
    argv = sys.argv[1:]
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARD)  # held until they can be forwarded (or exec'd with)
    try:
        replies, first = ask(argv)
    except (OSError, ValueError):
        real(argv)
    if not first.startswith(b"pid "):
        real(argv)
    forward(int(first[4:]))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARD)
    line = replies.readline()
    exit_like(int(line[5:]) if line.startswith(b"exit ") else -signal.SIGKILL)  # no status: the zygote died


if __name__ == "__main__":
    main()
