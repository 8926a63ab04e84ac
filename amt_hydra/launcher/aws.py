"""boto3 plumbing for the SageMaker launcher: sessions, retries, and errors worth one line."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from amt_hydra.errors import LaunchError

T = TypeVar("T")
THROTTLING = {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
              "TooManyRequestsException", "ProvisionedThroughputExceededException", "SlowDown",
              "RequestLimitExceeded"}


def error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def with_retries(call: Callable[[], T], attempts: int = 8, base_s: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Retry throttling with capped exponential backoff and full jitter (AWS's recommended scheme)."""
    from botocore.exceptions import ClientError

    for attempt in range(attempts):
        try:
            return call()
        except ClientError as exc:
            if error_code(exc) not in THROTTLING or attempt == attempts - 1:
                raise
            sleep(random.uniform(0, min(20.0, base_s * 2**attempt)))
    raise AssertionError("unreachable")


def launch_error(exc: Exception, job_name: str, action: str) -> LaunchError:
    """One line with the job, the service's code and message, and the request id to quote to AWS."""
    response: dict[str, Any] = getattr(exc, "response", {}) or {}
    err = response.get("Error", {})
    request_id = response.get("ResponseMetadata", {}).get("RequestId", "-")
    message = (err.get("Message") or str(exc) or "").strip().splitlines()
    message = message[0][:300] if message else ""
    return LaunchError(f"{action} {job_name}: {err.get('Code', type(exc).__name__)}: {message} "
                       f"(request id {request_id})")


def session(region: str | None) -> Any:
    """A boto3 session; credentials and region resolve the boto3 way (env, profile, instance role)."""
    import boto3

    sess = boto3.session.Session(region_name=region) if region else boto3.session.Session()
    if not sess.region_name:
        raise LaunchError("no AWS region: set region=<name> or AWS_REGION (or a profile's region)")
    if sess.get_credentials() is None:
        raise LaunchError("no AWS credentials: configure a profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                          "or an instance role")
    return sess


def client_config(max_attempts: int) -> Any:
    from botocore.config import Config

    return Config(retries={"max_attempts": max_attempts, "mode": "adaptive"}, user_agent_extra="amt-hydra")
