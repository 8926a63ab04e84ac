"""Where the local copies of a request's S3 URIs are.

A request names code and data only by S3 URI. The local engine never downloads: the launcher tells it
which local file or folder stands for each URI (its staging map plus the user's `launcher.local_copies`),
and an S3 URI without a local copy is refused when the job is created, not when a trial starts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path


def decode_hp(value: str) -> object:
    """A hyperparameter value as the toolkit reads it: JSON when it parses, else the raw string."""
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


def encode_like(original: str, replacement: str) -> str:
    """Write `replacement` in the encoding `original` used (SDK v2 JSON-encodes string values)."""
    json_string = original.startswith('"') and isinstance(decode_hp(original), str)
    return json.dumps(replacement) if json_string else replacement


def is_s3(uri: str) -> bool:
    return uri.startswith("s3://")


def resolve(uri: str, copies: Mapping[str, str | Path]) -> Path | None:
    """The local path for `uri`: an exact entry, else the longest prefix entry plus the rest of the key."""
    if uri in copies:
        return Path(copies[uri]).expanduser()
    best: str | None = None
    for prefix in copies:
        stem = prefix.rstrip("/")
        if uri.startswith(stem + "/") and (best is None or len(stem) > len(best.rstrip("/"))):
            best = prefix
    if best is None:
        return None
    rest = uri[len(best.rstrip("/")) + 1 :]
    return Path(copies[best]).expanduser() / rest.lstrip("/")  # a bare "s3://" key maps every bucket


def local_path(uri: str, copies: Mapping[str, str | Path]) -> Path | None:
    """Resolve an S3 URI through `copies`; a `file://` URI or plain path stands for itself."""
    if is_s3(uri):
        return resolve(uri, copies)
    return Path(uri.removeprefix("file://")).expanduser()
