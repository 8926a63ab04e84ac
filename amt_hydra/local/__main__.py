"""`python -m amt_hydra.local serve`: the local engine as a SageMaker endpoint on this machine.

Prints `endpoint: http://HOST:PORT` as its first line (flushed), then serves until SIGTERM or Ctrl-C.
Jobs are detached engine processes (see README.md): they keep running when the server stops.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

from amt_hydra.errors import ConfigError, user_errors_exit


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, no usage dump (the CLI's error convention)
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m amt_hydra.local", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = commands.add_parser("serve", help="serve SageMaker's tuning-job API for the local engine")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    serve.add_argument("--root", help="job store (default $AMT_HYDRA_HOME, else ~/.amt-hydra/jobs)")
    serve.add_argument("--s3-root", metavar="DIR", help="s3://bucket/key is read from DIR/bucket/key")
    serve.add_argument(
        "--local-copy",
        action="append",
        default=[],
        metavar="S3URI=PATH",
        help="local file or folder for an S3 URI or prefix (repeatable; wins over --s3-root)",
    )
    serve.add_argument("--stop-grace-s", type=float, default=120.0, help="SIGTERM -> SIGKILL delay of a stop")
    serve.add_argument("--parallel-cpus", type=int, help="cores shared by a tuning job's parallel jobs")
    serve.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host (no auth!)")
    serve.add_argument("--quiet", action="store_true", help="no access log on stderr")
    return parser


def local_copies(s3_root: str | None, pairs: list[str]) -> dict[str, str]:
    """`--s3-root` as the prefix `s3://` (every bucket), then each `--local-copy S3URI=PATH`."""
    copies: dict[str, str] = {}
    if s3_root is not None:
        if not Path(s3_root).expanduser().is_dir():
            raise ConfigError("--s3-root", f"{s3_root} is not a directory")
        copies["s3://"] = s3_root
    for pair in pairs:
        uri, sep, path = pair.partition("=")
        if not sep or not uri.startswith("s3://") or not path:
            raise ConfigError("--local-copy", f"{pair!r} is not S3URI=PATH (an s3:// URI or prefix, a local path)")
        if not Path(path).expanduser().exists():
            raise ConfigError("--local-copy", f"{path} does not exist")
        copies[uri] = path
    return copies


def serve(args: argparse.Namespace) -> None:
    from amt_hydra.local.api.context import ApiContext
    from amt_hydra.local.api.operations import dispatch
    from amt_hydra.local.endpoint.http_server import EndpointServer, loopback_family

    if not 0 <= args.port <= 65535:
        raise ConfigError("--port", f"{args.port} is not between 0 and 65535")
    copies = local_copies(args.s3_root, args.local_copy)
    family = loopback_family(args.host, args.allow_remote)
    context = ApiContext.create(
        args.root, local_copies=copies, stop_grace_s=args.stop_grace_s, parallel_cpus=args.parallel_cpus
    )
    try:
        server = EndpointServer((args.host, args.port), dispatch(context), family, not args.quiet)
    except OSError as exc:
        raise ConfigError("--port", f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    server.reap_children = True
    signal.signal(signal.SIGTERM, _interrupt)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"endpoint: {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _interrupt(*_: Any) -> NoReturn:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    with user_errors_exit():
        serve(args)


if __name__ == "__main__":
    main()
