"""`python -m amt_hydra.data`: IDX files, the Debian copy, downloads from a local HTTP server, offline."""

from __future__ import annotations

import functools
import gzip
import http.server
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from amt_hydra.data import DataCorruptError, DataError, DataMissingError, OfflineError, check_dataset, prepare
from amt_hydra.data.idx import read_idx, read_idx_header, write_idx
from amt_hydra.errors import UserError

SYSTEM = Path("/usr/share/datasets/fashion-mnist")
STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
needs_debian = pytest.mark.skipif(
    not all((SYSTEM / f"{s}.gz").is_file() for s in STEMS),
    reason=f"Debian package dataset-fashion-mnist is not installed ({SYSTEM} is absent)",
)


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "amt_hydra.data", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"  # nothing listens there once the socket is closed


@pytest.fixture()
def http_mirror(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on a free port serving a folder: (folder, base URL)."""
    root = tmp_path / "mirror"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def small_mnist_dir(root: Path, n_train: int = 12, n_test: int = 4, gz: bool = True) -> Path:
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    for split, n in (("train", n_train), ("t10k", n_test)):
        write_idx(
            root / f"{split}-images-idx3-ubyte{suffix}", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        )
        write_idx(root / f"{split}-labels-idx1-ubyte{suffix}", rng.integers(0, 10, n, dtype=np.uint8))
    return root


@pytest.mark.parametrize("dtype", ["u1", "i1", ">i2", ">i4", ">f4", ">f8", "<f8"])
@pytest.mark.parametrize("name", ["x-idx", "x-idx.gz"])
def test_idx_round_trip(tmp_path, dtype, name) -> None:
    array = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    path = write_idx(tmp_path / name, array)
    assert np.array_equal(read_idx(path), array)
    assert read_idx_header(path)[1] == (2, 3, 4)


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", "header says (5,) (5 bytes) but 3 follow"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01a", "not an IDX file"),
        (b"\x00\x00\x08\x03\x00\x00", "truncated IDX header"),
        (b"", "not an IDX file"),
    ],
    ids=["short-body", "unknown-type", "short-header", "empty"],
)
def test_idx_reader_rejects_damaged_files(tmp_path, blob, message) -> None:
    (tmp_path / "f").write_bytes(blob)
    with pytest.raises(DataCorruptError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_idx(tmp_path / "f")


def test_idx_reader_rejects_broken_gzip(tmp_path) -> None:
    (tmp_path / "f.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x05abcde")[:-6])
    with pytest.raises(DataCorruptError, match="cannot read"):
        read_idx(tmp_path / "f.gz")


def test_check_dataset_accepts_flat_and_torchvision_layouts(tmp_path) -> None:
    check_dataset(small_mnist_dir(tmp_path / "flat"), "mnist")
    check_dataset(small_mnist_dir(tmp_path / "tv" / "FashionMNIST" / "raw", gz=False).parents[1])


def test_check_dataset_names_the_prepare_command(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AMT_HYDRA_DATA", str(tmp_path / "root"))
    with pytest.raises(DataMissingError) as info:
        check_dataset(tmp_path / "root" / "fashion_mnist", "fashion_mnist")
    assert isinstance(info.value, UserError)
    assert str(info.value).endswith("run `python -m amt_hydra.data fashion_mnist`")
    with pytest.raises(DataMissingError, match=r"run `python -m amt_hydra.data mnist \S+/elsewhere`"):
        check_dataset(tmp_path / "elsewhere", "mnist")


def test_check_dataset_rejects_mismatched_files(tmp_path) -> None:
    data = small_mnist_dir(tmp_path)
    write_idx(data / "t10k-labels-idx1-ubyte.gz", np.zeros(3, np.uint8))
    with pytest.raises(DataCorruptError, match="expected 4 uint8 labels"):
        check_dataset(data, "mnist")


def test_offline_download_says_so_in_one_line(tmp_path) -> None:
    result = cli("mnist", str(tmp_path / "mnist"), "--mirror", closed_port_url())
    assert result.returncode == UserError.exit_code
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot download MNIST: offline?"), result.stderr


def test_offline_via_the_mirror_environment_variable(tmp_path) -> None:
    import os

    env = dict(os.environ, AMT_HYDRA_DATA_MIRROR=closed_port_url(), AMT_HYDRA_DATA=str(tmp_path))
    result = cli("fashion_mnist", "--source", "download", env=env)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "offline?" in result.stderr


@needs_debian
def test_fashion_mnist_from_the_debian_package_into_the_default_dir(tmp_path) -> None:
    import os

    env = dict(os.environ, AMT_HYDRA_DATA=str(tmp_path))
    first = cli("fashion_mnist", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == str(tmp_path / "fashion_mnist")
    assert f"copied from {SYSTEM}" in first.stderr
    check_dataset(tmp_path / "fashion_mnist", "fashion_mnist")
    assert read_idx_header(tmp_path / "fashion_mnist" / "train-images-idx3-ubyte.gz")[1] == (60000, 28, 28)

    again = cli("fashion_mnist", str(tmp_path / "fashion_mnist"))
    assert again.returncode == 0 and again.stderr.count("present and verified") == 4


@needs_debian
def test_download_verifies_and_falls_back_to_the_next_mirror(tmp_path, http_mirror) -> None:
    root, url = http_mirror
    (root / "good").mkdir()
    for stem in STEMS:
        shutil.copyfile(SYSTEM / f"{stem}.gz", root / "good" / f"{stem}.gz")
    logged: list[str] = []
    out = prepare(
        "fashion_mnist", tmp_path / "fm", "download", [url + "absent/", url + "good/"], logged.append
    )
    assert out == tmp_path / "fm"
    assert all(f"downloaded from {url}good/" in line for line in logged) and len(logged) == 4
    check_dataset(out, "fashion_mnist")


@needs_debian
def test_download_rejects_a_file_with_the_wrong_checksum(tmp_path, http_mirror) -> None:
    root, url = http_mirror
    small_mnist_dir(root)  # valid IDX files, but not Fashion-MNIST: must never be accepted silently
    with pytest.raises(DataError, match="checksum mismatch") as info:
        prepare("fashion_mnist", tmp_path / "fm", "download", [url])
    assert not isinstance(info.value, OfflineError)
    assert not list((tmp_path / "fm").iterdir())  # no partial or wrong file is left behind


@needs_debian
def test_a_damaged_file_in_the_folder_is_replaced(tmp_path) -> None:
    target = tmp_path / "fm"
    target.mkdir()
    (target / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x00")
    logged: list[str] = []
    prepare("fashion_mnist", target, log=logged.append)
    assert not (target / "train-labels-idx1-ubyte").exists()
    assert any("checksum mismatch" in line and line.endswith("replacing it") for line in logged)
    check_dataset(target, "fashion_mnist")
