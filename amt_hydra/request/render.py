"""Pure rendering: spec + artifact root -> request dict (+ the local files it refers to).

No clients, no clock, no randomness: the same spec renders the same request, byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from amt_hydra import constants as C
from amt_hydra.spec.model import Estimator, ParameterRange, TuningSpec

_RANGE_LISTS = C.PARAMETER_RANGE_LISTS
# framework -> the SageMaker SDK estimator class, as `HyperparameterTuner` records it in the statics (JSON
# strings) so that `HyperparameterTuner.attach` rebuilds that estimator
SDK_ESTIMATORS = {
    "mxnet": ("sagemaker.mxnet.estimator", "MXNet"),
    "pytorch": ("sagemaker.pytorch.estimator", "PyTorch"),
    "sklearn": ("sagemaker.sklearn.estimator", "SKLearn"),
    "tensorflow": ("sagemaker.tensorflow.estimator", "TensorFlow"),
    "xgboost": ("sagemaker.xgboost.estimator", "XGBoost"),
}


@dataclass(frozen=True)
class Rendered:
    """The request, and which S3 URI in it stands for which local file or folder."""

    request: dict[str, Any]
    staging: dict[str, str]


def render_request(spec: TuningSpec, artifact_root: str, role: str) -> Rendered:
    root = artifact_root.rstrip("/")
    staging: dict[str, str] = {}
    definition = _definition(spec, root, role, staging)
    request: dict[str, Any] = {
        "HyperParameterTuningJobName": spec.job_name,
        "HyperParameterTuningJobConfig": _tuning_config(spec),
        "TrainingJobDefinition": definition,
    }
    if spec.warm_start:
        request["WarmStartConfig"] = {
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": p} for p in spec.warm_start.parents],
            "WarmStartType": spec.warm_start.type,
        }
    if spec.tags:
        request["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(spec.tags.items())]
    return Rendered(request=request, staging=staging)


def _tuning_config(spec: TuningSpec) -> dict[str, Any]:
    limits: dict[str, Any] = {"MaxParallelTrainingJobs": spec.limits.max_parallel_jobs}
    if spec.limits.max_jobs is not None:
        limits["MaxNumberOfTrainingJobs"] = spec.limits.max_jobs
    if spec.limits.max_runtime_s is not None:
        limits["MaxRuntimeInSeconds"] = spec.limits.max_runtime_s
    config: dict[str, Any] = {
        "Strategy": spec.strategy.name,
        "HyperParameterTuningJobObjective": {"Type": spec.objective.type, "MetricName": spec.objective.name},
        "ResourceLimits": limits,
        "ParameterRanges": _parameter_ranges(spec.ranges),
        "TrainingJobEarlyStoppingType": spec.early_stopping,
    }
    if spec.strategy.name == "Hyperband":
        config["StrategyConfig"] = {"HyperbandStrategyConfig": _hyperband(spec)}
    criteria = _completion(spec)
    if criteria:
        config["TuningJobCompletionCriteria"] = criteria
    if spec.seed is not None:
        config["RandomSeed"] = spec.seed
    return config


def _parameter_ranges(ranges: tuple[ParameterRange, ...]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in _RANGE_LISTS.values()}
    for rng in ranges:
        out[_RANGE_LISTS[rng.kind]].append(_range(rng))
    return out


def _range(rng: ParameterRange) -> dict[str, Any]:
    if rng.kind == "categorical":
        return {"Name": rng.name, "Values": list(rng.values)}
    return {"Name": rng.name, "MinValue": _number(rng.min), "MaxValue": _number(rng.max), "ScalingType": rng.scaling}


def _number(value: float | int | None) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))  # type: ignore[arg-type]


def _hyperband(spec: TuningSpec) -> dict[str, int]:
    out = {}
    if spec.strategy.min_resource is not None:
        out["MinResource"] = spec.strategy.min_resource
    if spec.strategy.max_resource is not None:
        out["MaxResource"] = spec.strategy.max_resource
    return out


def _completion(spec: TuningSpec) -> dict[str, Any]:
    c, out = spec.completion, {}
    if c.target_objective is not None:
        out["TargetObjectiveMetricValue"] = float(c.target_objective)
    if c.max_jobs_not_improving is not None:
        out["BestObjectiveNotImproving"] = {"MaxNumberOfTrainingJobsNotImproving": c.max_jobs_not_improving}
    if c.complete_on_convergence is not None:
        out["ConvergenceDetected"] = {"CompleteOnConvergence": "Enabled" if c.complete_on_convergence else "Disabled"}
    return out


def _definition(spec: TuningSpec, root: str, role: str, staging: dict[str, str]) -> dict[str, Any]:
    est = spec.estimator
    definition: dict[str, Any] = {
        "StaticHyperParameters": _statics(spec, root, staging),
        "AlgorithmSpecification": _algorithm(spec),
        "RoleArn": role,
        "OutputDataConfig": _output(est, root),
        "StoppingCondition": _stopping(est),
        "EnableNetworkIsolation": est.network_isolation,
        "EnableInterContainerTrafficEncryption": est.encrypt_inter_container_traffic,
        "EnableManagedSpotTraining": est.use_spot,
    }
    definition.update(_resources(est))
    channels = [_channel(c.name, c.uri or _stage(staging, f"{root}/input/{c.name}", c.local)) for c in est.channels]
    if channels:
        definition["InputDataConfig"] = channels
    definition.update(_optional(est))
    return definition


def _stage(staging: dict[str, str], uri: str, local: str | None) -> str:
    assert local is not None
    staging[uri] = local
    return uri


def _statics(spec: TuningSpec, root: str, staging: dict[str, str]) -> dict[str, str]:
    est = spec.estimator
    statics = dict(est.static_hyperparameters)
    if est.entry_point:
        statics[C.PROGRAM_HP] = est.entry_point
        statics[C.SUBMIT_DIR_HP] = _stage(staging, f"{root}/source/{C.SOURCE_TARBALL}", est.source_dir)
        statics[C.CONTAINER_LOG_LEVEL_HP] = str(est.container_log_level)
        statics[C.REGION_HP] = spec.region or ""
    if est.framework in SDK_ESTIMATORS:
        module, class_name = SDK_ESTIMATORS[est.framework]
        statics[C.ESTIMATOR_MODULE_HP] = json.dumps(module)
        statics[C.ESTIMATOR_CLASS_HP] = json.dumps(class_name)
    return dict(sorted(statics.items()))


def _algorithm(spec: TuningSpec) -> dict[str, Any]:
    est = spec.estimator
    algo: dict[str, Any] = {"TrainingInputMode": est.input_mode}
    if est.algorithm_name:
        algo["AlgorithmName"] = est.algorithm_name
    else:
        algo["TrainingImage"] = est.image_uri
    if spec.metrics:
        algo["MetricDefinitions"] = [{"Name": m.name, "Regex": m.regex} for m in spec.metrics]
    return algo


def _output(est: Estimator, root: str) -> dict[str, Any]:
    out: dict[str, Any] = {"S3OutputPath": est.output_path or f"{root}/output"}
    if est.output_kms_key:
        out["KmsKeyId"] = est.output_kms_key
    return out


def _stopping(est: Estimator) -> dict[str, int]:
    out = {"MaxRuntimeInSeconds": est.max_runtime_s}
    if est.max_wait_s is not None:
        out["MaxWaitTimeInSeconds"] = est.max_wait_s
    return out


def _resources(est: Estimator) -> dict[str, Any]:
    if est.fallbacks:
        config: dict[str, Any] = {
            "InstanceConfigs": [
                {"InstanceType": i.instance_type, "InstanceCount": i.instance_count, "VolumeSizeInGB": i.volume_size_gb}
                for i in est.instances
            ],
            "AllocationStrategy": "Prioritized",
        }
        key = "HyperParameterTuningResourceConfig"
    else:
        first = est.instances[0]
        config = {"InstanceType": first.instance_type, "InstanceCount": first.instance_count,
                  "VolumeSizeInGB": first.volume_size_gb}
        key = "ResourceConfig"
    if est.volume_kms_key:
        config["VolumeKmsKeyId"] = est.volume_kms_key
    return {key: config}


def _channel(name: str, uri: str) -> dict[str, Any]:
    source = {"S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}
    return {"ChannelName": name, "DataSource": {"S3DataSource": source}}


def _optional(est: Estimator) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if est.environment:
        out["Environment"] = dict(sorted(est.environment.items()))
    if est.subnets or est.security_group_ids:
        out["VpcConfig"] = {"SecurityGroupIds": list(est.security_group_ids), "Subnets": list(est.subnets)}
    if est.checkpoint_s3_uri:
        checkpoint = {"S3Uri": est.checkpoint_s3_uri}
        if est.checkpoint_local_path:
            checkpoint["LocalPath"] = est.checkpoint_local_path
        out["CheckpointConfig"] = checkpoint
    if est.max_retry_attempts is not None:
        out["RetryStrategy"] = {"MaximumRetryAttempts": est.max_retry_attempts}
    return out
