"""LocalLauncher: create or resume (never a duplicate), a submitted job outlives the process, Ctrl-C while the
app follows the job stops it cleanly; waiting and reporting are the app's (`amt_hydra.app.follow`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from amt_hydra.app import follow
from amt_hydra.errors import ConfigError, LaunchError
from amt_hydra.launcher.base import LaunchContext
from amt_hydra.launcher.local import LocalLauncher, LocalLauncherConfig
from amt_hydra.local.settings import EngineSettings
from tests.local.conftest import CODE_URI, DATA_URI, X_RANGE, make_request, summaries, wait_for

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def ctx(tmp_path: Path, source_dir: Path, data_dir: Path) -> LaunchContext:
    return LaunchContext(run_dir=tmp_path / "run", staging={CODE_URI: source_dir, DATA_URI: data_dir})


def test_submit_creates_then_resumes_never_duplicates(tmp_path: Path, ctx: LaunchContext) -> None:
    launcher = LocalLauncher(root=str(tmp_path / "store"), stop_grace_s=0.5, poll_interval_s=0.02)
    assert launcher.artifact_root("job-1") == "s3://amt-hydra-local/job-1"
    request = make_request("launch-1", max_jobs=2, continuous=X_RANGE)
    assert launcher.submit(request, ctx) == "launch-1"
    client = launcher.client()
    wait_for(client, "launch-1")
    jobs = summaries(client, "launch-1")
    assert launcher.submit(request, ctx) == "launch-1"  # same name and request: attach, nothing new
    assert wait_for(client, "launch-1")["HyperParameterTuningJobStatus"] == "Completed"
    assert summaries(client, "launch-1") == jobs
    changed = make_request("launch-1", max_jobs=3, continuous=X_RANGE)
    with pytest.raises(LaunchError, match="different request"):
        launcher.submit(changed, ctx)
    bad = make_request("launch-2", max_jobs=2, continuous=X_RANGE)
    with pytest.raises(LaunchError, match="launcher.local_copies"):
        launcher.submit(bad, LaunchContext(run_dir=tmp_path / "run", staging={}))


def _script(tmp_path: Path, ctx: LaunchContext, request: dict, body: str) -> Path:
    script = tmp_path / "launch.py"
    setup = f"""
        import json, os, signal, sys, time
        from pathlib import Path
        from amt_hydra.launcher.base import LaunchContext
        from amt_hydra.launcher.local import LocalLauncher
        request = json.loads({json.dumps(json.dumps(request))})
        staging = {{k: Path(v) for k, v in {json.dumps({k: str(v) for k, v in ctx.staging.items()})}.items()}}
        root = {str(tmp_path / "store")!r}
    """
    script.write_text(textwrap.dedent(setup) + textwrap.dedent(body))
    return script


def _run(script: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)


def test_a_submitted_job_keeps_running_after_exit(tmp_path: Path, ctx: LaunchContext) -> None:
    request = make_request("detached-1", max_jobs=3, continuous=X_RANGE, static={"sleep": "0.2"})
    script = _script(
        tmp_path,
        ctx,
        request,
        """
        launcher = LocalLauncher(root=root, poll_interval_s=0.02)
        launcher.submit(request, LaunchContext(run_dir=Path(root), staging=staging))
    """,
    )
    done = _run(script)
    assert done.returncode == 0, done.stderr
    client = LocalLauncher(root=str(tmp_path / "store")).client()
    first = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="detached-1")
    assert first["HyperParameterTuningJobStatus"] == "InProgress"
    assert wait_for(client, "detached-1")["HyperParameterTuningJobStatus"] == "Completed"


def test_ctrl_c_while_waiting_stops_cleanly(tmp_path: Path, ctx: LaunchContext) -> None:
    request = make_request(
        "interrupt-1", max_jobs=4, continuous=X_RANGE, static={"sleep": "5", "epochs": "20"}
    )
    script = _script(
        tmp_path,
        ctx,
        request,
        """
        import threading
        from amt_hydra.app import follow

        def press_ctrl_c_once_a_job_runs(client):  # as a user would, while the app waits and reports
            while True:
                desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="interrupt-1")
                if desc["TrainingJobStatusCounters"]["InProgress"]:
                    os.kill(os.getpid(), signal.SIGINT)
                    return
                time.sleep(0.02)

        launcher = LocalLauncher(root=root, poll_interval_s=0.02, stop_grace_s=0.5)
        name = launcher.submit(request, LaunchContext(run_dir=Path(root), staging=staging))
        threading.Thread(target=press_ctrl_c_once_a_job_runs, args=(launcher.client(),), daemon=True).start()
        follow(launcher, name, Path(root) / "run")
    """,
    )
    done = _run(script)
    assert done.returncode != 0 and "KeyboardInterrupt" in done.stderr
    assert "interrupt-1: Stopped; submit the same request again (job_name=interrupt-1)" in done.stdout
    client = LocalLauncher(root=str(tmp_path / "store")).client()
    desc = client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="interrupt-1")
    assert desc["HyperParameterTuningJobStatus"] == "Stopped"
    jobs = summaries(client, "interrupt-1")
    assert jobs and all(j["TrainingJobStatus"] == "Stopped" for j in jobs)


def test_the_app_follows_and_reports_with_the_shared_code_path(
    tmp_path: Path, ctx: LaunchContext, capsys
) -> None:
    launcher = LocalLauncher(root=str(tmp_path / "store"), stop_grace_s=0.5, poll_interval_s=0.05)
    request = make_request("report-1", max_jobs=2, continuous=X_RANGE)
    run_dir = tmp_path / "run"
    result = follow(launcher, launcher.submit(request, ctx), run_dir)
    written = json.loads((run_dir / "result.json").read_text())
    assert result["TuningJob"]["HyperParameterTuningJobStatus"] == written["TuningJob"]["HyperParameterTuningJobStatus"]
    assert written["TuningJob"]["HyperParameterTuningJobStatus"] == "Completed"
    assert [j["InstanceType"] for j in result["TrainingJobs"]] == ["ml.m5.large"] * 2
    assert (run_dir / "report.html").is_file() and "report-1" in capsys.readouterr().out


def test_one_config_drives_launcher_client_and_engine(tmp_path: Path, ctx: LaunchContext) -> None:
    """The launcher's config is the engine's settings plus root/bucket; engine.json holds the engine's part."""
    config = LocalLauncherConfig(root=str(tmp_path / "store"), poll_interval_s=0.05, stop_grace_s=0.5,
                                 capacity={"ml.m5.large": 1})
    launcher = LocalLauncher(config)
    assert launcher.poll_s == 0.05
    launcher.submit(make_request("settings-1", max_jobs=1, parallel=1, continuous=X_RANGE), ctx)
    client = launcher.client()
    stored = json.loads(next((tmp_path / "store").rglob("engine.json")).read_text())
    staged = tmp_path / "store" / ".staged" / "settings-1" / "sourcedir.tar.gz"  # packed once for the tuning job
    assert EngineSettings.from_dict(stored) == client.settings == config.engine_settings(
        local_copies={**{k: str(v) for k, v in ctx.staging.items()}, CODE_URI: str(staged)})
    assert stored["poll_interval_s"] == 0.05 and stored["capacity"] == {"ml.m5.large": 1}
    wait_for(client, "settings-1")


@pytest.mark.parametrize(("options", "key"), [
    ({"poll_interval_s": 0}, "launcher.poll_interval_s"), ({"stop_grace_s": -1}, "launcher.stop_grace_s"),
    ({"parallel_cpus": 0}, "launcher.parallel_cpus"), ({"capacity": {"ml.m5.large": -1}}, "launcher.capacity"),
])
def test_bad_settings_are_a_config_error_before_anything_is_created(
    tmp_path: Path, options: dict, key: str
) -> None:
    with pytest.raises(ConfigError, match=f"^{key}"):
        LocalLauncher(root=str(tmp_path / "store"), **options)
    assert not (tmp_path / "store").exists()
