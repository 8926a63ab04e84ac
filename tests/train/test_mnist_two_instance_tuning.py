"""train/mnist.py's DistributedDataParallel path as a 2-instance local tuning job (gloo on the CPU).

The data is generated (random 28x28 images in IDX format, 256 to train, 64 to test): the test checks
the cluster contract and the artifacts, not what the model learns.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import numpy as np
import pytest

from amt_hydra.local.api.client import LocalSageMakerClient
from tests.local.conftest import CODE_URI, DATA_URI, make_request, run_job, summaries
from tests.train.conftest import MNIST_LOSS_REGEX, TRAIN_DIR

OUTPUT_URI = "s3://amt-hydra-test/jobs/output"


@pytest.fixture(scope="module")
def generated_idx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from amt_hydra.data.idx import write_idx

    out = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(3)
    for prefix, n in (("train", 256), ("t10k", 64)):
        write_idx(out / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(out / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, n, dtype=np.uint8))
    return out


def _request() -> dict:
    static = {"epochs": "1", "batch-size": "32", "log-interval": "0", "backend": '"gloo"', "seed": "7"}
    request = make_request(
        "mnist-ddp",
        max_jobs=1,
        parallel=1,
        static={**static, "sagemaker_program": '"mnist.py"'},
        continuous=[{"Name": "lr", "MinValue": "0.01", "MaxValue": "0.1", "ScalingType": "Logarithmic"}],
        resource_config={"InstanceType": "ml.m5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 5},
        max_runtime_s=120,
    )
    definition = request["TrainingJobDefinition"]
    definition["AlgorithmSpecification"]["MetricDefinitions"] = [{"Name": "loss", "Regex": MNIST_LOSS_REGEX}]
    definition["InputDataConfig"][0]["ChannelName"] = "training"
    return request


def test_mnist_ddp_runs_on_two_local_hosts(generated_idx: Path, tmp_path: Path) -> None:
    s3 = tmp_path / "s3-output"
    copies = {CODE_URI: str(TRAIN_DIR), DATA_URI: str(generated_idx), OUTPUT_URI: str(s3)}
    client = LocalSageMakerClient(root=tmp_path / "store", local_copies=copies, poll_interval_s=0.05)
    desc = run_job(client, _request(), timeout=110)
    assert desc["HyperParameterTuningJobStatus"] == "Completed", desc.get("FailureReason")
    jobs = summaries(client, "mnist-ddp")
    assert len(jobs) == 1 and jobs[0]["TrainingJobStatus"] == "Completed"
    for summary in jobs:
        job = client.describe_training_job(TrainingJobName=summary["TrainingJobName"])
        logs = [Path(job["LocalLogPath"]), Path(job["LocalJobDir"]).parent / "hosts" / "algo-2" / "output.log"]
        texts = [log.read_text() for log in logs]
        for rank, text in enumerate(texts):
            assert f"Distributed: backend gloo, rank {rank} of 2" in text
            assert "Epoch 1: 128 samples" in text  # each host trains on its half of the 256 images
        losses = [[float(v) for v in re.findall(r"Test set: Average loss: ([0-9.]+)", t)] for t in texts]
        assert len(losses[0]) == 1 and losses[0] == losses[1]  # DDP keeps the replicas identical
        assert summary["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == pytest.approx(losses[0][0])
        with tarfile.open(job["LocalModelArtifacts"]) as tar:
            assert tar.getnames() == ["model.pth"]  # rank 0 (algo-1) saves the model
        assert job["LocalModelArtifacts"] == str(s3 / job["TrainingJobName"] / "output" / "model.tar.gz")
