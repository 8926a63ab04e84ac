"""Prepare a dataset folder (copy a system copy or download, verify) and check one before a run."""

from __future__ import annotations

import gzip
import hashlib
import os
import shlex
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from amt_hydra.data.errors import DataCorruptError, DataError, DataMissingError, OfflineError
from amt_hydra.data.sources import DATASETS, ENV_DATA_MIRROR, DatasetSpec, FileSpec, default_data_dir

SOURCES = ("auto", "system", "download")
TIMEOUT_S = 30.0
_CHUNK = 1 << 20


def prepare_command(dataset: str | None, directory: Path | None = None) -> str:
    """The shell command that prepares `dataset` (into `directory` unless it is the default)."""
    cmd = f"python -m amt_hydra.data {dataset or '{mnist,fashion_mnist}'}"
    if directory is not None and (dataset is None or Path(directory) != default_data_dir(dataset)):
        cmd += " " + shlex.quote(str(directory))
    return cmd


def _digest(path: Path, algo: str, decompress: bool) -> str:
    h = hashlib.new(algo)
    opener = gzip.open if decompress else open
    try:
        with opener(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataCorruptError(f"{path}: cannot read ({exc})") from exc
    return h.hexdigest()


def verify_file(path: Path, spec: FileSpec, gz: bool | None = None) -> None:
    """Accept the publisher's .gz (MD5) or any file whose decompressed bytes have the known SHA-256.

    `gz` says whether `path` is gzipped; by default its name decides.
    """
    gz = path.suffix == ".gz" if gz is None else gz
    if gz and _digest(path, "md5", decompress=False) == spec.gz_md5:
        return
    if _digest(path, "sha256", decompress=gz) != spec.raw_sha256:
        raise DataCorruptError(f"{path}: checksum mismatch (not the published {spec.stem})")


def _verified_existing(directory: Path, spec: FileSpec, log: Callable[[str], None]) -> Path | None:
    for path in (directory / f"{spec.stem}.gz", directory / spec.stem):
        if path.is_file():
            try:
                verify_file(path, spec)
                return path
            except DataCorruptError as exc:
                log(f"{exc}: replacing it")
                path.unlink()  # otherwise readers, which prefer the raw name, would still pick it up
    return None


def _system_dir(ds: DatasetSpec) -> Path | None:
    from amt_hydra.data.idx import find_idx  # numpy only when data is read

    for d in map(Path, ds.system_dirs):
        if all(find_idx(d, f.stem) is not None for f in ds.files):
            return d
    return None


def _atomic_write(target: Path, fill: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    try:
        fill(Path(tmp))
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _copy_system(src_dir: Path, spec: FileSpec, target_dir: Path) -> Path:
    from amt_hydra.data.idx import find_idx

    src = find_idx(src_dir, spec.stem)
    assert src is not None  # _system_dir checked every file
    verify_file(src, spec)
    target = target_dir / src.name
    _atomic_write(target, lambda tmp: shutil.copyfile(src, tmp))
    return target


def _fetch_verified(url: str, spec: FileSpec, tmp: Path) -> None:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp, tmp.open("wb") as out:
        shutil.copyfileobj(resp, out, _CHUNK)
    verify_file(tmp, spec, gz=True)


def _download(ds: DatasetSpec, spec: FileSpec, target_dir: Path, mirrors: Sequence[str]) -> tuple[Path, str]:
    target = target_dir / f"{spec.stem}.gz"
    failures: list[str] = []
    reached = False
    for base in mirrors:
        url = base + spec.stem + ".gz"
        try:
            _atomic_write(target, lambda tmp, url=url: _fetch_verified(url, spec, tmp))
            return target, url
        except urllib.error.HTTPError as exc:
            reached = True
            failures.append(f"{url}: HTTP {exc.code}")
        except DataCorruptError:
            reached = True
            failures.append(f"{url}: checksum mismatch")
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            failures.append(f"{urllib.parse.urlsplit(url).netloc}: {getattr(exc, 'reason', exc)}")
    if not reached:
        raise OfflineError(
            f"cannot download {ds.title}: offline? no mirror is reachable ({'; '.join(failures)}); "
            f"set ${ENV_DATA_MIRROR} or put the .gz files in {target_dir} yourself"
        )
    raise DataError(f"cannot download {ds.title} {spec.stem}: {'; '.join(failures)}")


def prepare(
    dataset: str,
    directory: str | Path | None = None,
    source: str = "auto",
    mirrors: Sequence[str] | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> Path:
    """Fill `directory` (default: `default_data_dir(dataset)`) with the verified `.gz` IDX files.

    `source`: `auto` (a system copy if one is installed, else download), `system` or `download`.
    `mirrors` replaces the dataset's base URLs (and $AMT_HYDRA_DATA_MIRROR). Returns the folder.
    """
    if dataset not in DATASETS:
        raise DataError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    if source not in SOURCES:
        raise DataError(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    ds = DATASETS[dataset]
    target_dir = Path(directory).expanduser() if directory is not None else default_data_dir(dataset)
    system = _system_dir(ds) if source != "download" else None
    if source == "system" and system is None:
        raise DataMissingError(
            f"no system copy of {ds.title} (looked in {', '.join(ds.system_dirs) or 'none'})"
        )
    urls = [m.rstrip("/") + "/" for m in mirrors] if mirrors else ds.mirror_urls()
    target_dir.mkdir(parents=True, exist_ok=True)
    for spec in ds.files:
        if (path := _verified_existing(target_dir, spec, log)) is not None:
            log(f"{path}: present and verified")
        elif system is not None:
            log(f"{_copy_system(system, spec, target_dir)}: copied from {system}")
        else:
            path, url = _download(ds, spec, target_dir, urls)
            log(f"{path}: downloaded from {url}")
    return target_dir


def check_dataset(directory: str | Path, dataset: str | None = None) -> None:
    """Raise `DataMissingError` unless `directory` holds the four IDX files of an MNIST-format dataset.

    Files may be `.gz` or raw, flat or in torchvision's `MNIST/raw` / `FashionMNIST/raw` layout (as
    `train/mnist.py` reads them). Only headers are read: quick, and subsampled files pass too.
    `dataset` (`mnist` or `fashion_mnist`) only makes the message name the exact command.
    """
    from amt_hydra.data.idx import find_idx, read_idx_header

    directory = Path(directory).expanduser()
    stems = [f.stem for f in (DATASETS.get(dataset) or DATASETS["mnist"]).files]
    missing = [s for s in stems if find_idx(directory, s) is None]
    if missing:
        raise DataMissingError(
            f"data missing in {directory} ({', '.join(missing)}): run `{prepare_command(dataset, directory)}`"
        )
    hint = f"run `{prepare_command(dataset, directory)}`"
    for split in ("train", "t10k"):
        images, labels = (
            find_idx(directory, f"{split}-images-idx3-ubyte"),
            find_idx(directory, f"{split}-labels-idx1-ubyte"),
        )
        assert images is not None and labels is not None
        (img_type, img_shape), (lab_type, lab_shape) = read_idx_header(images), read_idx_header(labels)
        if img_type.kind != "u" or len(img_shape) != 3 or img_shape[1:] != (28, 28):
            raise DataCorruptError(
                f"{images}: expected N x 28 x 28 uint8, found {img_type} {img_shape}; {hint}"
            )
        if lab_type.kind != "u" or lab_shape != img_shape[:1]:
            raise DataCorruptError(
                f"{labels}: expected {img_shape[0]} uint8 labels, found {lab_type} {lab_shape}"
            )
