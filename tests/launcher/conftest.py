"""Endpoints that misbehave, on real sockets of 127.0.0.1: one that never answers, one that is closed, one that
always throttles. The normal path is moto's server (tests/conftest.py)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import free_port

# The SageMaker launcher with short network settings: every AWS call gives up within a few seconds.
FAST = {"connect_timeout_s": 1.0, "read_timeout_s": 1.0, "max_attempts": 2, "retry_budget_s": 3.0}
# The worst case for one call (README, launcher=sagemaker): the budget plus the attempt in flight.
ONE_CALL_S = FAST["retry_budget_s"] + FAST["connect_timeout_s"] + FAST["read_timeout_s"]


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A listening socket that takes connections (the kernel's backlog) and never answers a byte."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def closed_port() -> str:
    """A port nobody listens on: connections are refused at once."""
    return f"http://127.0.0.1:{free_port()}"


class ThrottlingHandler(BaseHTTPRequestHandler):
    """Answers every request as AWS does when it throttles: 400 with ThrottlingException (JSON protocol)."""

    requests: list[str]

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.requests.append(self.headers.get("X-Amz-Target", self.path))
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", f"throttled-{len(self.requests)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def throttling_endpoint() -> Iterator[tuple[str, list[str]]]:
    """(URL, the X-Amz-Target of every request it got) of an endpoint that always throttles."""
    requests: list[str] = []
    handler = type("Handler", (ThrottlingHandler,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()
    thread.join()
