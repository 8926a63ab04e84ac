"""`python -m amt_hydra.inspect NAME`: look at a tuning job later, local or on SageMaker.

Status, counters, best job, and every training job with its status, objective and the instance type
it actually ran on; `--out DIR` also writes result.json and report.html there, `--csv PATH` the SDK's
analytics columns, `--optuna-storage URL` the job as an Optuna study (for `optuna-dashboard URL`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amt_hydra.errors import UserError


def _client(args: argparse.Namespace):  # noqa: ANN202 - a boto3 or local client
    if args.launcher == "sagemaker":
        from amt_hydra.launcher.sagemaker import SageMakerLauncher

        return SageMakerLauncher(region=args.region).client()
    from amt_hydra.launcher.local import LocalLauncher

    return LocalLauncher(root=args.root).client()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amt_hydra.inspect", description=__doc__)
    parser.add_argument("name", help="tuning job name")
    parser.add_argument("--launcher", choices=["local", "sagemaker"], default="local")
    parser.add_argument("--root", help="local job store (launcher.root)")
    parser.add_argument("--region", help="AWS region (sagemaker)")
    parser.add_argument("--out", type=Path, help="folder for result.json and report.html")
    parser.add_argument("--csv", type=Path, help="CSV with the SDK's HyperparameterTuningJobAnalytics columns")
    parser.add_argument("--optuna-storage", metavar="URL",
                        help="write the job as an Optuna study: RDB URL (sqlite:///tuning.db) or journal file path")
    args = parser.parse_args(argv)
    from amt_hydra.results.collect import collect
    from amt_hydra.results.report import write_report
    from amt_hydra.results.table import summary

    try:
        store = _storage(args.optuna_storage)  # checked before anything is read or written
        result = collect(_client(args), args.name)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - botocore ClientError from either client
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if code in ("ResourceNotFound", "ValidationException"):
            print(f"error: tuning job {args.name}: {code}", file=sys.stderr)
            return 2
        raise
    print(summary(result))
    if args.out:
        from amt_hydra.results.collect import write_result

        args.out.mkdir(parents=True, exist_ok=True)
        write_result(result, args.out)
        write_report(result, args.out / "report.html")
    _exports(result, args, store)
    return 0


def _storage(url: str | None):  # noqa: ANN202 - an Optuna storage or None
    from amt_hydra.results.study import StorageError, storage

    try:
        return storage(url) if url else None
    except StorageError as exc:
        raise UserError(f"--optuna-storage: {exc}") from None


def _exports(result: dict, args: argparse.Namespace, store: object) -> None:
    """--csv and --optuna-storage (logic in amt_hydra.results.export / .study)."""
    if args.csv:
        from amt_hydra.results.export import write_csv

        print(f"csv: {write_csv(result, args.csv)}")
    if store is not None:
        from amt_hydra.results.study import to_study

        study = to_study(result, store)
        print(f"optuna study {study.study_name}: {len(study.trials)} trials in {args.optuna_storage} "
              f"(view: optuna-dashboard {args.optuna_storage})")


if __name__ == "__main__":
    sys.exit(main())
