"""ListTrainingJobsForHyperParameterTuningJob and ListHyperParameterTuningJobs over the store (§8.3).

Pagination tokens are opaque (base64 of the offset and the listing's parameters); a token used with
other parameters is refused, as the service does. Ordering ties are broken by name, so pages are stable.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from amt_hydra.local.api_errors import VALIDATION, client_error, constraint
from amt_hydra.local.records import TrialRecord

SORT_BY = ("Name", "CreationTime", "Status", "FinalObjectiveMetricValue")
SORT_ORDER = ("Ascending", "Descending")
TRAINING_STATUS = ("InProgress", "Completed", "Failed", "Stopping", "Stopped", "Deleting")
OPERATION = "ListTrainingJobsForHyperParameterTuningJob"


def _enum(operation: str, value: Any, member: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise constraint(
            operation, value, member, f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )


def check_max_results(operation: str, max_results: int, upper: int = 100) -> None:
    """botocore checks the minimum client-side; the maximum is the service's (ValidationException)."""
    if max_results > upper:
        raise constraint(
            operation, max_results, "maxResults", f"Member must have value less than or equal to {upper}"
        )


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
    nxt = (
        base64.urlsafe_b64encode(json.dumps({"o": end, "k": key}).encode()).decode()
        if end < len(items)
        else None
    )
    return items[offset:end], nxt


def sorted_training_jobs(
    records: list[TrialRecord], sort_by: str, sort_order: str, status: str | None
) -> list[TrialRecord]:
    """Filter by TrainingJobStatus, sort; FinalObjectiveMetricValue lists only jobs with an objective."""
    _enum(OPERATION, sort_by, "sortBy", SORT_BY)
    _enum(OPERATION, sort_order, "sortOrder", SORT_ORDER)
    if status is not None:
        _enum(OPERATION, status, "statusEquals", TRAINING_STATUS)
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
