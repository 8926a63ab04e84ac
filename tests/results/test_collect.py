"""result.json keeps what the report needs, added next to the documented keys (none renamed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from amt_hydra.results.collect import objective_values, write_result


def test_training_jobs_keep_curves_transitions_and_logs(result: dict[str, Any], tmp_path: Path) -> None:
    for job in result["TrainingJobs"]:
        assert {"TrainingJobName", "TrainingJobStatus", "TunedHyperParameters", "InstanceType"} <= set(job)
        assert Path(job["LogLocation"]).is_file()
        assert [t["Status"] for t in job["SecondaryStatusTransitions"]][0] == "Starting"
        if job["TrainingJobStatus"] == "Completed":
            assert len(job["ObjectiveValues"]) == 4
            assert job["ObjectiveValues"][-1] == job["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
        if job["TrainingJobStatus"] == "Stopped":
            assert 1 <= len(job["ObjectiveValues"]) < 4
    stored = json.loads(write_result(result, tmp_path).read_text())
    assert stored["TrainingJobs"][0]["ObjectiveValues"] == result["TrainingJobs"][0]["ObjectiveValues"]


def test_sagemaker_describe_gives_the_final_value_only() -> None:
    described = {"FinalMetricDataList": [{"MetricName": "acc", "Value": 0.8}, {"MetricName": "loss", "Value": 0.3}]}
    assert objective_values(described, "loss") == [0.3]
    assert objective_values({}, "loss") == []


def test_polls_fast_only_near_the_end_of_a_local_job() -> None:
    from amt_hydra.results.collect import FINAL_POLL_S, next_poll_s

    def job(status: str = "InProgress", **counters: int) -> dict:
        return {"HyperParameterTuningJobStatus": status, "TrainingJobStatusCounters": counters,
                "HyperParameterTuningJobConfig": {"ResourceLimits": {"MaxNumberOfTrainingJobs": 4}}}

    assert next_poll_s(job(Completed=2, InProgress=1), 0.5) == 0.5  # a job still to create
    assert next_poll_s(job(Completed=2, InProgress=2), 0.5) == FINAL_POLL_S  # every job created
    assert next_poll_s(job(Completed=3, NonRetryableError=1, InProgress=0), 0.5) == FINAL_POLL_S
    assert next_poll_s(job("Stopping", Completed=1), 0.5) == FINAL_POLL_S
    assert next_poll_s(job(Completed=2, InProgress=2), 30.0) == 30.0  # SageMaker's poll is left alone
    assert next_poll_s(job(Completed=2, InProgress=2), 0.05) == 0.05
