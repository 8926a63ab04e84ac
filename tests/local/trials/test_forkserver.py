"""How toolkit processes start: forked by the fork server (same contract as a plain subprocess), and the
fallbacks (setting off, a server that cannot start). Real toolkit runs on real opt_ml folders."""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from amt_hydra.local.engine.recovery import owns
from amt_hydra.local.trials import forkserver
from amt_hydra.local.trials.forkserver import ForkedToolkitProcess, ToolkitStarter
from amt_hydra.local.trials.process import ToolkitProcess, wait_any

SCRIPT = r"""
import json, os, sys, time
mode = sys.argv[sys.argv.index("--mode") + 1]
json.dump({"cwd": os.getcwd(), "affinity": sorted(os.sched_getaffinity(0)), "job": os.environ["TRAINING_JOB_NAME"],
           "mine": os.environ.get("MY_VAR")}, open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "seen.json"), "w"))
print("objective: 1.0")
if mode == "fail":
    sys.exit(3)
if mode == "sleep":
    time.sleep(60)
"""


def job(tmp_path: Path, name: str, mode: str) -> tuple[Path, dict[str, str]]:
    """A job folder as the engine lays it out (opt_ml with the toolkit's config files), and its env."""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "train.py").write_text(SCRIPT)
    base = tmp_path / name / "opt_ml"
    for sub in ("input/config", "input/data", "model", "output/data", "output/intermediate"):
        (base / sub).mkdir(parents=True)
    hps = {"mode": json.dumps(mode), "sagemaker_program": '"train.py"',
           "sagemaker_submit_directory": json.dumps(str(src))}
    (base / "input/config/hyperparameters.json").write_text(json.dumps(hps))
    (base / "input/config/inputdataconfig.json").write_text("{}")
    resources = {"current_host": "localhost", "hosts": ["localhost"]}
    (base / "input/config/resourceconfig.json").write_text(json.dumps(resources))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SM_", "SAGEMAKER_", "TRAINING_JOB"))}
    env.update(SAGEMAKER_BASE_DIR=str(base), TRAINING_JOB_NAME=name, PYTHONUNBUFFERED="1", MY_VAR="mine")
    return base.parent, env


def finish(proc: ToolkitProcess, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while (code := proc.poll()) is None:
        assert time.monotonic() < deadline, "the job did not end"
        wait_any([proc], 0.5, time.sleep)
    return code


@pytest.fixture
def starter() -> ToolkitStarter:
    starter = ToolkitStarter(None)
    yield starter
    if starter.server is not None:
        starter.server.close()


def test_a_forked_job_has_the_jobs_session_env_cwd_cores_log_and_status(tmp_path: Path, starter) -> None:
    cores = tuple(sorted(os.sched_getaffinity(0)))[:1]
    results = {}
    for name, mode in (("job-ok", "ok"), ("job-fail", "fail")):
        folder, env = job(tmp_path, name, mode)
        proc = starter.start(folder / "output.log", env, cwd=folder, cpus=cores)
        assert isinstance(proc, ForkedToolkitProcess)
        assert owns(proc.pid, name)  # /proc/PID/environ names the job: a resume after an engine crash finds it
        assert os.getpgid(proc.pid) == proc.pid != os.getpgid(0)  # its own session and group
        results[name] = (finish(proc), folder)
    code, folder = results["job-ok"]
    seen = json.loads((folder / "opt_ml/output/data/seen.json").read_text())
    assert code == 0 and seen == {"cwd": str(folder / "opt_ml/code"), "affinity": list(cores), "job": "job-ok",
                                  "mine": "mine"}  # the toolkit runs the script in its code folder
    assert "objective: 1.0" in (folder / "output.log").read_text()
    assert (folder / "opt_ml/output/success").exists()
    code, folder = results["job-fail"]
    assert code != 0 and (folder / "opt_ml/output/failure").exists()  # the toolkit's own failure handling


def test_a_forked_job_is_stopped_through_its_process_group(tmp_path: Path, starter) -> None:
    folder, env = job(tmp_path, "job-sleep", "sleep")
    proc = starter.start(folder / "output.log", env, cwd=folder)
    deadline = time.monotonic() + 60
    while "objective" not in (folder / "output.log").read_text():  # the script runs under the toolkit
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.terminate(time.monotonic(), grace_s=0.5)
    deadline = time.monotonic() + 30
    while proc.poll() is None:
        proc.enforce(time.monotonic())
        assert time.monotonic() < deadline
        wait_any([proc], 0.1, time.sleep)
    assert proc.poll() != 0
    assert _group_gone(proc.pid, deadline=time.monotonic() + 10)  # the script went with the toolkit


def _group_gone(pgid: int, deadline: float) -> bool:
    """Killed members linger as zombies until their new parent (init) reaps them."""
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_setting_off_gives_a_plain_subprocess(tmp_path: Path) -> None:
    starter = ToolkitStarter(None, fork_server=False)
    folder, env = job(tmp_path, "job-plain", "ok")
    proc = starter.start(folder / "output.log", env, cwd=folder)
    assert starter.server is None and type(proc) is ToolkitProcess
    assert finish(proc) == 0


def test_a_server_that_cannot_start_falls_back_to_plain_subprocesses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken_server.py"
    broken.write_text("import sys\nsys.exit('cannot import the toolkit')\n")
    monkeypatch.setattr(forkserver, "MAIN", broken)
    starter = ToolkitStarter(sys.executable)
    folder, env = job(tmp_path, "job-fallback", "ok")
    proc = starter.start(folder / "output.log", env, cwd=folder)
    assert type(proc) is ToolkitProcess and finish(proc) == 0
    assert "jobs start as plain subprocesses" in capfd.readouterr().err
    starter.server.close()


def test_jobs_outlive_the_server_when_the_engine_goes_away(tmp_path: Path, starter) -> None:
    """EOF ends the server, not its jobs (as plain jobs outlive a dead engine; a resume kills them)."""
    folder, env = job(tmp_path, "job-orphan", "sleep")
    proc = starter.start(folder / "output.log", env, cwd=folder)
    starter.server.close()
    try:
        assert starter.server.proc.returncode == 0
        assert owns(proc.pid, "job-orphan")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)


def test_an_exit_read_with_another_jobs_still_wakes_the_engine(tmp_path: Path, starter) -> None:
    # The server reports every exit on one pipe: once reading job A's has read B's too, the pipe stays quiet,
    # so waiting on it for B would sleep the whole tick (a free slot idle for up to poll_interval_s).
    procs = [starter.start(folder / "output.log", env, cwd=folder)
             for folder, env in (job(tmp_path, name, "ok") for name in ("job-a", "job-b"))]
    server = starter.server
    deadline = time.monotonic() + 60
    while not all(p.pid in server.exits for p in procs):
        assert time.monotonic() < deadline, "the jobs did not end"
        select.select([server.fileno()], [], [], 0.5)
        server.drain()
    assert procs[0].poll() == 0
    assert not select.select([server.fileno()], [], [], 0)[0] and procs[1].exit_known()
    start = time.monotonic()
    wait_any([procs[1]], 30.0, time.sleep)
    assert time.monotonic() - start < 10  # returned at once, not after the 30 s timeout
    assert procs[1].poll() == 0


def test_the_toolkits_platform_probes_run_once_per_server_not_per_job(tmp_path: Path, monkeypatch) -> None:
    """`which smddprun` / `which smddpmprun` (and nvidia-smi) ran in every `Environment()`, three per job: a
    `which` on PATH that logs its calls sees the server's two, whatever the number of jobs."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "which-calls"
    bin_dir.mkdir()
    (bin_dir / "which").write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexit 1\n')
    (bin_dir / "which").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    starter = ToolkitStarter(None)
    try:
        for name in ("job-a", "job-b"):
            folder, env = job(tmp_path, name, "ok")
            assert finish(starter.start(folder / "output.log", env, cwd=folder)) == 0
    finally:
        starter.server.close()
    assert sorted(calls.read_text().split()) == ["smddpmprun", "smddprun"]
