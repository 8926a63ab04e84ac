"""train/mnist.py end to end on a few hundred real Fashion-MNIST images: plain, distributed, toolkit."""

from __future__ import annotations

import gzip
import importlib.util
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

TEST_LINE = re.compile(r"^Test set: Average loss: \d+\.\d{4}, Accuracy: (\d+)/100 \(\d+%\)$", re.M)
QUICK = ("--epochs", "1", "--log-interval", "2", "--seed", "7")


@pytest.fixture(scope="module")
def flat_run(small_fashion: Path, tmp_path_factory: pytest.TempPathFactory, scripts) -> tuple:
    model_dir = tmp_path_factory.mktemp("mnist_model")
    result = scripts.run("mnist.py", *QUICK, "--data-dir", str(small_fashion), "--model-dir", str(model_dir))
    return result, model_dir


def test_prints_the_metric_line_the_experiment_regex_matches(flat_run, scripts) -> None:
    result, _ = flat_run
    assert result.returncode == 0, result.stderr
    assert len(TEST_LINE.findall(result.stdout)) == 1
    losses = scripts.metric_values(scripts.mnist_loss_regex, result.stdout)
    assert len(losses) == 1 and 0.0 < losses[0] < 5.0
    assert re.search(r"^Train Epoch: 1 \[128/300 \(43%\)\] Loss: \d+\.\d{6}$", result.stdout, re.M)
    assert "Train 300 images, test 100, on cpu, 2 threads" in result.stdout


def test_saved_model_loads_with_model_fn(flat_run, scripts) -> None:
    _, model_dir = flat_run
    spec = importlib.util.spec_from_file_location("mnist_script", scripts.train_dir / "mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.model_fn(str(model_dir))
    assert sum(p.numel() for p in model.parameters()) == 21840  # the sample's CNN, unchanged


def test_same_seed_same_result_from_torchvision_raw_layout(
    flat_run, small_fashion, tmp_path, scripts
) -> None:
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in small_fashion.glob("*.gz"):
        (raw / gz.stem).write_bytes(gzip.decompress(gz.read_bytes()))
    result = scripts.run("mnist.py", *QUICK, "--data-dir", str(tmp_path), "--model-dir", str(tmp_path / "m"))
    assert result.returncode == 0, result.stderr
    assert TEST_LINE.findall(result.stdout) == TEST_LINE.findall(flat_run[0].stdout)
    assert scripts.metric_values(scripts.mnist_loss_regex, result.stdout) == scripts.metric_values(
        scripts.mnist_loss_regex, flat_run[0].stdout
    )


def test_runs_under_the_sagemaker_training_toolkit(small_fashion, tmp_path, scripts) -> None:
    hps = {"epochs": 1, "log-interval": 0, "max-test-samples": 50}
    result = scripts.run_toolkit_job(tmp_path / "job", "mnist.py", hps, {"training": small_fashion})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert len(scripts.metric_values(scripts.mnist_loss_regex, result.stdout)) == 1
    assert "Accuracy: " in result.stdout and "/50 (" in result.stdout
    assert (tmp_path / "job" / "model" / "model.pth").is_file()
    assert not (tmp_path / "job" / "output" / "failure").exists()


def test_missing_data_through_the_toolkit_fails_the_job(tmp_path, scripts) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = scripts.run_toolkit_job(tmp_path / "job", "mnist.py", {"epochs": 1}, {"training": empty})
    assert result.returncode != 0
    assert "mnist.py: error: data missing: no train-images-idx3-ubyte" in result.stderr
    assert (tmp_path / "job" / "output" / "failure").is_file()


def _break_gzip(d: Path) -> None:
    (d / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")


def _labels_as_images(d: Path) -> None:
    shutil.copyfile(d / "train-labels-idx1-ubyte.gz", d / "train-images-idx3-ubyte.gz")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_break_gzip, "corrupt data: cannot read"),
        (_labels_as_images, "is not a 3-d unsigned-byte IDX file"),
        (lambda d: [p.unlink() for p in d.glob("t10k-labels*")], "data missing: no t10k-labels-idx1-ubyte"),
    ],
    ids=["bad-gzip", "wrong-file", "missing-file"],
)
def test_bad_data_gives_one_line_and_nonzero_exit(small_fashion, tmp_path, scripts, damage, message) -> None:
    data = tmp_path / "data"
    shutil.copytree(small_fashion, data)
    damage(data)
    result = scripts.run("mnist.py", "--data-dir", str(data), "--model-dir", str(tmp_path / "m"))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_hosts_train_with_torch_distributed(small_fashion, tmp_path, scripts) -> None:
    env = scripts.clean_env(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()), OMP_NUM_THREADS="1")
    hosts = ["algo-1", "algo-2"]
    procs = [
        subprocess.Popen(
            [sys.executable, str(scripts.train_dir / "mnist.py"), *QUICK, "--data-dir", str(small_fashion)]
            + ["--hosts", ",".join(hosts), "--current-host", host, "--model-dir", str(tmp_path / host)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for host in hosts
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "Distributed: backend gloo" in out and "Epoch 1: 150 samples" in out  # half the data each
    losses = [scripts.metric_values(scripts.mnist_loss_regex, out) for out, _ in outputs]
    assert len(losses[0]) == 1 and losses[0] == losses[1]  # DDP keeps the replicas identical
    assert (tmp_path / "algo-1" / "model.pth").is_file()
    assert not (tmp_path / "algo-2").exists()
