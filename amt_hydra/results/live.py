"""The in-place terminal view of a tuning job (rich), refreshed while it runs; plain lines elsewhere.

The frame is a header (status, counters, best so far, elapsed, an estimate of the time left), one row per
training job and the failure reasons in short. Between polls only the clock moves, so the frame is redrawn
every second from the last poll's data: no extra API calls. When the job ends, or on Ctrl-C, the last frame
stays on screen with every row and the cursor is restored.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TextIO

from amt_hydra.constants import TERMINAL_TUNING
from amt_hydra.results.collect import next_poll_s
from amt_hydra.results.tracker import JobRow, JobTracker, Snapshot

STATUS_STYLE = {"Completed": "green", "InProgress": "yellow", "Stopping": "yellow", "Failed": "red",
                "Stopped": "magenta"}
FAILED = ("NonRetryableError", "RetryableError")
REASON_CHARS = 110
SHOW_FAILURES = 5  # failure reasons under the table: the newest ones
HEADER_LINES = 6 + SHOW_FAILURES  # lines around the rows: header, column titles, notes, failures


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def watch(client: Any, name: str, poll_s: float, sleep: Callable[[float], None], out: TextIO,
          clock: Callable[[], datetime] = utc_now) -> dict[str, Any]:
    """Poll until the tuning job ends, redrawing the frame in place; return the last Describe response."""
    from rich.console import Console
    from rich.live import Live

    console = Console(file=out, force_terminal=True)
    tracker = JobTracker(client, name)
    with Live(console=console, auto_refresh=False, transient=False) as live:
        while True:
            snap = tracker.poll()
            done = snap.job["HyperParameterTuningJobStatus"] in TERMINAL_TUNING
            draw = _drawer(live, out, snap, clock, limit=not done)
            draw()
            if done:  # the last frame has every row; Live leaves it on screen
                return snap.job
            _pause(next_poll_s(snap.job, poll_s), sleep, draw)


def _fit(console: Any, out: TextIO) -> None:
    """Follow the size of the terminal `out` is (rich alone would ask the process's own stdout)."""
    try:
        size = os.get_terminal_size(out.fileno())
    except (AttributeError, OSError, ValueError):
        return
    if size.columns and size.lines:
        console.size = (size.columns, size.lines)


def _drawer(live: Any, out: TextIO, snap: Snapshot, clock: Callable[[], datetime], limit: bool) -> Callable[[], None]:
    def draw() -> None:
        _fit(live.console, out)
        max_rows = max(3, live.console.size.height - HEADER_LINES) if limit else None
        live.update(frame(snap, clock(), max_rows), refresh=True)

    return draw


def _pause(poll_s: float, sleep: Callable[[float], None], redraw: Callable[[], None]) -> None:
    """Sleep `poll_s` in slices of at most a second, redrawing after each so the clocks tick."""
    left = poll_s
    while left > 1e-9:
        step = min(1.0, left)
        sleep(step)
        left -= step
        if left > 1e-9:
            redraw()


def fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def fmt_value(text: str) -> str:
    """A tuned value at a readable precision: integers as they are, floats to 4 significant digits."""
    try:
        return str(int(text))
    except ValueError:
        pass
    try:
        return f"{float(text):.4g}"
    except ValueError:
        return text


def total_jobs(job: dict[str, Any]) -> int | None:
    """MaxNumberOfTrainingJobs, or the grid size when Grid infers it."""
    config = job.get("HyperParameterTuningJobConfig") or {}
    limit = (config.get("ResourceLimits") or {}).get("MaxNumberOfTrainingJobs")
    if limit or config.get("Strategy") != "Grid":
        return limit
    categorical = (config.get("ParameterRanges") or {}).get("CategoricalParameterRanges") or []
    return math.prod(len(r.get("Values") or []) for r in categorical) if categorical else None


def elapsed_s(job: dict[str, Any], now: datetime) -> float | None:
    start = job.get("CreationTime")
    if not isinstance(start, datetime):
        return None
    end = job.get("HyperParameterTuningEndTime")
    done = job["HyperParameterTuningJobStatus"] in TERMINAL_TUNING and isinstance(end, datetime)
    return ((end if done else now) - start).total_seconds()


def remaining_s(job: dict[str, Any], elapsed: float | None) -> float | None:
    """Elapsed time per finished job times the jobs left, capped by the tuning job's MaxRuntimeInSeconds.

    Finished jobs per second already reflect parallelism and the per-job overhead; completion criteria
    (a target objective, convergence) may end the job sooner, so this is an upper estimate.
    """
    counters = job.get("TrainingJobStatusCounters") or {}
    finished = sum(counters.get(k, 0) for k in ("Completed", "Stopped", *FAILED))
    total = total_jobs(job)
    if job["HyperParameterTuningJobStatus"] in TERMINAL_TUNING:
        return 0.0
    if elapsed is None or not finished or total is None:
        return None
    estimate = elapsed * max(0, total - finished) / finished
    limit = ((job.get("HyperParameterTuningJobConfig") or {}).get("ResourceLimits") or {}).get("MaxRuntimeInSeconds")
    return min(estimate, max(0.0, limit - elapsed)) if limit else estimate


def short_name(row_name: str, tuning_name: str) -> str:
    prefix = f"{tuning_name}-".lower()
    return row_name[len(prefix):] if row_name.lower().startswith(prefix) else row_name


def header_lines(job: dict[str, Any], now: datetime) -> list[str]:
    config = job.get("HyperParameterTuningJobConfig") or {}
    objective = config.get("HyperParameterTuningJobObjective") or {}
    counters = job.get("TrainingJobStatusCounters") or {}
    failed = sum(counters.get(k, 0) for k in FAILED)
    finished = counters.get("Completed", 0) + counters.get("Stopped", 0) + failed
    total = total_jobs(job)
    best = job.get("BestTrainingJob") or {}
    value = (best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}).get("Value")
    best_text = f"{value:.6g} ({short_name(best['TrainingJobName'], job['HyperParameterTuningJobName'])})" \
        if value is not None else "-"
    elapsed = elapsed_s(job, now)
    left = remaining_s(job, elapsed)
    lines = [
        f"{job['HyperParameterTuningJobName']}  {job['HyperParameterTuningJobStatus']}  "
        f"{config.get('Strategy', '')}, {objective.get('Type', '')} {objective.get('MetricName', '')}",
        f"jobs {finished}/{total if total is not None else '?'} | running {counters.get('InProgress', 0)} "
        f"completed {counters.get('Completed', 0)} failed {failed} stopped {counters.get('Stopped', 0)} "
        f"| best {best_text}",
        f"elapsed {fmt_seconds(elapsed)} | remaining {'~' + fmt_seconds(left) if left else fmt_seconds(left)}",
    ]
    if job.get("FailureReason"):
        lines.append(f"reason: {shorten(job['FailureReason'])}")
    return lines


def shorten(reason: str) -> str:
    """A failure reason in one line: its headline and, for a quoted log, the log's last line (the error)."""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    if not lines:
        return ""
    text = lines[0] if len(lines) == 1 else f"{lines[0].split('. ')[0].rstrip('.')}. ... {lines[-1]}"
    text = " ".join(text.split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 3] + "..."


def visible_rows(rows: list[JobRow], limit: int | None) -> tuple[list[JobRow], int]:
    """Every running job plus the newest others, in creation order, when there are more rows than lines."""
    if limit is None or len(rows) <= limit:
        return rows, 0
    running = {r.name for r in rows if r.status in ("InProgress", "Stopping")}
    others = [r for r in rows if r.name not in running]
    keep = running | {r.name for r in others[len(others) - max(0, limit - len(running)):]}
    shown = [r for r in rows if r.name in keep]
    return shown, len(rows) - len(shown)


def row_cells(row: JobRow, tuning_name: str, now: datetime) -> list[str]:
    params = " ".join(f"{k}={fmt_value(v)}" for k, v in sorted(row.tuned.items()))
    objective = "-" if row.objective is None else f"{row.objective:.6g}"
    instance = (row.instance or "-") + (" (fallback)" if row.fallback else "")
    duration = None if row.start is None else ((row.end or now) - row.start).total_seconds()
    return [short_name(row.name, tuning_name), row.status, params, objective,
            "-" if row.step is None else str(row.step), instance, fmt_seconds(duration)]


def frame(snap: Snapshot, now: datetime, max_rows: int | None) -> Any:
    """The whole view as one rich renderable."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    tuning_name = snap.job["HyperParameterTuningJobName"]
    parts: list[Any] = [Text(line) for line in header_lines(snap.job, now)]
    rows, hidden = visible_rows(snap.rows, max_rows)
    if rows:
        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("job", "status", "hyperparameters", "objective", "step", "instance", "duration"):
            table.add_column(column, overflow="fold")
        for row in rows:  # Text, not markup: tuned values may hold brackets
            cells = [Text(cell) for cell in row_cells(row, tuning_name, now)]
            cells[1].stylize(STATUS_STYLE.get(row.status, "default"))
            table.add_row(*cells)
        parts.append(table)
    if hidden:
        parts.append(Text(f"... {hidden} earlier finished jobs not shown (all of them in result.json at the end)"))
    failed = [r for r in snap.rows if r.failure and r.status == "Failed"]
    if len(failed) > SHOW_FAILURES and max_rows is not None:
        parts.append(Text(f"... {len(failed) - SHOW_FAILURES} earlier failures not shown"))
        failed = failed[-SHOW_FAILURES:]
    parts += [Text(f"{short_name(r.name, tuning_name)}: {shorten(r.failure)}", style="red") for r in failed]
    if snap.listing_error:
        parts.append(Text(f"(training jobs not listed: {snap.listing_error})"))
    return Group(*parts)
