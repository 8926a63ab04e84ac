"""Structured configs (the schema Hydra checks at composition) and their registration."""

from amt_hydra.config.schema import AmtConfig, TuningConfig, register_configs

__all__ = ["AmtConfig", "TuningConfig", "register_configs"]
