"""A forked process's `/proc/PID/environ`, rewritten to name its job (standard library only: the fork server
and the zygote load it without amt_hydra).

A forked process keeps its parent's initial environment block, which is what /proc/PID/environ, `ps e` and the
engine's marker scan (trials/descendants.py) read; assigning os.environ does not change it. The engine starts
the fork server with a padding variable, so the block has room for a job's variables, the marker first.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping

MARK = "TRAINING_JOB_NAME"


def show_environ(env: Mapping[str, str], mark: str | None = None) -> None:
    """Write `env` over this process's initial environment block, `MARK=mark` (default: env's) first; what
    does not fit is cut at a variable's end. Raises OSError/ValueError/IndexError without /proc."""
    with open("/proc/self/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    start, end = int(fields[47]), int(fields[48])  # env_start, env_end: stat fields 50 and 51 (3 is [0])
    items = [(k, v) for k, v in env.items() if k != MARK]
    marker = mark if mark is not None else env.get(MARK)
    if marker is not None:
        items.insert(0, (MARK, marker))
    block = b"".join(f"{k}={v}".encode(errors="surrogateescape") + b"\0" for k, v in items)
    size = end - start
    if len(block) > size:
        block = block[: block.rfind(b"\0", 0, size) + 1]
    ctypes.memmove(start, block.ljust(size, b"\0"), size)
