"""Optuna samplers and pruners for the AMT strategies (the `Search` classes in optuna_search.py pick them).

Bayesian = Optuna's GPSampler (Gaussian process, log expected improvement, as in the AMT paper; it
needs torch, imported only when the strategy is Bayesian). Random = RandomSampler. Hyperband =
RandomSampler for new configurations ("chosen randomly", amt-semantics §2.1) with Optuna's
HyperbandPruner over the intermediate values, MinResource/MaxResource as given or inferred, reduction
factor 3. Grid needs neither (search/grid.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amt_hydra.local.setup.tuning_setup import TuningSetup

HYPERBAND_REDUCTION_FACTOR = 3


def startup_trials(max_jobs: int) -> int:
    """Random configurations before the GP takes over: a third of the budget, between 3 and 10."""
    return min(10, max(3, max_jobs // 3))


def random_sampler(seed: int) -> Any:
    from optuna.samplers import RandomSampler

    return RandomSampler(seed=seed)


def gp_sampler(max_jobs: int, seed: int) -> Any:
    """Bayesian: GPSampler after `startup_trials` random ones; running jobs count through its batch acquisition."""
    try:
        import torch  # noqa: F401  (GPSampler needs it; fail here with the install hint)
    except ImportError as err:
        raise ImportError(
            "The Bayesian strategy of the local launcher uses Optuna's GPSampler, which needs torch: "
            "pip install torch (CPU wheels: --index-url https://download.pytorch.org/whl/cpu)"
        ) from err
    from optuna.samplers import GPSampler

    return GPSampler(
        seed=seed,
        independent_sampler=random_sampler(seed),
        n_startup_trials=startup_trials(max_jobs),
        warn_independent_sampling=False,
    )


def nop_pruner() -> Any:
    from optuna.pruners import NopPruner

    return NopPruner()


def hyperband_pruner(setup: TuningSetup) -> Any:
    from optuna.pruners import HyperbandPruner

    return HyperbandPruner(
        min_resource=setup.min_resource,
        max_resource=setup.max_resource,
        reduction_factor=HYPERBAND_REDUCTION_FACTOR,
    )
