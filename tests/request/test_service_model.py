"""The cached cut of botocore's model is botocore's model; the cached region is botocore's region."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest

from amt_hydra.region import botocore_region
from amt_hydra.request import service_model
from amt_hydra.request.validate import OPERATION


def _same(cut, full, seen: set[str]) -> None:
    assert (cut.name, cut.type_name, cut.metadata) == (full.name, full.type_name, full.metadata)
    assert getattr(cut, "required_members", None) == getattr(full, "required_members", None)
    if cut.name in seen:
        return
    seen.add(cut.name)
    assert list(getattr(cut, "members", {})) == list(getattr(full, "members", {}))
    for name in getattr(cut, "members", {}):
        _same(cut.members[name], full.members[name], seen)
    for part in ("member", "key", "value"):
        if hasattr(full, part):
            _same(getattr(cut, part), getattr(full, part), seen)


def test_the_cached_cut_is_botocores_input_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    full = botocore.session.get_session().get_service_model("sagemaker").operation_model(OPERATION).input_shape
    first = service_model.input_shape(OPERATION)  # writes the cache
    assert list((tmp_path / "amt-hydra" / "botocore-models").iterdir())
    second = service_model.input_shape(OPERATION)  # reads it
    for shape in (first, second):
        _same(shape, full, set())


def test_the_key_watches_where_botocores_loader_looks(tmp_path: Path) -> None:
    """A model of the user's own in ~/.aws/models (a newer API version, here lacking a member) is read at once."""
    from botocore.loaders import create_loader

    assert service_model.search_paths() == create_loader().search_paths
    full = create_loader().load_service_model("sagemaker", "service-2")
    full["shapes"]["CreateHyperParameterTuningJobRequest"]["members"].pop("Autotune")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    members = [sys.executable, "-c", "from amt_hydra.request.service_model import description; "
               f"print(list(description({OPERATION!r})['shapes']['{OPERATION}Request']['members']))"]
    assert "Autotune" in subprocess.run(members, env=env, capture_output=True, text=True, check=True).stdout
    own = tmp_path / ".aws" / "models" / "sagemaker" / "2099-01-01"
    own.mkdir(parents=True)
    (own / "service-2.json").write_text(json.dumps(full))
    assert "Autotune" not in subprocess.run(members, env=env, capture_output=True, text=True, check=True).stdout


def test_the_cached_region_follows_what_botocore_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    assert botocore_region() == "ap-south-1" == botocore_region()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    assert botocore_region() == "eu-west-3"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    config.write_text("[default]\nregion = sa-east-1\n")  # another size: the cache sees the change
    assert botocore_region() == "sa-east-1"
