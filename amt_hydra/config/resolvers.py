"""OmegaConf resolvers the shipped configs use to find the shipped folders and prepared data."""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from amt_hydra.config.paths import shipped_dir
from amt_hydra.data.sources import data_root


def repo_root() -> Path:
    """The folder holding conf/ and train/: the installed package, or the checkout of an editable install."""
    return shipped_dir("conf").parent


def register_resolvers() -> None:
    """`${amt_repo:train}` (the shipped example scripts) and `${amt_data:mnist}`; idempotent."""
    if not OmegaConf.has_resolver("amt_repo"):
        OmegaConf.register_new_resolver("amt_repo", lambda sub="": str(repo_root() / sub))
    if not OmegaConf.has_resolver("amt_data"):
        OmegaConf.register_new_resolver("amt_data", lambda name: str(data_root() / name))
