"""Bad input: one line naming the key and the rule, a non-zero exit, no traceback, nothing submitted.

Every case runs the real CLI against moto's server with `launcher=sagemaker`, then checks that no tuning
job was created and no bucket or object was written.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from tests.conftest import REPO, run_cli

XGB = ["+experiment=xgboost_fallbacks"]
ONLY_DISCRETE = ["search_space.eta='choice(0.1,0.2)'", "search_space.max_depth='choice(2,3)'"]
GRID_AB = ["strategy=grid", "~search_space.eta", "~search_space.max_depth", "+search_space.a='choice(1,2)'"]
THIRTY_ONE = "search_space.max_depth='choice(" + ",".join(str(i) for i in range(31)) + ")'"

# (id, overrides, exit code, text the error line must contain)
CASES: list[tuple[str, list[str], int, str]] = [
    ("name-underscore", [*XGB, "job_name=bad_name"], 2, "job_name: 'bad_name' does not match the pattern"),
    ("name-too-long", [*XGB, "job_name=" + "a" * 33], 2, "job_name: length 33 is above the maximum 32"),
    ("name-leading-dash", [*XGB, "job_name=-abc"], 2, "job_name: '-abc' does not match"),
    ("strategy-enum", [*XGB, "strategy.name=Foo"], 2, "strategy.name: 'Foo' is not one of"),
    ("parallel-zero", [*XGB, "limits.max_parallel_jobs=0"], 2, "limits.max_parallel_jobs: value of 0 is below"),
    ("max-jobs-zero", [*XGB, "limits.max_jobs=0", "limits.max_parallel_jobs=1"], 2, "limits.max_jobs"),
    ("parallel-over-jobs", [*XGB, "limits.max_parallel_jobs=20"], 2, "must not exceed max_jobs (10)"),
    ("runtime-low", [*XGB, "limits.max_runtime_s=60"], 2, "limits.max_runtime_s: value of 60 is below the minimum"),
    ("runtime-high", [*XGB, "limits.max_runtime_s=99999999"], 2, "limits.max_runtime_s: value 99999999 is above"),
    ("min-over-max", [*XGB, "search_space.eta={type:continuous,min:1,max:0}"], 2,
     "search_space.eta: min (1.0) must be less than max (0.0)"),
    ("log-nonpositive", [*XGB, "search_space.eta.scaling=log"], 2,
     "search_space.eta: log scaling needs min > 0"),
    ("reverse-log-int", [*XGB, "search_space.max_depth.scaling=reverse_log"], 2,
     "reverse_log scaling is not supported for integer"),
    ("reverse-log-range", [*XGB, "search_space.eta='tag(reverse_log, interval(0.5, 1.5))'"], 2,
     "reverse_log scaling needs 0 <= min and max < 1"),
    ("grid-numeric", [*XGB, "strategy=grid", "limits.max_jobs=null"], 2,
     "grid search takes only categorical parameters"),
    ("grid-max-jobs", [*XGB, *GRID_AB, "limits.max_jobs=5", "limits.max_parallel_jobs=1"], 2,
     "limits.max_jobs: grid search runs every combination (2)"),
    ("hyperband-auto", [*XGB, "strategy=hyperband", "strategy.max_resource=10", "early_stopping=auto"], 2,
     "early_stopping: must be off with the hyperband strategy"),
    ("hyperband-no-max", [*XGB, "strategy=hyperband"], 2, "strategy.max_resource: not set and could not be inferred"),
    ("hyperband-min-over-max", [*XGB, "strategy=hyperband", "strategy.min_resource=10", "strategy.max_resource=5"],
     2, "min_resource (10) must not exceed max_resource (5)"),
    ("hyperband-max-high", [*XGB, "strategy=hyperband", "strategy.max_resource=30000"], 2,
     "strategy.max_resource: must be in [1, 20000]"),
    ("resource-not-hyperband", [*XGB, "strategy.max_resource=5"], 2, "apply to hyperband only"),
    ("regex-compile", [*XGB, "metric.definitions.0.regex='([0-9'"], 2,
     "metric.definitions[0].regex: regex '([0-9' does not compile"),
    ("regex-two-groups", [*XGB, "metric.definitions.0.regex='a:([0-9]+) b:([0-9]+)'"], 2,
     "must have exactly one capture group, has 2"),
    ("regex-no-group", [*XGB, "metric.definitions.0.regex='loss [0-9]+'"], 2, "has 0"),
    ("regex-lazy-empty", [*XGB, "metric.definitions.0.regex='loss=(.*?);'"], 2,
     "the capture group can match an empty string"),
    ("objective-undefined", [*XGB, "metric.name=accuracy"], 2, "metric.name: 'accuracy' is not one of"),
    ("objective-type", [*XGB, "metric.type=Maximise"], 2, "metric.type: 'Maximise' is not one of"),
    ("tuned-and-static", [*XGB, "+estimator.hyperparameters.eta=0.3"], 2, "'eta' is also tuned in search_space"),
    ("reserved-hp", [*XGB, "+estimator.hyperparameters.sagemaker_program=x.py"], 2, "is reserved for SageMaker"),
    ("early-stopping-enum", [*XGB, "early_stopping=sometimes"], 2, "early_stopping: 'sometimes' is not one of"),
    ("not-improving-low", [*XGB, "completion.max_jobs_not_improving=2"], 2,
     "completion.max_jobs_not_improving: value of 2 is below the minimum 3"),
    ("seed-negative", [*XGB, "seed=-1"], 2, "seed: value of -1 is below the minimum 0"),
    ("instance-type-enum", [*XGB, "instances.0.instance_type=ml.bogus.xlarge"], 2,
     "instances[0].instance_type: 'ml.bogus.xlarge' is not one of"),
    ("single-instance-enum", [*XGB, "instances=[]", "estimator.instance_type=ml.bogus.xlarge"], 2,
     "estimator.instance_type: 'ml.bogus.xlarge' is not one of"),
    ("warm-start-spelling", [*XGB, "warm_start.type=IDENTICAL_DATA_AND_ALGORITHM", "warm_start.parents=[p1]"], 2,
     "warm_start.type: 'IDENTICAL_DATA_AND_ALGORITHM' is not one of"),
    ("warm-start-no-parents", [*XGB, "warm_start.type=transfer_learning"], 2, "warm_start.parents: needs 1 to 5"),
    ("tag-too-long", [*XGB, "+tags.team=" + "x" * 300], 2, "tags: length 300 is above the maximum 256"),
    ("env-key-pattern", [*XGB, "+estimator.environment.BAD-KEY=x"], 2,
     "estimator.environment.BAD-KEY: 'BAD-KEY' does not match the pattern"),
    ("role-pattern", [*XGB, "estimator.role=arn:aws:iam::12345:role/SageMaker"], 2,
     "estimator.role: 'arn:aws:iam::12345:role/SageMaker' does not match"),
    ("input-mode-enum", [*XGB, "estimator.input_mode=Stream"], 2, "estimator.input_mode: 'Stream' is not one of"),
    ("source-dir-missing", [*XGB, "estimator.source_dir=/nonexistent/dir"], 2,
     "estimator.source_dir: /nonexistent/dir is not a directory"),
    ("entry-point-missing", [*XGB, "estimator.entry_point=missing.py"], 2,
     "estimator.entry_point: missing.py not found"),
    ("input-missing", [*XGB, "+estimator.inputs.train=/nonexistent/data"], 2,
     "estimator.inputs.train: /nonexistent/data does not exist"),
    ("image-and-framework", [*XGB, "estimator.image_uri=123.dkr.ecr.us-east-1.amazonaws.com/x:1"], 2,
     "set exactly one of framework, image_uri, algorithm_name"),
    ("categorical-31", [*XGB, THIRTY_ONE], 2, "31 categorical values; AMT allows at most 30"),
    ("spot-without-wait", [*XGB, "estimator.use_spot=true"], 2, "spot training needs max_wait_s"),
    ("few-combinations", [*XGB, *ONLY_DISCRETE], 2,
     "not enough combinations of hyperparameter ranges: 4 < max_jobs 10"),
    ("bad-sweep-string", [*XGB, "search_space.eta='interval(0,'"], 2, "cannot parse sweep expression"),
    ("no-experiment", [], 2, "estimator: is required: pick an experiment"),
    ("not-a-launcher", [*XGB, "launcher._target_=builtins.dict"], 2, "launcher._target_: dict is not an amt_hydra"),
    ("unknown-key", [*XGB, "estimator.nonsense=1"], 1, "Key 'nonsense' not in 'EstimatorConfig'"),
    ("added-unknown-key", [*XGB, "+estimator.nonsense=1"], 2, "estimator.nonsense: unknown key"),
    ("range-sweep-needs-quotes", [*XGB, "search_space.eta=choice(0.1,0.2)"], 1, "requires --multirun"),
    ("wrong-type", [*XGB, "limits.max_jobs=abc"], 1, "Value 'abc' of type 'str' could not be converted to Integer"),
    ("no-role", [*XGB, "estimator.role=null", "+env_no_role=1"], 3, "estimator.role: no IAM role for SageMaker"),
]


def _nothing_written() -> None:
    sm, s3 = boto3.client("sagemaker"), boto3.client("s3")
    assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
    assert s3.list_buckets()["Buckets"] == []


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(("overrides", "code", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(overrides: list[str], code: int, text: str, aws_env: dict[str, str],
                   tmp_path: Path) -> None:
    env: dict[str, str] = {}
    if "+env_no_role=1" in overrides:
        overrides = [o for o in overrides if o != "+env_no_role=1"]
        env["SAGEMAKER_ROLE_ARN"] = ""
    args = [*overrides, "launcher=sagemaker", "launcher.bucket=amt-bucket", f"hydra.run.dir={tmp_path / 'run'}"]
    result = run_cli(args, cwd=REPO, env=env)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert text in result.stderr
    if code != 1:  # our own errors: exactly one line
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert result.stderr.startswith("error: ")
    _nothing_written()


def test_seven_fallbacks(aws_env: dict[str, str], tmp_path: Path) -> None:
    """A config dir of the user's own adds a fallbacks preset with 7 entries; AMT allows 6."""
    presets = tmp_path / "conf" / "fallbacks"
    presets.mkdir(parents=True)
    items = "\n".join("  - {instance_type: ml.m5.xlarge}" for _ in range(7))
    (presets / "seven.yaml").write_text(f"# @package _global_\ninstances:\n{items}\n")
    args = ["--config-dir", str(tmp_path / "conf"), *XGB, "fallbacks=seven", "launcher=sagemaker",
            "launcher.bucket=amt-bucket", f"hydra.run.dir={tmp_path / 'run'}"]
    result = run_cli(args, cwd=REPO)
    assert result.returncode == 2
    assert result.stderr == "error: instances: 7 instance configs; AMT allows at most 6\n"
    _nothing_written()
