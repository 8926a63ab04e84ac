"""XGBoost regression in SageMaker script mode, logging per round like SageMaker's built-in XGBoost container.

Data: CSV (label in the first column, no header) or libsvm files in $SM_CHANNEL_TRAIN and
$SM_CHANNEL_VALIDATION, as the XGBoost container takes them; without a train channel, scikit-learn's bundled
diabetes data (no download). Without a validation channel, a fixed 20 % of the training rows is held out.
Each round prints `[N]<TAB>train-rmse:X<TAB>validation-rmse:Y` (CloudWatch shows the tab as `#011`).
The model goes to $SM_MODEL_DIR/xgboost-model.json. Kept runnable on Python 3.8 and XGBoost 1.7 (SageMaker's
XGBoost 1.7-1 framework container).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xgboost as xgb

VALIDATION_FRACTION = 0.2
SPLIT_SEED = 0  # the split stays the same whatever --seed is, so trials are comparable
MODEL_FILE = "xgboost-model.json"
CONTENT_TYPES = {"text/csv": "csv", "csv": "csv", "text/libsvm": "libsvm", "libsvm": "libsvm"}


class DataError(Exception):
    """Missing or unreadable data: reported as one line on stderr, exit code 2."""


class RoundLog(xgb.callback.TrainingCallback):
    """Print `[round]\\t<data>-<metric>:<value>...` after every round, flushed, as the container does."""

    def after_iteration(self, model: xgb.Booster, epoch: int, evals_log: dict) -> bool:
        fields = [f"{d}-{m}:{v[-1]:.5f}" for d, metrics in evals_log.items() for m, v in metrics.items()]
        print("\t".join([f"[{epoch}]", *fields]), flush=True)
        return False


def _default_threads() -> int | None:
    value = os.environ.get("OMP_NUM_THREADS") or os.environ.get("SM_NUM_CPUS")
    return int(value) if value else None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    env, p = os.environ, argparse.ArgumentParser(description="Train an XGBoost regressor (script mode).")
    add = p.add_argument
    add("--num_round", "--num-round", type=int, default=100, help="boosting rounds")
    add("--eta", type=float, default=0.3, help="learning rate")
    add("--max_depth", "--max-depth", type=int, default=6, help="maximum tree depth")
    add("--min_child_weight", "--min-child-weight", type=float, default=1.0, help="minimum hessian in a leaf")
    add("--subsample", type=float, default=1.0, help="row subsampling ratio per tree")
    add("--colsample_bytree", "--colsample-bytree", type=float, default=1.0, help="column ratio per tree")
    add("--gamma", type=float, default=0.0, help="minimum loss reduction to split")
    add("--lambda", dest="reg_lambda", type=float, default=1.0, help="L2 regularisation")
    add("--alpha", type=float, default=0.0, help="L1 regularisation")
    add("--objective", default="reg:squarederror", help="XGBoost objective")
    add(
        "--eval_metric", "--eval-metric", default="rmse", help="comma-separated; the last one drives stopping"
    )
    add(
        "--early_stopping_rounds", "--early-stopping-rounds", type=int, default=None, help="patience (rounds)"
    )
    add("--seed", type=int, default=0, help="random seed (subsampling)")
    add(
        "--nthread", type=int, default=_default_threads(), help="default: $OMP_NUM_THREADS, else $SM_NUM_CPUS"
    )
    add("--train", default=env.get("SM_CHANNEL_TRAIN"), help="train channel (default: $SM_CHANNEL_TRAIN)")
    add("--validation", default=env.get("SM_CHANNEL_VALIDATION"), help="default: $SM_CHANNEL_VALIDATION")
    add("--model_dir", "--model-dir", default=env.get("SM_MODEL_DIR", "model"), help="default: $SM_MODEL_DIR")
    return p.parse_args(argv)


def _files(channel: Path) -> list[Path]:
    files = sorted(p for p in channel.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise DataError(f"data missing: channel {channel} has no files")
    return files


def _content_type(channel: str, files: list[Path]) -> str:
    """The channel's ContentType from the input data config, else sniffed from the first line."""
    config = json.loads(os.environ.get("SM_INPUT_DATA_CONFIG") or "{}").get(channel, {})
    declared = str(config.get("ContentType", "")).split(";")[0].strip().lower()
    if declared:
        if declared not in CONTENT_TYPES:
            raise DataError(f"channel {channel}: unsupported ContentType {declared!r} (csv or libsvm)")
        return CONTENT_TYPES[declared]
    with files[0].open(errors="replace") as fh:
        first = next((line for line in fh if line.strip()), "")
    return "libsvm" if ":" in first else "csv"


def _load_csv(files: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    blocks = []
    for path in files:
        try:
            blocks.append(np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2))
        except ValueError as exc:
            raise DataError(f"corrupt data: {path} is not numeric CSV ({exc})") from exc
    data = np.vstack(blocks)
    if data.shape[1] < 2 or len(data) == 0:
        raise DataError(f"corrupt data: {files[0].parent} needs a label column and at least one feature")
    return data[:, 1:], data[:, 0]


def _load_libsvm(files: dict[str, list[Path]]) -> dict[str, tuple]:
    """All channels in one call, so that they share one feature space and one index base."""
    from scipy.sparse import vstack
    from sklearn.datasets import load_svmlight_files

    owners = [name for name, fs in files.items() for _ in fs]
    try:
        loaded = load_svmlight_files([str(p) for fs in files.values() for p in fs], zero_based="auto")
    except ValueError as exc:
        raise DataError(f"corrupt data: bad libsvm file in {', '.join(map(str, files))} ({exc})") from exc
    arrays = {}
    for name in files:
        mine = [i for i, owner in enumerate(owners) if owner == name]
        x = vstack([loaded[2 * i] for i in mine]).tocsr()
        arrays[name] = (x, np.concatenate([loaded[2 * i + 1] for i in mine]))
    return arrays


def load_channels(train: str, validation: str | None) -> tuple[xgb.DMatrix, xgb.DMatrix]:
    """DMatrix pair from the channel folders; without validation, a fixed split of train."""
    dirs = {"train": Path(train), **({"validation": Path(validation)} if validation else {})}
    files = {name: _files(d) for name, d in dirs.items()}
    kinds = {_content_type(name, fs) for name, fs in files.items()}
    if len(kinds) > 1:
        raise DataError("train and validation channels mix csv and libsvm")
    arrays = _load_libsvm(files) if kinds == {"libsvm"} else {n: _load_csv(fs) for n, fs in files.items()}
    if "validation" not in arrays:
        print(
            f"No validation channel: holding out {VALIDATION_FRACTION:.0%} of train (fixed split)", flush=True
        )
        return split(*arrays["train"])
    (x_tr, y_tr), (x_va, y_va) = arrays["train"], arrays["validation"]
    return xgb.DMatrix(x_tr, label=y_tr), xgb.DMatrix(x_va, label=y_va)


def split(x: object, y: np.ndarray) -> tuple[xgb.DMatrix, xgb.DMatrix]:
    from sklearn.model_selection import train_test_split

    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=VALIDATION_FRACTION, random_state=SPLIT_SEED)
    return xgb.DMatrix(x_tr, label=y_tr), xgb.DMatrix(x_va, label=y_va)


def load_data(args: argparse.Namespace) -> tuple[xgb.DMatrix, xgb.DMatrix]:
    if args.train:
        return load_channels(args.train, args.validation)
    if args.validation:
        raise DataError("a validation channel was given without a train channel")
    from sklearn.datasets import load_diabetes

    x, y = load_diabetes(return_X_y=True)
    print(f"No train channel: scikit-learn diabetes data ({len(y)} rows, {x.shape[1]} features)", flush=True)
    return split(x, y)


def booster_params(args: argparse.Namespace) -> dict:
    params = {
        "eta": args.eta,
        "max_depth": args.max_depth,
        "min_child_weight": args.min_child_weight,
        "subsample": args.subsample,
        "colsample_bytree": args.colsample_bytree,
        "gamma": args.gamma,
        "lambda": args.reg_lambda,
        "alpha": args.alpha,
        "objective": args.objective,
        "eval_metric": [m.strip() for m in args.eval_metric.split(",") if m.strip()],
        "seed": args.seed,
    }
    if args.nthread:
        params["nthread"] = args.nthread
    return params


def train(args: argparse.Namespace) -> Path:
    dtrain, dval = load_data(args)
    rows, cols = (dtrain.num_row(), dval.num_row()), dtrain.num_col()
    print(f"Train {rows[0]} rows, validation {rows[1]} rows, {cols} features", flush=True)
    booster = xgb.train(
        booster_params(args),
        dtrain,
        num_boost_round=args.num_round,
        evals=[(dtrain, "train"), (dval, "validation")],
        early_stopping_rounds=args.early_stopping_rounds,
        verbose_eval=False,
        callbacks=[RoundLog()],
    )
    if args.early_stopping_rounds and booster.best_iteration + 1 < booster.num_boosted_rounds():
        print(
            f"Stopped early: best round {booster.best_iteration} of {booster.num_boosted_rounds()}",
            flush=True,
        )
    path = Path(args.model_dir) / MODEL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    booster.save_model(path)
    print(f"Saved model to {path}", flush=True)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        train(args)
    except DataError as exc:
        print(f"xgb.py: error: {exc}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
