"""`LocalSageMakerClient`: boto3's SageMaker tuning methods, answered by the local engine.

Method names, parameters, response shapes and errors follow boto3: parameters are checked against
botocore's model first (`ParamValidationError`, as boto3 raises before sending), then the service's
rules raise `ClientError` with `ValidationException`, `ResourceNotFound` or `ResourceInUse`.

Execution model: `create_hyper_parameter_tuning_job` writes the job to the store and starts one
detached engine process for it, then returns at once, like SageMaker. Every other method reads the
store, so any process (this one, `amt-hydra inspect` later) sees the same job.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from amt_hydra.local.api.context import ApiContext
from amt_hydra.local.api.operations import invoke
from amt_hydra.local.settings import EngineSettings
from amt_hydra.local.store import JobStore


class LocalSageMakerClient:
    """A SageMaker client for tuning jobs that run on this machine; see the module docstring."""

    def __init__(
        self,
        root: str | Path | None = None,
        settings: EngineSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
        spawn_engine: bool = True,
        **changes: Any,
    ) -> None:
        """`settings` (or single fields of it as keywords, e.g. `poll_interval_s=0.02`) run the engine."""
        settings = (settings or EngineSettings()).engine_settings(**changes)
        # spawn_engine=False: the caller runs engine.worker.run_engine itself (tests, debugging)
        self.context = ApiContext(JobStore(root), settings, clock, spawn_engine)

    @property
    def store(self) -> JobStore:
        return self.context.store

    @property
    def settings(self) -> EngineSettings:
        return self.context.settings

    # -- boto3 surface ---------------------------------------------------------------------------
    def create_hyper_parameter_tuning_job(self, **params: Any) -> dict[str, Any]:
        return invoke(self.context, "CreateHyperParameterTuningJob", params)

    def describe_hyper_parameter_tuning_job(self, **params: Any) -> dict[str, Any]:
        return invoke(self.context, "DescribeHyperParameterTuningJob", params)

    def list_training_jobs_for_hyper_parameter_tuning_job(self, **params: Any) -> dict[str, Any]:
        return invoke(self.context, "ListTrainingJobsForHyperParameterTuningJob", params)

    def describe_training_job(self, **params: Any) -> dict[str, Any]:
        return invoke(self.context, "DescribeTrainingJob", params)

    def stop_hyper_parameter_tuning_job(self, **params: Any) -> dict[str, Any]:
        return invoke(self.context, "StopHyperParameterTuningJob", params)

    def list_hyper_parameter_tuning_jobs(self, **params: Any) -> dict[str, Any]:
        """ListHyperParameterTuningJobs over the store (NameContains, StatusEquals, sorting, paging)."""
        return invoke(self.context, "ListHyperParameterTuningJobs", params)

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
        params = {"HyperParameterTuningJobName": HyperParameterTuningJobName, "Request": Request}
        return invoke(self.context, "ResumeHyperParameterTuningJob", params)
