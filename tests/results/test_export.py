"""The CSV has the SageMaker SDK's HyperparameterTuningJobAnalytics.dataframe() columns, plus InstanceType."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from amt_hydra.results.export import write_csv

SDK_COLUMNS = ["TrainingJobName", "TrainingJobStatus", "FinalObjectiveValue", "TrainingStartTime",
               "TrainingEndTime", "TrainingElapsedTimeSeconds"]


def test_csv_columns_and_values(result: dict[str, Any], tmp_path: Path) -> None:
    with write_csv(result, tmp_path / "jobs.csv").open() as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["batch-size", "layers", "lr", "x", *SDK_COLUMNS, "InstanceType"]
    jobs = {j["TrainingJobName"]: j for j in result["TrainingJobs"]}
    assert sorted(r["TrainingJobName"] for r in rows) == sorted(jobs)
    for row in rows:
        job = jobs[row["TrainingJobName"]]
        assert row["TrainingJobStatus"] == job["TrainingJobStatus"] and row["InstanceType"] == job["InstanceType"]
        assert float(row["lr"]) == float(job["TunedHyperParameters"]["lr"])
        metric = job.get("FinalHyperParameterTuningJobObjectiveMetric")
        assert row["FinalObjectiveValue"] == ("" if metric is None else repr(metric["Value"]))
        assert float(row["TrainingElapsedTimeSeconds"]) > 0
