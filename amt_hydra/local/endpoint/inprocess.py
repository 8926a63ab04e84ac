"""The in-process transport: a real botocore SageMaker client whose requests never leave the process.

botocore signs and sends each request through its `before-send` event; answering that event with an
`AWSResponse` (as moto's in-process mode does) skips the network. The answer comes from the same `wire`
the HTTP server uses, so paginators, `client.exceptions`, `client.meta` and `ResponseMetadata` behave
exactly as over HTTP.
"""

from __future__ import annotations

import functools
import io
import uuid
from collections.abc import Iterator
from typing import Any

import amt_hydra.local.endpoint.wire as wire
from amt_hydra.local.endpoint.errors import Dispatch

ENDPOINT_URL = "http://amt-hydra.localhost"  # never contacted; names the endpoint in errors and URLs


class _Body(io.BytesIO):
    """The raw stream botocore reads a response body from (`AWSResponse.content` calls `stream()`)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def inprocess_client(
    dispatch: Dispatch, region: str = "us-east-1", session: Any = None, base: type | None = None
) -> Any:
    """A botocore `sagemaker` client answered by `dispatch` in this process (any credentials work).

    `session`: a `botocore.session.Session` to create it from (e.g. `boto3.Session()._session`).
    `base`: a class the client's class also derives from (methods beyond SageMaker's; its `__init__`
    is not called). The client's config (retries included) is botocore's default, as over HTTP.
    """
    session = session or wire.session()
    unique_id = f"amt-hydra-base-{uuid.uuid4()}"
    if base is not None:  # only while this client's class is made: the session may make others
        session.register("creating-client-class.sagemaker", functools.partial(_add_base, base), unique_id=unique_id)
    try:
        client = session.create_client(
            "sagemaker",
            region_name=region,
            endpoint_url=ENDPOINT_URL,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
    finally:
        session.unregister("creating-client-class.sagemaker", unique_id=unique_id)
    client.meta.events.register("before-send.sagemaker", functools.partial(_answer, dispatch))
    return client


def _add_base(base: type, base_classes: list[type], **_: Any) -> None:
    base_classes.insert(0, base)


def _answer(dispatch: Dispatch, request: Any, **_: Any) -> Any:
    from botocore.awsrequest import AWSResponse

    target = request.headers.get("X-Amz-Target")  # botocore keeps header values as bytes here
    reply = wire.answer(dispatch, target.decode() if isinstance(target, bytes) else target, request.body)
    return AWSResponse(request.url, reply.status, reply.headers, _Body(reply.body))
