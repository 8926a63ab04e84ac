"""`hydra/sweeper=amt`: the sweeper's structured config, built when Hydra loads it (amt_sweeper/configs.py).

The keys are the CLI's (amt_hydra.config.schema), under `hydra.sweeper`: `hydra.sweeper.strategy.name=Random`,
`hydra.sweeper.limits.max_jobs=8`, `hydra/sweeper/launcher=sagemaker`. The search space is the sweep
overrides on the command line, or `hydra.sweeper.params` as in hydra-optuna-sweeper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amt_hydra.config.schema import EstimatorConfig, MetricConfig, MetricDefinitionConfig, StrategyConfig, TuningConfig
from amt_hydra.sweeper.entry import OBJECTIVE_REGEX

OBJECTIVE = "objective"


def _estimator() -> EstimatorConfig:
    # The shim needs only Python and hydra-core: any framework container with the app's requirements.
    return EstimatorConfig(framework="pytorch", framework_version="2.3", py_version="py311")


def _metric() -> MetricConfig:
    return MetricConfig(name=OBJECTIVE, type="Minimize",
                        definitions=[MetricDefinitionConfig(name=OBJECTIVE, regex=OBJECTIVE_REGEX)])


@dataclass
class AmtSweeperConf(TuningConfig):
    """The CLI's tuning fields (`TuningConfig`) with the sweeper's defaults, plus `params`."""

    _target_: str = "hydra_plugins.amt_sweeper.amt_sweeper.AmtSweeper"
    _recursive_: bool = False  # the sweeper instantiates the launcher itself, after validation
    defaults: list[Any] = field(default_factory=lambda: [{"launcher": "local"}])
    name: str | None = None  # null: the app's hydra.job.name
    params: dict[str, Any] = field(default_factory=dict)  # override key -> sweep expression; the command line wins
    # entry_point is the sweeper's shim; source_dir defaults to the app's folder; an image_uri or
    # algorithm_name replaces the default framework
    estimator: EstimatorConfig = field(default_factory=_estimator)
    metric: MetricConfig = field(default_factory=_metric)  # default: the task function's return value
    strategy: StrategyConfig = field(default_factory=StrategyConfig)  # Bayesian | Random | Grid | Hyperband
