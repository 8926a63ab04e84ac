"""Frozen dataclasses: what a tuning job is, independent of configs and of any client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RangeKind = Literal["continuous", "integer", "categorical"]


@dataclass(frozen=True)
class ParameterRange:
    """One tunable hyperparameter; `key` is the config key it came from, for error messages."""

    name: str
    kind: RangeKind
    key: str
    min: float | int | None = None
    max: float | int | None = None
    values: tuple[str, ...] = ()
    scaling: str = "Auto"  # API spelling: Auto | Linear | Logarithmic | ReverseLogarithmic

    @property
    def cardinality(self) -> int | None:
        """Number of distinct values, or None for a continuous range."""
        from amt_hydra.semantics import cardinality

        return cardinality(self.kind, self.min, self.max, self.values)


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    regex: str


@dataclass(frozen=True)
class Objective:
    name: str
    type: str  # Minimize | Maximize


@dataclass(frozen=True)
class Strategy:
    name: str  # Bayesian | Random | Grid | Hyperband
    min_resource: int | None = None
    max_resource: int | None = None


@dataclass(frozen=True)
class Instance:
    instance_type: str
    instance_count: int
    volume_size_gb: int


@dataclass(frozen=True)
class Channel:
    """An input channel: `local` is set when the data is on this machine and must be staged."""

    name: str
    uri: str | None = None
    local: str | None = None


@dataclass(frozen=True)
class Estimator:
    entry_point: str | None
    source_dir: str | None
    image_uri: str | None
    algorithm_name: str | None
    role: str | None
    instances: tuple[Instance, ...]  # one entry: plain ResourceConfig; several: fallbacks
    fallbacks: bool
    max_runtime_s: int
    input_mode: str
    static_hyperparameters: dict[str, str]
    environment: dict[str, str]
    channels: tuple[Channel, ...]
    output_path: str | None
    container_log_level: int
    use_spot: bool = False
    max_wait_s: int | None = None
    checkpoint_s3_uri: str | None = None
    checkpoint_local_path: str | None = None
    max_retry_attempts: int | None = None
    subnets: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    network_isolation: bool = False
    encrypt_inter_container_traffic: bool = False
    volume_kms_key: str | None = None
    output_kms_key: str | None = None
    builtin_algorithm: bool = False  # an image without an entry point: metrics may be predefined
    framework: str | None = None  # the SageMaker SDK framework (pytorch, xgboost, ...) the image is from


@dataclass(frozen=True)
class Limits:
    max_jobs: int | None
    max_parallel_jobs: int
    max_runtime_s: int | None


@dataclass(frozen=True)
class Completion:
    target_objective: float | None = None
    max_jobs_not_improving: int | None = None
    complete_on_convergence: bool | None = None


@dataclass(frozen=True)
class WarmStart:
    type: str  # IdenticalDataAndAlgorithm | TransferLearning
    parents: tuple[str, ...]


@dataclass(frozen=True)
class TuningSpec:
    job_name: str
    region: str | None
    strategy: Strategy
    seed: int | None
    objective: Objective
    metrics: tuple[MetricDefinition, ...]
    ranges: tuple[ParameterRange, ...]
    estimator: Estimator
    limits: Limits
    early_stopping: str  # Off | Auto
    completion: Completion = field(default_factory=Completion)
    warm_start: WarmStart | None = None
    tags: dict[str, str] = field(default_factory=dict)
