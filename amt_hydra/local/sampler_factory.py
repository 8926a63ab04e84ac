"""Optuna samplers and pruners for each AMT strategy, and the search object the engine drives.

Bayesian = `BatchGPSampler` (batch_gp.py: Optuna's GPSampler, Gaussian process and log expected
improvement as in the AMT paper, with a Sobol startup and kriging-believer fantasies for running jobs; it
needs torch, imported only when the strategy is Bayesian). Random = RandomSampler. Hyperband =
RandomSampler for new configurations ("chosen randomly", amt-semantics §2.1) with Optuna's
HyperbandPruner over the intermediate values, MinResource/MaxResource as given or inferred, reduction
factor 3. Grid = plain enumeration (`GridSearch`).
"""

from __future__ import annotations

from typing import Any

from amt_hydra.local.tuning_setup import TuningSetup

HYPERBAND_REDUCTION_FACTOR = 3


def startup_trials(max_jobs: int) -> int:
    """Random configurations before the GP takes over: a third of the budget, between 3 and 10."""
    return min(10, max(3, max_jobs // 3))


def random_sampler(seed: int) -> Any:
    from optuna.samplers import RandomSampler

    return RandomSampler(seed=seed)


def make_sampler(setup: TuningSetup, seed: int, study_seed: int = 0) -> Any:
    """The sampler for one draw (`seed`); `study_seed` is the tuning job's, shared by all its draws."""
    if setup.strategy != "Bayesian":
        return random_sampler(seed)
    try:
        import torch  # noqa: F401  (GPSampler needs it; fail here with the install hint)
    except ImportError as err:
        raise ImportError(
            "The Bayesian strategy of the local launcher uses Optuna's GPSampler, which needs torch: "
            "pip install torch (CPU wheels: --index-url https://download.pytorch.org/whl/cpu)"
        ) from err
    from amt_hydra.local.batch_gp import BatchGPSampler

    return BatchGPSampler(seed=seed, space_filling_seed=study_seed, n_startup_trials=startup_trials(setup.max_jobs))


def make_pruner(setup: TuningSetup) -> Any:
    from optuna.pruners import HyperbandPruner, NopPruner

    if setup.strategy != "Hyperband":
        return NopPruner()
    return HyperbandPruner(
        min_resource=setup.min_resource,
        max_resource=setup.max_resource,
        reduction_factor=HYPERBAND_REDUCTION_FACTOR,
    )


def make_search(setup: TuningSetup, seed: int) -> Any:
    """The search for this strategy: `OptunaSearch` or `GridSearch` (same methods)."""
    from amt_hydra.local.grid_search import GridSearch
    from amt_hydra.local.strategies import OptunaSearch

    return GridSearch(setup) if setup.strategy == "Grid" else OptunaSearch(setup, seed)
