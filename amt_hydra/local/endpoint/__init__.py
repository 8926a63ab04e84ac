"""The local engine as a SageMaker endpoint: one dispatcher, two transports.

A *dispatch* is `dispatch(operation_name, params) -> response dict`, raising `ServiceError`. `wire` turns
it into SageMaker's JSON 1.1 protocol (request -> params, response dict -> body, errors -> `__type`); the
HTTP server (`http_server`) and the in-process botocore client (`inprocess`) both answer through `wire`, so
the two transports cannot drift. The dispatch the engine serves is `amt_hydra.local.api.operations.dispatch`
(the handler table); `LocalSageMakerClient` is the in-process client over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amt_hydra.local.endpoint.errors import Dispatch, ServiceError
    from amt_hydra.local.endpoint.http_server import EndpointServer
    from amt_hydra.local.endpoint.inprocess import inprocess_client

__all__ = ["Dispatch", "EndpointServer", "ServiceError", "inprocess_client"]

_HOMES = {
    "Dispatch": "errors",
    "ServiceError": "errors",
    "EndpointServer": "http_server",
    "inprocess_client": "inprocess",
}


def __getattr__(name: str) -> Any:
    # Lazy, so importing the package (e.g. for `--help`) does not import botocore.
    if name not in _HOMES:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
