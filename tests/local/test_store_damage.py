"""Damaged store files (truncated, not JSON, wrong shape) are one line naming the job and the file, from
the client and from `amt-hydra inspect`; other jobs list and describe normally; resume says what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from amt_hydra import inspection
from amt_hydra.local.api.client import LocalSageMakerClient
from tests.local.conftest import X_RANGE, make_request, run_job, summaries, wait_for


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


DAMAGES = {
    "tuning.json": _truncate,
    "request.json": lambda p: p.write_text("not json at all"),
    "engine.json": lambda p: p.write_text("[1, 2]"),
    "state.json": lambda p: p.write_text(json.dumps({"name": "only a name"})),
}


@pytest.fixture(scope="module")
def finished_store(tmp_path_factory: pytest.TempPathFactory, copies: dict[str, str]) -> Path:
    """Two finished tuning jobs, made once and copied for each damage."""
    root = tmp_path_factory.mktemp("store")
    client = LocalSageMakerClient(root=root, local_copies=copies, poll_interval_s=0.02, stop_grace_s=0.5)
    for name in ("damaged-1", "healthy-1"):
        desc = run_job(client, make_request(name, continuous=X_RANGE, max_jobs=2, parallel=2))
        assert desc["HyperParameterTuningJobStatus"] == "Completed"
    return root


@pytest.mark.parametrize("file", list(DAMAGES))
def test_a_damaged_file_is_one_line_and_other_jobs_are_unaffected(finished_store, tmp_path, copies, file, capsys):
    root = tmp_path / "store"
    shutil.copytree(finished_store, root)
    target = root / "damaged-1" / file
    if file == "state.json":
        target = sorted((root / "damaged-1" / "trials").glob("*/state.json"))[0]
    DAMAGES[file](target)
    client = LocalSageMakerClient(root=root, local_copies=copies)

    listed = client.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
    assert client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="healthy-1")[
        "HyperParameterTuningJobStatus"] == "Completed"
    assert len(summaries(client, "healthy-1")) == 2
    if file == "engine.json":  # only the engine reads it: describing and listing are unaffected, resume is not
        assert len(listed) == 2
    else:
        assert [s["HyperParameterTuningJobName"] for s in listed] == ["healthy-1"]  # the damaged one is skipped
        with pytest.raises(ClientError) as info:
            client.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="damaged-1")
        message = info.value.response["Error"]["Message"]
        assert info.value.response["Error"]["Code"] == "ValidationException"
        assert "damaged-1" in message and file in message and "damaged" in message and "\n" not in message
        assert inspection.main(["damaged-1", "--root", str(root)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ") and file in err[0], err

    with pytest.raises(ClientError) as info:
        client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName="damaged-1")
    message = info.value.response["Error"]["Message"]
    assert file in message and ("move" if file == "state.json" else "restore the file") in message


def test_resume_without_a_damaged_training_job_after_following_the_advice(finished_store, tmp_path, copies):
    root = tmp_path / "store"
    shutil.copytree(finished_store, root)
    client = LocalSageMakerClient(root=root, local_copies=copies, poll_interval_s=0.02, stop_grace_s=0.5)
    tuning = root / "damaged-1" / "tuning.json"
    state = json.loads(tuning.read_text())
    state.update(status="Stopped")  # a stopped job resumes
    tuning.write_text(json.dumps(state))
    broken = sorted((root / "damaged-1" / "trials").glob("*/state.json"))[0]
    _truncate(broken)
    with pytest.raises(ClientError) as info:
        client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName="damaged-1")
    assert str(broken.parent) in info.value.response["Error"]["Message"]
    shutil.move(str(broken.parent), str(tmp_path / "aside"))
    kept = summaries(client, "damaged-1")
    assert len(kept) == 1
    assert client.resume_hyper_parameter_tuning_job(HyperParameterTuningJobName="damaged-1")["Resumed"] is True
    assert wait_for(client, "damaged-1")["HyperParameterTuningJobStatus"] == "Completed"
    after = summaries(client, "damaged-1")
    assert kept[0] in after and len(after) == 2  # the kept job is untouched; the budget is used again
