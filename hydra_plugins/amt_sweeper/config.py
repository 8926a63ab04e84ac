"""`hydra/sweeper=amt`: the sweeper's structured config, registered in Hydra's ConfigStore.

The keys are the CLI's (amt_hydra.config.schema), under `hydra.sweeper`: `hydra.sweeper.strategy.name=Random`,
`hydra.sweeper.limits.max_jobs=8`, `hydra/sweeper/launcher=sagemaker`. The search space is the sweep
overrides on the command line, or `hydra.sweeper.params` as in hydra-optuna-sweeper.
"""

# No `from __future__ import annotations` here: Hydra's plugin scanner executes this module before it is in
# sys.modules, and dataclasses cannot resolve string annotations then. Python >= 3.10 reads `str | None`.
from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from amt_hydra.config.schema import (
    CompletionConfig,
    EstimatorConfig,
    InstanceConfig,
    LimitsConfig,
    MetricConfig,
    MetricDefinitionConfig,
    StrategyConfig,
    WarmStartConfig,
)
from amt_hydra.sweeper.entry import OBJECTIVE_REGEX

OBJECTIVE = "objective"


@dataclass
class LocalLauncherConf:
    _target_: str = "amt_hydra.launcher.local.LocalLauncher"
    root: str | None = None  # job store; null: $AMT_HYDRA_HOME or ~/.amt-hydra/jobs
    capacity: dict[str, int] = field(default_factory=dict)  # instance type -> jobs of that type at once
    local_copies: dict[str, str] = field(default_factory=dict)  # s3:// URI (or prefix) -> local path
    parallel_cpus: int | None = None  # cores divided among parallel jobs; null: all this process may use
    stop_grace_s: float = 120.0  # seconds between SIGTERM and SIGKILL when a job is stopped
    poll_interval_s: float = 0.5  # engine tick and wait poll, seconds


@dataclass
class SageMakerLauncherConf:
    _target_: str = "amt_hydra.launcher.sagemaker.SageMakerLauncher"
    bucket: str | None = None  # S3 bucket for code and local inputs; null: sagemaker-<region>-<account>
    prefix: str = "amt-hydra"  # key prefix under the bucket
    poll_s: float = 30.0  # seconds between status polls while waiting
    max_attempts: int = 10  # botocore retry attempts (adaptive mode) for throttling


def _estimator() -> EstimatorConfig:
    # The shim needs only Python and hydra-core: any framework container with the app's requirements.
    return EstimatorConfig(framework="pytorch", framework_version="2.3", py_version="py311")


def _metric() -> MetricConfig:
    return MetricConfig(name=OBJECTIVE, type="Minimize",
                        definitions=[MetricDefinitionConfig(name=OBJECTIVE, regex=OBJECTIVE_REGEX)])


@dataclass
class AmtSweeperConf:
    _target_: str = "hydra_plugins.amt_sweeper.amt_sweeper.AmtSweeper"
    _recursive_: bool = False  # the sweeper instantiates the launcher itself, after validation
    defaults: list[Any] = field(default_factory=lambda: [{"launcher": "local"}])

    name: str | None = None  # experiment name, prefix of the job name; null: the app's hydra.job.name
    job_name: str | None = None  # default: <name>-<yymmdd-hhmmss>
    dry_run: bool = False  # render, validate and write request.json in hydra.sweep.dir; submit nothing
    wait: bool = True  # wait for the tuning job, then write the results
    sample_log: str | None = None  # log file to try metric.definitions on first; submits nothing (see README)
    seed: int | None = None  # RandomSeed
    region: str | None = None  # default: boto3's (AWS_REGION, profile)
    params: dict[str, Any] = field(default_factory=dict)  # override key -> sweep expression; the command line wins
    # entry_point is the sweeper's shim; source_dir defaults to the app's folder; an image_uri or
    # algorithm_name replaces the default framework
    estimator: EstimatorConfig = field(default_factory=_estimator)
    metric: MetricConfig = field(default_factory=_metric)  # default: the task function's return value
    strategy: StrategyConfig = field(default_factory=StrategyConfig)  # Bayesian | Random | Grid | Hyperband
    instances: list[InstanceConfig] = field(default_factory=list)  # instance fallbacks, in order
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    early_stopping: str = "off"  # off | auto
    completion: CompletionConfig = field(default_factory=CompletionConfig)
    warm_start: WarmStartConfig = field(default_factory=WarmStartConfig)
    tags: dict[str, str] = field(default_factory=dict)
    launcher: Any = MISSING  # hydra/sweeper/launcher=local|sagemaker, or any amt_hydra Launcher _target_


# Hydra imports plugin modules to discover them; registering here is how `hydra/sweeper=amt` resolves.
ConfigStore.instance().store(group="hydra/sweeper", name="amt", node=AmtSweeperConf, provider="amt_sweeper")
ConfigStore.instance().store(group="hydra/sweeper/launcher", name="local", node=LocalLauncherConf,
                             provider="amt_sweeper")
ConfigStore.instance().store(group="hydra/sweeper/launcher", name="sagemaker", node=SageMakerLauncherConf,
                             provider="amt_sweeper")
