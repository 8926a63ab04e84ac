"""`python -m amt_hydra.data DATASET [DIR]`: copy or download a dataset, verify it, print where it is."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from amt_hydra.data.errors import DataError
from amt_hydra.data.prepare import SOURCES, prepare
from amt_hydra.data.sources import DATASETS, ENV_DATA_MIRROR, ENV_DATA_ROOT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m amt_hydra.data",
        description="Prepare an MNIST-format dataset (verified .gz IDX files) for the example experiments.",
        epilog=f"DIR defaults to ${ENV_DATA_ROOT}/<dataset>, else ~/.cache/amt-hydra/data/<dataset>.",
    )
    parser.add_argument("dataset", choices=sorted(DATASETS), help="dataset to prepare")
    parser.add_argument("dir", nargs="?", help="destination folder (created if needed)")
    parser.add_argument(
        "--source",
        choices=SOURCES,
        default="auto",
        help="auto: an installed system copy (Debian's dataset-fashion-mnist) if present, else download",
    )
    parser.add_argument(
        "--mirror",
        action="append",
        metavar="URL",
        help=f"base URL to download from instead of the built-in mirrors (repeatable; or ${ENV_DATA_MIRROR})",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log = (lambda _msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        directory = prepare(args.dataset, args.dir, source=args.source, mirrors=args.mirror, log=log)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    if not args.quiet:
        print(f"{DATASETS[args.dataset].title} is ready in:", file=sys.stderr)
    print(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
