"""The boundary: a composed config becomes a frozen `TuningSpec`, or a one-line `ConfigError`."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from amt_hydra.constants import ENV_ROLE, JOB_NAME_MAX
from amt_hydra.errors import ConfigError
from amt_hydra.semantics import hyperparameter_name_problem
from amt_hydra.spec import rules
from amt_hydra.spec.images import lookup_image
from amt_hydra.spec.model import (
    Channel,
    Completion,
    Estimator,
    Instance,
    Limits,
    MetricDefinition,
    Objective,
    Strategy,
    TuningSpec,
    WarmStart,
)
from amt_hydra.spec.search_space import encode_value, parse_search_space

REQUIRED_GROUPS = ("estimator", "search_space", "metric")
_WARM_START_TYPES = {
    "identical_data_and_algorithm": "IdenticalDataAndAlgorithm",
    "transfer_learning": "TransferLearning",
    "IdenticalDataAndAlgorithm": "IdenticalDataAndAlgorithm",
    "TransferLearning": "TransferLearning",
}


def to_container(cfg: DictConfig) -> dict[str, Any]:
    """Resolve interpolations once; a missing group or a bad interpolation is a one-line error."""
    for group in REQUIRED_GROUPS:
        if OmegaConf.is_missing(cfg, group):
            raise ConfigError(group, "is required: pick an experiment (+experiment=mnist) or set "
                              "estimator, search_space and metric")
    try:
        data = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or "config"
        raise ConfigError(str(key), str(exc).splitlines()[0]) from None
    assert isinstance(data, dict)
    _check_known_keys(data)
    return data


def _check_known_keys(data: dict[str, Any]) -> None:
    """`+bogus=1` or `+instances.0.foo=1` slip past Hydra's struct check; the schema still decides what exists."""
    from amt_hydra.config import schema

    _known(data, schema.AmtConfig, "", skip={"launcher", "hydra"})
    nodes = {"estimator": schema.EstimatorConfig, "metric": schema.MetricConfig, "strategy": schema.StrategyConfig,
             "limits": schema.LimitsConfig, "completion": schema.CompletionConfig,
             "warm_start": schema.WarmStartConfig}
    for node, cls in nodes.items():
        _known(data.get(node), cls, f"{node}.")
    lists = {"instances": (data, schema.InstanceConfig),
             "metric.definitions": (data.get("metric") or {}, schema.MetricDefinitionConfig)}
    for key, (owner, cls) in lists.items():
        items = owner.get(key.rsplit(".", 1)[-1]) if isinstance(owner, Mapping) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            _known(item, cls, f"{key}.{i}.")


def _known(node: Any, cls: type, prefix: str, skip: frozenset[str] | set[str] = frozenset()) -> None:
    from dataclasses import fields

    if not isinstance(node, Mapping):
        return
    names = [f.name for f in fields(cls)]
    for key in sorted(set(map(str, node)) - set(names) - set(skip)):
        import difflib

        close = difflib.get_close_matches(key, names, n=1) or [n for n in names if n.startswith(key)]
        hint = f"did you mean {close[0]!r}?" if close else f"{prefix.rstrip('.') or 'the config'} takes {names}"
        raise ConfigError(f"{prefix}{key}", f"unknown key; {hint}")


def default_job_name(name: str, now: datetime, suffix: str = "") -> str:
    """`<name>-<yymmdd-hhmmss>[-suffix]`, cut to the API's 32 characters and pattern."""
    stamp = now.strftime("%y%m%d-%H%M%S")
    tail = f"-{stamp}" + (f"-{suffix}" if suffix else "")
    base = re.sub(r"[^a-zA-Z0-9]+", "-", name).strip("-") or "amt"
    return base[: JOB_NAME_MAX - len(tail)].rstrip("-") + tail


ImageLookup = Callable[[str, str, "str | None", str, str], str]


def build_spec(cfg: DictConfig | Mapping[str, Any], job_name: str, region: str,
               image_lookup: ImageLookup = lookup_image) -> TuningSpec:
    """Resolve, parse and check; the only place a config becomes a spec."""
    data = to_container(cfg) if isinstance(cfg, DictConfig) else dict(cfg)
    ranges, space_statics = parse_search_space(data["search_space"] or {})
    estimator = _estimator(data, space_statics, {r.name for r in ranges})
    image = _image(data["estimator"], region, estimator.instances[0].instance_type, image_lookup)
    estimator = replace(estimator, image_uri=image)
    metric = data["metric"]
    spec = TuningSpec(
        job_name=job_name,
        region=region,
        strategy=Strategy(**data["strategy"]),
        seed=data.get("seed"),
        objective=Objective(name=metric["name"], type=metric["type"]),
        metrics=tuple(MetricDefinition(d["name"], d["regex"]) for d in metric["definitions"]),
        ranges=tuple(ranges),
        estimator=estimator,
        limits=Limits(**data["limits"]),
        early_stopping=_early_stopping(data["early_stopping"]),
        completion=Completion(**data["completion"]),
        warm_start=_warm_start(data["warm_start"]),
        tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
    )
    rules.check(spec)
    return spec


def _estimator(data: dict[str, Any], space_statics: dict[str, str], tuned: set[str]) -> Estimator:
    est = data["estimator"]
    statics = _statics(est.get("hyperparameters") or {}, space_statics, tuned)
    instances = tuple(Instance(**i) for i in data.get("instances") or [])
    fallbacks = bool(instances)
    if not instances:
        instances = (Instance(est["instance_type"], est["instance_count"], est["volume_size_gb"]),)
    image = est.get("image_uri")
    entry_point, source_dir = _code(est)
    return Estimator(
        entry_point=entry_point,
        source_dir=source_dir,
        image_uri=image,
        algorithm_name=est.get("algorithm_name"),
        role=est.get("role") or os.environ.get(ENV_ROLE),
        instances=instances,
        fallbacks=fallbacks,
        max_runtime_s=est["max_runtime_s"],
        input_mode=est["input_mode"],
        static_hyperparameters=statics,
        environment={str(k): str(v) for k, v in (est.get("environment") or {}).items()},
        channels=tuple(_channel(k, v) for k, v in (est.get("inputs") or {}).items()),
        output_path=est.get("output_path"),
        container_log_level=est["container_log_level"],
        use_spot=est["use_spot"],
        max_wait_s=est.get("max_wait_s"),
        checkpoint_s3_uri=est.get("checkpoint_s3_uri"),
        checkpoint_local_path=est.get("checkpoint_local_path"),
        max_retry_attempts=est.get("max_retry_attempts"),
        subnets=tuple(est.get("subnets") or ()),
        security_group_ids=tuple(est.get("security_group_ids") or ()),
        network_isolation=est["network_isolation"],
        encrypt_inter_container_traffic=est["encrypt_inter_container_traffic"],
        volume_kms_key=est.get("volume_kms_key"),
        output_kms_key=est.get("output_kms_key"),
        builtin_algorithm=bool(image or est.get("algorithm_name")) and not est.get("entry_point"),
        framework=est.get("framework") or None,
    )


def _code(est: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """An entry point without a source dir ships the folder it lives in."""
    entry, source = est.get("entry_point"), est.get("source_dir")
    if entry and not source:
        path = Path(_local_path(entry))
        return path.name, str(path.parent)
    return entry, _local_path(source) if source else None


def _image(est: Mapping[str, Any], region: str, instance_type: str, lookup: ImageLookup) -> str | None:
    given = [k for k in ("framework", "image_uri", "algorithm_name") if est.get(k)]
    if len(given) != 1:
        raise ConfigError("estimator.framework", f"set exactly one of framework, image_uri, algorithm_name; "
                          f"got {given or 'none'}")
    if given[0] != "framework":
        return est.get("image_uri")
    if not est.get("framework_version"):
        raise ConfigError("estimator.framework_version", f"required with framework={est['framework']}")
    return lookup(est["framework"], str(est["framework_version"]), est.get("py_version"), region, instance_type)


def _statics(hps: Mapping[str, Any], space_statics: dict[str, str], tuned: set[str]) -> dict[str, str]:
    statics: dict[str, str] = {}
    for name, value in hps.items():
        key = f"estimator.hyperparameters.{name}"
        problem = hyperparameter_name_problem(str(name))
        if problem:
            raise ConfigError(key, problem)
        if name in tuned:
            raise ConfigError(key, f"{name!r} is also tuned in search_space; a hyperparameter is either "
                              "static or tuned")
        if name in space_statics:
            raise ConfigError(key, f"{name!r} is also fixed in search_space.{name}; set it in one place")
        statics[str(name)] = encode_value(value)
    return {**statics, **space_statics}


def _channel(name: str, value: str) -> Channel:
    if str(value).startswith("s3://"):
        return Channel(name=str(name), uri=str(value))
    return Channel(name=str(name), local=_local_path(str(value)))


def _local_path(value: str) -> str:
    return str(Path(os.path.expanduser(value)).absolute())


def _early_stopping(value: str) -> str:
    mapping = {"off": "Off", "auto": "Auto"}
    if str(value).lower() not in mapping:
        raise ConfigError("early_stopping", f"{value!r} is not one of ['off', 'auto']")
    return mapping[str(value).lower()]


def _warm_start(ws: Mapping[str, Any]) -> WarmStart | None:
    if not ws.get("type") and not ws.get("parents"):
        return None
    kind = ws.get("type")
    if kind not in _WARM_START_TYPES:
        raise ConfigError("warm_start.type", f"{kind!r} is not one of "
                          "['identical_data_and_algorithm', 'transfer_learning']")
    return WarmStart(type=_WARM_START_TYPES[kind], parents=tuple(ws.get("parents") or ()))
