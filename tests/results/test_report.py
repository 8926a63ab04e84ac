"""report.html and the table read only result.json's shapes, so they serve both launchers: checked on a real
local job (early stopping, a crash, an instance fallback) and on hand-written SageMaker-shaped entries."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from amt_hydra.results.figures import slice_figure
from amt_hydra.results.report import render_report
from amt_hydra.results.space import parameters
from amt_hydra.results.table import best_line, format_table, job_rows, progress_line

T0 = datetime(2026, 11, 22, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def page(result: dict[str, Any]) -> str:
    return render_report(result)


def _figure_with(page: str, title: str) -> str:
    figures = re.findall(r"<figure.*?</figure>", page, flags=re.S)
    found = [f for f in figures if title in f]
    assert len(found) == 1, f"{title!r} in {len(found)} figures"
    return found[0]


def _texts(svg: str) -> set[str]:
    return {t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}


def test_the_local_job_has_what_the_report_shows(result: dict[str, Any]) -> None:
    jobs = result["TrainingJobs"]
    assert {j["TrainingJobStatus"] for j in jobs} == {"Completed", "Stopped", "Failed"}
    assert {j["InstanceType"] for j in jobs} == {"ml.m5.xlarge", "ml.c5.xlarge"}  # the second slot fell back
    assert result["TuningJob"]["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] == "Auto"


def test_every_chart_and_panel_is_present(page: str, result: dict[str, Any]) -> None:
    for title in ("Optimization history", "Learning curves", "Timeline of training jobs", "lr (continuous, log",
                  "x (continuous, linear", "layers (integer, linear", "batch-size (categorical)",
                  "Hyperparameter importance", "Parallel Coordinate Plot"):
        _figure_with(page, title)
    for panel in ("Tuning job", "Best training job", "Failed and stopped jobs", "Training jobs"):
        assert f"<h2>{panel}</h2>" in page
    assert "<script" not in page and not re.search(r"(src|href)=.(https?:)?//", page)  # offline, no CDN
    assert len(page) < 400_000
    best = result["TuningJob"]["BestTrainingJob"]["TrainingJobName"]
    entry = next(j for j in result["TrainingJobs"] if j["TrainingJobName"] == best)
    assert best in page and entry["LogLocation"] in page and Path(entry["LogLocation"]).is_file()
    assert "ValueError: diverged" in page  # the crash's reason, from its log
    assert re.search(r"stopped by early stopping \(worse than the median of earlier jobs\) after \d objective", page)
    assert "ml.c5.xlarge (fallback)" in _figure_with(page, "Timeline of training jobs")
    assert "early stopping</th><td>Auto" in page and "MaxParallelTrainingJobs 2" in page


def test_axes_follow_the_ranges(page: str, result: dict[str, Any]) -> None:
    """lr is logarithmic, batch-size categorical in the request's order, x and layers linear."""
    space = {p.name: p for p in parameters(result["TuningJob"])}
    jobs, best = result["TrainingJobs"], result["TuningJob"]["BestTrainingJob"]["TrainingJobName"]
    axes = {name: slice_figure(space[name], jobs, best, "loss").axes[0] for name in space}
    assert axes["lr"].get_xscale() == "log" and axes["x"].get_xscale() == "linear"
    assert [t.get_text() for t in axes["batch-size"].get_xticklabels()] == ["32", "64", "128"]
    assert {"0.001", "0.01", "0.1"} <= _texts(_figure_with(page, "lr (continuous, log"))
    assert {"32", "64", "128"} <= _texts(_figure_with(page, "batch-size (categorical)"))


def test_best_value_at_the_edge_of_its_range_is_a_warning() -> None:
    result = _result()
    result["TuningJob"]["HyperParameterTuningJobConfig"]["ParameterRanges"] = {"ContinuousParameterRanges": [
        {"Name": "lr", "MinValue": "0.0001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}]}
    assert "Best value at the edge of its range" not in render_report(result)  # 0.01: the middle on a log scale
    result["TuningJob"]["BestTrainingJob"]["TunedHyperParameters"]["lr"] = "0.09"
    assert "<b>lr</b> = 0.09 lies at the upper edge of its range (0.1)" in render_report(result)


def _job(i: int, value: float | None, lr: str) -> dict:
    job = {"TrainingJobName": f"t-{i:03d}-abcdef01", "TrainingJobStatus": "Completed", "CreationTime": T0,
           "TrainingStartTime": T0 + timedelta(seconds=i), "TrainingEndTime": T0 + timedelta(seconds=i + 5),
           "TunedHyperParameters": {"lr": lr, "opt": "sgd" if i % 2 else "adam"}, "InstanceType": "ml.m5.xlarge",
           "ObjectiveStatus": "Succeeded" if value is not None else "Failed"}
    if value is not None:
        job["FinalHyperParameterTuningJobObjectiveMetric"] = {"MetricName": "loss", "Value": value}
    return job


def _result() -> dict:
    """SageMaker's shapes as a waited run stores them (no intermediate values: describe has only the last)."""
    jobs = [_job(1, 0.9, "0.1"), _job(2, None, "0.05"), _job(3, 0.4, "0.01"), _job(4, 0.6, "0.020000000000000004")]
    tuning = {"HyperParameterTuningJobName": "t", "HyperParameterTuningJobStatus": "Completed",
              "HyperParameterTuningJobConfig": {"Strategy": "Random", "HyperParameterTuningJobObjective":
                                                {"Type": "Minimize", "MetricName": "loss"}},
              "TrainingJobStatusCounters": {"Completed": 4, "InProgress": 0, "NonRetryableError": 0,
                                            "RetryableError": 0, "Stopped": 0},
              "BestTrainingJob": dict(jobs[2])}
    return {"TuningJob": tuning, "TrainingJobs": jobs}


def test_a_sagemaker_shaped_result_without_ranges_or_curves() -> None:
    page = render_report(_result())
    assert "Optimization history" in page and "Timeline of training jobs" in page
    assert "Learning curves" not in page  # no intermediate values recorded
    assert page.count("<tr>") >= 5  # header + 4 jobs, the one without objective included


def test_table_precision_and_best_line() -> None:
    result = _result()
    table = format_table(job_rows(result["TrainingJobs"]))
    assert "t-002-abcdef01  Completed  lr=0.05 opt=adam  -" in table
    assert "lr=0.02 opt=adam  0.6000" in table and "0.9000" in table and "0.4000" in table
    assert "5.0s" in table and "ml.m5.xlarge" in table
    assert best_line(result["TuningJob"]) == "best training job: t-003-abcdef01 loss=0.4 (lr=0.01 opt=sgd)"
    assert progress_line(result["TuningJob"]).endswith("completed 4 failed 0 stopped 0 | best 0.4")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_headless_chromium_renders_the_report(page: str, tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text(page)
    shot = tmp_path / "r.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", f"--screenshot={shot}",
                    "--window-size=1400,3000", f"file://{tmp_path / 'report.html'}"],
                   capture_output=True, timeout=120, check=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_prefetch_loads_what_the_charts_import() -> None:
    """`wait_and_report` runs it while the job runs, so the report after the end only draws."""
    import sys

    code = ("import sys; from amt_hydra.results.report import prefetch; prefetch(); "
            "print(all(m in sys.modules for m in ('matplotlib.figure', 'matplotlib.backends.backend_svg', "
            "'optuna.visualization.matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
