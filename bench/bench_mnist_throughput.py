"""Training throughput of train/mnist.py's loop against a plain PyTorch loop, same model, same tensors, CPU.

    python bench/bench_mnist_throughput.py [--data-dir DIR] [--samples N] [--repeats N] [--threads N] [--json]

Three loops train the sample's CNN for one pass over the same in-memory tensors at batch size 64:
- `mnist.py`: `make_loader` + `train_epoch` from train/mnist.py, as the script runs them;
- `plain`: hand-written loop, `randperm` and tensor slicing, nothing else (the reference: mnist / plain);
- `dataloader`: the AWS sample's way, `DataLoader(TensorDataset, batch_size=64, shuffle=True)` (for context).
Rounds alternate between the loops after one warm-up each; each loop's median rate is reported, and the
ratio is the median of the per-round ratios (neighbouring passes share the machine's state, so noise cancels).
Data: the real Fashion-MNIST training images from --data-dir (default: the prepared or Debian copy);
synthetic images only if none is found, and the output says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

REPO = Path(__file__).resolve().parents[1]
BATCH = 64


def load_script():
    spec = importlib.util.spec_from_file_location("mnist_script", REPO / "train" / "mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def find_data(explicit: str | None) -> Path | None:
    root = Path(os.environ.get("AMT_HYDRA_DATA") or Path.home() / ".cache" / "amt-hydra" / "data")
    for d in (
        [Path(explicit)] if explicit else [root / "fashion_mnist", Path("/usr/share/datasets/fashion-mnist")]
    ):
        if (d / "train-images-idx3-ubyte.gz").is_file() or (d / "train-images-idx3-ubyte").is_file():
            return d
    if explicit:
        raise SystemExit(f"no IDX files in {explicit}")
    return None


def timed(step: Callable[[], int]) -> float:
    start = time.perf_counter()
    seen = step()
    return seen / (time.perf_counter() - start)


def paired_ratio(rates: list[float], reference: list[float]) -> float:
    return statistics.median(a / b for a, b in zip(rates, reference, strict=True))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", help="folder with the IDX files (default: prepared or Debian Fashion-MNIST)")
    p.add_argument("--samples", type=int, default=12800, help="training images per pass")
    p.add_argument("--repeats", type=int, default=9, help="timed passes per loop")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    mnist = load_script()
    data_dir = find_data(args.data_dir)
    if data_dir is not None:
        dataset = mnist.load_idx_dataset(data_dir, "train", args.samples)
        source = str(data_dir)
    else:
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(args.samples, 1, 28, 28, generator=generator)
        dataset = TensorDataset(x, torch.randint(0, 10, (args.samples,), generator=generator))
        source = "synthetic (no Fashion-MNIST found)"
    images, labels = dataset.tensors
    device = torch.device("cpu")

    def fresh() -> tuple[torch.nn.Module, torch.optim.Optimizer]:
        torch.manual_seed(1)
        model = mnist.Net()
        return model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)

    def run_script_loop() -> int:
        model, opt = fresh()
        loader = mnist.make_loader(dataset, BATCH, shuffle=True, seed=1)
        return mnist.train_epoch(model, loader, opt, device, epoch=1, log_interval=0)

    def run_plain_loop() -> int:
        model, opt = fresh()
        model.train()
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(1))
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            opt.zero_grad()
            F.nll_loss(model(images[idx]), labels[idx]).backward()
            opt.step()
        return len(order)

    def run_dataloader_loop() -> int:
        model, opt = fresh()
        model.train()
        seen = 0
        for data, target in DataLoader(dataset, batch_size=BATCH, shuffle=True):
            opt.zero_grad()
            F.nll_loss(model(data), target).backward()
            opt.step()
            seen += len(data)
        return seen

    loops = {"mnist.py": run_script_loop, "plain": run_plain_loop, "dataloader": run_dataloader_loop}
    rates: dict[str, list[float]] = {name: [] for name in loops}
    for fn in loops.values():
        fn()  # warm-up: lazy imports, allocator, thread pool
    for _ in range(args.repeats):
        for name, fn in loops.items():
            rates[name].append(timed(fn))
    median = {name: statistics.median(r) for name, r in rates.items()}
    result = {
        "data": source,
        "samples_per_pass": len(images),
        "batch_size": BATCH,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "samples_per_s": {name: round(v, 1) for name, v in median.items()},
        "ratio_mnist_py_to_plain": round(paired_ratio(rates["mnist.py"], rates["plain"]), 3),
        "ratio_dataloader_to_plain": round(paired_ratio(rates["dataloader"], rates["plain"]), 3),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"data: {source}; {len(images)} images/pass, batch {BATCH}, {result['threads']} threads, "
        f"torch {torch.__version__}, median of {args.repeats}"
    )
    for name, value in median.items():
        spread = f"{min(rates[name]):.0f}-{max(rates[name]):.0f}"
        print(f"  {name:<11} {value:8.0f} samples/s  (range {spread})")
    print(
        f"  ratio mnist.py / plain: {result['ratio_mnist_py_to_plain']:.3f}  (goal >= 0.9; median per round)"
    )
    print(f"  ratio dataloader / plain: {result['ratio_dataloader_to_plain']:.3f}")


if __name__ == "__main__":
    main()
