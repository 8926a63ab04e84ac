"""The Bayesian strategy's sampler, driven through the engine's own search object (`OptunaSearch`) the
way the engine drives it: suggest while other trials run, tell finished records, rebuild from records."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import optuna
import pytest

from amt_hydra.local.search.base import Suggestion, config_key
from amt_hydra.local.search.batch_gp import BELIEVER_STD, BatchGPSampler, believed_values, space_filling_point
from amt_hydra.local.search.optuna_search import BayesianSearch as OptunaSearch
from amt_hydra.local.setup.tuning_setup import TuningSetup, parse_request
from amt_hydra.local.trials.record import TrialRecord
from tests.local.conftest import make_request

RANGES = {
    "continuous": [
        {"Name": "x", "MinValue": "-2.0", "MaxValue": "3.0", "ScalingType": "Linear"},
        {"Name": "lr", "MinValue": "0.0001", "MaxValue": "1.0", "ScalingType": "Logarithmic"},
    ],
    "integer": [{"Name": "units", "MinValue": "4", "MaxValue": "512", "ScalingType": "Logarithmic"}],
    "categorical": [{"Name": "opt", "Values": ["sgd", "adam", "rmsprop"]}],
}


def _setup(max_jobs: int = 9, parallel: int = 1) -> TuningSetup:
    return parse_request(make_request("gp", strategy="Bayesian", max_jobs=max_jobs, parallel=parallel, **RANGES))


def _loss(tuned: dict[str, str]) -> float:
    penalty = {"sgd": 1.0, "adam": 0.0, "rmsprop": 0.5}[tuned["opt"]]
    rate = math.log10(float(tuned["lr"])) + 2
    return (float(tuned["x"]) - 1) ** 2 + rate**2 + penalty + int(tuned["units"]) / 512


def _record(s: Suggestion, index: int, value: float | None = None) -> TrialRecord:
    rec = TrialRecord(f"t{index}", index, s.definition, s.tuned, s.optuna_params, 0.0, s.draw, optuna_number=s.number)
    if value is not None:
        rec.status, rec.objective = "Completed", [[value, 0.0]]
    return rec


def _sequential(search: OptunaSearch, jobs: int, start: int = 0) -> list[TrialRecord]:
    records = []
    for index in range(start, start + jobs):
        s = search.suggest()
        assert s is not None
        rec = _record(s, index, _loss(s.tuned))
        search.tell(s, rec)
        records.append(rec)
    return records


def _in_bounds(tuned: dict[str, str]) -> bool:
    ranges = _setup().definition(0).ranges
    return all(r.from_hp(tuned[r.name]) is not None for r in ranges) and "." not in tuned["units"]


def test_sequential_runs_reproduce_with_the_seed() -> None:
    runs = []
    for seed, jobs in ((5, 6), (5, 6), (6, 3)):  # 3 startup points, then the GP
        search = OptunaSearch(_setup(), seed)
        search.replay([])
        runs.append([r.tuned for r in _sequential(search, jobs)])
    assert runs[0] == runs[1]
    assert runs[0][:3] != runs[2]
    assert all(_in_bounds(t) for t in runs[0])


def test_parallel_suggestions_with_running_trials_differ_and_stay_in_bounds() -> None:
    search = OptunaSearch(_setup(max_jobs=12, parallel=4), 3)
    search.replay([])
    _sequential(search, 4)  # past the 4 startup points: the GP answers from here on
    running = [search.suggest() for _ in range(4)]  # none told: each ask sees the others RUNNING
    tuned = [s.tuned for s in running if s is not None]
    assert len(tuned) == 4 and all(_in_bounds(t) for t in tuned)
    assert len({tuple(sorted(t.items())) for t in tuned}) == 4
    assert len({t["x"] for t in tuned}) == 4


def test_a_running_trial_moves_the_next_suggestion() -> None:
    # Same data, same sampler seed: without the running trial the GP would propose the same point again.
    study = optuna.create_study()
    space = {"x": optuna.distributions.FloatDistribution(0.0, 1.0)}
    for x in (0.0, 0.2, 0.5, 0.8, 1.0):
        study.add_trial(optuna.trial.create_trial(params={"x": x}, distributions=space, value=(x - 0.6) ** 2))

    def ask() -> Any:
        study.sampler = BatchGPSampler(seed=1, space_filling_seed=1, n_startup_trials=3)
        return study.ask(space)

    first, second = ask(), ask()
    assert first.params["x"] != pytest.approx(second.params["x"], abs=1e-3)
    assert 0.0 <= second.params["x"] <= 1.0


def test_a_running_job_is_believed_a_little_worse_than_predicted_most_where_the_gp_is_unsure() -> None:
    import numpy as np
    import torch
    from optuna._gp import gp, prior

    x = np.array([[0.0], [0.2], [0.5], [0.8], [1.0]])
    y = -((x[:, 0] - 0.6) ** 2)
    y = (y - y.mean()) / y.std()
    gpr = gp.fit_kernel_params(X=x, Y=y, is_categorical=np.array([False]), log_prior=prior.default_log_prior,
                               minimum_noise=prior.DEFAULT_MINIMUM_NOISE_VAR, gpr_cache=None,
                               deterministic_objective=False)
    running = torch.tensor([[0.5], [0.35]], dtype=torch.float64)  # on a finished point; between two
    with torch.no_grad():
        mean, var = gpr.posterior(running)
    shortfall = (mean - believed_values(gpr, running, y)).numpy()
    assert BELIEVER_STD > 0 and (shortfall > 0).all()
    assert shortfall[1] > shortfall[0]  # farther from the data: less sure, believed worse by more


def test_rebuilt_study_continues_the_sequence() -> None:
    reference = OptunaSearch(_setup(), 9)
    reference.replay([])
    uninterrupted = _sequential(reference, 7)

    first = OptunaSearch(_setup(), 9)
    first.replay([])
    done = _sequential(first, 5)
    interrupted = first.suggest()  # running when the engine died: stored InProgress, then requeued
    assert interrupted is not None
    resumed = OptunaSearch(_setup(), 9)
    resumed.replay([*done, _record(interrupted, 5)])
    requeued = resumed.requeue(_record(interrupted, 5))
    assert requeued.tuned == interrupted.tuned == uninterrupted[5].tuned
    resumed.tell(requeued, _record(requeued, 5, _loss(requeued.tuned)))
    following = resumed.suggest()
    assert following is not None and following.draw == 6 and following.number == 7
    assert following.key not in {config_key(r.definition, r.tuned) for r in done} | {requeued.key}
    assert _in_bounds(following.tuned)


def test_startup_points_fill_the_space() -> None:
    space = {
        "opt": optuna.distributions.CategoricalDistribution(["a", "b", "c", "d"]),
        "n": optuna.distributions.IntDistribution(1, 8),
        "lr": optuna.distributions.FloatDistribution(1e-4, 1.0, log=True),
    }
    points = [space_filling_point(space, 7, i) for i in range(8)]
    assert Counter(p["opt"] for p in points) == {"a": 2, "b": 2, "c": 2, "d": 2}  # Sobol is balanced
    assert sorted(p["n"] for p in points) == list(range(1, 9))
    assert all(1e-4 <= p["lr"] <= 1.0 and isinstance(p["n"], int) for p in points)
    assert sum(p["lr"] < 1e-2 for p in points) == 4  # log scale: half the points below the midpoint 1e-2
    assert points == [space_filling_point(space, 7, i) for i in range(8)]
    assert points != [space_filling_point(space, 8, i) for i in range(8)]
