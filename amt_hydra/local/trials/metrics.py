"""Scan a training job's log for metrics the way SageMaker does (amt-semantics §3), without ever stalling.

SageMaker reads the container's stdout and stderr through a syslog-style pipeline that shows control
characters as `#` plus three octal digits (a tab becomes `#011`), and the regexes of its built-in
algorithms rely on that spelling. Lines are escaped the same way here before matching, so one metric
regex works on SageMaker and locally.

Any regex a request carries must be safe to run in the engine's loop: each evaluation goes through the
`regex` module (Python's syntax) with a timeout, and lines wait in `pending` until the engine gives the
scanner time (`scan(..., deadline)`), so a catastrophic pattern costs a bounded slice of a tick. A regex
that times out skips that line for that metric and is reported on the training job (`warnings`); after
`MAX_TIMEOUTS` timeouts in one job the metric is given up for the rest of that job, so a job that keeps
printing such lines costs at most `MAX_TIMEOUTS * REGEX_TIMEOUT_S` per metric, not a backlog.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import regex

from amt_hydra.local.trials.logtail import LINE_CAP_BYTES

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
REGEX_TIMEOUT_S = 0.1  # one regex on one (capped) line; SageMaker's own regexes take microseconds
MAX_TIMEOUTS = 3  # timeouts of one metric's regex in one job before it is given up for that job


def syslog_escape(line: str) -> str:
    """Spell control characters as SageMaker's log pipeline does: tab -> `#011`, CR -> `#015`."""
    return _CONTROL.sub(lambda m: f"#{ord(m.group()):03o}", line)


def parse_metric_value(text: str | None) -> float | None:
    """A finite float, or None: non-numeric captures and NaN/inf are not recorded (CloudWatch has no NaN)."""
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def first_capture(pattern: Any, line: str, timeout: float | None = None) -> str | None:
    """Search and its first capture group; a regex without a group yields nothing, as on SageMaker.

    With a `regex` pattern and `timeout`, a search running longer raises TimeoutError.
    """
    if not pattern.groups:
        return None
    match = pattern.search(line) if timeout is None else pattern.search(line, timeout=timeout)
    return None if match is None else match.group(1)


@dataclass
class MetricScanner:
    """Turns log lines into metric values; the objective's values are the job's intermediate values.

    `objective_values` holds every numeric match of the objective metric in order (step = position + 1);
    `latest` holds the last value and its time for every defined metric (`FinalMetricDataList`);
    `timeouts` counts, per metric, the lines its regex gave up on.
    """

    definitions: Mapping[str, str]
    objective: str
    objective_values: list[tuple[float, float]] = field(default_factory=list)
    latest: dict[str, tuple[float, float]] = field(default_factory=dict)
    timeouts: dict[str, int] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)
    pending: deque[str] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self._patterns: dict[str, Any] = {}
        for name, pattern in self.definitions.items():
            try:
                self._patterns[name] = regex.compile(pattern)
            except (regex.error, ValueError) as e:  # valid for `re`, not for `regex`: reported, never fatal
                self.invalid[name] = str(e)

    def feed(self, lines: Iterable[str]) -> None:
        self.pending.extend(lines)

    def scan(self, lines: Iterable[str], now: float, deadline: float | None = None) -> list[float]:
        """Record the metrics of pending lines, then `lines`, until `deadline` (a `time.monotonic()`; None:
        all); return the new objective values, in order. Lines not reached stay pending."""
        self.feed(lines)
        new: list[float] = []
        while self.pending and (deadline is None or time.monotonic() < deadline):
            line = syslog_escape(self.pending.popleft())
            for name, pattern in self._patterns.items():
                if self.timeouts.get(name, 0) >= MAX_TIMEOUTS:
                    continue
                value = parse_metric_value(self._capture(name, pattern, line))
                if value is None:
                    continue
                self.latest[name] = (value, now)
                if name == self.objective:
                    self.objective_values.append((value, now))
                    new.append(value)
        return new

    def _capture(self, name: str, pattern: Any, line: str) -> str | None:
        try:
            return first_capture(pattern, line, REGEX_TIMEOUT_S)
        except TimeoutError:
            self.timeouts[name] = self.timeouts.get(name, 0) + 1
            return None

    def warnings(self, capped_lines: int = 0) -> list[str]:
        """What the scan could not do, in one line each (kept on the training job's record)."""
        out = [f"metric {n!r}: the regex is not supported by the `regex` module ({e}); it records nothing"
               for n, e in self.invalid.items()]
        for name, count in self.timeouts.items():
            rest = "; the metric was given up for the rest of the job" if count >= MAX_TIMEOUTS else ""
            out.append(f"metric {name!r}: the regex took longer than {REGEX_TIMEOUT_S} s on {count} line(s), "
                       f"skipped for this metric{rest}")
        if capped_lines:
            out.append(f"{capped_lines} log line(s) longer than {LINE_CAP_BYTES // 1024} KiB: only their first "
                       f"{LINE_CAP_BYTES // 1024} KiB were scanned for metrics")
        return out

    @property
    def final_objective(self) -> float | None:
        """The last emitted objective value: SageMaker reports the latest, not the best (§3)."""
        return self.objective_values[-1][0] if self.objective_values else None
