"""Map a request field path back to the config key a user sets, for one-line errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TUNING = r"\.HyperParameterTuningJobConfig"
_DEF = r"\.TrainingJobDefinition"
_KEYS: list[tuple[str, str]] = [
    (r"\.HyperParameterTuningJobName", "job_name"),
    (_TUNING + r"\.Strategy$", "strategy.name"),
    (_TUNING + r"\.StrategyConfig.*MinResource", "strategy.min_resource"),
    (_TUNING + r"\.StrategyConfig.*MaxResource", "strategy.max_resource"),
    (_TUNING + r"\.HyperParameterTuningJobObjective\.Type", "metric.type"),
    (_TUNING + r"\.HyperParameterTuningJobObjective", "metric.name"),
    (_TUNING + r"\.ResourceLimits\.MaxNumberOfTrainingJobs", "limits.max_jobs"),
    (_TUNING + r"\.ResourceLimits\.MaxParallelTrainingJobs", "limits.max_parallel_jobs"),
    (_TUNING + r"\.ResourceLimits\.MaxRuntimeInSeconds", "limits.max_runtime_s"),
    (_TUNING + r"\.TrainingJobEarlyStoppingType", "early_stopping"),
    (_TUNING + r"\.TuningJobCompletionCriteria\.TargetObjectiveMetricValue", "completion.target_objective"),
    (_TUNING + r"\.TuningJobCompletionCriteria\.BestObjectiveNotImproving", "completion.max_jobs_not_improving"),
    (_TUNING + r"\.TuningJobCompletionCriteria\.ConvergenceDetected", "completion.complete_on_convergence"),
    (_TUNING + r"\.RandomSeed", "seed"),
    (_DEF + r"\.StaticHyperParameters\.?(?P<name>[^.\[]*)", "estimator.hyperparameters.{name}"),
    (_DEF + r"\.AlgorithmSpecification\.TrainingImage", "estimator.image_uri"),
    (_DEF + r"\.AlgorithmSpecification\.AlgorithmName", "estimator.algorithm_name"),
    (_DEF + r"\.AlgorithmSpecification\.TrainingInputMode", "estimator.input_mode"),
    (_DEF + r"\.AlgorithmSpecification\.MetricDefinitions\[(?P<i>\d+)\]\.Name", "metric.definitions[{i}].name"),
    (_DEF + r"\.AlgorithmSpecification\.MetricDefinitions\[(?P<i>\d+)\]\.Regex", "metric.definitions[{i}].regex"),
    (_DEF + r"\.AlgorithmSpecification\.MetricDefinitions", "metric.definitions"),
    (_DEF + r"\.RoleArn", "estimator.role"),
    (_DEF + r"\.InputDataConfig", "estimator.inputs"),
    (_DEF + r"\.OutputDataConfig\.KmsKeyId", "estimator.output_kms_key"),
    (_DEF + r"\.OutputDataConfig", "estimator.output_path"),
    (_DEF + r"\.ResourceConfig\.InstanceType", "estimator.instance_type"),
    (_DEF + r"\.ResourceConfig\.InstanceCount", "estimator.instance_count"),
    (_DEF + r"\.ResourceConfig\.VolumeSizeInGB", "estimator.volume_size_gb"),
    (_DEF + r"\.(Resource|HyperParameterTuningResource)Config\.VolumeKmsKeyId", "estimator.volume_kms_key"),
    (_DEF + r"\.HyperParameterTuningResourceConfig\.InstanceConfigs\[(?P<i>\d+)\]\.InstanceType",
     "instances[{i}].instance_type"),
    (_DEF + r"\.HyperParameterTuningResourceConfig\.InstanceConfigs\[(?P<i>\d+)\]\.InstanceCount",
     "instances[{i}].instance_count"),
    (_DEF + r"\.HyperParameterTuningResourceConfig\.InstanceConfigs\[(?P<i>\d+)\]\.VolumeSizeInGB",
     "instances[{i}].volume_size_gb"),
    (_DEF + r"\.HyperParameterTuningResourceConfig", "instances"),
    (_DEF + r"\.StoppingCondition\.MaxWaitTimeInSeconds", "estimator.max_wait_s"),
    (_DEF + r"\.StoppingCondition", "estimator.max_runtime_s"),
    (_DEF + r"\.Environment\.?(?P<name>[^.\[]*)", "estimator.environment.{name}"),
    (_DEF + r"\.VpcConfig\.Subnets", "estimator.subnets"),
    (_DEF + r"\.VpcConfig", "estimator.security_group_ids"),
    (_DEF + r"\.CheckpointConfig\.LocalPath", "estimator.checkpoint_local_path"),
    (_DEF + r"\.CheckpointConfig", "estimator.checkpoint_s3_uri"),
    (_DEF + r"\.RetryStrategy", "estimator.max_retry_attempts"),
    (r"\.WarmStartConfig\.WarmStartType", "warm_start.type"),
    (r"\.WarmStartConfig", "warm_start.parents"),
    (r"\.Tags", "tags"),
]
_RANGE = re.compile(_TUNING + r"\.ParameterRanges\.(?P<list>\w+)\[(?P<i>\d+)\]")


def config_key(path: str, request: Mapping[str, Any]) -> str:
    match = _RANGE.match(path)
    if match:
        ranges = request["HyperParameterTuningJobConfig"]["ParameterRanges"][match["list"]]
        return f"search_space.{ranges[int(match['i'])].get('Name', match['i'])}"
    for pattern, template in _KEYS:
        found = re.match(pattern, path)
        if found:
            return template.format(**found.groupdict()).rstrip(".")
    return "request" + path
