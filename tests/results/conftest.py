"""Fixtures of the results tests: a pseudo-terminal that collects what is written to it (live view), and a
finished local tuning job with early stopping, a failure and an instance fallback, run once per session through
the local engine and the real training toolkit (its result.json is what every report test reads)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import termios
import threading
from pathlib import Path
from typing import Any

import pytest

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.results.collect import collect
from tests.local.conftest import (  # noqa: F401 - fixtures
    CODE_URI,
    DATA_URI,
    client_factory,
    copies,
    data_dir,
    make_request,
    run_job,
    source_dir,
)

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class PtyCapture:
    """A terminal of `rows` x `cols`; a thread drains it so a writer never blocks on a full buffer."""

    def __init__(self, rows: int = 40, cols: int = 160) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self._chunks: list[bytes] = []
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: every slave descriptor is closed
                return
            if not data:
                return
            self._chunks.append(data)

    def close_slave(self) -> None:
        if self.slave >= 0:
            os.close(self.slave)
            self.slave = -1

    def raw(self) -> str:
        """Everything written, once the writers are done (escape codes included, \\r\\n as the tty sends it)."""
        self.close_slave()
        self._thread.join(10)
        os.close(self.master)
        return b"".join(self._chunks).decode("utf-8", errors="replace")


def plain(raw: str) -> str:
    """The text of the frames, without cursor movements, colours or carriage returns."""
    return ANSI.sub("", raw).replace("\r", "")


# Loss falls with every epoch; x > 0.8 is clearly worse (early stopping stops it), x < 0.12 crashes.
TRAIN_PY = r"""
import argparse, math, sys, time

p = argparse.ArgumentParser()
p.add_argument("-x", "--x", type=float)
p.add_argument("--lr", type=float)
p.add_argument("--batch-size", type=int)
p.add_argument("--layers", type=int)
p.add_argument("--epochs", type=int, default=4)
args, _ = p.parse_known_args()
if args.x < 0.12:
    raise ValueError(f"diverged: x={args.x} is too small")
for epoch in range(args.epochs):
    loss = ((args.x - 0.3) ** 2 + 0.1 * abs(math.log10(args.lr) + 2) + 0.01 * args.layers
            + 64 / args.batch_size * 0.01 + 1.0 / (epoch + 1) + (5.0 if args.x > 0.8 else 0.0))
    print(f"epoch {epoch}\tloss: {loss}", flush=True)
    time.sleep(0.05)
"""

RANGES: dict[str, Any] = {
    "continuous": [{"Name": "x", "MinValue": "0.0", "MaxValue": "1.0", "ScalingType": "Linear"},
                   {"Name": "lr", "MinValue": "0.0001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}],
    "integer": [{"Name": "layers", "MinValue": "1", "MaxValue": "4", "ScalingType": "Linear"}],
    "categorical": [{"Name": "batch-size", "Values": ["32", "64", "128"]}],
}
INSTANCES = ("ml.m5.xlarge", "ml.c5.xlarge")


def tuning_request(name: str, seed: int) -> dict[str, Any]:
    request = make_request(name, max_jobs=8, parallel=2, seed=seed, TrainingJobEarlyStoppingType="Auto", **RANGES)
    definition = request["TrainingJobDefinition"]
    del definition["ResourceConfig"]
    definition["HyperParameterTuningResourceConfig"] = {
        "InstanceConfigs": [{"InstanceType": t, "InstanceCount": 1, "VolumeSizeInGB": 5} for t in INSTANCES],
        "AllocationStrategy": "Prioritized"}
    definition["StaticHyperParameters"]["epochs"] = "4"
    return request


@pytest.fixture(scope="session")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalSageMakerClient, dict[str, Any]]:
    """(client, result.json) of a job where one slot of ml.m5.xlarge forces the second slot to fall back."""
    root = tmp_path_factory.mktemp("viz")
    (root / "src").mkdir()
    (root / "src" / "train.py").write_text(TRAIN_PY)
    (root / "data").mkdir()
    (root / "data" / "train.csv").write_text("1,2\n")
    client = LocalSageMakerClient(root=root / "store", local_copies={CODE_URI: str(root / "src"),
                                  DATA_URI: str(root / "data")}, capacity={INSTANCES[0]: 1},
                                  poll_interval_s=0.02, stop_grace_s=0.5)
    run_job(client, tuning_request("viz-1", seed=2), timeout=180)
    return client, collect(client, "viz-1")


@pytest.fixture(scope="session")
def result(finished: tuple[LocalSageMakerClient, dict[str, Any]]) -> dict[str, Any]:
    return finished[1]


def job_store(client: LocalSageMakerClient) -> Path:
    return Path(client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="viz-1")["LocalJobDir"])
