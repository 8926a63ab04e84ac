"""`amt-hydra inspect NAME [OVERRIDES]`: look at a tuning job later, with any launcher.

The launcher is built from the `launcher` config group, as the CLI builds it (Hydra's compose API over the same
config tree, `--config-dir` included), so any `_target_` works, a user's own too. The old flags are kept:
`--launcher L` is `launcher=L`, `--root DIR` is `launcher.root=DIR`, `--region R` is `region=R`.
Prints status, counters, best job, and every training job with its status, objective and the instance type it
actually ran on; `--out DIR` also writes result.json and report.html there, `--csv PATH` the SDK's analytics
columns, `--optuna-storage URL` the job as an Optuna study (for `optuna-dashboard URL`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from amt_hydra.errors import UserError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "conf"  # the CLI's config_path ("../conf")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="amt-hydra inspect", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="tuning job name")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. launcher=sagemaker launcher.root=DIR")
    parser.add_argument("--launcher", help="launcher group option (local, sagemaker, or one of yours)")
    parser.add_argument("--root", help="local job store (launcher.root)")
    parser.add_argument("--region", help="AWS region (region)")
    parser.add_argument("--config-dir", type=Path, help="your own config folder, as for the CLI")
    parser.add_argument("--out", type=Path, help="folder for result.json and report.html")
    parser.add_argument("--csv", type=Path, help="CSV with the SDK's HyperparameterTuningJobAnalytics columns")
    parser.add_argument("--optuna-storage", metavar="URL",
                        help="write the job as an Optuna study: RDB URL (sqlite:///tuning.db) or journal file path")
    return parser.parse_intermixed_args(argv)


def overrides(args: argparse.Namespace) -> list[str]:
    flags = [f"launcher={args.launcher}"] if args.launcher else []
    flags += [f"launcher.root={args.root}"] if args.root else []
    flags += [f"region={args.region}"] if args.region else []
    return flags + list(args.overrides)


def build_launcher(args: argparse.Namespace) -> Any:
    """Compose the primary config (estimator etc. may stay missing) and instantiate its `launcher` node."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from amt_hydra.app import instantiate_launcher, resolve_region
    from amt_hydra.config import register_configs
    from amt_hydra.config.resolvers import register_resolvers

    register_configs()
    register_resolvers()
    extra = [f"hydra.searchpath=[file://{args.config_dir.resolve()}]"] if args.config_dir else []
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose(config_name="config", overrides=[*overrides(args), *extra])
    except (HydraException, OmegaConfBaseException) as exc:
        detail = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise UserError(f"inspect: {detail}") from None
    return instantiate_launcher(cfg.launcher, resolve_region(cfg.region))


def show(args: argparse.Namespace) -> None:
    from amt_hydra.results.collect import collect, write_result
    from amt_hydra.results.report import write_report
    from amt_hydra.results.table import summary

    store = _storage(args.optuna_storage)  # checked before anything is read or written
    result = collect(build_launcher(args).client(), args.name)
    print(summary(result))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        write_result(result, args.out)
        write_report(result, args.out / "report.html")
    _exports(result, args, store)


def _storage(url: str | None) -> Any:
    """An Optuna storage for `--optuna-storage`, or None."""
    from amt_hydra.results.study import StorageError, storage

    try:
        return storage(url) if url else None
    except StorageError as exc:
        raise UserError(f"--optuna-storage: {exc}") from None


def _exports(result: dict[str, Any], args: argparse.Namespace, store: Any) -> None:
    """--csv and --optuna-storage (the logic is in amt_hydra.results.export and .study)."""
    if args.csv:
        from amt_hydra.results.export import write_csv

        print(f"csv: {write_csv(result, args.csv)}")
    if store is not None:
        from amt_hydra.results.study import to_study

        study = to_study(result, store)
        print(f"optuna study {study.study_name}: {len(study.trials)} trials in {args.optuna_storage} "
              f"(view: optuna-dashboard {args.optuna_storage})")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        show(args)
    except Exception as exc:
        message, status = _one_line(exc, args.name)
        if message is None:
            raise  # a bug: keep its traceback
        print(f"error: {message}", file=sys.stderr)
        return status
    return 0


def _one_line(exc: Exception, name: str) -> tuple[str | None, int]:
    """The message and exit code for a failure of `show`: an unknown job is 2; AWS failures (network,
    credentials, timeouts, the service's errors) are one line and 3; other user errors keep their code."""
    from amt_hydra.launcher.aws import AwsCallError, aws_errors, error_code, launch_error

    code = error_code(exc)
    if code in ("ResourceNotFound", "ValidationException"):
        message = " ".join(str(getattr(exc, "response", {}).get("Error", {}).get("Message") or "").split())
        if "is damaged" in message:  # a damaged local store file: the line names the job, the file, the fix
            return message, 2
        return f"tuning job {name}: {code}", 2
    if isinstance(exc, AwsCallError):
        return f"inspecting {name}: {exc}", exc.exit_code
    if isinstance(exc, UserError):
        return str(exc), exc.exit_code
    if isinstance(exc, aws_errors()):
        return str(launch_error(exc, name, "inspecting")), 3
    return None, 1


if __name__ == "__main__":
    sys.exit(main())
