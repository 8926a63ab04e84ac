"""SageMaker's wire protocol (AWS JSON 1.1), shared by both transports.

A request is a POST with `X-Amz-Target: SageMaker.<Operation>` and a JSON body; the answer is JSON with
`x-amzn-RequestId`, or `{"__type": code, "message": ...}` with HTTP 400 for an error. Bodies are read and
written along botocore's own input/output shapes: timestamps are epoch seconds on the wire and datetimes
for the dispatch, blobs base64. Keys the shape does not know are passed through (botocore ignores them).
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import functools
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amt_hydra.local.endpoint.errors import INTERNAL, SERIALIZATION, Dispatch, ServiceError, unknown_operation

CONTENT_TYPE = "application/x-amz-json-1.1"
NON_FINITE = ("NaN", "Infinity", "-Infinity")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, headers (as the service sends them) and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


@functools.lru_cache(maxsize=1)
def session() -> Any:
    """This process's botocore session: its loader parses SageMaker's model (~0.1 s) once for the in-process
    client, the wire and the validation alike."""
    import botocore.session

    return botocore.session.get_session()


@functools.lru_cache(maxsize=1)
def service_model() -> Any:
    return session().get_service_model("sagemaker")


def answer(dispatch: Dispatch, target: str | None, body: bytes | str | None) -> Reply:
    """Answer one request: decode it, dispatch it, encode the response or the error."""
    request_id = str(uuid.uuid4())
    try:
        operation = _operation(target or "")
        params = _decode(operation.input_shape, _parse_body(body))
        output = _encode(operation.output_shape, dispatch(operation.name, params))
        return _reply(200, output, request_id)
    except ServiceError as exc:
        return _reply(exc.status, {"__type": exc.code, "message": exc.message}, request_id)
    except Exception as exc:  # a bug in a handler: the service's 500, with the traceback in the log
        log.exception("request %s (%s) failed", request_id, target)
        return _reply(500, {"__type": INTERNAL, "message": f"local engine error: {exc}"}, request_id)


def _operation(target: str) -> Any:
    model = service_model()
    prefix, _, name = target.partition(".")
    if prefix != model.metadata["targetPrefix"] or name not in model.operation_names:
        raise unknown_operation(name or target)
    return model.operation_model(name)


def _parse_body(body: bytes | str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError as exc:
        raise ServiceError(SERIALIZATION, f"The request body is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise ServiceError(SERIALIZATION, "The request body must be a JSON object.")
    return parsed


def _reply(status: int, body: Mapping[str, Any], request_id: str) -> Reply:
    data = json.dumps(body, separators=(",", ":"), default=_plain).encode()
    headers = {
        "x-amzn-RequestId": request_id,
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(data)),
        "Date": email.utils.formatdate(usegmt=True),
    }
    return Reply(status, headers, data)


def _decode(shape: Any, value: Any) -> Any:
    """Wire JSON -> what a boto3 caller passes (datetimes, bytes), along the input shape."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: _decode(shape.members.get(k), v) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_decode(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _decode(shape.value, v) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return _timestamp(value)
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    if kind in ("float", "double") and value in NON_FINITE:
        return float(value)  # botocore sends them as strings
    return value  # wrong types stay as sent: botocore's validation of the params reports them


def _timestamp(value: int | float | str) -> dt.datetime:
    from botocore.utils import parse_timestamp

    try:
        return parse_timestamp(value).astimezone(dt.timezone.utc)
    except (ValueError, TypeError):
        raise ServiceError(SERIALIZATION, f"Invalid timestamp: {value!r}") from None


def _encode(shape: Any, value: Any) -> Any:
    """A response value -> wire JSON, along the output shape (unknown keys: plain JSON)."""
    if shape is None:
        return _jsonable(value)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        return {k: _encode(shape.members.get(k), v) for k, v in value.items() if v is not None}
    if kind == "list" and isinstance(value, (list, tuple)):
        return [_encode(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, Mapping):
        return {k: _encode(shape.value, v) for k, v in value.items()}
    if kind == "blob" and isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return _plain(value) if isinstance(value, (dt.datetime, dt.date, bytes)) else value


def _plain(value: Any) -> Any:
    """Epoch seconds for datetimes (naive ones are UTC), base64 for bytes, str for anything else."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
    if isinstance(value, dt.date):
        return _plain(dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc))
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)
