"""This machine's resources a training job runs on: its share of the cores and a GPU.

Capacity per instance type (engine/capacity.py) decides whether a job may start; these decide where
it runs once started, so they belong to the executor that starts it.
"""

from __future__ import annotations

import shutil
import subprocess


def count_cuda_devices() -> int:
    """CUDA devices visible here, the way the training toolkit counts them (`nvidia-smi --list-gpus`)."""
    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        out = subprocess.run(["nvidia-smi", "--list-gpus"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in out.stdout.splitlines() if line.startswith("GPU ")) if out.returncode == 0 else 0


def is_gpu_type(instance_type: str) -> bool:
    return instance_type.startswith(("ml.p", "ml.g"))


class CpuSlots:
    """The machine's cores divided among the parallel jobs: slot i gets its own block of cores.

    Each job is pinned to its block (sched_setaffinity) and told its size through OMP_NUM_THREADS and
    friends. The toolkit still reports SM_NUM_CPUS as the machine's count (it calls
    multiprocessing.cpu_count(), which ignores affinity); `len(os.sched_getaffinity(0))` gives the share.
    With more parallel jobs than cores, blocks of one core are shared round robin.
    """

    def __init__(self, cpus: list[int], parallel: int, gpus: int = 0) -> None:
        self.cpus = cpus or [0]
        self.parallel = max(1, parallel)
        self.per_job = max(1, len(self.cpus) // self.parallel)
        self.gpus = gpus
        self.free = list(range(self.parallel))

    def take(self) -> int:
        return self.free.pop(0)

    def give_back(self, slot: int) -> None:
        self.free.append(slot)
        self.free.sort()

    def cores(self, slot: int) -> tuple[int, ...]:
        start = slot * self.per_job
        return tuple(self.cpus[(start + i) % len(self.cpus)] for i in range(self.per_job))

    def gpu(self, slot: int) -> int | None:
        return slot % self.gpus if self.gpus else None
