"""What reproduces a run: source revision, package versions, and a fingerprint of each local input.

Every run writes this, dry runs included, so it is kept cheap: the revision and dirty flag come from one
`git status`, and package versions are `importlib.metadata`'s answers remembered under a key of every `sys.path`
entry's mtime (installing, upgrading or removing a distribution adds or renames an entry in its folder), which
spares each run importing `importlib.metadata` and searching `sys.path` for each name.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from amt_hydra.cache import cache_dir, read_json, write_json

PACKAGES = ("amt-hydra", "hydra-core", "omegaconf", "boto3", "botocore", "sagemaker", "sagemaker-training", "optuna")
KEEP = 8  # environments remembered side by side (virtualenvs, working directories)


def provenance(source: SourceStatus, channels: dict[str, str]) -> dict[str, Any]:
    return {
        "source": source.result(),
        "packages": versions(PACKAGES),
        "inputs": {name: fingerprint(Path(path)) for name, path in sorted(channels.items())},
    }


def versions(names: tuple[str, ...], cache: Path | None = None) -> dict[str, str | None]:
    """`importlib.metadata.version` of each name (None when not installed), from the cache when `sys.path` and
    its folders are unchanged."""
    key = json.dumps([names, [[entry, _mtime(entry or ".")] for entry in sys.path]])
    cache = cache or cache_dir() / "versions.json"
    known = read_json(cache)
    if isinstance(known.get(key), dict):
        return known[key]
    from importlib import metadata

    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    write_json(cache, {**dict(list(known.items())[-(KEEP - 1):]), key: found})
    return found


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


class SourceStatus:
    """The commit checked out at a source dir and whether anything under it differs (untracked files included),
    from one `git status` started on creation, so git runs while the caller walks the tree; `result()` reads it.
    None for both outside a repository, in one without commits, or without git. Leaving the `with` reaps git."""

    def __init__(self, path: str | None) -> None:
        import subprocess

        self.path, self._git = path, None
        if path:
            cmd = ["git", "-C", path, "status", "--porcelain=v2", "--branch", "--no-ahead-behind", "--", "."]
            try:
                self._git = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            except OSError:
                pass

    def result(self) -> dict[str, Any] | None:
        if not self.path:
            return None
        unknown = {"path": self.path, "commit": None, "dirty": None}
        lines = self._output()
        commit = next((ln.split()[2] for ln in lines or [] if ln.startswith("# branch.oid ")), None)
        if lines is None or commit in (None, "(initial)"):
            return unknown
        return {"path": self.path, "commit": commit, "dirty": any(not ln.startswith("#") for ln in lines)}

    def _output(self) -> list[str] | None:
        import subprocess

        if self._git is None:
            return None
        try:
            out, _ = self._git.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self._git.kill()
            self._git.communicate()
            return None
        return out.splitlines() if self._git.returncode == 0 else None

    def __enter__(self) -> SourceStatus:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._git is not None and self._git.poll() is None:
            self._git.kill()
            self._git.wait()


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

