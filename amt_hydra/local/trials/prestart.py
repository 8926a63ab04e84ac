"""A fork server started ahead of its engine, so that its ~0.5 s of imports overlap the caller's own start-up
(building and validating the request, packing the source) instead of delaying the first training job.

The local launcher starts one (`Prestarted`) when it knows it will submit. When the tuning job is created,
the engine process is started with the server's two pipes (`pass_fds`) and HANDOFF in its environment naming
them, as systemd's LISTEN_FDS names inherited sockets; this process then closes its ends, and the server is
the engine's: it adopts it (`forkserver.inherited`) when its settings ask for the same server, and otherwise
closes it. A server never handed off (an invalid request, a failed submit) reads EOF once this process has
closed its ends, or exited, and exits. Like the engine process, it runs in a session of its own, out of reach
of the terminal's Ctrl-C, and writes nothing to the terminal: its stderr is /dev/null until an engine adopts
it and points it at its worker.log. It is this process's child until it exits; `Prestarted` reaps finished ones.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Mapping, Sequence

from amt_hydra.local.trials.forkserver import HANDOFF, arguments, close_fds, command, server_env

_SPAWNED: set[int] = set()  # servers started here and not yet reaped


class Prestarted:
    """A fork server started now, for the engine process that the next tuning job creation starts."""

    def __init__(self, python: str, fork_entry_point: bool, preload: Sequence[str], env: Mapping[str, str]) -> None:
        reap()
        request, report = os.pipe(), os.pipe()
        actions = [(os.POSIX_SPAWN_DUP2, request[0], 0), (os.POSIX_SPAWN_DUP2, report[1], 1),
                   (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]  # the adopting engine's log, later
        try:
            self.pid = os.posix_spawnp(python, command(python, fork_entry_point, preload), server_env(env),
                                       file_actions=actions, setsid=True)
        finally:
            close_fds(request[0], report[1])
        _SPAWNED.add(self.pid)
        self.inp, self.out = request[1], report[0]
        self.args = arguments(python, fork_entry_point, preload)
        self._closer = weakref.finalize(self, close_fds, self.inp, self.out)

    def handoff(self) -> tuple[dict[str, str], tuple[int, int]]:
        """The variable to add to the engine process's environment, and the descriptors to pass it."""
        named = {"pid": self.pid, "inp": self.inp, "out": self.out, "args": self.args}
        return {HANDOFF: json.dumps(named)}, (self.inp, self.out)

    def release(self) -> None:
        """Close this process's ends: after the engine process has its copies, or to end an unused server."""
        self._closer()


def reap() -> None:
    """Collect the exit status of servers started here that have exited since (no zombies left behind)."""
    for pid in list(_SPAWNED):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _SPAWNED.discard(pid)

