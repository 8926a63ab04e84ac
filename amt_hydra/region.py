"""The AWS region botocore resolves (env, then the config file's profile), cached by what it depends on.

Resolving it the real way imports botocore's session and client (~0.3 s, more than a dry run's own work).
botocore's chain for `region` reads only environment variables and the shared config file, so the answer is
kept in the cache with those variables, the file's size and mtime, and botocore's version as the key; any
change to them asks botocore again.
"""

from __future__ import annotations

import json
import os
from typing import Any

from amt_hydra.cache import cache_dir, read_json, write_json

# What botocore's region chain reads (botocore.configprovider): the region variables, the profile and the
# config file's location; the credentials file is read for profiles too.
INPUTS = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE",
          "AWS_SHARED_CREDENTIALS_FILE", "HOME")
KEEP = 8


def botocore_region() -> str | None:
    """`botocore.session.get_session().get_config_variable("region")`, from the cache when nothing changed."""
    key = json.dumps(_key())
    path = cache_dir() / "region.json"
    entries = read_json(path)
    if key in entries:
        return entries[key]
    import botocore.session

    region = botocore.session.get_session().get_config_variable("region")
    kept = dict(list(entries.items())[-(KEEP - 1):])  # a few environments (shells, CI) side by side
    write_json(path, {**kept, key: region})
    return region


def _key() -> list[Any]:
    import botocore

    files = [os.environ.get("AWS_CONFIG_FILE", "~/.aws/config"),
             os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")]
    return [botocore.__version__, [os.environ.get(name) for name in INPUTS], [_stat(f) for f in files]]


def _stat(path: str) -> list[Any] | None:
    try:
        st = os.stat(os.path.expanduser(path))
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]
