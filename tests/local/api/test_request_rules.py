"""The local engine refuses the same bad requests the config boundary refuses (rules from amt_hydra.semantics).

Each case changes one field of a valid request, whoever wrote it (a boto3 user, not our renderer), and expects
SageMaker's answer: a ValidationException naming the request field and the rule, and no job in the store.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.request_rules import request_problems
from tests.local.conftest import X_RANGE, make_request

Request = dict[str, Any]


def _config(r: Request) -> Request:
    return r["HyperParameterTuningJobConfig"]


def _definition(r: Request) -> Request:
    return r["TrainingJobDefinition"]


def _x(r: Request) -> Request:
    return _config(r)["ParameterRanges"]["ContinuousParameterRanges"][0]


def _add_range(kind: str, item: Request) -> Callable[[Request], None]:
    return lambda r: _config(r)["ParameterRanges"][kind].append(item)


CASES: list[tuple[str, Callable[[Request], None], str]] = [
    ("max-nan", lambda r: _x(r).update(MaxValue="nan"), "ContinuousParameterRanges[0]: 'x': bounds must be finite"),
    ("min-inf", lambda r: _x(r).update(MinValue="-inf"), "-inf is not a finite number"),
    ("int-64bit", _add_range("IntegerParameterRanges", {"Name": "n", "MinValue": "1", "MaxValue": "9999999999"}),
     "9999999999 does not fit a 32-bit integer"),
    ("int-fraction", _add_range("IntegerParameterRanges", {"Name": "n", "MinValue": "1", "MaxValue": "2.5"}),
     "MinValue and MaxValue must be integer numbers"),
    ("scaling-typo", lambda r: _x(r).update(ScalingType="Logg"), "scaling 'Logg' is not one of"),
    ("min-over-max", lambda r: _x(r).update(MinValue="2.0"), "min (2.0) must be less than max (1.0)"),
    ("reverse-log-int", _add_range("IntegerParameterRanges", {"Name": "n", "MinValue": "1", "MaxValue": "3",
                                                              "ScalingType": "ReverseLogarithmic"}),
     "ReverseLogarithmic scaling needs a continuous range"),
    ("tuned-dashes", lambda r: _x(r).update(Name="--x"), "'--x' cannot be passed to a training script"),
    ("tuned-reserved", lambda r: _x(r).update(Name="sagemaker_program"), "is reserved for SageMaker"),
    ("tuned-and-static", lambda r: _x(r).update(Name="epochs"), "'epochs' is both static and tuned"),
    ("duplicate-range", _add_range("CategoricalParameterRanges", {"Name": "x", "Values": ["a", "b"]}),
     "appears in more than one range"),
    ("categorical-31", _add_range("CategoricalParameterRanges", {"Name": "c", "Values": [str(i) for i in range(31)]}),
     "31 categorical values; AMT allows at most 30"),
    ("categorical-duplicates", _add_range("CategoricalParameterRanges", {"Name": "c", "Values": ["a", "a"]}),
     "categorical values must be distinct"),
    ("static-objective", lambda r: _definition(r)["StaticHyperParameters"].update(_tuning_objective_metric="x"),
     "StaticHyperParameters._tuning_objective_metric: is reserved"),
    ("static-equals", lambda r: _definition(r)["StaticHyperParameters"].update({"a=b": "1"}), "'a=b' cannot be"),
    ("program-absolute", lambda r: _definition(r)["StaticHyperParameters"].update(sagemaker_program='"/etc/passwd"'),
     "'/etc/passwd' must be a relative path inside the source dir"),
    ("program-parent", lambda r: _definition(r)["StaticHyperParameters"].update(sagemaker_program="../x.py"),
     "'../x.py' must be a relative path"),
    ("env-job-name", lambda r: _definition(r)["Environment"].update(TRAINING_JOB_NAME="other"),
     "Environment.TRAINING_JOB_NAME: TRAINING_JOB_NAME is reserved"),
    ("env-sm", lambda r: _definition(r)["Environment"].update(SM_MODEL_DIR="/"), "SM_MODEL_DIR is reserved"),
    ("env-base-dir", lambda r: _definition(r)["Environment"].update(SAGEMAKER_BASE_DIR="/"), "is reserved"),
    ("channel-dotdot", lambda r: _definition(r)["InputDataConfig"][0].update(ChannelName=".."),
     "InputDataConfig[0].ChannelName: channel name '..'"),
    ("instance-count-zero", lambda r: _definition(r)["ResourceConfig"].update(InstanceCount=0),
     "ResourceConfig.InstanceCount: instance count must be at least 1"),
    ("tag-aws", lambda r: r["Tags"].append({"Key": "aws:team", "Value": "x"}), "Tags[1].Key: tag key 'aws:team'"),
    ("target-nan",
     lambda r: _config(r).update(TuningJobCompletionCriteria={"TargetObjectiveMetricValue": float("nan")}),
     "TargetObjectiveMetricValue: nan is not a finite number"),
    ("regex-nested", lambda r: _definition(r)["AlgorithmSpecification"]["MetricDefinitions"][0].update(
        Regex="loss: ((?:[0-9]+)+)"), "nests an unbounded quantifier"),
    ("regex-two-groups", lambda r: _definition(r)["AlgorithmSpecification"]["MetricDefinitions"][1].update(
        Regex="(a)(b)"), "must have exactly one capture group, has 2"),
    ("regex-lazy", lambda r: _definition(r)["AlgorithmSpecification"]["MetricDefinitions"][0].update(
        Regex="loss: (.*?)"), "the capture group can match an empty string"),
    ("parallel-over-jobs", lambda r: _config(r)["ResourceLimits"].update(MaxParallelTrainingJobs=9),
     "MaxParallelTrainingJobs (9) must not exceed max_jobs (4)"),
    ("hyperband-min-over-max", lambda r: _config(r).update(
        Strategy="Hyperband", StrategyConfig={"HyperbandStrategyConfig": {"MinResource": 5, "MaxResource": 3}}),
     "MinResource: min_resource (5) must not exceed max_resource (3)"),
    ("hyperband-fraction-epochs", lambda r: (_config(r).update(Strategy="Hyperband"),
                                             _definition(r)["StaticHyperParameters"].update(epochs="1.5")),
     "MaxResource parameter is not provided and could not be inferred"),
]


@pytest.mark.parametrize(("change", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_local_client_refuses(client: LocalSageMakerClient, change: Callable[[Request], None],
                              fragment: str) -> None:
    request = make_request("bad-request", continuous=copy.deepcopy(X_RANGE))
    change(request)
    with pytest.raises(ClientError) as excinfo:
        client.create_hyper_parameter_tuning_job(**request)
    error = excinfo.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert fragment in error["Message"]
    assert client.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []


def test_a_valid_request_has_no_problems() -> None:
    assert request_problems(make_request("fine", continuous=copy.deepcopy(X_RANGE))) == []


def test_problems_name_the_request_field() -> None:
    request = make_request("paths", continuous=copy.deepcopy(X_RANGE))
    request["TrainingJobDefinition"]["Environment"]["SM_HOSTS"] = "[]"
    path, message = request_problems(request)[0]
    assert path == "TrainingJobDefinition.Environment.SM_HOSTS"
    assert message.startswith("SM_HOSTS is reserved")
