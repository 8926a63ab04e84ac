"""Search strategies from Optuna, driven through its ask/tell API with an in-memory study.

Reproducibility: the sampler for the k-th configuration drawn is seeded with (RandomSeed, k), so a
rerun with the same seed suggests the same sequence (exactly for Random, Grid and Hyperband; for
Bayesian when trials finish in the same order, e.g. one at a time), and a resumed tuning job continues
the sequence where it stopped: the study is rebuilt from the store, trial numbers included.

No strategy repeats a configuration: a suggestion already seen is discarded (told FAIL) and drawn again
at random; in a finite space an unseen combination is then picked directly, and an exhausted space ends
the search.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping
from typing import Any

from amt_hydra.local.search.base import ConfigKey, Search, Suggestion, config_key, draw_seed
from amt_hydra.local.search.samplers import gp_sampler, hyperband_pruner, nop_pruner, random_sampler
from amt_hydra.local.setup.ranges import Range
from amt_hydra.local.setup.tuning_setup import TuningSetup
from amt_hydra.local.trials.record import TrialRecord

DEFINITION_PARAM = "__definition__"
_RANDOM_RETRIES = 32
_ENUMERATION_LIMIT = 200_000


class OptunaSearch(Search):
    """A search driven through an in-memory Optuna study; subclasses choose the sampler and pruner."""

    def __init__(self, setup: TuningSetup, seed: int) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        super().__init__(setup, seed)
        direction = "maximize" if setup.direction == "Maximize" else "minimize"
        self.study = optuna.create_study(
            study_name=setup.name,
            direction=direction,
            pruner=self.make_pruner(),
            sampler=random_sampler(seed),
        )
        self.seen: set[ConfigKey] = set()
        self.next_draw = 0

    def make_sampler(self, seed: int) -> Any:
        """The sampler for one draw, seeded for it (random by default)."""
        return random_sampler(seed)

    def make_pruner(self) -> Any:
        """The study's pruner (none by default)."""
        return nop_pruner()

    # -- rebuilding from the store -------------------------------------------------------------
    def replay(self, records: Iterable[TrialRecord], parents: Iterable[TrialRecord] = ()) -> None:
        """Rebuild the study: warm-start parents first, then this job's trials by Optuna number."""
        from optuna.trial import TrialState

        for parent in parents:
            self._add_parent(parent)
        own = sorted((r for r in records if r.optuna_number is not None), key=lambda r: r.optuna_number)
        for rec in own:
            while len(self.study.trials) < rec.optuna_number:  # numbers of discarded duplicates
                self._add(TrialState.FAIL, {}, None, {})
            self._add_record(rec)
        for rec in records:
            self.seen.add(config_key(rec.definition, rec.tuned))
            if rec.draw is not None:
                self.next_draw = max(self.next_draw, rec.draw + 1)

    def _add_record(self, rec: TrialRecord) -> None:
        from optuna.trial import TrialState

        steps = {i + 1: v for i, (v, _) in enumerate(rec.objective)}
        if rec.status == "Completed" and rec.objective_status == "Succeeded":
            state, value = TrialState.COMPLETE, rec.final_objective
        elif rec.status == "Stopped" and rec.objective:
            state, value = TrialState.PRUNED, None
        else:
            state, value = TrialState.FAIL, None
        self._add(state, self._distributions_for(rec.definition, rec.optuna_params), value, steps, rec)

    def _add_parent(self, parent: TrialRecord) -> None:
        """A parent job's configuration, re-read in this job's space; outside it, it only counts."""
        from optuna.trial import TrialState

        definition = self.setup.definition(0)
        params = {
            r.name: r.from_hp(parent.tuned[r.name]) if r.name in parent.tuned else None
            for r in definition.ranges
        }
        self.seen.add(config_key(0, {k: parent.tuned[k] for k in params if k in parent.tuned}))
        if parent.objective_status != "Succeeded" or any(v is None for v in params.values()):
            return
        steps = {i + 1: v for i, (v, _) in enumerate(parent.objective)}
        dists = {r.name: r.distribution() for r in definition.ranges}
        self._add(
            TrialState.COMPLETE,
            dict(zip(dists, params.values(), strict=True)),
            parent.final_objective,
            steps,
            dists=dists,
        )

    def _add(
        self,
        state: Any,
        params: dict[str, Any],
        value: float | None,
        steps: dict[int, float],
        rec: TrialRecord | None = None,
        dists: dict[str, Any] | None = None,
    ) -> None:
        import optuna

        if rec is not None:
            params, dists = rec.optuna_params, self._distributions_for(rec.definition, rec.optuna_params)
        frozen = optuna.trial.create_trial(
            state=state,
            params=params,
            distributions=dists or {},
            value=value,
            intermediate_values=steps,
            system_attrs=dict(rec.rung_attrs) if rec else {},
        )
        self.study.add_trial(frozen)

    # -- asking ----------------------------------------------------------------------------------
    def suggest(self) -> Suggestion | None:
        """The next configuration, never one already seen; None when a finite space is exhausted."""
        draw = self.next_draw
        sampler = self.make_sampler(draw_seed(self.seed, draw))
        for attempt in range(_RANDOM_RETRIES + 1):
            found = self._ask(sampler, draw)
            if found.key not in self.seen:
                self.next_draw += 1
                self.seen.add(found.key)
                return found
            self.study.tell(found.handle, state=_fail_state())
            sampler = random_sampler(draw_seed(self.seed, draw, attempt + 1))
        return self._unseen_combination(draw)

    def requeue(self, rec: TrialRecord) -> Suggestion:
        """Run an interrupted job's configuration again, as the same draw."""
        return self._fixed(rec.optuna_params, rec.draw)

    def _fixed(self, params: Mapping[str, Any], draw: int | None) -> Suggestion:
        self.study.enqueue_trial(dict(params), skip_if_exists=False)
        found = self._ask(random_sampler(draw_seed(self.seed, draw or 0)), draw)
        self.seen.add(found.key)
        return found

    def _ask(self, sampler: Any, draw: int | None) -> Suggestion:
        self.study.sampler = sampler
        trial = self.study.ask()
        definition = self._definition_of(trial)
        params: dict[str, Any] = {}
        tuned: dict[str, str] = {}
        for r in self.setup.definition(definition).ranges:
            value = _suggest(trial, self._param(definition, r), r.distribution())
            params[self._param(definition, r)] = value
            tuned[r.name] = r.to_hp(value)
        if len(self.setup.definitions) > 1:
            params[DEFINITION_PARAM] = self.setup.definition(definition).name
        return Suggestion(definition, tuned, params, draw, trial)

    def _definition_of(self, trial: Any) -> int:
        if len(self.setup.definitions) == 1:
            return 0
        names = [d.name for d in self.setup.definitions]
        return names.index(trial.suggest_categorical(DEFINITION_PARAM, names))

    def _param(self, definition: int, r: Range) -> str:
        return (
            r.name
            if len(self.setup.definitions) == 1
            else f"{self.setup.definition(definition).name}.{r.name}"
        )

    def _distributions_for(self, definition: int, params: Mapping[str, Any]) -> dict[str, Any]:
        from optuna.distributions import CategoricalDistribution

        dists = {
            self._param(definition, r): r.distribution() for r in self.setup.definition(definition).ranges
        }
        if DEFINITION_PARAM in params:
            dists[DEFINITION_PARAM] = CategoricalDistribution([d.name for d in self.setup.definitions])
        return {k: v for k, v in dists.items() if k in params}

    def _unseen_combination(self, draw: int) -> Suggestion | None:
        combos = [c for c in self._finite_combinations() if config_key(c[0], c[1]) not in self.seen]
        if not combos:
            return None
        definition, tuned = random.Random(draw_seed(self.seed, draw, -1)).choice(combos)
        ranges = self.setup.definition(definition).ranges
        params = {self._param(definition, r): r.from_hp(tuned[r.name]) for r in ranges}
        if len(self.setup.definitions) > 1:
            params[DEFINITION_PARAM] = self.setup.definition(definition).name
        self.next_draw += 1
        return self._fixed(params, draw)

    def _finite_combinations(self) -> list[tuple[int, dict[str, str]]]:
        out: list[tuple[int, dict[str, str]]] = []
        for d in self.setup.definitions:
            if d.finite_size is None or d.finite_size > _ENUMERATION_LIMIT:
                continue
            axes = [
                r.values if r.kind == "Categorical" else [str(i) for i in range(int(r.low), int(r.high) + 1)]
                for r in d.ranges
            ]  # type: ignore[arg-type]
            names = [r.name for r in d.ranges]
            out.extend((d.index, dict(zip(names, combo, strict=True))) for combo in itertools.product(*axes))
        return out

    # -- running and finished trials ---------------------------------------------------------------
    def report(self, suggestion: Suggestion, step: int, value: float) -> bool:
        """Record an intermediate value; True when the pruner (Hyperband) says stop."""
        suggestion.handle.report(value, step)
        return bool(suggestion.handle.should_prune())

    def tell(self, suggestion: Suggestion, rec: TrialRecord) -> dict[str, float]:
        """Report a finished job; returns the pruner's rung records to keep in the store."""
        from optuna.trial import TrialState

        if rec.status == "Completed" and rec.objective_status == "Succeeded":
            self.study.tell(suggestion.handle, rec.final_objective)
        elif rec.status == "Stopped" and rec.objective:
            self.study.tell(suggestion.handle, state=TrialState.PRUNED)
        else:
            self.study.tell(suggestion.handle, state=TrialState.FAIL)
        attrs = self.study.get_trials(deepcopy=False)[suggestion.handle.number].system_attrs
        return {k: v for k, v in attrs.items() if k.startswith("completed_rung_")}


class RandomSearch(OptunaSearch):
    """Random: independent uniform draws (RandomSampler)."""


class BayesianSearch(OptunaSearch):
    """Bayesian: Optuna's GPSampler after a random start (torch imported only here)."""

    def make_sampler(self, seed: int) -> Any:
        return gp_sampler(self.setup.max_jobs, seed, self.seed)


class HyperbandSearch(OptunaSearch):
    """Hyperband: random configurations, stopped early by Optuna's HyperbandPruner."""

    def make_pruner(self) -> Any:
        return hyperband_pruner(self.setup)


def _fail_state() -> Any:
    from optuna.trial import TrialState

    return TrialState.FAIL


def _suggest(trial: Any, name: str, dist: Any) -> Any:
    from optuna.distributions import CategoricalDistribution, IntDistribution

    if isinstance(dist, CategoricalDistribution):
        return trial.suggest_categorical(name, dist.choices)
    if isinstance(dist, IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high, log=dist.log)
    return trial.suggest_float(name, dist.low, dist.high, log=dist.log)
