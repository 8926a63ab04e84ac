"""`amt-hydra-init DIR` writes a project that runs offline, unchanged, in one command."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from amt_hydra.scaffold import job_prefix
from tests.packaging.conftest import amt, completed_objectives


def _init(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "amt_hydra.scaffold", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_scaffolded_project_runs(tmp_path: Path) -> None:
    project = tmp_path / "my project"
    made = _init([str(project)], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()} == {
        "conf/experiment/mine.yaml", "train.py", ".gitignore"}
    result = amt(["--config-dir", "conf", "+experiment=mine", "hydra.run.dir=out"], cwd=project)
    assert result.returncode == 0, result.stderr
    values = completed_objectives(project / "out")
    assert len(values) == 6 and all(math.isfinite(v) and v >= 0 for v in values)  # six real losses (unseeded)
    assert job_prefix(project) == "my-project"


def test_scaffold_never_overwrites(tmp_path: Path) -> None:
    assert _init([str(tmp_path / "p")], cwd=tmp_path).returncode == 0
    again = _init([str(tmp_path / "p")], cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.startswith("error: ") and again.stderr.count("\n") == 1 and "nothing written" in again.stderr
