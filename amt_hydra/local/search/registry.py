"""The strategy registry: `Strategy` name -> the `Search` class that implements it.

This table is the one place a strategy is registered. Entries are import paths, so listing the
strategies (create-time checks) never imports Optuna or torch; `make_search` imports only the one used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amt_hydra.local.search.base import Search
    from amt_hydra.local.setup.tuning_setup import TuningSetup

STRATEGIES: dict[str, str] = {
    "Bayesian": "amt_hydra.local.search.optuna_search:BayesianSearch",
    "Random": "amt_hydra.local.search.optuna_search:RandomSearch",
    "Hyperband": "amt_hydra.local.search.optuna_search:HyperbandSearch",
    "Grid": "amt_hydra.local.search.grid:GridSearch",
}


def strategy_names() -> tuple[str, ...]:
    return tuple(STRATEGIES)


def search_class(strategy: str) -> type[Search]:
    """The registered class; KeyError names the strategies there are."""
    if strategy not in STRATEGIES:
        raise KeyError(f"Strategy {strategy!r} is not one of {', '.join(STRATEGIES)}.")
    module, _, name = STRATEGIES[strategy].partition(":")
    return getattr(importlib.import_module(module), name)


def make_search(setup: TuningSetup, seed: int) -> Search:
    """The search for `setup.strategy`, seeded with the tuning job's seed."""
    return search_class(setup.strategy)(setup, seed)
