"""The one table of operations: SageMaker operation name -> handler, and how a call goes through it.

`invoke` checks the parameters with botocore's own model (`ParamValidationError`, as boto3 raises before
sending), calls the handler and adds `ResponseMetadata`. `LocalSageMakerClient` calls it; a server in
front of the engine can dispatch on the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from amt_hydra.local.api import errors as err
from amt_hydra.local.api import handlers, listing
from amt_hydra.local.api.context import ApiContext
from amt_hydra.local.store import DamagedStoreError

Handler = Callable[[ApiContext, Mapping[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    "CreateHyperParameterTuningJob": handlers.create_hyper_parameter_tuning_job,
    "DescribeHyperParameterTuningJob": handlers.describe_hyper_parameter_tuning_job,
    "ListTrainingJobsForHyperParameterTuningJob": listing.list_training_jobs_for_hyper_parameter_tuning_job,
    "DescribeTrainingJob": handlers.describe_training_job,
    "StopHyperParameterTuningJob": handlers.stop_hyper_parameter_tuning_job,
    "ListHyperParameterTuningJobs": listing.list_hyper_parameter_tuning_jobs,
    "ResumeHyperParameterTuningJob": handlers.resume_hyper_parameter_tuning_job,
}
# Not in SageMaker's service model, so botocore cannot check their parameters.
LOCAL_ONLY = frozenset({"ResumeHyperParameterTuningJob"})


def invoke(ctx: ApiContext, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate `params`, run the operation's handler, return boto3's response (with ResponseMetadata)."""
    if operation not in LOCAL_ONLY:
        err.validate_params(operation, params)
    try:
        response = OPERATIONS[operation](ctx, params)
    except DamagedStoreError as e:  # one job's damaged file: a one-line error, never a traceback
        raise err.client_error(err.VALIDATION, str(e), operation) from None
    return {**response, "ResponseMetadata": err.response_metadata()}
