"""What is never packed: the deny-list of secrets, the default noise, and folders that are machine state.

Three kinds of rule, checked in this order by `amt_hydra.packing.select`:

* **Secrets** (`SECRETS`, plus `is_secret_content`): private keys, credential files, cloud key files. Absolute:
  nothing (not even a `!pattern` in `.amtignore`) brings them back. Matched with gitignore semantics.
* **State folders** (`state_folder`): a virtualenv (any folder holding `pyvenv.cfg`), a cache tagged with
  `CACHEDIR.TAG` (the local launcher's staged tarballs), a local job store's job folder, a Hydra run or sweep
  dir. Recognised by content, whatever their names, and never packed.
* **Noise** (`NOISE`) plus the project's `.amtignore` (gitignore syntax, read after `NOISE`, so a `!pattern`
  there can bring back e.g. a package of yours named `outputs`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

IGNORE_FILE = ".amtignore"
CACHEDIR_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"  # bford.info/cachedir: tar --exclude-caches

# Private keys, credentials and cloud key files, in gitignore syntax (a name without "/" matches at any depth).
SECRETS = (
    # SSH and TLS private keys, keystores
    "id_rsa", "id_rsa_*", "id_dsa", "id_dsa_*", "id_ecdsa", "id_ecdsa_*", "id_ed25519", "id_ed25519_*",
    "id_ecdsa_sk", "id_ed25519_sk", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.ppk",
    ".ssh/", ".gnupg/",
    # credential files of tools
    ".git-credentials", ".npmrc", ".yarnrc.yml", ".pypirc", ".netrc", "_netrc", ".pgpass", ".my.cnf",
    ".docker/config.json", ".dockercfg", ".htpasswd", "credentials", "credentials.json", "*.tfvars",
    "terraform.tfstate", "terraform.tfstate.*",
    # cloud providers: AWS, GCP, Azure, Kubernetes
    ".aws/", ".config/gcloud/", "application_default_credentials.json", ".azure/", ".kube/", "kubeconfig",
    "kubeconfig.*", "*.kubeconfig",
    # environment files
    ".env", ".env.*", "*.env", ".envrc",
)

# Version control, caches and Hydra's default output folders: useless in a training job.
NOISE = (
    ".git/", ".hg/", ".svn/", "__pycache__/", "*.py[cod]", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/",
    ".ipynb_checkpoints/", ".tox/", ".nox/", "*.egg-info/", ".DS_Store", "outputs/", "multirun/", ".hydra/",
)

_PRIVATE_KEY = re.compile(rb"^-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----\s*$", re.MULTILINE)
_CONTENT_LIMIT = 256 * 1024  # key files are small; larger files are not read


@cache
def _spec(patterns: tuple[str, ...]) -> Any:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(patterns)


def secret_name(rel: str, is_dir: bool = False) -> bool:
    """`rel` (posix, relative to the source dir) is on the deny-list by name."""
    return _spec(SECRETS).match_file(rel + "/" if is_dir else rel)


def is_secret_content(path: Path, size: int) -> bool:
    """A private key in PEM/OpenSSH form, or a cloud key file (a GCP service-account JSON), by content."""
    if size > _CONTENT_LIMIT or size == 0:
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if _PRIVATE_KEY.search(data):
        return True
    if b"service_account" in data and b"private_key" in data:
        try:
            parsed = json.loads(data)
        except ValueError:
            return False
        return isinstance(parsed, dict) and parsed.get("type") == "service_account" and "private_key" in parsed
    return False


def ignore_spec(source_dir: Path) -> Any:
    """`NOISE` then the project's `.amtignore`, as one gitignore spec (later lines win, `!` re-includes)."""
    from pathspec import GitIgnoreSpec

    ignore = source_dir / IGNORE_FILE
    lines = ignore.read_text(errors="replace").splitlines() if ignore.is_file() else []
    return GitIgnoreSpec.from_lines([*NOISE, *lines])


def state_folder(path: Path, names: set[str]) -> str | None:
    """Why the folder `path` (whose entries are `names`) is machine state, or None when it is not."""
    if "pyvenv.cfg" in names:
        return "virtualenv"
    if "CACHEDIR.TAG" in names and _tagged(path / "CACHEDIR.TAG"):
        return "cache"
    if {"tuning.json", "request.json"} <= names:
        return "local job store"
    if ".hydra" in names or "multirun.yaml" in names or {"request.json", "provenance.json"} <= names:
        return "run dir"
    return None


def _tagged(tag: Path) -> bool:
    try:
        with tag.open("rb") as fh:
            return fh.read(len(CACHEDIR_SIGNATURE)) == CACHEDIR_SIGNATURE
    except OSError:
        return False
