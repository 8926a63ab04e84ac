"""`sourcedir.tar.gz` as the SageMaker SDK lays it out (entries relative to the source dir), from a `Selection`.

Written to a temporary file and renamed into place, so a training job that extracts it meanwhile never reads
half a tarball. The gzip header carries no timestamp, so the same files give the same bytes.
"""

from __future__ import annotations

import gzip
import os
import tarfile
import tempfile
from pathlib import Path

from amt_hydra.packing.rules import CACHEDIR_SIGNATURE
from amt_hydra.packing.select import Selection, select

PACKED_LIST = "packed_files.txt"


def write_tarball(selection: Selection, target: Path) -> Path:
    """Pack the selected files (as regular files, symlinks dereferenced) into `target`; return `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for name in selection.names:
                    tar.add(selection.files[name], arcname=name, recursive=False)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def package_source(source_dir: Path, target: Path) -> list[str]:
    """Select and pack `source_dir` into `target`; return the names packed."""
    selection = select(source_dir)
    write_tarball(selection, target)
    return selection.names


def write_packed_list(selection: Selection, run_dir: Path) -> Path:
    """`packed_files.txt`: one name per line, as in the tarball (and in the local jobs' code folder)."""
    path = run_dir / PACKED_LIST
    path.write_text("".join(f"{name}\n" for name in selection.names))
    return path


def tag_cache(folder: Path) -> None:
    """Mark `folder` as a cache (CACHEDIR.TAG): never packed, and skipped by `tar --exclude-caches` and backups."""
    folder.mkdir(parents=True, exist_ok=True)
    tag = folder / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_bytes(CACHEDIR_SIGNATURE + b"\n# amt-hydra's staged source tarballs; see https://bford.info/cachedir/\n")
