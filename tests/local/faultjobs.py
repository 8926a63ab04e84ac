"""A training script that misbehaves on purpose (pathological log lines, output bursts, processes that
leave its process group), and a client whose code URI runs it. Shared by the fault tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from amt_hydra.local.api.client import LocalSageMakerClient
from tests.local.conftest import CODE_URI, DATA_URI

XGBOOST_RMSE = r".*\[[0-9]+\].*#011validation-rmse:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
XGBOOST_METRICS = [
    {"Name": "loss", "Regex": XGBOOST_RMSE},
    {"Name": "train", "Regex": XGBOOST_RMSE.replace("validation", "train")},
]

FAULT_PY = r"""
import argparse, os, subprocess, sys, time

p = argparse.ArgumentParser()
p.add_argument("--mode", default="ok")
p.add_argument("-x", "--x", type=float, default=0.5)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--sleep", type=float, default=0.0)
p.add_argument("--lines", type=int, default=60)
p.add_argument("--burst-mb", type=int, default=100)
args, unknown = p.parse_known_args()
out = os.environ["SM_OUTPUT_DATA_DIR"]

def loss(epoch):
    return (args.x - 0.3) ** 2 + 1.0 / (epoch + 1)

if args.mode == "pathological":  # each line makes the XGBoost regex backtrack for minutes in `re`
    print("[0]\tvalidation-rmse:0.5", flush=True)
    for _ in range(args.lines):
        print("[1]" * 20000, flush=True)
    time.sleep(120)
if args.mode == "burst":  # one line of burst-mb MB, then a metric line
    block = b"y" * (1 << 20)
    for _ in range(args.burst_mb):
        sys.stdout.buffer.write(block)
    sys.stdout.buffer.write(b"\n[3]\tvalidation-rmse:0.25\n")
    sys.stdout.flush()
    sys.exit(0)
if args.mode in ("setsid", "doublefork"):
    if args.mode == "setsid":
        child = subprocess.Popen(["setsid", "sleep", "300"])
        pid = child.pid
    else:
        r, w = os.pipe()
        if os.fork() == 0:
            if os.fork() == 0:
                os.setsid()
                os.write(w, str(os.getpid()).encode())
                time.sleep(300)
                os._exit(0)
            os._exit(0)
        os.wait()
        pid = int(os.read(r, 32))
    with open(os.path.join(out, "escaped.pid"), "w") as f:
        f.write(str(pid))
    print("[0]\tvalidation-rmse:0.5", flush=True)
    time.sleep(args.sleep)
    sys.exit(0)
for epoch in range(args.epochs):
    print(f"[{epoch}]\ttrain-rmse:0.1\tvalidation-rmse:{loss(epoch)}", flush=True)
    time.sleep(args.sleep)
"""


def fault_client(
    client_factory: Callable[..., LocalSageMakerClient], tmp_path: Path, data_dir: Path, **kwargs: Any
) -> LocalSageMakerClient:
    """A client whose code URI maps to FAULT_PY (as train.py)."""
    code = tmp_path / "fault-src"
    code.mkdir(exist_ok=True)
    (code / "train.py").write_text(FAULT_PY)
    return client_factory(local_copies={CODE_URI: str(code), DATA_URI: str(data_dir)}, **kwargs)


def xgboost_metrics(request: dict[str, Any]) -> dict[str, Any]:
    """The request with SageMaker's XGBoost regexes (objective `loss` reads validation-rmse)."""
    request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"] = XGBOOST_METRICS
    return request
