"""`dry_run` wall time against a bare Hydra app composing the same config (goal: <= 1.2x).

Both run as fresh processes, alternated, on the same overrides, after one untimed run each that fills
amt-hydra's caches (botocore's model cut, the region, package versions), as any repeated run finds them; so
amt-hydra's extra work is spec building, rendering, validation against botocore's model, the packing walk,
request.json and provenance (one `git status`). Prints medians and the median of the per-round ratios.

    python bench/bench_dry_run.py [--repeats 15] [--experiment xgboost_fallbacks] [--before OLD_CHECKOUT]
                                  [--bytecode]

`--bytecode` runs every arm with compiled bytecode (in a temporary `PYTHONPYCACHEPREFIX`, filled by the
untimed runs), as an installed package has it: with `PYTHONDONTWRITEBYTECODE` set, Python compiles the
checkout's sources on every start, which costs amt-hydra's arm (more of its modules) more than the bare one.

`--before CHECKOUT` adds a third arm, alternated with the other two: the same dry run from another
checkout of amt-hydra (e.g. the main branch), for a before/after figure measured side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str], cwd: Path = REPO) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--experiment", default="xgboost_fallbacks")
    parser.add_argument("--before", type=Path, help="another checkout to time too (python -m amt_hydra from there)")
    parser.add_argument("--bytecode", action="store_true", help="run with compiled bytecode, as installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SAGEMAKER_ROLE_ARN": "arn:aws:iam::123456789012:role/SageMakerRole"}
        if args.bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = f"{tmp}/pycache"
        overrides = [
            f"+experiment={args.experiment}",
            "launcher=sagemaker",
            "launcher.bucket=bench-bucket",
            f"hydra.run.dir={tmp}/run",
        ]
        amt = [sys.executable, "-m", "amt_hydra", *overrides, "dry_run=true"]
        bare = [sys.executable, "bench/_bare_app/app.py", *overrides]
        cold = timed(amt, env)  # fills the caches
        timed(bare, env)
        if args.before:
            timed(amt, env, args.before)
        rounds = [(timed(bare, env), timed(amt, env), timed(amt, env, args.before) if args.before else 0.0)
                  for _ in range(args.repeats)]
    bare_s, amt_s, before_s = (statistics.median(r[i] for r in rounds) for i in range(3))
    ratio = statistics.median(r[1] / r[0] for r in rounds)
    compiled = "compiled bytecode" if args.bytecode or not os.environ.get("PYTHONDONTWRITEBYTECODE") else (
        "PYTHONDONTWRITEBYTECODE set: sources compiled on every start; --bytecode for an installed package's view")
    print(f"first dry run (fills the caches): {cold:.3f} s; {compiled}")
    print(f"bare Hydra app: {bare_s:.3f} s   amt-hydra dry_run: {amt_s:.3f} s   (median of {args.repeats})")
    print(f"median of the per-round ratios: {ratio:.2f}x (goal <= 1.2x)")
    if args.before:
        before = statistics.median(r[2] / r[0] for r in rounds)
        print(f"{args.before}: {before_s:.3f} s, ratio {before:.2f}x; this checkout / that one: "
              f"{statistics.median(r[1] / r[2] for r in rounds):.2f}x")


if __name__ == "__main__":
    main()
