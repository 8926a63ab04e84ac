"""Whether this machine can run a request's training jobs: checked at create time, refused in one line.

The local engine runs script-mode jobs (`sagemaker_program` + `sagemaker_submit_directory`) with the
training toolkit and needs a local copy of every S3 URI they read (see setup/sources.py). What it does not
emulate (Autotune, Pipe input, file-system channels) is refused rather than run differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amt_hydra.constants import PROGRAM_HP, SUBMIT_DIR_HP
from amt_hydra.local.search.registry import strategy_names
from amt_hydra.local.setup.errors import LocalValidationError
from amt_hydra.local.setup.sources import decode_hp, is_s3, local_path
from amt_hydra.local.setup.tuning_setup import Definition, TuningSetup
from amt_hydra.semantics import environment_name_problem


def check_runnable(setup: TuningSetup, copies: Mapping[str, str]) -> None:
    """Raise LocalValidationError naming what cannot run here and how to fix it."""
    if setup.strategy not in strategy_names():
        raise LocalValidationError(
            f"Strategy {setup.strategy!r} is not one of {', '.join(strategy_names())}."
        )
    if (setup.request.get("Autotune") or {}).get("Mode") == "Enabled":
        raise LocalValidationError(
            "Autotune is not emulated by the local launcher; give the ranges explicitly."
        )
    for d in setup.definitions:
        where = f"TrainingJobDefinition {d.name}" if d.name else "TrainingJobDefinition"
        if PROGRAM_HP not in d.static:
            raise LocalValidationError(
                f"{where}: the local launcher runs script-mode jobs; StaticHyperParameters needs "
                f"{PROGRAM_HP} and {SUBMIT_DIR_HP}."
            )
        for key in d.raw.get("Environment") or {}:  # the engine's own variables (its job marker) win
            problem = environment_name_problem(key)
            if problem:
                raise LocalValidationError(f"{where}: Environment: {problem}")
        if SUBMIT_DIR_HP in d.static:
            _need(str(decode_hp(d.static[SUBMIT_DIR_HP])), f"{where}: {SUBMIT_DIR_HP}", copies)
        for channel in d.raw.get("InputDataConfig") or []:
            _check_channel(d, channel, f"{where}: channel {channel['ChannelName']!r}", copies)


def _check_channel(d: Definition, channel: Mapping[str, Any], label: str, copies: Mapping[str, str]) -> None:
    mode = channel.get("InputMode") or d.raw["AlgorithmSpecification"].get("TrainingInputMode", "File")
    if mode == "Pipe":
        raise LocalValidationError(f"{label}: Pipe input mode is not emulated by the local launcher.")
    source = channel.get("DataSource", {}).get("S3DataSource")
    if source is None:
        raise LocalValidationError(f"{label}: only S3DataSource channels can be run locally.")
    _need(source["S3Uri"], label, copies)


def _need(uri: str, label: str, copies: Mapping[str, str]) -> None:
    path = local_path(uri, copies)
    if path is None:
        raise LocalValidationError(
            f"{label}: {uri} has no local copy; set launcher.local_copies to map this S3 URI (or a prefix of "
            "it) to a local file or folder."
        )
    if not path.exists():
        kind = "local copy of " + uri if is_s3(uri) else "path"
        raise LocalValidationError(f"{label}: the {kind} does not exist: {path}")
