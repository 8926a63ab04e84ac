"""OmegaConf resolvers the shipped configs use to find the project's folders and prepared data."""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from amt_hydra.data.sources import data_root


def repo_root() -> Path:
    """The folder holding conf/ and train/ (a source checkout or an editable install)."""
    return Path(__file__).resolve().parents[2]


def register_resolvers() -> None:
    """`${amt_repo:train}` and `${amt_data:mnist}`; idempotent."""
    if not OmegaConf.has_resolver("amt_repo"):
        OmegaConf.register_new_resolver("amt_repo", lambda sub="": str(repo_root() / sub))
    if not OmegaConf.has_resolver("amt_data"):
        OmegaConf.register_new_resolver("amt_data", lambda name: str(data_root() / name))
