"""Request variants: several training job definitions, code as a local tarball, an engine error."""

from __future__ import annotations

import copy
import tarfile
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.engine.worker import run_engine
from amt_hydra.local.store import write_json
from tests.local.conftest import CODE_URI, X_RANGE, make_request, run_job, summaries


def _multi(name: str, strategy: str, ranges: dict[str, dict], max_jobs: int | None) -> dict:
    request = make_request(name, strategy=strategy, max_jobs=max_jobs)
    config = request["HyperParameterTuningJobConfig"]
    objective = config.pop("HyperParameterTuningJobObjective")
    config.pop("ParameterRanges")
    single = request.pop("TrainingJobDefinition")
    request["TrainingJobDefinitions"] = [
        {
            **copy.deepcopy(single),
            "DefinitionName": label,
            "TuningObjective": objective,
            "HyperParameterRanges": {
                "ContinuousParameterRanges": [],
                "IntegerParameterRanges": [],
                "CategoricalParameterRanges": [],
                **spec,
            },
        }
        for label, spec in ranges.items()
    ]
    return request


def test_grid_over_two_definitions(client: LocalSageMakerClient) -> None:
    request = _multi(
        "multi-1",
        "Grid",
        {
            "first": {"CategoricalParameterRanges": [{"Name": "opt", "Values": ["a", "b"]}]},
            "second": {"CategoricalParameterRanges": [{"Name": "x", "Values": ["0.1", "0.2", "0.3"]}]},
        },
        None,
    )
    desc = run_job(client, request)
    assert desc["HyperParameterTuningJobStatus"] == "Completed"
    jobs = summaries(client, "multi-1")
    got = sorted((j["TrainingJobDefinitionName"], tuple(j["TunedHyperParameters"].items())) for j in jobs)
    assert got == sorted(
        [("first", (("opt", v),)) for v in "ab"] + [("second", (("x", v),)) for v in ("0.1", "0.2", "0.3")]
    )


def test_random_over_two_definitions_samples_each_space(client: LocalSageMakerClient) -> None:
    request = _multi(
        "multi-2",
        "Random",
        {
            "first": {"ContinuousParameterRanges": X_RANGE},
            "second": {"IntegerParameterRanges": [{"Name": "epochs", "MinValue": "1", "MaxValue": "4"}]},
        },
        6,
    )
    for definition in request["TrainingJobDefinitions"]:
        if definition["DefinitionName"] == "second":
            del definition["StaticHyperParameters"]["epochs"]
    assert run_job(client, request)["HyperParameterTuningJobStatus"] == "Completed"
    for job in summaries(client, "multi-2"):
        expected = {"first": {"x"}, "second": {"epochs"}}[job["TrainingJobDefinitionName"]]
        assert set(job["TunedHyperParameters"]) == expected


def test_code_as_a_local_tarball(client_factory, source_dir: Path, copies: dict, tmp_path: Path) -> None:
    tarball = tmp_path / "sourcedir.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(source_dir / "train.py", arcname="train.py")
    client = client_factory(local_copies={**copies, CODE_URI: str(tarball)})
    desc = run_job(client, make_request("tarball-1", max_jobs=1, parallel=1, continuous=X_RANGE))
    assert desc["ObjectiveStatusCounters"]["Succeeded"] == 1


def test_engine_error_fails_the_tuning_job(client_factory) -> None:
    client = client_factory(spawn_engine=False)
    client.create_hyper_parameter_tuning_job(**make_request("broken-1", continuous=X_RANGE))
    job = client.store.find("broken-1")
    write_json(job.path / "request.json", {"HyperParameterTuningJobName": "broken-1"})  # corrupt the store
    assert run_engine(client.store.root, "broken-1") == 1
    tuning = job.tuning()
    assert tuning["status"] == "Failed" and tuning["failure_reason"].startswith(
        "InternalServerError: local engine"
    )


def test_early_stopping_needs_a_single_definition(client: LocalSageMakerClient) -> None:
    request = _multi(
        "multi-3",
        "Random",
        {"first": {"ContinuousParameterRanges": X_RANGE}, "second": {"ContinuousParameterRanges": X_RANGE}},
        2,
    )
    request["HyperParameterTuningJobConfig"]["TrainingJobEarlyStoppingType"] = "Auto"
    with pytest.raises(ClientError, match="only when tuning a single algorithm"):
        client.create_hyper_parameter_tuning_job(**request)
