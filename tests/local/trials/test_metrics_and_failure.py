"""The trial parts on their own: log scanning (SageMaker's #011 spelling) and failure reasons."""

from __future__ import annotations

import re
from pathlib import Path

from amt_hydra.local.trials.failure import failure_reason
from amt_hydra.local.trials.metrics import MetricScanner, syslog_escape

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
