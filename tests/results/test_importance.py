"""The report's PED-ANOVA equals Optuna's own evaluator, and computing it never imports scikit-learn."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState, create_trial

from amt_hydra.results.importance import ped_anova

SPACES = {
    "mixed": {"lr": FloatDistribution(1e-4, 1e-1, log=True), "depth": IntDistribution(2, 8),
              "opt": CategoricalDistribution(["sgd", "adam", "rmsprop"]), "drop": FloatDistribution(0.0, 0.5)},
    "int-log-and-step": {"units": IntDistribution(8, 512, log=True), "batch": IntDistribution(16, 256, step=16),
                         "wd": FloatDistribution(0.0, 1.0, step=0.1)},
    "one-valued": {"x": FloatDistribution(-3.0, 3.0), "fixed": CategoricalDistribution(["only"])},
}


def _study(space: dict, n: int, seed: int, direction: str, failures: int = 0) -> optuna.Study:
    """Trials of an objective that depends strongly on the first parameter, weakly on the rest."""
    import random

    rng = random.Random(seed)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction)
    for i in range(n):
        params = {name: _draw(rng, dist) for name, dist in space.items()}
        first = next(iter(space))
        value = _code(space[first], params[first]) * 3 + sum(_code(space[k], v) for k, v in params.items()) * 0.1
        state = TrialState.FAIL if i < failures else TrialState.COMPLETE
        study.add_trial(create_trial(params=params, distributions=space, value=None if state == TrialState.FAIL
                                     else value, state=state))
    return study


def _draw(rng, dist):
    if isinstance(dist, CategoricalDistribution):
        return rng.choice(dist.choices)
    if isinstance(dist, IntDistribution):
        return dist.low + (dist.step or 1) * rng.randrange((dist.high - dist.low) // (dist.step or 1) + 1) \
            if not dist.log else round(math.exp(rng.uniform(math.log(dist.low), math.log(dist.high))))
    if dist.log:
        return math.exp(rng.uniform(math.log(dist.low), math.log(dist.high)))
    if dist.step:
        return dist.low + dist.step * rng.randrange(round((dist.high - dist.low) / dist.step) + 1)
    return rng.uniform(dist.low, dist.high)


def _code(dist, value) -> float:
    return float(dist.choices.index(value)) if isinstance(dist, CategoricalDistribution) else float(value)


def _optuna_ped_anova(study: optuna.Study) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluator = optuna.importance.PedAnovaImportanceEvaluator()
        return dict(optuna.importance.get_param_importances(study, evaluator=evaluator))


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize(("n", "seed", "direction"), [(30, 0, "minimize"), (12, 1, "maximize"), (97, 2, "minimize"),
                                                      (3, 3, "maximize")])
def test_equals_optunas_evaluator(space: str, n: int, seed: int, direction: str) -> None:
    study = _study(SPACES[space], n, seed, direction, failures=2)
    ours, theirs = ped_anova(study), _optuna_ped_anova(study)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    assert list(ours.values()) == sorted(ours.values(), reverse=True)


def test_a_parameter_missing_from_some_trials_is_its_own_regime() -> None:
    """A value outside its range is left out of a trial (study.py): the trials without it form another regime."""
    study = _study(SPACES["mixed"], 40, 5, "minimize")
    for trial in study.get_trials(deepcopy=False)[:6]:
        del trial.params["lr"], trial.distributions["lr"]
    assert ped_anova(study) == pytest.approx(_optuna_ped_anova(study), rel=1e-9, abs=1e-12)


def test_no_completed_trial_gives_nothing() -> None:
    assert ped_anova(_study(SPACES["mixed"], 3, 0, "minimize", failures=3)) == {}


def test_the_report_never_imports_scikit_learn(tmp_path) -> None:
    code = ("import sys; from amt_hydra.results.importance import ped_anova; from tests.results.test_importance "
            "import _study, SPACES; print(ped_anova(_study(SPACES['mixed'], 30, 0, 'minimize'))); "
            "assert 'sklearn' not in sys.modules and 'optuna.importance' not in sys.modules, 'imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
