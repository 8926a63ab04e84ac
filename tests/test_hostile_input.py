"""Hostile input (issues 9 and 10): what an adversarial user tried, each refused at the boundary.

Every case runs the real CLI against moto's server with `launcher=sagemaker`: exactly one line naming the key
and the rule, exit 2, no traceback, no tuning job, no bucket or object, and no request.json in the run dir.
Keys Hydra's override grammar cannot spell (`--x`, `a=b`, `aws:team`, `.`) come from a YAML file in a config
dir of the user's own, as they would in real use.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from tests.conftest import REPO, run_cli

XGB = ["+experiment=xgboost_fallbacks"]
NESTED = "metric.definitions.0.regex='loss: ((?:[0-9]+)+)'"

# (id, overrides, YAML merged at the top level or None, text the one error line must contain)
CASES: list[tuple[str, list[str], str | None, str]] = [
    # bounds of the wrong type, non-finite, beyond the API's 32-bit integers
    ("min-bool", ["search_space.eta={type:continuous,min:true,max:1}"], None,
     "search_space.eta: continuous bounds must be numbers, got min=True"),
    ("max-bool-int", ["search_space.max_depth={type:integer,min:1,max:true}"], None,
     "search_space.max_depth: integer bounds must be numbers"),
    ("max-nan", ["search_space.eta='interval(0, nan)'"], None, "search_space.eta: bounds must be finite numbers"),
    ("max-inf", ["search_space.eta={type:continuous,min:0,max:inf}"], None, "search_space.eta: bounds must be finite"),
    ("min-neg-inf", ["search_space.eta='interval(-inf, 0.5)'"], None,
     "search_space.eta: bounds must be finite numbers: -inf is not a finite number"),
    ("int-max-64bit", ["search_space.max_depth={type:integer,min:1,max:9999999999}"], None,
     "search_space.max_depth: bounds must be finite numbers: 9999999999 does not fit a 32-bit integer"),
    ("int-interval-64bit", ["search_space.max_depth='int(interval(0, 3000000000))'"], None,
     "does not fit a 32-bit integer"),
    ("seed-64bit", ["seed=2147483648"], None, "seed: value 2147483648 is above the maximum 2147483647"),
    ("max-jobs-64bit", ["limits.max_jobs=99999999999"], None,
     "limits.max_jobs: value 99999999999 is above the maximum 2147483647"),
    ("runtime-64bit", ["estimator.max_runtime_s=99999999999"], None, "estimator.max_runtime_s: value 99999999999"),
    ("volume-64bit", ["instances.0.volume_size_gb=4294967296"], None,
     "instances[0].volume_size_gb: value 4294967296 is above"),
    ("not-improving-64bit", ["completion.max_jobs_not_improving=3000000000"], None,
     "completion.max_jobs_not_improving: value 3000000000 is above"),
    ("max-resource-64bit", ["strategy=hyperband", "strategy.max_resource=3000000000"], None,
     "strategy.max_resource: must be in [1, 20000], got 3000000000"),
    ("target-nan", ["completion.target_objective=nan"], None, "completion.target_objective: nan is not a finite"),
    ("target-inf", ["completion.target_objective=-inf"], None, "completion.target_objective: -inf is not a finite"),
    # scaling tags from a closed set
    ("tag-typo", ["search_space.eta='tag(logg, interval(0.1, 1))'"], None,
     "search_space.eta: unknown tag 'logg'; scaling tags are"),
    ("tag-conflict", ["search_space.eta='tag(log, linear, interval(0.1, 1))'"], None, "conflicting scaling tags"),
    ("tag-on-choice", ["search_space.eta='tag(log, choice(0.1, 0.2, 0.3))'"], None,
     "scaling does not apply to categorical"),
    ("scaling-typo", ["search_space.eta.scaling=logg"], None, "search_space.eta.scaling: 'logg' is not one of"),
    # hyperparameter names the toolkit cannot pass, reserved names static and tuned
    ("hp-dashes", [], "estimator:\n  hyperparameters:\n    --x: 1\n", "estimator.hyperparameters.--x: '--x' cannot"),
    ("hp-equals", [], "estimator:\n  hyperparameters:\n    a=b: 1\n", "estimator.hyperparameters.a=b: 'a=b' cannot"),
    ("hp-space", [], "estimator:\n  hyperparameters:\n    my key: 1\n", "'my key' cannot be passed to a training"),
    ("tuned-dashes", [], "search_space:\n  -x: choice(1, 2)\n", "search_space.-x: '-x' cannot be passed"),
    ("tuned-reserved", ["+search_space.sagemaker_program='choice(a.py,b.py)'"], None,
     "search_space.sagemaker_program: is reserved for SageMaker"),
    ("tuned-objective-name", ["+search_space._tuning_objective_metric='choice(a,b)'"], None,
     "search_space._tuning_objective_metric: is reserved"),
    ("static-objective-name", ["+estimator.hyperparameters._tuning_objective_metric=x"], None,
     "estimator.hyperparameters._tuning_objective_metric: is reserved"),
    ("static-submit-dir", ["+estimator.hyperparameters.sagemaker_submit_directory=s3://x/y"], None,
     "estimator.hyperparameters.sagemaker_submit_directory: is reserved"),
    # entry points inside the source dir
    ("entry-absolute", ["estimator.entry_point=/etc/passwd"], None,
     "estimator.entry_point: '/etc/passwd' must be a relative path inside the source dir"),
    ("entry-parent", ["estimator.entry_point=../xgb.py"], None, "estimator.entry_point: '../xgb.py' must be"),
    ("entry-hidden-parent", ["estimator.entry_point=sub/../../train/xgb.py"], None, "must be a relative path"),
    # channel names that would leave /opt/ml/input/data
    ("channel-dot", [], "estimator:\n  inputs:\n    .: s3://b/x\n", "estimator.inputs..: channel name '.'"),
    ("channel-dotdot", [], "estimator:\n  inputs:\n    ..: s3://b/x\n", "estimator.inputs...: channel name '..'"),
    ("channel-slash", [], "estimator:\n  inputs:\n    a/b: s3://b/x\n", "channel name 'a/b' must be"),
    # reserved environment variables
    ("env-job-name", ["+estimator.environment.TRAINING_JOB_NAME=other"], None,
     "estimator.environment.TRAINING_JOB_NAME: TRAINING_JOB_NAME is reserved"),
    ("env-job-arn", ["+estimator.environment.TRAINING_JOB_ARN=x"], None, "TRAINING_JOB_ARN is reserved"),
    ("env-base-dir", ["+estimator.environment.SAGEMAKER_BASE_DIR=/"], None, "SAGEMAKER_BASE_DIR is reserved"),
    ("env-sm-model-dir", ["+estimator.environment.SM_MODEL_DIR=/tmp"], None, "SM_MODEL_DIR is reserved"),
    ("env-sagemaker-program", ["+estimator.environment.SAGEMAKER_PROGRAM=x.py"], None, "SAGEMAKER_PROGRAM is"),
    ("env-local-root", ["+estimator.environment.AMT_HYDRA_HOME=/tmp"], None, "AMT_HYDRA_HOME is reserved"),
    ("env-container-creds", ["+estimator.environment.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/x"], None,
     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is reserved"),
    # tags, instance counts
    ("tag-aws", [], "tags:\n  aws:team: x\n", "tags.aws:team: tag key 'aws:team': the aws: prefix is reserved"),
    ("tag-aws-upper", [], "tags:\n  AWS:Team: x\n", "the aws: prefix is reserved"),
    ("fallback-count-zero", ["instances.0.instance_count=0"], None,
     "instances[0].instance_count: instance count must be at least 1, got 0"),
    ("single-count-zero", ["instances=[]", "estimator.instance_count=0"], None,
     "estimator.instance_count: instance count must be at least 1"),
    # sweep expressions sized without building them
    ("huge-range-float", ["search_space.eta='range(0, 1000000000, 0.5)'"], None,
     "search_space.eta: 2000000000 categorical values; AMT allows at most 30"),
    ("huge-range-step2", ["search_space.max_depth='range(0, 1000000000, 2)'"], None,
     "search_space.max_depth: 500000000 categorical values"),
    ("range-step-zero", ["search_space.eta='range(0, 1, 0)'"], None, "search_space.eta: range step must not be 0"),
    ("range-nan", ["search_space.eta='range(0, nan, 0.1)'"], None, "search_space.eta: nan is not a finite number"),
    # unknown keys anywhere
    ("instances-entry-key", ["+instances.0.foo=1"], None, "instances.0.foo: unknown key"),
    ("metric-entry-key", ["+metric.definitions.0.foo=1"], None, "metric.definitions.0.foo: unknown key"),
    ("metric-entry-typo", ["+metric.definitions.0.regexp=x"], None,
     "metric.definitions.0.regexp: unknown key; did you mean 'regex'?"),
    ("top-level-typo", ["+bogus_key=1"], None, "bogus_key: unknown key; the config takes"),
    ("limits-typo", ["+limit.max_jobs=3"], None, "limit: unknown key; did you mean 'limits'?"),
    ("estimator-typo", ["+estimator.hyperparameter.x=1"], None,
     "estimator.hyperparameter: unknown key; did you mean 'hyperparameters'?"),
    ("strategy-typo", ["+strategy.max_resources=5"], None, "did you mean 'max_resource'?"),
    ("completion-typo", ["+completion.target=0.1"], None, "completion.target: unknown key; did you mean"),
    ("warm-start-typo", ["+warm_start.parent=[a]"], None, "did you mean 'parents'?"),
    # metric regexes that backtrack exponentially
    ("regex-nested-plus", [NESTED], None, "metric.definitions[0].regex: regex 'loss: ((?:[0-9]+)+)' nests"),
    ("regex-nested-star", ["metric.definitions.1.regex='rmse:((?:[0-9]*.)+)'"], None,
     "metric.definitions[1].regex"),
    ("regex-nested-words", ["metric.definitions.0.regex='x((?:\\w+\\s?)+)$'"], None, "nests an unbounded"),
    # hyperband inference parses one way
    ("hyperband-epochs-fraction", ["strategy=hyperband", "+estimator.hyperparameters.epochs=1.5"], None,
     "strategy.max_resource: not set and could not be inferred"),
]


def _nothing_written(run_dir: Path) -> None:
    sm, s3 = boto3.client("sagemaker"), boto3.client("s3")
    assert sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"] == []
    assert s3.list_buckets()["Buckets"] == []
    assert not (run_dir / "request.json").exists()


def test_at_least_fifty_cases() -> None:
    assert len(CASES) >= 50
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("overrides", "yaml", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_input(overrides: list[str], yaml: str | None, text: str, aws_env: dict[str, str],
                       tmp_path: Path) -> None:
    extra: list[str] = []
    if yaml is not None:
        group = tmp_path / "conf" / "hostile"
        group.mkdir(parents=True)
        (group / "case.yaml").write_text("# @package _global_\n" + yaml)
        extra = ["--config-dir", str(tmp_path / "conf")]
        overrides = [*overrides, "+hostile=case"]
    run_dir = tmp_path / "run"
    args = [*extra, *XGB, *overrides, "launcher=sagemaker", "launcher.bucket=amt-bucket", f"hydra.run.dir={run_dir}"]
    result = run_cli(args, cwd=REPO)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.strip().count("\n") == 0, result.stderr
    assert text in result.stderr, result.stderr
    _nothing_written(run_dir)
