"""The README's toy launcher ("Launchers": one class plus one YAML file), exercised by test_custom_launcher."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amt_hydra.launcher import LaunchContext, Launcher


class EndpointLauncher(Launcher):
    """Submits to a SageMaker-compatible endpoint; code and inputs are already in `bucket` (nothing staged)."""

    def __init__(self, endpoint_url: str, bucket: str, poll_s: float = 5.0) -> None:
        self.endpoint_url, self.bucket, self.poll_s = endpoint_url, bucket, poll_s

    def artifact_root(self, job_name: str) -> str:
        return f"s3://{self.bucket}/{job_name}"

    def client(self) -> Any:
        import boto3

        return boto3.client("sagemaker", endpoint_url=self.endpoint_url, region_name=self.region)

    def submit(self, request: Mapping[str, Any], ctx: LaunchContext) -> str:
        self.client().create_hyper_parameter_tuning_job(**request)
        return request["HyperParameterTuningJobName"]
