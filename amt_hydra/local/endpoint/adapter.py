"""A dispatch over `LocalSageMakerClient`: the operation becomes the boto3 method, its errors service errors.

This is the one place that knows the client's Python surface; a table of per-operation handlers can
replace it without touching the transports.
"""

from __future__ import annotations

from typing import Any

from amt_hydra.local.endpoint.errors import VALIDATION, Dispatch, ServiceError, unknown_operation

SUPPORTED_OPERATIONS = frozenset(
    {
        "CreateHyperParameterTuningJob",
        "DescribeHyperParameterTuningJob",
        "StopHyperParameterTuningJob",
        "ListHyperParameterTuningJobs",
        "ListTrainingJobsForHyperParameterTuningJob",
        "DescribeTrainingJob",
    }
)


def client_dispatch(client: Any) -> Dispatch:
    """`dispatch(op, params)` = `client.<xform_name(op)>(**params)`; ClientError and ParamValidationError
    become `ServiceError`s (the latter as `ValidationException`, which the service answers for them)."""
    from botocore import xform_name
    from botocore.exceptions import ClientError, ParamValidationError

    def dispatch(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation not in SUPPORTED_OPERATIONS:
            raise unknown_operation(operation)
        try:
            response = getattr(client, xform_name(operation))(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise ServiceError(error.get("Code", VALIDATION), error.get("Message", "")) from None
        except ParamValidationError as exc:
            report = str(exc.kwargs.get("report", exc)).strip()
            raise ServiceError(VALIDATION, " ".join(report.split("\n"))) from None
        return {k: v for k, v in response.items() if k != "ResponseMetadata"}

    return dispatch
