"""OmegaConf resolvers the shipped configs use to find the shipped folders and prepared data."""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from amt_hydra.config.paths import shipped_dir


def repo_root() -> Path:
    """The folder holding conf/ and train/: the installed package, or the checkout of an editable install."""
    return shipped_dir("conf").parent


def data_dir(name: str) -> str:
    """`${amt_data:NAME}`. The data package is imported here, on use, not with the resolvers: it brings the
    downloader (urllib, http.client ...), ~25 ms that runs without a prepared dataset need not pay."""
    from amt_hydra.data.sources import data_root

    return str(data_root() / name)


def register_resolvers() -> None:
    """`${amt_repo:train}` (the shipped example scripts) and `${amt_data:mnist}`; idempotent."""
    if not OmegaConf.has_resolver("amt_repo"):
        OmegaConf.register_new_resolver("amt_repo", lambda sub="": str(repo_root() / sub))
    if not OmegaConf.has_resolver("amt_data"):
        OmegaConf.register_new_resolver("amt_data", data_dir)
