"""The frozen, validated, backend-neutral description of one tuning job."""

from amt_hydra.spec.model import (
    Channel,
    Completion,
    Estimator,
    Instance,
    Limits,
    MetricDefinition,
    Objective,
    ParameterRange,
    Strategy,
    TuningSpec,
    WarmStart,
)

__all__ = [
    "Channel",
    "Completion",
    "Estimator",
    "Instance",
    "Limits",
    "MetricDefinition",
    "Objective",
    "ParameterRange",
    "Strategy",
    "TuningSpec",
    "WarmStart",
]
