"""Warm start from earlier local tuning jobs in the store (amt-semantics §6).

Parents must exist in the store, be terminal, share the objective metric and the set of static plus
tunable hyperparameter names, and keep each tuned hyperparameter's type. Their training jobs count
against the child's MaxNumberOfTrainingJobs and their evaluated configurations are given to the search
as completed trials (for both warm start types; grandparents are not used).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from amt_hydra.constants import OBJECTIVE_METRIC_HP, TERMINAL_TUNING
from amt_hydra.local.setup.errors import LocalValidationError
from amt_hydra.local.setup.tuning_setup import TuningSetup, parse_request
from amt_hydra.local.store import JobDir, JobStore
from amt_hydra.local.trials.record import TrialRecord

NAME_SET_MESSAGE = (
    "The set of tunable plus static HyperParameter names is not the same across current and parent tuning "
    "jobs. Please ensure this set is constant when warm starting. Note that previously static "
    "HyperParameters can be tuned in warm start jobs and vice versa."
)


def parent_names(setup: TuningSetup) -> list[str]:
    config = setup.warm_start or {}
    return [p["HyperParameterTuningJobName"] for p in config.get("ParentHyperParameterTuningJobs", [])]


def check_parents(store: JobStore, setup: TuningSetup) -> None:
    """Create-time checks; raise LocalValidationError with SageMaker-like messages."""
    config = setup.warm_start
    if not config:
        return
    if config.get("WarmStartType") not in ("IdenticalDataAndAlgorithm", "TransferLearning"):
        raise LocalValidationError(
            f"WarmStartType {config.get('WarmStartType')!r} must be IdenticalDataAndAlgorithm or TransferLearning."
        )
    child = setup.definition(0)
    for name in parent_names(setup):
        job = store.find(name)
        if job is None:
            raise LocalValidationError(f"Parent tuning job {name} does not exist in the local job store.")
        status = job.tuning()["status"]
        if status not in TERMINAL_TUNING:
            raise LocalValidationError(
                f"Parent tuning job {name} is {status}; warm start needs parents that are Completed, Stopped or Failed."
            )
        parent = parse_request(job.request).definition(0)
        if parent.objective_name != child.objective_name:
            raise LocalValidationError(
                f"The objective metric of parent tuning job {name} ({parent.objective_name}) differs from "
                f"this job's ({child.objective_name})."
            )
        if _names(parent) != _names(child):
            raise LocalValidationError(NAME_SET_MESSAGE)
        kinds = {r.name: r.kind for r in parent.ranges}
        for r in child.ranges:
            if kinds.get(r.name, r.kind) != r.kind:
                raise LocalValidationError(
                    f"Hyperparameter {r.name} is {kinds[r.name]} in parent tuning job {name} and {r.kind} "
                    "here; the type of a hyperparameter cannot change when warm starting."
                )


def _names(definition: Any) -> set[str]:
    return (set(definition.static) | {r.name for r in definition.ranges}) - {OBJECTIVE_METRIC_HP}


def parent_jobs(store: JobStore, setup: TuningSetup) -> list[tuple[str, JobDir]]:
    out = []
    for name in parent_names(setup):
        job = store.find(name)
        if job is not None:
            out.append((job.request["HyperParameterTuningJobName"], job))
    return out


def parent_trials(store: JobStore, setup: TuningSetup) -> list[TrialRecord]:
    """Parents' training jobs, each with `tuned` = all its hyperparameter values (static and tuned), so
    that a hyperparameter static in the parent but tuned here is read from the parent's statics."""
    out: list[TrialRecord] = []
    for _, job in parent_jobs(store, setup):
        statics = parse_request(job.request).definition(0).static
        for rec in job.trials():
            if rec.counts_budget:
                out.append(replace(rec, tuned={**statics, **rec.tuned}))
    return out
