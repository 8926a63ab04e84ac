"""A pseudo-terminal that collects what is written to it, and the local engine's fixtures (real jobs)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import termios
import threading

from tests.local.conftest import client_factory, copies, data_dir, source_dir  # noqa: F401 - fixtures

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class PtyCapture:
    """A terminal of `rows` x `cols`; a thread drains it so a writer never blocks on a full buffer."""

    def __init__(self, rows: int = 40, cols: int = 160) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self._chunks: list[bytes] = []
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: every slave descriptor is closed
                return
            if not data:
                return
            self._chunks.append(data)

    def close_slave(self) -> None:
        if self.slave >= 0:
            os.close(self.slave)
            self.slave = -1

    def raw(self) -> str:
        """Everything written, once the writers are done (escape codes included, \\r\\n as the tty sends it)."""
        self.close_slave()
        self._thread.join(10)
        os.close(self.master)
        return b"".join(self._chunks).decode("utf-8", errors="replace")


def plain(raw: str) -> str:
    """The text of the frames, without cursor movements, colours or carriage returns."""
    return ANSI.sub("", raw).replace("\r", "")
