"""The in-process transport: a real botocore SageMaker client whose requests never leave the process.

botocore signs and sends each request through its `before-send` event; answering that event with an
`AWSResponse` (as moto's in-process mode does) skips the network. The answer comes from the same `wire`
the HTTP server uses, so paginators, `client.exceptions`, `client.meta` and `ResponseMetadata` behave
exactly as over HTTP.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from typing import Any

import amt_hydra.local.endpoint.wire as wire
from amt_hydra.local.endpoint.errors import Dispatch

ENDPOINT_URL = "http://amt-hydra.localhost"  # never contacted; names the endpoint in errors and URLs


class _Body(io.BytesIO):
    """The raw stream botocore reads a response body from (`AWSResponse.content` calls `stream()`)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def inprocess_client(dispatch: Dispatch, region: str = "us-east-1", session: Any = None) -> Any:
    """A botocore `sagemaker` client answered by `dispatch` in this process (any credentials work).

    `session`: a `botocore.session.Session` to create it from (e.g. `boto3.Session()._session`).
    """
    import botocore.session

    session = session or botocore.session.Session()
    client = session.create_client(
        "sagemaker",
        region_name=region,
        endpoint_url=ENDPOINT_URL,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    client.meta.events.register("before-send.sagemaker", functools.partial(_answer, dispatch))
    return client


def _answer(dispatch: Dispatch, request: Any, **_: Any) -> Any:
    from botocore.awsrequest import AWSResponse

    target = request.headers.get("X-Amz-Target")  # botocore keeps header values as bytes here
    reply = wire.answer(dispatch, target.decode() if isinstance(target, bytes) else target, request.body)
    return AWSResponse(request.url, reply.status, reply.headers, _Body(reply.body))
