"""Metric scanning never stalls the engine: capped lines, bounded log chunks, regex timeouts, a scanning
budget per tick; MaxRuntime and stop requests are enforced on time whatever a job prints."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amt_hydra.local.trials.logtail import CHUNK_BYTES, LINE_CAP_BYTES, LogTail
from amt_hydra.local.trials.metrics import MAX_TIMEOUTS, MetricScanner
from tests.local.conftest import make_request, wait_for
from tests.local.faultjobs import XGBOOST_RMSE, fault_client, xgboost_metrics

PATHOLOGICAL = "[1]" * 20000  # the XGBoost regex backtracks on it for minutes with `re`


def _read_all(tail: LogTail, final: bool = False) -> list[str]:
    out: list[str] = []
    while (lines := tail.read(final)) is not None:
        out.extend(lines)
    return out


def test_log_tail_caps_long_lines_and_reads_in_chunks(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    long = b"a" * (LINE_CAP_BYTES * 3 + 5)
    log.write_bytes(b"first\r\n" + long + b"\nafter\n" + b"x" * (CHUNK_BYTES + 10) + b"\npartial")
    tail = LogTail(log)
    assert len(tail.read()) == 3 and tail.offset == CHUNK_BYTES  # one chunk per call
    tail = LogTail(log)
    lines = _read_all(tail)
    assert lines[0] == "first" and lines[1] == "a" * LINE_CAP_BYTES and lines[2] == "after"
    assert lines[3] == "x" * LINE_CAP_BYTES and len(lines) == 4
    assert tail.capped_lines == 2
    assert _read_all(tail, final=True) == ["partial"]
    with log.open("ab") as f:
        f.write(b" more\n")
    assert _read_all(tail) == [" more"]  # the rest of a line already given as final is a line of its own


def test_scanner_gives_up_a_regex_that_times_out_and_respects_its_deadline() -> None:
    scanner = MetricScanner({"rmse": XGBOOST_RMSE, "plain": r"loss=(\S+)"}, "rmse")
    start = time.monotonic()
    assert scanner.scan([PATHOLOGICAL] * 20 + ["loss=0.5"], 1.0) == []
    assert time.monotonic() - start < MAX_TIMEOUTS * 3.0  # 20 lines, but the regex is given up after 3
    assert scanner.timeouts == {"rmse": MAX_TIMEOUTS} and scanner.latest["plain"] == (0.5, 1.0)
    assert "given up" in scanner.warnings()[0]
    scanner = MetricScanner({"plain": r"loss=(\S+)"}, "plain")
    scanner.scan(["loss=1"] * 200_000, 1.0, deadline=time.monotonic() + 0.05)
    assert 0 < len(scanner.pending) < 200_000  # what the tick's budget did not reach waits for the next


def _training_job(client, name: str) -> dict:
    jobs = client.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    return client.describe_training_job(TrainingJobName=jobs["TrainingJobSummaries"][0]["TrainingJobName"])


def test_max_runtime_is_enforced_while_a_pathological_line_is_scanned(client_factory, tmp_path, data_dir) -> None:
    client = fault_client(client_factory, tmp_path, data_dir)
    request = xgboost_metrics(make_request("patho-1", max_jobs=1, parallel=1, max_runtime_s=5,
                                           static={"mode": "pathological"}))
    client.create_hyper_parameter_tuning_job(**request)
    desc = wait_for(client, "patho-1", timeout=120)
    job = _training_job(client, "patho-1")
    assert job["TrainingJobStatus"] == "Stopped" and job["SecondaryStatus"] == "MaxRuntimeExceeded"
    assert 5 <= job["TrainingTimeInSeconds"] <= 12
    ended = desc["HyperParameterTuningEndTime"].timestamp() - job["TrainingStartTime"].timestamp()
    assert ended < 5 + 12
    assert job["FinalMetricDataList"][0]["Value"] == 0.5  # the line before the pathological ones counted
    state = json.loads((Path(job["LocalJobDir"]).parent / "state.json").read_text())
    assert any("took longer than" in w and "given up" in w for w in state["warnings"])


def test_stop_request_is_honoured_while_a_pathological_line_is_scanned(client_factory, tmp_path, data_dir) -> None:
    client = fault_client(client_factory, tmp_path, data_dir)
    request = xgboost_metrics(make_request("patho-2", max_jobs=1, parallel=1, max_runtime_s=120,
                                           static={"mode": "pathological", "lines": "400"}))
    client.create_hyper_parameter_tuning_job(**request)
    wait_for(client, "patho-2", timeout=60,
             until=lambda d: d["TrainingJobStatusCounters"]["InProgress"] == 1 and _has_output(client, "patho-2"))
    asked = time.time()
    client.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="patho-2")
    desc = wait_for(client, "patho-2", timeout=60)
    assert desc["HyperParameterTuningJobStatus"] == "Stopped"
    assert time.time() - asked < 15
    assert _training_job(client, "patho-2")["TrainingJobStatus"] == "Stopped"


def _has_output(client, name: str) -> bool:
    jobs = client.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    if not jobs["TrainingJobSummaries"]:
        return False
    log = Path(_training_job(client, name)["LocalLogPath"])
    return log.is_file() and log.stat().st_size > 100_000


ENGINE_RSS = r"""
import json, resource, sys
from pathlib import Path
from amt_hydra.local.api.client import LocalSageMakerClient
from amt_hydra.local.engine.worker import run_engine
import amt_hydra.local.engine.loop, optuna  # imported before the baseline is taken
root, request, copies = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
client = LocalSageMakerClient(root=root, local_copies=copies, spawn_engine=False, poll_interval_s=0.05)
client.create_hyper_parameter_tuning_job(**request)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert run_engine(root, request["HyperParameterTuningJobName"]) == 0
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kb": before, "after_kb": after}))
"""


@pytest.mark.parametrize("burst_mb", [100])
def test_engine_memory_stays_bounded_by_a_burst_on_one_line(tmp_path, data_dir, burst_mb) -> None:
    from tests.local.conftest import CODE_URI, DATA_URI
    from tests.local.faultjobs import FAULT_PY

    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text(FAULT_PY)
    request = xgboost_metrics(make_request("burst-1", max_jobs=1, parallel=1,
                                           static={"mode": "burst", "burst-mb": str(burst_mb)}))
    copies = {CODE_URI: str(code), DATA_URI: str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-c", ENGINE_RSS, str(tmp_path / "store"), json.dumps(request), json.dumps(copies)],
        capture_output=True, text=True, timeout=240, check=True,
    )
    rss = json.loads(out.stdout.strip().splitlines()[-1])
    assert rss["after_kb"] - rss["before_kb"] < 48 * 1024, rss  # a 100 MB line, a few MB of engine memory
    state = next((tmp_path / "store" / "burst-1" / "trials").glob("*/state.json"))
    record = json.loads(state.read_text())
    assert record["status"] == "Completed" and record["objective"][-1][0] == 0.25
    assert any("only their first 256 KiB" in w for w in record["warnings"])
