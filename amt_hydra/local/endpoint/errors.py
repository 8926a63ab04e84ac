"""The dispatch contract and the one error it raises: a service error, as SageMaker's wire shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Dispatch = Callable[[str, dict[str, Any]], dict[str, Any]]
"""`dispatch(operation_name, params) -> response`: params as boto3 takes them (datetimes for timestamps),
the response as boto3 returns it without `ResponseMetadata` (extra keys are sent too; botocore drops them)."""

VALIDATION = "ValidationException"
UNKNOWN_OPERATION = "UnknownOperationException"
SERIALIZATION = "SerializationException"
INTERNAL = "InternalFailure"


class ServiceError(Exception):
    """A refusal by the service: sent as `{"__type": code, "message": message}` with HTTP `status`.

    SageMaker's model gives its errors no HTTP status, and the service answers every client error with 400.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def unknown_operation(operation: str) -> ServiceError:
    return ServiceError(UNKNOWN_OPERATION, f"Operation {operation or '(none)'} is not supported by this endpoint.")
