"""`amt-hydra-init DIR` (or `python -m amt_hydra.scaffold DIR`): a project of your own, ready to tune.

It writes a config dir with one experiment, a small training script that prints its metric in the format the
experiment's regex reads, and a `.gitignore`. The project runs offline, unchanged, with one command:
`cd DIR && amt-hydra --config-dir conf +experiment=mine`. Existing files are never overwritten.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

EXPERIMENT = """\
# @package _global_
# Run from the project: amt-hydra --config-dir conf +experiment={experiment}  (elsewhere: --config-dir <project>/conf)
# Relative paths (source_dir, local inputs) resolve against the project: the parent of the config dir.
defaults:
  - override /strategy: random  # strategy=bayesian needs torch (pip install 'amt-hydra[train]')

name: {name}
estimator:
  entry_point: train.py
  source_dir: .
  framework: sklearn  # the container on SageMaker (numpy included); the local engine runs this Python
  framework_version: 1.2-1
  py_version: py3
  instance_type: ml.m5.large
  hyperparameters:
    epochs: 30
  inputs: {{}}  # channel -> folder, e.g. {{train: data}}; the script reads SM_CHANNEL_TRAIN
search_space:
  lr: tag(log, interval(0.001, 0.5))
  l2: interval(0.0, 0.1)
metric:
  name: validation:loss
  type: Minimize
  definitions:
    - name: validation:loss
      regex: 'validation loss: ([0-9.]+(?:[eE][-+]?[0-9]+)?)'
limits:
  max_jobs: 6
  max_parallel_jobs: 2
"""

TRAIN = '''\
"""Linear regression by gradient descent (numpy only), in SageMaker's script-mode contract.

Hyperparameters arrive as --key value; a channel `train` (SM_CHANNEL_TRAIN) with CSV files (target in the
last column) replaces the synthetic data; the model goes to SM_MODEL_DIR. After each epoch it prints
`validation loss: <value>`, which the experiment's metric regex reads.
"""

import argparse
import os
from pathlib import Path

import numpy as np


def load(seed: int) -> tuple[np.ndarray, np.ndarray]:
    channel = os.environ.get("SM_CHANNEL_TRAIN")
    if channel:
        rows = [np.loadtxt(f, delimiter=",", ndmin=2) for f in sorted(Path(channel).glob("*.csv"))]
        data = np.vstack(rows)
        return data[:, :-1], data[:, -1]
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, 8))
    return x, x @ rng.normal(size=8) + 0.1 * rng.normal(size=400)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--l2", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    args, _ = parser.parse_known_args()
    x, y = load(args.seed)
    split = int(0.8 * len(x))
    w = np.zeros(x.shape[1])
    for epoch in range(1, args.epochs + 1):
        grad = x[:split].T @ (x[:split] @ w - y[:split]) / split + args.l2 * w
        w -= args.lr * grad
        loss = float(np.mean((x[split:] @ w - y[split:]) ** 2))
        print(f"epoch {epoch}: validation loss: {loss:.6f}", flush=True)
    Path(args.model_dir).mkdir(parents=True, exist_ok=True)
    np.save(Path(args.model_dir) / "weights.npy", w)


if __name__ == "__main__":
    main()
'''

GITIGNORE = """\
outputs/
multirun/
model/
__pycache__/
.env
"""


def job_prefix(directory: Path) -> str:
    """The project folder's name as a tuning-job name prefix (letters, digits, dashes; at most 16)."""
    name = re.sub(r"[^a-zA-Z0-9]+", "-", directory.resolve().name).strip("-")[:16].strip("-")
    return name or "my-project"


def files(directory: Path, experiment: str) -> dict[Path, str]:
    conf = directory / "conf"
    text = EXPERIMENT.format(experiment=experiment, name=job_prefix(directory))
    return {conf / "experiment" / f"{experiment}.yaml": text, directory / "train.py": TRAIN,
            directory / ".gitignore": GITIGNORE}


def scaffold(directory: Path, experiment: str = "mine") -> list[Path]:
    """Write the project; refuses (ValueError) when any of its files exists."""
    planned = files(directory, experiment)
    existing = [str(p) for p in planned if p.exists()]
    if existing:
        raise ValueError(f"{', '.join(existing)} already exist; nothing written")
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(planned)


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="amt-hydra-init", description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="project folder (created if missing)")
    parser.add_argument("--experiment", default="mine", help="experiment name (default: mine)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", args.experiment):
        _fail(f"--experiment: {args.experiment!r} must be letters, digits, '_' or '-'")
    try:
        written = scaffold(args.directory, args.experiment)
    except (ValueError, OSError) as exc:
        _fail(f"{args.directory}: {exc}")
    for path in written:
        print(f"wrote {path}")
    print(f"run it: cd {args.directory} && amt-hydra --config-dir conf +experiment={args.experiment}")


if __name__ == "__main__":
    main()
