"""A training job's fresh directory, laid out like /opt/ml, and the environment its toolkit starts with.

The toolkit (`python -m sagemaker_training.cli.train` with `SAGEMAKER_BASE_DIR`) reads the same three
config files it reads on SageMaker, so the script sees the same argv and `SM_*` variables. The whole
layout exists before the toolkit starts (gotcha §12.2: without `output/` a crash exits 0), one directory
per job (§12.4: the toolkit reuses a non-empty `code/`), and `output/intermediate` exists so the toolkit
leaves syncing it to "the platform" instead of trying S3. Hosts are SageMaker's `algo-1..algo-N`;
trials/hosts.py makes them work although those names do not resolve here (§12.1).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amt_hydra.constants import (
    ENV_TOOLKIT_BASE_DIR,
    ENV_TRAINING_JOB_ARN,
    ENV_TRAINING_JOB_NAME,
    OBJECTIVE_METRIC_HP,
    SUBMIT_DIR_HP,
    THREAD_ENV_VARS,
)
from amt_hydra.local.setup.sources import decode_hp, encode_like, local_path
from amt_hydra.local.setup.tuning_setup import Definition

GROUP = "homogeneousCluster"
_NOT_INHERITED_PREFIXES = ("SM_", "SAGEMAKER_", "TRAINING_JOB_")


@dataclass(frozen=True)
class JobSpec:
    """What one training job is started with."""

    name: str
    arn: str
    hyperparameters: Mapping[str, str]  # as on SageMaker: statics, tuned values, _tuning_objective_metric
    instance: Mapping[str, Any]  # the instance config actually used
    channels: tuple[Mapping[str, Any], ...]
    environment: Mapping[str, str]
    local_copies: Mapping[str, str]
    cpus: tuple[int, ...] = ()
    gpu: int | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    hosts: tuple[str, ...] = ("algo-1",)
    current_host: str = "algo-1"


def hyperparameters(definition: Definition, tuned: dict[str, str]) -> dict[str, str]:
    """What SageMaker passes: statics, one value per range, and `_tuning_objective_metric` (§8.4)."""
    return {**definition.static, **tuned, OBJECTIVE_METRIC_HP: definition.objective_name}


def channels(definition: Definition) -> tuple[dict[str, Any], ...]:
    """Input channels with their effective input mode (a channel's own, else the algorithm's)."""
    mode = definition.raw["AlgorithmSpecification"].get("TrainingInputMode", "File")
    return tuple(
        {**c, "InputMode": c.get("InputMode") or mode} for c in definition.raw.get("InputDataConfig", [])
    )


def prepare(base: Path, spec: JobSpec) -> None:
    """Create SAGEMAKER_BASE_DIR for one job: config files, linked channels, empty output folders."""
    for sub in ("input/config", "input/data", "model", "output/data", "output/intermediate"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    config = base / "input" / "config"
    _write(config / "hyperparameters.json", _local_hyperparameters(spec))
    _write(config / "resourceconfig.json", _resource_config(spec))
    _write(config / "inputdataconfig.json", {c["ChannelName"]: _channel_config(c) for c in spec.channels})
    for channel in spec.channels:
        _link_channel(base / "input" / "data" / channel["ChannelName"], channel, spec.local_copies)


def environment(base: Path, spec: JobSpec, inherited: Mapping[str, str] | None = None) -> dict[str, str]:
    """The toolkit's environment: this machine's, minus SageMaker variables, plus what the container has.

    PYTHONUNBUFFERED is set as SageMaker's framework images set it, so metrics arrive line by line.
    Thread variables give each job its share of the cores; the request's Environment wins over them, but
    not over the job's identity (its base dir, name and ARN).
    """
    source = os.environ if inherited is None else inherited
    env = {k: v for k, v in source.items() if not k.startswith(_NOT_INHERITED_PREFIXES)}
    threads = str(max(1, len(spec.cpus))) if spec.cpus else None
    env.update({var: threads for var in THREAD_ENV_VARS if threads})
    if spec.gpu is not None:
        env["CUDA_VISIBLE_DEVICES"] = str(spec.gpu)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(spec.extra_env)
    env.update(spec.environment)
    # Set last: TRAINING_JOB_NAME is also the marker by which the engine finds every process of the job
    # (trials/descendants.py); the create-time checks refuse these names in the request's Environment.
    env.update(
        {ENV_TOOLKIT_BASE_DIR: str(base), ENV_TRAINING_JOB_NAME: spec.name, ENV_TRAINING_JOB_ARN: spec.arn}
    )
    return env


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1))


def _local_hyperparameters(spec: JobSpec) -> dict[str, str]:
    """The job's hyperparameters, with the code's S3 URI replaced by its local copy (same encoding)."""
    hps = dict(spec.hyperparameters)
    if SUBMIT_DIR_HP in hps:
        uri = str(decode_hp(hps[SUBMIT_DIR_HP]))
        path = local_path(uri, spec.local_copies)
        if path is not None:
            hps[SUBMIT_DIR_HP] = encode_like(hps[SUBMIT_DIR_HP], str(path))
    return hps


def _resource_config(spec: JobSpec) -> dict[str, Any]:
    instance_type, hosts = spec.instance["InstanceType"], list(spec.hosts)
    return {
        "current_host": spec.current_host,
        "hosts": hosts,
        "current_instance_type": instance_type,
        "current_group_name": GROUP,
        "network_interface_name": "eth0",
        "instance_groups": [{"instance_group_name": GROUP, "instance_type": instance_type, "hosts": hosts}],
    }


def _channel_config(channel: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        "TrainingInputMode": channel.get("InputMode", "File"),
        "S3DistributionType": channel.get("DataSource", {})
        .get("S3DataSource", {})
        .get("S3DataDistributionType", "FullyReplicated"),
        "RecordWrapperType": channel.get("RecordWrapperType", "None"),
    }
    if channel.get("ContentType"):
        out["ContentType"] = channel["ContentType"]
    return out


def _link_channel(target: Path, channel: Mapping[str, Any], copies: Mapping[str, str]) -> None:
    """input/data/<channel> -> the local folder; a single file is linked inside an otherwise empty folder."""
    uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
    source = local_path(uri, copies)
    assert source is not None, f"unresolved channel URI {uri} (checked at create time)"
    source = source.resolve()
    if source.is_dir():
        target.symlink_to(source, target_is_directory=True)
    else:
        target.mkdir()
        (target / source.name).symlink_to(source)
