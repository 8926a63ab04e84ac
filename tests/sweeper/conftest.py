"""The example app, run as users run it: `python my_app.py -m hydra/sweeper=amt ...` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..conftest import REPO

APP = REPO / "examples" / "quadratic_app" / "my_app.py"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3-cpu-py311"
SEARCH = ["optimizer.lr=tag(log, interval(1e-4, 1e-1))", "model.depth=range(2, 8)"]


def run_sweep(args: list[str], sweep_dir: Path, config_name: str | None = None,
              timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """The example app in multirun mode with the AMT sweeper, its sweep dir at `sweep_dir`.

    A `config_name` (conf/tune.yaml) selects the sweeper itself; otherwise `hydra/sweeper=amt` does.
    """
    selected = ["--config-name", config_name] if config_name else ["hydra/sweeper=amt"]
    command = [sys.executable, str(APP), "-m", *selected, f"hydra.sweep.dir={sweep_dir}", *args]
    return subprocess.run(command, cwd=sweep_dir.parent, env=dict(os.environ), capture_output=True, text=True,
                          timeout=timeout)
