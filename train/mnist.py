"""MNIST / Fashion-MNIST CNN in SageMaker script mode, after AWS's PyTorch MNIST sample (hpo_pytorch_mnist).

Self-contained (torch + numpy only): it is uploaded alone as the source dir. Data: the four IDX files
(`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`,
raw or `.gz`, flat or in torchvision's `MNIST/raw` / `FashionMNIST/raw`) in $SM_CHANNEL_TRAINING (or
--data-dir). Each epoch ends with `Test set: Average loss: L, Accuracy: C/N (P%)`; the model goes to
$SM_MODEL_DIR. Several hosts ($SM_HOSTS): one process per host, torch.distributed + DistributedDataParallel.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    DistributedSampler,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
)

MEAN, STD = 0.1307, 0.3081  # the sample's Normalize((0.1307,), (0.3081,))
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
SUBDIRS = (".", "MNIST/raw", "FashionMNIST/raw")
MASTER_PORT = "7777"  # what SageMaker's PyTorch container exports


class DataError(Exception):
    """Missing or unreadable data: reported as one line on stderr, exit code 2."""


class Net(nn.Module):
    """The sample's small CNN: two 5x5 convolutions, dropout, 320 -> 50 -> 10."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = F.relu(self.fc1(x.view(-1, 320)))
        x = F.dropout(x, training=self.training)
        return F.log_softmax(self.fc2(x), dim=1)


def find_idx(root: Path, stem: str) -> Path:
    for sub in SUBDIRS:
        for name in (stem, stem + ".gz"):
            if (root / sub / name).is_file():
                return root / sub / name
    raise DataError(f"data missing: no {stem}[.gz] in {root} (or its MNIST/raw, FashionMNIST/raw)")


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """Read an unsigned-byte IDX file with `ndim` dimensions (magic 0x0000080N)."""
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as fh:
            blob = fh.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"corrupt data: cannot read {path} ({exc})") from exc
    if blob[:4] != bytes([0, 0, 0x08, ndim]):
        raise DataError(
            f"corrupt data: {path} is not a {ndim}-d unsigned-byte IDX file (magic {blob[:4].hex()})"
        )
    shape = tuple(int(d) for d in np.frombuffer(blob, ">u4", count=ndim, offset=4))
    offset = 4 + 4 * ndim
    if len(blob) - offset != int(np.prod(shape)):
        raise DataError(f"corrupt data: {path} declares {shape} but holds {len(blob) - offset} bytes")
    return np.frombuffer(blob, np.uint8, offset=offset).reshape(shape)


def load_idx_dataset(root: str | Path, split: str, limit: int | None = None) -> TensorDataset:
    """The `train` or `test` split as normalised float images (N, 1, 28, 28) and int64 labels, in memory."""
    images_stem, labels_stem = FILES[split]
    images = read_idx(find_idx(Path(root), images_stem), ndim=3)
    labels = read_idx(find_idx(Path(root), labels_stem), ndim=1)
    if images.shape[1:] != (28, 28) or len(images) != len(labels) or len(labels) == 0:
        raise DataError(f"corrupt data: {split} split has images {images.shape} and labels {labels.shape}")
    if labels.max() > 9:
        raise DataError(f"corrupt data: {split} labels go up to {labels.max()}, expected 0-9")
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = (torch.from_numpy(images.astype(np.float32) / 255.0) - MEAN) / STD
    return TensorDataset(x.unsqueeze(1), torch.from_numpy(labels.astype(np.int64)))


def make_loader(
    dataset: TensorDataset,
    batch_size: int,
    shuffle: bool,
    seed: int,
    distributed: bool = False,
    pin: bool = False,
) -> DataLoader:
    """Whole batches are gathered by one tensor index (no per-sample collate), which keeps it cheap.

    `pin` pins each batch for asynchronous copies to a GPU; it only costs time when training on the CPU.
    """
    if distributed:
        sampler: torch.utils.data.Sampler = DistributedSampler(dataset, shuffle=shuffle, seed=seed)
    elif shuffle:
        sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    else:
        sampler = SequentialSampler(dataset)
    batches = BatchSampler(sampler, batch_size, drop_last=False)
    return DataLoader(dataset, sampler=batches, batch_size=None, pin_memory=pin)


def train_epoch(
    model: nn.Module,
    loader: DataLoader,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
    epoch: int,
    log_interval: int = 0,
    log: Callable[[str], None] = print,
) -> int:
    """One pass over `loader`; returns the number of samples seen."""
    model.train()
    inner = getattr(loader.sampler, "sampler", None)
    if isinstance(inner, DistributedSampler):
        inner.set_epoch(epoch)
    total, seen = len(inner) if inner is not None else len(loader.dataset), 0
    for batch_idx, (data, target) in enumerate(loader, 1):
        data, target = data.to(device, non_blocking=True), target.to(device, non_blocking=True)
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        seen += len(data)
        if log_interval and batch_idx % log_interval == 0:
            log(
                f"Train Epoch: {epoch} [{seen}/{total} ({100.0 * seen / total:.0f}%)] Loss: {loss.item():.6f}"
            )
    return seen


def evaluate(model: nn.Module, loader: DataLoader, device: torch.device) -> tuple[float, int]:
    """Average NLL loss and number of correct predictions over `loader`."""
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            loss += F.nll_loss(output, target, reduction="sum").item()
            correct += int(output.argmax(dim=1).eq(target).sum().item())
    return loss / len(loader.dataset), correct


def _hosts(value: str) -> list[str]:
    value = value.strip()
    return [str(h) for h in json.loads(value)] if value.startswith("[") else value.split(",")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    env, p = os.environ, argparse.ArgumentParser(description="Train the MNIST CNN (SageMaker script mode).")
    add = p.add_argument
    add("--batch-size", type=int, default=64, help="training batch size")
    add("--test-batch-size", type=int, default=1000, help="evaluation batch size")
    add("--epochs", type=int, default=10, help="passes over the training data")
    add("--lr", type=float, default=0.01, help="SGD learning rate")
    add("--momentum", type=float, default=0.5, help="SGD momentum")
    add("--seed", type=int, default=1, help="random seed (weights, shuffling, dropout)")
    add("--log-interval", type=int, default=100, help="batches between training-loss lines (0: none)")
    add("--backend", default=None, help="torch.distributed backend (default: nccl on GPU, else gloo)")
    add("--max-train-samples", type=int, default=None, help="use only the first N training images")
    add("--max-test-samples", type=int, default=None, help="use only the first N test images")
    threads = int(env.get("OMP_NUM_THREADS") or 0) or None
    add("--num-threads", type=int, default=threads, help="torch CPU threads (default: $OMP_NUM_THREADS)")
    add(
        "--hosts",
        type=_hosts,
        default=_hosts(env.get("SM_HOSTS", '["localhost"]')),
        help="default: $SM_HOSTS",
    )
    add("--current-host", default=env.get("SM_CURRENT_HOST"), help="default: $SM_CURRENT_HOST")
    add("--model-dir", default=env.get("SM_MODEL_DIR", "model"), help="default: $SM_MODEL_DIR")
    add("--data-dir", default=env.get("SM_CHANNEL_TRAINING"), help="default: $SM_CHANNEL_TRAINING")
    gpus = int(env.get("SM_NUM_GPUS", torch.cuda.device_count()))
    add("--num-gpus", type=int, default=gpus, help="0 for CPU (default: $SM_NUM_GPUS)")
    args = p.parse_args(argv)
    args.current_host = args.current_host or args.hosts[0]
    if args.current_host not in args.hosts:
        p.error(f"--current-host {args.current_host!r} is not in --hosts {args.hosts}")
    if not args.data_dir:
        p.error("no data: set SM_CHANNEL_TRAINING or pass --data-dir")
    return args


def init_distributed(args: argparse.Namespace, use_cuda: bool) -> bool:
    """Join the process group when there are several hosts (rank = position in --hosts)."""
    if len(args.hosts) < 2:
        return False
    os.environ.setdefault("MASTER_ADDR", args.hosts[0])
    os.environ.setdefault("MASTER_PORT", MASTER_PORT)
    backend = args.backend or ("nccl" if use_cuda else "gloo")
    rank = args.hosts.index(args.current_host)
    dist.init_process_group(backend=backend, rank=rank, world_size=len(args.hosts))
    say(f"Distributed: backend {backend}, rank {rank} of {len(args.hosts)}")
    return True


def say(msg: str) -> None:
    print(msg, flush=True)


def train(args: argparse.Namespace) -> Path | None:
    if args.num_threads:
        torch.set_num_threads(args.num_threads)
    use_cuda = args.num_gpus > 0 and torch.cuda.is_available()
    device = torch.device("cuda" if use_cuda else "cpu")
    torch.manual_seed(args.seed)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    train_set = load_idx_dataset(args.data_dir, "train", args.max_train_samples)
    test_set = load_idx_dataset(args.data_dir, "test", args.max_test_samples)
    distributed = init_distributed(args, use_cuda)
    train_loader = make_loader(train_set, args.batch_size, True, args.seed, distributed, pin=use_cuda)
    test_loader = make_loader(test_set, args.test_batch_size, False, args.seed, pin=use_cuda)
    say(
        f"Train {len(train_set)} images, test {len(test_set)}, on {device}, {torch.get_num_threads()} threads"
    )
    model: nn.Module = Net().to(device)
    if distributed:
        model = nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        seen = train_epoch(model, train_loader, optimizer, device, epoch, args.log_interval, say)
        elapsed = time.perf_counter() - start
        say(f"Epoch {epoch}: {seen} samples in {elapsed:.2f} s ({seen / elapsed:.0f} samples/s)")
        loss, correct = evaluate(model, test_loader, device)
        n = len(test_set)
        say(f"Test set: Average loss: {loss:.4f}, Accuracy: {correct}/{n} ({100.0 * correct / n:.0f}%)")
    if distributed and dist.get_rank() != 0:
        return None  # every host holds the same weights; rank 0 writes them
    return save_model(model.module if distributed else model, Path(args.model_dir))


def save_model(model: nn.Module, model_dir: Path) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / "model.pth"
    torch.save(model.cpu().state_dict(), path)
    say(f"Saved model to {path}")
    return path


def model_fn(model_dir: str) -> nn.Module:
    """Loader for SageMaker's PyTorch serving container."""
    model = Net()
    model.load_state_dict(torch.load(Path(model_dir) / "model.pth", map_location="cpu"))
    return model.to("cuda" if torch.cuda.is_available() else "cpu")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        train(args)
    except DataError as exc:
        print(f"mnist.py: error: {exc}", file=sys.stderr, flush=True)
        return 2
    finally:
        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
