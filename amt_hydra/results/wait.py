"""Poll any SageMaker-shaped client until the tuning job ends, then write and print its results."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from amt_hydra.results.collect import TERMINAL, collect, describe, write_result
from amt_hydra.results.report import write_report
from amt_hydra.results.table import progress_line, summary


def wait(client: Any, name: str, poll_s: float = 30.0, sleep: Callable[[float], None] = time.sleep,
         out: TextIO = sys.stdout) -> dict[str, Any]:
    """Print a progress line whenever it changes; return the final DescribeHyperParameterTuningJob."""
    last = ""
    while True:
        job = describe(client, name)
        line = progress_line(job)
        if line != last:
            print(line, file=out, flush=True)
            last = line
        if job["HyperParameterTuningJobStatus"] in TERMINAL:
            return job
        sleep(poll_s)


def report(client: Any, name: str, run_dir: Path, out: TextIO = sys.stdout, with_status: bool = True) -> dict[str, Any]:
    """result.json, report.html and the table, for a job in any state."""
    result = collect(client, name)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_result(result, run_dir)
    write_report(result, run_dir / "report.html")
    print(summary(result, with_status=with_status), file=out)
    print(f"results: {run_dir / 'result.json'}  report: {run_dir / 'report.html'}", file=out)
    return result


def wait_and_report(client: Any, name: str, run_dir: Path, poll_s: float = 30.0,
                    sleep: Callable[[float], None] = time.sleep, out: TextIO = sys.stdout) -> dict[str, Any]:
    wait(client, name, poll_s=poll_s, sleep=sleep, out=out)
    return report(client, name, run_dir, out=out, with_status=False)
