"""One Random tuning job, run once, looked at from every side: parallelism, names, what the script
saw, metrics, responses and their shapes, listing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from amt_hydra.local.api.client import LocalSageMakerClient
from tests.local.conftest import X_RANGE, assert_shape, make_request, run_job, summaries

NAME = "rand-job-1"


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory, copies: dict[str, str]) -> tuple[Any, dict]:
    client = LocalSageMakerClient(
        root=tmp_path_factory.mktemp("store"), local_copies=copies, poll_interval_s=0.02, stop_grace_s=0.5
    )
    request = make_request(
        NAME,
        max_jobs=5,
        parallel=2,
        continuous=X_RANGE,
        integer=[{"Name": "epochs", "MinValue": "2", "MaxValue": "4", "ScalingType": "Auto"}],
        categorical=[{"Name": "opt", "Values": ['"sgd"', '"adam"']}],
        static={"sleep": "0.1", "flag": "true", "layers": "[1, 2]", "n": "007"},
    )
    del request["TrainingJobDefinition"]["StaticHyperParameters"]["epochs"]
    desc = run_job(client, request)
    return client, desc


def test_completes_with_counters(finished: tuple[Any, dict]) -> None:
    _, desc = finished
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    assert desc["TrainingJobStatusCounters"] == {
        "Completed": 5,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    assert desc["ObjectiveStatusCounters"] == {"Succeeded": 5, "Pending": 0, "Failed": 0}
    assert desc["ConsumedResources"]["RuntimeInSeconds"] >= 1
    assert desc["CreationTime"].tzinfo is not None
    assert_shape("DescribeHyperParameterTuningJob", desc)


def test_parallelism_never_exceeds_limit(finished: tuple[Any, dict]) -> None:
    client, _ = finished
    jobs = summaries(client, NAME)
    events = sorted(
        [(j["TrainingStartTime"], 1) for j in jobs] + [(j["TrainingEndTime"], -1) for j in jobs],
        key=lambda e: (e[0], e[1]),
    )
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    assert peak == 2  # the limit, and it was used


def test_names_and_best(finished: tuple[Any, dict]) -> None:
    client, desc = finished
    jobs = summaries(client, NAME)
    assert [int(j["TrainingJobName"].split("-")[-2]) for j in jobs] == [1, 2, 3, 4, 5]
    assert all(re.fullmatch(rf"{NAME}-\d{{3}}-[0-9a-f]{{8}}", j["TrainingJobName"]) for j in jobs)
    values = [j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for j in jobs]
    best = desc["BestTrainingJob"]
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == min(values)
    assert len({tuple(sorted(j["TunedHyperParameters"].items())) for j in jobs}) == 5


def test_tuned_values_within_ranges(finished: tuple[Any, dict]) -> None:
    client, _ = finished
    for job in summaries(client, NAME):
        tuned = job["TunedHyperParameters"]
        assert set(tuned) == {"x", "epochs", "opt"}
        assert 0.0 <= float(tuned["x"]) <= 1.0
        assert tuned["epochs"] in {"2", "3", "4"}
        assert tuned["opt"] in {'"sgd"', '"adam"'}


def _seen(describe: dict[str, Any]) -> dict[str, Any]:
    return json.loads((Path(describe["LocalJobDir"]) / "output" / "data" / "seen.json").read_text())


def test_script_sees_what_sagemaker_passes(finished: tuple[Any, dict]) -> None:
    client, _ = finished
    job = summaries(client, NAME)[0]
    tuned = job["TunedHyperParameters"]
    described = client.describe_training_job(TrainingJobName=job["TrainingJobName"])
    seen = _seen(described)
    hps = seen["hyperparameters.json"]
    assert all(isinstance(v, str) for v in hps.values())
    assert hps["x"] == tuned["x"] and hps["opt"] == tuned["opt"] and hps["_tuning_objective_metric"] == "loss"
    # sorted --key value args, JSON-decoded values, reserved keys left out, 1-char keys as -k (§9)
    expected = [
        "--epochs",
        tuned["epochs"],
        "--flag",
        "True",
        "--layers",
        "[1, 2]",
        "-n",
        "007",
        "--opt",
        tuned["opt"].strip('"'),
        "--sleep",
        "0.1",
        "-x",
        str(float(tuned["x"])),
    ]
    assert seen["argv"] == expected
    env = seen["env"]
    assert env["SM_HP_OPT"] == tuned["opt"].strip('"') and env["SM_HP_FLAG"] == "true"
    assert env["SM_HP_LAYERS"] == "[1,2]" and json.loads(env["SM_HPS"])["x"] == float(tuned["x"])
    assert env["TRAINING_JOB_NAME"] == job["TrainingJobName"]
    assert env["TRAINING_JOB_ARN"] == job["TrainingJobArn"]
    assert env["MY_SETTING"] == "a b;$HOME 'quoted'"  # the request's Environment, passed literally
    assert env["SM_CURRENT_INSTANCE_TYPE"] == "ml.m5.large" and env["SM_CURRENT_HOST"] == "algo-1"  # as on SageMaker
    assert seen["channel"] == ["train.csv"]
    assert seen["resourceconfig.json"]["current_instance_type"] == "ml.m5.large"
    assert int(env["OMP_NUM_THREADS"]) == len(seen["affinity"])


def test_describe_training_job(finished: tuple[Any, dict]) -> None:
    client, desc = finished
    name = desc["BestTrainingJob"]["TrainingJobName"]
    job = client.describe_training_job(TrainingJobName=name)
    assert_shape("DescribeTrainingJob", job)
    assert job["TuningJobArn"] == desc["HyperParameterTuningJobArn"]
    assert job["TrainingJobStatus"] == "Completed" and job["SecondaryStatus"] == "Completed"
    assert job["HyperParameters"]["_tuning_objective_metric"] == "loss"
    assert (
        job["HyperParameters"]["sagemaker_submit_directory"]
        == '"s3://amt-hydra-test/jobs/code/sourcedir.tar.gz"'
    )
    assert job["ResourceConfig"] == {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5}
    metrics = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert metrics["loss"] == desc["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    assert 0 < metrics["accuracy"] < 1  # from stderr
    log = Path(job["LocalLogPath"]).read_text()
    assert "\tloss: " in log  # the log keeps the tab; matching saw #011
    epochs = int(job["HyperParameters"]["epochs"])
    assert log.count("\tloss: ") == epochs


def test_list_sorting_filtering_paging(finished: tuple[Any, dict]) -> None:
    client, _ = finished
    first = client.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=NAME)
    assert_shape("ListTrainingJobsForHyperParameterTuningJob", first)
    assert len(first["TrainingJobSummaries"]) == 5 and "NextToken" not in first  # default MaxResults 10
    paged = summaries(client, NAME)
    names = [j["TrainingJobName"] for j in paged]
    assert names == sorted(names)
    pages = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = client.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=NAME, MaxResults=2, SortOrder="Descending", **extra
        )
        pages.append([j["TrainingJobName"] for j in page["TrainingJobSummaries"]])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1] and sum(pages, []) == names[::-1]
    by_value = summaries(client, NAME, SortBy="FinalObjectiveMetricValue")
    values = [j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for j in by_value]
    assert values == sorted(values)
    assert summaries(client, NAME, StatusEquals="Failed") == []
    assert len(summaries(client, NAME, StatusEquals="Completed")) == 5
    by_time = summaries(client, NAME, SortBy="CreationTime")
    assert [j["CreationTime"] for j in by_time] == sorted(j["CreationTime"] for j in by_time)
