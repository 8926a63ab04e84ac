"""Hydra overrides on one side, AMT hyperparameters on the other.

Sweep overrides (`optimizer.lr=tag(log, interval(1e-4, 1e-1))`) become the search space, keyed by the
override's key as written (dotted, with any `+`/`++`/`~` prefix or `@package`); every other override is a
static hyperparameter holding its value exactly as typed, so the entry shim can hand it back to Hydra.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from amt_hydra.errors import ConfigError
from amt_hydra.spec.model import ParameterRange
from amt_hydra.sweeper import entry


@dataclass
class SweepArguments:
    space: dict[str, str] = field(default_factory=dict)  # key -> sweep expression (search_space entries)
    fixed: dict[str, str] = field(default_factory=dict)  # key -> value text (static hyperparameters)


def params_arguments(params: Mapping[str, Any] | None, prefix: str = "") -> list[str]:
    """`hydra.sweeper.params` as override strings, as hydra-optuna-sweeper reads it.

    `optimizer.lr: ...` in YAML is one key; `hydra.sweeper.params.optimizer.lr=...` on the command line
    nests, so nested mappings are read back as dotted keys.
    """
    out: list[str] = []
    for key, value in (params or {}).items():
        if isinstance(value, Mapping):
            out += params_arguments(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}={value}")
    return out


def split_arguments(arguments: Iterable[str]) -> SweepArguments:
    """Later arguments win, so the command line overrides `hydra.sweeper.params`."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    out = SweepArguments()
    for argument in arguments:
        try:
            override = parser.parse_override(argument)
        except HydraException as exc:
            detail = str(exc).splitlines()[0]
            raise ConfigError(argument.split("=", 1)[0], f"cannot parse override {argument!r}: {detail}") from None
        key = override.get_key_element()
        if key.startswith("hydra.") or key.startswith("hydra/"):
            raise ConfigError(key, "hydra's own settings cannot be swept or sent to the training jobs")
        value = argument.split("=", 1)[1].strip() if "=" in argument else ""
        out.space.pop(key, None)
        out.fixed.pop(key, None)
        (out.space if override.is_sweep_override() else out.fixed)[key] = value
    return out


def toolkit_value(value: str) -> str:
    """What the training toolkit passes for a hyperparameter SageMaker holds as `value`.

    The toolkit json-decodes each value (`environment.read_hyperparameters`), then `mapping.to_cmd_args`
    writes it with `str()` (a mapping as `k=v,...`, None as an empty argument).
    """
    from sagemaker_training.mapping import to_cmd_args

    try:
        decoded = json.loads(value)
    except ValueError:
        decoded = value
    return str(to_cmd_args({"key": decoded})[1])


def sample_overrides(ranges: Iterable[ParameterRange], statics: Mapping[str, str]) -> list[str]:
    """The overrides the entry shim would build for one job: each range at its low end, the statics as set."""
    hps = dict(statics)
    for rng in ranges:
        hps[rng.name] = rng.values[0] if rng.kind == "categorical" else str(rng.min)
    argv: list[str] = []
    for key in sorted(hps):
        argv += [f"--{key}" if len(key) > 1 else f"-{key}", toolkit_value(hps[key])]
    return entry.to_overrides(argv)
