"""CPU per training job: the toolkit started as a plain subprocess vs forked by the engine's fork server.

Both sides start the same N trivial jobs (the real `sagemaker_training` toolkit running a one-line script)
through the engine's own `ToolkitStarter`, one at a time, and count the CPU (user + system) of everything
they ran: the toolkit processes, the scripts, and for the fork server its own start-up and imports (its
usage is added when it exits, so it is amortised over the N jobs, as over one engine's jobs). Rounds
alternate; the ratio quoted is the median of the per-round ratios.

    python bench/bench_job_cpu.py [--jobs 20] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from amt_hydra.local.trials.forkserver import ToolkitStarter  # noqa: E402
from amt_hydra.local.trials.process import wait_any  # noqa: E402
from bench.bench_engine_overhead import SCRIPT, prepare_dirs  # noqa: E402


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(dirs: list[Path], fork_server: bool) -> tuple[float, float]:
    """(CPU seconds per job, wall seconds per job) for `dirs`, one job at a time."""
    cpu0, wall0 = children_cpu(), time.perf_counter()
    starter = ToolkitStarter(None, fork_server=fork_server)
    for base in dirs:
        env = {**os.environ, "SAGEMAKER_BASE_DIR": str(base), "TRAINING_JOB_NAME": base.parent.name}
        env["PYTHONUNBUFFERED"] = "1"
        proc = starter.start(base.parent / "output.log", env, cwd=base.parent)
        while (code := proc.poll()) is None:
            wait_any([proc], 1.0, time.sleep)
        assert code == 0, (base, code, (base.parent / "output.log").read_text()[-2000:])
    if starter.server is not None:
        assert not starter.server.dead, "the fork server died"
        starter.server.close()
    n = len(dirs)
    return (children_cpu() - cpu0) / n, (time.perf_counter() - wall0) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    plain, forked = [], []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        src = tmp / "src"
        src.mkdir()
        (src / "train.py").write_text(SCRIPT)
        for r in range(args.repeats):
            plain.append(run(prepare_dirs(tmp / f"plain{r}", src, args.jobs), fork_server=False))
            forked.append(run(prepare_dirs(tmp / f"forked{r}", src, args.jobs), fork_server=True))
            print(f"round {r + 1}: CPU/job plain {plain[-1][0]:.3f} s   forked {forked[-1][0]:.3f} s", flush=True)
    cpu = statistics.median(f[0] / p[0] for p, f in zip(plain, forked, strict=True))
    wall = statistics.median(f[1] / p[1] for p, f in zip(plain, forked, strict=True))
    print(f"{args.jobs} jobs one at a time, {args.repeats} alternated rounds (medians):")
    print(f"CPU per job   plain: {statistics.median(p[0] for p in plain):.3f} s   "
          f"forked: {statistics.median(f[0] for f in forked):.3f} s   ratio: {cpu:.2f}x")
    print(f"wall per job  plain: {statistics.median(p[1] for p in plain):.3f} s   "
          f"forked: {statistics.median(f[1] for f in forked):.3f} s   ratio: {wall:.2f}x")


if __name__ == "__main__":
    main()
