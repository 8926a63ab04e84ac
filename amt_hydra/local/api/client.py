"""`LocalSageMakerClient`: a real botocore SageMaker client whose tuning jobs run on this machine.

`LocalSageMakerClient(root, ...)` returns a botocore `sagemaker` client answered in process (the
`endpoint/inprocess` transport, as moto's in-process mode) by the same dispatch over the handler table
the HTTP endpoint serves. So botocore itself validates parameters (`ParamValidationError`) and raises
the modeled errors (`client.exceptions.ResourceNotFound`, `ClientError` with `ValidationException`);
paginators, waiters' parsing and `ResponseMetadata` are boto3's own. The SageMaker SDK can use it as its
`sagemaker_client`.

Local extension (documented, not in SageMaker's model): `resume_hyper_parameter_tuning_job`, the
`store`/`settings`/`context` attributes, and the `Local*` keys of the responses (`LocalJobDir`,
`LocalLogPath`, `LocalObjectiveValues`, `LocalEnginePid`), which botocore's parser would drop.

Execution model: `create_hyper_parameter_tuning_job` writes the job to the store and starts one
detached engine process for it, then returns at once, like SageMaker. Every other method reads the
store, so any process (this one, `amt-hydra inspect` later, the HTTP endpoint) sees the same job.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from amt_hydra.local.api.context import ApiContext
from amt_hydra.local.api.operations import dispatch, invoke
from amt_hydra.local.settings import EngineSettings
from amt_hydra.local.store import JobStore


class _Constructor(type):
    """Calling `LocalSageMakerClient(...)` builds the botocore client; its generated class (a subclass)
    is instantiated by botocore as usual."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is LocalSageMakerClient:
            return _build(*args, **kwargs)
        return super().__call__(*args, **kwargs)


class LocalSageMakerClient(metaclass=_Constructor):
    """A botocore SageMaker client for tuning jobs on this machine (see the module docstring).

    `LocalSageMakerClient(root=None, settings=None, *, clock=time.time, spawn_engine=True,
    region="us-east-1", session=None, prestarted=None, **changes)`: `settings` (or single fields of it as
    keywords, e.g. `poll_interval_s=0.02`) run the engine; `spawn_engine=False` only creates jobs (the caller
    runs `engine.worker.run_engine`); `session` is a botocore session to create the client from;
    `prestarted` a fork server started ahead (`trials.prestart.Prestarted`) for the first engine it starts.
    """

    context: ApiContext

    @property
    def store(self) -> JobStore:
        return self.context.store

    @property
    def settings(self) -> EngineSettings:
        return self.context.settings

    def resume_hyper_parameter_tuning_job(
        self,
        HyperParameterTuningJobName: str,  # noqa: N803 (boto3's parameter names)
        Request: Mapping[str, Any] | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        """Local only: continue a tuning job whose engine died, or that was stopped (e.g. Ctrl-C).

        Finished training jobs are kept; interrupted ones run again. A live or finished job is left as
        it is (`Resumed` False). With `Request`, a job stored with a different request is ResourceInUse.
        """
        params = {"HyperParameterTuningJobName": HyperParameterTuningJobName, "Request": Request}
        return invoke(self.context, "ResumeHyperParameterTuningJob", params)


def _build(
    root: str | Path | None = None,
    settings: EngineSettings | None = None,
    *,
    clock: Callable[[], float] = time.time,
    spawn_engine: bool = True,
    region: str = "us-east-1",
    session: Any = None,
    prestarted: Any = None,
    **changes: Any,
) -> Any:
    from amt_hydra.local.endpoint.inprocess import inprocess_client

    context = ApiContext.create(root, settings, clock, spawn_engine, **changes)
    context.prestarted = prestarted
    client = inprocess_client(dispatch(context), region, session, base=LocalSageMakerClient)
    client.context = context
    client.meta.events.register("after-call.sagemaker", _keep_local_keys)
    return client


def _keep_local_keys(http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
    """Put the `Local*` keys of the body back into botocore's parsed response (they are plain JSON)."""
    if http_response.status_code < 300 and http_response.content:
        _merge_local(json.loads(http_response.content), parsed)


def _merge_local(raw: Any, parsed: Any) -> None:
    if isinstance(raw, dict) and isinstance(parsed, dict):
        for key, value in raw.items():
            if key.startswith("Local"):
                parsed[key] = value
            elif key in parsed:
                _merge_local(value, parsed[key])
    elif isinstance(raw, list) and isinstance(parsed, list):
        for raw_item, parsed_item in zip(raw, parsed):
            _merge_local(raw_item, parsed_item)
