"""Errors shaped like boto3's: client-side `ParamValidationError` from botocore's own model, and
`ClientError` with SageMaker's codes for what the service would refuse."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

RESOURCE_NOT_FOUND = "ResourceNotFound"
RESOURCE_IN_USE = "ResourceInUse"
VALIDATION = "ValidationException"


def response_metadata(status: int = 200) -> dict[str, Any]:
    return {"RequestId": str(uuid.uuid4()), "HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}


def client_error(code: str, message: str, operation: str) -> ClientError:
    status = 404 if code == RESOURCE_NOT_FOUND else 400
    body = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": response_metadata(status)}
    return ClientError(body, operation)  # type: ignore[arg-type]


def tuning_job_not_found(name: str, operation: str) -> ClientError:
    return client_error(
        RESOURCE_NOT_FOUND, f"Amazon SageMaker can't find a tuning job with name {name}", operation
    )


def name_in_use(name: str, operation: str) -> ClientError:
    message = f"A hyperparameter tuning job with the name, {name}, already exists. Choose a different name."
    return client_error(RESOURCE_IN_USE, message, operation)


def constraint(operation: str, value: Any, member: str, rule: str) -> ClientError:
    """The service's message for a request member that breaks a model constraint botocore does not check."""
    message = (
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}"
    )
    return client_error(VALIDATION, message, operation)


def check_constraints(operation: str, params: Mapping[str, Any]) -> None:
    """The model's constraints botocore leaves to the service (enum, maximum, length, pattern) on the
    top-level members: the first broken one is the service's ValidationException."""
    shape = _service_model().operation_model(operation).input_shape
    for name, value in params.items():
        member = shape.members.get(name)
        rule = _broken(member, value) if member is not None else None
        if rule is not None:
            raise constraint(operation, value, name[0].lower() + name[1:], rule)


def _broken(member: Any, value: Any) -> str | None:
    meta = member.metadata
    if meta.get("enum") and value not in meta["enum"]:
        return f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]"
    if member.type_name == "integer" and "max" in meta and value > meta["max"]:
        return f"Member must have value less than or equal to {meta['max']}"
    if member.type_name != "string" or not isinstance(value, str):
        return None
    if "max" in meta and len(value) > meta["max"]:
        return f"Member must have length less than or equal to {meta['max']}"
    if value and "pattern" in meta and re.fullmatch(meta["pattern"], value) is None:
        return f"Member must satisfy regular expression pattern: {meta['pattern']}"
    return None


def _service_model() -> Any:
    from amt_hydra.local.endpoint.wire import service_model

    return service_model()


def validate_params(operation: str, params: Mapping[str, Any]) -> None:
    """Check `params` as boto3 does before sending (required, types, minimums): ParamValidationError."""
    from botocore.validate import validate_parameters

    validate_parameters(dict(params), _service_model().operation_model(operation).input_shape)


def output_shape(operation: str) -> Any:
    """The botocore output shape of an operation (used by the conformance tests)."""
    return _service_model().operation_model(operation).output_shape
