"""What reproduces a run: source revision, package versions, and a fingerprint of each local input."""

from __future__ import annotations

import hashlib
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

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


def fingerprint(path: Path) -> dict[str, Any]:
    """sha256 over relative names, sizes and contents, in name order: equal data, equal print."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    size = 0
    for file in files:
        rel = file.name if file == path else file.relative_to(path).as_posix()
        stat = file.stat()
        size += stat.st_size
        digest.update(f"{rel}\0{stat.st_size}\0".encode())
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return {"path": str(path), "files": len(files), "bytes": size, "sha256": digest.hexdigest()}
