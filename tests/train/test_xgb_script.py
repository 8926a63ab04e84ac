"""train/xgb.py end to end: bundled diabetes data, CSV and libsvm channels, the toolkit, bad data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import dump_svmlight_file, load_diabetes


@pytest.fixture(scope="module")
def diabetes() -> tuple[np.ndarray, np.ndarray]:
    return load_diabetes(return_X_y=True)


@pytest.fixture()
def csv_channels(tmp_path, diabetes) -> dict:
    x, y = diabetes
    channels = {"train": tmp_path / "train", "validation": tmp_path / "validation"}
    for name, rows in (("train", slice(0, 340)), ("validation", slice(340, None))):
        channels[name].mkdir()
        np.savetxt(channels[name] / f"{name}.csv", np.column_stack([y[rows], x[rows]]), delimiter=",")
    return channels


def test_default_data_prints_container_style_rounds(tmp_path, scripts) -> None:
    result = scripts.run("xgb.py", "--num_round", "5", "--max_depth", "3", "--model_dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    rounds = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert rounds[0].startswith("[0]\ttrain-rmse:") and "\tvalidation-rmse:" in rounds[0]
    values = scripts.metric_values(scripts.xgb_validation_rmse_regex, result.stdout)
    assert len(values) == 5 and all(30.0 < v < 200.0 for v in values)
    assert "diabetes data (442 rows, 10 features)" in result.stdout

    # The printed value is the real validation RMSE of the saved model on the fixed split.
    import xgboost as xgb
    from sklearn.model_selection import train_test_split

    x, y = load_diabetes(return_X_y=True)
    _, x_va, _, y_va = train_test_split(x, y, test_size=0.2, random_state=0)
    booster = xgb.Booster(model_file=str(tmp_path / "xgboost-model.json"))
    rmse = float(np.sqrt(np.mean((booster.predict(xgb.DMatrix(x_va)) - y_va) ** 2)))
    assert rmse == pytest.approx(values[-1], abs=1e-4)


def test_csv_channels_through_the_sagemaker_training_toolkit(tmp_path, csv_channels, scripts) -> None:
    hps = {"num_round": 4, "eta": 0.2, "max_depth": 3, "eval_metric": "rmse"}
    types = {"train": "text/csv", "validation": "text/csv"}
    result = scripts.run_toolkit_job(tmp_path / "job", "xgb.py", hps, csv_channels, types)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Train 340 rows, validation 102 rows, 10 features" in result.stdout
    assert len(scripts.metric_values(scripts.xgb_validation_rmse_regex, result.stdout)) == 4
    assert (tmp_path / "job" / "model" / "xgboost-model.json").is_file()


def test_libsvm_train_channel_alone_is_split(tmp_path, diabetes, scripts) -> None:
    (tmp_path / "train").mkdir()
    dump_svmlight_file(*diabetes, str(tmp_path / "train" / "diabetes.libsvm"))
    env = scripts.clean_env(SM_CHANNEL_TRAIN=str(tmp_path / "train"), SM_MODEL_DIR=str(tmp_path / "model"))
    result = scripts.run("xgb.py", "--num_round", "3", "--eval_metric", "mae,rmse", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        "holding out 20% of train" in result.stdout and "Train 353 rows, validation 89 rows" in result.stdout
    )
    assert "\tvalidation-mae:" in result.stdout
    assert len(scripts.metric_values(scripts.xgb_validation_rmse_regex, result.stdout)) == 3


def test_early_stopping_stops_before_num_round(tmp_path, scripts) -> None:
    args = ("--num_round", "200", "--eta", "1.0", "--max_depth", "8", "--early_stopping_rounds", "3")
    result = scripts.run("xgb.py", *args, "--model_dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Stopped early: best round" in result.stdout
    assert 3 < len(scripts.metric_values(scripts.xgb_validation_rmse_regex, result.stdout)) < 200


@pytest.mark.parametrize(
    ("content", "message"),
    [("label,a,b\n1,2,3\n", "is not numeric CSV"), (None, "data missing: channel")],
    ids=["header-row", "empty-channel"],
)
def test_bad_channel_gives_one_line_and_nonzero_exit(tmp_path, scripts, content, message) -> None:
    (tmp_path / "train").mkdir()
    if content is not None:
        (tmp_path / "train" / "bad.csv").write_text(content)
    result = scripts.run("xgb.py", "--train", str(tmp_path / "train"), "--model_dir", str(tmp_path / "m"))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
