"""The live view on a real pseudo-terminal, against real local tuning jobs (and the real CLI)."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.results.live import fmt_seconds, fmt_value, remaining_s, shorten, visible_rows
from amt_hydra.results.table import progress_line
from amt_hydra.results.tracker import JobRow, JobTracker
from amt_hydra.results.wait import wait, wait_and_report
from tests.conftest import REPO
from tests.local.conftest import X_RANGE, make_request, wait_for

from .conftest import PtyCapture, plain

FALLBACKS = [{"InstanceType": t, "InstanceCount": 1, "VolumeSizeInGB": 5} for t in ("ml.m4.xlarge", "ml.m5.large")]


def _request(name: str, **kwargs: Any) -> dict[str, Any]:
    """4 jobs, 2 at a time; `mode` makes some crash; no capacity for the first instance config."""
    request = make_request(name, max_jobs=4, parallel=2, continuous=X_RANGE,
                           categorical=[{"Name": "mode", "Values": ["ok", "crash"]}], **kwargs)
    definition = request["TrainingJobDefinition"]
    del definition["ResourceConfig"]
    definition["HyperParameterTuningResourceConfig"] = {"InstanceConfigs": FALLBACKS,
                                                        "AllocationStrategy": "Prioritized"}
    return request


@pytest.fixture(scope="module")
def live_run(tmp_path_factory: pytest.TempPathFactory, copies: dict[str, str]) -> dict[str, Any]:
    """A tuning job watched from its start to its end on a 40x160 terminal (objective every 0.6 s)."""
    tmp = tmp_path_factory.mktemp("live")
    client = LocalSageMakerClient(root=tmp / "store", local_copies=copies, capacity={"ml.m4.xlarge": 0},
                                  poll_interval_s=0.02, stop_grace_s=0.5)
    client.create_hyper_parameter_tuning_job(**_request("live-1", static={"sleep": "0.6"}))
    term = PtyCapture()
    with os.fdopen(os.dup(term.slave), "w") as out:
        wait_and_report(client, "live-1", tmp / "run", poll_s=0.1, out=out)
    raw = term.raw()
    return {"client": client, "raw": raw, "text": plain(raw), "result": json.loads((tmp / "run" / "result.json")
                                                                                    .read_text())}


def test_frames_while_running_show_header_rows_and_steps(live_run: dict[str, Any]) -> None:
    text = live_run["text"]
    assert "live-1  InProgress  Random, Minimize loss" in text
    assert "jobs 0/4 | running" in text and "elapsed " in text and "| remaining -" in text
    assert "| remaining ~" in text  # an estimate once a job has finished
    for column in ("job", "status", "hyperparameters", "objective", "step", "instance", "duration"):
        assert column in text
    running = [line for line in text.splitlines() if " InProgress " in line and "mode=ok" in line]
    # an intermediate objective and its step (epoch), before the instance column
    assert any(re.search(r"\s[0-9.]+\s+[12]\s+ml\.", line) for line in running), running


def test_last_frame_has_every_job_fallbacks_and_failure_reasons(live_run: dict[str, Any]) -> None:
    text, jobs = live_run["text"], live_run["result"]["TrainingJobs"]
    last = text[text.rindex("live-1  Completed"):]
    assert "jobs 4/4 | running 0" in last and "| remaining 0s" in last
    best = live_run["result"]["TuningJob"]["BestTrainingJob"]
    assert f"best {best['FinalHyperParameterTuningJobObjectiveMetric']['Value']:.6g}" in last
    for job in jobs:
        short = job["TrainingJobName"].removeprefix("live-1-")
        row = next(line for line in last.splitlines() if line.startswith(short))
        assert job["TrainingJobStatus"] in row and "ml.m5.large (fallback)" in row
        assert f"x={float(job['TunedHyperParameters']['x']):.4g}" in row
        if job["TrainingJobStatus"] == "Completed":
            value = job["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
            assert re.search(rf"\s{re.escape(f'{value:.6g}')}\s+3\s", row), row
    failed = [j for j in jobs if j["TrainingJobStatus"] == "Failed"]
    assert failed, "the seed draws crashing jobs"
    for job in failed:
        short = job["TrainingJobName"].removeprefix("live-1-")
        assert f"{short}: AlgorithmError: ExitCode 1. ... ValueError: boom: the script crashed on purpose" in last
    assert "best training job: live-1-" in last and "name  status" not in last  # no second, plain table


def test_the_view_hides_and_restores_the_cursor(live_run: dict[str, Any]) -> None:
    raw = live_run["raw"]
    assert raw.index("\x1b[?25l") < raw.rindex("\x1b[?25h") < raw.index("best training job:")


class Counting:
    """The real client, counting the calls that reach it."""

    def __init__(self, client: Any) -> None:
        self.client, self.calls = client, {}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(**kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return method(**kwargs)

        return call


def test_a_poll_describes_only_the_rows_that_changed(live_run: dict[str, Any]) -> None:
    client = Counting(live_run["client"])
    tracker = JobTracker(client, "live-1")
    first = tracker.poll()
    assert len(first.rows) == 4 and client.calls["describe_training_job"] == 4
    tracker.poll()
    assert client.calls == {"describe_hyper_parameter_tuning_job": 2,
                            "list_training_jobs_for_hyper_parameter_tuning_job": 2, "describe_training_job": 4}


def test_plain_mode_prints_the_progress_lines(live_run: dict[str, Any], tmp_path: Path) -> None:
    client, out = live_run["client"], io.StringIO()
    job = wait(client, "live-1", poll_s=0, out=out)
    assert out.getvalue() == progress_line(job) + "\n" and "\x1b" not in out.getvalue()
    out = io.StringIO()
    wait_and_report(client, "live-1", tmp_path, poll_s=0, out=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == progress_line(job) and lines[1].startswith("name") and "status" in lines[1]
    assert lines[-2].startswith("best training job: live-1-")


def test_ctrl_c_propagates_and_leaves_the_terminal_clean(tmp_path: Path, client_factory: Any) -> None:
    client = client_factory(capacity={"ml.m4.xlarge": 0})
    client.create_hyper_parameter_tuning_job(**copy.deepcopy(_request("live-2", static={"sleep": "5"})))

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    term = PtyCapture()
    try:
        with os.fdopen(os.dup(term.slave), "w") as out, pytest.raises(KeyboardInterrupt):
            wait(client, "live-2", poll_s=5, sleep=interrupt, out=out)
    finally:
        client.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="live-2")
        wait_for(client, "live-2")
    raw = term.raw()
    assert "live-2  InProgress" in plain(raw) and raw.endswith("\x1b[?25h")


def test_the_real_cli_on_a_terminal(tmp_path: Path) -> None:
    """`python -m amt_hydra` with stdout on a pseudo-terminal: the live view, then the best job."""
    term = PtyCapture(rows=30, cols=140)
    args = ["+experiment=xgboost_fallbacks", "limits.max_jobs=2", "limits.max_parallel_jobs=2", "seed=3",
            "estimator.hyperparameters.num_round=5", "+launcher.capacity={ml.m4.xlarge:0}",
            f"hydra.run.dir={tmp_path / 'run'}", f"launcher.root={tmp_path / 'jobs'}"]
    env = {**os.environ, "TERM": "xterm-256color"}
    proc = subprocess.Popen([sys.executable, "-m", "amt_hydra", *args], cwd=REPO, env=env,
                            stdin=subprocess.DEVNULL, stdout=term.slave, stderr=term.slave)
    term.close_slave()
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if proc.poll() is None:
        proc.kill()
    text = plain(term.raw())
    assert proc.wait() == 0, text[-3000:]
    name = json.loads((tmp_path / "run" / "request.json").read_text())["HyperParameterTuningJobName"]
    assert f"{name}  InProgress  Random, Minimize validation:rmse" in text
    last = text[text.rindex(f"{name}  Completed"):]
    assert "jobs 2/2 | running 0 completed 2" in last and "elapsed " in last
    rows = [line for line in last.splitlines() if line.startswith(("001-", "002-"))]
    assert len(rows) == 2 and all("Completed" in r and "ml.m5.4xlarge (fallback)" in r for r in rows), rows
    assert all(" 5 " in r for r in rows)  # five boosting rounds: five objective values
    assert "best training job:" in last


def test_formatting_helpers() -> None:
    assert [fmt_seconds(s) for s in (None, 4.4, 65, 3725)] == ["-", "4s", "1m05s", "1h02m"]
    assert [fmt_value(v) for v in ("12", "0.000123456789", "adam", "0.1")] == ["12", "0.0001235", "adam", "0.1"]
    assert shorten("AlgorithmError: ExitCode 1. Last lines:\nTraceback\nValueError: x") == \
        "AlgorithmError: ExitCode 1. ... ValueError: x"
    job = {"HyperParameterTuningJobStatus": "InProgress", "TrainingJobStatusCounters": {"Completed": 2},
           "HyperParameterTuningJobConfig": {"ResourceLimits": {"MaxNumberOfTrainingJobs": 10,
                                                                "MaxRuntimeInSeconds": 300}}}
    assert remaining_s(job, 60.0) == 240.0  # 8 jobs at 30 s each, capped by the 300 s limit
    job["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"] = 600
    assert remaining_s(job, 60.0) == 240.0 and remaining_s(job, None) is None


def test_a_short_terminal_shows_the_running_jobs_and_the_newest_others() -> None:
    rows = [JobRow(f"j{i}", "InProgress" if i in (1, 7) else "Completed") for i in range(10)]
    shown, hidden = visible_rows(rows, 4)
    assert [r.name for r in shown] == ["j1", "j7", "j8", "j9"] and hidden == 6
    assert visible_rows(rows, None) == (rows, 0) and visible_rows(rows, 10) == (rows, 0)
