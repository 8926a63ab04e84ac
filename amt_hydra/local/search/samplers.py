"""Optuna samplers and pruners for the AMT strategies (the `Search` classes in optuna_search.py pick them).

Bayesian = `BatchGPSampler` (batch_gp.py: Optuna's GPSampler, Gaussian process and log expected
improvement as in the AMT paper, with a Sobol startup and kriging-believer fantasies for running jobs; it
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


def gp_sampler(max_jobs: int, seed: int, study_seed: int = 0) -> Any:
    """Bayesian for one draw (`seed`); `study_seed` is the tuning job's, shared by all its draws (Sobol start)."""
    try:
        import torch  # noqa: F401  (GPSampler needs it; fail here with the install hint)
    except ImportError as err:
        raise ImportError(
            "The Bayesian strategy of the local launcher uses Optuna's GPSampler, which needs torch: "
            "pip install torch (CPU wheels: --index-url https://download.pytorch.org/whl/cpu)"
        ) from err
    from amt_hydra.local.search.batch_gp import BatchGPSampler

    return BatchGPSampler(seed=seed, space_filling_seed=study_seed, n_startup_trials=startup_trials(max_jobs))


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
