"""A small Hydra app to tune: a noisy-free quadratic bowl in log10(lr) and depth, done in milliseconds.

    python examples/quadratic_app/my_app.py                     # one run, prints the loss
    python examples/quadratic_app/my_app.py -m hydra/sweeper=amt \
        'optimizer.lr=tag(log, interval(1e-4, 1e-1))' 'model.depth=range(2, 8)'

The task function returns the loss, which the AMT sweeper's entry shim reports as the objective.
"""

from __future__ import annotations

import math

import hydra
from omegaconf import DictConfig


def loss(lr: float, depth: int, optimizer: str) -> float:
    """Minimum 0 at lr=1e-2, depth=4 with sgd; adam shifts the best learning rate to 1e-3."""
    best_log_lr = -2.0 if optimizer == "sgd" else -3.0
    return (math.log10(lr) - best_log_lr) ** 2 + 0.1 * (depth - 4) ** 2


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def my_app(cfg: DictConfig) -> float:
    value = loss(float(cfg.optimizer.lr), int(cfg.model.depth), str(cfg.optimizer.name))
    print(f"optimizer={cfg.optimizer.name} lr={cfg.optimizer.lr} depth={cfg.model.depth} "
          f"epochs={cfg.train.epochs} loss={value:.6f}")
    return value


if __name__ == "__main__":
    my_app()
