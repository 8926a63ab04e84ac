"""report.html and the table read only SageMaker's shapes, so they serve both launchers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from amt_hydra.results.report import render_report
from amt_hydra.results.table import best_line, format_table, job_rows, progress_line

T0 = datetime(2026, 11, 22, tzinfo=timezone.utc)


def _job(i: int, value: float | None, lr: str) -> dict:
    job = {"TrainingJobName": f"t-{i:03d}-abcdef01", "TrainingJobStatus": "Completed", "CreationTime": T0,
           "TrainingStartTime": T0 + timedelta(seconds=i), "TrainingEndTime": T0 + timedelta(seconds=i + 5),
           "TunedHyperParameters": {"lr": lr, "opt": "sgd" if i % 2 else "adam"}, "InstanceType": "ml.m5.xlarge",
           "ObjectiveStatus": "Succeeded" if value is not None else "Failed"}
    if value is not None:
        job["FinalHyperParameterTuningJobObjectiveMetric"] = {"MetricName": "loss", "Value": value}
    return job


def _result() -> dict:
    jobs = [_job(1, 0.9, "0.1"), _job(2, None, "0.05"), _job(3, 0.4, "0.01"), _job(4, 0.6, "0.02")]
    tuning = {"HyperParameterTuningJobName": "t", "HyperParameterTuningJobStatus": "Completed",
              "HyperParameterTuningJobConfig": {"Strategy": "Random", "HyperParameterTuningJobObjective":
                                                {"Type": "Minimize", "MetricName": "loss"}},
              "TrainingJobStatusCounters": {"Completed": 4, "InProgress": 0, "NonRetryableError": 0,
                                            "RetryableError": 0, "Stopped": 0},
              "BestTrainingJob": jobs[2]}
    return {"TuningJob": tuning, "TrainingJobs": jobs}


def test_report_has_curve_parameter_plots_and_table() -> None:
    page = render_report(_result())
    assert page.count("<figure>") == 3  # best so far, lr, opt
    assert "best objective so far" in page and "lr vs objective" in page and "opt vs objective" in page
    assert page.count("<tr>") == 5  # header + 4 jobs, the one without objective included


def test_table_and_best_line() -> None:
    result = _result()
    table = format_table(job_rows(result["TrainingJobs"]))
    assert "t-002-abcdef01  Completed  lr=0.05 opt=adam  -" in table
    assert "5.0s" in table and "ml.m5.xlarge" in table
    assert best_line(result["TuningJob"]) == "best training job: t-003-abcdef01 loss=0.4 (lr=0.01 opt=sgd)"
    assert progress_line(result["TuningJob"]).endswith("completed 4 failed 0 stopped 0 | best 0.4")
