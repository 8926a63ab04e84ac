"""Search quality of the local engine: Bayesian (Optuna's GPSampler) vs Random on Branin and Hartmann-6.

Each function is a training script that prints `objective: <value>`; each tuning job runs through the
engine and the real toolkit exactly as a user's would. The figure is the best objective after
`--jobs` training jobs, median over `--seeds` RandomSeeds (minimisation; Branin's minimum is 0.397887,
Hartmann-6's is -3.32237). `--quick` runs 3 seeds of 20 jobs.

    python bench/bench_search_quality.py [--jobs 30] [--seeds 5] [--parallel 3] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from amt_hydra.local.api.client import LocalSageMakerClient  # noqa: E402
from bench._local_request import CODE_URI, script_request  # noqa: E402

BRANIN = """
import argparse, math
p = argparse.ArgumentParser()
p.add_argument("--x1", type=float)
p.add_argument("--x2", type=float)
a, _ = p.parse_known_args()
b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
value = (a.x2 - b * a.x1 ** 2 + c * a.x1 - 6) ** 2 + 10 * (1 - t) * math.cos(a.x1) + 10
print(f"objective: {value}")
"""

HARTMANN6 = """
import argparse, math
p = argparse.ArgumentParser()
for i in range(6):
    p.add_argument(f"--h{i}", type=float)
a, _ = p.parse_known_args()
x = [getattr(a, f"h{i}") for i in range(6)]
alpha = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
     [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
inner = [sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6)) for i in range(4)]
value = -sum(alpha[i] * math.exp(-inner[i]) for i in range(4))
print(f"objective: {value}")
"""

FUNCTIONS = {
    "branin": (BRANIN, [("x1", -5.0, 10.0), ("x2", 0.0, 15.0)], 0.397887),
    "hartmann6": (HARTMANN6, [(f"h{i}", 0.0, 1.0) for i in range(6)], -3.32237),
}


def request(name: str, function: str, strategy: str, seed: int, jobs: int, parallel: int) -> dict:
    ranges = [
        {"Name": n, "MinValue": str(lo), "MaxValue": str(hi), "ScalingType": "Linear"}
        for n, lo, hi in FUNCTIONS[function][1]
    ]
    return script_request(name, f"{function}.py", strategy, ranges, jobs, parallel, seed)


def best_after(client: LocalSageMakerClient, req: dict) -> float:
    name = req["HyperParameterTuningJobName"]
    client.create_hyper_parameter_tuning_job(**req)
    while True:
        desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        if desc["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping"):
            break
        time.sleep(0.1)
    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    return desc["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--parallel", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="3 seeds of 20 jobs")
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.seeds = 20, 3
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "src").mkdir()
        for function, (script, _, _) in FUNCTIONS.items():
            (tmp / "src" / f"{function}.py").write_text(script)
        client = LocalSageMakerClient(
            root=tmp / "store",
            local_copies={CODE_URI: tmp / "src"},
            poll_interval_s=0.1,
        )
        results: dict[tuple[str, str], list[float]] = {}
        for function in FUNCTIONS:
            for seed in range(1, args.seeds + 1):
                for strategy in ("Random", "Bayesian"):
                    start = time.perf_counter()
                    req = request(
                        f"{function[:4]}-{strategy[:4].lower()}-{seed}",
                        function,
                        strategy,
                        seed,
                        args.jobs,
                        args.parallel,
                    )
                    value = best_after(client, req)
                    results.setdefault((function, strategy), []).append(value)
                    print(
                        f"{function:10} {strategy:9} seed {seed}: best {value:.4f} "
                        f"({time.perf_counter() - start:.0f} s)",
                        flush=True,
                    )
    print(
        f"\nbest objective after {args.jobs} jobs ({args.parallel} in parallel), "
        f"median of {args.seeds} seeds:"
    )
    for function, (_, _, optimum) in FUNCTIONS.items():
        rand = statistics.median(results[(function, "Random")])
        bayes = statistics.median(results[(function, "Bayesian")])
        print(
            f"  {function:10} optimum {optimum:9.4f}   Random {rand:9.4f} (regret {rand - optimum:.4f})   "
            f"Bayesian {bayes:9.4f} (regret {bayes - optimum:.4f})"
        )


if __name__ == "__main__":
    main()
