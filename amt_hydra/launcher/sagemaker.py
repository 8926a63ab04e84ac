"""Submit the request to SageMaker: stage code and local inputs in S3, then create the tuning job."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amt_hydra.constants import ENV_ROLE, SOURCE_TARBALL
from amt_hydra.errors import ConfigError, LaunchError
from amt_hydra.launcher.aws import client_config, error_code, launch_error, session, with_retries
from amt_hydra.launcher.base import LaunchContext, Launcher
from amt_hydra.packing import package_source

PLACEHOLDER = "<ACCOUNT-ID>"  # in the default bucket's name when the account was not looked up
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
CONSOLE = "https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/hyper-tuning-jobs/{name}"


@dataclass
class SageMakerLauncherConfig:
    """`launcher=sagemaker`, registered as the group option: the default, the schema and the launcher's arguments."""

    _target_: str = "amt_hydra.launcher.sagemaker.SageMakerLauncher"
    bucket: str | None = None  # S3 bucket for code and local inputs; null: the session's sagemaker-<region>-<account>
    prefix: str = "amt-hydra"  # key prefix under the bucket
    poll_s: float = 30.0  # seconds between status polls while waiting
    max_attempts: int = 10  # botocore retry attempts (adaptive mode) for throttling

    def __post_init__(self) -> None:
        if self.poll_s is None or self.poll_s <= 0:
            raise ConfigError("launcher.poll_s", f"must be > 0, got {self.poll_s}")
        if self.max_attempts is None or self.max_attempts < 1:
            raise ConfigError("launcher.max_attempts", f"must be >= 1, got {self.max_attempts}")
        if self.bucket and not BUCKET_NAME.fullmatch(self.bucket):
            raise ConfigError("launcher.bucket", f"{self.bucket!r} is not a valid S3 bucket name "
                              "(3-63 characters: lowercase letters, digits, '.' and '-')")


class SageMakerLauncher(Launcher):
    """Creates the tuning job with boto3 (`AWS_ENDPOINT_URL` and profiles work as in boto3)."""

    def __init__(self, config: SageMakerLauncherConfig | None = None, **options: Any) -> None:
        self.config = config or SageMakerLauncherConfig(**options)
        self.poll_s = float(self.config.poll_s)
        self.prefix = self.config.prefix.strip("/")
        self.bucket = self.config.bucket  # filled with the session's default bucket when null
        self._session: Any = None

    # -- Launcher interface -------------------------------------------------------------------------
    def resolve_role(self) -> str:
        # Reached only when neither estimator.role nor the environment names one (amt_hydra.spec.build).
        raise LaunchError(f"estimator.role: no IAM role for SageMaker; set estimator.role or {ENV_ROLE}")

    def artifact_root(self, job_name: str) -> str:
        return f"s3://{self._bucket_name()}/{self.prefix}/{job_name}"

    def client(self) -> Any:
        return self._boto().client("sagemaker", config=client_config(self.config.max_attempts))

    def submit(self, request: Mapping[str, Any], ctx: LaunchContext) -> str:
        name = request["HyperParameterTuningJobName"]
        if PLACEHOLDER in str(request):
            self._boto()  # raises the missing credentials/region message
            raise LaunchError("launcher.bucket: the default bucket could not be resolved; set launcher.bucket")
        sm = self.client()
        if self._exists(sm, name):
            print(f"tuning job {name} already exists; attaching to it (nothing uploaded)")
            return name
        self._stage(ctx.staging, name)
        try:
            with_retries(lambda: sm.create_hyper_parameter_tuning_job(**request))
        except Exception as exc:
            if error_code(exc) == "ResourceInUse":
                print(f"tuning job {name} already exists; attaching to it")
                return name
            raise launch_error(exc, name, "creating") from None
        region = self._boto().region_name
        print(f"created tuning job {name}\n  {CONSOLE.format(region=region, name=name)}")
        return name

    # -- helpers ------------------------------------------------------------------------------------
    def _boto(self) -> Any:
        if self._session is None:
            self._session = session(self.region)
        return self._session

    def dry_run_note(self) -> str | None:
        if self.bucket:
            return None
        return (f"dry run: the bucket {self._placeholder_bucket()} is a placeholder (a dry run does not ask STS for "
                "the account); set launcher.bucket=<bucket> for the exact request")

    def _placeholder_bucket(self) -> str:
        return f"sagemaker-{self.region or '<REGION>'}-{PLACEHOLDER}"

    def _bucket_name(self) -> str:
        """launcher.bucket, else the session's default `sagemaker-<region>-<account>` (STS, never in a dry run)."""
        if self.bucket:
            return self.bucket
        if self.dry_run:
            return self._placeholder_bucket()
        try:
            sess = self._boto()
        except LaunchError:
            return self._placeholder_bucket()  # submit() refuses it with the missing credentials message
        try:
            sts = sess.client("sts", config=client_config(self.config.max_attempts))
            account = sts.get_caller_identity()["Account"]
        except Exception as exc:  # no network, expired credentials: one line, not botocore's traceback
            detail = (getattr(exc, "response", {}).get("Error", {}).get("Message") or str(exc)).splitlines()[0]
            raise LaunchError(f"launcher.bucket: the default bucket needs the account, and STS GetCallerIdentity "
                              f"failed ({detail}); set launcher.bucket=<bucket>") from None
        self.bucket = f"sagemaker-{sess.region_name}-{account}"
        return self.bucket

    def _exists(self, sm: Any, name: str) -> bool:
        try:
            with_retries(lambda: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name))
        except Exception as exc:
            if error_code(exc) in ("ResourceNotFound", "ValidationException"):
                return False
            raise launch_error(exc, name, "describing") from None
        return True

    def _stage(self, staging: Mapping[str, Path], name: str) -> None:
        s3 = self._boto().client("s3", config=client_config(self.config.max_attempts))
        self._ensure_bucket(s3, name)
        for uri, local in staging.items():
            bucket, key = uri.removeprefix("s3://").split("/", 1)
            try:
                if uri.endswith(SOURCE_TARBALL):
                    self._upload_source(s3, Path(local), bucket, key)
                else:
                    _upload_tree(s3, Path(local), bucket, key)
            except Exception as exc:
                raise launch_error(exc, name, f"uploading {local} to {uri} for") from None
            print(f"uploaded {local} -> {uri}")

    def _ensure_bucket(self, s3: Any, name: str) -> None:
        assert self.bucket is not None
        try:
            s3.head_bucket(Bucket=self.bucket)
            return
        except Exception as exc:
            if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise launch_error(exc, name, f"checking bucket {self.bucket} for") from None
        region = self._boto().region_name
        extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        try:
            s3.create_bucket(Bucket=self.bucket, **extra)
        except Exception as exc:
            raise launch_error(exc, name, f"creating bucket {self.bucket} for") from None

    @staticmethod
    def _upload_source(s3: Any, source_dir: Path, bucket: str, key: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            tarball = Path(tmp) / SOURCE_TARBALL
            package_source(source_dir, tarball)
            with_retries(lambda: s3.upload_file(str(tarball), bucket, key))


def _upload_tree(s3: Any, local: Path, bucket: str, key: str) -> None:
    files = [local] if local.is_file() else sorted(p for p in local.rglob("*") if p.is_file())
    for file in files:
        rel = file.name if file == local else file.relative_to(local).as_posix()
        target = f"{key.rstrip('/')}/{rel}"
        with_retries(lambda f=file, t=target: s3.upload_file(str(f), bucket, t))
