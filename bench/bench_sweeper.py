"""The AMT sweeper vs hydra-optuna-sweeper on the same trivial Hydra app: wall time of a whole sweep.

Both sweep `examples/quadratic_app/my_app.py` (a task function of microseconds) over the same two
ranges, N trials, Random sampling. The AMT sweeper submits one tuning job to the local engine: each
trial is a real `sagemaker_training` toolkit job, P at a time. hydra-optuna-sweeper runs the trials in
its own process with Hydra's basic launcher (batches of P, one after another). hydra-optuna-sweeper
pins Optuna 2.10, so it lives in a side virtualenv, never among our dependencies:

    python -m venv /tmp/hos && /tmp/hos/bin/pip install hydra-optuna-sweeper 'hydra-core==1.3.2'
    python bench/bench_sweeper.py /tmp/hos/bin/python [--trials 30] [--parallel 2] [--repeats 3]
                                  [--before OLD_CHECKOUT]

Rounds alternate; printed: medians, the median of the per-round ratios (goal <= 1.5x), and where the AMT
sweep's seconds went (start-up, the tuning job, noticing its end, the report, exit). `--before CHECKOUT` adds a
third arm, alternated with the other two: the same sweep with another checkout of amt-hydra first on PYTHONPATH
(its app, its package, its Hydra plugin), for a before/after figure measured side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "examples" / "quadratic_app" / "my_app.py"
SEARCH = ["optimizer.lr=tag(log, interval(1e-4, 1e-1))", "model.depth=range(2, 8)"]
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3-cpu-py311"


def amt_command(trials: int, parallel: int, sweep_dir: Path, app: Path = APP) -> list[str]:
    return [sys.executable, str(app), "-m", "hydra/sweeper=amt", f"hydra.sweep.dir={sweep_dir}", *SEARCH,
            "hydra.sweeper.strategy.name=Random", f"hydra.sweeper.limits.max_jobs={trials}",
            f"hydra.sweeper.limits.max_parallel_jobs={parallel}", f"hydra.sweeper.estimator.image_uri={IMAGE}"]


def optuna_command(python: str, trials: int, parallel: int, sweep_dir: Path) -> list[str]:
    return [python, str(APP), "-m", "hydra/sweeper=optuna", "hydra/sweeper/sampler=random",
            f"hydra.sweep.dir={sweep_dir}", *SEARCH, f"hydra.sweeper.n_trials={trials}",
            f"hydra.sweeper.n_jobs={parallel}", "hydra.sweeper.direction=minimize"]


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd[:4])} ... failed:\n{proc.stderr[-3000:]}")
    return elapsed


PHASES = ("start -> job created", "job created -> ended", "ended -> result.json", "result.json -> report.html",
          "report.html -> exit")


def phases(sweep_dir: Path, started: float, ended: float) -> list[float]:
    """Where an AMT sweep's seconds went: the tuning job's own times (result.json) and the files' mtimes."""
    from datetime import datetime

    job = json.loads((sweep_dir / "result.json").read_text())["TuningJob"]
    created = datetime.fromisoformat(job["CreationTime"]).timestamp()
    end = datetime.fromisoformat(job["HyperParameterTuningEndTime"]).timestamp()
    marks = [started, created, end, (sweep_dir / "result.json").stat().st_mtime,
             (sweep_dir / "report.html").stat().st_mtime, ended]
    return [b - a for a, b in zip(marks, marks[1:])]


def timed_amt(cmd: list[str], env: dict[str, str], cwd: Path, sweep_dir: Path) -> tuple[float, list[float]]:
    started = time.time()
    elapsed = timed(cmd, env, cwd)
    return elapsed, phases(sweep_dir, started, started + elapsed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("side_python", help="python of a virtualenv with hydra-optuna-sweeper")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout of amt-hydra to time too")
    args = parser.parse_args()
    probe = [args.side_python, "-c", "import hydra_plugins.hydra_optuna_sweeper"]
    if not Path(args.side_python).exists() or subprocess.run(probe, capture_output=True).returncode != 0:
        print(f"skipped: {args.side_python} has no hydra-optuna-sweeper "
              "(python -m venv /tmp/hos && /tmp/hos/bin/pip install hydra-optuna-sweeper 'hydra-core==1.3.2')")
        return
    amt_s, hos_s, before_s, amt_phases = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "AMT_HYDRA_HOME": str(tmp / "store")}
        for r in range(args.repeats):
            hos_s.append(timed(optuna_command(args.side_python, args.trials, args.parallel, tmp / f"hos{r}"),
                               env, tmp))
            sweep_dir = tmp / f"amt{r}"
            elapsed, split = timed_amt(amt_command(args.trials, args.parallel, sweep_dir), env, tmp, sweep_dir)
            amt_s.append(elapsed)
            amt_phases.append(split)
            if args.before:
                before = args.before.resolve()
                app = before / APP.relative_to(REPO)
                old_env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(before), env.get("PYTHONPATH")]))}
                before_s.append(timed(amt_command(args.trials, args.parallel, tmp / f"old{r}", app), old_env, tmp))
            print(f"round {r + 1}: hydra-optuna-sweeper {hos_s[-1]:.2f} s   amt sweeper {amt_s[-1]:.2f} s"
                  + (f"   {args.before} {before_s[-1]:.2f} s" if args.before else ""), flush=True)
    pair = statistics.median(a / h for a, h in zip(amt_s, hos_s, strict=True))
    print(f"{args.trials} trials, {args.parallel} in parallel, {args.repeats} alternated rounds:")
    print(f"median  hydra-optuna-sweeper: {statistics.median(hos_s):.2f} s   "
          f"amt sweeper: {statistics.median(amt_s):.2f} s")
    print(f"median of the per-round ratios: {pair:.2f}x (goal <= 1.5x)")
    if args.before:
        print(f"{args.before}: {statistics.median(before_s):.2f} s, ratio "
              f"{statistics.median(b / h for b, h in zip(before_s, hos_s, strict=True)):.2f}x; this checkout / that "
              f"one: {statistics.median(a / b for a, b in zip(amt_s, before_s, strict=True)):.2f}x")
    print("amt sweeper, median seconds per phase: " + "  ".join(
        f"{name} {statistics.median(split[i] for split in amt_phases):.2f}" for i, name in enumerate(PHASES)))


if __name__ == "__main__":
    main()
