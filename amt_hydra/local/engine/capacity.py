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

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from amt_hydra.local.trials.resources import is_gpu_type


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
