"""Where the datasets come from and how their files are recognised (mirrors, checksums, system copies).

Each file has two accepted identities: the MD5 of the publisher's `.gz` (torchvision's well-known values) and
the SHA-256 of its decompressed IDX content. The second one matters because repackagers recompress: Debian's
`dataset-fashion-mnist` ships the same IDX bytes in `.gz` files with another timestamp, hence another MD5.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Environment variables read by the data commands.
ENV_DATA_ROOT = "AMT_HYDRA_DATA"  # root of the per-dataset folders; default ~/.cache/amt-hydra/data
ENV_DATA_MIRROR = "AMT_HYDRA_DATA_MIRROR"  # comma-separated base URLs replacing the built-in mirrors
ENV_REGIONS = ("AWS_REGION", "AWS_DEFAULT_REGION")  # picks the SageMaker sample-files bucket
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class FileSpec:
    """One IDX file of a dataset."""

    stem: str  # name without `.gz`, e.g. train-images-idx3-ubyte
    gz_md5: str  # MD5 of the publisher's .gz
    raw_sha256: str  # SHA-256 of the decompressed IDX bytes
    shape: tuple[int, ...]  # shape the header must declare


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset the `python -m amt_hydra.data` command can prepare."""

    name: str  # CLI name, also the default folder name
    title: str  # human name used in messages
    files: tuple[FileSpec, ...]
    mirrors: tuple[str, ...]  # base URLs; `{region}` is filled from AWS_REGION
    system_dirs: tuple[str, ...] = ()  # read-only copies installed by an OS package

    def mirror_urls(self) -> list[str]:
        override = os.environ.get(ENV_DATA_MIRROR, "").strip()
        bases = [b.strip() for b in override.split(",") if b.strip()] if override else list(self.mirrors)
        region = next((os.environ[k] for k in ENV_REGIONS if os.environ.get(k)), DEFAULT_REGION)
        return [b.replace("{region}", region).rstrip("/") + "/" for b in bases]


MNIST = DatasetSpec(
    name="mnist",
    title="MNIST",
    files=(
        FileSpec(
            "train-images-idx3-ubyte",
            "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            (60000, 28, 28),
        ),
        FileSpec(
            "train-labels-idx1-ubyte",
            "d53e105ee54ea40749a09fcbcd1e9432",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            (60000,),
        ),
        FileSpec(
            "t10k-images-idx3-ubyte",
            "9fb629c4189551a2d022fa330f9573f3",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            (10000, 28, 28),
        ),
        FileSpec(
            "t10k-labels-idx1-ubyte",
            "ec29112dd5afa0611ce80d1b7f02629c",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            (10000,),
        ),
    ),
    mirrors=(
        # The mirror AWS's own PyTorch MNIST samples point torchvision at.
        "https://sagemaker-example-files-prod-{region}.s3.amazonaws.com/datasets/image/MNIST/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
)

FASHION_MNIST = DatasetSpec(
    name="fashion_mnist",
    title="Fashion-MNIST",
    files=(
        FileSpec(
            "train-images-idx3-ubyte",
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            (60000, 28, 28),
        ),
        FileSpec(
            "train-labels-idx1-ubyte",
            "25c81989df183df01b3e8a0aad5dffbe",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            (60000,),
        ),
        FileSpec(
            "t10k-images-idx3-ubyte",
            "bef4ecab320f06d8554ea6380940ec79",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            (10000, 28, 28),
        ),
        FileSpec(
            "t10k-labels-idx1-ubyte",
            "bb300cfdad3c16e7a12a480ee83cd310",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            (10000,),
        ),
    ),
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    # Debian/Ubuntu package `dataset-fashion-mnist`.
    system_dirs=("/usr/share/datasets/fashion-mnist",),
)

DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (MNIST, FASHION_MNIST)}


def data_root() -> Path:
    """Root of the per-dataset folders: $AMT_HYDRA_DATA, else $XDG_CACHE_HOME/amt-hydra/data."""
    if os.environ.get(ENV_DATA_ROOT):
        return Path(os.environ[ENV_DATA_ROOT]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "amt-hydra" / "data"


def default_data_dir(dataset: str) -> Path:
    """The folder `python -m amt_hydra.data <dataset>` fills when no DIR is given."""
    return data_root() / dataset
