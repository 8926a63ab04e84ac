"""Launchers: take one rendered CreateHyperParameterTuningJob request and run it somewhere."""

from amt_hydra.launcher.base import LaunchContext, Launcher

__all__ = ["LaunchContext", "Launcher"]
