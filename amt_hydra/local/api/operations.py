"""The one table of operations: SageMaker operation name -> handler, and how a call goes through it.

`dispatch(ctx)` is what both transports answer with (the HTTP server and the in-process botocore client
that `LocalSageMakerClient` is): it checks the parameters with botocore's own model, runs the handler and
turns the service's refusals into `ServiceError`s for the wire. `invoke` runs a handler directly, for the
local-only operations that are not in SageMaker's model (botocore cannot send them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from amt_hydra.local.api import errors as err
from amt_hydra.local.api import handlers, listing
from amt_hydra.local.api.context import ApiContext
from amt_hydra.local.endpoint.errors import Dispatch, ServiceError, unknown_operation
from amt_hydra.local.store import DamagedStoreError

Handler = Callable[[ApiContext, Mapping[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    "CreateHyperParameterTuningJob": handlers.create_hyper_parameter_tuning_job,
    "DescribeHyperParameterTuningJob": handlers.describe_hyper_parameter_tuning_job,
    "ListTrainingJobsForHyperParameterTuningJob": listing.list_training_jobs_for_hyper_parameter_tuning_job,
    "DescribeTrainingJob": handlers.describe_training_job,
    "StopHyperParameterTuningJob": handlers.stop_hyper_parameter_tuning_job,
    "ListHyperParameterTuningJobs": listing.list_hyper_parameter_tuning_jobs,
    "ListTags": handlers.list_tags,
    "ResumeHyperParameterTuningJob": handlers.resume_hyper_parameter_tuning_job,
}
# Not in SageMaker's service model: botocore cannot send them, so no transport serves them.
LOCAL_ONLY = frozenset({"ResumeHyperParameterTuningJob"})
SERVED = frozenset(OPERATIONS) - LOCAL_ONLY


def invoke(ctx: ApiContext, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """A local-only operation (botocore cannot send it, nor check its parameters), with ResponseMetadata.

    Every SageMaker operation goes through botocore and `dispatch` instead.
    """
    assert operation in LOCAL_ONLY, operation
    return {**run(ctx, operation, params), "ResponseMetadata": err.response_metadata()}


def run(ctx: ApiContext, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The handler's answer; one job's damaged file in the store is a one-line error, never a traceback."""
    try:
        return OPERATIONS[operation](ctx, params)
    except DamagedStoreError as e:
        raise err.client_error(err.VALIDATION, str(e), operation) from None


def dispatch(ctx: ApiContext) -> Dispatch:
    """`dispatch(operation, params) -> response` over the table, for the transports in endpoint/."""
    from botocore.exceptions import ClientError, ParamValidationError

    def answer(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation not in SERVED:
            raise unknown_operation(operation)
        try:
            err.validate_params(operation, params)  # botocore checked them already; raw HTTP callers did not
            return run(ctx, operation, params)
        except ParamValidationError as exc:
            report = str(exc.kwargs.get("report", exc)).strip()
            raise ServiceError(err.VALIDATION, " ".join(report.split("\n"))) from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise ServiceError(error.get("Code", err.VALIDATION), error.get("Message", "")) from None

    return answer
