"""The request both local-engine benchmarks submit: one script-mode job printing `objective: <value>`."""

from __future__ import annotations

CODE_URI = "s3://bench/code/sourcedir.tar.gz"


def script_request(
    name: str, program: str, strategy: str, ranges: list[dict], jobs: int, parallel: int, seed: int
) -> dict:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": {
            "Strategy": strategy,
            "ResourceLimits": {"MaxNumberOfTrainingJobs": jobs, "MaxParallelTrainingJobs": parallel},
            "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "objective"},
            "ParameterRanges": {"ContinuousParameterRanges": ranges},
            "RandomSeed": seed,
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {
                "sagemaker_program": f'"{program}"',
                "sagemaker_submit_directory": f'"{CODE_URI}"',
            },
            "AlgorithmSpecification": {
                "TrainingImage": "local",
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "objective", "Regex": r"objective: (\S+)"}],
            },
            "RoleArn": "arn:aws:iam::123456789012:role/Bench",
            "OutputDataConfig": {"S3OutputPath": "s3://bench/out"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        },
    }
