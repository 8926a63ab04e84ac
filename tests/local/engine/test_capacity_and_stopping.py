"""Engine parts on their own: instance capacity with CPU blocks, and the median early-stopping rule."""

from __future__ import annotations

from amt_hydra.local.engine.capacity import CapacityTable
from amt_hydra.local.engine.early_stopping import MedianStoppingRule
from amt_hydra.local.trials.resources import CpuSlots


def test_capacity_first_free_config_and_cpu_blocks() -> None:
    table = CapacityTable(["ml.g5.xlarge", "ml.m5.xlarge", "ml.trn1.2xlarge"], parallel=2, gpus=0)
    configs = [{"InstanceType": t} for t in ("ml.g5.xlarge", "ml.m5.xlarge")]
    assert table.capacity == {"ml.g5.xlarge": 0, "ml.m5.xlarge": 2, "ml.trn1.2xlarge": 0}
    assert [table.acquire(configs)["InstanceType"] for _ in range(2)] == ["ml.m5.xlarge"] * 2
    assert table.acquire(configs) is None and not table.all_exhausted(configs)
    assert table.all_exhausted([{"InstanceType": "ml.g5.xlarge"}])
    slots = CpuSlots([0, 1, 2, 3], parallel=2)
    assert slots.cores(0) == (0, 1) and slots.cores(1) == (2, 3)
    assert CpuSlots([0, 1], parallel=3).cores(2) == (0,)


def test_median_rule() -> None:
    rule = MedianStoppingRule("Minimize")
    previous = [[1.0, 0.8, 0.6], [2.0, 1.0], [0.5]]
    assert rule.should_stop([1.6], previous) is True  # median of 1.0, 2.0, 0.5 is 1.0
    assert rule.should_stop([1.0], previous) is False  # not strictly worse
    assert rule.should_stop([1.0, 1.5], previous) is True  # median of 0.9 and 1.5 is 1.2
    assert rule.should_stop([9.0, 9.0, 9.0, 9.0], previous) is False  # nobody reached epoch 4
    assert MedianStoppingRule("Maximize").should_stop([0.1], [[0.5]]) is True
