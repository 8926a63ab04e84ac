"""A finished training job's artifacts, packed as SageMaker uploads them (amt-semantics §9).

SageMaker tars `/opt/ml/model` into `<S3OutputPath>/<job>/output/model.tar.gz` and `/opt/ml/output/data`
into `output.tar.gz` next to it. Locally that folder is the local copy of `<S3OutputPath>/<job>/output`
when `local_copies` maps the output path (e.g. the endpoint's `--s3-root`), else `output/` in the
job's own folder of the store. Members are relative to the packed folder, as in SageMaker's archives.
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Mapping
from pathlib import Path

from amt_hydra.local.setup.sources import local_path

MODEL = "model.tar.gz"
OUTPUT = "output.tar.gz"


def output_uri(s3_output_path: str, job_name: str) -> str:
    """Where SageMaker writes a training job's archives."""
    return f"{s3_output_path.rstrip('/')}/{job_name}/output"


def output_folder(s3_output_path: str, job_name: str, copies: Mapping[str, str], trial_folder: Path) -> Path:
    """The local folder standing for `output_uri(...)`: its local copy, else `<trial folder>/output`."""
    uri = output_uri(s3_output_path, job_name)
    mapped = local_path(uri, copies) if uri.startswith("s3://") else None
    return mapped if mapped is not None else trial_folder / "output"


def pack(opt_ml: Path, folder: Path, with_model: bool) -> dict[str, str]:
    """Write output.tar.gz (and model.tar.gz when `with_model`) into `folder`; name -> path written."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = {OUTPUT: opt_ml / "output" / "data"}
    if with_model:
        sources[MODEL] = opt_ml / "model"
    return {name: str(_tar(src, folder / name)) for name, src in sources.items()}


def _tar(source: Path, target: Path) -> Path:
    """A gzipped tar of `source`'s content (written aside, then renamed: never a half-written archive)."""
    partial = target.with_name(f".{target.name}.partial")
    with tarfile.open(partial, "w:gz") as tar:
        if source.is_dir():
            for child in sorted(source.iterdir()):
                tar.add(child, arcname=child.name)
    os.replace(partial, target)
    return target
