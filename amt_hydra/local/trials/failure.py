"""Why a training job failed, in SageMaker's words: FailureReason from the toolkit's report or the log.

The toolkit writes `output/failure`; with the plain runner its ErrorMessage is empty (amt-semantics §12.3),
so the reason is then the exit status in words plus the end of the log, before the toolkit's own trailer.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

MAX_REASON = 1024
_TOOLKIT_TRAILER = "Reporting training FAILURE"
_EMPTY_MESSAGE = re.compile(r'ErrorMessage\s*""')
_EXIT_CODE = re.compile(r"ExitCode\s+(-?\d+)")


def failure_reason(base: Path, log_path: Path, returncode: int) -> str:
    """FailureReason for a non-zero exit: the toolkit's `output/failure`, or the log tail when that says
    nothing (§12.3: the plain runner leaves ErrorMessage empty). At most 1024 characters."""
    failure = base / "output" / "failure"
    text = failure.read_text(errors="replace").strip() if failure.is_file() else ""
    if text and not _EMPTY_MESSAGE.search(text):
        return ("AlgorithmError: " + text)[:MAX_REASON]
    reported = _EXIT_CODE.search(text)
    head = f"AlgorithmError: {describe_exit(int(reported.group(1)) if reported else returncode)}."
    tail = log_tail(log_path, MAX_REASON - len(head) - 25)
    return f"{head} Last lines of the log:\n{tail}" if tail else head


def log_tail(log_path: Path, budget: int) -> str:
    """The last lines of the log that fit in `budget` characters, without the toolkit's failure trailer."""
    if not log_path.is_file() or budget <= 0:
        return ""
    with open(log_path, "rb") as f:
        f.seek(max(0, log_path.stat().st_size - 64 * 1024))
        text = f.read().decode("utf-8", errors="replace")
    cut = text.rfind(_TOOLKIT_TRAILER)
    if cut >= 0:
        text = text[: text.rfind("\n", 0, cut) + 1]
    lines = [line for line in text.splitlines() if line.strip()]
    out: list[str] = []
    size = 0
    for line in reversed(lines):
        if size + len(line) + 1 > budget:
            break
        out.append(line)
        size += len(line) + 1
    if not out and lines:
        return lines[-1][-budget:]
    return "\n".join(reversed(out))


def describe_exit(code: int) -> str:
    """An exit status in words: a negative one is the signal that killed the process."""
    if code < 0 or code == 137:
        number = -code if code < 0 else 9
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        hint = " (often: out of memory)" if number == 9 else ""
        return f"the training process was killed by {name}{hint}"
    return f"ExitCode {code}"
