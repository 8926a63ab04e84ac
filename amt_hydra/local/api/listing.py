"""The listing operations over the store (§8.3): ListTrainingJobsForHyperParameterTuningJob and
ListHyperParameterTuningJobs, their filters, sorting and paging.

Parameters are checked against the model's constraints first (enum, maximum, pattern: ValidationException,
as the service answers; botocore does not check them). Pagination tokens are opaque (base64 of the offset
and the listing's parameters); a token used with other parameters is refused, as the service does.
Ordering ties are broken by name, so pages are stable. Time filters are strict (`After`: later than).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from amt_hydra.local.api import shapes
from amt_hydra.local.api.context import ApiContext
from amt_hydra.local.api.errors import VALIDATION, check_constraints, client_error
from amt_hydra.local.setup.tuning_setup import parse_request
from amt_hydra.local.store import DamagedStoreError
from amt_hydra.local.trials.record import TrialRecord

OPERATION = "ListTrainingJobsForHyperParameterTuningJob"
log = logging.getLogger(__name__)
TIME_FILTERS = {  # parameter -> (summary key, whether the value must be later than the parameter)
    "CreationTimeAfter": ("CreationTime", True),
    "CreationTimeBefore": ("CreationTime", False),
    "LastModifiedTimeAfter": ("LastModifiedTime", True),
    "LastModifiedTimeBefore": ("LastModifiedTime", False),
}


def page(
    items: list[Any], token: str | None, max_results: int, key: str, operation: str
) -> tuple[list[Any], str | None]:
    """One page of `items` and the token for the next, if any."""
    offset = 0
    if token:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            offset = int(data["o"]) if data["k"] == key else -1
        except (ValueError, KeyError, TypeError):
            offset = -1
        if offset < 0:
            raise client_error(VALIDATION, "Invalid pagination token.", operation)
    end = offset + max_results
    nxt = base64.urlsafe_b64encode(json.dumps({"o": end, "k": key}).encode()).decode() if end < len(items) else None
    return items[offset:end], nxt


def sorted_training_jobs(
    records: list[TrialRecord], sort_by: str, sort_order: str, status: str | None
) -> list[TrialRecord]:
    """Filter by TrainingJobStatus, sort; FinalObjectiveMetricValue lists only jobs with an objective."""
    if status is not None:
        records = [r for r in records if r.status == status]
    keys: dict[str, Callable[[TrialRecord], Any]] = {
        "Name": lambda r: r.name,
        "CreationTime": lambda r: (r.creation_time, r.name),
        "Status": lambda r: (r.status, r.name),
        "FinalObjectiveMetricValue": lambda r: (r.final_objective, r.name),
    }
    if sort_by == "FinalObjectiveMetricValue":
        records = [r for r in records if r.final_objective is not None and r.status != "Failed"]
    return sorted(records, key=keys[sort_by], reverse=sort_order == "Descending")


def list_training_jobs_for_hyper_parameter_tuning_job(ctx: ApiContext, params: Mapping[str, Any]) -> dict[str, Any]:
    check_constraints(OPERATION, params)
    job = ctx.job(OPERATION, params["HyperParameterTuningJobName"])
    max_results = params.get("MaxResults", 10)
    sort_by, order = params.get("SortBy", "Name"), params.get("SortOrder", "Ascending")
    status = params.get("StatusEquals")
    records = sorted_training_jobs(job.trials(), sort_by, order, status)
    items, token = page(records, params.get("NextToken"), max_results, f"{sort_by}/{order}/{status}", OPERATION)
    setup, name = parse_request(job.request), job.request["HyperParameterTuningJobName"]
    failed = job.tuning()["status"] == "Failed"
    out: dict[str, Any] = {"TrainingJobSummaries": [shapes.training_job_summary(r, setup, name, failed) for r in items]}
    if token:
        out["NextToken"] = token
    return out


def list_hyper_parameter_tuning_jobs(ctx: ApiContext, params: Mapping[str, Any]) -> dict[str, Any]:
    """ListHyperParameterTuningJobs (NameContains, StatusEquals, time filters, sorting, paging)."""
    op = "ListHyperParameterTuningJobs"
    check_constraints(op, params)
    contains = params.get("NameContains", "").lower()
    summaries = [summary for name in ctx.store.names() if contains in name.lower() for summary in _summary(ctx, name)]
    summaries = [s for s in summaries if _selected(s, params)]
    key = {"Name": "HyperParameterTuningJobName", "Status": "HyperParameterTuningJobStatus"}.get(
        params.get("SortBy", "Name"), "CreationTime"
    )
    summaries.sort(
        key=lambda s: (s[key], s["HyperParameterTuningJobName"]),
        reverse=params.get("SortOrder", "Ascending") == "Descending",
    )
    listing_key = repr(sorted((k, str(v)) for k, v in params.items() if k != "NextToken"))
    items, token = page(summaries, params.get("NextToken"), params.get("MaxResults", 10), listing_key, op)
    out: dict[str, Any] = {"HyperParameterTuningJobSummaries": items}
    if token:
        out["NextToken"] = token
    return out


def _selected(summary: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    if params.get("StatusEquals") and summary["HyperParameterTuningJobStatus"] != params["StatusEquals"]:
        return False
    for name, (key, after) in TIME_FILTERS.items():
        bound, value = params.get(name), summary.get(key)
        if bound is not None and (value is None or (value <= bound if after else value >= bound)):
            return False
    return True


_SUMMARY_KEYS = (
    "HyperParameterTuningJobName",
    "HyperParameterTuningJobArn",
    "HyperParameterTuningJobStatus",
    "CreationTime",
    "HyperParameterTuningEndTime",
    "LastModifiedTime",
    "TrainingJobStatusCounters",
    "ObjectiveStatusCounters",
)


def _summary(ctx: ApiContext, name: str) -> list[dict[str, Any]]:
    """The job's summary; none for a job with a damaged store file (skipped, with a warning on stderr)."""
    job = ctx.job("ListHyperParameterTuningJobs", name)
    try:
        full = shapes.describe_tuning_job(job, ctx.store, job.engine_alive())
    except DamagedStoreError as e:
        log.warning("ListHyperParameterTuningJobs skips %s: %s", name, e)
        return []
    out = {k: full[k] for k in _SUMMARY_KEYS if k in full}
    config = full["HyperParameterTuningJobConfig"]
    out.update(Strategy=config["Strategy"], ResourceLimits=config["ResourceLimits"])
    return [out]
