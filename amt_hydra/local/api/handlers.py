"""One handler per SageMaker operation on a tuning job, moto-style: `handler(ctx, params) -> response`.

`params` are the request's parameters, already checked against botocore's model (api/operations.py);
a handler applies the service's rules (raising the modeled `ClientError`s) and returns the response
body without `ResponseMetadata`. The listing operations are in api/listing.py.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Mapping
from typing import Any

from amt_hydra.constants import TERMINAL_TUNING
from amt_hydra.local.api import errors as err
from amt_hydra.local.api import shapes
from amt_hydra.local.api.context import ApiContext
from amt_hydra.local.api.runnable import check_runnable
from amt_hydra.local.arns import tuning_job_arn
from amt_hydra.local.engine.recovery import close_unfinished
from amt_hydra.local.engine.warm_start import check_parents
from amt_hydra.local.setup.errors import LocalValidationError
from amt_hydra.local.setup.tuning_setup import parse_request
from amt_hydra.local.store import JobDir
from amt_hydra.local.trials.record import STOP_USER, TrialRecord

RESUMABLE = ("InProgress", "Stopping", "Stopped")


def create_hyper_parameter_tuning_job(ctx: ApiContext, request: Mapping[str, Any]) -> dict[str, Any]:
    """Check the request, store it and start its engine; returns at once, like SageMaker."""
    op = "CreateHyperParameterTuningJob"
    name = request["HyperParameterTuningJobName"]
    if ctx.store.find(name) is not None:
        raise err.name_in_use(name, op)
    try:
        setup = parse_request(request)
        check_runnable(setup, ctx.settings.local_copies)
        check_parents(ctx.store, setup)
    except LocalValidationError as e:
        raise err.client_error(err.VALIDATION, str(e), op) from None
    seed = setup.random_seed if setup.random_seed is not None else secrets.randbelow(2**31)
    now = ctx.clock()
    tuning = {
        "status": "InProgress",
        "creation_time": now,
        "last_modified": now,
        "seed": seed,
        "runtime_s": 0.0,
    }
    created = ctx.store.create(name, dict(request), tuning)
    if created is None:
        raise err.name_in_use(name, op)
    job, lock = created
    job.write_settings(ctx.settings.to_dict())
    if ctx.spawn_engine:
        ctx.spawn(job, name, lock)
    else:
        os.close(lock)
    return {"HyperParameterTuningJobArn": tuning_job_arn(name)}


def describe_hyper_parameter_tuning_job(ctx: ApiContext, params: Mapping[str, Any]) -> dict[str, Any]:
    job = ctx.job("DescribeHyperParameterTuningJob", params["HyperParameterTuningJobName"])
    return shapes.describe_tuning_job(job, ctx.store, job.engine_alive())


def describe_training_job(ctx: ApiContext, params: Mapping[str, Any]) -> dict[str, Any]:
    job, rec = _training_job(ctx, params["TrainingJobName"], "DescribeTrainingJob")
    return shapes.describe_training_job(job, rec)


def list_tags(ctx: ApiContext, params: Mapping[str, Any]) -> dict[str, Any]:
    """The request's `Tags`, for the tuning job and for each training job it launched (SageMaker adds the
    tuning job's tags to them). One page: a resource has at most 50 tags, the smallest MaxResults."""
    err.check_constraints("ListTags", params)
    kind, _, name = params["ResourceArn"].split(":", 5)[-1].partition("/")
    if kind == "training-job":
        return {"Tags": list(_training_job(ctx, name, "ListTags")[0].request.get("Tags", []))}
    job = ctx.store.find(name) if kind == "hyper-parameter-tuning-job" else None
    if job is None:
        raise err.client_error(err.VALIDATION, "Requested resource not found.", "ListTags")
    return {"Tags": list(job.request.get("Tags", []))}


def _training_job(ctx: ApiContext, name: str, operation: str) -> tuple[JobDir, TrialRecord]:
    """A training job is found through its tuning job (its name is `<tuning-name>-<NNN>-<hex>`)."""
    tuning_name = name.rsplit("-", 2)[0] if name.count("-") >= 2 else ""
    job = ctx.store.find(tuning_name) if tuning_name else None
    rec = job.trial(name) if job is not None else None
    if job is None or rec is None:
        raise err.client_error(err.VALIDATION, "Requested resource not found.", operation)
    return job, rec


def stop_hyper_parameter_tuning_job(ctx: ApiContext, params: Mapping[str, Any]) -> dict[str, Any]:
    """Ask the engine to stop; a job whose engine is gone is stopped here."""
    op = "StopHyperParameterTuningJob"
    job = ctx.job(op, params["HyperParameterTuningJobName"])
    status = job.tuning()["status"]
    if status in TERMINAL_TUNING:
        message = f"The request was rejected because the tuning job is in status {status}."
        raise err.client_error(err.VALIDATION, message, op)
    job.request_stop()
    lock = job.try_lock()
    if lock is not None:  # no engine is running it: stop it here
        try:
            _stop_without_engine(ctx, job)
        finally:
            os.close(lock)
    return {}


def resume_hyper_parameter_tuning_job(ctx: ApiContext, params: Mapping[str, Any]) -> dict[str, Any]:
    """Local only: continue a tuning job whose engine died, or that was stopped (e.g. Ctrl-C).

    Finished training jobs are kept; interrupted ones run again. A live or finished job is left as
    it is (`Resumed` False). With `Request`, a job stored with a different request is ResourceInUse.
    """
    op = "ResumeHyperParameterTuningJob"
    name, request = params["HyperParameterTuningJobName"], params.get("Request")
    job = ctx.job(op, name)
    job.check()  # a damaged store file is reported (with what to do) before any engine starts
    if request is not None and json.loads(json.dumps(dict(request))) != job.request:
        raise err.name_in_use(name, op)
    resumed = False
    status = job.tuning()["status"]
    if status in RESUMABLE:
        lock = _lock_when_engine_exits(job) if status == "Stopped" else job.try_lock()
        if lock is not None:
            job.clear_stop()
            tuning = job.tuning()
            tuning.update(  # engine_pid: the dead engine's pid must not be shown (or killed) as the new one's
                status="InProgress", end_time=None, failure_reason=None, engine_pid=None, last_modified=ctx.clock()
            )
            job.write_tuning(tuning)
            ctx.spawn(job, name, lock)
            resumed = True
    status = shapes.describe_tuning_job(job, ctx.store, job.engine_alive())["HyperParameterTuningJobStatus"]
    return {
        "HyperParameterTuningJobArn": tuning_job_arn(name),
        "Resumed": resumed,
        "HyperParameterTuningJobStatus": status,
    }


def _lock_when_engine_exits(job: JobDir, patience_s: float = 10.0) -> int | None:
    """The engine lock of a Stopped job: its engine writes `Stopped` just before it exits, so a resume that
    follows a stop at once waits for that exit instead of finding the lock still held and doing nothing."""
    deadline = time.monotonic() + patience_s
    while (lock := job.try_lock()) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return lock


def _stop_without_engine(ctx: ApiContext, job: JobDir) -> None:
    now = ctx.clock()
    close_unfinished(job, job.trials(), now, STOP_USER)
    tuning = job.tuning()
    tuning.update(status="Stopped", end_time=now, last_modified=now)
    job.write_tuning(tuning)
