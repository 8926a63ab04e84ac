"""boto3 plumbing for the SageMaker launcher: timeouts, one bounded retry budget, errors worth one line.

Two retry layers, one deadline. botocore (adaptive mode: client-side rate limiting, jittered backoff) retries
throttling and transient network errors up to `max_attempts`; `with_retries` backs off further on throttling.
Both stop at the same deadline, `retry_budget_s` after the call began, so they never multiply: an AWS call
gives up after at most `retry_budget_s` plus the attempt in flight (`connect_timeout_s + read_timeout_s`).
"""

from __future__ import annotations

import functools
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from amt_hydra.errors import LaunchError

T = TypeVar("T")
THROTTLING = {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
              "TooManyRequestsException", "ProvisionedThroughputExceededException", "SlowDown",
              "RequestLimitExceeded"}
MAX_BACKOFF_S = 20.0  # botocore's cap on one retry's sleep; ours too
_DEADLINE: ContextVar[float | None] = ContextVar("amt_hydra_aws_deadline", default=None)
_CONTEXT_KEY = "amt_hydra_deadline"
NETWORK_HINT = ("check the network, AWS_ENDPOINT_URL and proxy settings "
                "(launcher.connect_timeout_s, launcher.read_timeout_s, launcher.retry_budget_s)")


def error_code(exc: BaseException) -> str:
    return (getattr(exc, "response", None) or {}).get("Error", {}).get("Code", "")


def with_retries(call: Callable[[], T], budget_s: float = 60.0, attempts: int = 8, base_s: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Retry throttling with capped exponential backoff and full jitter (AWS's recommended scheme).

    No retry starts after `budget_s`; botocore's own retries inside `call` share that deadline.
    """
    deadline = time.monotonic() + budget_s
    token = _DEADLINE.set(min(deadline, _DEADLINE.get() or deadline))
    try:
        for attempt in range(attempts):
            try:
                return call()
            except Exception as exc:
                delay = random.uniform(0, min(MAX_BACKOFF_S, base_s * 2**attempt))
                if (error_code(exc) not in THROTTLING or attempt == attempts - 1
                        or time.monotonic() + delay >= deadline):
                    raise
                sleep(delay)
        raise AssertionError("unreachable")
    finally:
        _DEADLINE.reset(token)


def limit_retries(client: Any, budget_s: float) -> Any:
    """Stop botocore's own retries of every call of `client` once its deadline has passed."""
    def start(context: dict[str, Any], **_: Any) -> None:
        outer = _DEADLINE.get()
        own = time.monotonic() + budget_s
        context[_CONTEXT_KEY] = own if outer is None else min(own, outer)

    def check(request_dict: dict[str, Any], attempts: int, operation: Any, response: Any = None,
              caught_exception: BaseException | None = None, **_: Any) -> None:
        deadline = (request_dict.get("context") or {}).get(_CONTEXT_KEY)
        if deadline is None or time.monotonic() + min(MAX_BACKOFF_S, 2.0 ** (attempts - 1)) < deadline:
            return None  # botocore decides, as usual
        if caught_exception is not None:
            raise caught_exception
        http, parsed = response
        if http.status_code >= 300:  # what botocore raises when it does not retry
            code = (parsed.get("Error") or {}).get("Code", "")
            raise client.exceptions.from_code(code)(parsed, operation.name)
        return None

    client.meta.events.register_first("before-call", start)
    client.meta.events.register_first("needs-retry", check)
    return client


def describe_error(exc: BaseException) -> str:
    """One line for any boto3/botocore error: the service's code, message and request id, or the network cause."""
    from botocore.exceptions import ConnectionError, HTTPClientError

    response: dict[str, Any] = getattr(exc, "response", None) or {}
    if "Error" in response:
        err = response["Error"]
        request_id = response.get("ResponseMetadata", {}).get("RequestId", "-")
        return f"{err.get('Code', type(exc).__name__)}: {_first_line(err.get('Message') or str(exc))} " \
               f"(request id {request_id})"
    message = f"{type(exc).__name__}: {_first_line(str(exc))}"
    cause = re.search(r"\[Errno -?\d+\] ([^)\]'\"]+)", str(getattr(exc, "kwargs", {}).get("error", "")))
    if cause:
        message += f" ({cause.group(1).strip()})"
    if isinstance(exc, (ConnectionError, HTTPClientError)):
        message += f"; {NETWORK_HINT}"
    return message


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else ""


def launch_error(exc: BaseException, job_name: str, action: str) -> LaunchError:
    """One line with the job, then the service's code, message and request id (or the network failure)."""
    return LaunchError(f"{action} {job_name}: {describe_error(exc)}")


def aws_errors() -> tuple[type[BaseException], ...]:
    """What boto3 raises: service errors, botocore's own (network, credentials, region) and boto3's (uploads)."""
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    return (ClientError, BotoCoreError, Boto3Error)


@contextmanager
def one_line(action: str, job_name: str) -> Iterator[None]:
    """Turn any AWS error inside into a LaunchError naming `action` and the job (exit 3 at the CLI)."""
    try:
        yield
    except aws_errors() as exc:
        raise launch_error(exc, job_name, action) from None


class AwsCallError(LaunchError):
    """An AWS call of `OneLineClient` failed: network, credentials, timeouts, or (as AwsServiceError) the service."""


class OneLineClient:
    """A boto3 client whose failures are LaunchErrors: one line and exit 3 at the CLI boundary, never swallowed.

    The service's errors stay `ClientError`s too (same `response`, same codes), so callers that handle a code
    (ResourceNotFound, a failed DescribeTrainingJob) keep working; network, credential and timeout failures
    (botocore's own exceptions) become plain LaunchErrors.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if name.startswith("_") or not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            from botocore.exceptions import ClientError

            try:
                return attr(*args, **kwargs)
            except ClientError as exc:
                raise _service_error()(exc.response, exc.operation_name) from None
            except aws_errors() as exc:
                operation = self.client.meta.method_to_api_mapping.get(name, name)
                raise AwsCallError(f"{operation}: {describe_error(exc)}") from None
        return call


@functools.cache
def _service_error() -> type[Exception]:
    from botocore.exceptions import ClientError

    class AwsServiceError(AwsCallError, ClientError):  # type: ignore[misc]
        """A service error: a ClientError to callers, a one-line LaunchError at the CLI boundary."""

        def __str__(self) -> str:
            return f"{self.operation_name}: {describe_error(self)}"

    return AwsServiceError


def session(region: str | None) -> Any:
    """A boto3 session; credentials and region resolve the boto3 way (env, profile, instance role)."""
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        sess = boto3.session.Session(region_name=region) if region else boto3.session.Session()
        credentials = sess.get_credentials() if sess.region_name else None
    except BotoCoreError as exc:  # a missing profile, an unreadable config, a failing credential process
        raise LaunchError(f"AWS session: {describe_error(exc)}") from None
    if not sess.region_name:
        raise LaunchError("no AWS region: set region=<name> or AWS_REGION (or a profile's region)")
    if credentials is None:
        raise LaunchError("no AWS credentials: configure a profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                          "or an instance role")
    return sess


def client_config(max_attempts: int, connect_timeout_s: float = 10.0, read_timeout_s: float = 30.0) -> Any:
    from botocore.config import Config

    return Config(retries={"max_attempts": max_attempts, "mode": "adaptive"}, user_agent_extra="amt-hydra",
                  connect_timeout=connect_timeout_s, read_timeout=read_timeout_s)
