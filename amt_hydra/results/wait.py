"""Poll any SageMaker-shaped client until the tuning job ends, then write and print its results.

On a terminal the wait is an in-place view (`amt_hydra.results.live`); anywhere else (CI, a log file, a pipe)
it is one progress line whenever the counters or the best value change.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from amt_hydra.results.collect import TERMINAL, collect, describe, next_poll_s, write_result
from amt_hydra.results.report import prefetch, write_report
from amt_hydra.results.table import progress_line, summary


def is_live_terminal(out: TextIO) -> bool:
    """A real terminal that can redraw in place (not a pipe, a file, or TERM=dumb)."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM", "") != "dumb"


def wait(client: Any, name: str, poll_s: float = 30.0, sleep: Callable[[float], None] = time.sleep,
         out: TextIO | None = None) -> dict[str, Any]:
    """Show the job's progress until it ends; return the final DescribeHyperParameterTuningJob.

    `out` defaults to sys.stdout as it is at call time (it may be redirected after this module is imported).
    """
    out = sys.stdout if out is None else out
    if is_live_terminal(out):
        from amt_hydra.results.live import watch

        return watch(client, name, poll_s=poll_s, sleep=sleep, out=out)
    last = ""
    while True:
        job = describe(client, name)
        line = progress_line(job)
        if line != last:
            print(line, file=out, flush=True)
            last = line
        if job["HyperParameterTuningJobStatus"] in TERMINAL:
            return job
        sleep(next_poll_s(job, poll_s))


def report(client: Any, name: str, run_dir: Path, out: TextIO | None = None, with_status: bool = True,
           with_table: bool = True) -> dict[str, Any]:
    """result.json, report.html and the table, for a job in any state."""
    out = sys.stdout if out is None else out
    result = collect(client, name)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_result(result, run_dir)
    write_report(result, run_dir / "report.html")
    # Without the table when the live view's last frame, left on screen, already shows every job.
    shown = result if with_table else {k: v for k, v in result.items() if k != "TrainingJobs"}
    print(summary(shown, with_status=with_status), file=out)
    print(f"results: {run_dir / 'result.json'}  report: {run_dir / 'report.html'}", file=out)
    return result


def wait_and_report(client: Any, name: str, run_dir: Path, poll_s: float = 30.0,
                    sleep: Callable[[float], None] = time.sleep, out: TextIO | None = None) -> dict[str, Any]:
    """Wait, then report; the report's libraries load in a thread meanwhile (`report.prefetch`), so the charts
    are drawn ~0.5 s sooner after the end (a local job's training jobs share the CPU with it meanwhile). The
    report waits for that thread: it would wait on the same imports, and with no other thread it can draw on
    two cores (`results.fork`)."""
    out = sys.stdout if out is None else out
    prefetching = threading.Thread(target=prefetch, name="amt-hydra-prefetch", daemon=True)
    prefetching.start()
    wait(client, name, poll_s=poll_s, sleep=sleep, out=out)
    prefetching.join()
    return report(client, name, run_dir, out=out, with_status=False, with_table=not is_live_terminal(out))
