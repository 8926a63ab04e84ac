"""Instance capacity on this machine, and instance fallbacks (amt-semantics §7).

Each instance type the request names may run a limited number of jobs here at once. By default a CPU
type (`ml.m5.xlarge`, ...) may run as many as the tuning job's parallel limit, a GPU type (`ml.p*`,
`ml.g*`) as many as there are CUDA devices, and an accelerator type this machine cannot have (`ml.trn*`,
`ml.inf*`) none. A capacity of 0 stands for SageMaker's InsufficientCapacityError (ICE).

A training job takes the first instance config, in the request's order of preference, with a free slot.
When every config has capacity 0 the job fails with SageMaker's capacity error (RetryableError); when
some config has capacity but all slots are busy the job waits for one (SageMaker would queue it too).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

ICE_REASON = (
    "CapacityError: Unable to provision requested ML compute capacity. Please retry using a different "
    "ML instance type."
)


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


def default_capacity(instance_type: str, parallel: int, gpus: int) -> int:
    if is_gpu_type(instance_type):
        return gpus
    if instance_type.startswith(("ml.trn", "ml.inf")):
        return 0
    return parallel


class CapacityTable:
    """Free slots per instance type; `acquire` picks the first instance config that has one."""

    def __init__(
        self, types: Iterable[str], parallel: int, overrides: Mapping[str, int] | None = None, gpus: int = 0
    ) -> None:
        overrides = dict(overrides or {})
        self.capacity = {t: int(overrides.get(t, default_capacity(t, parallel, gpus))) for t in types}
        self.capacity.update({t: int(n) for t, n in overrides.items()})
        self.in_use: Counter[str] = Counter()

    def all_exhausted(self, configs: Iterable[Mapping[str, Any]]) -> bool:
        """Every config has capacity 0: SageMaker would answer with an ICE, waiting would not help."""
        return all(self.capacity.get(c["InstanceType"], 0) <= 0 for c in configs)

    def acquire(self, configs: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
        """Take a slot on the first config with a free one; None when all are busy (or all zero)."""
        for config in configs:
            kind = config["InstanceType"]
            if self.in_use[kind] < self.capacity.get(kind, 0):
                self.in_use[kind] += 1
                return dict(config)
        return None

    def release(self, instance_type: str) -> None:
        if self.in_use[instance_type] > 0:
            self.in_use[instance_type] -= 1


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
