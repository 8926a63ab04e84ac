"""One search run per call: the engine's own search object under a simulated scheduler, or an Optuna baseline.

`engine_run` drives `OptunaSearch` (amt_hydra/local/search/optuna_search.py) exactly as the engine does: replay an
empty store, `suggest` whenever one of P slots is free while the others' trials are still RUNNING, `tell`
a `TrialRecord` when a job finishes. Jobs take a seeded random duration (0.5-1.5 units), so completions
interleave as on the engine; the function is evaluated directly instead of by a training job.
The baselines call Optuna in-process: `GPSampler` sequential and in batches (ask P, tell P), TPE, Random.
Every run returns the objective values in the order the jobs finished.
"""

from __future__ import annotations

import heapq
import random
from typing import Any

from bench._local_request import script_request
from bench._search_functions import FUNCTIONS, TestFunction

STRATEGIES = ("engine-P1", "engine-P{parallel}", "optuna-gp", "optuna-gp-batch", "tpe", "random")


def run(strategy: str, function: str, seed: int, jobs: int, parallel: int) -> list[float]:
    fn = FUNCTIONS[function]
    if strategy.startswith("engine-"):
        return engine_run(fn, seed, jobs, int(strategy.removeprefix("engine-P")))
    return optuna_run(fn, strategy, seed, jobs, parallel)


def setup_for(fn: TestFunction, seed: int, jobs: int, parallel: int, strategy: str = "Bayesian") -> Any:
    from amt_hydra.local.setup.tuning_setup import parse_request

    request = script_request(f"{fn.name}-{seed}", f"{fn.name}.py", strategy, [], jobs, parallel, seed)
    request["HyperParameterTuningJobConfig"]["ParameterRanges"] = fn.ranges
    return parse_request(request)


def engine_run(fn: TestFunction, seed: int, jobs: int, parallel: int) -> list[float]:
    from amt_hydra.local.search.registry import make_search
    from amt_hydra.local.trials.record import TrialRecord

    search = make_search(setup_for(fn, seed, jobs, parallel), seed)
    search.replay([])
    durations = random.Random(seed)
    running: list[tuple[float, int, Any, TrialRecord]] = []
    now, launched, values = 0.0, 0, []
    while launched < jobs or running:
        while launched < jobs and len(running) < parallel:
            s = search.suggest()
            rec = TrialRecord(f"t{launched}", launched, s.definition, s.tuned, s.optuna_params, now, s.draw,
                              optuna_number=s.number)
            heapq.heappush(running, (now + durations.uniform(0.5, 1.5), launched, s, rec))
            launched += 1
        now, _, s, rec = heapq.heappop(running)
        values.append(fn.evaluate(s.tuned))
        rec.status, rec.objective = "Completed", [[values[-1], now]]
        search.tell(s, rec)
    return values


def optuna_run(fn: TestFunction, strategy: str, seed: int, jobs: int, parallel: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ranges = setup_for(fn, seed, jobs, parallel).definition(0).ranges
    dists = {r.name: r.distribution() for r in ranges}
    study = optuna.create_study(sampler=_baseline_sampler(strategy, seed))
    batch = parallel if strategy == "optuna-gp-batch" else 1
    values: list[float] = []
    while len(values) < jobs:
        trials = [study.ask(dists) for _ in range(min(batch, jobs - len(values)))]
        for trial in trials:
            values.append(fn.evaluate({r.name: r.to_hp(trial.params[r.name]) for r in ranges}))
            study.tell(trial, values[-1])
    return values


def _baseline_sampler(strategy: str, seed: int) -> Any:
    from optuna.samplers import GPSampler, RandomSampler, TPESampler

    if strategy.startswith("optuna-gp"):
        return GPSampler(seed=seed)
    return TPESampler(seed=seed) if strategy == "tpe" else RandomSampler(seed=seed)
