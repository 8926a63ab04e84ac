"""`sample_log=PATH`: the metric regexes tried on a real training log, through the real CLI."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from amt_hydra.errors import ConfigError
from amt_hydra.metrics_check import check_sample_log
from tests.conftest import REPO, run_cli


@pytest.fixture(scope="module")
def xgb_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real output of train/xgb.py (5 rounds): `[3]<TAB>train-rmse:...<TAB>validation-rmse:...`."""
    folder = tmp_path_factory.mktemp("xgb")
    log = folder / "train.log"
    with log.open("w") as out:
        subprocess.run([sys.executable, str(REPO / "train" / "xgb.py"), "--num_round", "5", "--model_dir",
                        str(folder)], stdout=out, stderr=subprocess.STDOUT, check=True, timeout=300)
    return log


def _check(xgb_log: Path, tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["+experiment=xgboost_fallbacks", f"sample_log={xgb_log}", f"hydra.run.dir={tmp_path / 'run'}",
                    f"launcher.root={tmp_path / 'jobs'}", *overrides], cwd=REPO)


def _last_validation_rmse(log: Path) -> float:
    return float(re.findall(r"validation-rmse:([0-9.]+)", log.read_text())[-1])


def test_matching_regexes_print_lines_values_and_the_objective(xgb_log: Path, tmp_path: Path) -> None:
    result = _check(xgb_log, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "validation:rmse (objective): 5 lines matched, 5 values: " in result.stdout
    assert "train:rmse: 5 lines matched, 5 values" in result.stdout
    assert re.search(r"line 3: \[0\]#011train-rmse:[0-9.]+#011validation-rmse:", result.stdout)
    assert f"objective validation:rmse: {_last_validation_rmse(xgb_log):.6g} (the last of 5 values" in result.stdout
    assert "trap:" not in result.stdout
    assert "nothing submitted" in result.stderr
    assert not (tmp_path / "run" / "request.json").exists() and not (tmp_path / "jobs").exists()


def test_a_lazy_empty_capture_fails_with_one_line(xgb_log: Path, tmp_path: Path) -> None:
    result = _check(xgb_log, tmp_path, "metric.definitions.0.regex='validation-rmse:(.*?)'")
    assert result.returncode == 2
    assert "validation:rmse (objective): 5 lines matched, 0 values" in result.stdout
    assert "trap: 5 lines matched but captured an empty string (a lazy group" in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"error: metric.definitions[0].regex: the objective 'validation:rmse' matches nothing parseable in "
        f"{xgb_log} (traps above)"]


def test_a_non_matching_regex_names_the_tab_and_bracket_traps(xgb_log: Path, tmp_path: Path) -> None:
    result = _check(xgb_log, tmp_path, "metric.name=train:rmse", r"metric.definitions.1.regex='[4]\ttrain-rmse:(\S+)'")
    assert result.returncode == 2
    assert "train:rmse (objective): 0 lines matched, 0 values" in result.stdout
    assert "trap: SageMaker's log shows a tab as #011, so \\t never matches" in result.stdout
    assert "trap: [ and ] open a character class" in result.stdout
    assert "trap: with #011 and escaped brackets, 1 line would match" in result.stdout
    assert result.stderr.startswith("error: metric.definitions[1].regex: the objective 'train:rmse' matches nothing")


def test_a_metric_name_mismatch_fails_and_suggests_the_definition(xgb_log: Path, tmp_path: Path) -> None:
    result = _check(xgb_log, tmp_path, "metric.name=validation-rmse")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: metric.name: 'validation-rmse' is not one of metric.definitions "
                                     "['validation:rmse', 'train:rmse']: its best job would stay empty; "
                                     "did you mean 'validation:rmse'?")


def test_with_dry_run_the_check_goes_to_stderr_and_the_request_is_rendered(xgb_log: Path, tmp_path: Path) -> None:
    result = _check(xgb_log, tmp_path, "dry_run=true")
    assert result.returncode == 0, result.stderr
    request = result.stdout[result.stdout.index("{\n"):]  # after Hydra's log lines (the SDK's image lookup)
    assert json.loads(request)["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"][
        "MetricName"] == "validation:rmse"
    assert "validation:rmse (objective): 5 lines matched" in result.stderr
    assert (tmp_path / "run" / "request.json").exists()


def test_lines_are_read_like_the_engine_reads_them(tmp_path: Path) -> None:
    """CRLF endings, tabs shown as #011, NaN and text dropped, an unterminated last line, the last value wins."""
    log = tmp_path / "job.log"
    log.write_bytes(b"epoch 0\tloss: nan\r\nepoch 1\tloss: cat\r\nepoch 2\tloss: 0.75\r\nepoch 3\tloss: 0.5")
    metric = {"name": "loss", "definitions": [{"name": "loss", "regex": r"epoch [0-9]+#011loss: (\S+)"},
                                              {"name": "acc", "regex": r"Accuracy: ([0-9.]+)"}]}
    out = io.StringIO()
    assert check_sample_log(log, metric, out) == 0.5
    text = out.getvalue()
    assert "loss (objective): 4 lines matched, 2 values: 0.75, 0.5" in text
    assert "trap: 1 captures are not numbers (e.g. 'cat')" in text
    assert "trap: 1 captures are NaN or infinite (e.g. 'nan')" in text
    assert "acc: 0 lines matched, 0 values" in text and "case is ignored" not in text
    with pytest.raises(ConfigError, match=r"^sample_log: .* is not a file$"):
        check_sample_log(tmp_path / "missing.log", metric, out)
