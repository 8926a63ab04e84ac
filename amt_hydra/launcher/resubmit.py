"""Resubmitting a job name: the same request attaches, a different one is refused with what differs.

Both built-in launchers compare the new request with what the existing job was created with: the local
launcher with the stored request.json (every field), the SageMaker launcher with the fields
DescribeHyperParameterTuningJob echoes (`ECHOED`). SageMaker fills in defaults the request left out
(e.g. `TrainingJobEarlyStoppingType`), so there only the paths the new request sets are compared, within
the echoed fields that both the response and the request have.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# The request fields DescribeHyperParameterTuningJob returns as sent. Tags are not echoed (ListTags is a
# separate call and permission), nor is the name's case.
ECHOED = ("HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobDefinitions", "WarmStartConfig",
          "Autotune")
SHOWN = 3  # differences named in the message; the rest are counted
VALUE_CHARS = 40


def differences(existing: Any, new: Any, path: str = "", subset: bool = False) -> list[tuple[str, Any, Any]]:
    """(path, existing value, new value) for every leaf that differs; `subset`: only paths `new` sets."""
    if isinstance(existing, Mapping) and isinstance(new, Mapping):
        keys = list(new) if subset else sorted({*existing, *new}, key=str)
        return [d for k in keys for d in differences(existing.get(k, _MISSING), new.get(k, _MISSING),
                                                     f"{path}.{k}" if path else str(k), subset)]
    if isinstance(existing, list) and isinstance(new, list) and len(existing) == len(new):
        return [d for i, (a, b) in enumerate(zip(existing, new))
                for d in differences(a, b, f"{path}[{i}]", subset)]
    return [] if _plain(existing) == _plain(new) else [(path, existing, new)]


def echoed_differences(described: Mapping[str, Any], request: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """What differs between a Describe response and a new request: the echoed fields both have, and within
    them every path the request sets (a default the service filled in is not a difference)."""
    shared = [k for k in ECHOED if k in described and k in request]
    return differences({k: described[k] for k in shared}, {k: request[k] for k in shared}, subset=True)


def refusal(name: str, diffs: list[tuple[str, Any, Any]], where: str) -> str:
    """One line: the job, each differing field with both values (shortened), and what to do."""
    shown = "; ".join(f"{p}: {_short(a)} -> {_short(b)}" for p, a, b in diffs[:SHOWN])
    more = f" (+{len(diffs) - SHOWN} more)" if len(diffs) > SHOWN else ""
    return (f"tuning job {name} already exists {where} with a different request (existing -> new): {shown}{more}; "
            "resubmit the same request to attach, or choose another job_name")


class _Missing:
    def __repr__(self) -> str:
        return "(unset)"


_MISSING = _Missing()


def _plain(value: Any) -> Any:
    """JSON's view of a value, so a tuple and a list, or an int and the same stored int, compare equal."""
    return value if value is _MISSING else json.loads(json.dumps(value, default=str))


def _short(value: Any) -> str:
    text = repr(value) if value is _MISSING else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 3] + "..."
