"""The pipeline behind `python -m amt_hydra`: config -> spec -> request -> launcher."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from amt_hydra.config.paths import resolve_project_paths
from amt_hydra.errors import ConfigError
from amt_hydra.launcher.base import LaunchContext, Launcher
from amt_hydra.provenance import provenance
from amt_hydra.request import Rendered, render_request, validate_request
from amt_hydra.spec.build import build_spec, default_job_name, to_container
from amt_hydra.spec.model import TuningSpec

DEFAULT_REGION = "us-east-1"


def resolve_region(configured: str | None) -> str | None:
    """boto3's own resolution (AWS_REGION, AWS_DEFAULT_REGION, profile) unless the config names one."""
    if configured:
        return configured
    import botocore.session

    return botocore.session.get_session().get_config_variable("region")


def instantiate_launcher(node: Any) -> Launcher:
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    try:
        launcher = instantiate(node)
    except InstantiationException as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip() and not ln.startswith("full_key")]
        raise ConfigError("launcher", " ".join(lines)) from None
    if not isinstance(launcher, Launcher):
        raise ConfigError("launcher._target_", f"{type(launcher).__name__} is not an amt_hydra Launcher")
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
    """request.json and provenance.json; `source_dir` names the tree to record when the spec's is a staged copy."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "request.json").write_text(dumps(rendered.request) + "\n")
    channels = {c.name: c.local for c in spec.estimator.channels if c.local}
    record = provenance(source_dir or spec.estimator.source_dir, channels)
    (run_dir / "provenance.json").write_text(dumps(record) + "\n")


def run(cfg: DictConfig, run_dir: Path, job_suffix: str = "") -> str | None:
    launcher = instantiate_launcher(cfg.launcher)
    spec, rendered, region = prepare(cfg, launcher, job_suffix)
    write_run_files(run_dir, spec, rendered)
    if cfg.dry_run:
        sys.stdout.write(dumps(rendered.request) + "\n")
        print(f"dry run: request written to {run_dir / 'request.json'}; nothing submitted", file=sys.stderr)
        return None
    staging = {uri: Path(path) for uri, path in rendered.staging.items()}
    ctx = LaunchContext(run_dir=run_dir, staging=staging, wait=bool(cfg.wait), region=region)
    return launcher.launch(rendered.request, ctx)


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, default=str)
