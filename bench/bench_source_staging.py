"""Per-job start cost of the code folder, for a project with a large `.venv`: whole folder vs the packed tarball.

A project (`source_dir: .`) holds a small script, a real virtualenv (`python -m venv`) padded to `--venv-mb` MB
of files as installed packages would be, and a `.git`. Two ways to give the local engine's training jobs their
code, through the real engine and toolkit, N trivial jobs one at a time, alternated:

* before: `sagemaker_submit_directory` maps to the project folder itself; the toolkit copies it whole into every
  job's `opt_ml/code` (virtualenv, `.git` and all);
* after: the project is packed once with `amt_hydra.packing` (the rule both launchers use, timed and counted in)
  and the toolkit extracts that tarball into each job's `opt_ml/code`, as on SageMaker.

Printed: wall seconds per job (the tuning job's wall time / N; `after` includes packing once), disk per job (the
size of one job's `opt_ml/code`), and the ratios.

    python bench/bench_source_staging.py [--venv-mb 50] [--jobs 6] [--repeats 3]
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
sys.path.insert(0, str(REPO))

from amt_hydra.local.api.client import LocalSageMakerClient  # noqa: E402
from amt_hydra.packing import select, write_tarball  # noqa: E402
from bench._local_request import CODE_URI, script_request  # noqa: E402

SCRIPT = "print('objective: 1.0')\n"


def make_project(root: Path, venv_mb: int) -> Path:
    root.mkdir()
    (root / "train.py").write_text(SCRIPT)
    (root / "model.py").write_text("WIDTH = 3\n" * 200)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    site = next((root / ".venv" / "lib").glob("python*")) / "site-packages" / "fat_package"
    site.mkdir(parents=True)
    for i in range(venv_mb * 4):  # 256 KiB files, like a package's modules and shared objects
        (site / f"module_{i}.so").write_bytes(os.urandom(256 * 1024))
    (root / ".git").mkdir()
    (root / ".git" / "packed-refs").write_bytes(os.urandom(1 << 20))
    return root


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def run(tmp: Path, name: str, code: Path, jobs: int) -> tuple[float, int]:
    """Wall seconds of a tuning job of `jobs` one-at-a-time jobs, and the size of one job's opt_ml/code."""
    client = LocalSageMakerClient(root=tmp / "store", local_copies={CODE_URI: str(code)}, poll_interval_s=0.1)
    ranges = [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
    start = time.perf_counter()
    client.create_hyper_parameter_tuning_job(**script_request(name, "train.py", "Random", ranges, jobs, 1, seed=0))
    while client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
            "HyperParameterTuningJobStatus"] in ("InProgress", "Stopping"):
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    trials = sorted((tmp / "store" / name / "trials").iterdir())
    assert len(trials) == jobs
    return elapsed, du(trials[0] / "opt_ml" / "code")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--venv-mb", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    before, after, disk = [], [], {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        project = make_project(tmp / "project", args.venv_mb)
        print(f"project: {du(project) / 1e6:.1f} MB ({args.venv_mb} MB virtualenv); {args.jobs} jobs per round")
        for r in range(args.repeats):
            wall, disk["before"] = run(tmp, f"before-{r}", project, args.jobs)
            before.append(wall / args.jobs)
            start = time.perf_counter()
            tarball = write_tarball(select(project), tmp / f"staged-{r}" / "sourcedir.tar.gz")
            pack_s = time.perf_counter() - start
            wall, disk["after"] = run(tmp, f"after-{r}", tarball, args.jobs)
            after.append((pack_s + wall) / args.jobs)
            print(f"round {r + 1}: per job before {before[-1]:.3f} s   after {after[-1]:.3f} s "
                  f"(packing once: {pack_s:.3f} s)", flush=True)
    b, a = statistics.median(before), statistics.median(after)
    print(f"wall per job (median): before {b:.3f} s   after {a:.3f} s   ratio after/before {a / b:.3f}x")
    print(f"disk per job (opt_ml/code): before {disk['before'] / 1e6:.2f} MB   after {disk['after'] / 1e3:.1f} kB   "
          f"ratio {disk['after'] / disk['before']:.5f}x")


if __name__ == "__main__":
    main()
