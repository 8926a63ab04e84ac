"""Scan a training job's log for metrics the way SageMaker does (amt-semantics §3).

SageMaker reads the container's stdout and stderr through a syslog-style pipeline that shows control
characters as `#` plus three octal digits (a tab becomes `#011`), and the regexes of its built-in
algorithms rely on that spelling. Lines are escaped the same way here before matching, so one metric
regex works on SageMaker and locally.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


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


def first_capture(pattern: re.Pattern[str], line: str) -> str | None:
    """`re.search` and its first capture group; a regex without a group yields nothing, as on SageMaker."""
    match = pattern.search(line) if pattern.groups else None
    return None if match is None else match.group(1)


@dataclass
class MetricScanner:
    """Turns log lines into metric values; the objective's values are the job's intermediate values.

    `objective_values` holds every numeric match of the objective metric in order (step = position + 1);
    `latest` holds the last value and its time for every defined metric (`FinalMetricDataList`).
    """

    definitions: Mapping[str, str]
    objective: str
    objective_values: list[tuple[float, float]] = field(default_factory=list)
    latest: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._patterns = {name: re.compile(regex) for name, regex in self.definitions.items()}

    def scan(self, lines: Iterable[str], now: float) -> list[float]:
        """Record the metrics found in `lines`; return the new objective values, in order."""
        new: list[float] = []
        for raw in lines:
            line = syslog_escape(raw)
            for name, pattern in self._patterns.items():
                value = parse_metric_value(first_capture(pattern, line))
                if value is None:
                    continue
                self.latest[name] = (value, now)
                if name == self.objective:
                    self.objective_values.append((value, now))
                    new.append(value)
        return new

    @property
    def final_objective(self) -> float | None:
        """The last emitted objective value: SageMaker reports the latest, not the best (§3)."""
        return self.objective_values[-1][0] if self.objective_values else None
