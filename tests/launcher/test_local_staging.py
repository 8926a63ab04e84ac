"""`launcher=local` gives its jobs exactly what SageMaker gets: the packed tarball, staged once per tuning job."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from amt_hydra.local.setup.sources import decode_hp
from tests.conftest import run_cli
from tests.packing.project import CODE, SECRETS, write_experiment, write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_experiment(write_project(tmp_path / "project"))


def _files(folder: Path) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs}


def test_local_jobs_get_the_packed_code_and_no_secret(project: Path, tmp_path: Path) -> None:
    store, run = project / "jobs", tmp_path / "run"  # the job store lies inside the source dir
    args = ["--config-dir", str(project / "conf"), "+experiment=packed", "job_name=packed-local",
            f"launcher.root={store}", "launcher.poll_interval_s=0.1", f"hydra.run.dir={run}"]
    result = run_cli(args, cwd=project)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = set(CODE) | {"conf/experiment/packed.yaml"}
    assert (run / "packed_files.txt").read_text().splitlines() == sorted(expected)
    assert "secret(s) of" in result.stderr and ".aws/, .azure/" in result.stderr
    staged = store / ".staged" / "packed-local" / "sourcedir.tar.gz"
    with tarfile.open(staged) as tar:
        assert set(tar.getnames()) == expected
    trials = sorted((store / "packed-local" / "trials").iterdir())
    assert len(trials) == 2
    for trial in trials:
        code = _files(trial / "opt_ml" / "code")
        assert code == expected, code ^ expected
        assert not code & set(SECRETS)
        assert json.loads((trial / "state.json").read_text())["status"] == "Completed"
    hps = json.loads((trials[0] / "opt_ml" / "input" / "config" / "hyperparameters.json").read_text())
    assert decode_hp(hps["sagemaker_submit_directory"]) == str(staged)


def test_a_refused_symlink_writes_and_submits_nothing(project: Path, tmp_path: Path) -> None:
    (project / "data").symlink_to(tmp_path, target_is_directory=True)
    store, run = tmp_path / "store", tmp_path / "run"
    args = ["--config-dir", str(project / "conf"), "+experiment=packed", "job_name=packed-refused",
            f"launcher.root={store}", f"hydra.run.dir={run}"]
    result = run_cli(args, cwd=project)
    assert result.returncode != 0
    assert result.stderr.startswith("error: estimator.source_dir: data in ") and result.stderr.count("\n") == 1
    assert not (run / "request.json").exists() and not store.exists()
