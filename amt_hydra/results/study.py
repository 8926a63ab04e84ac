"""A tuning job as an Optuna study: in memory for the report's importance and parallel coordinates, or written
to an Optuna storage (RDB URL or journal file) so `optuna-dashboard <storage>` shows it.

One trial per training job, in creation order: parameters with the distributions of the request's ranges,
the objective per step as intermediate values (step 1 is the first emitted value), the final objective,
COMPLETE / PRUNED (stopped: early stopping, Hyperband, MaxRuntime) / FAIL / RUNNING, and the training job's
name, instance type, statuses, failure reason and log location as user attributes. Writing again updates the
study: a training job already stored as finished is left alone, a running one is brought up to date, new
ones are added; trials are matched by training-job name, never duplicated.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

from amt_hydra.errors import UserError
from amt_hydra.results.jobs import by_start, maximize, metric_name, objective, when
from amt_hydra.results.space import Param, parameters

NAME_ATTR = "TrainingJobName"
_USER_ATTRS = ("TrainingJobName", "TrainingJobStatus", "SecondaryStatus", "ObjectiveStatus", "InstanceType",
               "FailureReason", "LogLocation")


def _state(job: dict[str, Any]) -> Any:
    from optuna.trial import TrialState

    status = job.get("TrainingJobStatus")
    if status == "InProgress":
        return TrialState.RUNNING
    if objective(job) is None and status != "Stopped":
        return TrialState.FAIL  # failed, or completed without an objective (no metric, NaN)
    return TrialState.PRUNED if status == "Stopped" else TrialState.COMPLETE


def _naive(value: Any) -> datetime | None:
    """Optuna's storages keep naive local times (what `datetime.now()` gives them)."""
    moment = when(value)
    return moment.astimezone().replace(tzinfo=None) if moment and moment.tzinfo else moment


def _params(job: dict[str, Any], space: list[Param]) -> tuple[dict[str, Any], dict[str, Any]]:
    tuned = job.get("TunedHyperParameters") or {}
    params, distributions = {}, {}
    for param in space:
        if param.name not in tuned:
            continue
        value, distribution = param.value(str(tuned[param.name])), param.distribution()
        if distribution._contains(distribution.to_internal_repr(value)):  # a value outside its range is left out
            params[param.name], distributions[param.name] = value, distribution
    return params, distributions


def frozen_trial(number: int, job: dict[str, Any], space: list[Param]) -> Any:
    """The Optuna trial of one training job entry of result.json."""
    from optuna.trial import FrozenTrial, TrialState

    state = _state(job)
    params, distributions = _params(job, space)
    value = None if state in (TrialState.RUNNING, TrialState.FAIL) else objective(job)
    steps = {i + 1: v for i, v in enumerate(job.get("ObjectiveValues") or []) if v == v}
    return FrozenTrial(
        number=number, state=state, value=value, trial_id=number, params=params, distributions=distributions,
        datetime_start=_naive(job.get("TrainingStartTime") or job.get("CreationTime")),
        datetime_complete=_naive(job.get("TrainingEndTime") or job.get("LastModifiedTime"))
        if state.is_finished() else None,
        user_attrs={k: job[k] for k in _USER_ATTRS if job.get(k) is not None},
        system_attrs={}, intermediate_values=steps)


def trials(result: dict[str, Any]) -> list[Any]:
    space = parameters(result["TuningJob"])
    return [frozen_trial(i, job, space) for i, job in enumerate(by_start(result.get("TrainingJobs") or []))]


class StorageError(UserError):
    """The storage URL names no database or file Optuna can open."""


def storage(url: str) -> Any:
    """An RDB URL (`sqlite:///tuning.db`, `postgresql://...`) as is; anything else is a journal file path."""
    import optuna
    from optuna.storages.journal import JournalFileBackend
    from sqlalchemy.exc import SQLAlchemyError

    try:
        if "://" in url:
            return optuna.storages.RDBStorage(url)
        return optuna.storages.JournalStorage(JournalFileBackend(url))
    except (ImportError, OSError, ValueError, SQLAlchemyError) as exc:  # bad dialect, no driver, no such dir
        raise StorageError(f"{url}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None


def to_study(result: dict[str, Any], url: Any = None) -> Any:
    """The job's study, in memory (`url` None) or created/updated in the storage at `url` (or an opened one)."""
    import optuna

    job = result["TuningJob"]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=storage(url) if isinstance(url, str) else url, load_if_exists=True,
                                study_name=job["HyperParameterTuningJobName"],
                                direction="maximize" if maximize(job) else "minimize")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.set_metric_names([metric_name(job)])
    config = job.get("HyperParameterTuningJobConfig") or {}
    study.set_user_attr("Strategy", config.get("Strategy"))
    study.set_user_attr("HyperParameterTuningJobStatus", job.get("HyperParameterTuningJobStatus"))
    _merge(study, trials(result))
    return study


def _merge(study: Any, new: list[Any]) -> None:
    stored = {t.user_attrs.get(NAME_ATTR): t for t in study.get_trials(deepcopy=False)}
    for trial in new:
        old = stored.get(trial.user_attrs[NAME_ATTR])
        if old is None:
            study.add_trial(trial)
        elif not old.state.is_finished():
            _update(study._storage, old._trial_id, trial)


def _update(storage: Any, trial_id: int, trial: Any) -> None:
    """Bring a trial stored while its training job ran up to date (Optuna freezes finished trials)."""
    for step, value in trial.intermediate_values.items():
        storage.set_trial_intermediate_value(trial_id, step, value)
    for key, value in trial.user_attrs.items():
        storage.set_trial_user_attr(trial_id, key, value)
    if trial.state.is_finished():
        storage.set_trial_state_values(trial_id, trial.state, None if trial.value is None else [trial.value])
