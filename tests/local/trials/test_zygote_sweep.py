"""A sweeper trial end to end (`my_app.py -m hydra/sweeper=amt`, local launcher): each trial's Hydra app runs in a
fork of the zygote and reports its objective as before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3-cpu-py311"
PROBE = """
import os
if "TRAINING_JOB_NAME" in os.environ:  # in a trial, not in the sweep
    with open(os.path.join(os.environ["ZYGOTE_PROBE_DIR"], os.environ["TRAINING_JOB_NAME"]), "w") as out:
        out.write(str(os.getpgid(0) == os.getpid()))
"""

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the zygote is Linux only")


def test_sweeper_trials_run_in_forks_of_the_zygote(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "quadratic_app", app)
    source = (app / "my_app.py").read_text()
    (app / "my_app.py").write_text(source.replace("\nimport math\n", "\nimport math\n" + PROBE, 1))
    probes = tmp_path / "probes"
    probes.mkdir()
    sweep_dir = tmp_path / "sweep"
    command = [sys.executable, str(app / "my_app.py"), "-m", "hydra/sweeper=amt", f"hydra.sweep.dir={sweep_dir}",
               "optimizer.lr=tag(log, interval(1e-4, 1e-1))", "hydra.sweeper.limits.max_jobs=2",
               "hydra.sweeper.strategy.name=Random", f"hydra.sweeper.estimator.image_uri={IMAGE}"]
    env = {**os.environ, "ZYGOTE_PROBE_DIR": str(probes)}
    proc = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    jobs = json.loads((sweep_dir / "result.json").read_text())["TrainingJobs"]
    assert [j["TrainingJobStatus"] for j in jobs] == ["Completed"] * 2
    assert all("FinalHyperParameterTuningJobObjectiveMetric" in j for j in jobs)
    seen = {p.name: p.read_text() for p in probes.iterdir()}
    assert seen == {j["TrainingJobName"]: "True" for j in jobs}  # its own group: forked by the zygote
