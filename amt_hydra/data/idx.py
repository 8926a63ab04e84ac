"""IDX files (the MNIST format): read, write, validate and locate them.

An IDX file is `0x00 0x00 <type code> <ndim>`, then `ndim` big-endian uint32 sizes, then the values in
big-endian C order. MNIST and Fashion-MNIST ship them gzipped. `train/mnist.py` carries its own copy of the
reader because it is uploaded alone; this one is the reference the tests use to write real files.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from amt_hydra.data.errors import DataCorruptError

# IDX type code -> numpy dtype (big-endian, as the format stores them).
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# Directories, relative to a dataset root, where IDX files are looked for (flat, then torchvision's layouts).
SEARCH_SUBDIRS = (".", "MNIST/raw", "FashionMNIST/raw")


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _parse_header(path: Path, head: bytes) -> tuple[np.dtype, tuple[int, ...], int]:
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in IDX_TYPES:
        raise DataCorruptError(f"{path}: not an IDX file (bad magic number {head[:4].hex() or 'empty'})")
    ndim = head[3]
    end = 4 + 4 * ndim
    if ndim == 0 or len(head) < end:
        raise DataCorruptError(f"{path}: truncated IDX header")
    shape = tuple(int(d) for d in np.frombuffer(head[4:end], dtype=">u4"))
    return IDX_TYPES[head[2]], shape, end


def read_idx_header(path: str | Path) -> tuple[np.dtype, tuple[int, ...]]:
    """Return (dtype, shape) from the header alone: cheap even for a gzipped 47 MB file."""
    path = Path(path)
    try:
        with _open(path) as fh:
            head = fh.read(4 + 4 * 255)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataCorruptError(f"{path}: cannot read ({exc})") from exc
    dtype, shape, _ = _parse_header(path, head)
    return dtype, shape


def read_idx(path: str | Path) -> np.ndarray:
    """Read a whole IDX file (`.gz` or raw) into an array in native byte order."""
    path = Path(path)
    try:
        with _open(path) as fh:
            blob = fh.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DataCorruptError(f"{path}: cannot read ({exc})") from exc
    dtype, shape, offset = _parse_header(path, blob)
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(blob) - offset != expected:
        raise DataCorruptError(
            f"{path}: header says {shape} ({expected} bytes) but {len(blob) - offset} follow"
        )
    data = np.frombuffer(blob, dtype=dtype, offset=offset).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: str | Path, array: np.ndarray) -> Path:
    """Write `array` as an IDX file, gzipped when `path` ends in `.gz`; returns the path."""
    path = Path(path)
    codes = {dt.newbyteorder("=").str: code for code, dt in IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("=").str)
    if code is None or array.ndim == 0:
        raise ValueError(f"cannot store {array.dtype} with {array.ndim} dims in IDX")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    body = np.ascontiguousarray(array, dtype=IDX_TYPES[code]).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps gzip output byte-for-byte reproducible.
    data = gzip.compress(header + body, mtime=0) if path.suffix == ".gz" else header + body
    path.write_bytes(data)
    return path


def candidates(root: Path, stem: str) -> Iterator[Path]:
    """Paths where the file `stem` (e.g. `train-images-idx3-ubyte`) may live under `root`, in order."""
    for sub in SEARCH_SUBDIRS:
        for name in (stem, stem + ".gz"):
            yield root / sub / name


def find_idx(root: str | Path, stem: str) -> Path | None:
    """The first existing file for `stem` under `root` (flat or torchvision layout, raw or `.gz`)."""
    return next((p for p in candidates(Path(root), stem) if p.is_file()), None)
