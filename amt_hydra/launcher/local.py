"""`launcher=local`: run the very request the SageMaker launcher would send, on this machine.

A thin layer over `amt_hydra.local.LocalSageMakerClient`: it maps the staging map of the launch (S3 URI
-> the local source dir or channel folder it stands for) plus `local_copies` onto the client, creates
the tuning job or resumes the one already stored under that name (never a duplicate), and stops the job
cleanly when the wait is interrupted with Ctrl-C.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amt_hydra.errors import LaunchError
from amt_hydra.launcher.base import LaunchContext, Launcher

TERMINAL = ("Completed", "Failed", "Stopped")


class LocalLauncher(Launcher):
    """Runs tuning jobs with the local engine; see amt_hydra/local/README.md.

    root: job store (None: $AMT_HYDRA_HOME or ~/.amt-hydra/jobs); capacity: instance type -> jobs of
    that type at once (0 simulates InsufficientCapacityError); local_copies: S3 URI or prefix -> local
    path; parallel_cpus: cores divided among parallel jobs (None: all this process may use);
    stop_grace_s: SIGTERM -> SIGKILL delay when a job is stopped; poll_interval_s: engine tick;
    bucket: the fake bucket of artifact_root (never contacted).
    """

    def __init__(
        self,
        root: str | None = None,
        capacity: Mapping[str, int] | None = None,
        local_copies: Mapping[str, str] | None = None,
        parallel_cpus: int | None = None,
        stop_grace_s: float = 120.0,
        poll_interval_s: float = 0.5,
        bucket: str = "amt-hydra-local",
    ) -> None:
        self.root = root
        self.capacity = dict(capacity) if capacity else None
        self.local_copies = {str(k): str(v) for k, v in (local_copies or {}).items()}
        self.parallel_cpus = parallel_cpus
        self.stop_grace_s = float(stop_grace_s)
        self.poll_interval_s = float(poll_interval_s)
        self.bucket = bucket
        self._client: Any = None

    def artifact_root(self, job_name: str) -> str:
        return f"s3://{self.bucket}/{job_name}"

    def client(self) -> Any:
        if self._client is None:
            self._client = self._make_client({})
        return self._client

    def _make_client(self, staging: Mapping[str, Path]) -> Any:
        from amt_hydra.local.api.client import LocalSageMakerClient

        copies: dict[str, str | Path] = {**{k: Path(v) for k, v in staging.items()}, **self.local_copies}
        return LocalSageMakerClient(
            root=self.root,
            capacity=self.capacity,
            local_copies=copies,
            parallel_cpus=self.parallel_cpus,
            stop_grace_s=self.stop_grace_s,
            poll_interval_s=self.poll_interval_s,
        )

    def submit(self, request: Mapping[str, Any], ctx: LaunchContext) -> str:
        """Create the job, or resume the stored job of the same name and request; never a duplicate."""
        from botocore.exceptions import ClientError, ParamValidationError

        self._client = self._make_client(ctx.staging)
        name = request["HyperParameterTuningJobName"]
        try:
            self._client.create_hyper_parameter_tuning_job(**request)
            return name
        except ParamValidationError as err:
            raise LaunchError(f"local launcher: {name}: invalid request: {err}") from None
        except ClientError as err:
            if err.response["Error"]["Code"] != "ResourceInUse":
                raise LaunchError(_one_line(name, err)) from None
        try:
            self._client.resume_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=name, Request=dict(request)
            )
        except ClientError as err:
            raise LaunchError(
                f"local launcher: tuning job {name} already exists under {self._client.store.root} with a "
                "different request; choose another name (or remove that folder)."
            ) from err
        return name

    def launch(self, request: Mapping[str, Any], ctx: LaunchContext) -> str:
        name = self.submit(request, ctx)
        if ctx.wait:
            try:
                self.wait(name, ctx.run_dir)
            except KeyboardInterrupt:
                self.stop_cleanly(name)
                raise
        return name

    def wait(self, name: str, run_dir: Path) -> None:
        """Wait and report with the shared code path (the same as for SageMaker)."""
        from amt_hydra.results.wait import wait_and_report

        wait_and_report(self.client(), name, run_dir, poll_s=self.poll_interval_s)

    def stop_cleanly(self, name: str) -> str:
        """Stop the tuning job (running training jobs end Stopped, state saved) and wait until it has."""
        from botocore.exceptions import ClientError

        client = self.client()
        try:
            client.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        except ClientError as err:
            if err.response["Error"]["Code"] != "ValidationException":  # already finished is fine
                raise
        deadline = time.monotonic() + self.stop_grace_s + 30.0
        status = "Stopping"
        while time.monotonic() < deadline:
            status = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
                "HyperParameterTuningJobStatus"
            ]
            if status in TERMINAL:
                break
            time.sleep(min(self.poll_interval_s, 0.5))
        print(f"tuning job {name}: {status}; submit the same request again (job_name={name}) to resume it.")
        return status


def _one_line(name: str, err: Any) -> str:
    error = err.response.get("Error", {})
    request_id = err.response.get("ResponseMetadata", {}).get("RequestId", "")
    return f"local launcher: {name}: {error.get('Code')}: {error.get('Message')} (request id {request_id})"
