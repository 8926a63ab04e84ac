"""`sample_log=PATH`: try the metric definitions on a log file before anything is submitted.

The log is read and matched exactly as the local engine reads a training job's output (its own code in
`amt_hydra.local.trials.metrics`): lines as SageMaker shows them (a tab is `#011`), the first capture group, non-numeric
and non-finite captures dropped, the objective takes the last value. For each metric it prints the lines matched,
the values captured and the usual traps; it fails (exit 2) when the objective would get no value at all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from amt_hydra.errors import ConfigError
from amt_hydra.local.trials.metrics import MetricScanner, first_capture, parse_metric_value, syslog_escape

SHOW_LINES = 3
LINE_CHARS = 160
_UNESCAPED_BRACKET = re.compile(r"(?<!\\)([\[\]])")


@dataclass
class MetricMatches:
    """What one metric definition finds in the log."""

    name: str
    regex: str
    matched: list[tuple[int, str]] = field(default_factory=list)  # (line number, line as SageMaker shows it)
    captures: list[str | None] = field(default_factory=list)  # the first group of each matched line
    values: list[float] = field(default_factory=list)  # what SageMaker records, in order
    hints: list[str] = field(default_factory=list)


def read_log(path: Path) -> list[str]:
    """The log's lines exactly as the local engine reads a job's output (trials.logtail: bounded chunks, lines
    past SageMaker's event size capped, UTF-8, a trailing \\r dropped)."""
    from amt_hydra.local.trials.logtail import LogTail

    tail, lines = LogTail(path), []
    while (chunk := tail.read(final=True)) is not None:
        lines.extend(chunk)
    return lines


def scan(name: str, regex: str, escaped: list[str]) -> MetricMatches:
    """Apply one definition to every line, with the engine's own capture and parsing functions."""
    result = MetricMatches(name, regex)
    pattern = re.compile(regex)
    for number, line in enumerate(escaped, start=1):
        match = pattern.search(line)
        if match is None:
            continue
        capture = first_capture(pattern, line)
        result.matched.append((number, line))
        result.captures.append(capture)
        value = parse_metric_value(capture)
        if value is not None:
            result.values.append(value)
    result.hints = traps(result, pattern, escaped)
    return result


def _matching(regex: str, lines: list[str], flags: int = 0) -> int:
    try:
        pattern = re.compile(regex, flags)
    except re.error:
        return 0
    return sum(1 for line in lines if first_capture(pattern, line))


def traps(result: MetricMatches, pattern: re.Pattern[str], escaped: list[str]) -> list[str]:
    """The usual reasons a definition records nothing (or less than expected), each with its fix."""
    hints: list[str] = []
    if pattern.groups == 0:
        hints.append("no capture group: SageMaker records nothing; put the number in ( ), e.g. ([0-9.eE+-]+)")
    elif pattern.groups > 1:
        hints.append(f"{pattern.groups} capture groups: only the first is used; make the others (?:...)")
    empty = sum(1 for c in result.captures if c is not None and not c.strip())
    if empty:
        hints.append(f"{_lines(empty)} matched but captured an empty string (a lazy group such as (.*?) or (\\S*?) "
                     "matches nothing); capture the number itself, e.g. ([0-9.eE+-]+)")
    words = [c for c in result.captures if c and c.strip() and parse_metric_value(c) is None]
    bad = [c for c in words if _is_float(c)]
    text = [c for c in words if not _is_float(c)]
    if text:
        hints.append(f"{len(text)} captures are not numbers (e.g. {text[0]!r}): dropped, as SageMaker does")
    if bad:
        hints.append(f"{len(bad)} captures are NaN or infinite (e.g. {bad[0]!r}): dropped, as SageMaker does")
    if not result.matched:
        hints += _no_match_hints(result.regex, escaped)
    return hints


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _lines(count: int) -> str:
    return f"{count} line" + ("" if count == 1 else "s")


def _no_match_hints(regex: str, escaped: list[str]) -> list[str]:
    hints: list[str] = []
    fixed = regex
    if "\\t" in regex or "\t" in regex:
        fixed = fixed.replace("\\t", "#011").replace("\t", "#011")
        hints.append("SageMaker's log shows a tab as #011, so \\t never matches: write #011 "
                     f"(with it, {_lines(_matching(fixed, escaped))} would match)")
    elif "\\s" in regex and any("#011" in line for line in escaped):
        hints.append("the log has tabs, which SageMaker shows as #011, so \\s does not match them: write #011")
    if _UNESCAPED_BRACKET.search(regex) and any("[" in line or "]" in line for line in escaped):
        count = _matching(_UNESCAPED_BRACKET.sub(r"\\\1", regex), escaped)
        hints.append("[ and ] open a character class: a literal bracket of the log (XGBoost's [3]) is \\[ \\]"
                     + (f" (escaped, {_lines(count)} would match)" if count else ""))
        if fixed != regex:
            fixed = _UNESCAPED_BRACKET.sub(r"\\\1", fixed)
            both = _matching(fixed, escaped)
            hints += [f"with #011 and escaped brackets, {_lines(both)} would match"] if both else []
    if _matching(regex, escaped, re.IGNORECASE):
        hints.append("it matches only when case is ignored: the regex is case-sensitive")
    return hints


def _show(result: MetricMatches, is_objective: bool, out: TextIO) -> None:
    role = " (objective)" if is_objective else ""
    values = ", ".join(f"{v:.6g}" for v in result.values[:5])
    if len(result.values) > 8:
        values += ", ..., " + ", ".join(f"{v:.6g}" for v in result.values[-3:])
    elif len(result.values) > 5:
        values += ", " + ", ".join(f"{v:.6g}" for v in result.values[5:])
    print(f"{result.name}{role}: {_lines(len(result.matched))} matched, {len(result.values)} values"
          + (f": {values}" if values else ""), file=out)
    print(f"  regex: {result.regex}", file=out)
    for number, line in result.matched[:SHOW_LINES]:
        print(f"  line {number}: {line[:LINE_CHARS]}", file=out)
    if len(result.matched) > SHOW_LINES:
        print(f"  ... {len(result.matched) - SHOW_LINES} more matched lines", file=out)
    for hint in result.hints:
        print(f"  trap: {hint}", file=out)


def _definitions(metric: Mapping[str, Any]) -> dict[str, str]:
    definitions = {str(d["name"]): str(d["regex"]) for d in metric.get("definitions") or []}
    if not definitions:
        raise ConfigError("metric.definitions", "is empty: there is no regex to try on sample_log (a built-in "
                          "algorithm's own definitions are not known here)")
    for i, (name, regex) in enumerate(definitions.items()):
        try:
            re.compile(regex)
        except re.error as exc:
            raise ConfigError(f"metric.definitions[{i}].regex", f"regex {regex!r} does not compile: {exc}") from None
        if not name:
            raise ConfigError(f"metric.definitions[{i}].name", "is empty")
    return definitions


def check_sample_log(path: Path, metric: Mapping[str, Any], out: TextIO) -> float:
    """Print what every definition finds in `path`; return the objective's value, or raise ConfigError."""
    path = path.expanduser()
    if not path.is_file():
        raise ConfigError("sample_log", f"{path} is not a file")
    definitions = _definitions(metric)
    objective = str(metric["name"])
    escaped = [syslog_escape(line) for line in read_log(path)]
    print(f"sample_log: {path} ({len(escaped)} lines, matched as SageMaker shows them: a tab is #011)", file=out)
    for name, regex in definitions.items():
        _show(scan(name, regex, escaped), name == objective, out)
    if objective not in definitions:
        close = difflib.get_close_matches(objective, list(definitions), n=1, cutoff=0.5)
        raise ConfigError("metric.name", f"{objective!r} is not one of metric.definitions {list(definitions)}: "
                          "its best job would stay empty" + (f"; did you mean {close[0]!r}?" if close else ""))
    scanner = MetricScanner(definitions=definitions, objective=objective)  # the engine's own scanner
    scanner.scan(read_log(path), now=0.0)
    if scanner.final_objective is None:
        index = list(definitions).index(objective)
        raise ConfigError(f"metric.definitions[{index}].regex", f"the objective {objective!r} matches nothing "
                          f"parseable in {path} (traps above)")
    print(f"objective {objective}: {scanner.final_objective:.6g} (the last of {len(scanner.objective_values)} "
          "values, as SageMaker reports it; each value is one step for early stopping and Hyperband)", file=out)
    return scanner.final_objective
