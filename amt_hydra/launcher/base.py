"""The launcher interface: one request in, a SageMaker-shaped client out.

A launcher submits and stops; it never waits or reports. The caller (`amt_hydra.app`, the sweeper,
`amt_hydra.inspection`) waits and reports through `Launcher.client()`, which answers with boto3's method names
and response shapes, so that is one code path for SageMaker, the local engine and any launcher of yours.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LaunchContext:
    """What a launcher needs beside the request.

    `staging` maps each S3 URI the request refers to (code tarball, input channels) to the local file or
    folder it stands for; the SageMaker launcher uploads them, the local engine reads them in place.
    """

    run_dir: Path
    staging: Mapping[str, Path] = field(default_factory=dict)


LOCAL_ROLE_ARN = "arn:aws:iam::000000000000:role/amt-hydra-local"


class Launcher(abc.ABC):
    """Selected by `_target_` in the `launcher` config group; users may plug in their own.

    Hydra instantiates it with the group's keys as keyword arguments; then the caller sets `region`.
    """

    poll_s: float = 1.0  # seconds between status polls while the caller waits
    region: str | None = None  # the run's region (config `region`, else boto3's); None when nothing names one
    dry_run: bool = False  # set by the caller before rendering: a dry run must not touch the network

    def resolve_role(self) -> str:
        """The role ARN when the config names none; engines that need no AWS role return a placeholder."""
        return LOCAL_ROLE_ARN

    @abc.abstractmethod
    def artifact_root(self, job_name: str) -> str:
        """The `s3://bucket/prefix` under which this job's code and local inputs are staged.

        Must not need credentials when the launcher is configured with an explicit bucket, and never touch
        the network when `dry_run` is set: what is unknown then is a clearly marked placeholder (see
        `dry_run_note`).
        """

    @abc.abstractmethod
    def client(self) -> Any:
        """A client with boto3's SageMaker method names and response shapes for tuning jobs."""

    @abc.abstractmethod
    def submit(self, request: Mapping[str, Any], ctx: LaunchContext) -> str:
        """Stage what the request needs and create the tuning job; return its name. Do not wait.

        Submitting a name that already exists must not create a duplicate: attach to (or resume) it.
        """

    def warm_up(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Called once the caller will submit (not a dry run), before it builds the request: a launcher may
        start the slow parts of its launch now, to overlap that work. Whatever it starts must come to no harm,
        and leave nothing behind, if the request then turns out invalid."""

    def dry_run_note(self) -> str | None:
        """One line after a dry run whose request holds placeholders: what they stand for, how to get the exact
        request. None when the request is exact."""
        return None

    def interrupted(self, name: str) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Ctrl-C while the caller waited on `name`. Default: leave the job running (SageMaker's jobs
        outlive the CLI); a launcher whose jobs live in this session stops them cleanly here."""
