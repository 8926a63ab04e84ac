"""Your own project, first class: a config dir of yours (`--config-dir`) with your script, run from anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amt_hydra.config.paths import resolve_project_paths
from tests.packaging.conftest import amt, completed_objectives

TRAIN = """\
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--position", type=float)
parser.add_argument("--offset", type=float)
args, _ = parser.parse_known_args()
print(f"score={(args.position - 0.3) ** 2 + args.offset:.6f}")
"""

EXPERIMENT = """\
# @package _global_
defaults:
  - override /strategy: random
name: mine
estimator:
  entry_point: train.py
  source_dir: .
  image_uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:latest
  hyperparameters: {offset: 1.5}
  inputs: {train: data}
search_space:
  position: interval(0.0, 1.0)
metric:
  name: score
  definitions: [{name: score, regex: 'score=([0-9.]+)'}]
limits: {max_jobs: 3, max_parallel_jobs: 3}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "conf" / "experiment").mkdir(parents=True)
    (root / "conf" / "experiment" / "mine.yaml").write_text(EXPERIMENT)
    (root / "train.py").write_text(TRAIN)
    (root / "data").mkdir()
    (root / "data" / "train.csv").write_text("1,2\n")
    return root


def test_user_project_runs_its_own_script_locally(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = tmp_path / "run"
    result = amt(["--config-dir", str(project / "conf"), "+experiment=mine", f"hydra.run.dir={run}"], cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    values = completed_objectives(run)
    assert len(values) == 3 and all(1.5 <= v <= 1.5 + 0.49 for v in values)


def _dry_run(project: Path, cwd: Path, config_dir: str, run: Path) -> dict[str, object]:
    args = ["--config-dir", config_dir, "+experiment=mine", "dry_run=true", "job_name=same", f"hydra.run.dir={run}"]
    result = amt(args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return {"request": json.loads((run / "request.json").read_text()),
            "provenance": json.loads((run / "provenance.json").read_text())}


def test_relative_paths_resolve_against_the_project_from_any_cwd(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    inside = _dry_run(project, project, "conf", tmp_path / "a")
    outside = _dry_run(project, elsewhere, str(project / "conf"), tmp_path / "b")
    assert inside["request"] == outside["request"]
    for seen in (inside, outside):
        prov = seen["provenance"]
        assert prov["source"]["path"] == str(project) and prov["inputs"]["train"]["path"] == str(project / "data")


def test_searchpath_is_a_config_dir_too(project: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    result = amt([f"hydra.searchpath=[file://{project / 'conf'}]", "+experiment=mine", "dry_run=true",
                  f"hydra.run.dir={run}"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((run / "provenance.json").read_text())["source"]["path"] == str(project)


def test_resolution_leaves_absolute_and_remote_paths_alone(tmp_path: Path) -> None:
    data = {"estimator": {"source_dir": "/abs/src", "inputs": {"a": "s3://b/k", "b": "~/d", "c": "rel"}}}
    est = resolve_project_paths(data, project=tmp_path)["estimator"]
    assert est["source_dir"] == "/abs/src"
    assert est["inputs"] == {"a": "s3://b/k", "b": "~/d", "c": str(tmp_path / "rel")}


def test_without_a_config_dir_paths_stay_relative_to_the_cwd(tmp_path: Path) -> None:
    data = {"estimator": {"source_dir": "src"}}
    assert resolve_project_paths(data) == data
