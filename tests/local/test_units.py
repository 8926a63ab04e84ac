"""The small parts on their own: log scanning, failure reasons, ranges, local copies, capacity."""

from __future__ import annotations

import math
import re
from pathlib import Path

from amt_hydra.local.engine.capacity import CapacityTable
from amt_hydra.local.engine.early_stopping import MedianStoppingRule
from amt_hydra.local.setup.ranges import parse_ranges
from amt_hydra.local.setup.sources import encode_like, resolve
from amt_hydra.local.trials.failure import failure_reason
from amt_hydra.local.trials.metrics import MetricScanner, syslog_escape
from amt_hydra.local.trials.resources import CpuSlots

XGBOOST_RMSE = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"


def test_tab_is_seen_as_011_so_sagemaker_regexes_match() -> None:
    line = "[3]\ttrain-rmse:0.51\tvalidation-rmse:0.6443"
    assert syslog_escape(line) == "[3]#011train-rmse:0.51#011validation-rmse:0.6443"
    assert syslog_escape("a\rb\x1b") == "a#015b#033"
    scanner = MetricScanner({"validation:rmse": XGBOOST_RMSE}, "validation:rmse")
    assert scanner.scan([line], 1.0) == [0.6443]
    assert re.search(XGBOOST_RMSE, line) is None  # the raw line would not match


def test_scanner_keeps_numeric_values_in_order_and_the_last_is_final() -> None:
    scanner = MetricScanner({"loss": r"loss=(\S+);", "acc": r"acc=(\S+)", "nogroup": r"loss=\S+"}, "loss")
    lines = [
        "loss=0.5; acc=0.1",
        "loss=cat;",
        "loss=nan;",
        "loss=inf;",
        "noise",
        "loss=0.7; acc=0.2",
        "loss=1e-3;",
    ]
    assert scanner.scan(lines, 2.0) == [0.5, 0.7, 0.001]
    assert scanner.final_objective == 0.001
    assert scanner.latest == {"loss": (0.001, 2.0), "acc": (0.2, 2.0)}


def _toolkit_layout(tmp_path: Path, failure: str | None, log: str) -> tuple[Path, Path]:
    (tmp_path / "output").mkdir()
    if failure is not None:
        (tmp_path / "output" / "failure").write_text(failure)
    (tmp_path / "output.log").write_text(log)
    return tmp_path, tmp_path / "output.log"


def test_failure_reason_prefers_log_tail_when_failure_file_says_nothing(tmp_path: Path) -> None:
    failure = 'ExecuteUserScriptError:\nExitCode 1\nErrorMessage ""\nCommand "python -- train.py"'
    log = (
        "starting\n" + "noise\n" * 400 + "ValueError: real cause\n2024 sagemaker-training-toolkit ERROR    "
        "Reporting training FAILURE\nExecuteUserScriptError:\n"
    )
    reason = failure_reason(*_toolkit_layout(tmp_path, failure, log), 1)
    assert reason.startswith("AlgorithmError: ExitCode 1.") and reason.endswith("ValueError: real cause")
    assert len(reason) <= 1024 and "Reporting training FAILURE" not in reason


def test_failure_reason_uses_a_useful_failure_file(tmp_path: Path) -> None:
    failure = 'ExecuteUserScriptError:\nExitCode 1\nErrorMessage "ValueError: bad"\n' + "x" * 2000
    reason = failure_reason(*_toolkit_layout(tmp_path, failure, "log\n"), 1)
    assert reason.startswith("AlgorithmError: ExecuteUserScriptError") and len(reason) == 1024
    (tmp_path / "k").mkdir()
    killed = failure_reason(*_toolkit_layout(tmp_path / "k", None, "last words\n"), -9)
    assert (
        killed.startswith("AlgorithmError: the training process was killed by SIGKILL")
        and "last words" in killed
    )


def test_ranges_map_scaling_faithfully() -> None:
    ranges = parse_ranges(
        {
            "ContinuousParameterRanges": [
                {"Name": "m", "MinValue": "0.9", "MaxValue": "0.999", "ScalingType": "ReverseLogarithmic"},
                {"Name": "lr", "MinValue": "1e-5", "MaxValue": "1", "ScalingType": "Logarithmic"},
            ],
            "IntegerParameterRanges": [
                {"Name": "n", "MinValue": "1", "MaxValue": "64", "ScalingType": "Logarithmic"}
            ],
            "CategoricalParameterRanges": [{"Name": "c", "Values": ['"a"', "b"]}],
        }
    )
    n, m, lr, c = ranges  # integer, continuous, categorical, in the request's order within each
    dist = m.distribution()
    assert dist.log and math.isclose(dist.low, 0.001) and math.isclose(dist.high, 0.1)
    assert float(m.to_hp(0.01)) == 0.99 and math.isclose(m.from_hp("0.99"), 0.01)
    assert lr.distribution().log and n.distribution().log and n.to_hp(7.0) == "7"
    assert c.distribution().choices == ('"a"', "b") and c.from_hp("z") is None
    assert n.cardinality == 64 and lr.cardinality is None


def test_local_copies_resolve_exact_then_longest_prefix(tmp_path: Path) -> None:
    copies = {"s3://b/data": "/d", "s3://b/data/train/": "/t", "s3://b/code/sourcedir.tar.gz": "/src"}
    assert resolve("s3://b/code/sourcedir.tar.gz", copies) == Path("/src")
    assert resolve("s3://b/data/train/x.csv", copies) == Path("/t/x.csv")
    assert resolve("s3://b/data/valid", copies) == Path("/d/valid")
    assert resolve("s3://b/database", copies) is None
    assert encode_like('"s3://b/x"', "/local") == '"/local"' and encode_like("s3://b/x", "/local") == "/local"


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
