"""Search quality: the engine's Bayesian search (P = 1 and P parallel slots) against Optuna's GPSampler
(sequential, and asked in batches of P), TPE and Random, on functions with known minima.

The engine's strategy is its own search object (`OptunaSearch`) under a simulated scheduler of P slots
(bench/_search_runs.py), so the figures are for the exact code the engine runs, at a fraction of the cost
of training jobs. The figure is the regret (best value found − known optimum) after `--jobs` jobs: median
and interquartile range over `--seeds` seeds, runs spread over `--workers` processes.
`--through-engine FUNCTION` instead runs FUNCTION through the real local engine and the training toolkit
and prints the simulated regret beside it, seed by seed (with `--parallel 1` they must be equal).

    nice python bench/bench_search_quality.py [--jobs 30] [--seeds 31] [--parallel 3] [--workers 2]
        [--functions branin,hartmann6] [--strategies engine-P3,optuna-gp] [--quick] [--through-engine branin]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread per run; parallelism comes from --workers
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._search_functions import FUNCTIONS, objective_script  # noqa: E402
from bench._search_runs import STRATEGIES, run, setup_for  # noqa: E402


def regret(task: tuple[str, str, int, int, int]) -> float:
    strategy, function, seed, jobs, parallel = task
    return min(run(strategy, function, seed, jobs, parallel)) - FUNCTIONS[function].optimum


_WIDTH = 24


def spread(values: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return f"{median:.3g} [{q1:.3g}–{q3:.3g}]"


def compare(args: argparse.Namespace) -> None:
    """Run every strategy on each function side by side; a function's row prints as soon as it is done."""
    functions, strategies = args.functions.split(","), args.strategies.split(",")
    print(f"regret (best − optimum) after {args.jobs} jobs, {args.parallel} in parallel for engine-P{args.parallel} "
          f"and optuna-gp-batch; median [interquartile range] of {args.seeds} seeds\n")
    print(f"{'function':12}" + "".join(f"{s:>{_WIDTH}}" for s in strategies) + "   ratios of medians (goal)")
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for function in functions:
            tasks = [(s, function, seed, args.jobs, args.parallel) for s in strategies
                     for seed in range(1, args.seeds + 1)]
            values = iter(pool.map(regret, tasks))
            results = {s: [next(values) for _ in range(args.seeds)] for s in strategies}
            cells = "".join(f"{spread(results[s]):>{_WIDTH}}" for s in strategies)
            print(f"{function:12}{cells}   {goals(results, args.parallel)}", flush=True)
    print(f"\n{time.perf_counter() - start:.0f} s with {args.workers} workers")


def goals(results: dict[str, list[float]], parallel: int) -> str:
    """The issue's goals, as ratios of median regrets measured side by side in this run, each with the 90%
    interval of a bootstrap over the seeds: with a few dozen seeds, medians still move with the seed set."""
    ours, parts = f"engine-P{parallel}", []
    for num, den, goal in ((ours, "optuna-gp", 2), (ours, "optuna-gp-batch", 1), ("engine-P1", "optuna-gp", 1.2)):
        if num in results and den in results and statistics.median(results[den]):
            low, high = bootstrap_ratio(results[num], results[den])
            ratio = statistics.median(results[num]) / statistics.median(results[den])
            parts.append(f"{num.removeprefix('engine-')}/{den.removeprefix('optuna-')} {ratio:.2f} "
                         f"[{low:.2f}–{high:.2f}] (≤ {goal})")
    return "  ".join(parts)


def bootstrap_ratio(num: list[float], den: list[float], rounds: int = 2000) -> tuple[float, float]:
    """5th and 95th percentiles of median(num) / median(den), seeds resampled with replacement."""
    rng = random.Random(0)
    ratios = sorted(
        statistics.median(rng.choices(num, k=len(num))) / max(statistics.median(rng.choices(den, k=len(den))), 1e-12)
        for _ in range(rounds)
    )
    return ratios[rounds // 20], ratios[-rounds // 20 - 1]


def through_engine(args: argparse.Namespace) -> None:
    from amt_hydra.local.api.client import LocalSageMakerClient
    from bench._local_request import CODE_URI
    from bench._search_runs import engine_run

    fn = FUNCTIONS[args.through_engine]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "src").mkdir()
        (tmp / "src" / f"{fn.name}.py").write_text(objective_script(fn.name))
        client = LocalSageMakerClient(root=tmp / "store", local_copies={CODE_URI: tmp / "src"}, poll_interval_s=0.1)
        print(f"{fn.name}, Bayesian, {args.jobs} jobs, {args.parallel} in parallel: regret per seed")
        for seed in range(1, args.seeds + 1):
            start = time.perf_counter()
            engine = best_through_engine(client, setup_for(fn, seed, args.jobs, args.parallel).request) - fn.optimum
            simulated = min(engine_run(fn, seed, args.jobs, args.parallel)) - fn.optimum
            print(f"  seed {seed}: engine {engine:.4g}   simulated {simulated:.4g}   "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)


def best_through_engine(client: object, request: dict) -> float:
    name = request["HyperParameterTuningJobName"]
    client.create_hyper_parameter_tuning_job(**request)  # type: ignore[attr-defined]
    while True:
        desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)  # type: ignore[attr-defined]
        if desc["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping"):
            break
        time.sleep(0.1)
    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    return desc["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=31)
    parser.add_argument("--parallel", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--functions", default=",".join(FUNCTIONS))
    parser.add_argument("--strategies", help="comma-separated, from " + ", ".join(STRATEGIES))
    parser.add_argument("--quick", action="store_true", help="3 seeds of branin and hartmann6")
    parser.add_argument("--through-engine", metavar="FUNCTION", choices=list(FUNCTIONS))
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.functions = 3, "branin,hartmann6"
    args.strategies = args.strategies or ",".join(STRATEGIES).format(parallel=args.parallel)
    through_engine(args) if args.through_engine else compare(args)


if __name__ == "__main__":
    main()
