"""ARNs for local jobs: SageMaker's formats, with region `local` and a zero account (no credentials)."""

from __future__ import annotations

PREFIX = "arn:aws:sagemaker:local:000000000000"


def tuning_job_arn(name: str) -> str:
    return f"{PREFIX}:hyper-parameter-tuning-job/{name.lower()}"


def training_job_arn(name: str) -> str:
    return f"{PREFIX}:training-job/{name.lower()}"
