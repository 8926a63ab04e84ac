"""The pipeline behind `python -m amt_hydra`: config -> spec -> request -> launcher -> results.

The app owns the flow: a launcher only submits (and stops on Ctrl-C); waiting and reporting happen here,
through the launcher's SageMaker-shaped client, for every launcher alike. The sweeper reuses these steps.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from amt_hydra.config.paths import resolve_project_paths
from amt_hydra.errors import ConfigError, JobNotCompleted, UserError
from amt_hydra.launcher.base import LaunchContext, Launcher
from amt_hydra.provenance import SourceStatus, provenance
from amt_hydra.request import Rendered, render_request, validate_request
from amt_hydra.spec.build import build_spec, default_job_name, to_container
from amt_hydra.spec.model import TuningSpec

DEFAULT_REGION = "us-east-1"


def resolve_region(configured: str | None) -> str | None:
    """boto3's own resolution (AWS_REGION, AWS_DEFAULT_REGION, profile) unless the config names one."""
    if configured:
        return configured
    from amt_hydra.region import botocore_region

    return botocore_region()


def instantiate_launcher(node: Any, region: str | None = None, dry_run: bool = False) -> Launcher:
    """The launcher the config's `_target_` names, told the run's region and whether this is a dry run (then it
    must not touch the network); its own config errors stay one line."""
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    try:
        launcher = instantiate(node)
    except InstantiationException as exc:
        if isinstance(exc.__cause__, UserError):
            raise exc.__cause__ from None
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip() and not ln.startswith("full_key")]
        raise ConfigError("launcher", " ".join(lines)) from None
    if not isinstance(launcher, Launcher):
        raise ConfigError("launcher._target_", f"{type(launcher).__name__} is not an amt_hydra Launcher")
    launcher.region = region
    launcher.dry_run = dry_run
    return launcher


def submitting_launcher(node: Any, region: str | None, dry_run: bool) -> Launcher:
    """The run's launcher (`instantiate_launcher`); unless this is a dry run, warmed up at once (`Launcher.warm_up`),
    so the slow parts of its launch overlap the building of the request."""
    launcher = instantiate_launcher(node, region, dry_run=dry_run)
    if not dry_run:
        launcher.warm_up()
    return launcher


def prepare(cfg: DictConfig | Mapping[str, Any], launcher: Launcher, job_suffix: str = "",
            now: datetime | None = None) -> tuple[TuningSpec, Rendered, str | None]:
    """Everything up to a validated request; nothing is uploaded or submitted here."""
    data = resolve_project_paths(to_container(cfg) if isinstance(cfg, DictConfig) else dict(cfg))
    region = resolve_region(data.get("region"))
    job_name = data.get("job_name") or default_job_name(data["name"], now or datetime.now(timezone.utc), job_suffix)
    spec = build_spec(data, job_name, region or DEFAULT_REGION)
    role = spec.estimator.role or launcher.resolve_role()
    rendered = render_request(spec, launcher.artifact_root(job_name), role)
    validate_request(rendered.request)
    return spec, rendered, region


def write_run_files(run_dir: Path, spec: TuningSpec, rendered: Rendered, source_dir: str | None = None) -> None:
    """request.json, provenance.json and packed_files.txt (the code the jobs get, by the packing rule every
    launcher applies); `source_dir` names the tree to record when the spec's is a staged copy."""
    from amt_hydra.packing import select, write_packed_list

    est = spec.estimator
    with SourceStatus(source_dir or est.source_dir) as source:  # git runs while the tree is walked
        selection = select(est.source_dir) if est.entry_point and est.source_dir else None  # refusals come first
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "request.json").write_text(dumps(rendered.request) + "\n")
        channels = {c.name: c.local for c in est.channels if c.local}
        (run_dir / "provenance.json").write_text(dumps(provenance(source, channels)) + "\n")
    if selection is not None:
        write_packed_list(selection, run_dir)
        if selection.note():
            print(selection.note(), file=sys.stderr)


def run(cfg: DictConfig, run_dir: Path, job_suffix: str = "") -> dict[str, Any] | None:
    """Dry run: None. Otherwise submit; with `wait`, the final DescribeHyperParameterTuningJob, else None."""
    if cfg.get("sample_log"):  # try the metric regexes on a log; alone, nothing else runs
        from amt_hydra.metrics_check import check_sample_log

        check_sample_log(Path(cfg.sample_log), to_container(cfg)["metric"], sys.stderr if cfg.dry_run else sys.stdout)
        if not cfg.dry_run:
            print("sample_log: metric check only; nothing submitted (dry_run=true also renders)", file=sys.stderr)
            return None
    launcher = submitting_launcher(cfg.launcher, resolve_region(cfg.region), bool(cfg.dry_run))
    spec, rendered, _ = prepare(cfg, launcher, job_suffix)
    write_run_files(run_dir, spec, rendered)
    if cfg.dry_run:
        sys.stdout.write(dumps(rendered.request) + "\n")
        print(f"dry run: request written to {run_dir / 'request.json'}; nothing submitted", file=sys.stderr)
        if launcher.dry_run_note():
            print(launcher.dry_run_note(), file=sys.stderr)
        return None
    name = submit(launcher, spec, rendered, run_dir)
    return follow(launcher, name, run_dir)["TuningJob"] if cfg.wait else None


def submit(launcher: Launcher, spec: TuningSpec, rendered: Rendered, run_dir: Path) -> str:
    """Check the local inputs exist (not in dry runs: those need no data), then hand the request over."""
    for channel in spec.estimator.channels:
        if channel.local:
            check_local_input(f"estimator.inputs.{channel.name}", channel.local)
    staging = {uri: Path(path) for uri, path in rendered.staging.items()}
    return launcher.submit(rendered.request, LaunchContext(run_dir=run_dir, staging=staging))


def follow(launcher: Launcher, name: str, run_dir: Path) -> dict[str, Any]:
    """Wait and report through the launcher's client; on Ctrl-C the launcher stops what it must, then exit 130."""
    from amt_hydra.results.wait import wait_and_report

    try:
        return wait_and_report(launcher.client(), name, run_dir, poll_s=launcher.poll_s)
    except KeyboardInterrupt:
        launcher.interrupted(name)
        raise


def check_completed(job: Mapping[str, Any]) -> None:
    """A tuning job that ended Failed or Stopped is exit code 4 (JobNotCompleted), with AMT's reason."""
    status = job["HyperParameterTuningJobStatus"]
    if status != "Completed":
        reason = job.get("FailureReason") or "see the table above"
        raise JobNotCompleted(f"tuning job {job['HyperParameterTuningJobName']} ended {status}: {reason}")


def check_local_input(key: str, path: str) -> None:
    """Prepared datasets get the data command's own check, whose message names the command to run."""
    import os

    from amt_hydra.data.sources import DATASETS, data_root

    name = os.path.basename(path)
    if os.path.dirname(path) == str(data_root()) and name in DATASETS:
        from amt_hydra.data.prepare import check_dataset

        try:
            check_dataset(path, name)
        except UserError as exc:
            raise ConfigError(key, str(exc)) from None
    elif not os.path.exists(path):
        raise ConfigError(key, f"{path} does not exist")


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, default=str)
