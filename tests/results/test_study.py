"""The tuning job as an Optuna study, read back with `optuna.load_study` from both storage kinds."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState

from amt_hydra.results.study import StorageError, to_study

STATES = {"Completed": TrialState.COMPLETE, "Stopped": TrialState.PRUNED, "Failed": TrialState.FAIL}


def _load(url: str) -> optuna.Study:
    if "://" in url:
        return optuna.load_study(study_name="viz-1", storage=url)
    from optuna.storages.journal import JournalFileBackend

    return optuna.load_study(study_name="viz-1", storage=optuna.storages.JournalStorage(JournalFileBackend(url)))


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_study_matches_the_job(result: dict[str, Any], tmp_path: Path, kind: str) -> None:
    url = f"sqlite:///{tmp_path / 'tuning.db'}" if kind == "sqlite" else str(tmp_path / "journal.log")
    to_study(result, url)
    study = _load(url)
    jobs = {j["TrainingJobName"]: j for j in result["TrainingJobs"]}
    assert len(study.trials) == len(jobs) == 8
    best = result["TuningJob"]["BestTrainingJob"]
    assert study.best_value == best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert study.best_trial.user_attrs["TrainingJobName"] == best["TrainingJobName"]
    assert study.direction == optuna.study.StudyDirection.MINIMIZE and study.metric_names == ["loss"]
    for trial in study.trials:
        job = jobs[trial.user_attrs["TrainingJobName"]]
        assert trial.state == STATES[job["TrainingJobStatus"]]
        assert trial.user_attrs["InstanceType"] == job["InstanceType"]
        assert trial.intermediate_values == {i + 1: v for i, v in enumerate(job["ObjectiveValues"])}
        assert trial.distributions == {
            "lr": FloatDistribution(0.0001, 0.1, log=True), "x": FloatDistribution(0.0, 1.0),
            "layers": IntDistribution(1, 4), "batch-size": CategoricalDistribution(["32", "64", "128"])}
        assert trial.params["lr"] == float(job["TunedHyperParameters"]["lr"])
        assert trial.params["batch-size"] == job["TunedHyperParameters"]["batch-size"]
        if trial.state == TrialState.FAIL:
            assert "ValueError: diverged" in trial.user_attrs["FailureReason"]


def test_writing_again_updates_rather_than_duplicates(result: dict[str, Any], tmp_path: Path) -> None:
    """First written while the best job ran (RUNNING, two steps so far), then twice once it finished."""
    url = f"sqlite:///{tmp_path / 'tuning.db'}"
    running = copy.deepcopy(result)
    best = running["TuningJob"]["BestTrainingJob"]["TrainingJobName"]
    last = next(j for j in running["TrainingJobs"] if j["TrainingJobName"] == best)
    name, final = last["TrainingJobName"], copy.deepcopy(last)
    last.update(TrainingJobStatus="InProgress", ObjectiveValues=[1.5, 0.9])
    for key in ("TrainingEndTime", "FailureReason", "FinalHyperParameterTuningJobObjectiveMetric"):
        last.pop(key, None)
    to_study(running, url)
    trial = next(t for t in _load(url).trials if t.user_attrs["TrainingJobName"] == name)
    assert trial.state == TrialState.RUNNING and trial.intermediate_values == {1: 1.5, 2: 0.9}
    to_study(result, url)
    to_study(result, url)
    study = _load(url)
    assert len(study.trials) == 8
    trial = next(t for t in study.trials if t.user_attrs["TrainingJobName"] == name)
    assert trial.state == TrialState.COMPLETE and study.best_trial.number == trial.number
    assert trial.intermediate_values == {i + 1: v for i, v in enumerate(final["ObjectiveValues"])}


def test_a_storage_that_cannot_open_is_a_user_error(result: dict[str, Any], tmp_path: Path) -> None:
    for url in ("nosuchdialect://x", str(tmp_path / "missing" / "journal.log")):
        with pytest.raises(StorageError, match="^" + url.split("/")[0]):
            to_study(result, url)


def test_a_sagemaker_shaped_result_read_back_from_json(tmp_path: Path) -> None:
    """result.json on disk (ISO times, no intermediate values), as a waited SageMaker run leaves it."""
    import json

    from amt_hydra.results.collect import write_result
    from tests.results.test_report import _result

    result = _result()
    result["TuningJob"]["HyperParameterTuningJobConfig"]["ParameterRanges"] = {
        "ContinuousParameterRanges": [{"Name": "lr", "MinValue": "0.001", "MaxValue": "0.1", "ScalingType": "Auto"}],
        "CategoricalParameterRanges": [{"Name": "opt", "Values": ["sgd", "adam"]}]}
    stored = json.loads(write_result(result, tmp_path).read_text())
    study = to_study(stored, str(tmp_path / "journal.log"))
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.FAIL, *[TrialState.COMPLETE] * 2]
    assert study.best_value == 0.4 and study.best_trial.params == {"lr": 0.01, "opt": "sgd"}
    assert study.trials[0].distributions["lr"] == FloatDistribution(0.001, 0.1, log=True)  # Auto over 100x
    assert study.trials[0].datetime_complete - study.trials[0].datetime_start == timedelta(seconds=5)
