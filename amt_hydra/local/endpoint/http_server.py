"""The HTTP transport: a threaded loopback server that answers SageMaker's JSON protocol via `wire`.

It checks no signature and no credentials: it is a development server for this machine, so it binds to a
loopback address unless the caller explicitly allows another (`loopback_family(host, allow_remote=True)`).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import amt_hydra.local.endpoint.wire as wire
from amt_hydra.errors import ConfigError
from amt_hydra.local.endpoint.errors import Dispatch


class _Handler(BaseHTTPRequestHandler):
    server: EndpointServer
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its pooled connections
    server_version = "amt-hydra-local"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self._send(wire.answer(self.server.dispatch, self.headers.get("X-Amz-Target"), body))

    def do_GET(self) -> None:  # noqa: N802
        self._send(wire.answer(self.server.dispatch, None, None))  # as the service: an unknown operation

    def _send(self, reply: wire.Reply) -> None:
        self.log_request(reply.status)
        self.send_response_only(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
        if self.server.access_log:
            super().log_message(format, *args)


class EndpointServer(ThreadingHTTPServer):
    """`EndpointServer((host, port), dispatch)`: port 0 picks a free port; `url` is what clients use."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], dispatch: Dispatch, family: int = socket.AF_INET, access_log: bool = True
    ) -> None:
        self.address_family = family
        self.dispatch = dispatch
        self.access_log = access_log
        self.reap_children = False  # the `serve` command sets it: its only children are engine processes
        super().__init__(address, _Handler)

    def service_actions(self) -> None:
        """Reap ended engine processes: the client starts them detached and never waits for them."""
        while self.reap_children:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    return
            except ChildProcessError:
                return

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}" if self.address_family == socket.AF_INET6 else f"http://{host}:{port}"


def loopback_family(host: str, allow_remote: bool = False) -> int:
    """The address family to bind `host` with; a non-loopback host is refused unless `allow_remote`."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConfigError("--host", f"cannot resolve {host!r}: {exc}") from None
    if not allow_remote and not all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos):
        raise ConfigError(
            "--host",
            f"{host} is not a loopback address; this unauthenticated dev server accepts any credentials, "
            "so it binds to 127.0.0.1/::1 only (pass --allow-remote to override)",
        )
    return infos[0][0]
