"""`LocalSageMakerClient`: boto3's SageMaker tuning methods, answered by the local engine.

Method names, parameters, response shapes and errors follow boto3: parameters are checked against
botocore's model first (`ParamValidationError`, as boto3 raises before sending), then the service's
rules raise `ClientError` with `ValidationException`, `ResourceNotFound` or `ResourceInUse`.

Execution model: `create_hyper_parameter_tuning_job` writes the job to the store and starts one
detached engine process for it, then returns at once, like SageMaker. Every other method reads the
store, so any process (this one, `amt-hydra inspect` later) sees the same job.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from amt_hydra.local import api_errors as err
from amt_hydra.local import listing, shapes
from amt_hydra.local.arns import tuning_job_arn
from amt_hydra.local.records import STOP_USER, TERMINAL_TUNING
from amt_hydra.local.runnable import check_runnable
from amt_hydra.local.settings import EngineSettings, normalize_copies
from amt_hydra.local.store import JobDir, JobStore
from amt_hydra.local.tuning_setup import LocalValidationError, parse_request
from amt_hydra.local.warm_start import check_parents
from amt_hydra.local.worker import spawn

RESUMABLE = ("InProgress", "Stopping", "Stopped")


class LocalSageMakerClient:
    """A SageMaker client for tuning jobs that run on this machine; see the module docstring."""

    def __init__(
        self,
        root: str | Path | None = None,
        capacity: Mapping[str, int] | None = None,
        local_copies: Mapping[str, str | Path] | None = None,
        parallel_cpus: int | None = None,
        stop_grace_s: float = 120.0,
        poll_interval_s: float = 0.2,
        python: str | None = None,
        clock: Callable[[], float] = time.time,
        spawn_engine: bool = True,
    ) -> None:
        self.store = JobStore(root)
        self.settings = EngineSettings(
            capacity=None if capacity is None else {str(k): int(v) for k, v in capacity.items()},
            local_copies=normalize_copies(local_copies),
            parallel_cpus=parallel_cpus,
            stop_grace_s=float(stop_grace_s),
            poll_interval_s=float(poll_interval_s),
            python=python,
        )
        self.clock = clock
        self.spawn_engine = spawn_engine  # False: the caller runs worker.run_engine itself (tests, debugging)
        self._engines: dict[str, Any] = {}

    # -- boto3 surface ---------------------------------------------------------------------------
    def create_hyper_parameter_tuning_job(self, **request: Any) -> dict[str, Any]:
        op = "CreateHyperParameterTuningJob"
        err.validate_params(op, request)
        name = request["HyperParameterTuningJobName"]
        if self.store.find(name) is not None:
            raise err.name_in_use(name, op)
        try:
            setup = parse_request(request)
            check_runnable(setup, self.settings.local_copies)
            check_parents(self.store, setup)
        except LocalValidationError as e:
            raise err.client_error(err.VALIDATION, str(e), op) from None
        seed = setup.random_seed if setup.random_seed is not None else secrets.randbelow(2**31)
        now = self.clock()
        tuning = {
            "status": "InProgress",
            "creation_time": now,
            "last_modified": now,
            "seed": seed,
            "runtime_s": 0.0,
        }
        created = self.store.create(name, request, tuning)
        if created is None:
            raise err.name_in_use(name, op)
        job, lock = created
        job.write_settings(self.settings.to_dict())
        if self.spawn_engine:
            self._spawn(job, name, lock)
        else:
            os.close(lock)
        return {
            "HyperParameterTuningJobArn": tuning_job_arn(name),
            "ResponseMetadata": err.response_metadata(),
        }

    def describe_hyper_parameter_tuning_job(self, **params: Any) -> dict[str, Any]:
        job = self._job("DescribeHyperParameterTuningJob", params)
        out = shapes.describe_tuning_job(job, self.store, job.engine_alive())
        return {**out, "ResponseMetadata": err.response_metadata()}

    def list_training_jobs_for_hyper_parameter_tuning_job(self, **params: Any) -> dict[str, Any]:
        op = listing.OPERATION
        job = self._job(op, params)
        max_results = params.get("MaxResults", 10)
        listing.check_max_results(op, max_results)
        sort_by, order = params.get("SortBy", "Name"), params.get("SortOrder", "Ascending")
        status = params.get("StatusEquals")
        records = listing.sorted_training_jobs(job.trials(), sort_by, order, status)
        items, token = listing.page(
            records, params.get("NextToken"), max_results, f"{sort_by}/{order}/{status}", op
        )
        setup, name = parse_request(job.request), job.request["HyperParameterTuningJobName"]
        out: dict[str, Any] = {
            "TrainingJobSummaries": [shapes.training_job_summary(r, setup, name) for r in items]
        }
        if token:
            out["NextToken"] = token
        return {**out, "ResponseMetadata": err.response_metadata()}

    def describe_training_job(self, **params: Any) -> dict[str, Any]:
        op = "DescribeTrainingJob"
        err.validate_params(op, params)
        name = params["TrainingJobName"]
        tuning_name = name.rsplit("-", 2)[0] if name.count("-") >= 2 else ""
        job = self.store.find(tuning_name) if tuning_name else None
        rec = job.trial(name) if job is not None else None
        if job is None or rec is None:
            raise err.client_error(err.VALIDATION, "Requested resource not found.", op)
        return {**shapes.describe_training_job(job, rec), "ResponseMetadata": err.response_metadata()}

    def stop_hyper_parameter_tuning_job(self, **params: Any) -> dict[str, Any]:
        op = "StopHyperParameterTuningJob"
        job = self._job(op, params)
        status = job.tuning()["status"]
        if status in TERMINAL_TUNING:
            message = f"The request was rejected because the tuning job is in status {status}."
            raise err.client_error(err.VALIDATION, message, op)
        job.request_stop()
        lock = job.try_lock()
        if lock is not None:  # no engine is running it: stop it here
            try:
                self._stop_without_engine(job)
            finally:
                os.close(lock)
        return {"ResponseMetadata": err.response_metadata()}

    def list_hyper_parameter_tuning_jobs(self, **params: Any) -> dict[str, Any]:
        """ListHyperParameterTuningJobs over the store (NameContains, StatusEquals, sorting, paging)."""
        op = "ListHyperParameterTuningJobs"
        err.validate_params(op, params)
        max_results = params.get("MaxResults", 10)
        listing.check_max_results(op, max_results)
        summaries = []
        for name in self.store.names():
            if params.get("NameContains", "").lower() in name.lower():
                summaries.append(self._summary(name))
        if params.get("StatusEquals"):
            summaries = [s for s in summaries if s["HyperParameterTuningJobStatus"] == params["StatusEquals"]]
        key = {"Name": "HyperParameterTuningJobName", "Status": "HyperParameterTuningJobStatus"}.get(
            params.get("SortBy", "Name"), "CreationTime"
        )
        summaries.sort(
            key=lambda s: (s[key], s["HyperParameterTuningJobName"]),
            reverse=params.get("SortOrder", "Ascending") == "Descending",
        )
        items, token = listing.page(
            summaries,
            params.get("NextToken"),
            max_results,
            repr(sorted((k, v) for k, v in params.items() if k != "NextToken")),
            op,
        )
        out: dict[str, Any] = {
            "HyperParameterTuningJobSummaries": items,
            "ResponseMetadata": err.response_metadata(),
        }
        if token:
            out["NextToken"] = token
        return out

    # -- local extension ---------------------------------------------------------------------------
    def resume_hyper_parameter_tuning_job(
        self,
        HyperParameterTuningJobName: str,
        Request: Mapping[str, Any] | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        """Local only: continue a tuning job whose engine died, or that was stopped (e.g. Ctrl-C).

        Finished training jobs are kept; interrupted ones run again. A live or finished job is left as
        it is (`Resumed` False). With `Request`, a job stored with a different request is ResourceInUse.
        """
        op = "ResumeHyperParameterTuningJob"
        name = HyperParameterTuningJobName
        job = self._job(op, {"HyperParameterTuningJobName": name}, validate=False)
        if Request is not None and json.loads(json.dumps(dict(Request))) != job.request:
            raise err.name_in_use(name, op)
        resumed = False
        if job.tuning()["status"] in RESUMABLE:
            lock = job.try_lock()
            if lock is not None:
                job.clear_stop()
                tuning = job.tuning()
                tuning.update(
                    status="InProgress", end_time=None, failure_reason=None, last_modified=self.clock()
                )
                job.write_tuning(tuning)
                self._spawn(job, name, lock)
                resumed = True
        status = shapes.describe_tuning_job(job, self.store, job.engine_alive())[
            "HyperParameterTuningJobStatus"
        ]
        return {
            "HyperParameterTuningJobArn": tuning_job_arn(name),
            "Resumed": resumed,
            "HyperParameterTuningJobStatus": status,
            "ResponseMetadata": err.response_metadata(),
        }

    # -- helpers -----------------------------------------------------------------------------------------
    def _job(self, op: str, params: Mapping[str, Any], validate: bool = True) -> JobDir:
        if validate:
            err.validate_params(op, params)
        name = params["HyperParameterTuningJobName"]
        job = self.store.find(name)
        if job is None:
            raise err.tuning_job_not_found(name, op)
        return job

    def _spawn(self, job: JobDir, name: str, lock: int) -> None:
        """Hand the held lock to a new engine process; it stays held without a gap."""
        try:
            job.write_settings(self.settings.to_dict())
            self._engines[name.lower()] = spawn(self.store.root, name, lock, self.settings.python)
        finally:
            os.close(lock)

    def _stop_without_engine(self, job: JobDir) -> None:
        from amt_hydra.local.recovery import close_unfinished

        now = self.clock()
        close_unfinished(job, job.trials(), now, STOP_USER)
        tuning = job.tuning()
        tuning.update(status="Stopped", end_time=now, last_modified=now)
        job.write_tuning(tuning)

    def _summary(self, name: str) -> dict[str, Any]:
        job = self.store.find(name)
        assert job is not None
        full = shapes.describe_tuning_job(job, self.store, job.engine_alive())
        keys = (
            "HyperParameterTuningJobName",
            "HyperParameterTuningJobArn",
            "HyperParameterTuningJobStatus",
            "CreationTime",
            "HyperParameterTuningEndTime",
            "LastModifiedTime",
            "TrainingJobStatusCounters",
            "ObjectiveStatusCounters",
        )
        out = {k: full[k] for k in keys if k in full}
        config = full["HyperParameterTuningJobConfig"]
        out.update(Strategy=config["Strategy"], ResourceLimits=config["ResourceLimits"])
        return out
