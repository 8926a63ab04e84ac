"""`dry_run` wall time against a bare Hydra app composing the same config (goal: <= 1.5x).

Both run as fresh processes, alternated, on the same overrides; the image-URI cache is warm (as on
any repeated run), so amt-hydra's extra work is spec building, rendering, botocore validation,
request.json and provenance. Prints medians and their ratio.

    python bench/bench_dry_run.py [--repeats 15] [--experiment xgboost_fallbacks]
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


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--experiment", default="xgboost_fallbacks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "AMT_HYDRA_IMAGE_CACHE": f"{tmp}/images.json",
            "SAGEMAKER_ROLE_ARN": "arn:aws:iam::123456789012:role/SageMakerRole",
        }
        overrides = [
            f"+experiment={args.experiment}",
            "launcher=sagemaker",
            "launcher.bucket=bench-bucket",
            f"hydra.run.dir={tmp}/run",
        ]
        amt = [sys.executable, "-m", "amt_hydra", *overrides, "dry_run=true"]
        bare = [sys.executable, "bench/_bare_app/app.py", *overrides]
        cold = timed(amt, env)  # fills the image cache
        pairs = [(timed(bare, env), timed(amt, env)) for _ in range(args.repeats)]
    bare_s = statistics.median(p[0] for p in pairs)
    amt_s = statistics.median(p[1] for p in pairs)
    print(f"first dry run (image lookup with the SDK): {cold:.3f} s")
    print(f"bare Hydra app: {bare_s:.3f} s   amt-hydra dry_run: {amt_s:.3f} s   (median of {args.repeats})")
    print(f"ratio: {amt_s / bare_s:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()
