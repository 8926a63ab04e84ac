"""What reproduces a run: source revision, package versions, and a fingerprint of each local input."""

from __future__ import annotations

import hashlib
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from amt_hydra.cache import cache_dir, read_json, write_json

PACKAGES = ("amt-hydra", "hydra-core", "omegaconf", "boto3", "botocore", "sagemaker", "sagemaker-training", "optuna")


def provenance(source_dir: str | None, channels: dict[str, str]) -> dict[str, Any]:
    return {
        "source": _git(source_dir) if source_dir else None,
        "packages": {name: _version(name) for name in PACKAGES},
        "inputs": {name: fingerprint(Path(path)) for name, path in sorted(channels.items())},
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git(path: str) -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", path, *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"path": path, "commit": None, "dirty": None}
    status = git("status", "--porcelain", "--", ".")
    return {"path": path, "commit": commit, "dirty": bool(status)}


def fingerprint(path: Path, cache: Path | None = None) -> dict[str, Any]:
    """sha256 over relative names, sizes and contents, in name order: equal data, equal print.

    Hashing is remembered per folder under a key of every file's name, size and mtime (`cache`, default
    `<cache_dir>/fingerprints.json`), so a large dataset is read once, not on every run.
    """
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    listing = [(f.name if f == path else f.relative_to(path).as_posix(), f.stat()) for f in files]
    key = hashlib.sha256(repr([(rel, st.st_size, st.st_mtime_ns) for rel, st in listing]).encode()).hexdigest()
    cache = cache or cache_dir() / "fingerprints.json"
    known = read_json(cache)
    if known.get(str(path), {}).get("key") == key:
        return known[str(path)]["print"]
    digest = hashlib.sha256()
    for (rel, stat), file in zip(listing, files):
        digest.update(f"{rel}\0{stat.st_size}\0".encode())
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    size = sum(stat.st_size for _, stat in listing)
    record = {"path": str(path), "files": len(files), "bytes": size, "sha256": digest.hexdigest()}
    known[str(path)] = {"key": key, "print": record}
    write_json(cache, known)
    return record

