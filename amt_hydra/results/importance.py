"""Hyperparameter importance for the report: Optuna's PED-ANOVA, computed without importing `optuna.importance`.

Why not `optuna.importance.PedAnovaImportanceEvaluator` itself: importing any part of `optuna.importance` runs
its `__init__`, which imports the fANOVA evaluator, which imports scikit-learn when it is installed (about a
second of the report's time, for an evaluator the report never uses). PED-ANOVA itself needs numpy only.

This is that evaluator's computation with its defaults (the top 10% of the completed trials against all of them,
`evaluate_on_local=True`, 50 grid steps, prior weight 1, regimes of at least 2 trials), single objective, built
from the same Parzen-estimator pieces Optuna's TPE sampler uses. tests/results/test_importance.py holds it equal
to `optuna.importance.get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

TARGET_QUANTILE = 0.1
N_STEPS = 50
PRIOR_WEIGHT = 1.0
MIN_TRIALS_IN_REGIME = 2


def ped_anova(study: Any) -> dict[str, float]:
    """Normalized importances, most important first (Optuna's `get_param_importances` with PED-ANOVA)."""
    from optuna.study import StudyDirection
    from optuna.trial import TrialState

    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    names = sorted({name for t in complete for name in t.distributions})
    trials = [t for t in complete if math.isfinite(t.value)]
    if len(trials) <= 1:  # too few to tell: all equal, as Optuna says it
        raw = dict.fromkeys(names, 0.0)
    else:
        top = _top_quantile(trials, 1.0 if study.direction == StudyDirection.MINIMIZE else -1.0)
        raw = {name: _importance(name, trials, top) * (len(top) / len(trials)) ** 2 for name in names}
    total = sum(raw.values())
    normalized = {k: (v / total if total else 1.0 / len(raw)) for k, v in raw.items()}
    return dict(sorted(normalized.items(), key=lambda item: -item[1]))


def _top_quantile(trials: list[Any], sign: float) -> list[Any]:
    """Trials whose loss is at most the quantile's cut-off (ties kept), as Optuna's `_QuantileFilter`."""
    losses = sign * np.asarray([t.value for t in trials])
    cutoff_index = int(math.ceil(TARGET_QUANTILE * losses.size)) - 1
    cutoff = float(np.partition(losses, cutoff_index)[cutoff_index])
    return [t for t, loss in zip(trials, losses, strict=True) if loss <= cutoff]


def _importance(name: str, trials: list[Any], top: list[Any]) -> float:
    """Sum over the parameter's regimes (trials sharing its distribution) of the weighted Pearson divergence."""
    regimes: dict[Any, list[Any]] = defaultdict(list)
    for trial in trials:
        regimes[trial.distributions.get(name)].append(trial)
    top_ids = {t._trial_id for t in top}
    total = 0.0
    for dist, members in regimes.items():
        members_top = [t for t in members if t._trial_id in top_ids]
        if dist is None or dist.single() or not members_top or len(members) < MIN_TRIALS_IN_REGIME:
            continue
        alpha, beta = len(members_top) / len(top), len(members) / len(trials)
        total += alpha**2 / beta * _pearson_divergence(name, dist, members_top, members)
    return total


def _pearson_divergence(name: str, dist: Any, top: list[Any], region: list[Any]) -> float:
    pdf_top = _grid_pdf(name, dist, top) + 1e-12
    pdf_region = _grid_pdf(name, dist, region) + 1e-12
    return float(pdf_region @ ((pdf_top / pdf_region - 1) ** 2))


def _grid_pdf(name: str, dist: Any, trials: list[Any]) -> np.ndarray:
    """The Parzen estimator (Scott's bandwidth, plus a prior kernel) of the values on the grid, at each grid point."""
    from optuna.distributions import CategoricalDistribution

    if isinstance(dist, CategoricalDistribution):
        counts = np.bincount([int(dist.to_internal_repr(t.params[name])) for t in trials], minlength=len(dist.choices))
    else:
        counts = _numerical_counts(name, dist, trials)
    observations = np.flatnonzero(counts)
    weights = np.append(counts[observations], [PRIOR_WEIGHT]).astype(float)
    kernels = (_categorical_kernels(observations, counts.size) if isinstance(dist, CategoricalDistribution)
               else _numerical_kernels(observations, counts[observations].astype(float), counts.size))
    from optuna.samplers._tpe.probability_distributions import _MixtureOfProductDistribution

    mixture = _MixtureOfProductDistribution(weights=weights / weights.sum(), distributions=[kernels])
    return np.exp(mixture.log_pdf(np.arange(counts.size)[:, np.newaxis]))


def _numerical_counts(name: str, dist: Any, trials: list[Any]) -> np.ndarray:
    """How many trials fall on each point of the range's grid (log scale for log ranges, at most N_STEPS)."""
    from optuna.distributions import IntDistribution

    n_steps = N_STEPS
    if isinstance(dist, IntDistribution) and dist.log:
        n_steps = min(int(np.ceil(np.log(dist.high - dist.low + 1) / np.log(2))) + 1, n_steps)
    elif dist.step is not None:
        n_steps = min(round((dist.high - dist.low) / dist.step) + 1, n_steps)
    low, high = (math.log(dist.low), math.log(dist.high)) if dist.log else (dist.low, dist.high)
    values = (np.log if dist.log else np.asarray)([t.params[name] for t in trials])
    indices = np.ceil((values - low) / ((high - low) / (n_steps - 1)) - 0.5).astype(int)  # ties: the lower point
    return np.bincount(np.clip(indices, 0, n_steps - 1), minlength=n_steps)


def _numerical_kernels(observations: np.ndarray, weights: np.ndarray, size: int) -> Any:
    """Discrete truncated normals on the grid 0..size-1: one per observed point (Scott's rule), one wide prior."""
    from optuna.samplers._tpe.probability_distributions import _BatchedDiscreteTruncNormDistributions

    cumulative = np.cumsum(weights)
    total = cumulative[-1]
    mean = (observations @ weights) / total
    sigma = np.sqrt(((observations - mean) ** 2 @ weights) / max(1, total - 1))
    q1 = np.searchsorted(cumulative, total // 4, side="left")
    q3 = np.searchsorted(cumulative, total * 3 // 4, side="right")
    iqr = observations[min(observations.size - 1, q3)] - observations[q1]
    sigma = max(1.059 * min(iqr / 1.34, sigma) * total**-0.2, 0.5 / 1.64)  # 1.64 sigma fits in the grid
    low, high = 0, size - 1
    return _BatchedDiscreteTruncNormDistributions(
        mu=np.r_[observations, (low + high) / 2.0], sigma=np.r_[np.full(observations.size, sigma), high - low + 1],
        low=low, high=high, step=1)


def _categorical_kernels(observations: np.ndarray, n_choices: int) -> Any:
    """One kernel per observed choice (its choice plus the prior's share), one uniform prior kernel."""
    from optuna.samplers._tpe.probability_distributions import _BatchedCategoricalDistributions

    n_kernels = observations.size + 1
    weights = np.full((n_kernels, n_choices), PRIOR_WEIGHT / n_kernels)
    weights[np.arange(observations.size), observations] += 1
    return _BatchedCategoricalDistributions(weights / weights.sum(axis=1, keepdims=True))
