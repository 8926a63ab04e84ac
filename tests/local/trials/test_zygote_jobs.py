"""Training jobs whose entry point is forked from the zygote, through the real toolkit: the same view, exit
statuses and failure reports as with a fresh interpreter, and nothing left behind when a job is stopped."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
import time
from pathlib import Path

import pytest

from amt_hydra.local.trials.descendants import marked_pids
from amt_hydra.local.trials.forkserver import ToolkitStarter
from amt_hydra.local.trials.process import wait_any

from .test_forkserver import finish, job

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the zygote is Linux only")

SCRIPT = textwrap.dedent(r"""
    import json, os, signal, sys, time
    mode = sys.argv[sys.argv.index("--mode") + 1]
    seen = {"argv": sys.argv, "path": sys.path, "name": __name__, "file": __file__, "cwd": os.getcwd(),
            "env": dict(os.environ), "executable": sys.executable, "stdin": sys.stdin.read()}
    with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "seen.json"), "w") as out:
        json.dump(seen, out)
    print("forked:", os.getpgid(0) == os.getpid(), "preloaded:", "hydra" in sys.modules, flush=True)
    if mode == "code3":
        sys.exit(3)
    if mode == "raise":
        raise ValueError("boom")
    if mode == "signal":
        os.kill(os.getpid(), signal.SIGTERM)
    if mode == "sleep":
        time.sleep(120)
""")


def run_job(tmp_path: Path, starter: ToolkitStarter, name: str, mode: str) -> tuple[int, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    folder, env = job(tmp_path, name, mode)
    (tmp_path / "src" / "train.py").write_text(SCRIPT)
    proc = starter.start(folder / "output.log", env, cwd=folder)
    return finish(proc), folder


def test_the_entry_point_sees_the_same_under_the_toolkit(tmp_path: Path) -> None:
    seen, logs = {}, {}
    for zygote in (True, False):
        starter = ToolkitStarter(None, fork_entry_point=zygote)
        try:
            code, folder = run_job(tmp_path / str(zygote), starter, "job-view", "ok")
        finally:
            starter.server.close()
        assert code == 0
        seen[zygote] = json.loads((folder / "opt_ml/output/data/seen.json").read_text())
        logs[zygote] = (folder / "output.log").read_text()
    assert "forked: True preloaded: True" in logs[True] and "forked: False preloaded: False" in logs[False]
    for view in seen.values():  # the job folders differ by name only
        view["env"].pop("PYTHONPATH")
        view["path"] = view["path"][:1]
    fresh = json.loads(json.dumps(seen[False]).replace(str(tmp_path / "False"), str(tmp_path / "True")))
    assert seen[True] == fresh


@pytest.mark.parametrize("mode", ["ok", "code3", "raise", "signal"])
def test_exit_statuses_and_failure_reports_match(tmp_path: Path, mode: str) -> None:
    ends = {}
    for zygote in (True, False):
        starter = ToolkitStarter(None, fork_entry_point=zygote)
        try:
            code, folder = run_job(tmp_path / str(zygote), starter, "job-end", mode)
        finally:
            starter.server.close()
        failure = folder / "opt_ml/output/failure"
        report = failure.read_text() if failure.exists() else None
        if report is not None:  # the command names the "python" the toolkit ran: the client
            report = re.sub(r"[^\s\"]*/amt-hydra-zygote-\w+/python", sys.executable, report)
        ends[zygote] = (code, report)
    assert ends[True] == ends[False]
    assert (ends[True][0] == 0) == (mode == "ok")


def test_a_stopped_job_leaves_no_process_behind(tmp_path: Path) -> None:
    starter = ToolkitStarter(None)
    try:
        folder, env = job(tmp_path, "job-stop", "sleep")
        (tmp_path / "src" / "train.py").write_text(SCRIPT)
        proc = starter.start(folder / "output.log", env, cwd=folder, job_name="job-stop")
        deadline = time.monotonic() + 60
        while "forked: True" not in (folder / "output.log").read_text():
            assert time.monotonic() < deadline, (folder / "output.log").read_text()
            time.sleep(0.05)
        assert len(marked_pids("job-stop")) == 4  # toolkit, client, zygote, entry point
        proc.terminate(time.monotonic(), grace_s=5)
        while proc.poll() is None:
            proc.enforce(time.monotonic())
            assert time.monotonic() < deadline
            wait_any([proc], 0.1, time.sleep)
        assert _none_left("job-stop", deadline=time.monotonic() + 10)
    finally:
        starter.server.close()


def test_a_killed_toolkit_takes_the_entry_point_with_it(tmp_path: Path) -> None:
    """SIGKILL to the toolkit alone (not its group): the zygote dies with it, the entry point with the zygote."""
    starter = ToolkitStarter(None)
    try:
        folder, env = job(tmp_path, "job-kill", "sleep")
        (tmp_path / "src" / "train.py").write_text(SCRIPT)
        proc = starter.start(folder / "output.log", env, cwd=folder)
        deadline = time.monotonic() + 60
        while "forked: True" not in (folder / "output.log").read_text():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        entry = [p for p in marked_pids("job-kill") if os.getpgid(p) == p and p != proc.pid]
        assert len(entry) == 1
        os.kill(proc.pid, 9)
        assert finish(proc) == -9
        assert _none_left("job-kill", deadline=time.monotonic() + 10)
    finally:
        starter.server.close()


def _none_left(job_name: str, deadline: float) -> bool:
    """No live process carries the job's marker (zombies awaiting their reaper do not count)."""
    while time.monotonic() < deadline:
        if all(_zombie(pid) for pid in marked_pids(job_name)):
            return True
        time.sleep(0.05)
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


def test_preload_names_modules() -> None:
    from amt_hydra.errors import ConfigError
    from amt_hydra.local.settings import EngineSettings

    assert EngineSettings().preload == ["hydra", "omegaconf"] and EngineSettings().fork_entry_point
    with pytest.raises(ConfigError, match="launcher.preload"):
        EngineSettings(preload=["hydra; rm -rf"])


def test_nothing_to_preload_means_no_zygote(tmp_path: Path) -> None:
    starter = ToolkitStarter(None, fork_entry_point=True, preload=["no_such_module_here"])
    try:
        code, folder = run_job(tmp_path, starter, "job-nothing", "ok")
    finally:
        starter.server.close()
    assert code == 0 and "forked: False" in (folder / "output.log").read_text()


def test_a_shell_entry_point_is_unchanged(tmp_path: Path) -> None:
    """The toolkit runs it with /bin/sh; its `python` is the real one on PATH, never the client."""
    folder, env = job(tmp_path, "job-shell", "ok")
    script = tmp_path / "src" / "train.sh"
    script.write_text('#!/bin/sh\necho "shell args: $*"\npython3 -c "import sys; print(\'python:\', sys.executable)"\n')
    script.chmod(0o755)
    hps_file = folder / "opt_ml/input/config/hyperparameters.json"
    hps_file.write_text(json.dumps({**json.loads(hps_file.read_text()), "sagemaker_program": '"train.sh"'}))
    starter = ToolkitStarter(None)
    try:
        code = finish(starter.start(folder / "output.log", env, cwd=folder))
    finally:
        starter.server.close()
    log = (folder / "output.log").read_text()
    assert code == 0 and "shell args: --mode ok" in log and "amt-hydra-zygote" not in log.split("python:")[1]
