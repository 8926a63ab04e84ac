"""Reading a training job's log in bounded pieces, so the engine's memory never follows what a job prints.

The job writes its log file directly; the engine reads at most `CHUNK_BYTES` per call and keeps at most
`LINE_CAP_BYTES` of one line. That cap is CloudWatch Logs' event size limit (256 KB), through which
SageMaker's metric regexes see a job's output: a longer line is scanned on its first 256 KiB and the rest,
up to the next newline, is skipped (it stays in the log file untouched). Lines are decoded as UTF-8 with
replacement characters, so a cut inside a character is harmless.
"""

from __future__ import annotations

from pathlib import Path

LINE_CAP_BYTES = 256 * 1024
CHUNK_BYTES = 1024 * 1024


class LogTail:
    """Complete lines appended to one log file since the last read, capped, one chunk at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = b""
        self.skipping = False  # inside a line past the cap: drop bytes up to the next newline
        self.capped_lines = 0

    def read(self, final: bool = False) -> list[str] | None:
        """Lines from the next chunk of the file; None when nothing new was there (the log is read to its end).

        With `final` (the job has exited), the unterminated rest of the file is the last line.
        """
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read(CHUNK_BYTES)
        except FileNotFoundError:
            chunk = b""
        if not chunk:
            if final and self.partial:
                line, self.partial = self.partial, b""
                return [_decode(line)]
            return None
        self.offset += len(chunk)
        return [_decode(line) for line in self._split(chunk)]

    def _split(self, chunk: bytes) -> list[bytes]:
        *complete, rest = chunk.split(b"\n")
        lines = []
        for piece in complete:
            if not self.skipping:
                line = self.partial + piece
                self.capped_lines += len(line) > LINE_CAP_BYTES
                lines.append(line[:LINE_CAP_BYTES])
            self.partial, self.skipping = b"", False
        if not self.skipping:
            self.partial += rest
            if len(self.partial) >= LINE_CAP_BYTES:  # emit the capped line now, skip the rest of it
                lines.append(self.partial[:LINE_CAP_BYTES])
                self.partial, self.skipping = b"", True
                self.capped_lines += 1
        return lines


def _decode(line: bytes) -> str:
    return line.decode("utf-8", errors="replace").rstrip("\r")
