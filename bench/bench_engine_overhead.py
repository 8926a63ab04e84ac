"""Local engine overhead: N trivial training jobs through the engine vs the same N toolkit runs by xargs.

Both sides run `python -m sagemaker_training.cli.train` N times, P at a time, on the same trivial
script. The engine side is a whole Random tuning job as a user sees it: from the create call (request
validation, store, the detached engine process and its Optuna import) until DescribeHyperParameterTuningJob
says Completed. The baseline is `xargs -P P` over job directories prepared beforehand. The two are
alternated; medians, best times and the median per-round ratio are printed (goal <= 1.0x). On a
shared machine the best times are the steadiest figure. The engine pins each job to its own cores
(sched_setaffinity), which xargs does not; under outside load that can make the engine side faster.

    python bench/bench_engine_overhead.py [--jobs 24] [--parallel 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from amt_hydra.local.api.client import LocalSageMakerClient  # noqa: E402
from bench._local_request import CODE_URI, script_request  # noqa: E402

SCRIPT = "print('objective: 1.0')\n"


def request(name: str, jobs: int, parallel: int) -> dict:
    ranges = [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
    return script_request(name, "train.py", "Random", ranges, jobs, parallel, seed=0)


def run_engine(tmp: Path, src: Path, name: str, jobs: int, parallel: int) -> float:
    client = LocalSageMakerClient(root=tmp / "store", local_copies={CODE_URI: src}, poll_interval_s=0.2)
    start = time.perf_counter()
    client.create_hyper_parameter_tuning_job(**request(name, jobs, parallel))
    while True:
        desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        if desc["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping"):
            break
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    assert desc["ObjectiveStatusCounters"]["Succeeded"] == jobs, desc
    return elapsed


def prepare_dirs(tmp: Path, src: Path, jobs: int) -> list[Path]:
    dirs = []
    for i in range(jobs):
        base = tmp / f"job{i}" / "opt_ml"
        for sub in ("input/config", "input/data", "model", "output/data", "output/intermediate"):
            (base / sub).mkdir(parents=True)
        hps = {
            "x": str(i / jobs),
            "sagemaker_program": '"train.py"',
            "sagemaker_submit_directory": json.dumps(str(src)),
        }
        (base / "input/config/hyperparameters.json").write_text(json.dumps(hps))
        (base / "input/config/inputdataconfig.json").write_text("{}")
        (base / "input/config/resourceconfig.json").write_text(
            json.dumps(
                {"current_host": "localhost", "hosts": ["localhost"], "current_instance_type": "ml.m5.large"}
            )
        )
        dirs.append(base)
    return dirs


def run_xargs(dirs: list[Path], parallel: int) -> float:
    toolkit = f"{sys.executable} -m sagemaker_training.cli.train"
    command = f'SAGEMAKER_BASE_DIR="$0" exec {toolkit} > "$0/../output.log" 2>&1'
    start = time.perf_counter()
    subprocess.run(
        ["xargs", "-P", str(parallel), "-n", "1", "sh", "-c", command],
        input="\n".join(str(d) for d in dirs),
        text=True,
        check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=24)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    engine_s, xargs_s = [], []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        src = tmp / "src"
        src.mkdir()
        (src / "train.py").write_text(SCRIPT)
        for r in range(args.repeats):
            xargs_s.append(run_xargs(prepare_dirs(tmp / f"xargs{r}", src, args.jobs), args.parallel))
            engine_s.append(run_engine(tmp, src, f"bench-{r}", args.jobs, args.parallel))
            print(f"round {r + 1}: xargs {xargs_s[-1]:.2f} s   engine {engine_s[-1]:.2f} s", flush=True)
    e, x = statistics.median(engine_s), statistics.median(xargs_s)
    pair = statistics.median(a / b for a, b in zip(engine_s, xargs_s, strict=True))
    print(f"{args.jobs} jobs, {args.parallel} at a time, {args.repeats} alternated rounds:")
    print(f"median  xargs -P {args.parallel}: {x:.2f} s   engine: {e:.2f} s   ratio: {e / x:.3f}x")
    print(
        f"best    xargs -P {args.parallel}: {min(xargs_s):.2f} s   engine: {min(engine_s):.2f} s   "
        f"ratio: {min(engine_s) / min(xargs_s):.3f}x"
    )
    print(f"median of the per-round ratios: {pair:.3f}x (goal <= 1.0x)")


if __name__ == "__main__":
    main()
