"""Dataclass schema of the config tree, registered in Hydra's ConfigStore.

A wrong type or an unknown key fails at composition with Hydra's own message; the rules that
need more than a type (ranges, regexes, AMT's limits) live in `amt_hydra.spec.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING


@dataclass
class EstimatorConfig:
    entry_point: str | None = None  # script inside source_dir (script mode); null for built-in images
    source_dir: str | None = None  # local folder, shipped as sourcedir.tar.gz
    framework: str | None = None  # pytorch | tensorflow | xgboost | sklearn | huggingface | mxnet
    framework_version: str | None = None  # e.g. "2.3" (pytorch), "1.7-1" (xgboost)
    py_version: str | None = None  # e.g. py311; image lookup only
    image_uri: str | None = None  # explicit image (built-in algorithms, custom containers)
    algorithm_name: str | None = None  # AlgorithmName (marketplace/own algorithm) instead of an image
    role: str | None = None  # IAM role ARN; else $SAGEMAKER_ROLE_ARN
    instance_type: str = "ml.m5.xlarge"  # used when `instances` (fallbacks) is empty
    instance_count: int = 1
    volume_size_gb: int = 30  # GB
    max_runtime_s: int = 86400  # seconds, per training job
    input_mode: str = "File"  # File | Pipe | FastFile
    hyperparameters: dict[str, Any] = field(default_factory=dict)  # static hyperparameters
    environment: dict[str, str] = field(default_factory=dict)  # container environment
    inputs: dict[str, str] = field(default_factory=dict)  # channel -> local path or s3:// URI
    output_path: str | None = None  # s3:// URI for model artifacts; default under the launcher's root
    container_log_level: int = 20  # logging level of the training toolkit
    use_spot: bool = False  # managed spot training
    max_wait_s: int | None = None  # seconds; spot only, >= max_runtime_s
    checkpoint_s3_uri: str | None = None
    checkpoint_local_path: str | None = None  # default /opt/ml/checkpoints
    max_retry_attempts: int | None = None  # 1-30, retries on internal errors only
    subnets: list[str] = field(default_factory=list)  # VPC
    security_group_ids: list[str] = field(default_factory=list)  # VPC
    network_isolation: bool = False
    encrypt_inter_container_traffic: bool = False
    volume_kms_key: str | None = None
    output_kms_key: str | None = None


@dataclass
class MetricDefinitionConfig:
    name: str = MISSING  # metric name, as the objective refers to it
    regex: str = MISSING  # Python regex over log lines; exactly one capture group


@dataclass
class MetricConfig:
    name: str = MISSING  # objective metric name
    type: str = "Minimize"  # Minimize | Maximize
    definitions: list[MetricDefinitionConfig] = field(default_factory=list)


@dataclass
class StrategyConfig:
    name: str = "Bayesian"  # Bayesian | Random | Grid | Hyperband
    min_resource: int | None = None  # Hyperband: epochs before a job may be stopped
    max_resource: int | None = None  # Hyperband: epochs at which a job is stopped


@dataclass
class InstanceConfig:
    instance_type: str = MISSING  # e.g. ml.m5.xlarge
    instance_count: int = 1
    volume_size_gb: int = 30  # GB


@dataclass
class LimitsConfig:
    max_jobs: int | None = 10  # MaxNumberOfTrainingJobs; null for grid (inferred)
    max_parallel_jobs: int = 1
    max_runtime_s: int | None = None  # seconds for the whole tuning job, 120-15768000


@dataclass
class CompletionConfig:
    target_objective: float | None = None  # stop once a job reaches this value
    max_jobs_not_improving: int | None = None  # >= 3
    complete_on_convergence: bool | None = None


@dataclass
class WarmStartConfig:
    type: str | None = None  # identical_data_and_algorithm | transfer_learning
    parents: list[str] = field(default_factory=list)  # 1-5 parent tuning job names


@dataclass
class TuningConfig:
    """The tuning fields shared by the CLI (`AmtConfig`) and the sweeper (`hydra.sweeper`, `AmtSweeperConf`)."""

    name: str = "amt"  # experiment name; prefix of the default job name
    job_name: str | None = None  # default: <name>-<yymmdd-hhmmss>
    dry_run: bool = False  # render, validate and write request.json; submit nothing
    wait: bool = True  # wait for the tuning job and report it
    sample_log: str | None = None  # log file to try metric.definitions on first; submits nothing (see README)
    seed: int | None = None  # RandomSeed
    region: str | None = None  # default: boto3's (AWS_REGION, profile)
    estimator: EstimatorConfig = MISSING
    metric: MetricConfig = MISSING
    strategy: StrategyConfig = MISSING
    instances: list[InstanceConfig] = field(default_factory=list)  # instance fallbacks, in order
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    early_stopping: str = "off"  # off | auto
    completion: CompletionConfig = field(default_factory=CompletionConfig)
    warm_start: WarmStartConfig = field(default_factory=WarmStartConfig)
    tags: dict[str, str] = field(default_factory=dict)
    launcher: Any = MISSING  # the `launcher` group (local | sagemaker) or any amt_hydra Launcher _target_


@dataclass
class AmtConfig(TuningConfig):
    """`python -m amt_hydra`: the tuning fields plus the search space."""

    search_space: dict[str, Any] = MISSING  # hyperparameter -> range (mapping or sweep grammar)


def register_configs() -> None:
    """Register the schema and the built-in launchers; called by the CLI and `inspect`, never at import (the
    sweeper's `hydra/sweeper/launcher` options are the same dataclasses, named in hydra_plugins/amt_sweeper/configs.py).

    The launcher options are their config dataclasses (declared next to each launcher), not YAML files, so
    each setting is written once. Schemas type the nodes through `amt_schema`, outside the choosable groups.
    """
    from amt_hydra.launcher.local import LocalLauncherConfig
    from amt_hydra.launcher.sagemaker import SageMakerLauncherConfig

    cs = ConfigStore.instance()
    cs.store(name="amt_schema", node=AmtConfig)
    cs.store(group="launcher", name="local", node=LocalLauncherConfig)
    cs.store(group="launcher", name="sagemaker", node=SageMakerLauncherConfig)
