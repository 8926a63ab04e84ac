"""`launcher=local`: run the very request the SageMaker launcher would send, on this machine.

A thin layer over `amt_hydra.local.LocalSageMakerClient`: it packs the source dir once per tuning job, with the
SageMaker launcher's rule (`amt_hydra.packing`), into `<store>/.staged/<job>/sourcedir.tar.gz`, which the toolkit
extracts into each training job's `opt_ml/code` as on SageMaker; it maps the staging map of the launch (S3 URI
-> that tarball, or the channel folder it stands for) plus `local_copies` onto the client, creates
the tuning job or resumes the one already stored under that name (never a duplicate), and stops the job
cleanly when the caller's wait is interrupted with Ctrl-C (`interrupted`). Its settings are one dataclass,
`LocalLauncherConfig`, which extends the engine's `EngineSettings`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amt_hydra.constants import SOURCE_TARBALL
from amt_hydra.errors import LaunchError
from amt_hydra.launcher.base import LaunchContext, Launcher
from amt_hydra.launcher.resubmit import differences, refusal
from amt_hydra.local.settings import EngineSettings

TERMINAL = ("Completed", "Failed", "Stopped")
CREATE_RACE_S = 10.0  # how long a job another process is creating may take to become readable
STAGED = ".staged"  # under the store's root: one folder per tuning job, holding its sourcedir.tar.gz


@dataclass
class LocalLauncherConfig(EngineSettings):
    """`launcher=local`: the engine's settings plus where jobs are stored. Registered as the group option,
    so this class is the default, the schema, the launcher's arguments and (the inherited part) the engine's."""

    _target_: str = "amt_hydra.launcher.local.LocalLauncher"
    root: str | None = None  # job store; null: $AMT_HYDRA_HOME or ~/.amt-hydra/jobs
    bucket: str = "amt-hydra-local"  # the fake bucket of artifact_root (never contacted)


class LocalLauncher(Launcher):
    """Runs tuning jobs with the local engine; see amt_hydra/local/README.md and `LocalLauncherConfig`."""

    def __init__(self, config: LocalLauncherConfig | None = None, **options: Any) -> None:
        self.config = config or LocalLauncherConfig(**options)
        self.poll_s = self.config.poll_interval_s
        self._client: Any = None
        self._prestarted: Any = None  # started by warm_up, handed to the engine of the job submit creates

    def artifact_root(self, job_name: str) -> str:
        return f"s3://{self.config.bucket}/{job_name}"

    def client(self) -> Any:
        if self._client is None:
            self._client = self._make_client({})
        return self._client

    def warm_up(self) -> None:
        """Start the engine's fork server now (trials/prestart.py): its imports (~0.5 s) overlap the request's
        building and validation, and the first training job starts that much sooner."""
        import sys

        from amt_hydra.local.engine.worker import engine_env
        from amt_hydra.local.trials.forkserver import available
        from amt_hydra.local.trials.prestart import Prestarted

        if self._prestarted is None and self.config.fork_server and available():
            try:
                self._prestarted = Prestarted(self.config.python or sys.executable, self.config.fork_entry_point,
                                               self.config.preload, engine_env())
            except OSError:  # the engine starts its own, and says why if it cannot either
                self._prestarted = None

    def _make_client(self, staging: Mapping[str, Path]) -> Any:
        from amt_hydra.local.api.client import LocalSageMakerClient

        copies = {**{k: str(v) for k, v in staging.items()}, **self.config.local_copies}
        settings = self.config.engine_settings(local_copies=copies)
        return LocalSageMakerClient(self.config.root, settings, prestarted=self._prestarted)

    def submit(self, request: Mapping[str, Any], ctx: LaunchContext) -> str:
        """Create the job, or resume the stored job of the same name and request; never a duplicate."""
        from botocore.exceptions import ClientError, ParamValidationError

        name = request["HyperParameterTuningJobName"]
        staging, staged = self._stage(ctx.staging, name)
        self._client = self._make_client(staging)
        try:
            self._client.create_hyper_parameter_tuning_job(**request)
            return name
        except ParamValidationError as err:
            _unstage(staged)
            raise LaunchError(f"local launcher: {name}: invalid request: {err}") from None
        except ClientError as err:
            if err.response["Error"]["Code"] != "ResourceInUse":
                _unstage(staged)
                raise LaunchError(_one_line(name, err)) from None
        finally:
            self._release_prestarted()
        self._resume(name, request)
        return name

    def _release_prestarted(self) -> None:
        """After the create call the warmed-up server is the new engine's (handed over), or nobody's (the request
        was refused, or the job exists: a resumed engine starts its own, with the job's stored settings, and
        this one reads EOF and exits); either way this launcher lets go of it."""
        if self._prestarted is not None:
            self._prestarted.release()
            self._prestarted = None
        if self._client is not None:
            self._client.context.prestarted = None

    def _resume(self, name: str, request: Mapping[str, Any]) -> None:
        """Resume (or attach to) the stored job; a different stored request is refused with what differs.

        A concurrent submission of the same name may have made the folder but not yet the job (request.json,
        then tuning.json): ResourceNotFound here means "not yet", so read again for a moment.
        """
        from botocore.exceptions import ClientError

        deadline = time.monotonic() + CREATE_RACE_S
        while True:
            try:
                self._client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName=name, Request=dict(request))
                return
            except ClientError as err:
                code = err.response["Error"]["Code"]
                if code == "ResourceNotFound" and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                if code != "ResourceInUse":
                    raise LaunchError(_one_line(name, err)) from None
            stored = self._client.store.find(name)
            diffs = differences(stored.request if stored else {}, json.loads(json.dumps(dict(request))))
            raise LaunchError(refusal(name, diffs, f"under {self._client.store.root}"))

    def _stage(self, staging: Mapping[str, Path], name: str) -> tuple[dict[str, Path], Path | None]:
        """Pack the source dir for a new tuning job; return the staging map and the staged folder (or None).

        Once per tuning job, not per training job: a job already in the store keeps the tarball it was created
        with (resuming reads its stored settings), as SageMaker's attach uploads nothing.
        """
        from amt_hydra.local.store import JobStore
        from amt_hydra.packing import select, tag_cache, write_tarball

        store = JobStore(self.config.root)
        out = dict(staging)
        sources = [uri for uri, local in staging.items() if uri.endswith(f"/{SOURCE_TARBALL}") and Path(local).is_dir()]
        if not sources or store.find(name) is not None:
            return out, None
        tag_cache(store.root / STAGED)
        folder = store.root / STAGED / name.lower()
        for uri in sources:
            out[uri] = write_tarball(select(staging[uri]), folder / SOURCE_TARBALL)
        return out, folder

    def interrupted(self, name: str) -> None:
        """Jobs of the local engine live on this machine: Ctrl-C stops them cleanly (state saved, resumable)."""
        self.stop_cleanly(name)

    def stop_cleanly(self, name: str) -> str:
        """Stop the tuning job (running training jobs end Stopped, state saved) and wait until it has."""
        from botocore.exceptions import ClientError

        client = self.client()
        try:
            client.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        except ClientError as err:
            if err.response["Error"]["Code"] != "ValidationException":  # already finished is fine
                raise
        deadline = time.monotonic() + self.config.stop_grace_s + 30.0
        status = "Stopping"
        while time.monotonic() < deadline:
            status = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
                "HyperParameterTuningJobStatus"
            ]
            if status in TERMINAL:
                break
            time.sleep(min(self.poll_s, 0.5))
        print(f"tuning job {name}: {status}; submit the same request again (job_name={name}) to resume it.")
        return status


def _unstage(folder: Path | None) -> None:
    """A job that was not created keeps no staged tarball."""
    if folder is not None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _one_line(name: str, err: Any) -> str:
    error = err.response.get("Error", {})
    request_id = err.response.get("ResponseMetadata", {}).get("RequestId", "")
    return f"local launcher: {name}: {error.get('Code')}: {error.get('Message')} (request id {request_id})"
