"""`sourcedir.tar.gz` as the SageMaker SDK builds it, minus what must never leave the machine."""

from __future__ import annotations

import fnmatch
import tarfile
from pathlib import Path

# VCS data, caches and credentials stay home; matched against every path component.
EXCLUDE = (
    ".git", ".hg", ".svn", "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache",
    ".ipynb_checkpoints", ".venv", "venv", ".env", ".env.*", "*.pem", "*.key", ".aws", "credentials",
    ".netrc", ".pypirc", ".DS_Store", "outputs", "multirun",
)


def excluded(rel: Path) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in rel.parts for pattern in EXCLUDE)


def package_source(source_dir: Path, target: Path) -> list[str]:
    """Write the tarball (entries relative to `source_dir`, sorted); return the names packed."""
    names: list[str] = []
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(source_dir.rglob("*")):
            rel = path.relative_to(source_dir)
            if path.is_file() and not excluded(rel):
                tar.add(path, arcname=rel.as_posix(), recursive=False)
                names.append(rel.as_posix())
    return names
