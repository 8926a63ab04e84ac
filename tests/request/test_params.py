"""The walk in `amt_hydra.request.params` reports exactly what botocore's `ParamValidator` reports."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import ParamValidator

from amt_hydra.request import params
from amt_hydra.request.service_model import description
from amt_hydra.request.validate import OPERATION, problems
from tests.request.mutations import mutations, sample

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def botocore_input() -> object:
    return botocore.session.get_session().get_service_model("sagemaker").operation_model(OPERATION).input_shape


def test_the_type_tables_are_param_validators() -> None:
    assert params.SCALAR_TYPES == ParamValidator.SCALAR_TYPES
    assert params.CONTAINER_TYPES == ParamValidator.CONTAINER_TYPES
    assert set(params._CONSTRAINTS) == ParamValidator.VALIDATED_METADATA_ATTRS


@pytest.mark.parametrize("base", ["mnist", "xgboost_fallbacks", "every-member"])
def test_every_wrong_request_gets_param_validators_report(base: str, botocore_input: object) -> None:
    model = description(OPERATION)
    shapes, top = model["shapes"], params.resolve(model["shapes"], model["operations"][OPERATION]["input"])
    assert params.covers(shapes)
    request = sample(botocore_input) if base == "every-member" else json.loads((GOLDEN / f"{base}.json").read_text())
    checked = 0
    for wrong in mutations(request):
        expected = ParamValidator().validate(wrong, botocore_input)._errors
        assert params.errors(wrong, top, shapes) == expected, wrong
        checked += bool(expected)
    assert checked > 1000


def test_a_model_beyond_the_walk_is_left_to_botocore() -> None:
    assert not params.covers({"T": {"type": "timestamp"}})
    assert not params.covers({"S": {"type": "structure", "members": {"d": {"shape": "D"}}}, "D": {
        "type": "structure", "document": True}})
    assert not params.covers({"H": {"type": "string", "jsonvalue": True, "location": "header"}})
    assert params.covers({"S": {"type": "structure", "members": {"n": {"shape": "N", "box": True}}},
                          "N": {"type": "integer", "min": 1}})


def test_patterns_read_as_java_does() -> None:
    """Java's \\d is ASCII (Arabic-Indic digits are not an account id); \\p{L} is every script's letters."""
    request = json.loads((GOLDEN / "xgboost_fallbacks.json").read_text())
    definition = request["TrainingJobDefinition"]
    definition["RoleArn"] = "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/SageMakerRole"
    assert [p for p, _ in problems(request)] == [".TrainingJobDefinition.RoleArn"]
    definition["RoleArn"] = "arn:aws:iam::123456789012:role/SageMakerRole"
    request["Tags"] = [{"Key": "équipe", "Value": "日本 ünïcode"}]
    assert problems(request) == []
    request["Tags"] = [{"Key": "team", "Value": "a\u0007bell"}]
    assert [p for p, _ in problems(request)] == [".Tags[0].Value"]


def test_the_fallback_to_param_validator_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model the walk does not cover goes to botocore's `ParamValidator`: same problems, same sentences."""
    from amt_hydra.request import validate

    shapes, top, covered = validate._model()
    assert covered
    wrong = [r for r in mutations(json.loads((GOLDEN / "mnist.json").read_text())) if isinstance(r, dict)]
    walked = [problems(request) for request in wrong]
    monkeypatch.setattr(validate, "_model", lambda: (shapes, top, False))
    assert [problems(request) for request in wrong] == walked
